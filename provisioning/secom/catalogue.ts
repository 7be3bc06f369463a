/**
 * The public catalogue the authority's SECOM service offers (Get Summary / Get, docs/secom.md "Catalogue"), built
 * from the PKG directory and its register, never typed in: the public parameters (`params.json`), the authority
 * file with the permit root and the issuer's certificate (`authority.json`), the revocation list (vessel MRNs the
 * register revokes, with the register head it was read at), and optionally the authority's SECOM root certificate.
 * Data references are name-based UUIDs (RFC 9562 v8 over SHA-256), so they stay the same across restarts.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PKG_FILES, type Pkg } from '../pkg/index.js';
import type { CatalogueItem } from './server.js';

export const REVOCATION_LIST_FORMAT = 'mibc-ais-revocations';

/** A stable UUID for a catalogue name. */
export function dataReferenceOf(name: string): string {
  const h = createHash('sha256').update(`mibc-ais secom catalogue:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8: custom, name-based
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The register's revocations as a status list: sorted MRNs, the time of the latest, and the register head read. */
export function revocationList(pkg: Pkg): { bytes: Uint8Array; lastModifiedMs: number } {
  const register = pkg.register;
  const revokes = register.entries.filter((e) => e.type === 'revoke');
  const at = (revokes.at(-1) ?? register.entries[0])?.at ?? 0;
  const list = { format: REVOCATION_LIST_FORMAT, version: 1, revoked: [...register.revokedMrns].sort(), issuedAt: at, registerSeq: register.entries.length, registerHead: register.head };
  return { bytes: new TextEncoder().encode(`${JSON.stringify(list, null, 2)}\n`), lastModifiedMs: at * 1000 };
}

/** The catalogue of an open PKG; `extra` adds items such as the SECOM root certificate. */
export function pkgCatalogue(pkg: Pkg, extra: readonly { name: string; description: string; bytes: Uint8Array; lastModifiedMs: number }[] = []): () => readonly CatalogueItem[] {
  const file = (name: string, description: string): CatalogueItem => {
    const path = join(pkg.dir, name);
    return { dataReference: dataReferenceOf(name), name, description, bytes: new Uint8Array(readFileSync(path)), lastModifiedMs: statSync(path).mtimeMs };
  };
  // The public files do not change while the PKG is open; the revocation list follows the register.
  const fixed = [
    file(PKG_FILES.params, 'public parameters of the identity-based scheme and the key epoch length (mibc-ais-params)'),
    file(PKG_FILES.authority, 'permit root public key, issuer id and issuer certificate (mibc-ais-pkg-authority)'),
    ...extra.map((x) => ({ ...x, dataReference: dataReferenceOf(x.name) })),
  ];
  return () => {
    const revocations = revocationList(pkg);
    return [...fixed, { dataReference: dataReferenceOf('revocations.json'), name: 'revocations.json', description: `vessel MRNs the authority revoked (${REVOCATION_LIST_FORMAT})`, ...revocations }];
  };
}
