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
 * The line endings of runs of destinations reached with every connection are encoded once and
 * copied, and the chunks are written as they are: the millions of lines of a large cluster make
 * no strings, nothing to encode and nearly no garbage. Each chunk is a new buffer.
 */
export function* formatMatrixTxtBytes(matrix: MatrixRows): Generator<Uint8Array> {
  const allConnections = matrix.destinations.map((destination) => Buffer.from(`${destination.id} : ${ConnectionSet.ALL.toString()}\n`));
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  for (const { source, segments } of matrix.rows) {
    const prefix = Buffer.from(`${source.id} => `);
    for (const segment of segments) {
      // An edge is one line with its own ending; a run, the precomputed endings of its destinations.
      const [endings, from, to] = 'source' in segment
        ? [[Buffer.from(`${segment.destination.id} : ${segment.connections.toString()}\n`)], 0, 1]
        : [allConnections, segment.from, segment.to];
      for (let index = from; index < to; index++) {
        const ending = endings[index];
        if (used + prefix.length + ending.length > chunk.length) {
          yield chunk.subarray(0, used);
          chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, prefix.length + ending.length));
          used = 0;
        }
        // TypedArray#set is a builtin; Buffer#copy goes through JavaScript argument checks first.
        chunk.set(prefix, used);
        chunk.set(ending, used + prefix.length);
        used += prefix.length + ending.length;
      }
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}
