import type { MatrixEdge } from '../reach/matrix.js';

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formats matrix edges as CSV with a header: `src,dst,conn`. */
export function* formatMatrixCsv(edges: Iterable<MatrixEdge>): Generator<string> {
  yield 'src,dst,conn\n';
  for (const edge of edges) {
    yield `${csvField(edge.source.id)},${csvField(edge.destination.id)},${csvField(edge.connections.toString())}\n`;
  }
}
