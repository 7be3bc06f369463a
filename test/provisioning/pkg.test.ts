import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDecryptionKey, checkSigningKey, identityBytes } from '../../crypto/index.js';
import { hexToBytes, IdentityKeyFileSchema, ParamsFileSchema, parseKeyFile } from '../../firmware/keyfile.js';
import { GroupKeyRing, OwnIdentity, loadSystemParams } from '../../firmware/keyring.js';
import { EMPTY_KEY_SET, deviceKeyFromSecret, installPermit } from '../../firmware/permit/index.js';
import { keysFromPermit } from '../../firmware/permit-keys.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import {
  MIN_SCRYPT_LOG_N, PKG_FILES, PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN, Pkg, drawPseudoMmsi, isPseudoMmsi, setupPkg,
} from '../../provisioning/pkg/index.js';
import { openMapping } from '../../provisioning/pkg/register.js';
import { openVault } from '../../provisioning/pkg/vault.js';
import { NOW_MS } from '../firmware/_pkg.js';
import { AUTHORITY_MMSI, PASSPHRASE, codeOf, makePkgDir, testEnv, type PkgDir } from './_pkg-dir.js';

const VESSEL = 237_000_001;
const EPOCH = 692; // epochOf(NOW_MS / 1000, 30 days)

let d: PkgDir;
beforeEach(async () => {
  d = await makePkgDir();
});
afterEach(() => d.remove());

const read = (name: string) => readFileSync(join(d.dir, name), 'utf8');
const write = (name: string, text: string) => writeFileSync(join(d.dir, name), text);

describe('pkg setup', () => {
  it('writes params, authority, vault and register, all 0600, params in the mibc-ais-params format', () => {
    for (const f of [PKG_FILES.params, PKG_FILES.authority, PKG_FILES.vault, PKG_FILES.register]) {
      expect(statSync(join(d.dir, f)).mode & 0o777, f).toBe(0o600);
    }
    const params = parseKeyFile(ParamsFileSchema, read(PKG_FILES.params), 'params');
    expect(params.epochSeconds).toBe(30 * 86_400);
    expect(() => loadSystemParams(params)).not.toThrow();
    expect(existsSync(join(d.dir, PKG_FILES.lock))).toBe(false);
  });

  it('stores the master secret only encrypted', async () => {
    const { masterSecret } = openVault(read(PKG_FILES.vault), PASSPHRASE);
    const scalar = Buffer.from(masterSecret.subarray(masterSecret.length - 32));
    for (const f of [PKG_FILES.params, PKG_FILES.authority, PKG_FILES.vault, PKG_FILES.register]) {
      const bytes = readFileSync(join(d.dir, f));
      expect(bytes.includes(scalar), f).toBe(false);
      expect(bytes.toString('utf8').includes(scalar.toString('hex')), f).toBe(false);
    }
  });

  it('never overwrites an existing PKG', async () => {
    expect(await codeOf(setupPkg({ dir: d.dir, passphrase: PASSPHRASE, scryptLogN: MIN_SCRYPT_LOG_N }, testEnv('other')))).toBe('PKG_ALREADY_INITIALISED');
  });

  it('refuses a short passphrase', async () => {
    expect(await codeOf(setupPkg({ dir: join(d.root, 'short'), passphrase: 'tooshort', scryptLogN: MIN_SCRYPT_LOG_N }, testEnv('x')))).toBe('PKG_PASSPHRASE_MISSING');
  });
});

describe('pkg vault', () => {
  it('wrong passphrase → PKG_PASSPHRASE_WRONG, and the lock is released', async () => {
    expect(await codeOf(Pkg.open(d.dir, 'not the passphrase at all', d.env))).toBe('PKG_PASSPHRASE_WRONG');
    expect(existsSync(join(d.dir, PKG_FILES.lock))).toBe(false);
    await (await d.open()).close();
  });

  it('corrupt ciphertext → PKG_VAULT_CORRUPT (the passphrase check still passes)', async () => {
    const v = JSON.parse(read(PKG_FILES.vault)) as { ciphertext: string };
    v.ciphertext = (v.ciphertext[0] === '0' ? '1' : '0') + v.ciphertext.slice(1);
    write(PKG_FILES.vault, JSON.stringify(v));
    expect(await codeOf(d.open())).toBe('PKG_VAULT_CORRUPT');
  });

  it('weakened KDF parameters, truncated or non-JSON vault → PKG_VAULT_CORRUPT or PKG_PASSPHRASE_WRONG, never opened', async () => {
    const original = read(PKG_FILES.vault);
    const v = JSON.parse(original) as { kdf: { logN: number } };
    v.kdf.logN = 15; // the check value then differs: scrypt output depends on N
    write(PKG_FILES.vault, JSON.stringify(v));
    expect(await codeOf(d.open())).toBe('PKG_PASSPHRASE_WRONG');
    write(PKG_FILES.vault, original.slice(0, 100));
    expect(await codeOf(d.open())).toBe('PKG_VAULT_CORRUPT');
    write(PKG_FILES.vault, '\x00\x01garbage');
    expect(await codeOf(d.open())).toBe('PKG_VAULT_CORRUPT');
  });

  it('a vault from another PKG does not open this one', async () => {
    const other = await makePkgDir('another pkg');
    write(PKG_FILES.vault, readFileSync(join(other.dir, PKG_FILES.vault), 'utf8'));
    other.remove();
    expect(await codeOf(d.open())).toBe('PKG_VAULT_CORRUPT');
  });

  it('a missing directory → PKG_NOT_INITIALISED; a second opener → PKG_CONFLICT', async () => {
    expect(await codeOf(Pkg.open(join(d.root, 'nothing'), PASSPHRASE, d.env))).toBe('PKG_NOT_INITIALISED');
    const first = await d.open();
    expect(await codeOf(d.open())).toBe('PKG_CONFLICT');
    await first.close();
  });
});

describe('pkg extract', () => {
  it('writes an mibc-ais-identity-keys file whose keys belong to the parameters, and registers it', async () => {
    const pkg = await d.open();
    const file = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH, 2);
    expect(IdentityKeyFileSchema.parse(file)).toEqual(file);
    expect(file.keys.map((k) => k.epoch)).toEqual([EPOCH, EPOCH + 1]);
    for (const k of file.keys) {
      const id = identityBytes({ kind: 'mmsi', mmsi: VESSEL, epoch: k.epoch });
      expect(checkSigningKey(pkg.pp, id, hexToBytes(k.signingKey))).toBe(true);
      expect(checkDecryptionKey(pkg.pp, id, hexToBytes(k.decryptionKey))).toBe(true);
    }
    expect(pkg.register.entries.at(-1)).toMatchObject({ type: 'extract', data: { identity: 'mmsi:237000001', epochs: [EPOCH, EPOCH + 1] } });
    await pkg.close();
  });

  it('binds an MRN to its MMSI once and refuses to bind it to another', async () => {
    const pkg = await d.open();
    const mrn = 'urn:mrn:mcp:vessel:gr:imo:9074729';
    const file = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn }, EPOCH);
    expect(file.identity).toEqual({ kind: 'mmsi', mmsi: VESSEL });
    expect(pkg.register.mrnBindings.get(mrn)).toBe(VESSEL);
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn }, EPOCH + 1);
    expect(pkg.register.entries.filter((e) => e.type === 'bind-mrn')).toHaveLength(1);
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: 244_000_001, mrn }, EPOCH))).toBe('PKG_CONFLICT');
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:vessel:GR:imo:9074729' }, EPOCH))).toBe('PKG_INPUT');
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: VESSEL, mrn: 'urn:mrn:mcp:user:gr:alice' }, EPOCH))).toBe('PKG_INPUT');
    await pkg.close();
  });

  it('refuses pseudonym-block numbers as MMSIs and unissued pseudonyms', async () => {
    const pkg = await d.open();
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: PSEUDO_MMSI_MIN + 5 }, EPOCH))).toBe('PKG_CONFLICT');
    expect(await codeOf(pkg.extract({ kind: 'pseudo-mmsi', mmsi: PSEUDO_MMSI_MIN + 5 }, EPOCH))).toBe('PKG_CONFLICT');
    expect(await codeOf(pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH, 13))).toBe('PKG_INPUT');
    await pkg.close();
  });
});

describe('pkg pseudonym', () => {
  it('issues a pseudo-MMSI from the block, keeps the mapping sealed, and extracts its keys', async () => {
    const pkg = await d.open();
    const { pseudo, keys } = await pkg.pseudonym(VESSEL, EPOCH);
    expect(isPseudoMmsi(pseudo)).toBe(true);
    expect(keys.identity).toEqual({ kind: 'pseudo-mmsi', mmsi: pseudo });
    expect(pkg.lookupPseudonym(pseudo)).toBe(VESSEL);
    // The register line of the pseudonym does not name the vessel.
    const line = read(PKG_FILES.register).split('\n').find((l) => l.includes('"type":"pseudonym"'));
    expect(line).toBeDefined();
    expect(line).not.toContain(String(VESSEL));
    // Further keys for the issued pseudonym come from `extract --pseudo`.
    await expect(pkg.extract({ kind: 'pseudo-mmsi', mmsi: pseudo }, EPOCH + 1)).resolves.toMatchObject({ identity: { mmsi: pseudo } });
    const second = await pkg.pseudonym(VESSEL, EPOCH);
    expect(second.pseudo).not.toBe(pseudo);
    await pkg.close();
  });

  it('the block 100000000..109999999 matches no ITU-R M.585 MMSI form', () => {
    fc.assert(
      fc.property(fc.integer({ min: PSEUDO_MMSI_MIN, max: PSEUDO_MMSI_MAX }), (n) => {
        const s = String(n).padStart(9, '0');
        // Ships: MID 2-7; group/coast: 0; handheld: 8; SART/MOB/EPIRB/AtoN/craft: 9; SAR aircraft: 111MID.
        expect(s[0]).toBe('1');
        expect(s.startsWith('111')).toBe(false);
      }),
    );
    expect(isPseudoMmsi(99_999_999)).toBe(false);
    expect(isPseudoMmsi(110_000_000)).toBe(false);
    expect(isPseudoMmsi(111_237_001)).toBe(false);
  });

  it('draws uniformly inside the block, avoids used numbers, and says when it finds none', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4 * 64, maxLength: 4 * 64 }), (bytes) => {
        let off = 0;
        const random = (n: number) => bytes.slice(off, (off += n));
        try {
          const n = drawPseudoMmsi(new Set([PSEUDO_MMSI_MIN]), random);
          expect(isPseudoMmsi(n) && n !== PSEUDO_MMSI_MIN).toBe(true);
        } catch (e) {
          expect((e as { code?: string }).code).toBe('PKG_PSEUDONYM_EXHAUSTED');
        }
      }),
    );
    // A source that always yields the same (used) number exhausts.
    expect(() => drawPseudoMmsi(new Set([PSEUDO_MMSI_MIN]), (n) => new Uint8Array(n))).toThrow(/PKG_PSEUDONYM_EXHAUSTED/);
  });
});

describe('pkg register: tamper evidence', () => {
  async function populated(): Promise<string[]> {
    const pkg = await d.open();
    await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
    await pkg.pseudonym(VESSEL, EPOCH);
    await pkg.extract({ kind: 'mmsi', mmsi: 244_000_001 }, EPOCH);
    await pkg.close();
    return read(PKG_FILES.register).trimEnd().split('\n');
  }
  const reopen = () => codeOf(d.open().then((p) => p.close()));

  it('an untouched register opens', async () => {
    expect(await populated()).toHaveLength(5);
    expect(await reopen()).toBe('OK');
  });

  it.each([
    ['an edited field', (l: string[]) => l.map((x, i) => (i === 1 ? x.replace('237000001', '237000002') : x))],
    ['a deleted entry', (l: string[]) => l.filter((_, i) => i !== 2)],
    ['two swapped entries', (l: string[]) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]],
    ['a duplicated entry', (l: string[]) => [...l, l.at(-1)!]],
    ['a forged entry with a made-up tag', (l: string[]) => [...l, l.at(-1)!.replace(/"seq":\d+/, `"seq":${l.length + 1}`)]],
    ['a removed first entry', (l: string[]) => l.slice(1)],
  ])('%s → PKG_REGISTER_TAMPERED', async (_name, edit) => {
    write(PKG_FILES.register, `${edit(await populated()).join('\n')}\n`);
    expect(await reopen()).toBe('PKG_REGISTER_TAMPERED');
  });

  it('a torn last line → PKG_REGISTER_TAMPERED', async () => {
    const lines = await populated();
    write(PKG_FILES.register, `${lines.join('\n')}\n${lines[1]!.slice(0, 40)}`);
    expect(await reopen()).toBe('PKG_REGISTER_TAMPERED');
  });

  it('a sealed pseudonym mapping moved to another pseudonym does not open', async () => {
    const pkg = await d.open();
    const a = await pkg.pseudonym(VESSEL, EPOCH);
    await pkg.close();
    // Re-tagging needs the register key, so simulate an insider with it: the AEAD still binds mapping to pseudonym.
    const key = openVault(read(PKG_FILES.vault), PASSPHRASE).registerKey;
    const sealed = read(PKG_FILES.register).split('\n').map((l) => /"sealed":"([0-9a-f]+)"/.exec(l)?.[1]).find((s) => s !== undefined)!;
    expect(openMapping(key, a.pseudo, sealed)).toBe(VESSEL);
    expect(() => openMapping(key, a.pseudo + 1, sealed)).toThrow(/PKG_REGISTER_TAMPERED/);
  });
});

describe('pkg group-key', () => {
  it('hands a new key to each vessel in signed mode-4 VDM that the vessel installs', async () => {
    const pkg = await d.open();
    const vesselKeys = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
    const r = await pkg.groupKey({ to: [VESSEL, 244_000_001], hours: 4 });
    const second = await pkg.groupKey({ to: [VESSEL], hours: 4 });
    expect(r.keys.keys[0]).toMatchObject({ notBefore: NOW_MS / 1000, notAfter: NOW_MS / 1000 + 4 * 3600 });
    const firstId = r.keys.keys[0]!.keyId;
    const secondId = second.keys.keys[0]!.keyId;
    // Random ids, not a count from 0; overlapping keys in different envelope slots (id mod 4).
    expect(secondId).not.toBe(firstId);
    expect([firstId, secondId]).not.toEqual([0, 1]);
    expect(secondId % 4).not.toBe(firstId % 4);
    const identity = OwnIdentity.fromFile(pkg.params, vesselKeys);
    const installed: number[] = [];
    const rx = new SecureRx({}, { params: pkg.params, identity, groupKeys: new GroupKeyRing(r.policy) });
    rx.onGroupKey = (k, from) => {
      installed.push(k.keyId, from);
      expect(Buffer.from(k.key).toString('hex')).toBe(r.keys.keys[0]?.key);
    };
    const out = r.lines.flatMap((l) => rx.push(l, NOW_MS + 500));
    const statuses = out.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l));
    // One hand-out is for this vessel; the other is addressed elsewhere and not shown as content.
    expect(statuses.filter((s) => s?.result === 'K')).toHaveLength(1);
    expect(installed).toEqual([firstId, AUTHORITY_MMSI]);
    expect(await codeOf(pkg.groupKey({ to: [VESSEL], hours: 0 }))).toBe('PKG_INPUT');
    await pkg.close();
  });

  it('binds each hand-out to its group, issuer and recipient, and writes the policy that authorises the issuer', async () => {
    const pkg = await d.open();
    const identity = OwnIdentity.fromFile(pkg.params, await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH));
    const r = await pkg.groupKey({ group: 7, to: [VESSEL], hours: 4, policyDays: 10 });
    expect(r.keys.keys[0]?.groupId).toBe(7);
    const s = NOW_MS / 1000;
    expect(r.policy.groups).toEqual([
      { groupId: 7, member: true, notBefore: s, notAfter: s + 10 * 86_400, issuers: [{ mmsi: AUTHORITY_MMSI, notBefore: s, notAfter: s + 10 * 86_400 }] },
    ]);
    const reasons = (ring: GroupKeyRing) => {
      const rx = new SecureRx({}, { params: pkg.params, identity, groupKeys: ring });
      return r.lines.flatMap((l) => rx.push(l, NOW_MS + 500)).map((l) => parseStatus(l)).map((x) => x?.reason ?? x?.result);
    };
    // Default deny: a vessel without the policy installs nothing; with it, the key of group 7.
    expect(reasons(new GroupKeyRing())).toEqual(['NOT_A_MEMBER']);
    const ring = new GroupKeyRing(r.policy);
    const keyId = r.keys.keys[0]!.keyId;
    expect(reasons(ring)).toEqual([`KEY_${keyId}`]);
    expect(ring.forSending(s + 1)).toMatchObject({ groupId: 7, keyId });
    // A policy for another group does not let this one in.
    expect(reasons(new GroupKeyRing({ groups: r.policy.groups.map((g) => ({ ...g, groupId: 8 })) }))).toEqual(['NOT_A_MEMBER']);
    expect(await codeOf(pkg.groupKey({ group: 70_000, to: [VESSEL], hours: 1 }))).toBe('PKG_INPUT');
    await pkg.close();
  });
});

describe('pkg permit', () => {
  it('packs identity (current + next epoch) and group keys for one device; sequences increase per device', async () => {
    const pkg = await d.open();
    const device = deviceKeyFromSecret(new Uint8Array(32).fill(9));
    const ids = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH, 2);
    const group = (await pkg.groupKey({ to: [VESSEL], hours: 6 })).keys;
    const p1 = await pkg.permit(device.publicKey, [ids, group]);
    const p2 = await pkg.permit(device.publicKey, [ids]);
    const rootPublicKey = hexToBytes(pkg.authority.rootPublicKey);
    const r1 = installPermit(p1, EMPTY_KEY_SET, { device, rootPublicKey, now: NOW_MS / 1000 });
    if (!r1.ok) throw r1.error;
    const r2 = installPermit(p2, r1.keys, { device, rootPublicKey, now: NOW_MS / 1000 });
    if (!r2.ok) throw r2.error;
    expect(r2.keys.sequences).toEqual({ 'PKG-1': 2 });
    const keys = keysFromPermit(pkg.params, r2.keys);
    expect(keys.identity?.epochs).toEqual([EPOCH, EPOCH + 1]);
    expect(keys.groupKeys.forSending(NOW_MS / 1000)?.keyId).toBe(group.keys[0]?.keyId);
    // Another device cannot install it.
    const other = deviceKeyFromSecret(new Uint8Array(32).fill(8));
    const r3 = installPermit(p1, EMPTY_KEY_SET, { device: other, rootPublicKey, now: NOW_MS / 1000 });
    expect(r3.ok ? 'OK' : r3.error.code).toBe('PERMIT_NOT_FOR_DEVICE');
    await pkg.close();
  });

  it('refuses keys of another PKG, three epochs in one record, and bad device keys', async () => {
    const pkg = await d.open();
    const ids = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH, 3);
    const device = x25519.getPublicKey(new Uint8Array(32).fill(7));
    expect(await codeOf(pkg.permit(device, [ids]))).toBe('PKG_INPUT');
    const other = await makePkgDir('foreign pkg');
    const op = await other.open();
    const foreignFile = await op.extract({ kind: 'mmsi', mmsi: VESSEL }, EPOCH);
    await op.close();
    other.remove();
    expect(await codeOf(pkg.permit(device, [foreignFile]))).toBe('PKG_INPUT');
    expect(await codeOf(pkg.permit(new Uint8Array(31), [foreignFile]))).toBe('PKG_INPUT');
    await pkg.close();
  });
});
