/**
 * The payload of a "reports in" upload: security events an appliance or VTS station recorded (rejections by reason
 * code, spoofing and clock alarms), as JSON. Bounded in count and field sizes; unknown keys are refused.
 */
import { z } from 'zod';

export const SECURITY_REPORT_FORMAT = 'mibc-ais-security-report';

export const securityReportSchema = z.strictObject({
  format: z.literal(SECURITY_REPORT_FORMAT),
  version: z.literal(1),
  /** The reporting station: its MMSI (appliance) or station id (VTS). */
  station: z.string().min(1).max(64),
  /** UTC seconds of the first and last event. */
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  events: z
    .array(
      z.strictObject({
        at: z.number().int().nonnegative(),
        /** A stable reason or alarm code (e.g. BAD_SIGNATURE, REPLAY, CLOCK_DISAGREES). */
        code: z.string().regex(/^[A-Z][A-Z0-9_]{1,39}$/),
        /** The MMSI the event is about, if any. */
        source: z.number().int().min(0).max(999_999_999).optional(),
        count: z.number().int().positive().max(1_000_000).default(1),
        detail: z.string().max(200).optional(),
      }),
    )
    .max(5_000),
});

export type SecurityReport = z.output<typeof securityReportSchema>;
