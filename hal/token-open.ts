/**
 * Opens the key token a configuration names (DESIGN.md §3: the appliance's permit lives on a card): a smart card in
 * a PC/SC reader (token-pcsc.ts) or a USB HID token (token-hid.ts), and waits for the card to be seen — a PC/SC
 * monitor reports a card already in the reader asynchronously, just after it starts.
 */
import { once } from 'node:events';
import { HidKeyToken } from './token-hid.js';
import { PcscKeyToken } from './token-pcsc.js';
import type { KeyToken } from './token.js';

export type TokenSpec =
  | { readonly kind: 'pcsc'; readonly reader?: string | undefined }
  | { readonly kind: 'hid'; readonly vendorId: number; readonly productId: number };

/** A reader name as pcsc_scan prints it, matched whole (a prefix would also match the reader's other slots). */
export function readerPattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Opens the token. Throws TokenError (TOKEN_IO: no PC/SC binding or node-hid; TOKEN_ABSENT: no such HID device). */
export async function openKeyToken(spec: TokenSpec): Promise<KeyToken> {
  if (spec.kind === 'hid') return HidKeyToken.open({ vendorId: spec.vendorId, productId: spec.productId });
  return PcscKeyToken.open(spec.reader === undefined ? {} : { reader: readerPattern(spec.reader) });
}

/** Resolves true once the token is present, false if `ms` pass first. */
export async function waitForToken(token: KeyToken, ms: number): Promise<boolean> {
  if (token.present) return true;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    await once(token as unknown as NodeJS.EventEmitter, 'inserted', { signal: ac.signal });
    return true;
  } catch {
    return token.present;
  } finally {
    clearTimeout(timer);
  }
}
