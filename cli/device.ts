/**
 * `mibc-ais device-key --dir DIR`: makes this appliance's X25519 device key, which key permits are wrapped to (S-63's
 * HW_ID idea, with public-key crypto so the authority never holds a secret of the device). Writes
 * `device-secret.json` (0600, stays on the appliance) and `device-key.json` (public: give it to the authority for
 * `mibc-ais pkg permit --device-key`). Refuses to overwrite either file unless --force is given: a new secret
 * makes every permit issued to the old key unreadable.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from '@noble/hashes/utils.js';
import { Command } from 'commander';
import { bytesToHex } from '../firmware/keyfile.js';
import { deviceIdOf, deviceKeyFromSecret } from '../firmware/permit/index.js';
import { pkg } from '../provisioning/index.js';

const exists = (code: string, message: string) => Object.assign(new Error(message), { code });

export async function makeDeviceKey(
  dir: string, random: (n: number) => Uint8Array = randomBytes, opts: { force?: boolean } = {},
): Promise<{ publicKey: string; deviceId: string }> {
  const secretPath = join(dir, 'device-secret.json');
  const publicPath = join(dir, 'device-key.json');
  const overwrite = opts.force === true;
  if (!overwrite) {
    if (existsSync(secretPath)) throw exists('DEVICE_KEY_EXISTS', `${secretPath} exists: a device key is made once (--force replaces it)`);
    if (existsSync(publicPath)) throw exists('DEVICE_KEY_EXISTS', `${publicPath} exists; give --force to replace it`);
  }
  const secret = random(32);
  const key = deviceKeyFromSecret(secret);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await pkg.writeFileAtomic(secretPath, `${JSON.stringify({ format: 'mibc-ais-device-secret', version: 1, secretKey: bytesToHex(secret) })}\n`, { overwrite });
    await pkg.writeFileAtomic(publicPath, `${JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(key.publicKey) })}\n`, { overwrite });
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw exists('DEVICE_KEY_EXISTS', `${e.path ?? dir} appeared while writing; nothing replaced`);
    throw exists('DEVICE_KEY_WRITE', `cannot write in ${dir}: ${e.code ?? 'error'}: ${e.message}`);
  } finally {
    secret.fill(0);
  }
  return { publicKey: bytesToHex(key.publicKey), deviceId: bytesToHex(deviceIdOf(key.publicKey)) };
}

export function deviceKeyCommand(): Command {
  return new Command('device-key')
    .description("make this appliance's device key (device-secret.json, 0600) and its public half (device-key.json)")
    .requiredOption('--dir <dir>', 'where to write the two files (e.g. /var/lib/mibc-ais)')
    .option('--force', 'replace existing files (permits issued to the old key can no longer be read)')
    .action(async (o: { dir: string; force?: boolean }) => {
      try {
        process.stdout.write(`${JSON.stringify({ command: 'device-key', ...(await makeDeviceKey(o.dir, randomBytes, { force: o.force === true })) })}\n`);
      } catch (e) {
        process.stderr.write(`mibc-ais device-key: ${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}\n`);
        process.exit(1);
      }
    });
}
