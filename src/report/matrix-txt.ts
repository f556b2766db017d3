import type { MatrixEdge } from '../reach/matrix.js';

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
