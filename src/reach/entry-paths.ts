import { locateField } from '../load/manifest-object.js';
import { parseCidr, type AddressRange, type IpFamily } from '../model/cidr.js';
import type { Pod, Service, Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { endpointPods, resolveTargetPort } from './exposure.js';
import { formatRange, partitionSpace, wholeSpace } from './ip-ranges.js';
import type { ExternalEntry, PathContext, PathHop, PathNode, PathVerdict } from './request-paths.js';
import type { PairVerdict, PodClass, ReachabilitySolver } from './solver.js';
import type { EntityPeer } from './policy-form.js';
import { meshNotes } from './istio-caveats.js';

/** The annotation cloud providers read when `spec.loadBalancerSourceRanges` is empty. */
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** Addresses traffic may come from, per family. */
type Sources = readonly { readonly family: IpFamily; readonly range: AddressRange }[];

/** The address a workload sees as the source: the client's own, or a node's (SNAT). */
type SeenAs = 'client' | 'node';

/**
 * The entries that bypass Ingress, each drawn as clients → entry → workload with the verdict of
 * the workload's ingress policies for traffic from outside the cluster:
 * - a LoadBalancer Service's load balancer, from its `loadBalancerSourceRanges` (or the provider's
 *   annotation) or from any address;
 * - a NodePort, on every node, from any address that reaches a node; LoadBalancer Services have
 *   one too unless `allocateLoadBalancerNodePorts: false`, and source ranges do not guard it;
 * - a container's hostPort, on its node.
 * With `externalTrafficPolicy: Cluster` (the default) kube-proxy replaces the client's address by a
 * node's, so the policies see a node address, not the client's; `Local` keeps the client's.
 */
export function entryHops(context: PathContext): PathHop[] {
  const graph = context.solver.graph;
  const hops: PathHop[] = [];
  for (const service of graph.services) {
    if (!service.selector || (service.type !== 'LoadBalancer' && service.type !== 'NodePort')) continue;
    const seenAs: SeenAs = service.externalTrafficPolicy === 'Local' ? 'client' : 'node';
    if (service.type === 'LoadBalancer') {
      const { sources, description } = loadBalancerSources(service, context.solver);
      const entry: ExternalEntry = { kind: 'LoadBalancer', namespace: service.namespace, name: service.name, ports: describePorts(service.ports.map((port) => `${port.protocol} ${port.port}`)) };
      hops.push(...entryToWorkloads(context, entry, `lb:${service.namespace}/${service.name}`, description, service, sources, seenAs));
    }
    if (service.type === 'NodePort' || service.allocateLoadBalancerNodePorts) {
      const nodePorts = service.ports.map((port) => (port.nodePort !== undefined ? `${port.protocol} ${port.nodePort}` : `one allocated for ${port.protocol} ${port.port}`));
      const entry: ExternalEntry = { kind: 'NodePort', namespace: service.namespace, name: service.name, ports: describePorts(nodePorts) };
      const description = service.type === 'LoadBalancer'
        ? 'any address that reaches a node (loadBalancerSourceRanges do not guard NodePorts)'
        : 'any address that reaches a node';
      hops.push(...entryToWorkloads(context, entry, `nodeport:${service.namespace}/${service.name}`, description, service, everywhere(context.solver), seenAs));
    }
  }
  for (const workload of graph.workloads) hops.push(...hostPortHops(context, workload));
  return hops;
}

function entryToWorkloads(context: PathContext, entry: ExternalEntry, id: string, from: string, service: Service, sources: Sources, seenAs: SeenAs): PathHop[] {
  const entryNode: PathNode = { type: 'entry', id, entry };
  const hops: PathHop[] = [];
  const byWorkload = new Map<string, { workload: Workload; pod: Pod; ports: ConnectionSet }>();
  for (const pod of endpointPods(context.solver.graph, service)) {
    const workload = context.solver.graph.workload(pod.workloadId);
    if (!workload) continue;
    let ports = byWorkload.get(workload.id)?.ports ?? ConnectionSet.EMPTY;
    for (const port of service.ports) {
      const target = resolveTargetPort(port, pod);
      if (target !== undefined) ports = ports.union(ConnectionSet.ofPorts(port.protocol, target));
    }
    byWorkload.set(workload.id, { workload, pod, ports });
  }
  for (const { workload, pod, ports } of byWorkload.values()) {
    if (ports.isEmpty()) continue;
    if (hops.length === 0) hops.push({ from: context.clients, to: entryNode, label: `from ${from}` });
    // Short: these notes are drawn on the graph's edges (the README says more).
    const notes = [
      seenAs === 'node' ? 'the pod sees a node\'s address (externalTrafficPolicy: Cluster)' : 'the pod sees the client\'s address (externalTrafficPolicy: Local)',
      ...meshNotes(context.solver.graph, service),
    ];
    const podClass = context.solver.classOf(pod);
    const verdict = seenAs === 'node' && context.solver.layout.selectorLabels === 'cilium-identity'
      ? nodeIdentityVerdict(context.solver, podClass, ports, notes)
      : externalVerdict(context.solver, podClass, ports, seenAs === 'node' ? everywhere(context.solver) : sources, seenAs, notes);
    hops.push({ from: entryNode, to: context.workloadNode(workload), label: ports.describe(), verdict });
  }
  return hops;
}

function hostPortHops(context: PathContext, workload: Workload): PathHop[] {
  const hops: PathHop[] = [];
  const byClass = new Map<PodClass, ConnectionSet>();
  const hostPorts = new Set<string>();
  for (const pod of workload.pods) {
    let ports = ConnectionSet.EMPTY;
    for (const port of pod.ports) {
      if (port.hostPort === undefined) continue;
      hostPorts.add(`${port.protocol} ${port.hostPort}${port.hostPort !== port.containerPort ? ` → ${port.containerPort}` : ''}`);
      ports = ports.union(ConnectionSet.ofPorts(port.protocol, port.containerPort));
    }
    if (ports.isEmpty()) continue;
    const podClass = context.solver.classOf(pod);
    byClass.set(podClass, (byClass.get(podClass) ?? ConnectionSet.EMPTY).union(ports));
  }
  if (byClass.size === 0) return hops;
  const entryNode: PathNode = {
    type: 'entry',
    id: `hostport:${workload.id}`,
    entry: { kind: 'hostPort', namespace: workload.namespace, name: workload.name, ports: describePorts([...hostPorts]) },
  };
  hops.push({ from: context.clients, to: entryNode, label: 'from any address that reaches its node' });
  const notes = ['the pod sees the client\'s address; policies on hostPort traffic depend on the network plugin'];
  let admitted: PathVerdict | undefined;
  let ports = ConnectionSet.EMPTY;
  for (const [podClass, classPorts] of byClass) {
    ports = ports.union(classPorts);
    const verdict = externalVerdict(context.solver, podClass, classPorts, everywhere(context.solver), 'client', notes);
    // Pods that differ are judged apart; the drawn hop keeps the least permissive answer.
    if (!admitted || rank(verdict.state) < rank(admitted.state)) admitted = verdict;
  }
  hops.push({ from: entryNode, to: context.workloadNode(workload), label: ports.describe(), verdict: admitted! });
  return hops;
}

function rank(state: PathVerdict['state']): number {
  return ['blocked', 'depends', 'partial', 'isolated', 'allowed', 'open'].indexOf(state);
}

/**
 * Judges traffic from `sources` (outside the cluster) into a pod class on `targetPorts`: open when
 * no policy isolates it; otherwise the address space cut at every ipBlock boundary of the rules
 * and of the sources, each piece asked of the solver: allowed when every piece gets the same
 * ports, partial when only some do, blocked when none does.
 */
export function externalVerdict(solver: ReachabilitySolver, podClass: PodClass, targetPorts: ConnectionSet, sources: Sources, seenAs: SeenAs, notes: readonly string[]): PathVerdict {
  if (podClass.outsidePolicy) return { state: 'open', by: [], notes: ['hostNetwork pod: outside NetworkPolicy in most plugins'] };
  if (solver.isOpen(podClass, 'ingress')) return { state: 'open', by: [], notes };
  const by = new Set<string>();
  const admittedFrom: { family: IpFamily; range: AddressRange }[] = [];
  let everywhereAdmitted: ConnectionSet | undefined;
  let union = ConnectionSet.EMPTY;
  for (const family of [4, 6] as const) {
    const familySources = sources.filter((entry) => entry.family === family).map((entry) => entry.range);
    if (familySources.length === 0) continue;
    for (const piece of partitionSpace(family, [...solver.addressRangeLists('ingress', family), familySources])) {
      if (!familySources.some((range) => range.first <= piece.first && piece.last <= range.last)) continue;
      const admitted = solver.rangeToClass(family, piece, podClass).intersect(targetPorts);
      everywhereAdmitted = everywhereAdmitted ? everywhereAdmitted.intersect(admitted) : admitted;
      union = union.union(admitted);
      if (admitted.isEmpty()) continue;
      admittedFrom.push({ family, range: piece });
      addAllowingRules(solver.explain({ family, range: piece }, podClass), targetPorts, by);
    }
  }
  if (union.isEmpty()) return { state: 'blocked', by: [], notes };
  if (everywhereAdmitted && everywhereAdmitted.equals(union)) return { state: 'allowed', by: [...by], notes };
  const ranges = mergeAdjacent(admittedFrom).map(({ family, range }) => formatRange(range, family));
  const shown = ranges.length > 3 ? `${ranges.slice(0, 3).join(', ')} and ${ranges.length - 3} more` : ranges.join(', ');
  const partialNote = seenAs === 'node' ? `admitted only if the node's address is in ${shown}` : `admitted only from ${shown}`;
  return { state: 'partial', by: [...by], notes: [partialNote, ...notes] };
}

/**
 * Under Cilium, traffic whose source a node rewrote to its own address (externalTrafficPolicy:
 * Cluster) carries that node's identity, `remote-node` (or `host` on the same node), not `world`:
 * rules on entities decide it as for a node (fromEntities world does not match it; cluster, all and
 * remote-node do), and CIDR rules only under policy-cidr-match-mode nodes. Judged for a node of
 * unknown address; said, since kube-proxy replacement in DSR mode keeps the client's address.
 */
function nodeIdentityVerdict(solver: ReachabilitySolver, podClass: PodClass, targetPorts: ConnectionSet, notes: readonly string[]): PathVerdict {
  const cilium = ['Cilium sees the node\'s identity (remote-node), not the client\'s (world), when the node forwards it to another; '
    + 'a request landing on the backend\'s own node (and every one with kube-proxy replacement in DSR mode) keeps the client\'s address (world)'];
  if (podClass.outsidePolicy) return { state: 'open', by: [], notes: ['hostNetwork pod: outside NetworkPolicy in most plugins'] };
  if (solver.isOpen(podClass, 'ingress')) return { state: 'open', by: [], notes };
  const node: EntityPeer = { entity: 'a node (source rewritten)', tags: ['remote-node'], addresses: { ranges: { 4: [], 6: [] }, inCluster: true } };
  const explained = solver.explain(node, podClass);
  const admitted = explained.allowed.intersect(targetPorts);
  const by = new Set<string>();
  addAllowingRules(explained, targetPorts, by);
  const state = admitted.isEmpty() ? 'blocked' : admitted.equals(targetPorts) ? 'allowed' : 'partial';
  // The requests that keep the client's address are judged as the world: when that differs, it depends.
  const world = externalVerdict(solver, podClass, targetPorts, everywhere(solver), 'client', []);
  if (world.state !== state && !(world.state === 'open' && state === 'allowed')) {
    return {
      state: 'depends', by: [...by],
      notes: [`forwarded by another node: ${state}; landing on the backend's own node: ${world.state}`, ...cilium, ...notes],
    };
  }
  return { state, by: [...by], notes: [...(state === 'partial' ? [`admitted on ${admitted.describe()} only`] : []), ...cilium, ...notes] };
}

/** Adds to `by` the rules of the destination's ingress that allowed some of `targetPorts`, with file:line. */
function addAllowingRules(explained: PairVerdict, targetPorts: ConnectionSet, by: Set<string>): void {
  for (const contribution of explained.ingress.contributions) {
    if (contribution.allowed.intersect(targetPorts).isEmpty()) continue;
    const { source } = contribution.rule;
    const location = locateField(source.object.origin, source.path);
    by.add(`${contribution.rule.policy.name} ${source.ruleLabel} (${location.file}:${location.line})`);
  }
  for (const { rule, ports } of explained.ingress.decisions) {
    if (rule.action === 'allow' && !ports.intersect(targetPorts).isEmpty()) by.add(`${rule.source.kind} ${rule.source.policyLabel} rule ${rule.source.ruleLabel}`);
  }
}

function mergeAdjacent(pieces: readonly { family: IpFamily; range: AddressRange }[]): { family: IpFamily; range: AddressRange }[] {
  const merged: { family: IpFamily; range: AddressRange }[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && last.family === piece.family && last.range.last + 1n === piece.range.first) merged[merged.length - 1] = { family: last.family, range: { first: last.range.first, last: piece.range.last } };
    else merged.push(piece);
  }
  return merged;
}

/** Every address: IPv4, and IPv6 when some ingress rule names IPv6 addresses (as the matrix lists external peers). */
function everywhere(solver: ReachabilitySolver): Sources {
  return [
    { family: 4, range: wholeSpace(4) },
    ...(solver.addressRangeLists('ingress', 6).length > 0 ? [{ family: 6 as const, range: wholeSpace(6) }] : []),
  ];
}

/**
 * The addresses a load balancer accepts: `spec.loadBalancerSourceRanges`, else the provider's
 * annotation (read only when the field is empty), else every address.
 */
function loadBalancerSources(service: Service, solver: ReachabilitySolver): { sources: Sources; description: string } {
  const annotation = (service.source.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.[SOURCE_RANGES_ANNOTATION];
  const written = service.loadBalancerSourceRanges.length > 0 ? service.loadBalancerSourceRanges.map(String)
    : typeof annotation === 'string' && annotation.trim() !== '' ? annotation.split(',').map((text) => text.trim()) : [];
  const sources = written.flatMap((text) => {
    const cidr = parseCidr(text);
    return 'error' in cidr ? [] : [{ family: cidr.family, range: cidr.range }];
  });
  if (sources.length === 0) return { sources: everywhere(solver), description: 'any address (no loadBalancerSourceRanges)' };
  return { sources, description: written.join(', ') };
}

function describePorts(ports: readonly string[]): string {
  return ports.length > 4 ? `${ports.slice(0, 4).join(', ')} and ${ports.length - 4} more` : ports.join(', ');
}
