import type { MatrixEdge } from '../reach/matrix.js';
import { markdownTableCode } from './escape/markdown.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * Formats matrix edges as a Markdown table, ready to paste into a pull-request comment or a job
 * summary. Peers are code spans (markdownTableCode): a name can hold no link, image or HTML.
 */
export function* formatMatrixMarkdown(edges: Iterable<MatrixEdge>): Generator<string> {
  yield '| src | dst | conn |\n|-----|-----|------|\n';
  for (const edge of edges) yield `| ${markdownTableCode(edge.source.id)} | ${markdownTableCode(edge.destination.id)} | ${cell(edge.connections.toString())} |\n`;
}
