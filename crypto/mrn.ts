/**
 * Maritime Resource Names: a hand-written recursive-descent parser for the ABNF of MCP IDsec 2 §1 (MRN and
 * MCP-MRN productions), with pchar/pct-encoded from RFC 3986 §3.3/§2.1 and rq-/f-components from RFC 8141 §2,
 * plus RFC 8141 §3.1 canonicalisation and the vessel-number checks (MMSI, IMO) used in identity profiles.
 *
 * Deliberate choices (s63-secom-mrn.md §3.2–3.6):
 *  - ABNF literals are case-insensitive (RFC 5234 §2.3), so "URN:MRN:MCP:VESSEL:…" is valid.
 *  - Lengths follow the ABNF, not the public regexes: OID and IPID 2–22 characters, OSNID 2–34 (IdentityRegistry's
 *    regex caps OSNID at 22), MCP types include mir/mms/msr (the seed's list).
 *  - An MCP MRN has no r-, q- or f-components (the MCP-MRN production has none).
 *  - Canonical form: "urn:mrn:" lower-cased; by project policy OID and OSNID (and for MCP MRNs the IPID, which
 *    MCP treats case-insensitively) lower-cased; pct-encoding hex upper-cased and never decoded; r/q/f dropped
 *    (RFC 8141 ignores them for equivalence, so they must never carry key material such as an epoch).
 */
import { MrnError } from './errors.js';

export const MCP_TYPES = ['device', 'org', 'user', 'vessel', 'service', 'mir', 'mms', 'msr'] as const;
export type McpType = (typeof MCP_TYPES)[number];

/** A parsed MRN, components as written (use `canonicalMrn` for comparison and hashing). */
export interface Mrn {
  readonly oid: string;
  readonly osnid: string;
  readonly osns: string;
  readonly rComponent?: string;
  readonly qComponent?: string;
  readonly fComponent?: string;
}

export interface McpMrn {
  readonly type: McpType;
  readonly ipid: string;
  readonly ipss: string;
}

/** Longest MRN accepted (RFC 8141 sets none; identities feed the pairing hash and the AIS budget). */
export const MRN_MAX_LENGTH = 256;

const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlnum = (c: number) => isAlpha(c) || isDigit(c);
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
// unreserved "-" "." "_" "~", sub-delims "!$&'()*+,;=", and ":" "@" (RFC 3986 §3.3 pchar, minus pct-encoded)
const PCHAR_PUNCT = new Set([..."-._~!$&'()*+,;=:@"].map((c) => c.charCodeAt(0)));

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(k = 0): number {
    return this.pos + k < this.s.length ? this.s.charCodeAt(this.pos + k) : -1;
  }
  fail(msg: string, code: 'MRN_SYNTAX' | 'MRN_NOT_MCP' = 'MRN_SYNTAX'): never {
    throw new MrnError(code, `${msg} at offset ${this.pos}`, this.pos);
  }
  /** Case-insensitive ABNF literal. */
  literal(lit: string): void {
    if (this.s.slice(this.pos, this.pos + lit.length).toLowerCase() !== lit) this.fail(`expected "${lit}"`);
    this.pos += lit.length;
  }
  /** pchar: one character or one pct-encoded triplet; returns false (consuming nothing) if none is here. */
  pchar(): boolean {
    const c = this.peek();
    if (c === 0x25) {
      if (!isHex(this.peek(1)) || !isHex(this.peek(2))) this.fail('"%" not followed by two hex digits');
      this.pos += 3;
      return true;
    }
    if (c >= 0 && (isAlnum(c) || PCHAR_PUNCT.has(c))) {
      this.pos += 1;
      return true;
    }
    return false;
  }
  /** (alphanum) min-2..max-2 (alphanum / "-") (alphanum): the OID/OSNID/IPID shape. */
  idToken(what: string, min: number, max: number): string {
    const start = this.pos;
    while (isAlnum(this.peek()) || this.peek() === 0x2d) this.pos++;
    const tok = this.s.slice(start, this.pos);
    if (tok.length < min || tok.length > max) this.fail(`${what} must be ${min}–${max} characters`);
    if (!isAlnum(tok.charCodeAt(0)) || !isAlnum(tok.charCodeAt(tok.length - 1)))
      this.fail(`${what} must start and end with a letter or digit`);
    return tok;
  }
  /** pchar *(pchar / "/" [/ "?"]) up to a terminator; `allowQuery` admits "?" except before "=" (RFC 8141 §2). */
  nss(what: string, allowQuery: boolean, minOne: boolean): string {
    const start = this.pos;
    if (minOne && !this.pchar()) this.fail(`${what} must start with a pchar`);
    for (;;) {
      if (this.pchar()) continue;
      const c = this.peek();
      if (c === 0x2f) {
        this.pos++;
        continue;
      }
      if (allowQuery && c === 0x3f && this.peek(1) !== 0x3d) {
        this.pos++;
        continue;
      }
      break;
    }
    return this.s.slice(start, this.pos);
  }
}

function parse(s: string): Mrn {
  if (typeof s !== 'string') throw new TypeError('MRN: expected a string');
  const c = new Cursor(s);
  if (s.length > MRN_MAX_LENGTH) c.fail(`longer than ${MRN_MAX_LENGTH} characters`);
  c.literal('urn:mrn:');
  const oid = c.idToken('OID', 2, 22);
  c.literal(':');
  const osnid = c.idToken('OSNID', 2, 34);
  c.literal(':');
  const osns = c.nss('OSNS', false, true);
  const out: { -readonly [K in keyof Mrn]: Mrn[K] } = { oid, osnid, osns };
  if (c.peek() === 0x3f && c.peek(1) === 0x2b) {
    c.pos += 2;
    out.rComponent = c.nss('r-component', true, true);
  }
  if (c.peek() === 0x3f && c.peek(1) === 0x3d) {
    c.pos += 2;
    out.qComponent = c.nss('q-component', true, true);
  }
  if (c.peek() === 0x23) {
    c.pos += 1;
    out.fComponent = c.nss('f-component', true, false);
  }
  if (!c.done) c.fail(`unexpected character ${JSON.stringify(s[c.pos])}`);
  return out;
}

/** Parses any MRN (`urn:mrn:<OID>:<OSNID>:<OSNS>[?+r][?=q][#f]`); throws MrnError code MRN_SYNTAX. */
export function parseMrn(s: string): Mrn {
  return parse(s);
}

/** Parses an MCP MRN (`urn:mrn:mcp:<type>:<ipid>:<ipss>`); MRN_SYNTAX if not an MRN, MRN_NOT_MCP otherwise. */
export function parseMcpMrn(s: string): McpMrn {
  const m = parse(s);
  const notMcp = (msg: string): never => {
    throw new MrnError('MRN_NOT_MCP', `not an MCP MRN: ${msg}`);
  };
  if (m.oid.toLowerCase() !== 'mcp') notMcp('OID is not "mcp"');
  if (m.rComponent !== undefined || m.qComponent !== undefined || m.fComponent !== undefined)
    notMcp('MCP MRNs carry no r-, q- or f-component');
  const type = m.osnid.toLowerCase();
  if (!(MCP_TYPES as readonly string[]).includes(type)) notMcp(`unknown MCP type "${m.osnid}"`);
  const c = new Cursor(m.osns);
  let ipid = '';
  try {
    ipid = c.idToken('IPID', 2, 22);
    c.literal(':');
    c.nss('IPSS', false, true);
  } catch (e) {
    throw new MrnError('MRN_NOT_MCP', `not an MCP MRN: ${(e as Error).message}`, -1, { cause: e });
  }
  if (!c.done) notMcp('IPSS contains a character outside pchar and "/"');
  return { type: type as McpType, ipid, ipss: m.osns.slice(c.s.indexOf(':') + 1) };
}

export function isMrn(s: string): boolean {
  try {
    parse(s);
    return true;
  } catch (e) {
    if (e instanceof MrnError) return false;
    throw e;
  }
}

export function isMcpMrn(s: string): boolean {
  try {
    parseMcpMrn(s);
    return true;
  } catch (e) {
    if (e instanceof MrnError) return false;
    throw e;
  }
}

const upperPct = (nss: string) => nss.replace(/%[0-9a-fA-F]{2}/g, (t) => t.toUpperCase());

/**
 * RFC 8141 §3.1 canonical form plus the project policy above. Two MRNs are equivalent iff their canonical
 * forms are equal; identity hashing uses this form only.
 */
export function canonicalMrn(s: string): string {
  const m = parse(s);
  let osns = upperPct(m.osns);
  if (isMcpMrn(s)) {
    const i = osns.indexOf(':');
    osns = osns.slice(0, i).toLowerCase() + osns.slice(i);
  }
  return `urn:mrn:${m.oid.toLowerCase()}:${m.osnid.toLowerCase()}:${osns}`;
}

/** True iff `s` is already canonical (the PKG refuses, rather than silently fixes, anything else). */
export function isCanonicalMrn(s: string): boolean {
  return isMrn(s) && canonicalMrn(s) === s;
}

/** MMSI: exactly nine decimal digits (ITU-R M.585; fits the 30-bit AIS field, 999 999 999 < 2^30). */
export function isValidMmsi(s: string): boolean {
  return typeof s === 'string' && s.length === 9 && [...s].every((ch) => isDigit(ch.charCodeAt(0)));
}

/** IMO ship number: seven digits, the last = Σ d_i·(7,6,5,4,3,2) mod 10 (IMO Res. A.1117(30)). */
export function isValidImo(s: string): boolean {
  if (typeof s !== 'string' || s.length !== 7 || ![...s].every((ch) => isDigit(ch.charCodeAt(0)))) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += (s.charCodeAt(i) - 0x30) * (7 - i);
  return sum % 10 === s.charCodeAt(6) - 0x30;
}

/** An MCP vessel MRN as the authority binds it to an MMSI. */
export interface VesselMrn {
  /** The form bindings are recorded and compared under. */
  readonly canonical: string;
  /** The IMO ship number the MRN names (profile `imo:<7 digits>`), if any. */
  readonly imo?: string;
  /** The MMSI the MRN names (profile `mmsi:<9 digits>`), if any. */
  readonly mmsi?: string;
}

/**
 * The binding form of an MCP vessel MRN: `canonicalMrn` with the IPSS lower-cased as well (pct-encoded hex stays
 * upper-case, escapes are never decoded). RFC 8141 leaves NSS case to the namespace; MCP's validators all match
 * case-insensitively and ID3 allows one MCP MRN per vessel, so for binding, MRNs that differ only in case name
 * one vessel (reference s63-secom-mrn.md §3.6 item 3: the IPSS profile is lower-case and digits). Identity
 * hashing keeps `canonicalMrn`.
 * Profiles (§3.6 item 5), found as components separated by ":" or "/" — the IPID counts as the first: after
 * `imo` an IMO number with a valid check digit, after `mmsi` nine digits; otherwise MRN_PROFILE.
 */
export function vesselMrn(s: string): VesselMrn {
  const m = parseMcpMrn(s);
  if (m.type !== 'vessel') throw new MrnError('MRN_NOT_MCP', `not an MCP vessel MRN (type ${m.type})`);
  const ipss = upperPct(m.ipss.toLowerCase());
  const canonical = `urn:mrn:mcp:vessel:${m.ipid.toLowerCase()}:${ipss}`;
  const tokens = [m.ipid.toLowerCase(), ...ipss.split(/[:/]/)];
  let imo: string | undefined;
  let mmsi: string | undefined;
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if (t === 'imo' && next !== 'imo') {
      if (next === undefined || !isValidImo(next)) {
        throw new MrnError('MRN_PROFILE', `"imo" must be followed by a 7-digit IMO number with a valid check digit, got ${JSON.stringify(next ?? '')}`);
      }
      imo ??= next;
    }
    if (t === 'mmsi') {
      if (next === undefined || !isValidMmsi(next)) throw new MrnError('MRN_PROFILE', `"mmsi" must be followed by 9 digits, got ${JSON.stringify(next ?? '')}`);
      mmsi ??= next;
    }
  });
  return { canonical, ...(imo === undefined ? {} : { imo }), ...(mmsi === undefined ? {} : { mmsi }) };
}
