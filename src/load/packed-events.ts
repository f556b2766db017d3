import type { AliasEvent, DocumentEvent, Event, MappingEvent, ScalarEvent, SequenceEvent } from 'js-yaml';
import { ALIAS, DOCUMENT, MAPPING, NO_RANGE, POP, SCALAR, SEQUENCE } from './yaml-events.js';

/**
 * A YAML event stream (js-yaml's `parseEvents` events) packed into typed arrays, one slot per
 * event, in the order of the stream.
 *
 * Why: an object per event, a dozen fields each, was most of what reading a manifest allocated,
 * and a file's events live until the file is constructed: the garbage collector copied those of
 * whatever file it met half-read, and all of a large file's (a cluster dump of megabytes holds
 * hundreds of thousands). Packed, the loader reuses one stream for every file (see
 * {@link scratchEvents}) and allocates nothing per event.
 *
 * Fields by event type (NO_RANGE where absent):
 * - document: `starts` is 1 for an explicit start (`---`), `ends` 1 for an explicit end (`...`);
 *   its directives are not kept (the modules reading packed streams do not need them).
 * - scalar: `starts`/`ends` its value's range, `styles` its style | chomping << 3 | fast << 5,
 *   `indents` its block indentation, and its anchor and tag ranges.
 * - sequence and mapping: `starts` the content's start, `styles` the collection style, anchor and tag ranges.
 * - alias: its anchor name's range in `anchorStarts`/`anchorEnds`.
 */
export class PackedEvents {
  length = 0;
  types: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  styles: Uint8Array;
  indents: Int32Array;
  anchorStarts: Int32Array;
  anchorEnds: Int32Array;
  tagStarts: Int32Array;
  tagEnds: Int32Array;

  constructor(capacity = 256) {
    this.types = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.styles = new Uint8Array(capacity);
    this.indents = new Int32Array(capacity);
    this.anchorStarts = new Int32Array(capacity);
    this.anchorEnds = new Int32Array(capacity);
    this.tagStarts = new Int32Array(capacity);
    this.tagEnds = new Int32Array(capacity);
  }

  /** Empties the stream, keeping its arrays. */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** The slot of a new event, the arrays doubled when full. */
  private next(type: number): number {
    const index = this.length;
    if (index === this.types.length) this.grow();
    this.types[index] = type;
    this.length = index + 1;
    return index;
  }

  /**
   * Makes room for `capacity` events at least, at once: growing by doubling a stream of hundreds
   * of thousands of events (a cluster dump) allocated and copied every array several times.
   */
  reserve(capacity: number): void {
    if (capacity > this.types.length) this.grow(capacity);
  }

  private grow(atLeast = 0): void {
    const capacity = Math.max(atLeast, this.types.length * 2);
    const larger = <T extends Uint8Array | Int32Array>(array: T): T => {
      const copy = new (array.constructor as new (length: number) => T)(capacity);
      copy.set(array);
      return copy;
    };
    this.types = larger(this.types);
    this.starts = larger(this.starts);
    this.ends = larger(this.ends);
    this.styles = larger(this.styles);
    this.indents = larger(this.indents);
    this.anchorStarts = larger(this.anchorStarts);
    this.anchorEnds = larger(this.anchorEnds);
    this.tagStarts = larger(this.tagStarts);
    this.tagEnds = larger(this.tagEnds);
  }

  pushDocument(explicitStart: boolean, explicitEnd: boolean): void {
    const index = this.next(DOCUMENT);
    this.starts[index] = explicitStart ? 1 : 0;
    this.ends[index] = explicitEnd ? 1 : 0;
  }

  /** A scalar without anchor or tag. */
  pushScalar(valueStart: number, valueEnd: number, style: number, chomping: number, indent: number, fast: boolean): void {
    const index = this.next(SCALAR);
    this.starts[index] = valueStart;
    this.ends[index] = valueEnd;
    this.styles[index] = style | (chomping << 3) | (fast ? 32 : 0);
    this.indents[index] = indent;
    this.anchorStarts[index] = NO_RANGE;
    this.tagStarts[index] = NO_RANGE;
  }

  /** A sequence or mapping without anchor or tag. */
  pushCollection(type: typeof SEQUENCE | typeof MAPPING, start: number, style: number): void {
    const index = this.next(type);
    this.starts[index] = start;
    this.styles[index] = style;
    this.anchorStarts[index] = NO_RANGE;
    this.tagStarts[index] = NO_RANGE;
  }

  pushPop(): void {
    this.next(POP);
  }

  /**
   * Opens a collection (without anchor or tag) before the last event, which becomes its first
   * child: a block mapping is known to be one only after its first key is read.
   */
  openBeforeLast(type: typeof SEQUENCE | typeof MAPPING, start: number, style: number): void {
    const last = this.length - 1;
    this.next(this.types[last]);
    this.copySlot(last, last + 1);
    this.types[last] = type;
    this.starts[last] = start;
    this.styles[last] = style;
    this.anchorStarts[last] = NO_RANGE;
    this.tagStarts[last] = NO_RANGE;
  }

  private copySlot(from: number, to: number): void {
    this.types[to] = this.types[from];
    this.starts[to] = this.starts[from];
    this.ends[to] = this.ends[from];
    this.styles[to] = this.styles[from];
    this.indents[to] = this.indents[from];
    this.anchorStarts[to] = this.anchorStarts[from];
    this.anchorEnds[to] = this.anchorEnds[from];
    this.tagStarts[to] = this.tagStarts[from];
    this.tagEnds[to] = this.tagEnds[from];
  }

  /** The scalar style of the scalar at `index`. */
  scalarStyle(index: number): number {
    return this.styles[index] & 7;
  }

  /** Whether js-yaml marked the scalar at `index` fast: its value is its source text. */
  isFast(index: number): boolean {
    return (this.styles[index] & 32) !== 0;
  }

  /**
   * The scalar at `index` as js-yaml's event, written into `into` (reused: js-yaml's
   * getScalarValue reads it and keeps nothing).
   */
  scalarInto(index: number, into: ScalarEvent): ScalarEvent {
    const style = this.styles[index];
    into.valueStart = this.starts[index];
    into.valueEnd = this.ends[index];
    const anchorStart = this.anchorStarts[index];
    const tagStart = this.tagStarts[index];
    into.anchorStart = anchorStart;
    into.anchorEnd = anchorStart === NO_RANGE ? NO_RANGE : this.anchorEnds[index];
    into.tagStart = tagStart;
    into.tagEnd = tagStart === NO_RANGE ? NO_RANGE : this.tagEnds[index];
    into.style = (style & 7) as ScalarEvent['style'];
    into.chomping = ((style >> 3) & 3) as ScalarEvent['chomping'];
    into.indent = this.indents[index];
    into.fast = (style & 32) !== 0;
    return into;
  }

  /** Packs js-yaml's events (into `into`, emptied first, or a new stream). */
  static fromEvents(events: readonly Event[], into = new PackedEvents(Math.max(16, events.length))): PackedEvents {
    into.reset();
    for (const event of events) {
      switch (event.type) {
        case DOCUMENT:
          into.pushDocument(event.explicitStart, event.explicitEnd);
          break;
        case SCALAR: {
          into.pushScalar(event.valueStart, event.valueEnd, event.style, event.chomping, event.indent, event.fast);
          into.setProperties(into.length - 1, event);
          break;
        }
        case SEQUENCE:
        case MAPPING:
          into.pushCollection(event.type, event.start, event.style);
          into.setProperties(into.length - 1, event);
          break;
        case ALIAS: {
          const index = into.next(ALIAS);
          into.anchorStarts[index] = event.anchorStart;
          into.anchorEnds[index] = event.anchorEnd;
          break;
        }
        default:
          into.pushPop();
      }
    }
    return into;
  }

  private setProperties(index: number, event: ScalarEvent | SequenceEvent | MappingEvent): void {
    this.anchorStarts[index] = event.anchorStart;
    this.anchorEnds[index] = event.anchorEnd;
    this.tagStarts[index] = event.tagStart;
    this.tagEnds[index] = event.tagEnd;
  }

  /** The stream as js-yaml's event objects (documents without directives), for the readers that take those. */
  toEvents(): Event[] {
    const events: Event[] = [];
    for (let index = 0; index < this.length; index++) {
      const type = this.types[index];
      const anchorStart = this.anchorStarts[index];
      const anchorEnd = anchorStart === NO_RANGE ? NO_RANGE : this.anchorEnds[index];
      const tagStart = this.tagStarts[index];
      const tagEnd = tagStart === NO_RANGE ? NO_RANGE : this.tagEnds[index];
      switch (type) {
        case DOCUMENT:
          events.push({ type, explicitStart: this.starts[index] === 1, explicitEnd: this.ends[index] === 1, directives: [] } as DocumentEvent);
          break;
        case SCALAR:
          events.push(this.scalarInto(index, { type } as ScalarEvent));
          break;
        case SEQUENCE:
        case MAPPING:
          events.push({ type, start: this.starts[index], anchorStart, anchorEnd, tagStart, tagEnd, style: this.styles[index] } as SequenceEvent | MappingEvent);
          break;
        case ALIAS:
          events.push({ type, anchorStart: this.anchorStarts[index], anchorEnd: this.anchorEnds[index] } as AliasEvent);
          break;
        default:
          events.push({ type: POP });
      }
    }
    return events;
  }
}

let scratch: PackedEvents | undefined;

/**
 * The loader's one stream, emptied: valid until the next call (the loader reads one file at a
 * time, and keeps nothing of a file's events once it is constructed).
 */
export function scratchEvents(): PackedEvents {
  return (scratch ??= new PackedEvents(4096)).reset();
}
