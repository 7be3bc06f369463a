/**
 * Key renewal with the authority and the vessel side as SEPARATE PROCESSES on loopback TLS (bench/secom/lifecycle.ts,
 * what `mibc-ais secom demo` shows): `mibc-ais secom serve-authority` on a PKG directory, `mibc-ais secom renew
 * --listen` with its own SECOM server, the appliance's daemon in this process on a simulated clock two minutes
 * before its only key expires. The next epoch's permit arrives by the authority's Upload, is installed (the vessel
 * side's SIGHUP reaches the daemon here, as `mibc-ais run` handles it), and signing continues across the epoch
 * boundary with every report verified at a receiver and none let through plain. Every wait is an event with a
 * generous deadline.
 */
import { describe, expect, it } from 'vitest';
import { runRenewalLifecycle, type LifecycleResult } from '../../bench/secom/lifecycle.js';

describe('key renewal through SECOM, authority and vessel side as separate processes', () => {
  it('uploads the next permit to the vessel\'s server, installs it, acknowledges opened, and signs on across the boundary', async () => {
    const trace: string[] = [];
    const result: LifecycleResult = await runRenewalLifecycle({
      cli: [process.execPath, '--import', 'tsx', 'cli/main.ts'],
      trace: (l) => trace.push(l),
      deadlineMs: 240_000,
    });
    const context = trace.join('\n');
    expect(result.keyExpiresSoonBefore, context).toBe(true);
    expect(result.vesselExit, context).toBe(0);
    expect(result.renewal, context).toMatchObject({ installed: true, sequence: 2 });
    expect(result.vesselSteps, context).toEqual(['access-request', 'decision', 'permit-upload-received', 'ack-delivered', 'handed-over', 'installed', 'ack-opened']);
    // The authority's register, as its process printed it: the upload's own entry races the delivered acknowledgement.
    expect(result.authority.filter((c) => c !== 'permit-upload:SENT'), context)
      .toEqual(['renewal:GRANTED', 'access-notification:SENT', 'acknowledgement:DELIVERED', 'acknowledgement:OPENED']);
    expect(result.authority, context).toContain('permit-upload:SENT');
    // From 60 s before the boundary to 90 s after it, every report verified: none plain, none refused.
    expect(result.acrossBoundary.map((r) => r.at), context).toEqual([-60, -30, 0, 30, 60, 90]);
    expect(result.acrossBoundary.map((r) => r.results), context).toEqual(Array(6).fill(['V']));
    expect(Object.values(result.bypassed).every((n) => n === 0), context).toBe(true);
    expect(result.authorityExit, context).toBe(0);
    expect(result.ok, context).toBe(true);
  }, 900_000);
});
