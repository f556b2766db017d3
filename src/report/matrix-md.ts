import type { MatrixEdge } from '../reach/matrix.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Formats matrix edges as a Markdown table, ready to paste into a pull-request comment. */
export function* formatMatrixMarkdown(edges: Iterable<MatrixEdge>): Generator<string> {
  yield '| src | dst | conn |\n|-----|-----|------|\n';
  for (const edge of edges) yield `| ${cell(edge.source.id)} | ${cell(edge.destination.id)} | ${cell(edge.connections.toString())} |\n`;
}
