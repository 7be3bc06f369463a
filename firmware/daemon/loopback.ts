/**
 * Which addresses are reachable from this machine only: the status server binds one of these without authentication
 * (docs/display-output.md "Status page"), and anything else needs it.
 */
import { isIP } from 'node:net';

export const LOOPBACK_HOST = '127.0.0.1';

/** 127.0.0.0/8, ::1 (also bracketed, or IPv4-mapped) and "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) === 4) return bare.split('.')[0] === '127';
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(bare);
  return false;
}
