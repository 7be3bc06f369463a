/**
 * `mibc-ais secom …`: the vessel side of the authority's SECOM services (docs/secom.md).
 *   renew  asks for the permit of the current epoch (which carries the next epoch's key), checks it, writes it
 *          atomically where the daemon's `keys.permit` points (temp file, fsync, rename: the daemon never reads a
 *          half-written permit), signals the daemon to reload (`--notify-pid`, or `systemctl reload mibc-ais`
 *          run by the caller), waits until the installed key set in the daemon's state directory holds it, and
 *          acknowledges *opened* (or *error* if it was not installed in time).
 * Last mile, argued: a file the daemon already knows how to check and install (S-63's checks, rollback, atomic
 * swap) plus a reload signal needs no new listening service on the appliance, works the same whether this runs on
 * the appliance or on a shore server that copies the file aboard, and *opened* is read back from what the daemon
 * actually installed, not assumed.
 */
import { readFileSync, statSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { Command } from 'commander';
import { epochOf } from '../firmware/epoch.js';
import { hexToBytes, parseKeyFile, ParamsFileSchema } from '../firmware/keyfile.js';
import { decodeKeySet } from '../firmware/permit/index.js';
import { FileKeyStore } from '../hal/index.js';
import { pkg } from '../provisioning/index.js';
import { renewPermit, SecomError } from '../provisioning/secom/index.js';
import { X509Certificate } from '../provisioning/secom/x509.js';
import { INSTALLED_KEYS_NAME } from './run-pipeline.js';

export interface SecomCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Tells the daemon to reload (default: SIGHUP to --notify-pid, if given). */
  notify?: () => Promise<void>;
}

const DEFAULT_IO: SecomCliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

function privateKeyFile(path: string) {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600`);
  return createPrivateKey(readFileSync(path));
}

interface RenewOptions {
  authority: string; ca: string; authorityRoot: string; cert: string; key: string; certRoot: string; mmsi: string;
  deviceKey: string; params: string; permitOut: string; stateDir: string; notifyPid?: string; waitSeconds: string; epoch?: string;
}

export function secomCommand(io: SecomCliIo = DEFAULT_IO): Command {
  const cmd = new Command('secom').description('the vessel side of the authority\'s SECOM services (docs/secom.md)');
  cmd
    .command('renew')
    .description('renew the key permit through SECOM, hand it to the daemon and acknowledge opened once installed')
    .requiredOption('--authority <url>', 'the authority\'s SECOM service, https://…')
    .requiredOption('--ca <pem>', 'trust anchor of the authority\'s TLS certificate')
    .requiredOption('--authority-root <pem>', 'the authority\'s SECOM root (its data signatures chain to it)')
    .requiredOption('--cert <pem>', 'this vessel\'s SECOM certificate (MCP vessel MRN)')
    .requiredOption('--key <pem>', 'its private key (PKCS#8 PEM, mode 0600)')
    .requiredOption('--cert-root <pem>', 'the root that issued --cert')
    .requiredOption('--mmsi <n>', 'the vessel\'s MMSI')
    .requiredOption('--device-key <file>', 'the appliance\'s device-key.json (public)')
    .requiredOption('--params <file>', 'params.json (for the current epoch)')
    .requiredOption('--permit-out <file>', 'where the daemon\'s keys.permit points')
    .requiredOption('--state-dir <dir>', 'the daemon\'s state directory (to see the permit installed)')
    .option('--notify-pid <pid>', 'send SIGHUP to this daemon process after handing the permit over')
    .option('--wait-seconds <n>', 'how long to wait for the install', '120')
    .option('--epoch <n>', 'the epoch to renew (default: the current one by this machine\'s clock)')
    .action(async (o: RenewOptions) => {
      try {
        const params = parseKeyFile(ParamsFileSchema, readFileSync(o.params, 'utf8'), o.params);
        const device = JSON.parse(readFileSync(o.deviceKey, 'utf8')) as { publicKey?: string };
        if (typeof device.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(device.publicKey)) throw new Error(`${o.deviceKey} is not a device-key.json`);
        const notify = io.notify ?? (async () => {
          if (o.notifyPid !== undefined) process.kill(Number(o.notifyPid), 'SIGHUP');
        });
        const outcome = await renewPermit({
          authorityUrl: o.authority.replace(/\/$/, ''),
          ca: readFileSync(o.ca),
          authorityRoot: new X509Certificate(readFileSync(o.authorityRoot, 'utf8')),
          signer: { certificate: new X509Certificate(readFileSync(o.cert, 'utf8')), privateKey: privateKeyFile(o.key), root: new X509Certificate(readFileSync(o.certRoot, 'utf8')) },
          mmsi: Number(o.mmsi),
          devicePublicKey: hexToBytes(device.publicKey),
          epoch: o.epoch === undefined ? epochOf(Math.floor(Date.now() / 1000), params.epochSeconds ?? 86_400) : Number(o.epoch),
          handOver: async (permit) => {
            await pkg.writeFileAtomic(o.permitOut, permit, { overwrite: true });
            await notify();
          },
          installed: async (issuerId, sequence) => {
            try {
              return (decodeKeySet(await new FileKeyStore(o.stateDir).read(INSTALLED_KEYS_NAME)).sequences[issuerId] ?? 0) >= sequence;
            } catch {
              return false;
            }
          },
          waitMs: Number(o.waitSeconds) * 1000,
        });
        io.out(JSON.stringify({ command: 'renew', ...outcome }));
        process.exitCode = outcome.installed ? 0 : 1;
      } catch (error) {
        io.err(`mibc-ais secom renew: ${(error as Error).message}`);
        process.exitCode = error instanceof SecomError ? 2 : 1;
      }
    });
  return cmd;
}
