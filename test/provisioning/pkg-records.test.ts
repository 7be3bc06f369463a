/**
 * The PKG keeps its records whole: the vault anchors the register's head, issued files are written before they
 * are recorded, key ids are unpredictable, and MMSIs, IMO numbers and vessel MRNs are checked at issue.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceKeyFromSecret } from '../../firmware/permit/index.js';
import { MIN_SCRYPT_LOG_N, PKG_FILES, Pkg, setupPkg } from '../../provisioning/pkg/index.js';
import { formatEntry } from '../../provisioning/pkg/register.js';
import { openVault, openVaultSession } from '../../provisioning/pkg/vault.js';
import { PASSPHRASE, codeOf, makePkgDir, testEnv, type PkgDir } from './_pkg-dir.js';

const VESSEL = 237_000_001;
const OTHER = 244_000_001;
const EPOCH = 692;

let d: PkgDir;
beforeEach(async () => {
  d = await makePkgDir('pkg records');
});
afterEach(() => d.remove());

const read = (name: string) => readFileSync(join(d.dir, name), 'utf8');
const write = (name: string, text: string) => writeFileSync(join(d.dir, name), text);
const reopen = () => codeOf(d.open().then((p) => p.close()));
const lines = () => read(PKG_FILES.register).trimEnd().split('\n');

async function issueSome(): Promise<void> {
  const pkg = await d.open();
  await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
  await pkg.pseudonym(VESSEL, EPOCH);
  await pkg.groupKey({ to: [VESSEL], hours: 6 });
  await pkg.close();
}

describe('the register head is anchored in the vault', () => {
  it('every append moves the anchor to the register head', async () => {
    await issueSome();
    const vault = JSON.parse(read(PKG_FILES.vault)) as { version: number; anchor: { seq: number; head: string } };
    const last = JSON.parse(lines().at(-1)!) as { seq: number; mac: string };
    expect(vault.version).toBe(2);
    expect(vault.anchor).toEqual({ seq: last.seq, head: last.mac });
  });

  it('a cut tail is PKG_REGISTER_ROLLED_BACK on open, for every command', async () => {
    await issueSome();
    write(PKG_FILES.register, `${lines().slice(0, -1).join('\n')}\n`);
    expect(await reopen()).toBe('PKG_REGISTER_ROLLED_BACK');
    write(PKG_FILES.register, `${lines().slice(0, 1).join('\n')}\n`);
    expect(await reopen()).toBe('PKG_REGISTER_ROLLED_BACK');
  });

  it('an older copy of the register is PKG_REGISTER_ROLLED_BACK', async () => {
    await issueSome();
    const older = read(PKG_FILES.register);
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: OTHER }, EPOCH);
    await pkg.close();
    write(PKG_FILES.register, older);
    expect(await reopen()).toBe('PKG_REGISTER_ROLLED_BACK');
  });

  it('the anchor cannot be lowered without the passphrase (it is authenticated with the secrets)', async () => {
    await issueSome();
    const v = JSON.parse(read(PKG_FILES.vault)) as { anchor: { seq: number; head: string } };
    const first = JSON.parse(lines()[0]!) as { mac: string };
    v.anchor = { seq: 1, head: first.mac };
    write(PKG_FILES.vault, JSON.stringify(v));
    write(PKG_FILES.register, `${lines()[0]}\n`);
    expect(await reopen()).toBe('PKG_VAULT_CORRUPT');
  });

  it('a cut made while a command holds the PKG open is caught at its next append', async () => {
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
    write(PKG_FILES.register, `${lines()[0]}\n`);
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: OTHER }, EPOCH))).toBe('PKG_REGISTER_ROLLED_BACK');
    await pkg.close();
  });

  it('a crash between the register append and the anchor is recovered on open (authentic entries beyond the anchor)', async () => {
    await issueSome();
    const vaultBefore = read(PKG_FILES.vault);
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: OTHER }, EPOCH);
    await pkg.close();
    // The anchor write "did not happen": the vault as it was before the append.
    write(PKG_FILES.vault, vaultBefore);
    const reopened = await d.open();
    expect(reopened.anchorReport).toEqual({ recovered: 1, upgraded: false });
    await reopened.close();
    // ... and the recovered head is anchored now: cutting that entry is detected.
    write(PKG_FILES.register, `${lines().slice(0, -1).join('\n')}\n`);
    expect(await reopen()).toBe('PKG_REGISTER_ROLLED_BACK');
  });

  it('a version-1 vault (no anchor) opens and is anchored from then on', async () => {
    await issueSome();
    // Re-seal the same secrets the way version 1 did: no anchor in the header or the AAD.
    const { gcm } = await import('@noble/ciphers/aes.js');
    const { scrypt } = await import('@noble/hashes/scrypt.js');
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { bytesToHex, hexToBytes } = await import('@noble/hashes/utils.js');
    const v2 = JSON.parse(read(PKG_FILES.vault)) as { kdf: { name: 'scrypt'; logN: number; r: 8; p: 1; salt: string }; check: string };
    const s = openVault(read(PKG_FILES.vault), PASSPHRASE);
    const out = scrypt(new TextEncoder().encode(PASSPHRASE), hexToBytes(v2.kdf.salt), { N: 2 ** v2.kdf.logN, r: 8, p: 1, dkLen: 64 });
    const plain = new Uint8Array([...s.masterSecret, ...s.rootSecretKey, ...s.issuerSecretKey, ...s.registerKey]);
    const nonce = new Uint8Array(12).fill(1);
    const aad = new TextEncoder().encode(JSON.stringify({ format: 'mibc-ais-pkg-vault', version: 1, kdf: v2.kdf }));
    const ct = gcm(out.slice(0, 32), nonce, aad).encrypt(plain);
    expect(bytesToHex(sha256(new Uint8Array([...new TextEncoder().encode('mibc-ais pkg vault check v1'), ...out.slice(32)])))).toBe(v2.check);
    write(PKG_FILES.vault, JSON.stringify({ format: 'mibc-ais-pkg-vault', version: 1, kdf: v2.kdf, check: v2.check, nonce: bytesToHex(nonce), ciphertext: bytesToHex(ct) }));
    const pkg = await d.open();
    expect(pkg.anchorReport).toEqual({ recovered: 0, upgraded: true });
    await pkg.close();
    expect(openVaultSession(read(PKG_FILES.vault), PASSPHRASE).anchor?.seq).toBe(lines().length);
    write(PKG_FILES.register, `${lines().slice(0, -1).join('\n')}\n`);
    expect(await reopen()).toBe('PKG_REGISTER_ROLLED_BACK');
  });
});

describe('key ids are unpredictable', () => {
  it('group key ids are random 32-bit numbers, never issued twice, in free envelope slots', async () => {
    const pkg = await d.open();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await pkg.groupKey({ to: [VESSEL], hours: 1 })).keys.keys[0]!.keyId);
    await pkg.close();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 3)).not.toEqual([0, 1, 2]);
    expect(ids.some((id) => id > 0xffff)).toBe(true);
    // Four overlapping keys take the four envelope slots.
    expect(new Set(ids.slice(0, 4).map((id) => id % 4)).size).toBe(4);
  });

  it('an id already in the register is drawn again', async () => {
    let calls = 0;
    const env = testEnv('fixed ids');
    const first = await d.open();
    const taken = (await first.groupKey({ to: [VESSEL], hours: 1 })).keys.keys[0]!.keyId;
    await first.close();
    // A random source that repeats the taken id's bytes once, then gives fresh ones.
    const repeat = Uint8Array.of(taken >>> 24, (taken >>> 16) & 0xff, (taken >>> 8) & 0xff, taken & 0xff);
    // Two hours later the first key has expired, so every envelope slot is free and only the register stops a repeat.
    const pkg = await Pkg.open(d.dir, PASSPHRASE, {
      now: () => env.now() + 2 * 3600 * 1000,
      random: (n) => (n === 4 && calls++ === 0 ? repeat.slice() : env.random(n)),
    });
    const next = (await pkg.groupKey({ to: [VESSEL], hours: 1 })).keys.keys[0]!.keyId;
    await pkg.close();
    expect(calls).toBeGreaterThanOrEqual(2); // the repeated draw was refused and another made
    expect(next).not.toBe(taken);
  });
});

describe('a key is recorded only after its file is written', () => {
  const failing = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };

  it('extract, pseudonym, group-key and permit record nothing when the write fails', async () => {
    const pkg = await d.open();
    const ids = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
    const before = read(PKG_FILES.register);
    const device = deviceKeyFromSecret(new Uint8Array(32).fill(5)).publicKey;
    for (const attempt of [
      () => pkg.extract({ kind: 'mmsi', mmsi: OTHER, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729' }, EPOCH, 1, failing),
      () => pkg.pseudonym(VESSEL, EPOCH, 1, failing),
      () => pkg.groupKey({ to: [VESSEL], hours: 2 }, failing),
      () => pkg.permit(device, [ids], undefined, failing),
    ]) {
      await expect(attempt()).rejects.toThrow(/ENOSPC/);
      expect(read(PKG_FILES.register)).toBe(before);
    }
    expect(pkg.register.mrnBindings.size).toBe(0);
    expect(pkg.register.pseudonyms.size).toBe(0);
    await pkg.close();
  });

  it('the record follows a successful write, with what was written', async () => {
    const pkg = await d.open();
    const seen: string[] = [];
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH, 1, async (f) => {
      seen.push(`${f.identity.mmsi}:${pkg.register.entries.length}`);
    });
    expect(seen).toEqual([`${VESSEL}:1`]); // written while the register still had only the setup entry
    expect(pkg.register.entries.at(-1)?.type).toBe('extract');
    await pkg.close();
  });
});

describe('identities are checked at issue', () => {
  it('MMSI forms: 12345 and other unassigned forms are refused; coast, group, SAR and AtoN forms are issued', async () => {
    const pkg = await d.open();
    for (const bad of [12_345, 200_000_001, 823_700_001, 970_123_456]) {
      expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: bad }, EPOCH)), String(bad)).toBe('PKG_INPUT');
    }
    for (const good of [2_371_000, 23_700_001, 111_237_001, 992_371_001]) {
      expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: good }, EPOCH)), String(good)).toBe('OK');
    }
    expect(await codeOf(pkg.pseudonym(12_345, EPOCH))).toBe('PKG_INPUT');
    expect(await codeOf(pkg.groupKey({ to: [VESSEL, 12_345], hours: 1 }))).toBe('PKG_INPUT');
    expect(await codeOf(pkg.groupKey({ to: [VESSEL], hours: 1, issuerMmsi: 12_345 }))).toBe('PKG_INPUT');
    await pkg.close();
    expect(await codeOf(setupPkg({ dir: join(d.root, 'bad'), passphrase: PASSPHRASE, scryptLogN: MIN_SCRYPT_LOG_N, authorityMmsi: 12_345 }, testEnv('bad')))).toBe('PKG_INPUT');
  });

  it('IMO check digits: 9074728 is refused, 9074729 is bound', async () => {
    const pkg = await d.open();
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074728' }, EPOCH))).toBe('PKG_INPUT');
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729' }, EPOCH))).toBe('OK');
    await pkg.close();
  });

  it('MRN case variants cannot bind one vessel to a second MMSI', async () => {
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729' }, EPOCH);
    for (const variant of ['urn:mrn:mcp:vessel:gr:IMO:9074729', 'urn:mrn:mcp:vessel:GR:imo:9074729', 'URN:MRN:MCP:VESSEL:GR:IMO:9074729']) {
      expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: OTHER, mrn: variant }, EPOCH)), variant).toBe('PKG_INPUT');
      expect(pkg.boundMmsi(variant)).toBe(VESSEL);
    }
    expect(pkg.register.entries.filter((e) => e.type === 'bind-mrn')).toHaveLength(1);
    // An MRN that names an MMSI must name this one.
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: OTHER, mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001' }, EPOCH))).toBe('PKG_CONFLICT');
    await pkg.close();
  });

  it('a register that bound case variants to two MMSIs (before this check) reports the conflict and refuses both', async () => {
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729' }, EPOCH);
    await pkg.close();
    // Append, with the register key, the variant binding the old code accepted; then anchor it as the old code would not.
    const session = openVaultSession(read(PKG_FILES.vault), PASSPHRASE);
    const last = JSON.parse(lines().at(-1)!) as { seq: number; mac: string };
    const line = formatEntry(session.secrets.registerKey, last.seq + 1, 0, { type: 'bind-mrn', data: { mrn: 'urn:mrn:mcp:vessel:gr:IMO:9074729', mmsi: OTHER } }, last.mac);
    write(PKG_FILES.register, `${read(PKG_FILES.register)}${line}\n`);
    const again = await d.open();
    expect(again.register.mrnConflicts).toEqual([{ mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729', mmsis: [VESSEL, OTHER] }]);
    expect(again.boundMmsi('urn:mrn:mcp:vessel:gr:IMO:9074729')).toBe(VESSEL);
    expect(await codeOf(again.extract({ kind: 'mmsi', mmsi: OTHER, mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729' }, EPOCH))).toBe('PKG_CONFLICT');
    await again.close();
    session.wipe();
  });
});

