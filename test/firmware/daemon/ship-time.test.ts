/** UTC from the ship port's GNSS sentences: ZDA and valid RMC only, and only when well-formed. */
import { describe, expect, it } from 'vitest';
import { shipUtcMs } from '../../../firmware/daemon/ship-time.js';
import { formatSentence } from '../../../nmea/index.js';

const zda = (...f: string[]) => formatSentence('$', 'GP', 'ZDA', f);
const rmc = (...f: string[]) => formatSentence('$', 'GN', 'RMC', f);

describe('shipUtcMs', () => {
  it('reads ZDA and RMC with status A', () => {
    expect(shipUtcMs(zda('120304.50', '24', '11', '2026', '00', '00'))).toBe(Date.UTC(2026, 10, 24, 12, 3, 4, 500));
    expect(shipUtcMs(rmc('120304.00', 'A', '3748.000', 'N', '02342.000', 'E', '10.0', '90.0', '241126', '', '', 'A'))).toBe(Date.UTC(2026, 10, 24, 12, 3, 4));
  });

  it('refuses RMC without a valid fix, simulator output, bad checksums, impossible dates and other sentences', () => {
    expect(shipUtcMs(rmc('120304.00', 'V', '', '', '', '', '', '', '241126', '', '', 'N'))).toBeUndefined();
    expect(shipUtcMs(rmc('120304.00', 'A', '3748.000', 'N', '02342.000', 'E', '10.0', '90.0', '241126', '', '', 'S'))).toBeUndefined();
    expect(shipUtcMs(zda('120304.50', '24', '11', '2026', '00', '00').replace(/\*..$/, '*00'))).toBeUndefined();
    expect(shipUtcMs(zda('120304', '31', '02', '2026', '00', '00'))).toBeUndefined();
    expect(shipUtcMs(zda('250304', '24', '11', '2026', '00', '00'))).toBeUndefined();
    expect(shipUtcMs(zda('', '', '', '', '', ''))).toBeUndefined();
    expect(shipUtcMs('!AIVDO,1,1,,,13R1E@PP1UPBCp0NDrh3Q2l:0000,0*01')).toBeUndefined();
    expect(shipUtcMs('garbage ZDA,')).toBeUndefined();
  });
});
