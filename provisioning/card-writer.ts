/**
 * The authority's card writer: puts a key-permit file on a token with the same applet APDUs the appliance
 * reads with (hal/token-session.ts) — SELECT, VERIFY admin PIN, ERASE/UPDATE BINARY — then reads it back.
 * Works over any transport: PC/SC (hal/token-pcsc.ts), HID, or the simulated card.
 */
import { TokenError, type Transmit } from '../hal/token.js';
import { TokenSession } from '../hal/token-session.js';

export async function writePermitToCard(transmit: Transmit, permit: Uint8Array, adminPin: string): Promise<void> {
  if (permit.length === 0) throw new RangeError('permit is empty');
  const session = new TokenSession(transmit);
  await session.select();
  await session.verify(adminPin, 'admin');
  await session.write(permit);
  // Read back through a fresh SELECT: the size in the FCI and every byte must match what was sent.
  const size = await session.select();
  await session.verify(adminPin, 'admin');
  const back = size === permit.length ? await session.read(size) : undefined;
  if (!back || !back.every((b, i) => b === permit[i])) {
    throw new TokenError('TOKEN_PROTOCOL', 'read-back of the written permit does not match');
  }
}
