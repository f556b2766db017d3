import type { ScalarEvent } from 'js-yaml';
import type { PackedEvents } from './packed-events.js';
import type { FieldPath } from './path.js';
import type { SourceFile } from './source-file.js';
import type { SourceLocation } from '../finding.js';
import { ALIAS, DOCUMENT, DOUBLE_QUOTED_STYLE, MAPPING, PLAIN_STYLE, POP, SCALAR, SEQUENCE, SINGLE_QUOTED_STYLE } from './yaml-events.js';

const QUOTED_STYLES = new Set([SINGLE_QUOTED_STYLE, DOUBLE_QUOTED_STYLE]);
/**
 * Plain scalars kubectl's YAML reader may read as null, a boolean or a number start with one of
 * these (numbers, timestamps, `.inf`, `.nan`, `~`) or are one of the words below (or are empty).
 */
const NUMBER_FIRST_CHARACTERS = new Uint8Array(128);
for (const character of '-+.0123456789~') NUMBER_FIRST_CHARACTERS[character.charCodeAt(0)] = 1;
/** The words go-yaml v2 (kubectl's YAML reader) reads as null or a boolean (YAML 1.1: `yes`, `on`, `n`...). */
const WORDS: ReadonlySet<string> = new Set([
  'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF',
]);
/** Keys of the mapping being checked (see mappingKeysMayClash), reused; larger mappings are checked with a set. */
const KEY_SCRATCH = 16;
const keyNodes = new Int32Array(KEY_SCRATCH);
const keyStarts = new Int32Array(KEY_SCRATCH);
const keyLengths = new Int32Array(KEY_SCRATCH);
/** The constructed text of each key so far, once a comparison has needed it. */
const keyTexts: (string | undefined)[] = new Array<string | undefined>(KEY_SCRATCH).fill(undefined);

/** True when `source` holds the same `length` characters at `a` and at `b`. */
function sameCharacters(source: string, a: number, b: number, length: number): boolean {
  for (let offset = 0; offset < length; offset++) if (source.charCodeAt(a + offset) !== source.charCodeAt(b + offset)) return false;
  return true;
}

// Each node event is packed into four Int32 slots, so that keeping the positions of a 22 MB
// manifest tree costs tens of megabytes instead of the hundreds that the event objects take.
const SLOTS = 4;
const HEADER = 0; // event type | style << 3 | fast << 6 | tagged << 7
const START = 1; // offset of the node (scalar value start; -1 for an empty scalar)
const END = 2; // end offset of a scalar, -1 otherwise
const NEXT = 3; // index of the node after this one and its children

/** The positions of a text plus, transiently, the event range of each node. */
export interface IndexedEvents {
  readonly positions: DocumentPositions;
  /**
   * `[eventStart[node], eventEnd[node])` is the event range of each node, children and closing
   * event included. Scratch arrays shared by every call: valid until the next `indexEvents`.
   */
  readonly eventStart: Int32Array;
  readonly eventEnd: Int32Array;
}

// Scratch space of indexEvents, grown as needed and reused for every file: a tree of thousands
// of small manifests would otherwise allocate (and zero) three typed arrays per file.
let scratchNodes = new Int32Array(1024 * SLOTS);
let scratchStart = new Int32Array(1024);
let scratchEnd = new Int32Array(1024);

function ensureScratch(capacity: number): void {
  if (scratchStart.length >= capacity) return;
  const size = Math.max(capacity, scratchStart.length * 2);
  scratchNodes = new Int32Array(size * SLOTS);
  scratchStart = new Int32Array(size);
  scratchEnd = new Int32Array(size);
}

/** Where a field path ends up in the source, and whether the whole path was found. */
export interface ResolvedPosition {
  readonly location: SourceLocation;
  /** False when the path leaves the document and the location is that of its nearest ancestor. */
  readonly exact: boolean;
}

/**
 * The positions of every node of the documents parsed from one text, built from the same
 * `parseEvents` stream that constructs the values. Answers "where is this field path?" lazily.
 */
export class DocumentPositions {
  private constructor(
    private readonly file: SourceFile,
    private readonly source: string,
    private readonly baseOffset: number,
    private readonly nodes: Int32Array,
    /** Index of each document's root node, or -1 for an empty document. */
    readonly documentRoots: readonly number[],
  ) {}

  /**
   * Packs the node events of `source` (a slice of `file` starting at `baseOffset`) and also
   * returns, for the loader's projection, the event range of every node (`[eventStart, eventEnd)`,
   * children and closing event included).
   */
  static indexEvents(file: SourceFile, source: string, baseOffset: number, events: PackedEvents): IndexedEvents {
    // At most one node per event: sized without a counting pass, the excess is never read.
    ensureScratch(events.length);
    const nodes = scratchNodes;
    const eventStart = scratchStart;
    const eventEnd = scratchEnd;
    const documentRoots: number[] = [];
    const open: number[] = [];
    const { types, starts, ends, tagStarts, anchorStarts, anchorEnds } = events;
    let node = 0;
    let rootPending = false;
    for (let index = 0; index < events.length; index++) {
      const type = types[index];
      if (type === DOCUMENT) {
        rootPending = true;
        documentRoots.push(-1);
        continue;
      }
      if (type === POP) {
        // The closing event of a collection, or of a document when no collection is open.
        if (open.length > 0) {
          const closed = open.pop()!;
          nodes[closed * SLOTS + NEXT] = node;
          eventEnd[closed] = index + 1;
        }
        continue;
      }
      eventStart[node] = index;
      eventEnd[node] = index + 1;
      if (rootPending) {
        documentRoots[documentRoots.length - 1] = node;
        rootPending = false;
      }
      const slot = node * SLOTS;
      if (type === SCALAR) {
        const style = events.scalarStyle(index);
        // Quoted scalars' value ranges exclude the quotes; point at the opening quote.
        const quote = style === SINGLE_QUOTED_STYLE || style === DOUBLE_QUOTED_STYLE ? 1 : 0;
        const valueStart = starts[index];
        nodes[slot + HEADER] = SCALAR | (style << 3) | (events.isFast(index) ? 64 : 0) | (tagStarts[index] >= 0 ? 128 : 0);
        nodes[slot + START] = valueStart < 0 ? -1 : valueStart - quote;
        nodes[slot + END] = valueStart < 0 ? -1 : ends[index] + quote;
        nodes[slot + NEXT] = node + 1;
      } else if (type === ALIAS) {
        nodes[slot + HEADER] = ALIAS;
        nodes[slot + START] = anchorStarts[index] - 1;
        nodes[slot + END] = anchorEnds[index];
        nodes[slot + NEXT] = node + 1;
      } else {
        nodes[slot + HEADER] = type | (events.styles[index] << 3);
        // The content's start, not its anchor's: `--- &base` puts the anchor on the separator line.
        nodes[slot + START] = starts[index];
        nodes[slot + END] = -1;
        nodes[slot + NEXT] = node + 1; // until its closing event says where it ends
        open.push(node);
      }
      node++;
    }
    return {
      // A copy of exactly the nodes: what the graph keeps for the lifetime of the run.
      positions: new DocumentPositions(file, source, baseOffset, nodes.slice(0, node * SLOTS), documentRoots),
      eventStart,
      eventEnd,
    };
  }

  /** Returns the node kind of `node`: mapping, sequence, scalar or alias. */
  nodeKind(node: number): 'mapping' | 'sequence' | 'scalar' | 'alias' {
    switch (this.nodes[node * SLOTS + HEADER] & 7) {
      case MAPPING: return 'mapping';
      case SEQUENCE: return 'sequence';
      case SCALAR: return 'scalar';
      default: return 'alias';
    }
  }

  /**
   * Returns the node after `node` and all of its children: its next sibling, or the end of its
   * parent. The children of a collection are the nodes from `node + 1` up to `after(node)`.
   */
  after(node: number): number {
    return this.nodes[node * SLOTS + NEXT];
  }

  /**
   * Returns where the node at `path` of document `documentIndex` (the document itself by default)
   * lies in {@link sourceText}: from its first character (after the tag and anchor of the node) to
   * the end of its last descendant's text (`contentEnd`: closing brackets, comments and the next
   * `---` left out), and, for a document, to the start of the next document's root (`end`; for a
   * node inside, `contentEnd`). Undefined for an empty document or a path not in it. Two nodes
   * whose text from `start` to `contentEnd` is equal, at the same indentation, hold equal values:
   * every node starts, and every scalar ends, inside that text.
   */
  documentExtent(documentIndex: number, path: FieldPath = []): { readonly start: number; readonly contentEnd: number; readonly end: number } | undefined {
    const root = this.nodeAt(documentIndex, path);
    const start = root < 0 ? -1 : this.nodes[root * SLOTS + START];
    if (start < 0) return undefined;
    const nodes = this.nodes;
    let contentEnd = start + 1;
    for (let node = root, stop = nodes[root * SLOTS + NEXT]; node < stop; node++) {
      const nodeStart = nodes[node * SLOTS + START];
      const nodeEnd = nodes[node * SLOTS + END];
      contentEnd = Math.max(contentEnd, nodeEnd >= 0 ? nodeEnd : nodeStart + 1);
    }
    if (path.length > 0) return { start, contentEnd, end: contentEnd };
    let end = this.source.length;
    for (let index = documentIndex + 1; index < this.documentRoots.length; index++) {
      const next = this.documentRoots[index];
      if (next >= 0 && nodes[next * SLOTS + START] >= 0) {
        end = nodes[next * SLOTS + START];
        break;
      }
    }
    return { start, contentEnd, end };
  }

  /** Returns the `[key, value]` node pairs of a mapping node, in source order. */
  mappingEntries(mapping: number): [number, number][] {
    const entries: [number, number][] = [];
    const stop = this.nodes[mapping * SLOTS + NEXT];
    for (let key = mapping + 1; key < stop;) {
      const value = this.nodes[key * SLOTS + NEXT];
      entries.push([key, value]);
      key = this.nodes[value * SLOTS + NEXT];
    }
    return entries;
  }

  /** Returns the item nodes of a sequence node. */
  sequenceItems(sequence: number): number[] {
    const items: number[] = [];
    const stop = this.nodes[sequence * SLOTS + NEXT];
    for (let item = sequence + 1; item < stop; item = this.nodes[item * SLOTS + NEXT]) items.push(item);
    return items;
  }

  /**
   * True when constructing a mapping in the subtree of `node` (itself included) may fail on that
   * mapping's keys: two keys construct to the same key (`a` twice; `1`, `0x1` and `"1"`), a key is
   * not an untagged scalar, or a merge (`<<`) asks construction to apply its rules. `resolvePlain`
   * gives the key a plain scalar constructs to (`0x1` gives `1`), asked only of plain keys that may
   * read as something other than a string. This runs over everything the loader leaves out, so
   * keys are compared where they are written, without copies, when they need no decoding.
   */
  subtreeKeysMayClash(node: number, resolvePlain: (text: string) => string): boolean {
    const nodes = this.nodes;
    for (let current = node, stop = nodes[node * SLOTS + NEXT]; current < stop; current++) {
      if ((nodes[current * SLOTS + HEADER] & 7) === MAPPING && this.mappingKeysMayClash(current, resolvePlain)) return true;
    }
    return false;
  }

  /** True when mapping `mapping` may fail construction on its own keys (see {@link subtreeKeysMayClash}). */
  mappingKeysMayClash(mapping: number, resolvePlain: (text: string) => string): boolean {
    const nodes = this.nodes;
    const source = this.source;
    const end = nodes[mapping * SLOTS + NEXT];
    // Each key once: where its text starts, its length (quotes aside), and whether it must be
    // compared as constructed (escapes, or a plain scalar that may read as a non-string); -1 then.
    let count = 0;
    for (let key = mapping + 1; key < end; key = nodes[nodes[key * SLOTS + NEXT] * SLOTS + NEXT]) {
      const header = nodes[key * SLOTS + HEADER];
      if ((header & 7) !== SCALAR || header & 128) return true;
      const style = (header >> 3) & 7;
      const quote = style === SINGLE_QUOTED_STYLE || style === DOUBLE_QUOTED_STYLE ? 1 : 0;
      const start = nodes[key * SLOTS + START] + quote;
      const length = nodes[key * SLOTS + END] - quote - start;
      if (style === PLAIN_STYLE && length === 2 && source.charCodeAt(start) === 60 && source.charCodeAt(start + 1) === 60) return true;
      if (count === KEY_SCRATCH) return this.manyKeysClash(mapping, resolvePlain);
      const plainComparison = (header >> 6) & 1 && !this.mayReadAsNonString(key);
      // Constructed once per key, when a comparison needs it (not once per comparison).
      let constructed: string | undefined;
      for (let other = 0; other < count; other++) {
        if (plainComparison && keyLengths[other] >= 0) {
          if (keyLengths[other] !== length || !sameCharacters(source, keyStarts[other], start, length)) continue;
          return true;
        }
        constructed ??= this.constructedKey(key, resolvePlain);
        if ((keyTexts[other] ??= this.constructedKey(keyNodes[other], resolvePlain)) === constructed) return true;
      }
      keyNodes[count] = key;
      keyStarts[count] = start;
      keyLengths[count] = plainComparison ? length : -1;
      keyTexts[count] = constructed;
      count++;
    }
    return false;
  }

  /** The key scalar `node` constructs to, as text. */
  private constructedKey(node: number, resolvePlain: (text: string) => string): string {
    const text = this.keyText(node);
    return this.mayReadAsNonString(node) ? resolvePlain(text) : text;
  }

  /**
   * The check of {@link mappingKeysMayClash} for a large mapping, with a set of the constructed keys
   * (a quoted `"<<"` counts as a merge here too: construction then decides).
   */
  private manyKeysClash(mapping: number, resolvePlain: (text: string) => string): boolean {
    const nodes = this.nodes;
    const seen = new Set<string>();
    for (let key = mapping + 1, end = nodes[mapping * SLOTS + NEXT]; key < end; key = nodes[nodes[key * SLOTS + NEXT] * SLOTS + NEXT]) {
      const header = nodes[key * SLOTS + HEADER];
      if ((header & 7) !== SCALAR || header & 128) return true;
      const text = this.keyText(key);
      const constructed = ((header >> 3) & 7) === PLAIN_STYLE && this.mayReadAsNonString(key) ? resolvePlain(text) : text;
      if (constructed === '<<' || seen.has(constructed)) return true;
      seen.add(constructed);
    }
    return false;
  }

  /** True for a plain scalar that may read as a null, boolean or number (see NUMBER_FIRST_CHARACTERS), checked in place. */
  private mayReadAsNonString(node: number): boolean {
    const nodes = this.nodes;
    if (((nodes[node * SLOTS + HEADER] >> 3) & 7) !== PLAIN_STYLE) return false;
    const start = nodes[node * SLOTS + START];
    const end = nodes[node * SLOTS + END];
    if (start < 0 || end === start) return true;
    const source = this.source;
    const first = source.charCodeAt(start);
    if (first < 128 && NUMBER_FIRST_CHARACTERS[first] === 1) return true;
    // Only the null and boolean words remain, all of five letters or fewer.
    return end - start <= 5 && WORDS.has(source.slice(start, end));
  }

  /**
   * The keys written twice in a mapping, each with the earlier key it repeats (as constructed:
   * `1` and `0x1` are the same key), in source order. Merge keys (`<<`) do not count.
   */
  duplicateKeys(resolvePlain: (text: string) => string): { readonly key: number; readonly earlier: number }[] {
    const nodes = this.nodes;
    const found: { key: number; earlier: number }[] = [];
    const total = nodes.length / SLOTS;
    for (let mapping = 0; mapping < total; mapping++) {
      if ((nodes[mapping * SLOTS + HEADER] & 7) !== MAPPING) continue;
      const seen = new Map<string, number>();
      for (let key = mapping + 1, end = nodes[mapping * SLOTS + NEXT]; key < end; key = nodes[nodes[key * SLOTS + NEXT] * SLOTS + NEXT]) {
        if ((nodes[key * SLOTS + HEADER] & 7) !== SCALAR) continue;
        const text = this.keyText(key);
        const plain = ((nodes[key * SLOTS + HEADER] >> 3) & 7) === PLAIN_STYLE;
        if (plain && text === '<<') continue;
        const constructed = plain && this.mayReadAsNonString(key) ? resolvePlain(text) : text;
        const earlier = seen.get(constructed);
        if (earlier === undefined) seen.set(constructed, key);
        else found.push({ key, earlier });
      }
    }
    return found;
  }

  /**
   * The text a scalar at `path` is written as (`n`, `0755`, `yes`), when `path` leads to a scalar
   * value: messages show it beside the value kubectl reads it as.
   */
  writtenText(documentIndex: number, path: FieldPath): string | undefined {
    const root = this.documentRoots[documentIndex] ?? -1;
    if (root < 0) return undefined;
    let node = root;
    for (const segment of path) {
      const header = this.nodes[node * SLOTS + HEADER] & 7;
      if (typeof segment === 'number' && header === SEQUENCE) node = this.sequenceItem(node, segment);
      else if (header === MAPPING) {
        const key = this.mappingKey(node, String(segment));
        node = key < 0 ? -1 : this.nodes[key * SLOTS + NEXT];
      } else return undefined;
      if (node < 0) return undefined;
    }
    if ((this.nodes[node * SLOTS + HEADER] & 7) !== SCALAR) return undefined;
    const start = this.nodes[node * SLOTS + START];
    return start < 0 ? '' : this.source.slice(start, this.nodes[node * SLOTS + END]);
  }

  /** The location of a node of these documents (a key: the key itself). */
  nodeLocation(node: number): SourceLocation {
    const start = this.nodeStart(node);
    return this.span(start, this.nodeEnd(node, start));
  }

  /** Returns the decoded text of a scalar node (a mapping key), or undefined for other nodes. */
  scalarText(node: number): string | undefined {
    return (this.nodes[node * SLOTS + HEADER] & 7) === SCALAR ? this.keyText(node) : undefined;
  }

  /** The file these positions belong to. */
  get sourceFile(): SourceFile {
    return this.file;
  }

  /** The text the documents were parsed from: the file's, or a part of it when it was parsed document by document. */
  get sourceText(): string {
    return this.source;
  }

  /**
   * Returns the location of `path` inside document `documentIndex`: the key of a mapping
   * member, the start of a sequence item, or the nearest existing ancestor when the path is
   * not in the source (Spectral's fallback), so a finding always has a line.
   */
  locate(documentIndex: number, path: FieldPath): ResolvedPosition {
    const root = this.documentRoots[documentIndex] ?? -1;
    if (root < 0) return { location: this.span(0, 0), exact: false };
    let node = root;
    let start = this.nodeStart(root);
    let end = this.nodeEnd(root, start);
    for (const segment of path) {
      const header = this.nodes[node * SLOTS + HEADER] & 7;
      if (typeof segment === 'number' && header === SEQUENCE) {
        const item = this.sequenceItem(node, segment);
        if (item < 0) return { location: this.span(start, end), exact: false };
        node = item;
        const itemStart = this.nodeStart(item);
        if (itemStart >= 0) {
          start = itemStart;
          end = this.nodeEnd(item, itemStart);
        }
      } else if (header === MAPPING) {
        const key = this.mappingKey(node, String(segment));
        if (key < 0) return { location: this.span(start, end), exact: false };
        start = this.nodes[key * SLOTS + START];
        end = this.nodes[key * SLOTS + END];
        node = this.nodes[key * SLOTS + NEXT];
      } else {
        return { location: this.span(start, end), exact: false };
      }
    }
    return { location: this.span(start, end), exact: true };
  }

  /** The node at `path` in document `documentIndex`, or -1 when the path is not in it. */
  private nodeAt(documentIndex: number, path: FieldPath): number {
    let node = this.documentRoots[documentIndex] ?? -1;
    for (const segment of path) {
      if (node < 0) return -1;
      const header = this.nodes[node * SLOTS + HEADER] & 7;
      if (typeof segment === 'number' && header === SEQUENCE) {
        node = this.sequenceItem(node, segment);
      } else if (header === MAPPING) {
        const key = this.mappingKey(node, String(segment));
        node = key < 0 ? -1 : this.nodes[key * SLOTS + NEXT];
      } else {
        return -1;
      }
    }
    return node;
  }

  private nodeStart(node: number): number {
    return this.nodes[node * SLOTS + START];
  }

  private nodeEnd(node: number, start: number): number {
    const end = this.nodes[node * SLOTS + END];
    return end >= 0 ? end : start + 1;
  }

  private sequenceItem(sequence: number, index: number): number {
    const stop = this.nodes[sequence * SLOTS + NEXT];
    if (index >= ITEMS_WALKED) {
      // Findings on many items of one long list (100,000 excepts) would walk it once each.
      let items = this.itemTables.get(sequence);
      if (!items) {
        const found: number[] = [];
        for (let child = sequence + 1; child < stop; child = this.nodes[child * SLOTS + NEXT]) found.push(child);
        items = Int32Array.from(found);
        this.itemTables.set(sequence, items);
      }
      return index < items.length ? items[index] : -1;
    }
    let child = sequence + 1;
    for (let position = 0; child < stop; position++) {
      if (position === index) return child;
      child = this.nodes[child * SLOTS + NEXT];
    }
    return -1;
  }

  /** The items of the long sequences located into, by sequence node: built on the first look past ITEMS_WALKED. */
  private readonly itemTables = new Map<number, Int32Array>();

  private mappingKey(mapping: number, wanted: string): number {
    const stop = this.nodes[mapping * SLOTS + NEXT];
    let key = mapping + 1;
    // The last match wins, as it does when the values are constructed (JSON allows duplicates).
    let found = -1;
    while (key < stop) {
      if ((this.nodes[key * SLOTS + HEADER] & 7) === SCALAR && this.keyIs(key, wanted)) found = key;
      const value = this.nodes[key * SLOTS + NEXT];
      key = this.nodes[value * SLOTS + NEXT];
    }
    return found;
  }

  /** True when the scalar `node` reads `wanted`; a key written plainly is compared in place, without a copy. */
  private keyIs(node: number, wanted: string): boolean {
    const slot = node * SLOTS;
    const header = this.nodes[slot + HEADER];
    const start = this.nodes[slot + START];
    if ((header >> 6) & 1 && start >= 0 && !QUOTED_STYLES.has((header >> 3) & 7)) {
      return this.nodes[slot + END] - start === wanted.length && this.source.startsWith(wanted, start);
    }
    return this.keyText(node) === wanted;
  }

  private keyText(node: number): string {
    const slot = node * SLOTS;
    const header = this.nodes[slot + HEADER];
    const start = this.nodes[slot + START];
    if (start < 0) return '';
    const style = (header >> 3) & 7;
    const quoted = QUOTED_STYLES.has(style);
    const valueStart = start + (quoted ? 1 : 0);
    const valueEnd = this.nodes[slot + END] - (quoted ? 1 : 0);
    if ((header >> 6) & 1) return this.source.slice(valueStart, valueEnd);
    return decodeScalar(this.source, valueStart, valueEnd, style);
  }

  private span(start: number, end: number): SourceLocation {
    const from = this.file.lineAndColumn(this.baseOffset + Math.max(start, 0));
    const to = this.file.lineAndColumn(this.baseOffset + Math.max(end, start, 0));
    return { file: this.file.path, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  }
}

/** How far into a sequence an item is found by walking it; items further on come from a table of the sequence's items. */
const ITEMS_WALKED = 32;

let scalarDecoder: ((input: string, scalar: ScalarEvent) => string) | undefined;

/** Installs js-yaml's scalar decoder; the loader does this once, so this module stays light. */
export function useScalarDecoder(decoder: (input: string, scalar: ScalarEvent) => string): void {
  scalarDecoder = decoder;
}

function decodeScalar(source: string, valueStart: number, valueEnd: number, style: number): string {
  if (!scalarDecoder) return source.slice(valueStart, valueEnd);
  return scalarDecoder(source, {
    type: SCALAR,
    valueStart,
    valueEnd,
    anchorStart: -1,
    anchorEnd: -1,
    tagStart: -1,
    tagEnd: -1,
    style: style as ScalarEvent['style'],
    chomping: 1,
    indent: -1,
    fast: false,
  });
}
