/** Whether gpsd's `gpsdecode` (Debian package gpsd-clients) is installed: the cross-checks with gpsd need it. */
import { spawnSync } from 'node:child_process';

export const GPSDECODE = spawnSync('gpsdecode', ['-V'], { stdio: 'ignore' }).status === 0;

export function warnWithoutGpsdecode(what: string): void {
  if (!GPSDECODE) console.warn(`gpsdecode not installed (Debian package gpsd-clients); ${what} is skipped`);
}
