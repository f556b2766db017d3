import type * as JsYaml from 'js-yaml';


/**
 * The values kubectl gives YAML scalars. kubectl reads manifests with sigs.k8s.io/yaml, whose
 * YAMLToJSON decodes with go-yaml v2 (go.yaml.in/yaml/v2, YAML 1.1 resolution) and then encodes
 * the result as JSON for the API server. So an unquoted `yes` or `on` is the boolean true (and
 * refused where a string belongs), `0755` is the octal 493, `1_000` is 1000, `2024-01-02` becomes
 * the string "2024-01-02T00:00:00Z", and `1e400`, too large for a float, stays a string.
 *
 * This mirrors go-yaml v2's `resolve` (resolve.go) for plain scalars and for the standard tags
 * written explicitly (`!!str 80` is "80"); a tag it does not know (`!foo`, `!!python/str`)
 * leaves the scalar a string, as go-yaml does, instead of failing.
 */


const WORDS: ReadonlyMap<string, boolean | null> = new Map<string, boolean | null>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((word) => [word, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((word) => [word, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((word) => [word, null] as const),
]);

/**
 * go-yaml's resolveTable: the first characters of texts that may be something other than a
 * string (signs and digits for numbers and timestamps, '.' for floats, the letters of the
 * boolean and null words, '~'). Every other text is a string without further look.
 */
const MAY_RESOLVE = new Uint8Array(128);
for (const character of '+-0123456789.yYnNtTfFoO~') MAY_RESOLVE[character.charCodeAt(0)] = 1;
const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ...['.nan', '.NaN', '.NAN'].map((word) => [word, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((word) => [word, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((word) => [word, Number.NEGATIVE_INFINITY] as const),
]);

/** go-yaml's float syntax for texts starting with a digit or sign (yamlStyleFloat). */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat accepts for a text starting with '.' (decimal forms only here). */
const DOT_FLOAT = /^\.[0-9]+(_?[0-9]+)*([eE][-+]?[0-9]+)?$/;

/** Set when a scalar resolved to NaN or an infinity, which JSON cannot carry; see {@link takeNonFiniteResolved}. */
let nonFiniteResolved = false;

/**
 * Whether `.inf` or `.nan` was resolved since the last call (and resets it): the loader then
 * looks for it, as kubectl's conversion to JSON fails on such a value. A flag rather than a scan
 * of every value, as such values are rare and the resolvers run on every scalar.
 */
export function takeNonFiniteResolved(): boolean {
  const seen = nonFiniteResolved;
  nonFiniteResolved = false;
  return seen;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Go's strconv.ParseInt(text, 0, 64) and ParseUint as go-yaml v2 uses them, on a text whose
 * underscores it has removed: an optional sign, then `0x`, `0o`, `0b` or a leading `0` (octal)
 * or decimal digits. Returns the value, 'range' when the digits are valid but too large for 64
 * bits, or undefined for a text that is not an integer.
 */
function parseGoInteger(text: string): number | bigint | 'range' | undefined {
  // Most integers in manifests are short decimals (ports, replicas): read them without BigInt.
  if (text.length < 16 && text.charCodeAt(0) !== 48 && /^[0-9]+$/.test(text)) return Number(text);
  if (text === '0') return 0;
  let sign = 1n;
  let digits = text;
  if (digits[0] === '+' || digits[0] === '-') {
    if (digits[0] === '-') sign = -1n;
    digits = digits.slice(1);
  }
  let base = 10;
  if (digits.length > 1 && digits[0] === '0') {
    const prefix = digits[1].toLowerCase();
    if (prefix === 'x') base = 16;
    else if (prefix === 'o') base = 8;
    else if (prefix === 'b') base = 2;
    else base = 8;
    digits = base === 8 && prefix !== 'o' ? digits.slice(1) : digits.slice(2);
  }
  if (digits === '') return undefined;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const value = sign * BigInt(`${prefix}${digits}`);
  // ParseInt takes int64; ParseUint (no sign) takes what is left up to uint64.
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  if (sign === 1n && text[0] !== '+' && value <= UINT64_MAX) return value;
  return 'range';
}

/**
 * Whether a plain scalar is certainly a string under the manifest schema ({@link goYamlSchema}),
 * with no resolver to run: only numbers, timestamps, `.inf` and `.nan` (a sign, a digit or a dot
 * first), `~`, the null and boolean words and the merge key `<<` can be anything else. Also
 * true of YAML 1.2's core schema, whose types are fewer and start with the same characters.
 */
export function isPlainString(text: string): boolean {
  const code = text.charCodeAt(0);
  if (code >= 128) return true;
  // An empty text gives NaN, and undefined here: null.
  if (MAY_RESOLVE[code] === 0) return code !== LESS_THAN;
  // A letter of the null and boolean words: only the words themselves are not strings.
  return ((code | 32) >= 97 && (code | 32) <= 122) && !WORDS.has(text);
}

/** The first character of the merge key `<<`. */
const LESS_THAN = 60;

/**
 * Resolves a plain scalar as go-yaml v2 does: `null`, a boolean, a number, a timestamp (as the
 * JSON string kubectl sends), or the text itself.
 */
export function resolveGoPlainScalar(text: string): unknown {
  return resolveGoScalar(text, '');
}

/**
 * go-yaml v2's resolve() for a scalar with `tag` ('' when plain and untagged): the value, or the
 * text itself when it is none of the types the tag allows. Throws when an explicit standard tag
 * does not fit the text (`!!int abc`), as go-yaml does ("cannot decode !!str `abc` as a !!int").
 */
function resolveGoScalar(text: string, tag: string): unknown {
  if (text === '') return null;
  const code = text.charCodeAt(0);
  if (code >= 128 || MAY_RESOLVE[code] === 0) return text;
  const word = WORDS.get(text);
  if (word !== undefined) return word;
  const first = text[0];
  const special = SPECIAL_FLOATS.get(text);
  if (special !== undefined) {
    nonFiniteResolved = true;
    return special;
  }
  if (first === '.') {
    return DOT_FLOAT.test(text) ? finiteOrText(Number(text.replace(/_/g, '')), text) : text;
  }
  if (first === '+' || first === '-' || (code >= 48 && code <= 57)) {
    if (tag === '' || tag === 'timestamp') {
      const timestamp = parseGoTimestamp(text);
      if (timestamp !== undefined) return timestamp;
    }
    const plain = text.replace(/_/g, '');
    const integer = parseGoInteger(plain);
    if (typeof integer === 'number') return integer;
    if (typeof integer === 'bigint') return Number(integer);
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = Number(plain);
      // strconv.ParseFloat fails (out of range) for 1e400: the text stays a string.
      if (Number.isFinite(value) && !(value === 0 && /[1-9]/.test(plain.replace(/[eE].*$/, '')))) return value;
    }
    // An integer beyond 64 bits is a big.Int, which JSON carries as a (large) number.
    if (integer === 'range') return Number(plain.startsWith('+') ? plain.slice(1) : plain);
  }
  return text;
}

function finiteOrText(value: number, text: string): number | string {
  return Number.isFinite(value) ? value : text;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A YAML 1.1 timestamp as go-yaml v2 parses it (the layouts of its parseTimestamp, with Go's
 * time.Parse rules) and as Go writes a time.Time in JSON (RFC 3339 with nanoseconds, trailing
 * zeros dropped): `2024-1-2` → "2024-01-02T00:00:00Z". Undefined for any other text.
 */
export function parseGoTimestamp(text: string): string | undefined {
  // go-yaml's quick check: four digits, then '-'.
  if (!/^[0-9]{4}-/.test(text)) return undefined;
  const match = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/.exec(text);
  if (!match) return undefined;
  const [, yearText, monthText, dayText, separator, hourText, minuteText, secondText, fractionText, zone] = match;
  // Only the 'T' and 't' layouts have a zone; the space layout has none.
  if (separator === ' ' && zone !== undefined) return undefined;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return undefined;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const date = `${yearText}-${pad(month)}-${pad(day)}`;
  if (separator === undefined) return `${date}T00:00:00Z`;
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone !== undefined && zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 24 || offsetMinutes > 59) return undefined;
  }
  const fraction = (fractionText ?? '').slice(0, 9).replace(/0+$/, '');
  const offset = zone === undefined || zone === 'Z' || /^[+-]00:00$/.test(zone) ? 'Z' : zone;
  return `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction ? `.${fraction}` : ''}${offset}`;
}

const TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * The schema manifests are read with: go-yaml v2's resolution of plain scalars and standard
 * tags, merge keys, and any other tag accepted as go-yaml accepts it (the scalar's text, the
 * collection as it is). Mappings keep their last value for a key written twice, as go-yaml's
 * non-strict decoding that kubectl uses does, and a merge overwrites keys written before it
 * (go-yaml v2 merges where `<<` stands; see {@link goYamlMapTag}).
 */
export function goYamlSchema(yaml: typeof JsYaml): JsYaml.Schema {
  const notResolved = yaml.NOT_RESOLVED;
  const scalar = (name: string, resolve: (text: string) => unknown): JsYaml.TagDefinition =>
    yaml.defineScalarTag<unknown>(`${TAG_PREFIX}${name}`, { resolve: (source: string) => resolve(source), identify: () => false });
  const ofType = (check: (value: unknown) => boolean, tag: string) => (text: string): unknown => {
    const value = resolveGoScalar(text, tag);
    return check(value) ? value : notResolved;
  };
  // Quoted scalars, `!!str`, and plain scalars that are none of the other types.
  const plain = yaml.defineScalarTag<string>(`${TAG_PREFIX}str`, { resolve: (source: string) => source, identify: (value: unknown) => typeof value === 'string' });
  // One implicit resolver for every plain scalar, as go-yaml resolves them in one function; the
  // explicit tags below check that the text is of their type.
  const implicit = yaml.defineScalarTag<unknown>(`${TAG_PREFIX}go-yaml-v2`, {
    implicit: true,
    resolve: (source: string) => {
      const value = resolveGoScalar(source, '');
      // The text itself: a string, which the default tag gives (a timestamp is another string).
      return value === source ? notResolved : value;
    },
    identify: () => false,
  });
  const isNumber = (value: unknown) => typeof value === 'number';
  const mapTag = goYamlMapTag(yaml);
  const tags: JsYaml.TagDefinition[] = [
    plain,
    implicit,
    scalar('int', ofType((value) => isNumber(value) && Number.isInteger(value), 'int')),
    // go-yaml turns an integer under !!float into a float: the same number in JSON.
    scalar('float', ofType(isNumber, 'float')),
    scalar('bool', ofType((value) => typeof value === 'boolean', 'bool')),
    scalar('null', ofType((value) => value === null, 'null')),
    scalar('timestamp', (text) => parseGoTimestamp(text) ?? notResolved),
    // !!binary is decoded to bytes, which JSON (and the API server) receive as base64 text again.
    scalar('binary', (text) => text.replace(/\s+/g, '')),
    yaml.mergeTag,
    yaml.seqTag,
    mapTag,
    // Tags go-yaml does not resolve: the value is the scalar's text, the collection itself.
    ...['!', 'tag:'].flatMap((prefix): JsYaml.TagDefinition[] => [
      yaml.defineScalarTag<string>(prefix, { matchByTagPrefix: true, resolve: (source: string) => source, identify: () => false }),
      { ...mapTag, tagName: prefix, matchByTagPrefix: true },
      { ...yaml.seqTag, tagName: prefix, matchByTagPrefix: true },
    ]),
  ];
  return new yaml.Schema(tags);
}

/**
 * Plain objects as mappings, with go-yaml v2's merge order. js-yaml asks `has` before merging a
 * key and skips keys already there (the YAML spec's order); go-yaml v2 writes the merged keys
 * where `<<` stands, over keys written before it, and the first mapping of a merged list wins.
 * So `has` answers true only for keys an earlier merge added: a merged list's first mapping
 * keeps its keys, a key written before `<<` is replaced, and one written after replaces.
 */
export function goYamlMapTag(yaml: typeof JsYaml): JsYaml.MappingTagDefinition<Record<string, unknown>> {
  const merged = new WeakMap<object, Set<string>>();
  let asked: { container: object; key: string } | undefined;
  return yaml.defineMappingTag<Record<string, unknown>>(`${TAG_PREFIX}map`, {
    create: () => ({}),
    identify: (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value),
    addPair: (container: Record<string, unknown>, key: unknown, value: unknown) => {
      if (key !== null && typeof key === 'object') return 'object-based map does not support complex keys';
      const name = keyText(key);
      // A merge asks `has` for the key just before adding it; an explicit pair does not.
      const fromMerge = asked !== undefined && asked.container === container && asked.key === name;
      asked = undefined;
      let keys = merged.get(container);
      if (fromMerge) {
        if (!keys) merged.set(container, (keys = new Set()));
        keys.add(name);
      } else {
        keys?.delete(name);
      }
      if (name === '__proto__') Object.defineProperty(container, name, { value, enumerable: true, configurable: true, writable: true });
      else container[name] = value;
      return '';
    },
    has: (container: Record<string, unknown>, key: unknown) => {
      if (key !== null && typeof key === 'object') return false;
      const name = keyText(key);
      asked = { container, key: name };
      return merged.get(container)?.has(name) ?? false;
    },
    keys: (container: Record<string, unknown>) => Object.keys(container),
    get: (container: Record<string, unknown>, key: unknown) => {
      const name = keyText(key);
      return Object.hasOwn(container, name) ? container[name] : null;
    },
  });
}

/** A key as JSON receives it from go-yaml: `.inf` stays `.inf` (Go's float formatting), not `Infinity`. */
export function keyText(key: unknown): string {
  if (typeof key === 'number' && !Number.isFinite(key)) return Number.isNaN(key) ? '.nan' : key > 0 ? '.inf' : '-.inf';
  return String(key);
}
