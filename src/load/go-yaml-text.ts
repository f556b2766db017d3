import type { AliasEvent, DocumentEvent, Event, MappingEvent, ScalarEvent, SequenceEvent } from 'js-yaml';
import type * as JsYaml from 'js-yaml';
import {
  ALIAS, DOCUMENT, DOUBLE_QUOTED_STYLE, FLOW_COLLECTION, MAPPING, NO_RANGE, PLAIN_STYLE, POP, SCALAR, SEQUENCE, SINGLE_QUOTED_STYLE,
} from './yaml-events.js';

/**
 * Where the syntax kubectl's YAML reader (go-yaml v2, a port of libyaml's scanner) accepts
 * differs from js-yaml's, for the texts js-yaml reads (the fast block reader reads none of these):
 *
 * - Inside a flow collection (`[...]`, `{...}`) go-yaml ignores indentation and takes tabs as
 *   spaces; js-yaml refuses a line indented less than the collection's parent ("deficient
 *   indentation") and a tab on such a line. istio's spire-quickstart closes an `args: [` list with
 *   a `]` in the column of `args`. {@link parseEventsAsGoYaml} reads these.
 * - go-yaml refuses what js-yaml accepts: a tab where a block token may start (at the start of a
 *   line, or right after `key:`, `- ` or `? `), an implicit key more than 1024 characters long,
 *   a `%YAML` version other than 1.1, and values JSON cannot hold (`.inf`, `.nan`), which
 *   kubectl's conversion to JSON fails on. {@link goYamlRejection} finds these.
 */

/** The most adjustments made to one text before its error is reported as it is. */
const MAX_ADJUSTMENTS = 64;

/**
 * Reads the event stream of `text` with js-yaml, as go-yaml would accept it: where js-yaml
 * refuses a flow collection's or quoted scalar's continuation line for its indentation or for a
 * tab, the line is indented further (or the tab read as a space) and the text read again. The
 * events' offsets are those of `text`: the inserted spaces are only ever indentation inside a
 * flow collection or a quoted scalar, which is folded away, so the values are unchanged.
 * Throws js-yaml's error when the text still fails.
 */
export function parseEventsAsGoYaml(yaml: typeof JsYaml, text: string, filename: string): Event[] {
  let adjusted = text;
  // Offsets in `adjusted` where spaces were inserted, and how many, in increasing order.
  const insertions: { at: number; count: number }[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      const events = yaml.parseEvents(adjusted, { filename });
      return insertions.length === 0 ? events : events.map((event) => withOriginalOffsets(event, insertions));
    } catch (error) {
      const reason = (error as { reason?: string }).reason;
      const position = (error as { mark?: { position?: number } }).mark?.position;
      if (attempt >= MAX_ADJUSTMENTS || reason !== 'deficient indentation' || position === undefined) {
        throw insertions.length === 0 ? error : withOriginalMark(error, insertions);
      }
      const next = adjust(adjusted, position);
      if (next === undefined) throw insertions.length === 0 ? error : withOriginalMark(error, insertions);
      if (next.insertion) {
        insertions.push(next.insertion);
        insertions.sort((a, b) => a.at - b.at);
        // Later insertions shift the offsets of earlier ones that lie after them.
        for (const insertion of insertions) if (insertion !== next.insertion && insertion.at > next.insertion.at) insertion.at += next.insertion.count;
      }
      adjusted = next.text;
    }
  }
}

/**
 * One adjustment at js-yaml's "deficient indentation" error at `position`: tabs in the
 * separation before the token are read as spaces (same length); a continuation line is indented
 * further by spaces inserted at its start. Undefined when neither applies (a line that starts
 * with a document marker stays an error, in go-yaml too).
 */
function adjust(text: string, position: number): { text: string; insertion?: { at: number; count: number } } | undefined {
  let separationStart = position;
  while (separationStart > 0 && isSeparation(text.charCodeAt(separationStart - 1))) separationStart--;
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  if (lineStart <= separationStart) {
    // The token before is on this line: js-yaml objects to a tab between them, which go-yaml
    // reads as a space inside a flow collection. Same length: offsets do not move.
    const separation = text.slice(separationStart, position);
    if (!separation.includes('\t')) return undefined;
    return { text: `${text.slice(0, separationStart)}${separation.replace(/\t/g, ' ')}${text.slice(position)}` };
  }
  // A continuation line. A document marker at its start ends the document for go-yaml too.
  if (/^(---|\.\.\.)([ \t\r\n]|$)/.test(text.slice(lineStart, lineStart + 4))) return undefined;
  // Indented as deep as the deepest line before it: never less than js-yaml requires of a
  // continuation (its parent's indentation plus one), and the values do not see it.
  const count = Math.max(1, deepestIndentBefore(text, lineStart) + 1 - indentation(text, lineStart));
  return { text: `${text.slice(0, lineStart)}${' '.repeat(count)}${text.slice(lineStart)}`, insertion: { at: lineStart, count } };
}

function isSeparation(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function indentation(text: string, lineStart: number): number {
  let position = lineStart;
  while (text.charCodeAt(position) === 32) position++;
  return position - lineStart;
}

/** The largest indentation (in spaces) of the lines before `lineStart`, looking back at most 200 lines. */
function deepestIndentBefore(text: string, lineStart: number): number {
  let deepest = 0;
  let end = lineStart - 1;
  for (let lines = 0; end > 0 && lines < 200; lines++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    deepest = Math.max(deepest, indentation(text, start));
    end = start - 1;
  }
  return deepest;
}

/** An offset of the adjusted text, as an offset of the original one. */
function originalOffset(offset: number, insertions: readonly { at: number; count: number }[]): number {
  if (offset < 0) return offset;
  let shift = 0;
  for (const insertion of insertions) {
    if (insertion.at >= offset) break;
    shift += Math.min(insertion.count, offset - insertion.at);
  }
  return offset - shift;
}

function withOriginalOffsets(event: Event, insertions: readonly { at: number; count: number }[]): Event {
  const map = (offset: number) => originalOffset(offset, insertions);
  switch (event.type) {
    case SCALAR: {
      const scalar = event as ScalarEvent;
      return {
        ...scalar, valueStart: map(scalar.valueStart), valueEnd: map(scalar.valueEnd),
        anchorStart: map(scalar.anchorStart), anchorEnd: map(scalar.anchorEnd), tagStart: map(scalar.tagStart), tagEnd: map(scalar.tagEnd),
      } as Event;
    }
    case MAPPING:
    case SEQUENCE: {
      const collection = event as MappingEvent | SequenceEvent;
      return {
        ...collection, start: map(collection.start),
        anchorStart: map(collection.anchorStart), anchorEnd: map(collection.anchorEnd), tagStart: map(collection.tagStart), tagEnd: map(collection.tagEnd),
      } as Event;
    }
    case ALIAS: {
      const alias = event as AliasEvent;
      return { ...alias, anchorStart: map(alias.anchorStart), anchorEnd: map(alias.anchorEnd) } as Event;
    }
    default:
      return event;
  }
}

function withOriginalMark(error: unknown, insertions: readonly { at: number; count: number }[]): unknown {
  const mark = (error as { mark?: { position?: number } }).mark;
  if (mark && typeof mark.position === 'number') return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as object, error, { mark: { ...mark, position: originalOffset(mark.position, insertions) } });
  return error;
}

/** Where go-yaml refuses a text js-yaml read, and its reason, in go-yaml's words. */
export interface GoYamlRejection {
  readonly offset: number;
  readonly reason: string;
}

/** go-yaml's limit on the length of an implicit key (the scanner's simple-key window). */
const MAX_IMPLICIT_KEY = 1024;

/**
 * The first place where go-yaml refuses a text that js-yaml read into `events`, or undefined.
 * `nonFiniteSeen` says whether a plain `.inf` or `.nan` was resolved, the only values JSON
 * cannot carry (kubectl converts YAML to JSON: "json: unsupported value: +Inf").
 */
export function goYamlRejection(text: string, events: readonly Event[], nonFiniteSeen: boolean): GoYamlRejection | undefined {
  const hasTabs = text.includes('\t');
  const mayHaveLongKeys = text.length > MAX_IMPLICIT_KEY;
  // Ranges [start, end) of scalar tokens (quotes included) and of flow collections, in order.
  const tokens: number[] = [];
  const flows: number[] = [];
  const openFlows: number[] = [];
  // For each open collection: is it a mapping, and is the next node a key.
  const stack: { mapping: boolean; expectKey: boolean; flowIndex: number }[] = [];
  let lastTokenEnd = 0;
  for (const event of events) {
    const parent = stack[stack.length - 1];
    const isKey = parent !== undefined && parent.mapping && parent.expectKey;
    if (parent?.mapping && event.type !== POP) parent.expectKey = !parent.expectKey;
    switch (event.type) {
      case DOCUMENT: {
        const yamlDirective = (event as DocumentEvent).directives.find((directive) => directive.kind === 'yaml');
        if (yamlDirective && yamlDirective.kind === 'yaml' && yamlDirective.version !== '1.1') {
          return { offset: Math.max(0, text.indexOf('%YAML')), reason: `found incompatible YAML document (%YAML ${yamlDirective.version}): kubectl reads YAML 1.1 only (go-yaml v2)` };
        }
        break;
      }
      case SCALAR: {
        const scalar = event as ScalarEvent;
        if (scalar.valueStart === NO_RANGE) break;
        const quote = scalar.style === SINGLE_QUOTED_STYLE || scalar.style === DOUBLE_QUOTED_STYLE ? 1 : 0;
        const start = scalar.valueStart - quote;
        const end = scalar.valueEnd + quote;
        tokens.push(start, end);
        lastTokenEnd = Math.max(lastTokenEnd, end);
        if (isKey && mayHaveLongKeys) {
          const colon = nextNonBlank(text, end);
          if (text.charCodeAt(colon) === 58 && colon - start > MAX_IMPLICIT_KEY && !isExplicitKey(text, start)) {
            return { offset: start, reason: `could not find expected ':' (kubectl reads a key of at most ${MAX_IMPLICIT_KEY} characters; this one has ${colon - start})` };
          }
        }
        if (nonFiniteSeen && !isKey && scalar.style === PLAIN_STYLE && /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(text.slice(scalar.valueStart, scalar.valueEnd))) {
          const word = text.slice(scalar.valueStart, scalar.valueEnd);
          return { offset: start, reason: `${word} is not a number JSON can hold: kubectl fails converting the document ("json: unsupported value: ${/nan/i.test(word) ? 'NaN' : word.startsWith('-') ? '-Inf' : '+Inf'}")` };
        }
        break;
      }
      case ALIAS:
        lastTokenEnd = Math.max(lastTokenEnd, (event as AliasEvent).anchorEnd);
        break;
      case MAPPING:
      case SEQUENCE: {
        const collection = event as MappingEvent | SequenceEvent;
        let flowIndex = -1;
        if (collection.style === FLOW_COLLECTION) {
          flowIndex = flows.length;
          flows.push(collection.start, -1);
          openFlows.push(flowIndex);
        }
        stack.push({ mapping: event.type === MAPPING, expectKey: true, flowIndex });
        break;
      }
      case POP: {
        const closed = stack.pop();
        if (closed && closed.flowIndex !== -1) {
          openFlows.pop();
          // The closing bracket: the first ']' or '}' after the collection's last token.
          const closing = text.charCodeAt(flows[closed.flowIndex]) === 91 ? ']' : '}';
          const from = Math.max(lastTokenEnd, flows[closed.flowIndex] + 1);
          const end = text.indexOf(closing, from);
          flows[closed.flowIndex + 1] = end === -1 ? text.length : end + 1;
          lastTokenEnd = Math.max(lastTokenEnd, flows[closed.flowIndex + 1]);
        }
        break;
      }
    }
  }
  return hasTabs ? tabRejection(text, tokens, flows) : undefined;
}

function nextNonBlank(text: string, from: number): number {
  let position = from;
  while (text.charCodeAt(position) === 32 || text.charCodeAt(position) === 9) position++;
  return position;
}

/** A key after `? `: go-yaml's explicit keys are not bound by the implicit-key length. */
function isExplicitKey(text: string, start: number): boolean {
  let position = start - 1;
  while (position >= 0 && (text.charCodeAt(position) === 32 || text.charCodeAt(position) === 9 || text.charCodeAt(position) === 10)) position--;
  return position >= 0 && text.charCodeAt(position) === 63;
}

/**
 * The first tab go-yaml refuses in block context: in the indentation of a line (blank lines
 * included), or right after the `:`, `-` or `?` indicator with only blanks between. go-yaml takes
 * a tab for a space only inside flow collections and after a token on the same line (its scanner
 * skips tabs only where no simple key may start); elsewhere it reports "found character that
 * cannot start any token". Tabs inside scalars and comments are text.
 */
function tabRejection(text: string, tokens: readonly number[], flows: readonly number[]): GoYamlRejection | undefined {
  for (let tab = text.indexOf('\t'); tab !== -1; tab = text.indexOf('\t', tab + 1)) {
    if (inDisjointRanges(tokens, tab) || inRanges(flows, tab)) continue;
    const lineStart = text.lastIndexOf('\n', tab - 1) + 1;
    let before = tab - 1;
    while (before >= lineStart && (text.charCodeAt(before) === 32 || text.charCodeAt(before) === 9)) before--;
    // A comment: a '#' outside tokens, at the line's start or after a blank.
    const comment = commentStart(text, lineStart, tab, tokens);
    if (comment !== -1) continue;
    const reason = 'found character that cannot start any token (a tab';
    if (before < lineStart) return { offset: tab, reason: `${reason} in the indentation of a line; kubectl's YAML reader allows spaces only)` };
    const indicator = text.charCodeAt(before);
    if ((indicator === 58 || indicator === 45 || indicator === 63) && !inDisjointRanges(tokens, before)) {
      // `---\t` is a document marker, after which a tab is allowed.
      if (indicator === 45 && before - lineStart === 2 && text.startsWith('---', lineStart)) continue;
      return { offset: tab, reason: `${reason} after '${text[before]}'; kubectl's YAML reader allows spaces only there)` };
    }
  }
  return undefined;
}

/** The offset of a comment's '#' on the line before `limit`, or -1. */
function commentStart(text: string, lineStart: number, limit: number, tokens: readonly number[]): number {
  for (let hash = text.indexOf('#', lineStart); hash !== -1 && hash < limit; hash = text.indexOf('#', hash + 1)) {
    const previous = text.charCodeAt(hash - 1);
    if ((hash === lineStart || previous === 32 || previous === 9) && !inDisjointRanges(tokens, hash)) return hash;
  }
  return -1;
}

/**
 * Whether `offset` lies in one of the flat `[start, end)` ranges, ordered by their starts
 * (scalar tokens do not overlap; flow collections nest, the outer one first).
 */
function inRanges(ranges: readonly number[], offset: number): boolean {
  for (let index = 0; index < ranges.length && ranges[index] <= offset; index += 2) {
    if (offset < ranges[index + 1]) return true;
  }
  return false;
}

/** Whether `offset` lies in one of the sorted, disjoint, flat `[start, end)` ranges (binary search). */
function inDisjointRanges(ranges: readonly number[], offset: number): boolean {
  let low = 0;
  let high = ranges.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (ranges[middle * 2] > offset) high = middle - 1;
    else if (offset >= ranges[middle * 2 + 1]) low = middle + 1;
    else return true;
  }
  return false;
}
