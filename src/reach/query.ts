import { countOf } from '../model/plural.js';
import type { ResourceGraph } from '../model/graph.js';
import { parseAddress, parseCidr, type IpFamily, type AddressRange } from '../model/cidr.js';
import type { Pod, Protocol, Service, ServicePort, Workload } from '../model/types.js';
import { ConnectionSet, type IcmpFamily } from './connection-set.js';
import { endpointPods, resolveTargetPort } from './exposure.js';
import { NON_INTERNET_V4, formatRange, partitionSpace } from './ip-ranges.js';
import type { AddressPeer, PairVerdict, PodClass, ReachabilitySolver } from './solver.js';
import { generatedLabelCaveats } from './generated-labels.js';
import { notEvaluatedAnswerNotes, notEvaluatedSideCaveats } from './not-evaluated.js';
import { calicoHostEndpointAddressCaveats } from './calico-caveats.js';
import { ciliumHostPolicyCaveat } from './cilium-pending.js';
import { networkPluginOf, type NetworkPluginFact } from '../model/network-plugin.js';
import { describeGeneratedLabel, isGeneratedValue } from '../model/controller-labels.js';
import { similarNames } from '../model/suggest.js';
import { manualEndpoints } from '../model/service-endpoints.js';
import { serviceLookupCaveat } from './cilium-dns-lookups.js';
import { DNS_PORTS, RESOLVER_SOURCE_PORTS, dnsPortsMissing, findClusterDns, type ClusterDns, type DnsLocation } from './cluster-dns.js';
import { API_SERVER_ENDPOINT, apiServerEndpoint, entityPeerOf, nodeRelations, resolveEntityEndpoint, type ApiServerFacts, type EntityEndpoint } from './entity-endpoints.js';
import { isEntityPeer, type Peer } from './policy-form.js';
import { CalicoHostEndpointSolver, hostEndpointsOfNode, type CalicoEndpointPeer } from './calico-host-endpoints.js';
import { evaluatedDialects } from './policies/index.js';
import type { CalicoHostEndpoint } from '../model/calico.js';

/** What a SRC or DST argument of `can-reach` names, once found in the graph. */
export type Endpoint =
  | { readonly type: 'pods'; readonly label: string; readonly pods: readonly Pod[] }
  | { readonly type: 'service'; readonly label: string; readonly service: Service; readonly pods: readonly Pod[] }
  | { readonly type: 'external-name'; readonly label: string; readonly service: Service }
  | { readonly type: 'address'; readonly label: string; readonly family: IpFamily; readonly range: AddressRange }
  | { readonly type: 'internet'; readonly label: string }
  | { readonly type: 'dns'; readonly label: string; readonly dns: ClusterDns }
  | EntityEndpoint;

/** Where cluster DNS runs unless `.k8snet.yaml` says otherwise (cluster.dnsSelector). */
const DEFAULT_DNS: DnsLocation = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

/** How {@link resolveEndpoint} reads what the manifests leave open. */
export interface EndpointOptions {
  /** Where cluster DNS runs, for the `dns` endpoint. */
  readonly dns?: DnsLocation;
  /** The API server's addresses and port (`.k8snet.yaml` cluster.apiServer), for the `kube-apiserver` endpoint. */
  readonly apiServer?: ApiServerFacts;
  /** The cluster's Service ranges (`.k8snet.yaml` cluster.serviceCIDR): the first address of one is the kubernetes Service's. */
  readonly serviceCIDR?: readonly string[];
  /** The solver the answer is computed with; the `dns` endpoint may extend it with a DNS pod as the cluster runs it. */
  readonly solver?: ReachabilitySolver;
}

/** A port asked about: a number or a name, with its protocol. */
export interface PortQuery {
  readonly protocol: Protocol;
  readonly port: number | string;
}

/** Connections of a protocol without ports asked about: ICMP (a type, a type and code, or all), or an IP protocol. */
export interface NonPortQuery {
  readonly connections: ConnectionSet;
  /** How the question names them: `ICMP 8/0`, `ICMPv6`, `protocol GRE`. */
  readonly label: string;
}

/** What `--port` asks about. */
export type ConnectionQuery = PortQuery | NonPortQuery;

/** Returns true when the query names a TCP, UDP or SCTP port. */
export function isPortQuery(query: ConnectionQuery): query is PortQuery {
  return (query as PortQuery).port !== undefined;
}

/** Formats a query as the answer names it: `80/TCP`, `http/TCP`, `ICMP 8/0`. */
export function formatConnectionQuery(query: ConnectionQuery): string {
  return isPortQuery(query) ? `${query.port}/${query.protocol}` : query.label;
}

/** Why an argument could not be resolved, in words for the user. */
export class QueryError extends Error {}

const PROTOCOL_NAMES: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const ICMP_NAMES: Readonly<Record<string, IcmpFamily>> = { icmp: 'ICMP', icmpv6: 'ICMPv6' };

/**
 * Returns true for a valid port name as the API server checks it (IsValidPortName, an IANA
 * service name): 1 to 15 characters of a-z, 0-9 and `-`, at least one letter, no `-` at either
 * end and no two in a row.
 */
function isValidPortName(text: string): boolean {
  return text.length <= 15 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(text) && /[a-z]/.test(text);
}

/**
 * Parses `80`, `80/TCP`, `53/udp`, `http`, `http/TCP`; `icmp`, `icmp/8`, `icmp/8/0` (ICMP type
 * and code; `icmpv6/128` likewise); `proto/47` or `proto/gre` (an IP protocol without ports). A
 * container port named `icmp` is asked about as `icmp/TCP`. A number in another notation (`0x50`,
 * `1e3`) or a range (`1-100`) is refused, though `0x50` is a valid port name: someone who types
 * it means a number.
 */
export function parsePortQuery(text: string): ConnectionQuery {
  const parts = text.split('/');
  const icmpFamily = ICMP_NAMES[parts[0].toLowerCase()];
  if (icmpFamily && (parts.length === 1 || !PROTOCOL_NAMES[parts[1].toLowerCase()])) return parseIcmpQuery(icmpFamily, parts, text);
  if (parts[0].toLowerCase() === 'proto' || parts[0].toLowerCase() === 'protocol') return parseProtocolQuery(parts, text);
  if (parts.length > 2) throw new QueryError(`'${text}' is not a port: write 80, 80/TCP, http/UDP, icmp/8 or proto/gre`);
  const [portText, protocolText] = parts;
  const protocol = protocolText === undefined ? 'TCP' : PROTOCOL_NAMES[protocolText.toLowerCase()];
  if (!protocol) throw new QueryError(`'${protocolText}' is not a protocol: use TCP, UDP or SCTP`);
  if (/^\d+$/.test(portText)) {
    const port = Number(portText);
    if (port < 1 || port > 65535) throw new QueryError(`port ${port} is outside 1-65535`);
    return { protocol, port };
  }
  if (/^(?:0[xob][0-9a-f]+|\d+e\d+)$/.test(portText)) {
    throw new QueryError(`'${portText}' reads as a number written in another notation: write the port number in decimal, e.g. 80`);
  }
  if (/^\d+-\d+$/.test(portText)) throw new QueryError(`'${portText}' is a range: ask about one port (or leave --port out for all of them)`);
  if (!isValidPortName(portText)) throw new QueryError(`'${portText}' is neither a port number (1-65535) nor a port name (1-15 of a-z, 0-9 and -, with a letter)`);
  return { protocol, port: portText };
}

function parseIcmpQuery(family: IcmpFamily, parts: readonly string[], text: string): NonPortQuery {
  if (parts.length > 3) throw new QueryError(`'${text}' is not an ICMP question: write ${family.toLowerCase()}, ${family.toLowerCase()}/TYPE or ${family.toLowerCase()}/TYPE/CODE`);
  const [type, code] = parts.slice(1).map((part) => {
    if (!/^\d+$/.test(part) || Number(part) > 255) throw new QueryError(`'${part}' in '${text}' is not an ICMP type or code (0-255)`);
    return Number(part);
  });
  return {
    connections: ConnectionSet.ofIcmp(family, type, code),
    label: type === undefined ? family : code === undefined ? `${family} ${type}` : `${family} ${type}/${code}`,
  };
}

function parseProtocolQuery(parts: readonly string[], text: string): NonPortQuery {
  if (parts.length !== 2 || parts[1] === '') throw new QueryError(`'${text}' is not a protocol question: write proto/47 or proto/gre`);
  const number = /^\d+$/.test(parts[1]) ? Number(parts[1]) : ConnectionSet.protocolNumberOf(parts[1]);
  if (number === undefined || number > 255) throw new QueryError(`'${parts[1]}' is not an IP protocol name or number (0-255)`);
  const name = ConnectionSet.ofProtocolNumber(number).describe();
  return { connections: ConnectionSet.ofProtocolNumber(number), label: `protocol ${/^\d+$/.test(parts[1]) ? number : name}` };
}

/**
 * Resolves a `can-reach` argument: `ns/name`, `ns/Kind/name`, `ns/key=value,...` (keys may have a
 * prefix: `ns/app.kubernetes.io/name=web`), `svc:ns/name`, `ip:ADDRESS` (a Service's ClusterIP
 * or a pod's IP stands for that Service or pod), `dns` (cluster DNS), `internet`, or an entity
 * (`node:NAME`, `fqdn:NAME`: entity-endpoints.ts).
 */
export function resolveEndpoint(graph: ResourceGraph, text: string, options: EndpointOptions = {}): Endpoint {
  if (text === 'internet') return { type: 'internet', label: 'the internet' };
  if (text === API_SERVER_ENDPOINT) return apiServerEndpoint(options.apiServer);
  const entity = resolveEntityEndpoint(graph, text);
  if (entity && 'error' in entity) throw new QueryError(entity.error);
  // A name is reached by its address, which the pod asks cluster DNS for.
  if (entity) return entity.kind === 'fqdn' ? { ...entity, resolvedThrough: options.dns ?? DEFAULT_DNS } : entity;
  if (text === 'dns') {
    if (!options.solver) throw new QueryError('dns needs the solver to find cluster DNS');
    const dns = findClusterDns(options.solver, options.dns ?? DEFAULT_DNS);
    return { type: 'dns', label: `cluster DNS (${dns.description})`, dns };
  }
  if (text.startsWith('ip:')) {
    const address = parseAddress(text.slice(3));
    if (!address) throw new QueryError(`'${text.slice(3)}' is not an IP address`);
    // An address the manifests give to a Service or a pod is that Service or pod, not somewhere outside the cluster.
    const service = graph.services.find((candidate) => candidate.type !== 'ExternalName' && clusterIPsOf(candidate).some((ip) => sameAddress(ip, address)));
    if (service) {
      return { type: 'service', label: `ip:${text.slice(3)} (ClusterIP of svc:${service.namespace}/${service.name})`, service, pods: endpointPods(graph, service) };
    }
    const pod = graph.workloads.flatMap((workload) => workload.pods).find((candidate) => candidate.podIP !== undefined && sameAddress(candidate.podIP, address));
    if (pod) return { type: 'pods', label: `ip:${text.slice(3)} (pod ${pod.namespace}/${pod.name})`, pods: [pod] };
    // The first address of a Service range is the kubernetes Service's ClusterIP: the API server behind it.
    if (!graph.service('default', 'kubernetes') && (options.serviceCIDR ?? []).some((cidr) => isFirstServiceAddress(cidr, address))) {
      const apiServer = apiServerEndpoint(options.apiServer);
      return { ...apiServer, label: `ip:${text.slice(3)} (ClusterIP of svc:default/kubernetes: ${apiServer.label})` };
    }
    return { type: 'address', label: text.slice(3), family: address.family, range: { first: address.value, last: address.value } };
  }
  if (text.startsWith('svc:')) {
    const [namespace, name] = splitNamespace(text.slice(4), graph.defaultNamespace);
    const service = graph.service(namespace, name);
    // Every cluster has Service default/kubernetes, in front of the API server.
    if (!service && namespace === 'default' && name === 'kubernetes') {
      const apiServer = apiServerEndpoint(options.apiServer);
      return { ...apiServer, label: `svc:default/kubernetes (${apiServer.label})` };
    }
    if (!service) throw new QueryError(`no Service ${namespace}/${name} in the manifests${suggest(graph.services.map((s) => `${s.namespace}/${s.name}`), `${namespace}/${name}`)}`);
    if (service.type === 'ExternalName') return { type: 'external-name', label: `svc:${namespace}/${name}`, service };
    return { type: 'service', label: `svc:${namespace}/${name}`, service, pods: endpointPods(graph, service) };
  }
  const slash = text.indexOf('/');
  const labels = slash > 0 ? text.slice(slash + 1) : '';
  // A label selector after the namespace: its keys may hold a `/` of their own (app.kubernetes.io/name).
  if (labels.includes('=')) {
    const namespace = text.slice(0, slash);
    const wanted = Object.fromEntries(labels.split(',').map((pair) => {
      const [key, ...value] = pair.split('=');
      return [key.trim(), value.join('=').trim()];
    }));
    if (Object.keys(wanted).some((key) => key === '')) throw new QueryError(`'${labels}' is not a list of labels: write ${namespace}/key=value,other=value`);
    const pods = graph.podsWithLabels(wanted, namespace);
    if (pods.length === 0) throw new QueryError(`no pod in namespace ${namespace} has the labels ${labels}`);
    return { type: 'pods', label: `${namespace}/{${labels}}`, pods };
  }
  const parts = text.split('/');
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
  const start = firstOrdinal(statefulSet);
  const ordinal = Number(match![2]);
  return ordinal >= start && ordinal < start + statefulSet.replicas ? { type: 'pods', label, pods: statefulSet.pods } : undefined;
}

/** A StatefulSet's first ordinal: `spec.ordinals.start`, 0 by default (and for an operator's). */
function firstOrdinal(statefulSet: Workload): number {
  const spec = (statefulSet.madeBy ? {} : statefulSet.source.value.spec ?? {}) as { ordinals?: { start?: unknown } };
  return typeof spec.ordinals?.start === 'number' ? spec.ordinals.start : 0;
}

/** The ClusterIPs a Service states: `spec.clusterIP` and the dual-stack `spec.clusterIPs`. */
function clusterIPsOf(service: Service): string[] {
  const spec = (service.source.value.spec ?? {}) as { clusterIPs?: unknown };
  const listed = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.filter((ip): ip is string => typeof ip === 'string') : [];
  return [...(service.clusterIP !== undefined ? [service.clusterIP] : []), ...listed].filter((ip) => ip !== 'None' && ip !== '');
}

/** True when `text` is the same address as `address` (`10.0.0.1` and `::ffff:10.0.0.1` are not). */
function sameAddress(text: string, address: { family: IpFamily; value: bigint }): boolean {
  const parsed = parseAddress(text);
  return parsed !== undefined && parsed.family === address.family && parsed.value === address.value;
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
  // `ns/web-5` of a StatefulSet of 3: say how many there are rather than suggest a name.
  const ordinal = /^(.+)\/(.+)-(\d+)$/.exec(wanted);
  const statefulSet = ordinal && graph.workloads.find((workload) => workload.kind === 'StatefulSet' && workload.namespace === ordinal[1] && workload.name === ordinal[2]);
  if (statefulSet) {
    const count = statefulSet.replicas;
    const start = firstOrdinal(statefulSet);
    const name = ordinal![2];
    throw new QueryError(`no pod ${wanted}: StatefulSet ${ordinal![1]}/${name} has ${countOf(count, 'replica')}${count > 0 ? ` (${name}-${start}${count > 1 ? ` to ${name}-${start + count - 1}` : ''})` : ''}`);
  }
  throw new QueryError(`no workload ${wanted} in the manifests${suggest(graph.workloads.map((workload) => `${workload.namespace}/${workload.name}`), wanted)}`);
}

/** `; did you mean shop/frontend?`: workloads of that name elsewhere, names that contain it, or names a typo away. */
function suggest(known: readonly string[], wanted: string): string {
  const name = wanted.split('/').pop()!;
  const nameOf = (candidate: string) => candidate.split('/').pop()!;
  const typos = new Set(similarNames(name, known.map(nameOf)));
  const close = known.filter((candidate) => candidate.endsWith(`/${name}`) || nameOf(candidate).includes(name) || typos.has(nameOf(candidate)));
  // The same namespace first: `shop/frontnd` most likely meant shop's frontend.
  const namespace = wanted.includes('/') ? wanted.slice(0, wanted.indexOf('/')) : undefined;
  close.sort((a, b) => Number(b.startsWith(`${namespace}/`)) - Number(a.startsWith(`${namespace}/`)));
  return close.length > 0 ? `; did you mean ${close.slice(0, 3).join(', ')}?` : '';
}

/** One concrete question: from a source peer to a destination peer, limited to some ports. */
export interface PairAnswer {
  readonly source: { readonly label: string; readonly peer: Peer; readonly pod?: Pod };
  readonly destination: { readonly label: string; readonly peer: Peer; readonly pod?: Pod };
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
  readonly port?: ConnectionQuery;
  readonly pairs: readonly PairAnswer[];
  /** Sentences about the question itself: a Service without endpoints, an ExternalName, a port no pod serves. */
  readonly notes: readonly string[];
  /** `all`: every pair allows the asked ports; `some`; or `none`. */
  readonly reachable: 'all' | 'some' | 'none';
}


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
export function answerReach(givenSolver: ReachabilitySolver, source: Endpoint, destination: Endpoint, port?: ConnectionQuery,
  plugin: NetworkPluginFact = networkPluginOf(givenSolver.graph, undefined)): ReachAnswer {
  // `dns` may stand for a DNS pod the manifests lack, known only to the solver it was found with.
  const dnsEndpoint = [source, destination].find((endpoint): endpoint is Extract<Endpoint, { type: 'dns' }> => endpoint.type === 'dns');
  const solver = dnsEndpoint ? dnsEndpoint.dns.solver : givenSolver;
  const notes: string[] = [];
  if (dnsEndpoint) notes.push(describeDns(dnsEndpoint.dns, port));
  const sources: { label: string; peer: PodClass | AddressPeer; pod?: Pod; entity?: EntityEndpoint }[] = [];
  if (source.type === 'pods' || source.type === 'service' || source.type === 'dns') {
    if (source.type === 'service') notes.push(`A Service is not a traffic source; answering for its endpoint pods.`);
    sources.push(...podPeers(source.type === 'dns' ? source.dns.pods : source.pods, solver));
  } else if (source.type === 'external-name') {
    throw new QueryError(`${source.label} is an ExternalName Service: it names a host outside the cluster, not a source of traffic`);
  } else if (source.type === 'entity') {
    sources.push(entitySide(source));
  } else {
    sources.push(...addressPeers(source, solver, 'ingress'));
  }
  if (sources.length === 0) notes.push(`${source.label} has no pods in the manifests.`);

  const destinations: { label: string; peer: PodClass | AddressPeer; pod?: Pod; asked: ConnectionSet; via?: string; entity?: EntityEndpoint }[] = [];
  if (destination.type === 'pods') {
    for (const peer of podPeers(destination.pods, solver)) {
      const asked = port ? askedOnPod(port, peer.pod) : ConnectionSet.ALL;
      if (asked.isEmpty() && port && isPortQuery(port)) notes.push(`${peer.label} has no container port named '${port.port}' (${port.protocol}).`);
      destinations.push({ ...peer, asked });
    }
  } else if (destination.type === 'service') {
    if (port && !isPortQuery(port)) {
      // kube-proxy forwards a Service's TCP, UDP and SCTP ports only: ICMP and other protocols sent
      // to its address never reach the pods behind it.
      notes.push(`Service ${destination.service.namespace}/${destination.service.name} forwards only its TCP, UDP and SCTP ports, so ${port.label} sent to its address does not reach its pods; answering for its endpoint pods addressed directly.`);
      for (const peer of podPeers(destination.pods, solver)) destinations.push({ ...peer, asked: port.connections });
    } else if (!destination.service.selector && manualEndpoints(solver.graph, destination.service).length > 0) {
      destinations.push(...manualEndpointDestinations(destination.service, port, solver, notes));
    } else {
      destinations.push(...serviceDestinations(destination.service, destination.pods, port, solver, notes));
    }
  } else if (destination.type === 'dns') {
    if (port && !isPortQuery(port)) {
      // Not through the DNS Service, which forwards ports only: the DNS pods themselves.
      for (const peer of podPeers(destination.dns.pods, solver)) destinations.push({ ...peer, asked: port.connections });
    } else {
      destinations.push(...dnsDestinations(destination.dns, port, solver, notes));
    }
  } else if (destination.type === 'external-name') {
    notes.push(`${destination.label} is an ExternalName Service for ${destination.service.externalName}: traffic leaves the cluster, and whether egress allows it depends on the addresses that name resolves to. Shown per public address range.`);
    for (const peer of addressPeers(destination, solver, 'egress')) destinations.push({ ...peer, asked: port && (!isPortQuery(port) || typeof port.port === 'number') ? askedOnPod(port, undefined) : ConnectionSet.ALL });
  } else if (destination.type === 'entity') {
    if (port && isPortQuery(port) && typeof port.port === 'string') throw new QueryError(`a named port ('${port.port}') cannot be resolved on ${destination.label}: ask about a port number`);
    // A Service in front of it forwards its port to the entity's own (the kubernetes Service: 443 to the API server's).
    const forwards = destination.forwards;
    const forwarded = forwards && port && isPortQuery(port) && port.protocol === 'TCP' && port.port === forwards.from;
    destinations.push({
      ...entitySide(destination),
      asked: forwarded ? ConnectionSet.ofPorts('TCP', forwards.to) : port ? askedOnPod(port, undefined) : ConnectionSet.ALL,
      ...(forwarded ? { via: `service port ${forwards.from}/TCP of svc:${forwards.service} → ${forwards.to}` } : {}),
    });
  } else {
    if (port && isPortQuery(port) && typeof port.port === 'string') throw new QueryError(`a named port ('${port.port}') cannot be resolved on an address outside the cluster`);
    for (const peer of addressPeers(destination, solver, 'egress')) destinations.push({ ...peer, asked: port ? askedOnPod(port, undefined) : ConnectionSet.ALL });
  }

  const pairs: PairAnswer[] = [];
  // Answers about a node whose host Calico polices through host endpoints: built on first use.
  let calicoHosts: CalicoHostEndpointSolver | undefined;
  // Selectors on labels whose value a controller computes at run time: k8snet cannot judge them.
  const unknowable = new Map<string, string[]>();
  const caveatsOf = (peer: Peer, side: 'source' | 'destination'): string[] => {
    if (isAddressPeer(peer)) return calicoHostEndpointAddressCaveats(solver.graph, peer.family, peer.range, side);
    if (isEntityPeer(peer)) return [];
    const key = `${side}\u0000${peer.index}`;
    let caveats = unknowable.get(key);
    if (!caveats) {
      unknowable.set(key, (caveats = [
        ...generatedLabelCaveats(solver.graph, peer.namespace, peer.labels, `the ${side}`, side),
      ]));
    }
    return caveats;
  };
  // Under Cilium, a Service asked by name must be looked up through the DNS proxy where the source's policies have DNS rules.
  const lookupCaveats = (pod: Pod | undefined, label: string): string[] => {
    if (!pod || destination.type !== 'service' || solver.layout.selectorLabels !== 'cilium-identity') return [];
    const caveat = serviceLookupCaveat(solver.graph, pod, destination.service, solver.graph.istio.settings.clusterDomain, label);
    return caveat ? [caveat] : [];
  };
  const hostsPoliced = isCalicoPolicingHosts(solver.graph, plugin) && solver.hostNetworkMode === 'node';
  let lookups: Map<string, string[]> | undefined;
  for (const sourceEnd of sources) {
    for (const destinationEnd of destinations) {
      let from = sourceEnd;
      let to = destinationEnd;
      // A hostNetwork pod under Calico is its node: the node's host endpoints police its traffic.
      const hostNetworkEnd = hostsPoliced ? hostNetworkPodEnd(from, to) : undefined;
      if (hostNetworkEnd && !to.asked.isEmpty()) {
        const end = hostNetworkEnd === 'source' ? from : to;
        const other = hostNetworkEnd === 'source' ? to : from;
        const { nodes, elsewhere } = hostNetworkPlacements(solver.graph, end.pod!);
        if (nodes.length > 0) {
          calicoHosts ??= new CalicoHostEndpointSolver(solver);
          const otherPeer: CalicoEndpointPeer = isAddressPeer(other.peer) ? { family: other.peer.family, range: other.peer.range } : { podClass: other.peer as PodClass };
          const plain = (side: AnswerSide) => ({ label: side.label, peer: side.peer, ...(side.pod ? { pod: side.pod } : {}) });
          for (const { node, hostEndpoints } of nodes) {
            for (const hostEndpoint of hostEndpoints) {
              const hostSide = { ...plain(end), label: `${end.label} on ${node} (host endpoint ${describeHostEndpoint(hostEndpoint)})` };
              const verdict = hostNetworkEnd === 'source'
                ? calicoHosts.explain({ hostEndpoint }, otherPeer, to.asked)
                : calicoHosts.explain(otherPeer, { hostEndpoint }, to.asked);
              pairs.push({
                source: hostNetworkEnd === 'source' ? hostSide : plain(from), destination: hostNetworkEnd === 'source' ? plain(to) : hostSide,
                asked: to.asked, ...(to.via ? { via: to.via } : {}), verdict, allowed: verdict.allowed.intersect(to.asked),
              });
            }
          }
          if (!elsewhere) continue;
          // Nodes without a host endpoint: Calico applies no host policy there, the answer below.
          const relabelled = { ...end, label: `${end.label} (on nodes without a Calico host endpoint)` };
          if (hostNetworkEnd === 'source') from = relabelled;
          else to = { ...to, label: relabelled.label };
        }
      }
      if ((from.entity || isAddressPeer(from.peer)) && (to.entity || isAddressPeer(to.peer))) {
        // Neither end is a pod: no policy of pods decides, and k8snet answers for pods.
        if (from.entity || to.entity) throw new QueryError(`neither ${from.label} nor ${to.label} is a pod: k8snet answers for traffic from or to pods`);
        continue;
      }
      if (to.asked.isEmpty()) continue;
      const nodeEntity = from.entity ?? to.entity;
      const hostEndpoints = nodeEntity ? calicoHostEndpointsOf(solver, plugin, nodeEntity) : [];
      if (nodeEntity && hostEndpoints.length > 0) {
        calicoHosts ??= new CalicoHostEndpointSolver(solver);
        for (const hostEndpoint of hostEndpoints) {
          const pair = calicoHostEndpointPair(calicoHosts, nodeEntity, hostEndpoint, from, to, to.asked);
          const extra = [
            ...(from.pod && !from.entity && !isAddressPeer(from.peer) ? [...caveatsOf(from.peer, 'source'), ...notEvaluatedSideCaveats(solver.graph, plugin, 'source', { pod: from.pod, classPods: from.peer.pods, label: from.label })] : []),
            ...(to.pod && !to.entity && !isAddressPeer(to.peer) ? [...caveatsOf(to.peer, 'destination'), ...notEvaluatedSideCaveats(solver.graph, plugin, 'destination', { pod: to.pod, classPods: to.peer.pods, label: to.label })] : []),
          ];
          const verdict = extra.length > 0 ? { ...pair.verdict, caveats: [...pair.verdict.caveats, ...extra] } : pair.verdict;
          pairs.push({ ...pair, asked: to.asked, ...(to.via ? { via: to.via } : {}), verdict, allowed: verdict.allowed.intersect(to.asked) });
        }
        if (hostEndpoints.length > 1) {
          notes.push(`Node ${nodeEntity.name} has ${hostEndpoints.length} Calico host endpoints (${hostEndpoints.map(describeHostEndpoint).join(', ')}): Calico polices a connection at the host endpoint `
            + 'of the interface it passes through (a named endpoint only its interface, a "*" endpoint every interface), which depends on the node\'s routing, so the answer is given per host endpoint.');
        }
        continue;
      }
      const variants = entityVariants(from, to, solver).map(({ source: sourceSide, destination: destinationSide }) => {
        const explained = solver.explain(sourceSide.peer, destinationSide.peer, to.asked);
        const extra = [
          ...caveatsOf(sourceSide.peer, 'source'), ...caveatsOf(destinationSide.peer, 'destination'),
          ...(from.pod && !isAddressPeer(from.peer) ? notEvaluatedSideCaveats(solver.graph, plugin, 'source', { pod: from.pod, classPods: from.peer.pods, label: from.label }) : []),
          ...(to.pod && !isAddressPeer(to.peer) ? notEvaluatedSideCaveats(solver.graph, plugin, 'destination', { pod: to.pod, classPods: to.peer.pods, label: to.label }) : []),
          ...entityCaveats(solver, plugin, sourceSide, destinationSide),
          ...lookupCaveats(from.pod, from.label),
          ...apiServerPortCaveats(solver, sourceSide.peer, destinationSide.peer, to.entity, to.asked),
          ...nameLookupCaveats(solver, from.pod, from.label, to.entity, () => (lookups ??= new Map())),
        ];
        const verdict = extra.length > 0 ? { ...explained, caveats: [...explained.caveats, ...extra] } : explained;
        return { source: sourceSide, destination: destinationSide, asked: to.asked, ...(to.via ? { via: to.via } : {}), verdict, allowed: verdict.allowed.intersect(to.asked) };
      });
      pairs.push(...mergeAlikeVariants(variants, from, to));
    }
  }
  for (const endpoint of [source, destination]) if (endpoint.type === 'entity') notes.push(...endpoint.notes);
  notes.push(...(solver.layout.notes ?? []));
  const localNode = solver.layout.localNode;
  if (localNode && pairs.some((pair) => pair.verdict.egress.unrestrictedBecause === 'local-node' || pair.verdict.ingress.unrestrictedBecause === 'local-node')) {
    notes.push(`Traffic between a pod and the node it runs on: ${localNode.because}.`);
  }
  // Istio's policies are another enforcement point, not evaluated yet: say so rather than answer as if they were absent.
  const podsOf = (endpoint: Endpoint) => (endpoint.type === 'pods' || endpoint.type === 'service' ? endpoint.pods : endpoint.type === 'dns' ? endpoint.dns.pods : undefined);
  notes.push(...notEvaluatedAnswerNotes(solver.graph, podsOf(source) ?? 'external', podsOf(destination) ?? []));
  if (destination.type === 'dns' && pairs.some((pair) => pair.allowed.dependsOnSourcePort())) notes.push(resolverSourcePortsNote(pairs));
  // A port asked, or cluster DNS (UDP and TCP 53, both needed), is reachable when all of it is allowed.
  const whole = port !== undefined || destination.type === 'dns';
  const allowedCount = pairs.filter((pair) => (whole ? pair.allowed.equals(pair.asked) : !pair.allowed.isEmpty())).length;
  const anyAllowed = pairs.some((pair) => !pair.allowed.isEmpty());
  const reachable = pairs.length > 0 && allowedCount === pairs.length ? 'all' : anyAllowed ? 'some' : 'none';
  return { source, destination, ...(port ? { port } : {}), pairs, notes, reachable };
}

/**
 * What DNS allowed from some source ports only means for lookups: a resolver sends each query
 * from an ephemeral port (RESOLVER_SOURCE_PORTS by default), so what counts is whether the
 * policies allow all of those, some, or none.
 */
function resolverSourcePortsNote(pairs: readonly PairAnswer[]): string {
  const [low, high] = RESOLVER_SOURCE_PORTS;
  const outcomes = pairs.map((pair) => dnsPortsMissing(pair.allowed));
  const verdict = outcomes.every((outcome) => outcome.missing.isEmpty() && outcome.partly.isEmpty())
    ? 'the policies allow DNS from all of them, so lookups work'
    : outcomes.every((outcome) => outcome.missing.equals(DNS_PORTS))
      ? 'the policies allow DNS from none of them, so lookups fail'
      : 'the policies allow DNS from only some of them (see the source ports above), so lookups sent from the others fail';
  return `Resolvers send each query from an ephemeral source port (${low}-${high}, Linux's default range): ${verdict}.`;
}

function isAddressPeer(peer: Peer): peer is AddressPeer {
  return (peer as AddressPeer).range !== undefined;
}

/** An entity endpoint as a side of the answer; its peer is made per counterpart (entityVariants). */
function entitySide(endpoint: EntityEndpoint): { label: string; peer: AddressPeer; entity: EntityEndpoint } {
  // A placeholder peer the pair loop never asks about: entityVariants replaces it.
  return { label: endpoint.label, peer: { family: 4, range: { first: 0n, last: 0n } }, entity: endpoint };
}

interface AnswerSide { readonly label: string; readonly peer: Peer; readonly pod?: Pod }

/**
 * The pairs one (source, destination) stands for once entities are placed: a node is the `host`
 * of the pods on it and a `remote-node` of the others; when the manifests do not say where the
 * pod runs (or its replicas run on it and elsewhere), one pair per case, each labelled.
 */
function entityVariants(from: AnswerSide & { entity?: EntityEndpoint }, to: AnswerSide & { entity?: EntityEndpoint }, solver: ReachabilitySolver): { source: AnswerSide; destination: AnswerSide }[] {
  const entity = from.entity ?? to.entity;
  if (!entity) return [{ source: from, destination: to }];
  const pod = from.entity ? to.pod : from.pod;
  const relations = entity.placement === 'node' && pod ? nodeRelations(pod, entity.name) : [undefined];
  const strip = ({ entity: _entity, ...side }: AnswerSide & { entity?: EntityEndpoint }): AnswerSide => side;
  return relations.map((relation) => {
    const label = relations.length > 1 && relation ? `${entity.label} (${relation === 'local' ? 'for pods on it' : 'for pods on other nodes'})` : entity.label;
    const side = { label, peer: entityPeerOf(entity, solver.compiledRules, relation) };
    return from.entity ? { source: side, destination: strip(to) } : { source: strip(from), destination: side };
  });
}

/**
 * The node-relative cases of one pair as one pair under the entity's own label when they end
 * alike (same connections, each side for the same kind of reason): the case split says nothing then.
 */
function mergeAlikeVariants(variants: PairAnswer[], from: AnswerSide, to: AnswerSide): PairAnswer[] {
  if (variants.length < 2) return variants;
  const [first] = variants;
  const alike = variants.every((variant) => variant.allowed.equals(first.allowed)
    && variant.verdict.egress.unrestrictedBecause === first.verdict.egress.unrestrictedBecause
    && variant.verdict.ingress.unrestrictedBecause === first.verdict.ingress.unrestrictedBecause
    && variant.verdict.caveats.join('\n') === first.verdict.caveats.join('\n'));
  if (!alike) return variants;
  return [{ ...first, source: { ...first.source, label: from.label }, destination: { ...first.destination, label: to.label } }];
}

/**
 * A name outside the cluster is reached by the address cluster DNS gives for it: a source pod
 * whose policies do not let it reach cluster DNS on UDP 53 cannot look the name up, whatever they
 * allow towards the address (egress-blocks-dns reports the same). Worked out once per source class.
 */
function nameLookupCaveats(solver: ReachabilitySolver, pod: Pod | undefined, label: string, entity: EntityEndpoint | undefined, cache: () => Map<string, string[]>): string[] {
  if (!pod || !entity?.resolvedThrough) return [];
  const key = `${solver.classOf(pod).index}`;
  const remembered = cache().get(key);
  if (remembered) return remembered;
  const dns = findClusterDns(solver, entity.resolvedThrough);
  const source = dns.solver.classOf(pod);
  let reachable = ConnectionSet.EMPTY;
  for (const dnsPod of dns.pods) reachable = reachable.union(dns.solver.classToClass(source, dns.solver.classOf(dnsPod)).intersect(DNS_PORTS));
  const { missing } = dnsPortsMissing(reachable);
  const udp = ConnectionSet.ofPorts('UDP', 53);
  const caveats = missing.intersect(udp).isEmpty() ? [] : [`${label} cannot reach cluster DNS (${dns.description}) on UDP 53, so it cannot look ${entity.name} up: `
    + 'connecting by name fails whatever the policies allow towards its address (unless the pod resolves it otherwise, by hostAliases or a resolver its policies let it reach).'];
  cache().set(key, caveats);
  return caveats;
}

/**
 * Asked about the API server on 443 or 6443 without its port stated (cluster.apiServer.port):
 * policies see its own port, 6443 on kubeadm, kind and k3s, 443 on managed control planes; when
 * the other one would be answered otherwise, say so.
 */
function apiServerPortCaveats(solver: ReachabilitySolver, source: Peer, destination: Peer, entity: EntityEndpoint | undefined, asked: ConnectionSet): string[] {
  if (!entity || entity.kind !== API_SERVER_ENDPOINT || entity.forwards) return [];
  for (const [port, other, where] of [[443, 6443, 'kubeadm, kind and k3s clusters'], [6443, 443, 'GKE, EKS and AKS']] as const) {
    if (!asked.equals(ConnectionSet.ofPorts('TCP', port))) continue;
    const here = !solver.explain(source, destination, asked).allowed.intersect(asked).isEmpty();
    const otherAsked = ConnectionSet.ofPorts('TCP', other);
    const there = !solver.explain(source, destination, otherAsked).allowed.intersect(otherAsked).isEmpty();
    if (here === there) return [];
    return [`The API server's own port is not stated (cluster.apiServer.port in .k8snet.yaml): where it listens on ${other} (${where}), policies see ${other}, which they ${there ? 'allow' : 'deny'}.`];
  }
  return [];
}

/** The end of a pair that is a hostNetwork pod, when the other end is a pod or an address (not a node or a name). */
function hostNetworkPodEnd(from: AnswerSide & { entity?: EntityEndpoint }, to: AnswerSide & { entity?: EntityEndpoint }): 'source' | 'destination' | undefined {
  const isHostNetworkPod = (end: AnswerSide & { entity?: EntityEndpoint }) => !end.entity && end.pod !== undefined && !isAddressPeer(end.peer) && (end.peer as PodClass).hostNetwork;
  if (from.entity || to.entity) return undefined;
  if (isHostNetworkPod(from) && !isHostNetworkPod(to)) return 'source';
  if (isHostNetworkPod(to) && !isHostNetworkPod(from)) return 'destination';
  return undefined;
}

/**
 * Where a hostNetwork pod may run, for Calico's host endpoints: the nodes with host endpoints
 * among those its placement admits (every node with one when the manifests do not say), and
 * whether it may also run where none is (a node of the input without one, or nodes the input
 * does not show), where Calico applies no host policy.
 */
function hostNetworkPlacements(graph: ResourceGraph, pod: Pod): { nodes: { node: string; hostEndpoints: readonly CalicoHostEndpoint[] }[]; elsewhere: boolean } {
  const placement = pod.scheduling?.placement ?? { kind: 'unknown' as const };
  const candidates = placement.kind === 'node' ? [placement.node]
    : placement.kind === 'nodes' ? [...placement.nodes]
      : [...new Set(graph.calico.hostEndpoints.map((endpoint) => endpoint.node).filter((node): node is string => typeof node === 'string' && node !== ''))];
  const nodes = candidates.map((node) => ({ node, hostEndpoints: hostEndpointsOfNode(graph, node) })).filter((entry) => entry.hostEndpoints.length > 0);
  const elsewhere = placement.kind === 'unknown' || candidates.some((node) => hostEndpointsOfNode(graph, node).length === 0);
  return { nodes, elsewhere };
}

/**
 * Returns true when Calico polices hosts in this answer: the plugin is Calico (or Canal), or
 * unknown with Calico's policies evaluated (and Cilium's not).
 */
function isCalicoPolicingHosts(graph: ResourceGraph, plugin: NetworkPluginFact): boolean {
  if (plugin.name === 'calico' || plugin.name === 'canal') return true;
  return plugin.name === 'unknown' && evaluatedDialects(graph, plugin).calico;
}

/**
 * The Calico HostEndpoints a `node:NAME` endpoint stands for: those of the node when Calico
 * polices hosts here; none otherwise (today's answer: the host's side is open).
 */
function calicoHostEndpointsOf(solver: ReachabilitySolver, plugin: NetworkPluginFact, entity: EntityEndpoint): readonly CalicoHostEndpoint[] {
  if (entity.placement !== 'node' || !isCalicoPolicingHosts(solver.graph, plugin)) return [];
  return hostEndpointsOfNode(solver.graph, entity.name);
}

/** `node-a-eth0 (eth0)`, `node-a-all (every interface)`: a host endpoint with the interfaces it polices. */
function describeHostEndpoint(endpoint: CalicoHostEndpoint): string {
  const where = endpoint.interfaceName === '*' ? 'every interface'
    : endpoint.interfaceName ? `interface ${endpoint.interfaceName}` : `the interface of ${endpoint.expectedIPs.join(', ') || 'no stated address'}`;
  return `${endpoint.name}, ${where}`;
}

/**
 * One pair of an answer between a node and a pod under Calico, through one of the node's host
 * endpoints: the host endpoint's side (failsafe rules, tiers, profiles, default deny) and the
 * pod's side towards the endpoint's expectedIPs (calico-host-endpoints.ts).
 */
function calicoHostEndpointPair(hosts: CalicoHostEndpointSolver, entity: EntityEndpoint, hostEndpoint: CalicoHostEndpoint,
  from: AnswerSide & { entity?: EntityEndpoint }, to: AnswerSide & { entity?: EntityEndpoint }, asked: ConnectionSet): Omit<PairAnswer, 'asked' | 'allowed'> {
  const label = `${entity.label} (host endpoint ${describeHostEndpoint(hostEndpoint)})`;
  const side = { label, peer: entityPeerOf(entity, hosts.solver.compiledRules) };
  const podSide = (end: AnswerSide) => ({ label: end.label, peer: end.peer, ...(end.pod ? { pod: end.pod } : {}) });
  const podPeer = (end: AnswerSide) => ({ podClass: end.peer as PodClass });
  const verdict = from.entity
    ? hosts.explain({ hostEndpoint }, podPeer(to), asked)
    : hosts.explain(podPeer(from), { hostEndpoint }, asked);
  return from.entity ? { source: side, destination: podSide(to), verdict } : { source: podSide(from), destination: side, verdict };
}

/**
 * What an answer about an entity must say that the evaluator cannot: traffic between a pod and
 * its own node where the layout does not say how the plugin treats it, and Cilium host policies
 * (not evaluated) that select the node.
 */
function entityCaveats(solver: ReachabilitySolver, plugin: NetworkPluginFact, source: AnswerSide, destination: AnswerSide): string[] {
  const caveats: string[] = [];
  const [entity, direction] = isEntityPeer(source.peer) ? [source.peer, 'egress' as const] : isEntityPeer(destination.peer) ? [destination.peer, 'ingress' as const] : [undefined, undefined];
  if (!entity || !direction) return caveats;
  if (entity.tags.includes('host') && !solver.layout.localNode) {
    caveats.push(`${isEntityPeer(source.peer) ? source.label : destination.label} is the node the pod runs on: whether the plugin lets traffic between a pod and its own node through whatever the policies say depends on its configuration; answered as the policies decide it.`);
  }
  const nodeName = entity.entity.startsWith('node:') ? entity.entity.slice('node:'.length) : undefined;
  if (nodeName !== undefined && isCalicoPolicingHosts(solver.graph, plugin)) {
    // Only reached without host endpoints of the node (answers with them go through calicoHostEndpointPair).
    caveats.push(`The input holds no Calico HostEndpoint for node ${nodeName}: Calico polices a host only through its host endpoints ("it only polices traffic to/from interfaces that it's been explicitly told about"), `
      + `so no policy applies to the node's side here; if the cluster has host endpoints for ${nodeName} (automatic ones included), add them to the input.`);
  }
  if (nodeName !== undefined) {
    const pending = ciliumHostPolicyCaveat(solver.graph, plugin, nodeName, direction, entity.entity);
    if (pending) caveats.push(pending);
  }
  return caveats;
}

/**
 * The connections a query means on a destination pod (or address): a number as is, a name
 * resolved on the pod (nothing towards an address), ICMP and other protocols as asked.
 */
function askedOnPod(port: ConnectionQuery, pod: Pod | undefined): ConnectionSet {
  if (!isPortQuery(port)) return port.connections;
  if (typeof port.port === 'number') return ConnectionSet.ofPorts(port.protocol, port.port);
  if (!pod) return ConnectionSet.EMPTY;
  let set = ConnectionSet.EMPTY;
  for (const container of pod.ports) {
    if (container.name === port.port && container.protocol === port.protocol) set = set.union(ConnectionSet.ofPorts(port.protocol, container.containerPort));
  }
  return set;
}

/** Says what `dns` stands for: the pods (or a pod as the cluster runs it), its Service, the ports asked. */
function describeDns(dns: ClusterDns, port: ConnectionQuery | undefined): string {
  const where = dns.hypothetical
    ? `no pod of the manifests matches ${dns.description}, so this answers for a DNS pod with those labels as the cluster runs it (cluster.dnsSelector in .k8snet.yaml says where DNS runs)`
    : `cluster DNS is ${dns.description}${dns.services.length > 0 ? ` behind ${dns.services.map((service) => `svc:${service.namespace}/${service.name}`).join(', ')}` : ''}`;
  return `${where.charAt(0).toUpperCase()}${where.slice(1)}; asked on ${port ? formatConnectionQuery(port) : 'UDP 53 and TCP 53'}.`;
}

/**
 * The DNS pods as destinations: through their Service's port 53 (resolved to each pod's
 * targetPort) when the manifests hold the Service, else on the pods' port 53; UDP and TCP unless a port is asked.
 */
function dnsDestinations(dns: ClusterDns, port: PortQuery | undefined, solver: ReachabilitySolver, notes: string[]) {
  const queries: PortQuery[] = port ? [port] : [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
  if (dns.services.length === 0) {
    return podPeers(dns.pods, solver).map((peer) => ({ ...peer, asked: port ? askedOnPod(port, peer.pod) : DNS_PORTS }));
  }
  const merged = new Map<PodClass, { label: string; peer: PodClass; pod: Pod; asked: ConnectionSet; via?: string }>();
  for (const query of queries) {
    for (const service of dns.services) {
      for (const entry of serviceDestinations(service, dns.pods, query, solver, notes)) {
        const earlier = merged.get(entry.peer);
        merged.set(entry.peer, earlier
          ? { ...earlier, asked: earlier.asked.union(entry.asked), via: [earlier.via, entry.via].filter(Boolean).join(', ') }
          : entry);
      }
    }
  }
  return [...merged.values()];
}

/**
 * The endpoints of a Service without a selector, as its Endpoints and EndpointSlices give them: a
 * pod of the manifests where the address is its podIP, else the address itself (a database outside
 * the cluster). Each Service port goes to the endpoint port of the same name and protocol.
 */
function manualEndpointDestinations(service: Service, port: PortQuery | undefined, solver: ReachabilitySolver, notes: string[]) {
  const endpoints = manualEndpoints(solver.graph, service);
  notes.push(`Service ${service.namespace}/${service.name} has no selector: answering for the endpoints its ${[...new Set(endpoints.map((endpoint) => endpoint.from))].join(', ')} give${endpoints.length === 1 && !endpoints[0].from.startsWith('Endpoints ') ? 's' : ''} (${[...new Set(endpoints.map((endpoint) => endpoint.address))].join(', ')}).`);
  const servicePorts: ServicePort[] = port
    ? service.ports.filter((candidate) => candidate.protocol === port.protocol && (typeof port.port === 'number' ? candidate.port === port.port : candidate.name === port.port))
    : [...service.ports];
  if (port && servicePorts.length === 0) {
    noServicePort(service, port, notes);
    return [];
  }
  const pods = solver.graph.workloads.flatMap((workload) => workload.pods).filter((pod) => pod.podIP !== undefined);
  const destinations: { label: string; peer: PodClass | AddressPeer; pod?: Pod; asked: ConnectionSet; via?: string }[] = [];
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.address)) continue;
    seen.add(endpoint.address);
    const parsed = parseAddress(endpoint.address)!;
    let asked = ConnectionSet.EMPTY;
    const via: string[] = [];
    for (const servicePort of servicePorts) {
      // Endpoint ports carry the Service port's name (none for a Service's single unnamed port).
      const target = endpoints.filter((other) => other.address === endpoint.address).flatMap((other) => other.ports)
        .find((candidate) => (candidate.name ?? '') === (servicePort.name ?? '') && candidate.protocol === servicePort.protocol);
      if (!target) continue;
      asked = asked.union(ConnectionSet.ofPorts(servicePort.protocol, target.port));
      via.push(`service port ${servicePort.port}/${servicePort.protocol} → ${target.port}`);
    }
    if (asked.isEmpty()) {
      notes.push(`${endpoint.address} (${endpoint.from}) has no port named as the Service port${servicePorts.length === 1 ? '' : 's'} asked, so the Service sends it nothing.`);
      continue;
    }
    const pod = pods.find((candidate) => sameAddress(candidate.podIP!, parsed));
    if (pod) {
      const [peer] = podPeers([pod], solver);
      destinations.push({ ...peer, asked, via: via.join(', ') });
    } else {
      destinations.push({ label: endpoint.address, peer: { family: parsed.family, range: { first: parsed.value, last: parsed.value } }, asked, via: via.join(', ') });
    }
  }
  return destinations;
}

/**
 * A port the Service does not have: by number, an answer (the Service forwards nothing on it, so
 * NOT REACHABLE, said in a note); by name, a question k8snet cannot answer (a Service port of that
 * name is what `--port NAME` asks for), refused with the ports it has.
 */
function noServicePort(service: Service, port: PortQuery, notes: string[]): void {
  const ports = service.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'none';
  if (typeof port.port === 'string') {
    throw new QueryError(`Service ${service.namespace}/${service.name} has no port named ${port.port}/${port.protocol} (its ports: ${ports}); ask by number, or name one of its ports`);
  }
  notes.push(`Service ${service.namespace}/${service.name} has no port ${port.port}/${port.protocol} (it has ${ports}).`);
}

function serviceDestinations(service: Service, pods: readonly Pod[], port: PortQuery | undefined, solver: ReachabilitySolver, notes: string[]) {
  const destinations: { label: string; peer: PodClass; pod: Pod; asked: ConnectionSet; via?: string }[] = [];
  if (!service.selector) notes.push(`Service ${service.namespace}/${service.name} has no selector: its endpoints are managed outside the manifests, so k8snet cannot tell which pods serve it.`);
  else if (pods.length === 0) notes.push(serviceWithoutPods(solver.graph, service));
  const servicePorts: ServicePort[] = port
    ? service.ports.filter((candidate) => candidate.protocol === port.protocol && (typeof port.port === 'number' ? candidate.port === port.port : candidate.name === port.port))
    : [...service.ports];
  if (port && servicePorts.length === 0) {
    noServicePort(service, port, notes);
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

/** True when `address` is the first address of Service range `cidr` (kube-apiserver gives it to Service default/kubernetes). */
function isFirstServiceAddress(cidr: string, address: { readonly family: IpFamily; readonly value: bigint }): boolean {
  const parsed = parseCidr(cidr);
  return !('error' in parsed) && parsed.family === address.family && parsed.range.first + 1n === address.value;
}
