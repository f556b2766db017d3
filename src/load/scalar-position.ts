import type { SourceLocation } from '../finding.js';
import { locateField, type ManifestObject } from './manifest-object.js';
import type { FieldPath } from './path.js';

/**
 * Returns the location of characters `[offset, offset + length)` of the string value at `path`
 * of `object` (a column inside a selector, say), for a value written on one line: plain, single-
 * or double-quoted, in YAML or JSON. For anything else (a block scalar, a value folded over
 * several lines, a path the source does not hold) it returns the field's own location, which is
 * always right if less precise.
 */
export function locateInString(object: ManifestObject, path: FieldPath, value: string, offset: number, length: number): SourceLocation {
  const fallback = locateField(object.origin, path);
  const positions = object.origin.positions;
  const resolved = positions.locate(object.origin.indexInPositions, [...object.origin.basePath, ...path]);
  if (!resolved.exact) return fallback;
  const file = positions.sourceFile;
  const text = file.text;
  let cursor = offsetOf(text, resolved.location.line, resolved.location.column);
  if (cursor < 0) return fallback;
  if (typeof path[path.length - 1] === 'string') {
    // The location is the key's: the value follows its colon on the same line.
    cursor = offsetOf(text, resolved.location.endLine, resolved.location.endColumn);
    cursor = skipBlanks(text, cursor);
    if (text[cursor] !== ':') return fallback;
    cursor = skipBlanks(text, cursor + 1);
  }
  const valueStart = rawIndex(text, cursor, value, offset);
  const valueEnd = rawIndex(text, cursor, value, Math.min(value.length, offset + length));
  if (valueStart === undefined || valueEnd === undefined) return fallback;
  const from = file.lineAndColumn(valueStart);
  const to = file.lineAndColumn(Math.max(valueEnd, valueStart + 1));
  return { file: file.path, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}

function skipBlanks(text: string, offset: number): number {
  let index = offset;
  while (text[index] === ' ' || text[index] === '\t') index++;
  return index;
}

/** The offset of a 1-based line and column in `text`, or -1. */
function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) return -1;
    start = newline + 1;
  }
  return start + column - 1;
}

/**
 * The offset in `text` of the character at `wanted` in the decoded string that starts at
 * `start` (its opening quote, or its first character when plain), checking on the way that the
 * raw text decodes to `value`; undefined when it does not or the string leaves the line.
 */
function rawIndex(text: string, start: number, value: string, wanted: number): number | undefined {
  const quote = text[start];
  if (quote !== "'" && quote !== '"') {
    for (let index = 0; index < wanted; index++) if (text[start + index] !== value[index]) return undefined;
    return start + wanted;
  }
  let raw = start + 1;
  for (let decoded = 0; decoded < wanted; decoded++) {
    const character = text[raw];
    if (character === undefined || character === '\n' || character === '\r') return undefined;
    if (quote === "'" && character === "'") {
      if (text[raw + 1] !== "'" || value[decoded] !== "'") return undefined;
      raw += 2;
    } else if (quote === '"' && character === '\\') {
      const width = ESCAPE_WIDTHS[text[raw + 1]] ?? 2;
      raw += width;
    } else if (quote === '"' && character === '"') {
      return undefined;
    } else {
      if (character !== value[decoded]) return undefined;
      raw += 1;
    }
  }
  return raw;
}

/** Raw widths of the double-quoted escapes that stand for one character. */
const ESCAPE_WIDTHS: Readonly<Record<string, number>> = { x: 4, u: 6, U: 10 };
