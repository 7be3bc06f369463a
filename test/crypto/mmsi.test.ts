import { describe, expect, it } from 'vitest';
import { mmsiForm, mmsiRefusal, PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN, type MmsiForm } from '../../crypto/index.js';

// ITU-R M.585 forms (reference s63-secom-mrn.md §3.5) and the PKG's pseudonym block: [MMSI, form or undefined, why].
const TABLE: Array<[number, MmsiForm | undefined, string]> = [
  [237_000_001, 'ship', 'ship station, MID 237 (Greece)'],
  [219_000_123, 'ship', 'ship station, MID 219 (Denmark)'],
  [201_000_000, 'ship', 'lowest MID'],
  [775_999_999, 'ship', 'highest MID'],
  [200_000_001, undefined, 'MID 200 is below 201'],
  [776_000_001, undefined, 'MID 776 is above 775'],
  [23_700_001, 'group', 'group ship station 0MIDxxxxx (023700001)'],
  [2_371_000, 'coast', 'coast station 00MIDxxxx (002371000)'],
  [2_001_000, undefined, 'coast station with MID 200'],
  [111_237_001, 'sar-aircraft', 'SAR aircraft 111MIDxxx'],
  [111_100_001, undefined, 'SAR aircraft with MID 100'],
  [992_371_001, 'aton', 'AIS AtoN 99MIDxxxx'],
  [PSEUDO_MMSI_MIN, 'pseudonym', 'first number of the pseudonym block'],
  [PSEUDO_MMSI_MAX, 'pseudonym', 'last number of the pseudonym block'],
  [12_345, undefined, 'five digits: 000012345 has no MID'],
  [0, undefined, 'zero'],
  [823_700_001, undefined, 'handheld 8MIDxxxxx: not issued'],
  [970_123_456, undefined, 'SART 970xxyyyy: not issued'],
  [972_000_001, undefined, 'MOB 972: not issued'],
  [974_000_001, undefined, 'EPIRB-AIS 974: not issued'],
  [982_370_001, undefined, 'craft of a parent ship 98MIDxxxx: not issued'],
  [110_000_000, undefined, 'just above the pseudonym block, not 111'],
  [1_000_000_000, undefined, 'ten digits'],
  [237_000_001.5, undefined, 'not an integer'],
  [-1, undefined, 'negative'],
];

describe('MMSI forms (crypto/mmsi.ts)', () => {
  it.each(TABLE)('%i → %s (%s)', (n, form) => {
    expect(mmsiForm(n)).toBe(form);
  });

  it('refusals name the number and the forms', () => {
    expect(mmsiRefusal(12_345, ['ship'])).toMatch(/^000012345 is not an MMSI this authority issues/);
    expect(mmsiRefusal(PSEUDO_MMSI_MIN, ['ship', 'coast'])).toBe('100000000 is a pseudonym MMSI; expected ship or coast');
    expect(mmsiRefusal(237_000_001, ['ship'])).toBeUndefined();
  });
});
