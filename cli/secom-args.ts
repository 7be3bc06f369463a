/**
 * Option values of `mibc-ais secom …`: each bad value is one line naming the option and its valid range (commander's
 * InvalidArgumentError), the same range `--help` prints. Credentials never come from arguments or the environment:
 * private keys and the vault passphrase are read from files (a key readable by others is refused), or from
 * systemd's credential directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ranged } from './args.js';

/** `HOST:PORT` to listen on: an IPv4 address, `[IPv6]` or `localhost`, port 0..65535 (0: any free port). */
export function listenArg(name: string) {
  return ranged('HOST:PORT, port 0..65535', (v: string) => {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|localhost):(\d{1,5})$/.exec(v.trim());
    const port = m === null ? Number.NaN : Number(m[2]);
    const ipv4ok = m === null || !/^\d/.test(m[1]!) || m[1]!.split('.').every((o) => Number(o) <= 255);
    if (m === null || !ipv4ok || !(port >= 0 && port <= 65_535)) {
      throw new InvalidArgumentError(`${name} must be HOST:PORT (IPv4, [IPv6] or localhost; port 0..65535), got "${v}"`);
    }
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/** An https URL without credentials, query or fragment. */
export function httpsUrlArg(name: string) {
  return ranged('https URL; no credentials, query or fragment', (v: string) => {
    let u: URL | undefined;
    try {
      u = new URL(v);
    } catch {
      u = undefined;
    }
    if (u === undefined || u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '' || v.length > 2048) {
      throw new InvalidArgumentError(`${name} must be an https URL without credentials, query or fragment, got "${v}"`);
    }
    return v.replace(/\/+$/, '');
  });
}

/** `GROUP=FILE`: a group id 0..65535 and the hand-out sentences `pkg group-key --out-nmea` wrote. */
export const handOutArg = Object.assign(
  (v: string, previous: { groupId: number; file: string }[] | undefined) => {
    const m = /^(\d{1,5})=(.+)$/.exec(v);
    if (m === null || Number(m[1]) > 0xffff) throw new InvalidArgumentError(`--hand-out must be GROUP=FILE with GROUP 0..65535, got "${v}"`);
    return [...(previous ?? []), { groupId: Number(m[1]), file: m[2]! }];
  },
  { range: 'GROUP=FILE, group 0..65535, repeatable' },
);

/** A PKCS#8 PEM private key file, refused when group or others may read it. */
export function privateKeyFile(path: string): KeyObject {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600`);
  return createPrivateKey(readFileSync(path));
}

/** The same check for a TLS key, returned as PEM text for Node's TLS server. */
export function privateKeyPem(path: string): string {
  privateKeyFile(path);
  return readFileSync(path, 'utf8');
}

/** systemd's LoadCredential= name for the vault passphrase. */
export const PASSPHRASE_CREDENTIAL = 'pkg-passphrase';

/** The vault passphrase from --passphrase-file, else from $CREDENTIALS_DIRECTORY/pkg-passphrase (systemd). */
export function passphraseFrom(file: string | undefined, credentialsDirectory: string | undefined): string {
  const path = file ?? (credentialsDirectory === undefined ? undefined : join(credentialsDirectory, PASSPHRASE_CREDENTIAL));
  if (path === undefined) throw new Error(`give --passphrase-file FILE or run under systemd with LoadCredential=${PASSPHRASE_CREDENTIAL}:…`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600`);
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}
