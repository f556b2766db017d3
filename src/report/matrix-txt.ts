import { ConnectionSet } from '../reach/connection-set.js';
import type { MatrixEdge, MatrixRows } from '../reach/matrix.js';

/** Formats matrix edges as np-guard's connectivity list: `src => dst : connections`, one per line. */
export function* formatMatrixTxt(edges: Iterable<MatrixEdge>): Generator<string> {
  let source: MatrixEdge['source'] | undefined;
  let prefix = '';
  for (const edge of edges) {
    // Edges come grouped by source: build its part of the line once.
    if (edge.source !== source) {
      source = edge.source;
      prefix = `${source.id} => `;
    }
    yield `${prefix}${edge.destination.id} : ${edge.connections.toString()}\n`;
  }
}

/** The size of the chunks {@link formatMatrixTxtBytes} fills before handing one over. */
const CHUNK_BYTES = 1 << 20;

/**
 * The same text as {@link formatMatrixTxt}, as UTF-8 chunks of about a megabyte, a row at a time.
 * Lines are copied together from pieces encoded once: each source's `src => `, each destination's
 * `dst : All Connections\n` (most lines of a large cluster) or `dst : `, and each distinct set of
 * connections' text. The millions of lines of a large cluster make no strings, nothing to encode
 * and nearly no garbage. Each chunk is a new buffer.
 */
export function* formatMatrixTxtBytes(matrix: MatrixRows): Generator<Uint8Array> {
  const destinations = matrix.destinations;
  const allConnections = destinations.map((destination) => Buffer.from(`${destination.id} : ${ConnectionSet.ALL.toString()}\n`));
  const destinationHeads: (Buffer | undefined)[] = new Array(destinations.length);
  const connectionTexts = new Map<ConnectionSet, Buffer>();
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  // Makes room for `bytes` more; a line never straddles two chunks.
  const room = function* (bytes: number): Generator<Uint8Array> {
    if (used + bytes <= chunk.length) return;
    yield chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    used = 0;
  };
  for (const { source, segments } of matrix.rows) {
    const prefix = Buffer.from(`${source.id} => `);
    for (const segment of segments) {
      if ('from' in segment) {
        for (let index = segment.from; index < segment.to; index++) {
          const ending = allConnections[index];
          if (used + prefix.length + ending.length > chunk.length) yield* room(prefix.length + ending.length);
          // TypedArray#set is a builtin; Buffer#copy goes through JavaScript argument checks first.
          chunk.set(prefix, used);
          chunk.set(ending, used + prefix.length);
          used += prefix.length + ending.length;
        }
        continue;
      }
      const index = segment.destinationIndex;
      if (segment.connections === ConnectionSet.ALL) {
        const ending = allConnections[index];
        if (used + prefix.length + ending.length > chunk.length) yield* room(prefix.length + ending.length);
        chunk.set(prefix, used);
        chunk.set(ending, used + prefix.length);
        used += prefix.length + ending.length;
        continue;
      }
      const head = (destinationHeads[index] ??= Buffer.from(`${destinations[index].id} : `));
      let text = connectionTexts.get(segment.connections);
      if (!text) connectionTexts.set(segment.connections, (text = Buffer.from(`${segment.connections.toString()}\n`)));
      const length = prefix.length + head.length + text.length;
      if (used + length > chunk.length) yield* room(length);
      chunk.set(prefix, used);
      chunk.set(head, used + prefix.length);
      chunk.set(text, used + prefix.length + head.length);
      used += length;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}
