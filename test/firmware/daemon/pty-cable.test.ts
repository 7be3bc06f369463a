/**
 * The PTY harness itself: a burst larger than the pseudo-terminal's buffer, written while the far end does not read
 * (as when the daemon is starved of CPU), arrives whole and in order once it reads. Partial writes and EAGAIN must
 * never cut or lose a line, or the daemon tests would count lines that were never sent.
 */
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { afterEach, describe, expect, it } from 'vitest';
import { PTY_TEST_TIMEOUT_MS, PtyCable, socatAvailable, until } from './_pty.js';

describe.skipIf(!socatAvailable)('PtyCable (pseudo-terminals)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('delivers a burst far larger than the pty buffer whole and in order to a reader that starts late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mibc-pty-cable-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const cable = new PtyCable(dir, 'ship');
    await cable.plugIn();
    cleanup.push(() => cable.pullOut());
    // 2000 lines of 82 bytes: about 40 times what a pty holds, so most of it must wait for the reader.
    const sent = Array.from({ length: 2000 }, (_, i) => `!AIVDO,1,1,,A,${String(i).padStart(61, '0')},0*00`);
    for (const line of sent) cable.send(line);

    const app = new ReadStream(openSync(cable.appPath, constants.O_RDWR | constants.O_NOCTTY));
    cleanup.push(() => void app.destroy());
    let text = '';
    app.on('data', (chunk: Buffer | string) => (text += typeof chunk === 'string' ? chunk : chunk.toString('latin1')));
    app.on('error', () => undefined);
    await until(() => text.split('\r\n').length > sent.length, 'every line at the far end');
    expect(text.split('\r\n').slice(0, -1)).toEqual(sent);
  }, PTY_TEST_TIMEOUT_MS);
});
