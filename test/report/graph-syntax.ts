/**
 * Small parsers for the DOT and Mermaid that `k8snet graph` writes, so tests check their structure
 * without Graphviz or a Mermaid renderer: each throws on text the language does not accept.
 */

/** A parsed DOT digraph: nodes with their attributes, edges, and the nodes of each cluster. */
export interface DotGraph {
  readonly name: string;
  readonly nodes: Map<string, Record<string, string>>;
  readonly edges: { from: string; to: string; attributes: Record<string, string> }[];
  readonly clusters: { name: string; label?: string; nodes: string[] }[];
}

type Token = { kind: 'id' | 'string' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (/\s/.test(char)) {
      index++;
    } else if (char === '"') {
      let value = '';
      index++;
      for (;;) {
        if (index >= text.length) throw new SyntaxError('DOT: unterminated string');
        const next = text[index];
        if (next === '\\') {
          const escaped = text[index + 1];
          value += escaped === 'n' ? '\n' : escaped;
          index += 2;
        } else if (next === '"') {
          index++;
          break;
        } else {
          value += next;
          index++;
        }
      }
      tokens.push({ kind: 'string', text: value });
    } else if (text.startsWith('->', index)) {
      tokens.push({ kind: 'punct', text: '->' });
      index += 2;
    } else if ('{}[]=;,'.includes(char)) {
      tokens.push({ kind: 'punct', text: char });
      index++;
    } else {
      const match = /^(?:[A-Za-z_][A-Za-z0-9_]*|-?(?:\.\d+|\d+(?:\.\d*)?))/.exec(text.slice(index));
      if (!match) throw new SyntaxError(`DOT: unexpected character ${JSON.stringify(char)} at ${index}`);
      tokens.push({ kind: 'id', text: match[0] });
      index += match[0].length;
    }
  }
  return tokens;
}

/** Parses a `digraph` in the subset of DOT that Graphviz accepts and k8snet writes. */
export function parseDot(text: string): DotGraph {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string): Token => {
    const token = tokens[position++];
    if (!token) throw new SyntaxError('DOT: unexpected end');
    if (expected !== undefined && token.text !== expected) throw new SyntaxError(`DOT: expected ${expected}, got ${token.text}`);
    return token;
  };
  const identifier = (): string => {
    const token = take();
    if (token.kind === 'punct') throw new SyntaxError(`DOT: expected an identifier, got ${token.text}`);
    return token.text;
  };
  const attributes = (): Record<string, string> => {
    const result: Record<string, string> = {};
    take('[');
    while (peek()?.text !== ']') {
      const key = identifier();
      take('=');
      result[key] = identifier();
      if (peek()?.text === ',' || peek()?.text === ';') take();
    }
    take(']');
    return result;
  };
  if (identifier() !== 'digraph') throw new SyntaxError('DOT: not a digraph');
  const graph: DotGraph = { name: peek()?.text === '{' ? '' : identifier(), nodes: new Map(), edges: [], clusters: [] };
  const statements = (cluster?: DotGraph['clusters'][number]): void => {
    take('{');
    while (peek()?.text !== '}') {
      const first = peek();
      if (first?.text === ';') {
        take();
        continue;
      }
      const id = identifier();
      if (id === 'subgraph') {
        const inner = { name: identifier(), nodes: [] as string[] } as DotGraph['clusters'][number];
        graph.clusters.push(inner);
        statements(inner);
      } else if (['node', 'edge', 'graph'].includes(id) && peek()?.text === '[') {
        attributes();
      } else if (peek()?.text === '=') {
        take('=');
        const value = identifier();
        if (id === 'label' && cluster) cluster.label = value;
      } else {
        const chain = [id];
        while (peek()?.text === '->') {
          take('->');
          chain.push(identifier());
        }
        const attrs = peek()?.text === '[' ? attributes() : {};
        if (chain.length === 1) {
          graph.nodes.set(id, { ...(graph.nodes.get(id) ?? {}), ...attrs });
          cluster?.nodes.push(id);
        } else {
          for (let index = 1; index < chain.length; index++) graph.edges.push({ from: chain[index - 1], to: chain[index], attributes: attrs });
        }
      }
      if (peek()?.text === ';') take();
    }
    take('}');
  };
  statements();
  if (position !== tokens.length) throw new SyntaxError('DOT: text after the graph');
  return graph;
}

/** A parsed Mermaid flowchart: nodes with labels, edges with labels, subgraphs, link styles. */
export interface MermaidFlowchart {
  readonly nodes: Map<string, string>;
  readonly edges: { from: string; to: string; label: string; dashed: boolean }[];
  readonly subgraphs: { id: string; label: string; nodes: string[] }[];
  readonly linkStyles: Map<number, string>;
}

/** Parses the `flowchart` lines k8snet writes; every line must be one of the forms Mermaid accepts. */
export function parseMermaid(text: string): MermaidFlowchart {
  const lines = text.trimEnd().split('\n');
  if (lines[0] !== 'flowchart LR') throw new SyntaxError('Mermaid: expected flowchart LR');
  const quoted = '"([^"]*)"';
  const chart: MermaidFlowchart = { nodes: new Map(), edges: [], subgraphs: [], linkStyles: new Map() };
  let open: MermaidFlowchart['subgraphs'][number] | undefined;
  for (const line of lines.slice(1)) {
    let match: RegExpExecArray | null;
    if ((match = new RegExp(`^ {2}subgraph (\\w+)\\[${quoted}\\]$`).exec(line))) {
      if (open) throw new SyntaxError('Mermaid: nested subgraph');
      open = { id: match[1], label: match[2], nodes: [] };
      chart.subgraphs.push(open);
    } else if (line === '  end') {
      if (!open) throw new SyntaxError('Mermaid: end without subgraph');
      open = undefined;
    } else if ((match = new RegExp(`^ {2,4}(\\w+)(?:\\[${quoted}\\]|\\(\\[${quoted}\\]\\))$`).exec(line))) {
      chart.nodes.set(match[1], match[2] ?? match[3]);
      open?.nodes.push(match[1]);
    } else if ((match = new RegExp(`^ {2}(\\w+) (-->|-\\.->)\\|${quoted}\\| (\\w+)$`).exec(line))) {
      chart.edges.push({ from: match[1], to: match[4], label: match[3], dashed: match[2] === '-.->' });
    } else if ((match = /^ {2}linkStyle (\d+) stroke:([\w#]+)$/.exec(line))) {
      chart.linkStyles.set(Number(match[1]), match[2]);
    } else {
      throw new SyntaxError(`Mermaid: unexpected line ${JSON.stringify(line)}`);
    }
  }
  if (open) throw new SyntaxError('Mermaid: subgraph not closed');
  return chart;
}
