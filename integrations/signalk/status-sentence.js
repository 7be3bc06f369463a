/**
 * The fields of a `$PMIBV` status sentence (docs/display-output.md of mibc-ais):
 *
 *   $PMIBV,<result>,<mode>,<source MMSI>,<identity>,<message type>,<UTC second>,<reason>,<report digest>*hh
 *
 * Signal K's NMEA 0183 parser has checked the checksum and split the fields before a custom sentence parser runs;
 * this checks every field against the documented form, so that a malformed status is refused and counted instead
 * of reaching the data model.
 */
'use strict';

const RESULTS = new Set(['V', 'D', 'P', 'U', 'F', 'K']);

const FIELD_FORMS = [
  ['result', (t) => RESULTS.has(t)],
  ['mode', (t) => /^[0-5A]$/.test(t)],
  ['source', (t) => /^\d{9}$/.test(t)],
  ['identity', (t) => t === '' || /^\d{9}$/.test(t)],
  ['messageType', (t) => t === '' || (/^\d{1,2}$/.test(t) && Number(t) >= 1 && Number(t) <= 27)],
  ['second', (t) => t === '' || /^\d{1,15}$/.test(t)],
  ['reason', (t) => t === '' || /^[A-Z0-9_]{1,48}$/.test(t)],
  ['report', (t) => t === '' || /^[0-9A-F]{16}$/.test(t)],
];

/**
 * @param {readonly string[]} parts the fields after `$PMIBV`, checksum removed
 * @returns {{ ok: true, status: {
 *   result: string, mode: number | 'A', source: string, identity: string | null, messageType: number | null,
 *   second: number | null, reason: string | null, report: string | null } } | { ok: false, field: string }}
 */
function parseStatusFields(parts) {
  if (parts.length !== FIELD_FORMS.length) return { ok: false, field: 'count' };
  for (let i = 0; i < FIELD_FORMS.length; i++) {
    const [name, valid] = FIELD_FORMS[i];
    if (!valid(parts[i])) return { ok: false, field: name };
  }
  const [result, mode, source, identity, type, second, reason, report] = parts;
  return {
    ok: true,
    status: {
      result,
      mode: mode === 'A' ? 'A' : Number(mode),
      source,
      identity: identity === '' ? null : identity,
      messageType: type === '' ? null : Number(type),
      second: second === '' ? null : Number(second),
      reason: reason === '' ? null : reason,
      report: report === '' ? null : report,
    },
  };
}

module.exports = { parseStatusFields };
