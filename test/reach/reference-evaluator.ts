/**
 * Brute-force reference evaluator for Kubernetes NetworkPolicy (networking.k8s.io/v1).
 *
 * Written straight from the API documentation, one question at a time: "may `src` open a
 * connection to `dst` on `protocol`/`port`?". It works on plain Kubernetes objects as parsed
 * from YAML, re-reads them on every call (no caching, no grouping, no indexes) and shares no
 * code with `src/`, so that the fast solver can be checked against it.
 *
 * Semantics (see the NetworkPolicy concept page and the NetworkPolicySpec API reference):
 *  - A pod is isolated for ingress (egress) iff a policy in its own namespace selects it and has
 *    Ingress (Egress) among its effective policyTypes. Without `policyTypes` (or with `[]`) the
 *    effective types are Ingress, plus Egress iff `spec.egress` has at least one rule.
 *  - A connection pod→pod needs both sides: the source's egress and the destination's ingress.
 *    An isolated side is allowed iff some rule of some policy selecting the pod (and having that
 *    direction among its effective types) matches the peer and the port. Policies are additive.
 *  - `from`/`to` missing or empty matches every peer (all pods, all addresses). A podSelector-only
 *    peer matches pods of the policy's namespace; a namespaceSelector-only peer all pods of the
 *    matching namespaces; both together the pods matching both. ipBlock matches addresses in cidr
 *    and outside every except; it does not match pods here (that is CNI-dependent).
 *  - `ports` missing or empty matches every port of every protocol. A port entry's protocol
 *    defaults to TCP; `port` missing means every port of the protocol; numeric `port` with
 *    `endPort` is an inclusive range; a named port is resolved on the destination pod's
 *    container ports (same name, same protocol) and matches nothing towards an address.
 *  - Pods with `hostNetwork: true` are never isolated, and as peers they are matched only by
 *    rules whose `from`/`to` is missing or empty.
 *  - Addresses have no policies: address→pod needs only the pod's ingress side, pod→address
 *    only the pod's egress side.
 *
 * The Network Policy API (policy.networking.k8s.io: AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2), from its types and docs:
 *  - Each side goes through three tiers: the Admin tier (AdminNetworkPolicies and
 *    ClusterNetworkPolicies with `tier: Admin`), then NetworkPolicy, then the Baseline tier
 *    (the BaselineAdminNetworkPolicy and ClusterNetworkPolicies with `tier: Baseline`). In a
 *    tier, the policies whose subject selects the pod are taken by priority (lower first; equal
 *    priorities are left to the implementation, and taken by name here, the
 *    BaselineAdminNetworkPolicy after every ClusterNetworkPolicy of its tier), and their rules of
 *    the direction in order: the first rule matching the peer and the port decides. Allow/Accept
 *    allows, Deny denies, Pass skips the rest of the tier. A pod NetworkPolicy isolates is decided
 *    by NetworkPolicy (nothing reaches the Baseline tier); otherwise the Baseline tier, then allowed.
 *  - Subjects: `namespaces` (the pods of matching namespaces) or `pods` (namespaces AND pods);
 *    host-network pods are never selected. Peers: `namespaces` and `pods` likewise, never
 *    host-network pods; `networks` match addresses in a CIDR, and pods whose `status.podIP` is in
 *    one (a pod of unknown address only when a CIDR is a whole family); `nodes` match the
 *    addresses of Nodes whose labels match, and the host-network pods running on them
 *    (`spec.nodeName`).
 *  - Ports: without `ports`/`protocols`, everything; numbers, ranges (inclusive), and named ports
 *    resolved on the destination pod whatever their protocol.
 */

export type RefProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A pod `namespace/name`, or an IPv4 address outside the cluster. */
export type RefPeer = { pod: string } | { ip: string };

/**
 * Plain Kubernetes objects: Namespaces, Pods and NetworkPolicies; optionally Nodes and the
 * Network Policy API's AdminNetworkPolicies, BaselineAdminNetworkPolicy and ClusterNetworkPolicies.
 */
export interface RefCluster {
  namespaces: object[];
  pods: object[];
  policies: object[];
  nodes?: object[];
  clusterPolicies?: object[];
}

type Obj = Record<string, any>;

const PROTOCOLS: readonly RefProtocol[] = ['TCP', 'UDP', 'SCTP'];
const AUTOMATIC_NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
const DEFAULT_NAMESPACE = 'default';

/**
 * Returns true when `src` may connect to `dst` on `protocol`/`port` according to the
 * NetworkPolicies of `cluster`.
 */
export function referenceAllows(cluster: RefCluster, src: RefPeer, dst: RefPeer, protocol: RefProtocol, port: number): boolean {
  if (!PROTOCOLS.includes(protocol)) throw new Error(`reference: unknown protocol ${String(protocol)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`reference: port ${port} is not in 1-65535`);
  if ('ip' in src && 'ip' in dst) throw new Error('reference: address to address traffic is not governed by NetworkPolicy');
  const srcPod = 'pod' in src ? findPod(cluster, src.pod) : undefined;
  const dstPod = 'pod' in dst ? findPod(cluster, dst.pod) : undefined;
  if ('ip' in src) parseIPv4(src.ip);
  if ('ip' in dst) parseIPv4(dst.ip);

  const srcTarget: Target = srcPod ? { kind: 'pod', pod: srcPod } : { kind: 'ip', ip: (src as { ip: string }).ip };
  const dstTarget: Target = dstPod ? { kind: 'pod', pod: dstPod } : { kind: 'ip', ip: (dst as { ip: string }).ip };

  // The source's egress side (addresses have none).
  if (srcPod && !sideAllows(cluster, srcPod, 'egress', dstTarget, dstPod, protocol, port)) return false;
  // The destination's ingress side (addresses have none).
  if (dstPod && !sideAllows(cluster, dstPod, 'ingress', srcTarget, dstPod, protocol, port)) return false;
  return true;
}

type Target = { kind: 'pod'; pod: Obj } | { kind: 'ip'; ip: string };
type Direction = 'ingress' | 'egress';

/**
 * Whether `pod`'s own `direction` side lets traffic with `peer` through on `protocol`/`port`.
 * `destinationPod` is where named ports are resolved (undefined when the destination is an address).
 */
function sideAllows(cluster: RefCluster, pod: Obj, direction: Direction, peer: Target, destinationPod: Obj | undefined,
  protocol: RefProtocol, port: number): boolean {
  const admin = tierDecision(cluster, 'Admin', pod, direction, peer, destinationPod, protocol, port);
  if (admin !== undefined) return admin;
  const networkPolicy = networkPolicyDecision(cluster, pod, direction, peer, destinationPod, protocol, port);
  if (networkPolicy !== undefined) return networkPolicy;
  return tierDecision(cluster, 'Baseline', pod, direction, peer, destinationPod, protocol, port) ?? true;
}

/** NetworkPolicy's answer for a pod it isolates; undefined for a pod no NetworkPolicy isolates. */
function networkPolicyDecision(cluster: RefCluster, pod: Obj, direction: Direction, peer: Target, destinationPod: Obj | undefined,
  protocol: RefProtocol, port: number): boolean | undefined {
  // NetworkPolicy does not apply to host-network pods: they are never isolated.
  if (isHostNetwork(pod)) return undefined;
  let isolated = false;
  for (const policy of cluster.policies as Obj[]) {
    if (!policySelectsPod(policy, pod)) continue;
    const types = effectivePolicyTypes(policy);
    if (!types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
    isolated = true;
    const rules: unknown = policy.spec?.[direction];
    if (!Array.isArray(rules)) continue;
    const policyNamespace = namespaceOf(policy);
    for (const rule of rules as (Obj | null)[]) {
      const peers: unknown = rule?.[direction === 'ingress' ? 'from' : 'to'];
      if (!ruleMatchesPeer(cluster, policyNamespace, peers, peer)) continue;
      if (!ruleMatchesPort(rule?.ports, destinationPod, protocol, port)) continue;
      return true;
    }
  }
  return isolated ? false : undefined;
}

type Tier = 'Admin' | 'Baseline';

/** The policies of a tier, each with its priority; the BaselineAdminNetworkPolicy after the rest. */
function tierPolicies(cluster: RefCluster, tier: Tier): { policy: Obj; priority: number }[] {
  const policies: { policy: Obj; priority: number }[] = [];
  for (const policy of (cluster.clusterPolicies ?? []) as Obj[]) {
    if (policy.kind === 'AdminNetworkPolicy' && tier === 'Admin') policies.push({ policy, priority: policy.spec.priority });
    else if (policy.kind === 'BaselineAdminNetworkPolicy' && tier === 'Baseline') policies.push({ policy, priority: Number.MAX_SAFE_INTEGER });
    else if (policy.kind === 'ClusterNetworkPolicy' && policy.spec.tier === tier) policies.push({ policy, priority: policy.spec.priority });
  }
  const name = (entry: { policy: Obj }) => String(entry.policy.metadata.name);
  return policies.sort((a, b) => a.priority - b.priority || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/**
 * The first matching rule of a tier: true (Allow/Accept), false (Deny), or undefined when no
 * rule of the tier matches or a Pass rule hands the connection on.
 */
function tierDecision(cluster: RefCluster, tier: Tier, pod: Obj, direction: Direction, peer: Target, destinationPod: Obj | undefined,
  protocol: RefProtocol, port: number): boolean | undefined {
  // "Host-networked pods are not included in subject selection."
  if (isHostNetwork(pod)) return undefined;
  for (const { policy } of tierPolicies(cluster, tier)) {
    if (!subjectSelects(cluster, policy.spec?.subject ?? {}, pod)) continue;
    const rules: Obj[] = policy.spec?.[direction] ?? [];
    for (const rule of rules) {
      const peers: Obj[] = rule[direction === 'ingress' ? 'from' : 'to'] ?? [];
      if (!peers.some((candidate) => apiPeerMatches(cluster, candidate, peer))) continue;
      if (!apiPortsMatch(policy.kind === 'ClusterNetworkPolicy' ? rule.protocols : rule.ports, policy.kind === 'ClusterNetworkPolicy', destinationPod, protocol, port)) continue;
      if (rule.action === 'Pass') return undefined;
      return rule.action === 'Allow' || rule.action === 'Accept';
    }
  }
  return undefined;
}

function subjectSelects(cluster: RefCluster, subject: Obj, pod: Obj): boolean {
  if (subject.namespaces) return selectorMatches(subject.namespaces, namespaceLabels(cluster, namespaceOf(pod)));
  if (subject.pods) {
    return selectorMatches(subject.pods.namespaceSelector ?? {}, namespaceLabels(cluster, namespaceOf(pod)))
      && selectorMatches(subject.pods.podSelector ?? {}, labelsOf(pod));
  }
  throw new Error('reference: subject without namespaces or pods (invalid policy)');
}

function apiPeerMatches(cluster: RefCluster, peer: Obj, target: Target): boolean {
  if (peer.namespaces || peer.pods) {
    // "Host-networked pods are not included in this type of peer."
    if (target.kind !== 'pod' || isHostNetwork(target.pod)) return false;
    const namespaceSelector = peer.namespaces ?? peer.pods.namespaceSelector ?? {};
    if (!selectorMatches(namespaceSelector, namespaceLabels(cluster, namespaceOf(target.pod)))) return false;
    return peer.pods ? selectorMatches(peer.pods.podSelector ?? {}, labelsOf(target.pod)) : true;
  }
  if (peer.networks) {
    const cidrs: string[] = peer.networks.map(String);
    if (target.kind === 'ip') return cidrs.some((cidr) => ipInCidr(target.ip, cidr));
    const address = podAddress(cluster, target.pod);
    // A pod of unknown address: only a whole address family is sure to hold it.
    if (address === undefined) return cidrs.some((cidr) => cidr.endsWith('/0'));
    return cidrs.some((cidr) => ipInCidr(address, cidr));
  }
  if (peer.nodes) {
    const matching = ((cluster.nodes ?? []) as Obj[]).filter((node) => selectorMatches(peer.nodes, stringMap(node.metadata?.labels)));
    if (target.kind === 'ip') return matching.some((node) => nodeAddresses(node).includes(target.ip));
    if (!isHostNetwork(target.pod)) return false;
    if (isEmptySelector(peer.nodes)) return true;
    // The pod's node: spec.nodeName, or the Node whose address is its IP; not knowing which, it
    // could run on any Node, and matches only when every one does.
    const nodes = (cluster.nodes ?? []) as Obj[];
    const own = nodes.filter((node) => node.metadata?.name === target.pod.spec?.nodeName
      || (target.pod.spec?.nodeName === undefined && nodeAddresses(node).includes(target.pod.status?.podIP)));
    const candidates = own.length > 0 ? own : nodes;
    return candidates.length > 0 && candidates.every((node) => matching.includes(node));
  }
  throw new Error('reference: admin peer without a known field');
}

/** A pod's address: its status.podIP; a host-network pod's is its node's, or the node's InternalIP. */
function podAddress(cluster: RefCluster, pod: Obj): string | undefined {
  if (typeof pod.status?.podIP === 'string') return pod.status.podIP;
  if (isHostNetwork(pod) && pod.spec?.nodeName) {
    const node = ((cluster.nodes ?? []) as Obj[]).find((candidate) => candidate.metadata?.name === pod.spec.nodeName);
    return node ? nodeAddresses(node)[0] : undefined;
  }
  return undefined;
}

function nodeAddresses(node: Obj): string[] {
  return ((node.status?.addresses ?? []) as Obj[]).map((entry) => String(entry.address));
}

function isEmptySelector(selector: Obj): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/** Whether a rule's ports (v1alpha1 `ports`) or protocols (v1alpha2) include `protocol`/`port` towards the destination. */
function apiPortsMatch(entries: Obj[] | undefined, isV1alpha2: boolean, destinationPod: Obj | undefined, protocol: RefProtocol, port: number): boolean {
  // Missing: "protocol-specific attributes will not be used to match traffic".
  if (entries === undefined || entries === null) return true;
  return entries.some((entry) => {
    const named = isV1alpha2 ? entry.destinationNamedPort : entry.namedPort;
    if (typeof named === 'string') {
      if (!destinationPod) return false;
      return containerPortsOf(destinationPod).some((containerPort) => containerPort.name === named
        && (containerPort.protocol ?? 'TCP') === protocol && containerPort.containerPort === port);
    }
    if (isV1alpha2) {
      const [key, value] = Object.entries(entry)[0] as [string, Obj];
      if (key.toUpperCase() !== protocol) return false;
      const destination = value.destinationPort;
      if (typeof destination.number === 'number') return destination.number === port;
      return destination.range.start <= port && port <= destination.range.end;
    }
    if (entry.portNumber) return (entry.portNumber.protocol ?? 'TCP') === protocol && entry.portNumber.port === port;
    if (entry.portRange) return (entry.portRange.protocol ?? 'TCP') === protocol && entry.portRange.start <= port && port <= entry.portRange.end;
    throw new Error('reference: admin port without a known field');
  });
}

/** The effective policyTypes, defaulted as the API server does when the field is missing or empty. */
export function effectivePolicyTypes(policy: Obj): ('Ingress' | 'Egress')[] {
  const written: unknown = policy.spec?.policyTypes;
  if (Array.isArray(written) && written.length > 0) {
    return (['Ingress', 'Egress'] as const).filter((type) => written.includes(type));
  }
  const egress: unknown = policy.spec?.egress;
  return Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function policySelectsPod(policy: Obj, pod: Obj): boolean {
  if (namespaceOf(policy) !== namespaceOf(pod)) return false;
  return selectorMatches(policy.spec?.podSelector ?? {}, labelsOf(pod));
}

function ruleMatchesPeer(cluster: RefCluster, policyNamespace: string, peers: unknown, target: Target): boolean {
  // `from`/`to` missing or empty: every source/destination, pods (host-network ones included) and addresses.
  if (peers === undefined || peers === null) return true;
  if (!Array.isArray(peers)) throw new Error('reference: from/to is not a list');
  if (peers.length === 0) return true;
  return peers.some((peer: Obj | null) => peerMatches(cluster, policyNamespace, peer ?? {}, target));
}

function peerMatches(cluster: RefCluster, policyNamespace: string, peer: Obj, target: Target): boolean {
  const hasPodSelector = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNamespaceSelector = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  const hasIpBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
  if (!hasPodSelector && !hasNamespaceSelector && !hasIpBlock) throw new Error('reference: empty peer (invalid policy)');
  if (hasIpBlock && (hasPodSelector || hasNamespaceSelector)) throw new Error('reference: ipBlock combined with a selector (invalid policy)');

  if (hasIpBlock) {
    // ipBlock matches addresses only in this reference.
    if (target.kind !== 'ip') return false;
    const block = peer.ipBlock as Obj;
    if (!ipInCidr(target.ip, String(block.cidr))) return false;
    const except: unknown[] = Array.isArray(block.except) ? block.except : [];
    return !except.some((hole) => ipInCidr(target.ip, String(hole)));
  }

  // Selectors match pods only, and never host-network pods (their traffic looks like the node's).
  if (target.kind !== 'pod') return false;
  const pod = target.pod;
  if (isHostNetwork(pod)) return false;
  const podNamespace = namespaceOf(pod);
  const namespaceOk = hasNamespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels(cluster, podNamespace))
    : podNamespace === policyNamespace;
  if (!namespaceOk) return false;
  return hasPodSelector ? selectorMatches(peer.podSelector, labelsOf(pod)) : true;
}

function ruleMatchesPort(ports: unknown, destinationPod: Obj | undefined, protocol: RefProtocol, port: number): boolean {
  // `ports` missing or empty: every port of every protocol.
  if (ports === undefined || ports === null) return true;
  if (!Array.isArray(ports)) throw new Error('reference: ports is not a list');
  if (ports.length === 0) return true;
  return ports.some((entry: Obj | null) => portEntryMatches(entry ?? {}, destinationPod, protocol, port));
}

function portEntryMatches(entry: Obj, destinationPod: Obj | undefined, protocol: RefProtocol, port: number): boolean {
  const entryProtocol = entry.protocol ?? 'TCP';
  if (entryProtocol !== protocol) return false;
  const value: unknown = entry.port;
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') {
    const endPort: unknown = entry.endPort;
    if (endPort === undefined || endPort === null) return port === value;
    if (typeof endPort !== 'number') throw new Error('reference: endPort is not a number');
    return value <= port && port <= endPort;
  }
  if (typeof value === 'string') {
    // A named port: resolved on the destination pod; nothing to resolve towards an address.
    if (!destinationPod) return false;
    return containerPortsOf(destinationPod).some((containerPort) =>
      containerPort.name === value && (containerPort.protocol ?? 'TCP') === protocol && containerPort.containerPort === port);
  }
  throw new Error(`reference: port ${String(value)} is neither a number nor a name`);
}

function containerPortsOf(pod: Obj): Obj[] {
  const containers: unknown = pod.spec?.containers;
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container: Obj | null) => (Array.isArray(container?.ports) ? container!.ports : []) as Obj[])
    .filter((port) => port !== null && port !== undefined);
}

/** matchLabels AND matchExpressions; `{}` matches everything. */
export function selectorMatches(selector: Obj | null | undefined, labels: Record<string, string>): boolean {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  for (const [key, value] of Object.entries((selector?.matchLabels ?? {}) as Obj)) {
    if (!has(key) || labels[key] !== String(value)) return false;
  }
  for (const expression of (selector?.matchExpressions ?? []) as Obj[]) {
    const key = String(expression.key);
    const values: string[] = Array.isArray(expression.values) ? expression.values.map(String) : [];
    switch (expression.operator) {
      case 'In':
        if (!has(key) || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has(key) && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has(key)) return false;
        break;
      case 'DoesNotExist':
        if (has(key)) return false;
        break;
      default:
        throw new Error(`reference: unknown selector operator ${String(expression.operator)}`);
    }
  }
  return true;
}

/** The labels of namespace `name`: its object's labels plus the automatic name label. */
export function namespaceLabels(cluster: RefCluster, name: string): Record<string, string> {
  const declared = (cluster.namespaces as Obj[]).find((namespace) => namespace.metadata?.name === name);
  return { ...stringMap(declared?.metadata?.labels), [AUTOMATIC_NAMESPACE_LABEL]: name };
}

function findPod(cluster: RefCluster, key: string): Obj {
  const matches = (cluster.pods as Obj[]).filter((pod) => `${namespaceOf(pod)}/${pod.metadata?.name}` === key);
  if (matches.length !== 1) throw new Error(`reference: ${matches.length} pods are called ${key}`);
  return matches[0];
}

function namespaceOf(object: Obj): string {
  const namespace: unknown = object.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : DEFAULT_NAMESPACE;
}

function labelsOf(object: Obj): Record<string, string> {
  return stringMap(object.metadata?.labels);
}

function isHostNetwork(pod: Obj): boolean {
  return pod.spec?.hostNetwork === true;
}

function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [key, entry] of Object.entries(value)) result[key] = String(entry);
  return result;
}

/** Parses dotted-quad IPv4 to an integer in [0, 2^32). */
function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) {
    throw new Error(`reference: ${text} is not an IPv4 address`);
  }
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** True when IPv4 `ip` is inside `cidr`; an IPv6 CIDR never contains an IPv4 address. */
function ipInCidr(ip: string, cidr: string): boolean {
  const [network, lengthText] = cidr.split('/');
  if (network.includes(':')) return false;
  const length = Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > 32) throw new Error(`reference: bad CIDR ${cidr}`);
  const size = 2 ** (32 - length);
  return Math.floor(parseIPv4(ip) / size) === Math.floor(parseIPv4(network) / size);
}
