/**
 * Usage mistakes: one line naming the option and its valid range, exit 1, never a stack trace; ranges in --help.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { showRanges } from '../../cli/args.js';
import { benchCommand } from '../../cli/bench.js';
import { decodeCommand } from '../../cli/decode.js';
import { deviceKeyCommand } from '../../cli/device.js';
import { rxCommand, txCommand } from '../../cli/filters.js';
import { pkgCommand } from '../../cli/pkg.js';
import { sampleCommand } from '../../cli/sample.js';
import { secomCommand } from '../../cli/secom.js';
import { REPO } from '../corpus.js';

const run = promisify(execFile);

async function failing(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run('npx', ['tsx', 'cli/main.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  } catch (e) {
    const { code, stderr } = e as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`mibc-ais ${args.join(' ')} succeeded`);
}

const CASES: [string[], RegExp][] = [
  [['bench', 'demo', '--ships', '5'], /--ships must be an integer 8\.\.400, got "5"/],
  [['bench', 'demo', '--loss', 'abc'], /--loss must be a probability 0 ≤ p < 1, got "abc"/],
  [['bench', 'link', '--ships', 'abc'], /--ships must be a comma-separated list of integers 10\.\.2000, got "abc"/],
  [['rx', '--params', 'p.json', '--now', 'yesterday'], /--now must be an ISO 8601 UTC time .* got "yesterday"/],
  [['tx', '--mode', '2', '--params', 'p.json', '--max-slots', '1e1'], /--max-slots must be an integer 1\.\.5, got "1e1"/],
];

describe('usage mistakes', () => {
  it.each(CASES)('mibc-ais %j is one line naming the option and its range', async (args, line) => {
    const { code, stderr } = await failing(...args);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(line);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--help shows the valid range of a numeric option', async () => {
    const { stdout } = await run('npx', ['tsx', 'cli/main.ts', 'bench', 'demo', '--help'], { cwd: REPO, encoding: 'utf8' });
    expect(stdout).toMatch(/--ships <n>\s+Class A ships.*\[8\.\.400\]/s);
    expect(stdout).toMatch(/--loss <p>.*\[0 ≤ p < 1\]/s);
  });

  it('every option that takes a value through a parser refuses garbage with InvalidArgumentError and shows a range', () => {
    const program = new Command()
      .addCommand(decodeCommand()).addCommand(txCommand()).addCommand(rxCommand()).addCommand(pkgCommand())
      .addCommand(deviceKeyCommand()).addCommand(benchCommand()).addCommand(sampleCommand()).addCommand(secomCommand());
    showRanges(program);
    const checked: string[] = [];
    const visit = (cmd: Command, path: string): void => {
      for (const option of cmd.options) {
        if (option.parseArg === undefined || option.argChoices !== undefined) continue;
        const name = `${path} ${option.long}`;
        if (/<(file|dir|files\.\.\.|regexp|urn|id|endpoint)>/.test(option.flags)) continue;
        for (const bad of ['abc', '-1', '1e9999', '']) {
          expect(() => option.parseArg!(bad, undefined), `${name} ${JSON.stringify(bad)}`).toThrow(InvalidArgumentError);
        }
        expect(option.description, name).toMatch(/\[[^\]]+\]$/);
        checked.push(name);
      }
      for (const sub of cmd.commands) visit(sub, `${path} ${sub.name()}`);
    };
    visit(program, 'mibc-ais');
    expect(checked).toEqual(expect.arrayContaining(['mibc-ais bench demo --ships', 'mibc-ais tx --mode', 'mibc-ais rx --now', 'mibc-ais pkg setup --epoch-days']));
  });
});
