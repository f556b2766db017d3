/**
 * Brute-force reference evaluator for Calico's NetworkPolicy and GlobalNetworkPolicy
 * (projectcalico.org/v3), written from Calico's documentation and sharing no code with `src/`:
 * one question at a time ("may pod `src` open `protocol`/`port` to pod `dst`?"), re-reading the
 * plain objects on every call.
 *
 * Semantics (docs: tier.mdx "How policy is evaluated", tiered-policy.mdx, networkpolicy.mdx,
 * globalnetworkpolicy.mdx, _rule.mdx, _selector.mdx), for the subset the property test generates:
 *  - Both ends must allow: the source pod's egress, the destination pod's ingress.
 *  - Tiers by `order` (lower first; none after every ordered one; ties by name). Calico's own
 *    default tier has order 1,000,000 and defaultAction Deny; a Tier's defaultAction is Deny unless
 *    it says Pass.
 *  - A tier takes part for a pod and direction only if one of its policies applies to the pod in
 *    that direction ("if no policies within a tier apply to endpoints, the tier is skipped").
 *  - Policies of a tier by `order` (none = after every ordered one), ties by name (namespaced
 *    ones as `namespace/name`); rules in order; the first rule matching decides: Allow allows,
 *    Deny denies, Pass leaves the tier for the next one, Log goes on with the next rule. No rule
 *    matching in the tier: its defaultAction (Deny; or Pass to the next tier).
 *  - After the last tier: the pod's namespace profile, which allows everything.
 *  - A NetworkPolicy applies to the pods of its namespace its selector matches; a
 *    GlobalNetworkPolicy to every pod its selector matches; no selector is `all()`.
 *  - `types`, when absent: Egress only if the policy has egress rules and no ingress rules, both
 *    if it has both, else Ingress.
 *  - A rule's source (ingress) or destination (egress) `selector` matches pods, in a
 *    NetworkPolicy only those of its namespace; no selector matches every peer. `notSelector`
 *    excludes the pods it matches (and, in a NetworkPolicy, also limits to its namespace);
 *    `nets` needs the peer's address inside one of them, `notNets` inside none. `protocol`
 *    restricts the protocol; destination `ports` (numbers and `"from:to"` ranges) the port;
 *    `source.ports` and `source.notPorts` the source port the connection comes from.
 *  - Selectors: `key == 'v'`, `key != 'v'` (true when the key is missing), `has(key)`,
 *    `!has(key)`, `key in {'a', 'b'}`, `all()`, joined by `&&` and `||` (`&&` binds tighter).
 */

type Obj = Record<string, any>;

/** Plain objects: Namespaces, Pods, Tiers, Calico NetworkPolicies and GlobalNetworkPolicies, and HostEndpoints. */
export interface CalicoRefCluster {
  namespaces: Obj[];
  pods: Obj[];
  tiers: Obj[];
  policies: Obj[];
  hostEndpoints?: Obj[];
}

const DEFAULT_TIER = { name: 'default', order: 1_000_000, defaultAction: 'Deny' };

/** Returns true when pod `src` (`namespace/name`) may open `protocol`/`port` to pod `dst` from source port `sourcePort`. */
export function calicoReferenceAllows(cluster: CalicoRefCluster, src: string, dst: string, protocol: 'TCP' | 'UDP', port: number, sourcePort: number): boolean {
  const source = findPod(cluster, src);
  const destination = findPod(cluster, dst);
  const connection = { protocol, port, sourcePort };
  return sideAllows(cluster, source, 'egress', destination, connection) && sideAllows(cluster, destination, 'ingress', source, connection);
}

/** One connection: protocol, destination port, source port. */
interface Connection {
  readonly protocol: string;
  readonly port: number;
  readonly sourcePort: number;
}

/**
 * Returns true when endpoint `src` may open `protocol`/`port` to endpoint `dst`, each a pod
 * (`namespace/name`) or a HostEndpoint (its name). Host endpoints (docs: hostendpoint.mdx,
 * host-endpoints/failsafe.mdx), for the host's own traffic: Felix's default failsafe ports are
 * allowed first (inbound TCP 22, 179, 2379, 2380, 5473, 6443, 6666, 6667, UDP 68; outbound UDP
 * 53, 67 and the same TCP ports but 22); then the tiers, where only GlobalNetworkPolicies apply
 * (a NetworkPolicy applies to the workload endpoints of its namespace); after the last tier the
 * profile `projectcalico-default-allow` allows, and without it everything is denied. A rule's
 * selector matches a host endpoint by its labels when it has expectedIPs (the generated ones all
 * do); a NetworkPolicy rule's selector only matches endpoints of its namespace, so never one.
 */
export function calicoReferenceAllowsEndpoints(cluster: CalicoRefCluster, src: string, dst: string, protocol: 'TCP' | 'UDP', port: number, sourcePort: number): boolean {
  const source = findEndpoint(cluster, src);
  const destination = findEndpoint(cluster, dst);
  const connection = { protocol, port, sourcePort };
  return sideAllows(cluster, source, 'egress', destination, connection) && sideAllows(cluster, destination, 'ingress', source, connection);
}

const FAILSAFE_TCP_BOTH = [179, 2379, 2380, 5473, 6443, 6666, 6667];

function failsafeAllows(direction: 'ingress' | 'egress', protocol: string, port: number): boolean {
  if (protocol === 'TCP') return FAILSAFE_TCP_BOTH.includes(port) || (direction === 'ingress' && port === 22);
  return direction === 'ingress' ? port === 68 : port === 53 || port === 67;
}

function findEndpoint(cluster: CalicoRefCluster, key: string): Obj {
  return cluster.hostEndpoints?.find((endpoint) => endpoint.metadata.name === key) ?? findPod(cluster, key);
}

function sideAllows(cluster: CalicoRefCluster, pod: Obj, direction: 'ingress' | 'egress', peer: Obj, connection: Connection): boolean {
  const isHost = pod.kind === 'HostEndpoint';
  if (isHost && failsafeAllows(direction, connection.protocol, connection.port)) return true;
  const tiers = [DEFAULT_TIER, ...cluster.tiers.map((tier) => ({ name: tier.metadata.name, order: tier.spec?.order, defaultAction: tier.spec?.defaultAction ?? 'Deny' }))]
    .sort((a, b) => compareOrders(a.order, b.order) || compareNames(a.name, b.name));
  for (const tier of tiers) {
    const policies = cluster.policies
      .filter((policy) => (policy.spec.tier ?? 'default') === tier.name && typesOf(policy).includes(direction) && appliesTo(policy, pod))
      .sort((a, b) => compareOrders(a.spec.order, b.spec.order) || compareNames(sortName(a), sortName(b)));
    if (policies.length === 0) continue;
    let passed = false;
    search: for (const policy of policies) {
      for (const rule of policy.spec[direction] ?? []) {
        if (!ruleMatches(policy, rule, direction, peer, connection)) continue;
        if (rule.action === 'Log') continue;
        if (rule.action === 'Allow') return true;
        if (rule.action === 'Deny') return false;
        passed = true;
        break search;
      }
    }
    if (!passed && tier.defaultAction !== 'Pass') return false;
  }
  return isHost ? (pod.spec.profiles ?? []).includes('projectcalico-default-allow') : true;
}

function ruleMatches(policy: Obj, rule: Obj, direction: 'ingress' | 'egress', peer: Obj, { protocol, port, sourcePort }: Connection): boolean {
  if (rule.protocol !== undefined && rule.protocol !== protocol) return false;
  const sourcePorts: (number | string)[] | undefined = rule.source?.ports;
  if (sourcePorts !== undefined && sourcePorts.length > 0 && !sourcePorts.some((entry) => portMatches(entry, sourcePort))) return false;
  const sourceNotPorts: (number | string)[] | undefined = rule.source?.notPorts;
  if (sourceNotPorts !== undefined && sourceNotPorts.some((entry) => portMatches(entry, sourcePort))) return false;
  const peerSide = direction === 'ingress' ? rule.source : rule.destination;
  // In a NetworkPolicy, a selector or a notSelector picks endpoints of its own namespace only.
  if ((peerSide?.selector !== undefined || peerSide?.notSelector !== undefined) && policy.kind === 'NetworkPolicy'
    && peer.metadata.namespace !== policy.metadata.namespace) return false;
  if (peerSide?.selector !== undefined && !selectorMatches(peerSide.selector, peer.metadata.labels ?? {})) return false;
  if (peerSide?.notSelector !== undefined && selectorMatches(peerSide.notSelector, peer.metadata.labels ?? {})) return false;
  // nets and notNets match the peer's address: a pod's IP, a host endpoint's expectedIPs.
  const addresses: string[] = peer.kind === 'HostEndpoint' ? peer.spec.expectedIPs ?? [] : peer.status?.podIP ? [peer.status.podIP] : [];
  if (peerSide?.nets !== undefined && !addresses.some((address) => peerSide.nets.some((net: string) => insideNet(address, net)))) return false;
  if (peerSide?.notNets !== undefined && addresses.some((address) => peerSide.notNets.some((net: string) => insideNet(address, net)))) return false;
  const ports: (number | string)[] | undefined = rule.destination?.ports;
  if (ports !== undefined && ports.length > 0) return ports.some((entry) => portMatches(entry, port));
  return true;
}

/** True when IPv4 `address` is inside `net` (a CIDR, or a bare address: a /32). */
function insideNet(address: string, net: string): boolean {
  const [base, bits] = net.includes('/') ? net.split('/') : [net, '32'];
  const value = (text: string) => text.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(value(address) / size) === Math.floor(value(base) / size);
}

/** A port entry (a number or a `"from:to"` range) against one port. */
function portMatches(entry: number | string, port: number): boolean {
  if (typeof entry === 'number') return entry === port;
  const [from, to] = entry.split(':').map(Number);
  return port >= from && port <= to;
}

function typesOf(policy: Obj): string[] {
  if (Array.isArray(policy.spec.types)) return policy.spec.types.map((type: string) => type.toLowerCase());
  const ingress = (policy.spec.ingress ?? []).length > 0;
  const egress = (policy.spec.egress ?? []).length > 0;
  if (egress && !ingress) return ['egress'];
  return egress ? ['ingress', 'egress'] : ['ingress'];
}

function appliesTo(policy: Obj, pod: Obj): boolean {
  if (policy.kind === 'NetworkPolicy' && pod.metadata.namespace !== policy.metadata.namespace) return false;
  return selectorMatches(policy.spec.selector ?? 'all()', pod.metadata.labels ?? {});
}

function sortName(policy: Obj): string {
  return policy.kind === 'NetworkPolicy' ? `${policy.metadata.namespace}/${policy.metadata.name}` : policy.metadata.name;
}

function compareOrders(a: number | undefined, b: number | undefined): number {
  const left = a ?? Number.POSITIVE_INFINITY;
  const right = b ?? Number.POSITIVE_INFINITY;
  return left === right ? 0 : left < right ? -1 : 1;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Evaluates the selector subset above: `||` of `&&` of atoms, no parentheses. */
export function selectorMatches(text: string, labels: Record<string, string>): boolean {
  return text.split('||').some((conjunction) => conjunction.split('&&').every((atom) => atomMatches(atom.trim(), labels)));
}

function atomMatches(atom: string, labels: Record<string, string>): boolean {
  if (atom === 'all()' || atom === '') return true;
  let match = /^has\(([\w./-]+)\)$/.exec(atom);
  if (match) return Object.hasOwn(labels, match[1]);
  match = /^!has\(([\w./-]+)\)$/.exec(atom);
  if (match) return !Object.hasOwn(labels, match[1]);
  match = /^([\w./-]+) == '([^']*)'$/.exec(atom);
  if (match) return labels[match[1]] === match[2];
  match = /^([\w./-]+) != '([^']*)'$/.exec(atom);
  if (match) return labels[match[1]] !== match[2];
  match = /^([\w./-]+) in \{(.*)\}$/.exec(atom);
  if (match) {
    const values = match[2].split(',').map((value) => value.trim().replace(/^'|'$/g, ''));
    return Object.hasOwn(labels, match[1]) && values.includes(labels[match[1]]);
  }
  throw new Error(`reference: selector atom not in the generated subset: ${atom}`);
}

function findPod(cluster: CalicoRefCluster, key: string): Obj {
  const pod = cluster.pods.find((candidate) => `${candidate.metadata.namespace}/${candidate.metadata.name}` === key);
  if (!pod) throw new Error(`reference: no pod ${key}`);
  return pod;
}
