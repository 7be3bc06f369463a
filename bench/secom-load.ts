/**
 * Loopback load test of the authority's SECOM service (docs/secom.md): signed, compressed security reports posted
 * to POST /v1/object on 127.0.0.1 over TLS, each recorded in a real PKG register. Bounded in count and time
 * (`--count`, default 300; stops after `--seconds`, default 60) and in concurrency (`--concurrency`, default 8).
 * Prints request latency (p50/p95/max) and throughput; a refused upload counts as an error. Usage:
 *   npx tsx bench/secom-load.ts [--count 300] [--concurrency 8] [--seconds 60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_SCRYPT_LOG_N, Pkg, setupPkg } from '../provisioning/pkg/index.js';
import {
  createRoot, issueLeaf, issueTlsServer, newTransactionId, sealPayload, secomRequest, signUpload, startSecomService, SECURITY_REPORT_FORMAT,
} from '../provisioning/secom/index.js';
import { randomBytes } from 'node:crypto';

const { values } = parseArgs({ options: { count: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '8' }, seconds: { type: 'string', default: '60' } } });
const count = Math.min(5_000, Number(values.count));
const concurrency = Math.min(32, Number(values.concurrency));
const deadline = Date.now() + Math.min(300, Number(values.seconds)) * 1000;

const root = mkdtempSync(join(tmpdir(), 'mibc-secom-load-'));
const DAY = 86_400_000;
const validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY) };
try {
  const dir = join(root, 'pkg');
  const env = { now: Date.now, random: (n: number) => new Uint8Array(randomBytes(n)) };
  await setupPkg({ dir, passphrase: 'load test passphrase', scryptLogN: MIN_SCRYPT_LOG_N, authorityMmsi: 2_371_000 }, env);
  const pkg = await Pkg.open(dir, 'load test passphrase', env);
  const authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'root', ...validity });
  const tls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, authorityRoot);
  const identity = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'service', ...validity }, authorityRoot);
  const fleet = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:fleet', commonName: 'fleet', ...validity });
  const vessel = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', commonName: 'vessel', ...validity }, fleet);
  const service = await startSecomService({
    tls, identity, identityRoot: authorityRoot.certificate, trustedRoots: [fleet.certificate], record: (r) => pkg.recordSecom(r), catalogue: () => [],
    rate: { perSecond: 100_000, burst: 100_000 },
  });
  const ca = authorityRoot.certificate.toString('pem');
  const signer = { certificate: vessel.certificate, privateKey: vessel.privateKey, root: fleet.certificate };
  const now = Math.floor(Date.now() / 1000);
  const payload = new TextEncoder().encode(JSON.stringify({
    format: SECURITY_REPORT_FORMAT, version: 1, station: '237000001', from: now - 3600, to: now,
    events: Array.from({ length: 50 }, (_, i) => ({ at: now - i, code: 'BAD_SIGNATURE', source: 237_999_000 + i, count: 1 })),
  }));
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < count && Date.now() < deadline) {
      sent += 1;
      const sealed = sealPayload(payload, signer, true);
      const body = signUpload({ data: sealed.data, containerType: 2, dataProductType: 'OTHER', exchangeMetadata: sealed.exchangeMetadata, fromSubscription: false, ackRequest: 0, transactionIdentifier: newTransactionId() }, signer, Date.now());
      const t = performance.now();
      const r = await secomRequest(`${service.url}/v1/object`, { method: 'POST', ca, body });
      latencies.push(performance.now() - t);
      if (r.status !== 200) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(JSON.stringify({
    requests: latencies.length, errors, concurrency, seconds: Number(seconds.toFixed(2)), perSecond: Number((latencies.length / seconds).toFixed(1)),
    latencyMs: { p50: Number(q(0.5)), p95: Number(q(0.95)), max: Number(q(1)) }, registerEntries: pkg.register.entries.length, payloadBytes: payload.length,
  }));
  await service.close();
  await pkg.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
