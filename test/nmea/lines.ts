import { formatChecksum, xorChecksum } from '../../nmea/index.js';

/** `!body*hh` / `$body*hh` with a correct checksum, for hand-written test sentences. */
export const line = (start: '!' | '$', body: string): string => `${start}${body}*${formatChecksum(xorChecksum(body))}`;
