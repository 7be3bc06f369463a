/** The smallest valid daemon configuration, and the message of the CONFIG_INVALID error a bad one raises. */
import { expect } from 'vitest';
import { DaemonError } from '../../../firmware/daemon/index.js';

export const minimalConfig = {
  ports: { ship: { path: '/dev/ttyAMA0' }, radio: { path: '/dev/ttyAMA2' } },
  topology: 'attached',
  mode: 2,
  status: { port: 8099 },
};

export function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected a DaemonError');
}
