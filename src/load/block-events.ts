import { PackedEvents } from './packed-events.js';
import {
  BLOCK_COLLECTION, CLIP_CHOMPING, DOUBLE_QUOTED_STYLE, FLOW_COLLECTION, FOLDED_STYLE, KEEP_CHOMPING,
  LITERAL_STYLE, MAPPING, NO_RANGE, PLAIN_STYLE, SEQUENCE, SINGLE_QUOTED_STYLE, STRIP_CHOMPING,
} from './yaml-events.js';

/**
 * Reads the event stream of the YAML that manifests are written in, exactly as js-yaml's
 * `parseEvents` gives it (packed, into `into`), or returns undefined and js-yaml reads the text
 * (and reports its errors).
 *
 * Why: js-yaml's parser is general, so each node costs it a state snapshot, a properties object,
 * a copy of every plain scalar for a printable-character check and a trial parse as a mapping
 * key; reading events was more than half of loading. Manifests written by people, kubectl and
 * Helm use a small part of YAML: block mappings and sequences indented with spaces, one-line
 * plain and quoted scalars, literal and folded block scalars, flow collections on one line,
 * comments and `---`. This reads that part only, in one pass over the characters.
 *
 * It gives up (returns undefined) on everything else: tabs, carriage returns, byte order marks
 * and NUL anywhere in the text, characters js-yaml rejects in scalars; directives, `...`,
 * anchors, aliases, tags, explicit `?` keys, flow collections over several lines, plain and
 * quoted scalars over several lines, deep nesting, and whatever js-yaml would report as an
 * error. Giving up is never wrong, only slower. test/load/block-events.test.ts compares its
 * streams with js-yaml's on every manifest of the corpus and on random and edited texts.
 */
export function readBlockEvents(text: string, into = new PackedEvents()): PackedEvents | undefined {
  if (hasCharactersLeftToJsYaml(text)) return undefined;
  // Manifests take 8 to 15 characters per event; sized so that a large file grows the stream once.
  into.reset().reserve(text.length >> 3);
  const reader = new BlockEventReader(text, into);
  try {
    reader.readStream();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  return reader.events;
}

/** Thrown (and caught in {@link readBlockEvents}) where the text leaves the part this reads. */
const GIVE_UP = new Error('leave this text to js-yaml');

// Character codes.
const LINE_FEED = 10;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const HASH = 35;
const SINGLE_QUOTE = 39;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const LEFT_BRACKET = 91;
const BACKSLASH = 92;
const RIGHT_BRACKET = 93;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;
const PIPE = 124;
const GREATER = 62;
const PLUS = 43;
const PERCENT = 37;
const QUESTION = 63;
const AMPERSAND = 38;
const ASTERISK = 42;
const EXCLAMATION = 33;
const AT = 64;
const BACKTICK = 96;
const DIGIT_ZERO = 48;
const DIGIT_NINE = 57;

/**
 * Deeper than this, js-yaml's depth limit comes near (its default maxDepth, 100 nodes, keys
 * included; the loader does not change it): js-yaml decides.
 */
const MAX_NESTING = 40;

/**
 * Keys longer than this are left to js-yaml, and the loader then reports them: kubectl's YAML
 * reader (go-yaml) refuses an implicit key whose ':' is more than 1024 characters after its start.
 */
const MAX_KEY_LENGTH = 1000;

/**
 * The characters js-yaml rejects in plain and block scalars (its PATTERN_NON_PRINTABLE), and a
 * simpler pattern that finds at least those, faster.
 */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const MAYBE_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Tabs, carriage returns and byte order marks change how js-yaml reads lines and indentation
 * wherever they are, and it rejects NUL anywhere: such texts are left to it. (indexOf finds one
 * character several times faster than a pattern of several.)
 */
function hasCharactersLeftToJsYaml(text: string): boolean {
  return text.indexOf('\t') !== -1 || text.indexOf('\r') !== -1 || text.indexOf('\ufeff') !== -1 || text.indexOf('\0') !== -1;
}

/**
 * Whether the character at `index` of a plain scalar (not a line feed, tab or carriage return),
 * outside printable ASCII, is one js-yaml rejects: C0 and C1 controls (not U+0085), U+FFFE,
 * U+FFFF and surrogates not in a pair.
 */
function isNonPrintableAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < SPACE || (code >= 0x7f && code <= 0x9f && code !== 0x85) || code === 0xfffe || code === 0xffff) return true;
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(index + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = text.charCodeAt(index - 1);
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return false;
}

/** A space, a line break or the end of the text (NaN), the characters that may follow `-` or `:` as indicators. */
function isBlankOrEnd(code: number): boolean {
  return code === SPACE || code === LINE_FEED || isEnd(code);
}

function isFlowIndicator(code: number): boolean {
  return code === COMMA || code === LEFT_BRACKET || code === RIGHT_BRACKET || code === LEFT_BRACE || code === RIGHT_BRACE;
}

/** The end of the text: charCodeAt past it gives NaN. */
function isEnd(code: number): boolean {
  return code !== code;
}

/** The escapes js-yaml accepts after a backslash in a double-quoted scalar, besides \x, \u and \U. */
const SIMPLE_ESCAPES = new Set([...'0abt\tnvfre "/\\N_LP'].map((character) => character.charCodeAt(0)));
/** How many hexadecimal digits follow \x, \u and \U. */
const HEX_ESCAPE_DIGITS = new Map([['x'.charCodeAt(0), 2], ['u'.charCodeAt(0), 4], ['U'.charCodeAt(0), 8]]);

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102);
}

/**
 * Whether a plain scalar may start with `code` followed by `following`, in block context (`-`,
 * `?` and `:` before a blank are indicators) or in a flow collection (also before `,[]{}`). js-yaml
 * starts one with `:` before a blank, and finds it empty: that is left to it.
 */
function startsPlain(code: number, following: number, inFlow: boolean): boolean {
  if (cannotStartPlain(code)) return false;
  if (code !== DASH && code !== QUESTION && code !== COLON) return true;
  return !isBlankOrEnd(following) && !(inFlow && isFlowIndicator(following));
}

/** A first character js-yaml never starts a plain scalar with. */
function cannotStartPlain(code: number): boolean {
  switch (code) {
    case SPACE: case LINE_FEED: case HASH: case AMPERSAND: case ASTERISK: case EXCLAMATION: case PIPE: case GREATER:
    case SINGLE_QUOTE: case DOUBLE_QUOTE: case PERCENT: case AT: case BACKTICK:
    case COMMA: case LEFT_BRACKET: case RIGHT_BRACKET: case LEFT_BRACE: case RIGHT_BRACE:
      return true;
    default:
      return isEnd(code);
  }
}

/**
 * The reader's position rule: between nodes, `position` is at the first character of the next
 * line that holds content (not blank, not only a comment) and `indent` is that line's
 * indentation, or -1 at the end of the text.
 */
class BlockEventReader {
  private position = 0;
  private indent = 0;
  private nesting = 0;
  private readonly length: number;

  constructor(private readonly text: string, readonly events: PackedEvents) {
    this.length = text.length;
  }

  /** An empty scalar (a key or entry without a value, an empty document). */
  private pushEmptyScalar(): void {
    this.events.pushScalar(NO_RANGE, NO_RANGE, PLAIN_STYLE, CLIP_CHOMPING, -1, false);
  }

  readStream(): void {
    this.skipToContent();
    while (this.indent !== -1) {
      if (this.indent !== 0) throw GIVE_UP;
      const first = this.text.charCodeAt(this.position);
      // A directive or a document end marker.
      if (first === PERCENT || this.isDocumentMarker(DOT)) throw GIVE_UP;
      const explicitStart = this.isDocumentMarker(DASH);
      this.events.pushDocument(explicitStart, false);
      if (explicitStart) {
        this.position += 3;
        // Content on the marker's line would be a node js-yaml reads without the compact forms.
        this.endLine();
        const indent = this.skipToContent();
        if (indent === -1 || (indent === 0 && this.isDocumentMarker(DASH))) {
          this.pushEmptyScalar();
          this.events.pushPop();
          continue;
        }
        if (indent !== 0 || this.isDocumentMarker(DOT)) throw GIVE_UP;
      }
      if (this.isEntryIndicator()) this.readSequence(0);
      else this.readInlineNode(0, true);
      // After the root node only the next document may come.
      const next = this.indent as number;
      if (next !== -1 && !(next === 0 && this.isDocumentMarker(DASH))) throw GIVE_UP;
      this.events.pushPop();
    }
  }

  /** `---` (or `...`, by `code`) at the position, followed by a blank or the end. */
  private isDocumentMarker(code: number): boolean {
    return this.isDocumentMarkerAt(this.position, code);
  }

  /** `-` followed by a blank or the end: a block sequence entry. */
  private isEntryIndicator(): boolean {
    return this.text.charCodeAt(this.position) === DASH && isBlankOrEnd(this.text.charCodeAt(this.position + 1));
  }

  /**
   * From the start of a line, skips blank lines and comment lines and stops at the first
   * character of the next line with content, setting `indent` (-1 at the end of the text),
   * which it returns.
   */
  private skipToContent(): number {
    const text = this.text;
    let position = this.position;
    for (;;) {
      const lineStart = position;
      let code = text.charCodeAt(position);
      while (code === SPACE) code = text.charCodeAt(++position);
      if (code === LINE_FEED) {
        position++;
        continue;
      }
      if (code === HASH) {
        const lineEnd = text.indexOf('\n', position);
        if (lineEnd === -1) break;
        position = lineEnd + 1;
        continue;
      }
      if (isEnd(code)) break;
      this.position = position;
      return (this.indent = position - lineStart);
    }
    this.position = this.length;
    return (this.indent = -1);
  }

  /**
   * After a node on a line: allows spaces and a comment (after a space), then moves to the
   * start of the next line. Anything else on the line is left to js-yaml.
   */
  private endLine(): void {
    const text = this.text;
    let position = this.position;
    let code = text.charCodeAt(position);
    while (code === SPACE) code = text.charCodeAt(++position);
    if (code === HASH) {
      if (text.charCodeAt(position - 1) !== SPACE) throw GIVE_UP;
      const lineEnd = text.indexOf('\n', position);
      this.position = lineEnd === -1 ? this.length : lineEnd + 1;
      return;
    }
    if (code === LINE_FEED) {
      this.position = position + 1;
      return;
    }
    if (isEnd(code)) {
      this.position = position;
      return;
    }
    throw GIVE_UP;
  }

  private enter(): void {
    if (++this.nesting > MAX_NESTING) throw GIVE_UP;
  }

  /** The value of the key just read (the position is after its `:`), then the mapping's next entries. */
  private readMappingEntries(column: number): void {
    for (;;) {
      this.readMappingValue(column);
      if (this.indent < column) break;
      if (this.indent > column) throw GIVE_UP;
      if (column === 0 && this.isDocumentMarker(DASH)) break;
      // `-` in the mapping's own column ends it, and js-yaml then reports bad indentation.
      if (this.isEntryIndicator() || this.isDocumentMarker(DOT)) throw GIVE_UP;
      this.readKey();
    }
    this.events.pushPop();
    this.nesting--;
  }

  /** A key on one line, then its `:`. */
  private readKey(): void {
    const text = this.text;
    const code = text.charCodeAt(this.position);
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const keyStart = this.position;
      this.readQuoted(code);
      let position = this.position;
      while (text.charCodeAt(position) === SPACE) position++;
      if (text.charCodeAt(position) !== COLON || !isBlankOrEnd(text.charCodeAt(position + 1))) throw GIVE_UP;
      if (position - keyStart > MAX_KEY_LENGTH) throw GIVE_UP;
      this.position = position + 1;
      return;
    }
    if (!startsPlain(code, text.charCodeAt(this.position + 1), false)) throw GIVE_UP;
    const start = this.position;
    const end = this.scanPlain(false);
    if (text.charCodeAt(this.position) !== COLON || this.position - start > MAX_KEY_LENGTH) throw GIVE_UP;
    this.events.pushScalar(start, end, PLAIN_STYLE, CLIP_CHOMPING, -1, true);
    this.position++;
  }

  /**
   * Scans a plain scalar from the position to where js-yaml ends it on this line: before `: `,
   * ` #`, or the end of the line; in a flow collection (`inFlow`) also before `,[]{}` and before
   * `:` followed by one of those. Leaves the position there; returns the end of its text
   * (trailing spaces are not part of it).
   */
  private scanPlain(inFlow: boolean): number {
    const text = this.text;
    let position = this.position;
    let end = position;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === COLON) {
        const next = text.charCodeAt(position + 1);
        if (isBlankOrEnd(next) || (inFlow && isFlowIndicator(next))) break;
      } else if (code === HASH) {
        if (text.charCodeAt(position - 1) === SPACE) break;
      } else if (code === LINE_FEED || isEnd(code) || (inFlow && isFlowIndicator(code))) {
        break;
      } else if ((code < SPACE || code > 0x7e) && isNonPrintableAt(text, position)) {
        throw GIVE_UP;
      }
      if (code !== SPACE) end = position + 1;
      position++;
    }
    this.position = position;
    return end;
  }

  /**
   * A quoted scalar on one line, its opening quote at the position. js-yaml marks it `fast`
   * when its text is the source text (no `''` or escape).
   */
  private readQuoted(quote: number): void {
    const text = this.text;
    const start = this.position + 1;
    let position = start;
    let simple = true;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === quote) {
        if (quote === SINGLE_QUOTE && text.charCodeAt(position + 1) === SINGLE_QUOTE) {
          simple = false;
          position += 2;
          continue;
        }
        break;
      }
      if (code === LINE_FEED || isEnd(code) || code < SPACE) throw GIVE_UP;
      if (code === BACKSLASH && quote === DOUBLE_QUOTE) {
        simple = false;
        const escaped = text.charCodeAt(position + 1);
        if (SIMPLE_ESCAPES.has(escaped)) {
          position += 2;
          continue;
        }
        const digits = HEX_ESCAPE_DIGITS.get(escaped);
        if (digits === undefined) throw GIVE_UP;
        for (let digit = 0; digit < digits; digit++) {
          if (!isHexDigit(text.charCodeAt(position + 2 + digit))) throw GIVE_UP;
        }
        position += 2 + digits;
        continue;
      }
      position++;
    }
    this.events.pushScalar(start, position, quote === SINGLE_QUOTE ? SINGLE_QUOTED_STYLE : DOUBLE_QUOTED_STYLE, CLIP_CHOMPING, -1, simple);
    this.position = position + 1;
  }

  /** The value after a key's `:` in a mapping whose keys are in `column`. */
  private readMappingValue(column: number): void {
    const text = this.text;
    let position = this.position;
    while (text.charCodeAt(position) === SPACE) position++;
    const code = text.charCodeAt(position);
    if (code !== LINE_FEED && code !== HASH && code === code) {
      this.position = position;
      this.readInlineNode(column + 1, false);
      return;
    }
    // Nothing more on the key's line: the value is on the lines below, or empty.
    this.position = position;
    this.endLine();
    this.skipToContent();
    if (this.indent > column) {
      if (this.isEntryIndicator()) this.readSequence(this.indent);
      else this.readInlineNode(column + 1, true);
    } else if (this.indent === column && this.isEntryIndicator()) {
      // A sequence may sit in its key's column.
      this.readSequence(column);
    } else {
      this.pushEmptyScalar();
    }
  }

  /**
   * A node other than a block sequence, at the position: a scalar, a block scalar, a flow
   * collection, or (where `mayBeKey`) a block mapping, when a scalar is followed by `:`.
   * `nodeIndent` is the indentation js-yaml gives the node: its parent's plus one.
   *
   * js-yaml reads a node that may be a mapping as a candidate key first: a scalar not followed
   * by `:` is the node itself. Mapping values on the key's line may not be mappings.
   */
  private readInlineNode(nodeIndent: number, mayBeKey: boolean): void {
    const text = this.text;
    const start = this.position;
    const code = text.charCodeAt(start);
    if (code === PIPE || code === GREATER) {
      this.readBlockScalar(nodeIndent, code === PIPE ? LITERAL_STYLE : FOLDED_STYLE);
      return;
    }
    if (code === LEFT_BRACE || code === LEFT_BRACKET) {
      this.readFlowCollection();
      if (mayBeKey) this.refuseKeyIndicator();
      this.endLine();
      this.skipToContent();
      return;
    }
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      this.readQuoted(code);
      if (mayBeKey && this.moveToKeyIndicator()) {
        if (this.position - start > MAX_KEY_LENGTH) throw GIVE_UP;
        this.openMapping(start);
        return;
      }
      this.endLine();
      this.skipToContent();
      return;
    }
    if (!startsPlain(code, text.charCodeAt(start + 1), false)) throw GIVE_UP;
    const end = this.scanPlain(false);
    this.events.pushScalar(start, end, PLAIN_STYLE, CLIP_CHOMPING, -1, true);
    const stop = text.charCodeAt(this.position);
    if (stop === COLON) {
      if (!mayBeKey || this.position - start > MAX_KEY_LENGTH) throw GIVE_UP;
      this.openMapping(start);
      return;
    }
    if (stop === HASH) {
      this.endLine();
      this.skipToContent();
      return;
    }
    // At the end of the line: js-yaml continues a plain scalar on the next non-blank line (even
    // a comment, or the end of the text) when it is indented at least `nodeIndent`; such scalars
    // are left to it.
    this.endLine();
    if (stop !== LINE_FEED) {
      this.skipToContent();
      return;
    }
    let position = this.position;
    for (;;) {
      const lineStart = position;
      while (text.charCodeAt(position) === SPACE) position++;
      if (text.charCodeAt(position) === LINE_FEED) {
        position++;
        continue;
      }
      if (position - lineStart >= nodeIndent) throw GIVE_UP;
      break;
    }
    this.skipToContent();
  }

  /**
   * A flow collection on one line (`[a, "b"]`, `{a: b, c: [d]}`), its bracket at the position;
   * the position ends after the closing bracket. Entries are plain or quoted scalars and flow
   * collections; pairs in a flow sequence, `?` keys, comments and line breaks are left to js-yaml.
   */
  private readFlowCollection(): void {
    this.enter();
    const text = this.text;
    const start = this.position;
    const isMapping = text.charCodeAt(start) === LEFT_BRACE;
    const close = isMapping ? RIGHT_BRACE : RIGHT_BRACKET;
    this.events.pushCollection(isMapping ? MAPPING : SEQUENCE, start, FLOW_COLLECTION);
    let position = start + 1;
    for (;;) {
      while (text.charCodeAt(position) === SPACE) position++;
      // Also after a last comma, as js-yaml allows.
      if (text.charCodeAt(position) === close) break;
      this.position = position;
      const entryStart = position;
      this.readFlowNode();
      position = this.position;
      while (text.charCodeAt(position) === SPACE) position++;
      let code = text.charCodeAt(position);
      if (code === COLON) {
        if (!isMapping || position - entryStart > MAX_KEY_LENGTH) throw GIVE_UP;
        position++;
        while (text.charCodeAt(position) === SPACE) position++;
        code = text.charCodeAt(position);
        if (code === COMMA || code === close) {
          this.pushEmptyScalar();
        } else {
          this.position = position;
          this.readFlowNode();
          position = this.position;
          while (text.charCodeAt(position) === SPACE) position++;
          code = text.charCodeAt(position);
        }
      } else if (isMapping) {
        // A key alone: its value is null.
        this.pushEmptyScalar();
      }
      if (code === close) break;
      if (code !== COMMA) throw GIVE_UP;
      position++;
    }
    this.events.pushPop();
    this.position = position + 1;
    this.nesting--;
  }

  /** A node in a flow collection: a scalar on this line or a flow collection. */
  private readFlowNode(): void {
    const text = this.text;
    const start = this.position;
    const code = text.charCodeAt(start);
    if (code === LEFT_BRACE || code === LEFT_BRACKET) {
      this.readFlowCollection();
      return;
    }
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      this.readQuoted(code);
      return;
    }
    if (!startsPlain(code, text.charCodeAt(start + 1), true)) throw GIVE_UP;
    const end = this.scanPlain(true);
    // A comment or a line break inside a flow collection.
    const stop = text.charCodeAt(this.position);
    if (stop === HASH || stop === LINE_FEED || isEnd(stop)) throw GIVE_UP;
    this.events.pushScalar(start, end, PLAIN_STYLE, CLIP_CHOMPING, -1, true);
  }

  /**
   * After a candidate key: moves to its `:` when spaces and `:` and a blank follow, and says so;
   * gives up at a `:` not followed by a blank.
   */
  private moveToKeyIndicator(): boolean {
    const text = this.text;
    let position = this.position;
    while (text.charCodeAt(position) === SPACE) position++;
    if (text.charCodeAt(position) !== COLON) return false;
    if (!isBlankOrEnd(text.charCodeAt(position + 1))) throw GIVE_UP;
    this.position = position;
    return true;
  }

  /** A flow collection as a key is left to js-yaml. */
  private refuseKeyIndicator(): void {
    let position = this.position;
    while (this.text.charCodeAt(position) === SPACE) position++;
    if (this.text.charCodeAt(position) === COLON) throw GIVE_UP;
  }

  /**
   * A block mapping: its first key's scalar event is the last event and the position is at its
   * `:`. js-yaml opens the mapping before the key, at the key's start; its keys are in the key's
   * column (`- key: value` puts them after the `- `).
   */
  private openMapping(keyStart: number): void {
    this.enter();
    this.events.openBeforeLast(MAPPING, keyStart, BLOCK_COLLECTION);
    this.position++;
    // The column of the key: its line starts after the last line feed before it.
    this.readMappingEntries(keyStart - (this.text.lastIndexOf('\n', keyStart - 1) + 1));
  }

  /** A block sequence whose first `-` is at the position, in column `column`. */
  private readSequence(column: number): void {
    this.enter();
    const text = this.text;
    this.events.pushCollection(SEQUENCE, this.position, BLOCK_COLLECTION);
    for (;;) {
      const entryStart = this.position;
      let position = entryStart + 1;
      while (text.charCodeAt(position) === SPACE) position++;
      const code = text.charCodeAt(position);
      this.position = position;
      if (code === LINE_FEED || code === HASH || isEnd(code)) {
        // The entry's node is on the lines below the `-`, or it is empty.
        this.endLine();
        this.skipToContent();
        if (this.indent <= column) this.pushEmptyScalar();
        else if (this.isEntryIndicator()) this.readSequence(this.indent);
        else this.readInlineNode(column + 1, true);
      } else if (this.isEntryIndicator()) {
        // `- - x`: a sequence in the entry, in the column of its own `-`.
        this.readSequence(column + position - entryStart);
      } else {
        this.readInlineNode(column + 1, true);
      }
      if (this.indent < column) break;
      if (this.indent > column) throw GIVE_UP;
      if (!this.isEntryIndicator()) break;
    }
    this.events.pushPop();
    this.nesting--;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar, its indicator at the position; a port of
   * js-yaml's readBlockScalar for text without tabs, where it would throw giving up instead.
   */
  private readBlockScalar(parentIndent: number, style: number): void {
    const text = this.text;
    let position = this.position + 1;
    let chomping = CLIP_CHOMPING;
    let indent = -1;
    let detectedIndent = false;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === PLUS || code === DASH) {
        if (chomping !== CLIP_CHOMPING) throw GIVE_UP;
        chomping = code === PLUS ? KEEP_CHOMPING : STRIP_CHOMPING;
        position++;
      } else if (code >= DIGIT_ZERO && code <= DIGIT_NINE) {
        if (code === DIGIT_ZERO || detectedIndent) throw GIVE_UP;
        indent = parentIndent + (code - DIGIT_ZERO) - 1;
        detectedIndent = true;
        position++;
      } else {
        break;
      }
    }
    this.position = position;
    // The header's line: spaces, a comment after a space, then the line break.
    this.endLine();
    position = this.position;
    let contentIndent = detectedIndent ? indent : -1;
    let maxLeadingIndent = 0;
    const valueStart = position;
    let valueEnd = position;
    let nextLine = -1;
    while (position < this.length) {
      const lineStart = position;
      let column = 0;
      while (text.charCodeAt(lineStart + column) === SPACE) column++;
      const first = text.charCodeAt(lineStart + column);
      if (isEnd(first)) {
        if (contentIndent >= 0) {
          if (column > contentIndent) valueEnd = lineStart + column;
        } else if (column > 0) {
          valueEnd = lineStart + column;
        }
        break;
      }
      if (column === 0 && (this.isDocumentMarkerAt(lineStart, DASH) || this.isDocumentMarkerAt(lineStart, DOT))) {
        nextLine = lineStart;
        break;
      }
      const isBlankLine = first === LINE_FEED;
      if (!detectedIndent && contentIndent === -1) {
        if (isBlankLine) maxLeadingIndent = Math.max(maxLeadingIndent, column);
        // js-yaml: "bad indentation of a mapping entry".
        else if (column >= parentIndent && column < maxLeadingIndent) throw GIVE_UP;
      }
      if (contentIndent === -1 && !isBlankLine && column < parentIndent) {
        nextLine = lineStart;
        break;
      }
      if (!detectedIndent && !isBlankLine && contentIndent === -1) contentIndent = column;
      const requiredIndent = contentIndent === -1 ? parentIndent + 1 : contentIndent;
      if (!isBlankLine && column < requiredIndent) {
        nextLine = lineStart;
        break;
      }
      const lineEnd = text.indexOf('\n', lineStart + column);
      if (lineEnd === -1) {
        position = this.length;
        valueEnd = position;
        break;
      }
      position = lineEnd + 1;
      valueEnd = position;
    }
    if (valueEnd > valueStart) {
      const value = text.slice(valueStart, valueEnd);
      if (MAYBE_NON_PRINTABLE.test(value) && NON_PRINTABLE.test(value)) throw GIVE_UP;
    }
    this.events.pushScalar(valueStart, valueEnd, style, chomping, contentIndent, false);
    this.position = nextLine === -1 ? position : nextLine;
    this.skipToContent();
  }

  /** `---` (or `...`, by `code`) at offset `at`, followed by a blank or the end. */
  private isDocumentMarkerAt(at: number, code: number): boolean {
    const text = this.text;
    return text.charCodeAt(at) === code && text.charCodeAt(at + 1) === code && text.charCodeAt(at + 2) === code &&
      isBlankOrEnd(text.charCodeAt(at + 3));
  }
}
