/** Shared by the key-token suites (smart card, HID): the applet's PINs and the code of a token operation's outcome. */
import { TokenApplet } from '../../hal/token-applet.js';
import { TokenError } from '../../hal/token.js';

export const USER = '1234';
export const ADMIN = '87654321';
const enc = new TextEncoder();

/** A blank applet with the two PINs above. */
export const applet = (): TokenApplet => new TokenApplet({ userPin: enc.encode(USER), adminPin: enc.encode(ADMIN) });

/** The TokenError code a token operation failed with, or 'OK'; anything else is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof TokenError) return e.code;
    throw e;
  }
}
