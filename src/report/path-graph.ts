import type { ExternalEntry, PathHop, PathNode } from '../reach/request-paths.js';
import { countOf } from '../model/plural.js';
import { dotLines, dotString } from './escape/dot.js';
import { mermaidLabel, mermaidLines } from './escape/mermaid.js';
import { escapeText } from './escape/text.js';

/** Options of the request-path graph formatters. */
export interface PathGraphOptions {
  /** Only the paths that lead to this workload (`ns/name` or `ns/name[Kind]`). */
  readonly focus?: string;
  /** A namespace with more nodes than this is drawn as one node, so large clusters stay readable. */
  readonly maxNodesPerNamespace?: number;
}

interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  /** Lines joined by `\n`, each with control characters already escaped (escapeText). */
  readonly label: string;
  readonly state: 'allowed' | 'partial' | 'depends' | 'open' | 'blocked' | 'isolated' | 'plain';
}

interface Drawing {
  readonly nodes: Map<string, { label: string; namespace?: string; shape: 'box' | 'ellipse' | 'folder' }>;
  readonly edges: DrawnEdge[];
}

function namespaceOf(node: PathNode): string | undefined {
  switch (node.type) {
    case 'clients': return undefined;
    case 'ingress': return node.ingress.namespace;
    case 'listener': return node.gateway.namespace;
    case 'route': return node.route.namespace;
    case 'istio-server': return node.gateway.namespace;
    case 'virtual-service': return node.virtualService.namespace;
    case 'entry': return node.entry.namespace;
    case 'service': return node.service.namespace;
    case 'workload': return node.workload.namespace;
  }
}

function labelOf(node: PathNode): string {
  switch (node.type) {
    case 'clients': return 'clients outside the cluster';
    case 'ingress': return `${node.ingress.kind} ${node.ingress.name}`;
    case 'listener': return `Gateway ${node.gateway.name} listener ${node.listener.name} (${node.listener.protocol} ${node.listener.port})`;
    case 'route': return `${node.route.kind} ${node.route.name}`;
    case 'istio-server': return `Istio Gateway ${node.gateway.name} server ${node.server.port.name ?? node.server.port.protocol} (${node.server.port.protocol} ${node.server.port.number})`;
    case 'virtual-service': return `VirtualService ${node.virtualService.name}`;
    case 'entry': return entryLabel(node.entry);
    case 'service': return `Service ${node.service.name}`;
    case 'workload': return `${node.workload.name} [${node.workload.kind}]`;
  }
}

function entryLabel(entry: ExternalEntry): string {
  switch (entry.kind) {
    case 'LoadBalancer': return `load balancer of Service ${entry.name} (${entry.ports})`;
    case 'NodePort': return `NodePort of Service ${entry.name} on every node (${entry.ports})`;
    case 'hostPort': return `hostPort of ${entry.name} on its node (${entry.ports})`;
  }
}

/** Keeps the hops that lead to the focused workload: its Services, their Ingresses, the clients. */
function focusHops(hops: readonly PathHop[], focus: string): PathHop[] {
  const target = hops.find((hop) => hop.to.type === 'workload' && (hop.to.id === focus || `${hop.to.workload.namespace}/${hop.to.workload.name}` === focus))?.to.id;
  if (!target) return [];
  const wanted = new Set([target]);
  const kept: PathHop[] = [];
  // Walk backwards from the workload; hops only point forwards, so four passes reach the clients
  // (clients → listener or Istio server → route or VirtualService → Service → workload is the longest path).
  for (let pass = 0; pass < 4; pass++) {
    for (const hop of hops) {
      if (wanted.has(hop.to.id) && !kept.includes(hop)) {
        kept.push(hop);
        wanted.add(hop.from.id);
      }
    }
  }
  return kept;
}

function draw(hops: readonly PathHop[], options: PathGraphOptions): Drawing {
  const selected = options.focus ? focusHops(hops, options.focus) : [...hops];
  const limit = options.maxNodesPerNamespace ?? 40;
  const perNamespace = new Map<string, Set<string>>();
  for (const hop of selected) {
    for (const node of [hop.from, hop.to]) {
      const namespace = namespaceOf(node);
      if (namespace === undefined) continue;
      if (!perNamespace.has(namespace)) perNamespace.set(namespace, new Set());
      perNamespace.get(namespace)!.add(node.id);
    }
  }
  const collapsed = new Set([...perNamespace].filter(([, ids]) => ids.size > limit).map(([namespace]) => namespace));
  const nodes: Drawing['nodes'] = new Map();
  const idOf = (node: PathNode): string => {
    const namespace = namespaceOf(node);
    if (namespace !== undefined && collapsed.has(namespace)) {
      const id = `namespace:${namespace}`;
      nodes.set(id, { label: `namespace ${namespace} (${countOf(perNamespace.get(namespace)!.size, 'object')})`, shape: 'folder' });
      return id;
    }
    nodes.set(node.id, { label: labelOf(node), ...(namespace !== undefined ? { namespace } : {}), shape: node.type === 'workload' ? 'box' : 'ellipse' });
    return node.id;
  };
  const edges = new Map<string, DrawnEdge>();
  for (const hop of selected) {
    const from = idOf(hop.from);
    const to = idOf(hop.to);
    if (from === to) continue;
    const state = hop.verdict?.state ?? 'plain';
    const reason = !hop.verdict ? ''
      : state === 'blocked' ? 'blocked by policy'
        : state === 'open' ? (hop.verdict.by.length > 0 ? `not isolated: ${hop.verdict.by.join(', ')} ${hop.verdict.by.length === 1 ? 'leaves' : 'leave'} the rest open` : 'no policy')
          : state === 'isolated' ? (hop.verdict.by.length > 0 ? `policies: ${hop.verdict.by.join(', ')}` : 'isolated')
            // Without the rules that decide (a side no policy isolates), the state alone: never a dangling "by".
            : `${state === 'partial' ? 'partly allowed' : state === 'depends' ? 'may be allowed' : 'allowed'}${hop.verdict.by.length > 0 ? ` by ${hop.verdict.by.join('; ')}` : ''}`;
    const because = hop.verdict?.source && reason ? `from ${hop.verdict.source}: ${reason}` : reason;
    // Escaped before the lines are joined: only k8snet's own line breaks remain.
    const details = [because, ...(hop.verdict?.notes ?? [])].filter(Boolean).map(escapeText);
    const hopLabel = escapeText(hop.label);
    const key = `${from}\u0000${to}`;
    const existing = edges.get(key);
    // Several hosts or ports between the same two nodes share one edge (collapsed namespaces too),
    // and so do several senders of the same port (an Ingress's controller and a Gateway's pods).
    if (!existing) edges.set(key, { from, to, label: [hopLabel, ...details].join('\n'), state });
    else {
      const [first, ...rest] = existing.label.split('\n');
      const labels = first.split(', ').includes(hopLabel) ? first : `${first}, ${hopLabel}`;
      const merged = [labels, ...rest, ...details.filter((line) => !rest.includes(line))].join('\n');
      const mergedState = existing.state === 'blocked' || state === 'blocked' ? 'blocked'
        : existing.state === 'depends' || state === 'depends' ? 'depends'
          : existing.state === 'partial' || state === 'partial' ? 'partial' : existing.state;
      edges.set(key, { ...existing, label: merged, state: mergedState });
    }
  }
  return { nodes, edges: [...edges.values()] };
}

const COLOUR: Record<DrawnEdge['state'], string> = { allowed: 'darkgreen', partial: 'darkorange', depends: 'darkorange', open: 'grey40', blocked: 'red', isolated: 'steelblue', plain: 'black' };


/** Draws the request paths as a Graphviz digraph, one cluster per namespace. */
export function formatPathsDot(hops: readonly PathHop[], options: PathGraphOptions = {}): string {
  const { nodes, edges } = draw(hops, options);
  const short = new Map([...nodes.keys()].map((id, index) => [id, `n${index}`]));
  const lines = ['digraph request_paths {', '  rankdir=LR;', '  node [fontsize=10];', '  edge [fontsize=9];'];
  const byNamespace = new Map<string | undefined, string[]>();
  for (const [id, node] of nodes) byNamespace.set(node.namespace, [...(byNamespace.get(node.namespace) ?? []), id]);
  let cluster = 0;
  for (const [namespace, ids] of byNamespace) {
    const indent = namespace === undefined ? '  ' : '    ';
    if (namespace !== undefined) lines.push(`  subgraph cluster_${cluster++} {`, `    label=${dotString(namespace)};`);
    for (const id of ids) lines.push(`${indent}${short.get(id)} [label=${dotString(nodes.get(id)!.label)}, shape=${nodes.get(id)!.shape}];`);
    if (namespace !== undefined) lines.push('  }');
  }
  for (const edge of edges) {
    lines.push(`  ${short.get(edge.from)} -> ${short.get(edge.to)} [label=${dotLines(edge.label.split('\n'))}, color=${COLOUR[edge.state]}, fontcolor=${COLOUR[edge.state]}${edge.state === 'blocked' ? ', style=dashed' : edge.state === 'depends' ? ', style=dotted' : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Draws the request paths as a Mermaid flowchart (renders in GitHub Markdown), namespaces as subgraphs. */
export function formatPathsMermaid(hops: readonly PathHop[], options: PathGraphOptions = {}): string {
  const { nodes, edges } = draw(hops, options);
  const short = new Map([...nodes.keys()].map((id, index) => [id, `n${index}`]));
  const lines = ['flowchart LR'];
  const byNamespace = new Map<string | undefined, string[]>();
  for (const [id, node] of nodes) byNamespace.set(node.namespace, [...(byNamespace.get(node.namespace) ?? []), id]);
  let cluster = 0;
  for (const [namespace, ids] of byNamespace) {
    if (namespace !== undefined) lines.push(`  subgraph ns${cluster++}[${mermaidLabel(namespace)}]`);
    for (const id of ids) {
      const node = nodes.get(id)!;
      lines.push(`  ${namespace !== undefined ? '  ' : ''}${short.get(id)}${node.shape === 'box' ? `[${mermaidLabel(node.label)}]` : `([${mermaidLabel(node.label)}])`}`);
    }
    if (namespace !== undefined) lines.push('  end');
  }
  edges.forEach((edge) => lines.push(`  ${short.get(edge.from)} ${edge.state === 'blocked' || edge.state === 'depends' ? '-.->' : '-->'}|${mermaidLines(edge.label.split('\n'))}| ${short.get(edge.to)}`));
  edges.forEach((edge, index) => lines.push(`  linkStyle ${index} stroke:${COLOUR[edge.state]}`));
  return `${lines.join('\n')}\n`;
}
