/** deploy/release-relay.sh on a fake sysfs tree: the relay line is computed from the bank's label and base. */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../deploy/release-relay.sh', import.meta.url));
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mibc-relay-'));
  for (const [chip, label, base] of [
    ['gpiochip512', 'pinctrl-bcm2711', '512'],
    ['gpiochip570', 'raspberrypi-exp-gpio', '570'],
  ] as const) {
    await mkdir(join(root, chip));
    await writeFile(join(root, chip, 'label'), `${label}\n`);
    await writeFile(join(root, chip, 'base'), `${base}\n`);
  }
  await writeFile(join(root, 'unexport'), '');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(bcm: string | undefined, config?: string): { status: number | null; stderr: string } {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    MIBC_SYSFS_GPIO: root,
    MIBC_CONFIG: config ?? join(root, 'no-config.json'),
    ...(bcm === undefined ? {} : { MIBC_RELAY_BCM: bcm }),
  };
  const result = spawnSync('sh', [script], { env, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

it('drives an exported relay line inactive and unexports it (base 512 + BCM 5 = 517)', async () => {
  await mkdir(join(root, 'gpio517'));
  await writeFile(join(root, 'gpio517', 'value'), '1\n');
  expect(run('5').status).toBe(0);
  expect((await readFile(join(root, 'gpio517', 'value'), 'utf8')).trim()).toBe('0');
  expect((await readFile(join(root, 'unexport'), 'utf8')).trim()).toBe('517');
});

it('does nothing when the line is not exported (the daemon released it at its stop)', async () => {
  expect(run('5').status).toBe(0);
  expect((await readFile(join(root, 'unexport'), 'utf8')).trim()).toBe('');
});

it('fails loudly when relay.env is missing or names no BCM line: non-zero exit and the reason on stderr', () => {
  const missing = run(undefined);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toMatch(/MIBC_RELAY_BCM is not set/);
  const garbage = run('five');
  expect(garbage.status).not.toBe(0);
  expect(garbage.stderr).toMatch(/not a BCM line number/);
});

it('fails loudly when relay.env names another pin than the config file, and still releases the configured relay', async () => {
  const config = join(root, 'config.json');
  await writeFile(config, JSON.stringify({ gpio: { bypassRelay: 6, leds: {} } }, null, 2));
  await mkdir(join(root, 'gpio518'));
  await writeFile(join(root, 'gpio518', 'value'), '1\n');
  const result = run('5', config);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/MIBC_RELAY_BCM=5 but .* gpio.bypassRelay 6/);
  expect((await readFile(join(root, 'gpio518', 'value'), 'utf8')).trim()).toBe('0');
  expect(run('6', config).status).toBe(0);
});
