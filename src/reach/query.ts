import type { ResourceGraph } from '../model/graph.js';
import { parseAddress, type IpFamily, type AddressRange } from '../model/cidr.js';
import type { Pod, Protocol, Service, ServicePort, Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { endpointPods, resolveTargetPort } from './exposure.js';
import { formatRange, partitionSpace } from './ip-ranges.js';
import type { AddressPeer, PairVerdict, PodClass, ReachabilitySolver } from './solver.js';
import { generatedLabelCaveats } from './generated-labels.js';
import { notEvaluatedAnswerNotes, notEvaluatedSideCaveats } from './not-evaluated.js';
import { networkPluginOf, type NetworkPluginFact } from '../model/network-plugin.js';
import { describeGeneratedLabel, isGeneratedValue } from '../model/controller-labels.js';

/** What a SRC or DST argument of `can-reach` names, once found in the graph. */
export type Endpoint =
  | { readonly type: 'pods'; readonly label: string; readonly pods: readonly Pod[] }
  | { readonly type: 'service'; readonly label: string; readonly service: Service; readonly pods: readonly Pod[] }
  | { readonly type: 'external-name'; readonly label: string; readonly service: Service }
  | { readonly type: 'address'; readonly label: string; readonly family: IpFamily; readonly range: AddressRange }
  | { readonly type: 'internet'; readonly label: string };

/** A port asked about: a number or a name, with its protocol. */
export interface PortQuery {
  readonly protocol: Protocol;
  readonly port: number | string;
}

/** Why an argument could not be resolved, in words for the user. */
export class QueryError extends Error {}

const PROTOCOL_NAMES: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

/** Parses `80`, `80/TCP`, `53/udp`, `http`, `http/TCP`. */
export function parsePortQuery(text: string): PortQuery {
  const parts = text.split('/');
  if (parts.length > 2) throw new QueryError(`'${text}' is not a port: write 80, 80/TCP or http/UDP`);
  const [portText, protocolText] = parts;
  const protocol = protocolText === undefined ? 'TCP' : PROTOCOL_NAMES[protocolText.toLowerCase()];
  if (!protocol) throw new QueryError(`'${protocolText}' is not a protocol: use TCP, UDP or SCTP`);
  if (/^\d+$/.test(portText)) {
    const port = Number(portText);
    if (port < 1 || port > 65535) throw new QueryError(`port ${port} is outside 1-65535`);
    return { protocol, port };
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(portText)) throw new QueryError(`'${portText}' is neither a port number nor a port name`);
  return { protocol, port: portText };
}

/**
 * Resolves a `can-reach` argument: `ns/name`, `ns/Kind/name`, `ns/key=value,...`,
 * `svc:ns/name`, `ip:ADDRESS` or `internet`.
 */
export function resolveEndpoint(graph: ResourceGraph, text: string): Endpoint {
  if (text === 'internet') return { type: 'internet', label: 'the internet' };
  if (text.startsWith('ip:')) {
    const address = parseAddress(text.slice(3));
    if (!address) throw new QueryError(`'${text.slice(3)}' is not an IP address`);
    return { type: 'address', label: text.slice(3), family: address.family, range: { first: address.value, last: address.value } };
  }
  if (text.startsWith('svc:')) {
    const [namespace, name] = splitNamespace(text.slice(4), graph.defaultNamespace);
    const service = graph.service(namespace, name);
    if (!service) throw new QueryError(`no Service ${namespace}/${name} in the manifests${suggest(graph.services.map((s) => `${s.namespace}/${s.name}`), `${namespace}/${name}`)}`);
    if (service.type === 'ExternalName') return { type: 'external-name', label: `svc:${namespace}/${name}`, service };
    return { type: 'service', label: `svc:${namespace}/${name}`, service, pods: endpointPods(graph, service) };
  }
  const parts = text.split('/');
  if (parts.length === 2 && parts[1].includes('=')) {
    const namespace = parts[0];
    const wanted = Object.fromEntries(parts[1].split(',').map((pair) => {
      const [key, ...value] = pair.split('=');
      return [key.trim(), value.join('=').trim()];
    }));
    const pods = graph.podsWithLabels(wanted, namespace);
    if (pods.length === 0) throw new QueryError(`no pod in namespace ${namespace} has the labels ${parts[1]}`);
    return { type: 'pods', label: `${namespace}/{${parts[1]}}`, pods };
  }
  let workload: Workload;
  try {
    workload = findWorkload(graph, parts);
  } catch (error) {
    const named = error instanceof QueryError && parts.length <= 2 ? podsNamed(graph, parts) : undefined;
    if (named) return named;
    throw error;
  }
  return { type: 'pods', label: workload.id, pods: workload.pods };
}

/**
 * A pod by its name: a StatefulSet's ordinal (`ns/redis-ha-0`) or a Pod of the manifests; for a
 * StatefulSet whose one template pod stands for every ordinal, the ordinal's name finds it.
 */
function podsNamed(graph: ResourceGraph, parts: readonly string[]): Endpoint | undefined {
  const [namespace, name] = parts.length === 2 ? parts : [graph.defaultNamespace, parts[0]];
  const label = `${namespace}/${name}`;
  const pods = graph.podsInNamespace(namespace).filter((pod) => pod.name === name && (pod.ordinal !== undefined || pod.templatePath.length === 0));
  if (pods.length > 0) return { type: 'pods', label, pods };
  const match = /^(.+)-(0|[1-9]\d*)$/.exec(name);
  const statefulSet = match ? graph.workload(`${namespace}/${match[1]}[StatefulSet]`) : undefined;
  if (!statefulSet || statefulSet.pods.length !== 1 || statefulSet.pods[0].ordinal !== undefined) return undefined;
  const spec = (statefulSet.madeBy ? {} : statefulSet.source.value.spec ?? {}) as { ordinals?: { start?: unknown } };
  const start = typeof spec.ordinals?.start === 'number' ? spec.ordinals.start : 0;
  const ordinal = Number(match![2]);
  return ordinal >= start && ordinal < start + statefulSet.replicas ? { type: 'pods', label, pods: statefulSet.pods } : undefined;
}

function splitNamespace(text: string, defaultNamespace: string): [string, string] {
  const slash = text.indexOf('/');
  return slash === -1 ? [defaultNamespace, text] : [text.slice(0, slash), text.slice(slash + 1)];
}

function findWorkload(graph: ResourceGraph, parts: string[]): Workload {
  let candidates: Workload[];
  let wanted: string;
  if (parts.length === 3) {
    const [namespace, kind, name] = parts;
    wanted = `${namespace}/${kind}/${name}`;
    candidates = graph.workloads.filter((workload) => workload.namespace === namespace && workload.name === name
      && workload.kind.toLowerCase() === kind.toLowerCase());
  } else if (parts.length <= 2) {
    const [namespace, name] = parts.length === 2 ? parts : [graph.defaultNamespace, parts[0]];
    wanted = `${namespace}/${name}`;
    candidates = graph.workloads.filter((workload) => workload.id === `${namespace}/${name}` || (workload.namespace === namespace && workload.name === name));
  } else {
    throw new QueryError(`'${parts.join('/')}' is not of the form ns/name, ns/Kind/name or ns/label=value`);
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new QueryError(`${wanted} is ambiguous: ${candidates.map((workload) => `${workload.namespace}/${workload.kind}/${workload.name}`).join(', ')}`);
  }
  throw new QueryError(`no workload ${wanted} in the manifests${suggest(graph.workloads.map((workload) => `${workload.namespace}/${workload.name}`), wanted)}`);
}

function suggest(known: readonly string[], wanted: string): string {
  const name = wanted.split('/').pop()!;
  const close = known.filter((candidate) => candidate.endsWith(`/${name}`) || candidate.split('/').pop()!.includes(name)).slice(0, 3);
  return close.length > 0 ? `; did you mean ${close.join(', ')}?` : '';
}

/** One concrete question: from a source peer to a destination peer, limited to some ports. */
export interface PairAnswer {
  readonly source: { readonly label: string; readonly peer: PodClass | AddressPeer; readonly pod?: Pod };
  readonly destination: { readonly label: string; readonly peer: PodClass | AddressPeer; readonly pod?: Pod };
  /** The ports asked about on this destination (a Service port resolved to its target port), or ALL. */
  readonly asked: ConnectionSet;
  /** What a Service port mapped to on this pod, for the explanation. */
  readonly via?: string;
  readonly verdict: PairVerdict;
  /** `verdict.allowed ∩ asked`. */
  readonly allowed: ConnectionSet;
}

/** The full answer of `can-reach`. */
export interface ReachAnswer {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port?: PortQuery;
  readonly pairs: readonly PairAnswer[];
  /** Sentences about the question itself: a Service without endpoints, an ExternalName, a port no pod serves. */
  readonly notes: readonly string[];
  /** `all`: every pair allows the asked ports; `some`; or `none`. */
  readonly reachable: 'all' | 'some' | 'none';
}

/** The public IPv4 space, cut where private and special ranges begin and end (RFC 1918, 6598, 3927). */
const NON_INTERNET_V4: readonly AddressRange[] = [
  [0x0a000000n, 0x0affffffn], [0x64400000n, 0x647fffffn], [0x7f000000n, 0x7fffffffn], [0xa9fe0000n, 0xa9feffffn],
  [0xac100000n, 0xac1fffffn], [0xc0a80000n, 0xc0a8ffffn],
].map(([first, last]) => ({ first, last }));

function podPeers(pods: readonly Pod[], solver: ReachabilitySolver): { label: string; peer: PodClass; pod: Pod }[] {
  // One answer per class: replicas of a template are indistinguishable to policies.
  const byClass = new Map<PodClass, Pod[]>();
  for (const pod of pods) {
    const podClass = solver.classOf(pod);
    const members = byClass.get(podClass);
    if (members) members.push(pod);
    else byClass.set(podClass, [pod]);
  }
  return [...byClass].map(([podClass, members]) => ({ label: podLabel(members), peer: podClass, pod: members[0] }));
}

/** How an answer names the pods of one class: the workload for a template's, the pod's name, or the ordinals alike. */
function podLabel(pods: readonly Pod[]): string {
  const [first] = pods;
  if (first.ordinal === undefined) return first.templatePath.length > 0 ? first.workloadId : `${first.namespace}/${first.name}`;
  if (pods.length === 1) return `${first.namespace}/${first.name}`;
  const names = pods.slice(0, 3).map((pod) => pod.name).join(', ');
  return `${first.workloadId} (pods ${names}${pods.length > 3 ? ` and ${pods.length - 3} more` : ''})`;
}

function addressPeers(endpoint: Endpoint, solver: ReachabilitySolver, direction: 'ingress' | 'egress'): { label: string; peer: AddressPeer }[] {
  if (endpoint.type === 'address') return [{ label: endpoint.label, peer: { family: endpoint.family, range: endpoint.range } }];
  // The internet (or an ExternalName's unknown address): every public range the ipBlocks tell apart.
  const pieces = partitionSpace(4, [...solver.addressRangeLists(direction, 4), NON_INTERNET_V4]);
  return pieces
    .filter((piece) => !NON_INTERNET_V4.some((range) => piece.first >= range.first && piece.last <= range.last))
    .map((piece) => ({ label: formatRange(piece, 4), peer: { family: 4 as IpFamily, range: piece } }));
}

/**
 * Answers `can-reach`: every (source, destination) pair the arguments stand for, each with the
 * verdict and its reasons, limited to the asked port. Through a Service, the Service port is
 * resolved to each endpoint pod's targetPort, so the answer is per endpoint pod. Policies that apply
 * but that k8snet does not evaluate yet (Cilium's and Calico's, under a `plugin` that enforces
 * them, and Istio's) are named in caveats and notes (not-evaluated.ts).
 */
export function answerReach(solver: ReachabilitySolver, source: Endpoint, destination: Endpoint, port?: PortQuery,
  plugin: NetworkPluginFact = networkPluginOf(solver.graph, undefined)): ReachAnswer {
  const notes: string[] = [];
  const sources: { label: string; peer: PodClass | AddressPeer; pod?: Pod }[] = [];
  if (source.type === 'pods' || source.type === 'service') {
    if (source.type === 'service') notes.push(`A Service is not a traffic source; answering for its endpoint pods.`);
    sources.push(...podPeers(source.pods, solver));
  } else if (source.type === 'external-name') {
    throw new QueryError(`${source.label} is an ExternalName Service: it names a host outside the cluster, not a source of traffic`);
  } else {
    sources.push(...addressPeers(source, solver, 'ingress'));
  }
  if (sources.length === 0) notes.push(`${source.label} has no pods in the manifests.`);

  const destinations: { label: string; peer: PodClass | AddressPeer; pod?: Pod; asked: ConnectionSet; via?: string }[] = [];
  if (destination.type === 'pods') {
    for (const peer of podPeers(destination.pods, solver)) {
      const asked = port ? portOnPod(port, peer.pod) : ConnectionSet.ALL;
      if (asked.isEmpty()) notes.push(`${peer.label} has no container port named '${port!.port}' (${port!.protocol}).`);
      destinations.push({ ...peer, asked });
    }
  } else if (destination.type === 'service') {
    destinations.push(...serviceDestinations(destination.service, destination.pods, port, solver, notes));
  } else if (destination.type === 'external-name') {
    notes.push(`${destination.label} is an ExternalName Service for ${destination.service.externalName}: traffic leaves the cluster, and whether egress allows it depends on the addresses that name resolves to. Shown per public address range.`);
    for (const peer of addressPeers(destination, solver, 'egress')) destinations.push({ ...peer, asked: port && typeof port.port === 'number' ? ConnectionSet.ofPorts(port.protocol, port.port) : ConnectionSet.ALL });
  } else {
    if (port && typeof port.port === 'string') throw new QueryError(`a named port ('${port.port}') cannot be resolved on an address outside the cluster`);
    for (const peer of addressPeers(destination, solver, 'egress')) destinations.push({ ...peer, asked: port ? ConnectionSet.ofPorts(port.protocol, port.port as number) : ConnectionSet.ALL });
  }

  const pairs: PairAnswer[] = [];
  // Selectors on labels whose value a controller computes at run time: k8snet cannot judge them.
  const unknowable = new Map<string, string[]>();
  const caveatsOf = (peer: PodClass | AddressPeer, side: 'source' | 'destination'): string[] => {
    if (isAddressPeer(peer)) return [];
    const key = `${side}\u0000${peer.index}`;
    let caveats = unknowable.get(key);
    if (!caveats) {
      unknowable.set(key, (caveats = [
        ...generatedLabelCaveats(solver.graph, peer.namespace, peer.labels, `the ${side}`, side),
      ]));
    }
    return caveats;
  };
  for (const from of sources) {
    for (const to of destinations) {
      if (isAddressPeer(from.peer) && isAddressPeer(to.peer)) continue;
      if (to.asked.isEmpty()) continue;
      const explained = solver.explain(from.peer, to.peer);
      const extra = [
        ...caveatsOf(from.peer, 'source'), ...caveatsOf(to.peer, 'destination'),
        ...(from.pod && !isAddressPeer(from.peer) ? notEvaluatedSideCaveats(solver.graph, plugin, 'source', { pod: from.pod, classPods: from.peer.pods, label: from.label }) : []),
        ...(to.pod && !isAddressPeer(to.peer) ? notEvaluatedSideCaveats(solver.graph, plugin, 'destination', { pod: to.pod, classPods: to.peer.pods, label: to.label }) : []),
      ];
      const verdict = extra.length > 0 ? { ...explained, caveats: [...explained.caveats, ...extra] } : explained;
      pairs.push({ source: from, destination: to, asked: to.asked, ...(to.via ? { via: to.via } : {}), verdict, allowed: verdict.allowed.intersect(to.asked) });
    }
  }
  // Istio's policies are another enforcement point, not evaluated yet: say so rather than answer as if they were absent.
  const destinationPods = destination.type === 'pods' || destination.type === 'service' ? destination.pods : [];
  notes.push(...notEvaluatedAnswerNotes(solver.graph, source.type === 'pods' || source.type === 'service' ? source.pods : 'external', destinationPods));
  const allowedCount = pairs.filter((pair) => (port ? pair.allowed.equals(pair.asked) : !pair.allowed.isEmpty())).length;
  const anyAllowed = pairs.some((pair) => !pair.allowed.isEmpty());
  const reachable = pairs.length > 0 && allowedCount === pairs.length ? 'all' : anyAllowed ? 'some' : 'none';
  return { source, destination, ...(port ? { port } : {}), pairs, notes, reachable };
}

function isAddressPeer(peer: PodClass | AddressPeer): peer is AddressPeer {
  return (peer as AddressPeer).range !== undefined;
}

/** The ports `port` means on a destination pod: a number as is, a name resolved on the pod. */
function portOnPod(port: PortQuery, pod: Pod): ConnectionSet {
  if (typeof port.port === 'number') return ConnectionSet.ofPorts(port.protocol, port.port);
  let set = ConnectionSet.EMPTY;
  for (const container of pod.ports) {
    if (container.name === port.port && container.protocol === port.protocol) set = set.union(ConnectionSet.ofPorts(port.protocol, container.containerPort));
  }
  return set;
}

function serviceDestinations(service: Service, pods: readonly Pod[], port: PortQuery | undefined, solver: ReachabilitySolver, notes: string[]) {
  const destinations: { label: string; peer: PodClass; pod: Pod; asked: ConnectionSet; via?: string }[] = [];
  if (!service.selector) notes.push(`Service ${service.namespace}/${service.name} has no selector: its endpoints are managed outside the manifests, so k8snet cannot tell which pods serve it.`);
  else if (pods.length === 0) notes.push(serviceWithoutPods(solver.graph, service));
  const servicePorts: ServicePort[] = port
    ? service.ports.filter((candidate) => candidate.protocol === port.protocol && (typeof port.port === 'number' ? candidate.port === port.port : candidate.name === port.port))
    : [...service.ports];
  if (port && servicePorts.length === 0) {
    notes.push(`Service ${service.namespace}/${service.name} has no port ${port.port}/${port.protocol} (it has ${service.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'none'}).`);
    return destinations;
  }
  for (const peer of podPeers(pods, solver)) {
    let asked = ConnectionSet.EMPTY;
    const via: string[] = [];
    for (const servicePort of servicePorts) {
      const target = resolveTargetPort(servicePort, peer.pod);
      if (target === undefined) {
        notes.push(`${peer.label} does not define the container port '${servicePort.targetPort}' that Service port ${servicePort.port} targets, so it is no endpoint of that port: the Service sends it nothing, whatever the policies say.`);
        continue;
      }
      asked = asked.union(ConnectionSet.ofPorts(servicePort.protocol, target));
      via.push(`service port ${servicePort.port}/${servicePort.protocol} → ${typeof servicePort.targetPort === 'string' ? `${servicePort.targetPort} = ` : ''}${target}`);
    }
    if (!asked.isEmpty()) destinations.push({ ...peer, asked, via: via.join(', ') });
  }
  return destinations;
}

/**
 * Why a Service has no endpoint pod here: it selects none, or it selects pods only by a label whose
 * value their controller computes at run time, which k8snet cannot know.
 */
function serviceWithoutPods(graph: ResourceGraph, service: Service): string {
  const selector = Object.entries(service.selector!);
  const text = selector.map(([key, value]) => `${key}=${value}`).join(',');
  const generated = new Set<string>();
  for (const pod of graph.podsInNamespace(service.namespace)) {
    const unknown = selector.filter(([key]) => isGeneratedValue(pod.labels[key]));
    if (unknown.length > 0 && selector.every(([key, value]) => isGeneratedValue(pod.labels[key]) || pod.labels[key] === value)) {
      for (const [key] of unknown) generated.add(key);
    }
  }
  if (generated.size === 0) return `Service ${service.namespace}/${service.name} selects no pod (selector ${text}).`;
  return `Service ${service.namespace}/${service.name} selects pods by ${[...generated].map((key) => `${key}, a value ${describeGeneratedLabel(key)}`).join(', and ')}: k8snet cannot know which pods carry ${text}, and answers as if none did.`;
}
