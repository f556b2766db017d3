import type { MatrixEdge } from '../reach/matrix.js';

/** Formats matrix edges as np-guard's connectivity list: `src => dst : connections`, one per line. */
export function* formatMatrixTxt(edges: Iterable<MatrixEdge>): Generator<string> {
  for (const edge of edges) yield `${edge.source.id} => ${edge.destination.id} : ${edge.connections.toString()}\n`;
}
