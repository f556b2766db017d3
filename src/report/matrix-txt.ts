import { ConnectionSet } from '../reach/connection-set.js';
import type { MatrixEdge, MatrixRows } from '../reach/matrix.js';
import { escapeText } from './escape/text.js';

/**
 * Formats matrix edges as np-guard's connectivity list: `src => dst : connections`, one per line.
 * Names are written with control characters escaped (escapeText), as in every text format.
 */
export function* formatMatrixTxt(edges: Iterable<MatrixEdge>): Generator<string> {
  let source: MatrixEdge['source'] | undefined;
  let prefix = '';
  for (const edge of edges) {
    // Edges come grouped by source: build its part of the line once.
    if (edge.source !== source) {
      source = edge.source;
      prefix = `${escapeText(source.id)} => `;
    }
    yield `${prefix}${escapeText(edge.destination.id)} : ${edge.connections.toString()}\n`;
  }
}

/** The size of the chunks {@link formatMatrixTxtBytes} fills before handing one over (tests choose smaller ones). */
const CHUNK_BYTES = 1 << 20;

/** Options of {@link formatMatrixTxtBytes}. */
export interface MatrixTxtBytesOptions {
  readonly chunkBytes?: number;
  /**
   * Returns a buffer of at least `bytes` to fill: the output's written buffers come back this
   * way (see Output.takeBuffer). A chunk is not touched once yielded. New buffers by default.
   */
  readonly takeBuffer?: (bytes: number) => Buffer;
}

/**
 * The same text as {@link formatMatrixTxt}, as UTF-8 chunks of about a megabyte, a row at a time.
 * Lines are copied together from pieces encoded once: each source's `src => `, each destination's
 * `dst : All Connections\n` (most lines of a large cluster) or `dst : `, and each distinct set of
 * connections' text. The millions of lines of a large cluster make no strings, nothing to encode
 * and nearly no garbage. Each chunk is a buffer from `takeBuffer`.
 *
 * A run of destinations reached with every connection is copied from a template: all the
 * destinations' `dst : All Connections\n` endings, each after a gap as long as the source's
 * prefix, made once per prefix length. The run's part of it is copied in one piece and the prefix
 * written into each gap, one copy per line instead of two.
 */
export function* formatMatrixTxtBytes(matrix: MatrixRows, options: MatrixTxtBytesOptions = {}): Generator<Uint8Array> {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const takeBuffer = options.takeBuffer ?? ((bytes: number) => Buffer.allocUnsafe(bytes));
  const destinations = matrix.destinations;
  const allConnections = destinations.map((destination) => Buffer.from(`${escapeText(destination.id)} : ${ConnectionSet.ALL.toString()}\n`));
  // endingStart[i]: where destination i's ending starts in the concatenation of all the endings.
  const endingStart = new Int32Array(destinations.length + 1);
  allConnections.forEach((ending, index) => {
    endingStart[index + 1] = endingStart[index] + ending.length;
  });
  const templates = new Map<number, Buffer>();
  const templateFor = (prefixLength: number): Buffer => {
    let template = templates.get(prefixLength);
    if (!template) {
      template = Buffer.alloc(destinations.length * prefixLength + endingStart[destinations.length]);
      allConnections.forEach((ending, index) => template!.set(ending, (index + 1) * prefixLength + endingStart[index]));
      templates.set(prefixLength, template);
    }
    return template;
  };
  const destinationHeads: (Buffer | undefined)[] = new Array(destinations.length);
  const connectionTexts = new Map<ConnectionSet, Buffer>();
  let chunk = takeBuffer(chunkBytes);
  let used = 0;
  // Makes room for `bytes` more; a line never straddles two chunks.
  const room = function* (bytes: number): Generator<Uint8Array> {
    if (used + bytes <= chunk.length) return;
    if (used > 0) yield chunk.subarray(0, used);
    chunk = takeBuffer(Math.max(chunkBytes, bytes));
    used = 0;
  };
  for (const { source, segments } of matrix.rows) {
    const prefix = Buffer.from(`${escapeText(source.id)} => `);
    const prefixLength = prefix.length;
    // Bytes of the lines for destinations from..to-1 in a run (offset of line `to` from line `from`).
    const runBytes = (from: number, to: number) => (to - from) * prefixLength + endingStart[to] - endingStart[from];
    for (const segment of segments) {
      if ('from' in segment) {
        const template = templateFor(prefixLength);
        let from = segment.from;
        while (from < segment.to) {
          // The most lines of the run that fit in this chunk.
          let fits = from;
          for (let low = from, high = segment.to; low < high;) {
            const middle = (low + high + 1) >>> 1;
            if (runBytes(from, middle) <= chunk.length - used) low = fits = middle;
            else high = middle - 1;
          }
          if (fits === from) {
            // Not even one line fits: on to a new chunk (as large as the line needs).
            if (used > 0) yield chunk.subarray(0, used);
            chunk = takeBuffer(Math.max(chunkBytes, runBytes(from, from + 1)));
            used = 0;
            continue;
          }
          const start = from * prefixLength + endingStart[from];
          chunk.set(template.subarray(start, start + runBytes(from, fits)), used);
          for (let index = from; index < fits; index++) chunk.set(prefix, used + runBytes(from, index));
          used += runBytes(from, fits);
          from = fits;
        }
        continue;
      }
      const index = segment.destinationIndex;
      if (segment.connections === ConnectionSet.ALL) {
        const ending = allConnections[index];
        if (used + prefixLength + ending.length > chunk.length) yield* room(prefixLength + ending.length);
        chunk.set(prefix, used);
        chunk.set(ending, used + prefixLength);
        used += prefixLength + ending.length;
        continue;
      }
      const head = (destinationHeads[index] ??= Buffer.from(`${escapeText(destinations[index].id)} : `));
      let text = connectionTexts.get(segment.connections);
      if (!text) connectionTexts.set(segment.connections, (text = Buffer.from(`${segment.connections.toString()}\n`)));
      const length = prefixLength + head.length + text.length;
      if (used + length > chunk.length) yield* room(length);
      chunk.set(prefix, used);
      chunk.set(head, used + prefixLength);
      chunk.set(text, used + prefixLength + head.length);
      used += length;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}
