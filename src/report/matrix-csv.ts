import type { MatrixEdge } from '../reach/matrix.js';
import { csvCell } from './escape/csv.js';

/** Formats matrix edges as CSV with a header: `src,dst,conn`; every field as csvCell writes it (no formulas, no control characters). */
export function* formatMatrixCsv(edges: Iterable<MatrixEdge>): Generator<string> {
  yield 'src,dst,conn\n';
  for (const edge of edges) {
    yield `${csvCell(edge.source.id)},${csvCell(edge.destination.id)},${csvCell(edge.connections.toString())}\n`;
  }
}
