import type { MatrixEdge, MatrixPeer } from '../reach/matrix.js';
import { dotString } from './escape/dot.js';
import { mermaidLabel } from './escape/mermaid.js';

/** Gives each peer a short node id and remembers the peers in order of first use. */
class NodeNames {
  private readonly ids = new Map<string, string>();
  readonly peers: MatrixPeer[] = [];

  idOf(peer: MatrixPeer): string {
    let id = this.ids.get(peer.id);
    if (!id) {
      id = `n${this.ids.size}`;
      this.ids.set(peer.id, id);
      this.peers.push(peer);
    }
    return id;
  }
}

function namespaceOf(peer: MatrixPeer): string | undefined {
  return peer.type === 'workload' ? peer.workload.namespace : undefined;
}

function labelOf(peer: MatrixPeer): string {
  return peer.type === 'workload' ? `${peer.workload.name}[${peer.workload.kind}]` : peer.id;
}

function groupByNamespace(peers: readonly MatrixPeer[]): Map<string | undefined, MatrixPeer[]> {
  const groups = new Map<string | undefined, MatrixPeer[]>();
  for (const peer of peers) {
    const namespace = namespaceOf(peer);
    const group = groups.get(namespace);
    if (group) group.push(peer);
    else groups.set(namespace, [peer]);
  }
  return groups;
}


/**
 * Formats matrix edges as a Graphviz digraph: one cluster per namespace, external ranges and
 * the ingress controller outside clusters, edges labelled with their connections. The edges
 * are gathered first, since nodes must be declared in their clusters.
 */
export function* formatMatrixDot(edges: Iterable<MatrixEdge>): Generator<string> {
  const names = new NodeNames();
  const lines: string[] = [];
  for (const edge of edges) {
    lines.push(`  ${names.idOf(edge.source)} -> ${names.idOf(edge.destination)} [label=${dotString(edge.connections.toString())}];\n`);
  }
  yield 'digraph connectivity {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n  edge [fontsize=9];\n';
  let cluster = 0;
  for (const [namespace, peers] of groupByNamespace(names.peers)) {
    const indent = namespace === undefined ? '  ' : '    ';
    if (namespace !== undefined) yield `  subgraph cluster_${cluster++} {\n    label=${dotString(namespace)};\n`;
    for (const peer of peers) {
      const shape = peer.type === 'workload' ? '' : ', shape=ellipse, style=dashed';
      yield `${indent}${names.idOf(peer)} [label=${dotString(labelOf(peer))}${shape}];\n`;
    }
    if (namespace !== undefined) yield '  }\n';
  }
  yield* lines;
  yield '}\n';
}


/** Formats matrix edges as a Mermaid flowchart (renders in GitHub Markdown), namespaces as subgraphs. */
export function* formatMatrixMermaid(edges: Iterable<MatrixEdge>): Generator<string> {
  const names = new NodeNames();
  const lines: string[] = [];
  for (const edge of edges) {
    lines.push(`  ${names.idOf(edge.source)} -->|${mermaidLabel(edge.connections.toString())}| ${names.idOf(edge.destination)}\n`);
  }
  yield 'flowchart LR\n';
  let cluster = 0;
  for (const [namespace, peers] of groupByNamespace(names.peers)) {
    if (namespace !== undefined) yield `  subgraph ns${cluster++}[${mermaidLabel(namespace)}]\n`;
    for (const peer of peers) {
      const node = peer.type === 'workload' ? `[${mermaidLabel(labelOf(peer))}]` : `([${mermaidLabel(labelOf(peer))}])`;
      yield `  ${namespace !== undefined ? '  ' : ''}${names.idOf(peer)}${node}\n`;
    }
    if (namespace !== undefined) yield '  end\n';
  }
  yield* lines;
}
