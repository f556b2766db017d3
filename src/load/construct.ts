import type { ScalarEvent, Schema } from 'js-yaml';
import { keyText } from './go-yaml.js';
import type { PackedEvents } from './packed-events.js';
import { DOCUMENT, MAPPING, NO_RANGE, PLAIN_STYLE, POP, SCALAR, SEQUENCE } from './yaml-events.js';

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** What {@link constructPlainDocuments} needs of js-yaml besides the events. */
export interface PlainConstruction {
  /** The schema plain scalars are resolved with (null, booleans, numbers, else a string). */
  readonly schema: Schema;
  /** js-yaml's decoding of a scalar's text: escapes, folding, block indentation. */
  readonly scalarValue: (source: string, scalar: ScalarEvent) => string;
  /**
   * True for a plain scalar's text that the schema certainly resolves to itself, a string (see
   * go-yaml.ts, isPlainString): most keys and values, resolved without the schema's resolvers.
   */
  readonly isPlainString?: (text: string) => boolean;
  /**
   * Called when a mapping has a key written twice: the later value is kept, as go-yaml's
   * non-strict decoding that kubectl uses keeps it.
   */
  readonly onDuplicateKey?: () => void;
}

/**
 * Constructs the documents of an event stream exactly as js-yaml's `constructFromEvents` does
 * with the manifest schema (and `json: true`: a key written twice keeps its last value), for the
 * streams almost every manifest is: untagged scalars and collections, no anchors, aliases or
 * merge keys, scalar keys. Returns
 * undefined as soon as the stream holds anything else, and js-yaml constructs it then (and
 * reports its errors, which only those constructs can raise).
 *
 * js-yaml's constructor is general: a frame object per collection, tag lookups, anchor and merge
 * bookkeeping and a position worked out for every event. On manifests this loop does the same
 * in about half the time, and constructing is a sixth of loading.
 */
export function constructPlainDocuments(
  events: PackedEvents,
  source: string,
  construction: PlainConstruction,
  /** Event ranges left out (the loader's projection): flat `[start, end)` pairs in event order. */
  skipped: readonly number[] = [],
): unknown[] | undefined {
  const { schema, scalarValue, onDuplicateKey, isPlainString } = construction;
  let nextSkip = 0;
  const documents: unknown[] = [];
  // The open collections, innermost last, and each mapping's key waiting for its value. An open
  // sequence is the index in `items` where its items start: its array is made when it closes,
  // of exactly its length (an array grown by push keeps room for 17 items, and most sequences of
  // a manifest hold one or two: a tenth of a large tree's memory).
  const open: (number | Record<string, unknown>)[] = [];
  const isSequence: boolean[] = [];
  const items: unknown[] = [];
  let itemCount = 0;
  const pendingKeys: (string | undefined)[] = [];
  let documentValue: unknown;
  const { types, tagStarts, anchorStarts } = events;
  // The scalar handed to js-yaml's decoding, one object rewritten for each (it keeps nothing).
  const scalar: ScalarEvent = {
    type: SCALAR, valueStart: NO_RANGE, valueEnd: NO_RANGE, anchorStart: NO_RANGE, anchorEnd: NO_RANGE, tagStart: NO_RANGE, tagEnd: NO_RANGE,
    style: PLAIN_STYLE, chomping: 1, indent: -1, fast: false,
  };
  for (let index = 0; index < events.length; index++) {
    if (index === skipped[nextSkip]) {
      index = skipped[nextSkip + 1] - 1;
      nextSkip += 2;
      continue;
    }
    let value: unknown;
    const type = types[index];
    switch (type) {
      case DOCUMENT:
        documentValue = undefined;
        continue;
      case SCALAR: {
        if (tagStarts[index] !== NO_RANGE || anchorStarts[index] !== NO_RANGE) return undefined;
        // A fast scalar's value is its source text (as js-yaml's getScalarValue gives it).
        const start = events.starts[index];
        const text = events.isFast(index) && start !== NO_RANGE ? source.slice(start, events.ends[index]) : scalarValue(source, events.scalarInto(index, scalar));
        if (events.scalarStyle(index) === PLAIN_STYLE) {
          if (isPlainString?.(text)) {
            value = text;
            break;
          }
          const resolved = schema.resolveImplicitScalarTag(text);
          // `<<` asks for a merge: js-yaml's rules apply.
          if (resolved.tag.tagName === MERGE_TAG) return undefined;
          value = resolved.value;
        } else {
          value = text;
        }
        break;
      }
      case SEQUENCE:
      case MAPPING: {
        if (tagStarts[index] !== NO_RANGE || anchorStarts[index] !== NO_RANGE) return undefined;
        open.push(type === SEQUENCE ? itemCount : {});
        isSequence.push(type === SEQUENCE);
        pendingKeys.push(undefined);
        continue;
      }
      case POP:
        if (open.length === 0) {
          // The end of a document (undefined when it held nothing, as js-yaml gives it).
          documents.push(documentValue);
          continue;
        }
        // A key without its value: js-yaml reports the incomplete pair.
        if (pendingKeys.pop() !== undefined) return undefined;
        if (isSequence.pop()) {
          const start = open.pop() as number;
          value = items.slice(start, itemCount);
          itemCount = start;
        } else {
          value = open.pop();
        }
        break;
      default:
        // An alias, or an event this loop does not know.
        return undefined;
    }
    const depth = open.length;
    if (depth === 0) {
      documentValue = value;
      continue;
    }
    if (isSequence[depth - 1]) {
      items[itemCount++] = value;
      continue;
    }
    const parent = open[depth - 1] as Record<string, unknown>;
    const key = pendingKeys[depth - 1];
    if (key === undefined) {
      // A collection as a key is an error for js-yaml's object-based mappings.
      if (value !== null && typeof value === 'object') return undefined;
      pendingKeys[depth - 1] = typeof value === 'number' ? keyText(value) : String(value);
      continue;
    }
    pendingKeys[depth - 1] = undefined;
    // `__proto__` is defined as an own property: js-yaml's rules apply.
    if (key === '__proto__') return undefined;
    if (onDuplicateKey && Object.hasOwn(parent, key)) onDuplicateKey();
    parent[key] = value;
  }
  return documents;
}
