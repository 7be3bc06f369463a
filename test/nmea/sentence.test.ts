import { describe, expect, it } from 'vitest';
import {
  formatSentence,
  formatTagBlock,
  NmeaChecksumError,
  NmeaFramingError,
  NmeaTagBlockError,
  parseSentence,
  parseTagBlock,
  xorChecksum,
} from '../../nmea/index.js';

describe('IEC 61162-1 sentence framing', () => {
  it('parses a VDM sentence and verifies its checksum', () => {
    const s = parseSentence('!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n');
    expect(s).toMatchObject({ start: '!', talker: 'AI', formatter: 'VDM', checksum: 0x4a, overLength: false });
    expect(s.fields).toEqual(['1', '1', '', 'A', '15RTgt0PAso;90TKcjM8h6g208CQ', '0']);
  });

  it('rejects a wrong checksum with NmeaChecksumError carrying both values', () => {
    const e = (() => {
      try {
        parseSentence('!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(NmeaChecksumError);
    expect(e).toMatchObject({ code: 'NMEA_CHECKSUM', expected: 0x4a, actual: 0x4b });
  });

  it.each([
    ['no delimiter', 'AIVDM,1,1,,A,1,0*00'],
    ['no checksum', '!AIVDM,1,1,,A,15RTgt0PAso,0'],
    ['bad address', `!AIVD,1*${xorChecksum('AIVD,1').toString(16).toUpperCase()}`],
    ['non-printable', '!AIVDM,1,1,,A,1\u0001,0*00'],
  ])('rejects %s with NmeaFramingError', (_what, line) => {
    expect(() => parseSentence(line)).toThrow(NmeaFramingError);
  });

  it('accepts over-long sentences but reports them', () => {
    const payload = 'E03l90w4Q1h3h1:WdPOwwwwwwwwlQdn`:e55020@@@gP0000000000000000000000';
    const body = `AIVDM,1,1,,B,${payload},0`;
    const s = parseSentence(`!${body}*${xorChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`);
    expect(s.overLength).toBe(true);
  });

  it('keeps USCG fields after the checksum as an uninterpreted trailer', () => {
    const s = parseSentence('!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13,s23294,d-107,T40.72573599,x154177,r003669945,1241544035');
    expect(s.trailer).toBe(',s23294,d-107,T40.72573599,x154177,r003669945,1241544035');
    expect(s.raw).toBe('!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13');
  });

  it('formats sentences with a checksum and refuses more than 82 characters', () => {
    expect(formatSentence('!', 'AI', 'VDM', ['1', '1', '', 'A', '15RTgt0PAso;90TKcjM8h6g208CQ', '0'])).toBe(
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
    );
    expect(() => formatSentence('!', 'AI', 'VDM', ['1', '1', '', 'A', '0'.repeat(62), '0'])).toThrow(RangeError);
    expect(() => formatSentence('!', 'AI', 'VDM', ['a*b'])).toThrow(RangeError);
  });
});

describe('IEC 61162-450 TAG blocks', () => {
  const line = '\\g:1-2-73874,n:157036,s:r003669945,c:1241544035*4A\\!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13';

  it('parses the TAG block in front of a sentence and passes it through', () => {
    const s = parseSentence(line);
    expect(s.tagBlock).toMatchObject({ source: 'r003669945', time: 1241544035, group: { index: 1, count: 2, id: 73874 } });
    expect(s.tagBlock?.raw).toBe('\\g:1-2-73874,n:157036,s:r003669945,c:1241544035*4A\\');
    expect(s.formatter).toBe('VDM');
  });

  it('rejects a TAG block with a wrong checksum', () => {
    expect(() => parseSentence(line.replace('*4A\\', '*4B\\'))).toThrow(NmeaTagBlockError);
    expect(() => parseTagBlock('\\s:abc')).toThrow(NmeaTagBlockError);
  });

  it('round-trips formatTagBlock through parseTagBlock', () => {
    const raw = formatTagBlock([
      ['s', 'GR0001'],
      ['c', '1700000000'],
    ]);
    const { tagBlock, end } = parseTagBlock(`${raw}!AIVDM`);
    expect(end).toBe(raw.length);
    expect(tagBlock.params).toEqual([
      ['s', 'GR0001'],
      ['c', '1700000000'],
    ]);
  });
});
