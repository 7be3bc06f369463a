/**
 * `mibc-ais device-key --dir DIR`: makes this appliance's X25519 device key, which key permits are wrapped to (S-63's
 * HW_ID idea, with public-key crypto so the authority never holds a secret of the device). Writes
 * `device-secret.json` (0600, stays on the appliance) and `device-key.json` (public: give it to the authority for
 * `mibc-ais pkg permit --device-key`). Refuses to overwrite an existing secret.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from '@noble/hashes/utils.js';
import { Command } from 'commander';
import { bytesToHex } from '../firmware/keyfile.js';
import { deviceIdOf, deviceKeyFromSecret } from '../firmware/permit/index.js';
import { pkg } from '../provisioning/index.js';

export async function makeDeviceKey(dir: string, random: (n: number) => Uint8Array = randomBytes): Promise<{ publicKey: string; deviceId: string }> {
  const secretPath = join(dir, 'device-secret.json');
  if (existsSync(secretPath)) throw Object.assign(new Error(`${secretPath} exists: a device key is made once`), { code: 'DEVICE_KEY_EXISTS' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = random(32);
  const key = deviceKeyFromSecret(secret);
  await pkg.writeFileAtomic(secretPath, `${JSON.stringify({ format: 'mibc-ais-device-secret', version: 1, secretKey: bytesToHex(secret) })}\n`);
  await pkg.writeFileAtomic(join(dir, 'device-key.json'), `${JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(key.publicKey) })}\n`);
  secret.fill(0);
  return { publicKey: bytesToHex(key.publicKey), deviceId: bytesToHex(deviceIdOf(key.publicKey)) };
}

export function deviceKeyCommand(): Command {
  return new Command('device-key')
    .description("make this appliance's device key (device-secret.json, 0600) and its public half (device-key.json)")
    .requiredOption('--dir <dir>', 'where to write the two files (e.g. /var/lib/mibc-ais)')
    .action(async (o: { dir: string }) => {
      try {
        process.stdout.write(`${JSON.stringify({ command: 'device-key', ...(await makeDeviceKey(o.dir)) })}\n`);
      } catch (e) {
        process.stderr.write(`mibc-ais device-key: ${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}\n`);
        process.exit(1);
      }
    });
}
