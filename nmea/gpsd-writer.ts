/**
 * Compiled JSON writer for gpsd's view of AIS messages (nmea/gpsd.ts; gpsd `gpsd_json.c` prints the same text):
 * `JSON.stringify` re-discovers every object's keys and value types on each call, yet a decoded log repeats a few
 * dozen shapes (one per message type and payload table). The first object of each shape compiles a writer for it —
 * key text pre-escaped, one emitter per value type — and later objects of that shape reuse it. The output is
 * byte-identical to `JSON.stringify` (test/nmea/gpsd-writer.test.ts); a value whose type differs from the one the
 * writer was compiled for goes through the generic path, never a wrong one.
 *
 * Hand-written rather than fast-json-stringify: that library needs a JSON Schema per shape and is not a dependency;
 * the shapes here are discovered from the data the layouts produce, so no schema has to be kept beside them.
 */

/** Characters that JSON.stringify escapes in a string: controls, `"`, `\` and lone surrogates. */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

function str(v: string): string {
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/** Any JSON value, as JSON.stringify writes it inside an object (undefined, functions, symbols: no key). */
export function jsonValue(v: unknown): string | undefined {
  switch (typeof v) {
    case 'number':
      return num(v);
    case 'string':
      return str(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map((e) => jsonValue(e) ?? 'null').join(',')}]`;
      return writeGpsdJson(v as Record<string, unknown>);
    default:
      // bigint throws in JSON.stringify; keep that contract rather than invent a text.
      return typeof v === 'bigint' ? JSON.stringify(v) : undefined;
  }
}

interface Compiled {
  readonly keys: readonly string[];
  readonly write: (o: Record<string, unknown>) => string | undefined;
}

/** Compiled shapes by message type (a handful each); found by comparing key lists, cheaper than a joined key. */
const compiled = new Map<unknown, Compiled[]>();
let shapes = 0;
/** Shapes are bounded by the tables; the cap keeps hostile or odd input from growing the cache without end. */
const MAX_SHAPES = 512;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Builds a writer for objects with exactly `keys` whose values have the types of `sample`'s. Returns undefined from
 * the writer when a value's type differs, so the caller takes the generic path.
 */
function compile(keys: readonly string[], sample: Record<string, unknown>): Compiled['write'] {
  let body = 'let v, s = "{";\n';
  keys.forEach((k, i) => {
    const prefix = JSON.stringify(`${i === 0 ? '' : ','}${JSON.stringify(k)}:`);
    const v = sample[k];
    body += `v = o[${JSON.stringify(k)}];\n`;
    if (typeof v === 'number') body += `if (typeof v !== 'number') return undefined; s += ${prefix} + num(v);\n`;
    else if (typeof v === 'string') body += `if (typeof v !== 'string') return undefined; s += ${prefix} + str(v);\n`;
    else if (typeof v === 'boolean') body += `if (typeof v !== 'boolean') return undefined; s += ${prefix} + (v ? 'true' : 'false');\n`;
    else {
      // Nested arrays (payload elements) and anything rarer: generic per value, still keyed by this shape.
      body += `if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined; s += ${prefix} + jsonValue(v);\n`;
    }
  });
  body += 'return s + "}";';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of the module: a writer per shape
  const make = new Function('num', 'str', 'jsonValue', `return function write(o) {\n${body}\n};`) as (
    n: typeof num,
    s: typeof str,
    g: typeof jsonValue,
  ) => Compiled['write'];
  return make(num, str, jsonValue);
}

/** `JSON.stringify(o)` for a gpsd JSON view (plain object of numbers, strings, booleans and arrays of such objects). */
export function writeGpsdJson(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  let list = compiled.get(o['type']);
  let c = list?.find((e) => sameKeys(e.keys, keys));
  if (c === undefined) {
    // A key whose value is undefined is omitted by JSON.stringify: such shapes take the generic path.
    if (shapes >= MAX_SHAPES || keys.some((k) => o[k] === undefined)) return writeGeneric(o, keys);
    c = { keys, write: compile(keys, o) };
    if (list === undefined) compiled.set(o['type'], (list = []));
    list.push(c);
    shapes++;
  }
  return c.write(o) ?? writeGeneric(o, keys);
}

function writeGeneric(o: Record<string, unknown>, keys: readonly string[]): string {
  let s = '';
  for (const k of keys) {
    const v = jsonValue(o[k]);
    if (v !== undefined) s += `${s === '' ? '' : ','}${str(k)}:${v}`;
  }
  return `{${s}}`;
}
