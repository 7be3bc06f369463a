/**
 * Key material files of the appliance and the command-line filters: the system parameters, a vessel's identity keys
 * per epoch, and mode-5 group keys. JSON with hex strings, validated with zod so a corrupt or foreign file gives a
 * KeyFileError that names the bad field. On the appliance these arrive inside a key permit (firmware/permit/); the
 * PKG (`mibc-ais pkg extract`) writes the same shapes for bench and filter use.
 */
import { z } from 'zod';
export { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { DEFAULT_EPOCH_SECONDS } from './epoch.js';

export class KeyFileError extends Error {
  readonly code = 'KEY_FILE_INVALID' as const;
  constructor(what: string, message: string, options?: { cause?: unknown }) {
    super(`${what}: ${message}`, options);
    this.name = 'KeyFileError';
  }
}

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes as lower-case hex`);
const mmsi = z.number().int().min(0).max(999_999_999);
const second = z.number().int().min(0).max(2 ** 40);

export const ParamsFileSchema = z.object({
  format: z.literal('mibc-ais-params'),
  version: z.literal(1),
  params: hex(296),
  epochSeconds: z.number().int().min(3600).default(DEFAULT_EPOCH_SECONDS),
});

export const IdentityKeyFileSchema = z.object({
  format: z.literal('mibc-ais-identity-keys'),
  version: z.literal(1),
  identity: z.object({ kind: z.enum(['mmsi', 'pseudo-mmsi']), mmsi }),
  keys: z
    .array(z.object({ epoch: z.number().int().min(0).max(0xffff_ffff), signingKey: hex(48), decryptionKey: hex(96) }))
    .min(1),
});

export const GroupKeyFileSchema = z.object({
  format: z.literal('mibc-ais-group-keys'),
  version: z.literal(1),
  keys: z.array(
    z.object({ groupId: z.number().int().min(0).max(0xffff).optional(), keyId: z.number().int().min(0).max(0xffff_ffff), key: hex(16), notBefore: second, notAfter: second }),
  ),
});

/** The appliance's own X25519 device key (secret part), which key permits are wrapped to. Mode 0600. */
export const DeviceSecretFileSchema = z.object({
  format: z.literal('mibc-ais-device-secret'),
  version: z.literal(1),
  secretKey: hex(32),
});

/** The authority root's Ed25519 public key; the PKG's `authority.json` has this field (other fields are ignored). */
export const RootKeyFileSchema = z.object({ rootPublicKey: hex(32) });

export type ParamsFile = z.infer<typeof ParamsFileSchema>;
export type IdentityKeyFile = z.infer<typeof IdentityKeyFileSchema>;
export type GroupKeyFile = z.infer<typeof GroupKeyFileSchema>;

export function parseKeyFile<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new KeyFileError(what, 'not JSON', { cause });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KeyFileError(what, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { cause: r.error });
  }
  return r.data;
}
