/**
 * `mibc-ais secom …`: the authority's SECOM service and the vessel side of it (docs/secom.md).
 *   serve-authority  runs the authority's SECOM service on the PKG directory: catalogue built from it, reports in,
 *                    key renewal with the permit uploaded to the vessel operator's server, acknowledgements, group
 *                    subscriptions; every exchange one register entry, also printed as one JSON line.
 *   renew            runs this vessel's SECOM server for one renewal, asks for the permit, receives its upload,
 *                    acknowledges delivered, writes it atomically where the daemon's `keys.permit` points (temp
 *                    file, fsync, rename), signals the daemon to reload (`--notify-pid`), waits until the installed
 *                    key set in the daemon's state directory holds it, and acknowledges opened (or error).
 *   demo             the whole key-renewal lifecycle with the two sides as separate processes (bench/secom).
 * Last mile, argued: a file the daemon already knows how to check and install (S-63's checks, rollback, atomic
 * swap) plus a reload signal needs no new listening service on the appliance itself, works the same whether this
 * runs on the appliance or on a shore server that copies the file aboard, and *opened* is read back from what the
 * daemon actually installed, not assumed.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { MAX_EPOCH } from '../crypto/index.js';
import { epochOf } from '../firmware/epoch.js';
import { hexToBytes, parseKeyFile, ParamsFileSchema } from '../firmware/keyfile.js';
import { decodeKeySet } from '../firmware/permit/index.js';
import { FileKeyStore } from '../hal/index.js';
import { pkg as pkgTools } from '../provisioning/index.js';
import { Pkg } from '../provisioning/pkg/index.js';
import {
  checkGroupMember, decideRenewal, pkgCatalogue, renewPermit, SecomError, startSecomService, startVesselServer, type GroupHandOut, type SecomRecord,
} from '../provisioning/secom/index.js';
import { X509Certificate } from '../provisioning/secom/x509.js';
import { intArg } from './args.js';
import { INSTALLED_KEYS_NAME } from './run-pipeline.js';
import { handOutArg, httpsUrlArg, listenArg, passphraseFrom, privateKeyFile, privateKeyPem } from './secom-args.js';

export interface SecomCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Tells the daemon to reload (default: SIGHUP to --notify-pid, if given). */
  notify?: () => Promise<void>;
  /** Resolves when the service should stop (default: SIGTERM or SIGINT). */
  stopped?: () => Promise<void>;
  /** systemd's credential directory (default: $CREDENTIALS_DIRECTORY). */
  credentialsDirectory?: string | undefined;
  /** How `secom demo` starts `mibc-ais` as a child process (default: this same entry point and loader). */
  cliCommand?: readonly string[];
}

const DEFAULT_IO: SecomCliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

const untilSignal = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });

const pem = (path: string) => new X509Certificate(readFileSync(path, 'utf8'));
const MMSI_RANGE = [100_000_000, 999_999_999] as const;

interface RenewOptions {
  authority: string; ca: string; authorityRoot: string; cert: string; key: string; certRoot: string; mmsi: number; deviceKey: string; params: string;
  permitOut: string; stateDir: string; notifyPid?: number; waitSeconds: number; epoch?: number; listen: { host: string; port: number }; callback?: string;
  tlsCert: string; tlsKey: string;
}

interface ServeOptions {
  dir: string; passphraseFile?: string; listen: { host: string; port: number }; tlsCert: string; tlsKey: string; cert: string; key: string; certRoot: string;
  trust: string[]; consumerCa: string[]; handOut?: { groupId: number; file: string }[]; rate: number; burst: number;
}

export function secomCommand(io: SecomCliIo = DEFAULT_IO): Command {
  const cmd = new Command('secom').description('the authority\'s SECOM service and the vessel side of it (docs/secom.md)');

  cmd
    .command('serve-authority')
    .description('run the authority\'s SECOM service on a PKG directory until SIGTERM; one JSON line per exchange on stdout')
    .requiredOption('--dir <dir>', 'PKG directory (catalogue, register, renewal decisions)')
    .option('--passphrase-file <file>', 'file holding the vault passphrase, mode 0600 (else $CREDENTIALS_DIRECTORY/pkg-passphrase)')
    .option('--listen <host:port>', 'address to listen on', listenArg('--listen'), { host: '127.0.0.1', port: 8443 })
    .requiredOption('--tls-cert <pem>', 'the service\'s TLS certificate (chain)')
    .requiredOption('--tls-key <pem>', 'its private key, mode 0600')
    .requiredOption('--cert <pem>', 'the authority\'s SECOM signing certificate (MCP service or org MRN)')
    .requiredOption('--key <pem>', 'its private key (PKCS#8 PEM, mode 0600)')
    .requiredOption('--cert-root <pem>', 'the root that issued --cert')
    .requiredOption('--trust <pem...>', 'roots whose vessel and station certificates may upload (the fleet\'s MCP identity provider)')
    .requiredOption('--consumer-ca <pem...>', 'trust anchors of vessel operators\' SECOM servers, where granted permits are uploaded')
    .option('--hand-out <group=file>', 'offer subscriptions to a group: the hand-out sentences `pkg group-key --out-nmea` wrote for its latest key', handOutArg)
    .option('--rate <n>', 'requests per second per client address', intArg('--rate', 1, 10_000), 20)
    .option('--burst <n>', 'burst per client address', intArg('--burst', 1, 100_000), 40)
    .action(async (o: ServeOptions) => {
      let pkg: Pkg | undefined;
      try {
        const passphrase = passphraseFrom(o.passphraseFile, 'credentialsDirectory' in io ? io.credentialsDirectory : process.env['CREDENTIALS_DIRECTORY']);
        const identity = { certificate: pem(o.cert), privateKey: privateKeyFile(o.key) };
        const identityRoot = pem(o.certRoot);
        const tls = { cert: readFileSync(o.tlsCert, 'utf8'), key: privateKeyPem(o.tlsKey) };
        const trustedRoots = o.trust.map(pem);
        const consumerCa = o.consumerCa.map((f) => readFileSync(f, 'utf8'));
        pkg = await Pkg.open(o.dir, passphrase);
        const opened = pkg;
        const handOuts = new Map<number, GroupHandOut>();
        for (const h of o.handOut ?? []) {
          const latest = opened.register.entries.filter((e) => e.type === 'group-key' && (e.data.groupId ?? 0) === h.groupId).at(-1);
          if (latest?.type !== 'group-key') throw new Error(`--hand-out ${h.groupId}=…: the register holds no key of group ${h.groupId}`);
          const lines = readFileSync(h.file, 'utf8').split(/\r?\n/).filter((l) => l !== '');
          handOuts.set(h.groupId, { groupId: h.groupId, keyId: latest.data.keyId, lines });
        }
        const rootItem = { name: 'secom-root.pem', description: 'the authority\'s SECOM root certificate (compare its thumbprint over a second channel)', bytes: new TextEncoder().encode(identityRoot.toString('pem')), lastModifiedMs: identityRoot.notBefore.getTime() };
        const service = await startSecomService({
          tls, identity, identityRoot, trustedRoots,
          record: async (r: SecomRecord) => {
            await opened.recordSecom(r);
            io.out(JSON.stringify({ secom: r, seq: opened.register.entries.length }));
          },
          catalogue: pkgCatalogue(opened, [rootItem]),
          renewal: { decide: (mrn, request) => decideRenewal(opened, mrn, request), consumerCa },
          ...(handOuts.size === 0 ? {} : { groups: { member: (mrn: string, groupId: number) => checkGroupMember(opened, mrn, groupId), handOut: (groupId: number) => handOuts.get(groupId) } }),
          rate: { perSecond: o.rate, burst: o.burst },
        }, o.listen);
        io.out(JSON.stringify({ command: 'serve-authority', url: service.url, catalogue: pkgCatalogue(opened, [rootItem])().map((i) => i.name), register: { seq: opened.register.entries.length, head: opened.register.head } }));
        await (io.stopped ?? untilSignal)();
        await service.close();
        io.out(JSON.stringify({ command: 'serve-authority', stopped: true, register: { seq: opened.register.entries.length, head: opened.register.head } }));
      } catch (error) {
        io.err(`mibc-ais secom serve-authority: ${(error as { code?: string }).code ?? ''}${(error as { code?: string }).code === undefined ? '' : ': '}${(error as Error).message}`);
        process.exitCode = 1;
      } finally {
        await pkg?.close();
      }
    });

  cmd
    .command('renew')
    .description('renew the key permit through SECOM: receive its upload on this vessel\'s SECOM server, hand it to the daemon, acknowledge opened once installed')
    .requiredOption('--authority <url>', 'the authority\'s SECOM service', httpsUrlArg('--authority'))
    .requiredOption('--ca <pem>', 'trust anchor of the authority\'s TLS certificate')
    .requiredOption('--authority-root <pem>', 'the authority\'s SECOM root (its envelope and data signatures chain to it)')
    .requiredOption('--cert <pem>', 'this vessel\'s SECOM certificate (MCP vessel MRN)')
    .requiredOption('--key <pem>', 'its private key (PKCS#8 PEM, mode 0600)')
    .requiredOption('--cert-root <pem>', 'the root that issued --cert')
    .requiredOption('--mmsi <n>', 'the vessel\'s MMSI', intArg('--mmsi', ...MMSI_RANGE))
    .requiredOption('--device-key <file>', 'the appliance\'s device-key.json (public)')
    .requiredOption('--params <file>', 'params.json (for the current epoch)')
    .requiredOption('--permit-out <file>', 'where the daemon\'s keys.permit points')
    .requiredOption('--state-dir <dir>', 'the daemon\'s state directory (to see the permit installed)')
    .requiredOption('--listen <host:port>', 'where this vessel\'s SECOM server listens for the authority\'s upload', listenArg('--listen'))
    .requiredOption('--tls-cert <pem>', 'that server\'s TLS certificate (chain), issued under a CA the authority trusts')
    .requiredOption('--tls-key <pem>', 'its private key, mode 0600')
    .option('--callback <url>', 'the URL the authority reaches that server at (default: https://HOST:PORT of --listen)', httpsUrlArg('--callback'))
    .option('--notify-pid <pid>', 'send SIGHUP to this daemon process after handing the permit over', intArg('--notify-pid', 1, 4_194_304))
    .option('--wait-seconds <n>', 'how long to wait for the upload, and then for the install', intArg('--wait-seconds', 1, 3600), 120)
    .option('--epoch <n>', 'the epoch to renew (default: the current one by this machine\'s clock)', intArg('--epoch', 0, MAX_EPOCH))
    .addOption(new Option('--quiet', 'no progress lines on stderr'))
    .action(async (o: RenewOptions & { quiet?: boolean }) => {
      let server: Awaited<ReturnType<typeof startVesselServer>> | undefined;
      try {
        const params = parseKeyFile(ParamsFileSchema, readFileSync(o.params, 'utf8'), o.params);
        const device = JSON.parse(readFileSync(o.deviceKey, 'utf8')) as { publicKey?: string };
        if (typeof device.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(device.publicKey)) throw new Error(`${o.deviceKey} is not a device-key.json`);
        const devicePublicKey = hexToBytes(device.publicKey);
        const notify = io.notify ?? (async () => {
          if (o.notifyPid !== undefined) process.kill(o.notifyPid, 'SIGHUP');
        });
        const progress = (line: Record<string, unknown>) => {
          if (o.quiet !== true) io.err(JSON.stringify(line));
        };
        server = await startVesselServer({
          tls: { cert: readFileSync(o.tlsCert, 'utf8'), key: privateKeyPem(o.tlsKey) },
          authorityRoot: pem(o.authorityRoot),
          devicePublicKey,
          onEvent: (e) => progress({ event: e.kind, ...e }),
        }, o.listen);
        const outcome = await renewPermit({
          authorityUrl: o.authority,
          ca: readFileSync(o.ca),
          signer: { certificate: pem(o.cert), privateKey: privateKeyFile(o.key), root: pem(o.certRoot) },
          mmsi: o.mmsi,
          devicePublicKey,
          epoch: o.epoch ?? epochOf(Math.floor(Date.now() / 1000), params.epochSeconds ?? 86_400),
          server,
          callbackEndpoint: o.callback ?? server.url,
          onStep: (step, detail) => progress({ step, ...detail }),
          handOver: async (permit) => {
            await pkgTools.writeFileAtomic(o.permitOut, permit, { overwrite: true });
            await notify();
          },
          installed: async (issuerId, sequence) => {
            try {
              return (decodeKeySet(await new FileKeyStore(o.stateDir).read(INSTALLED_KEYS_NAME)).sequences[issuerId] ?? 0) >= sequence;
            } catch {
              return false;
            }
          },
          waitMs: o.waitSeconds * 1000,
        });
        io.out(JSON.stringify({ command: 'renew', ...outcome }));
        process.exitCode = outcome.installed ? 0 : 1;
      } catch (error) {
        io.err(`mibc-ais secom renew: ${(error as Error).message}`);
        process.exitCode = error instanceof SecomError ? 2 : 1;
      } finally {
        await server?.close();
      }
    });

  cmd
    .command('demo')
    .description('the key-renewal lifecycle: authority service and vessel side as separate processes on loopback TLS, an appliance whose key expires in two minutes, signing across the epoch boundary')
    .action(async () => {
      const { runRenewalLifecycle } = await import('../bench/secom/lifecycle.js');
      const cli = io.cliCommand ?? [process.execPath, ...process.execArgv, process.argv[1]!];
      const result = await runRenewalLifecycle({ cli, trace: io.out });
      process.exitCode = result.ok ? 0 : 1;
    });
  return cmd;
}
