/**
 * Brute-force reference evaluator for Cilium's policies (CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy, cilium.io/v2), written from Cilium's policy documentation
 * (intro "Policy Enforcement Modes", layer3 "Endpoints based"/"Entities based"/"IP/CIDR based",
 * layer4, deny) and sharing no code with `src/`. It re-reads plain objects on every question.
 *
 * The subset it covers (what the property test generates):
 *  - Identity of a pod: its labels (source k8s), `io.kubernetes.pod.namespace`,
 *    `io.cilium.k8s.policy.serviceaccount` (`default` when unset), `io.cilium.k8s.policy.cluster=default`.
 *    Selector keys may carry `k8s:` or no source (any source matches); matchLabels and
 *    matchExpressions (In, NotIn, Exists, DoesNotExist).
 *  - Subjects: `endpointSelector`; in a CiliumNetworkPolicy only pods of its namespace.
 *  - Peers: `fromEndpoints`/`toEndpoints` — in a CiliumNetworkPolicy restricted to its namespace
 *    unless the selector names `io.kubernetes.pod.namespace`; in a clusterwide one any namespace.
 *    `fromEntities`/`toEntities` `cluster` (every pod), `world` (every address outside the cluster),
 *    `all` (both). `fromCIDR`/`toCIDR` match addresses only, never pods.
 *    A rule with no peer field but `toPorts` matches every peer; a rule with neither matches nothing.
 *  - Ports: `toPorts[].ports[]` `port` (0 = all) with `endPort`, `protocol` TCP, UDP or ANY (TCP,
 *    UDP and SCTP); no `toPorts` = every port of every protocol.
 *  - Verdicts: per endpoint and direction, a matching deny (ingressDeny/egressDeny) of any policy
 *    wins; else a matching allow allows; else the endpoint is denied if some rule selecting it
 *    enables default deny there (`enableDefaultDeny`, by default: it has rules in that direction);
 *    else allowed. A connection needs the source's egress and the destination's ingress.
 */

type Obj = Record<string, any>;

/** A cluster for the reference: pods and Cilium policies, as parsed YAML. */
export interface CiliumRefCluster {
  readonly pods: readonly Obj[];
  readonly policies: readonly Obj[];
}

/** A pod `namespace/name`, or an IPv4 address outside the cluster. */
export type CiliumRefPeer = { pod: string } | { ip: string };

function identityOf(pod: Obj): Map<string, string> {
  const labels = new Map<string, string>(Object.entries(pod.metadata.labels ?? {}));
  labels.set('io.kubernetes.pod.namespace', pod.metadata.namespace);
  labels.set('io.cilium.k8s.policy.serviceaccount', pod.spec.serviceAccountName ?? 'default');
  labels.set('io.cilium.k8s.policy.cluster', 'default');
  return labels;
}

function stripSource(key: string): string {
  return key.startsWith('k8s:') ? key.slice(4) : key.startsWith('any:') ? key.slice(4) : key;
}

function selectorMatches(selector: Obj, identity: Map<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (identity.get(stripSource(key)) !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = identity.get(stripSource(expression.key));
    switch (expression.operator) {
      case 'In': if (value === undefined || !expression.values.includes(value)) return false; break;
      case 'NotIn': if (value !== undefined && expression.values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
    }
  }
  return true;
}

function namesNamespace(selector: Obj): boolean {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((expression: Obj) => expression.key)]
    .some((key) => stripSource(key) === 'io.kubernetes.pod.namespace');
}

function podByKey(cluster: CiliumRefCluster, key: string): Obj {
  return cluster.pods.find((pod) => `${pod.metadata.namespace}/${pod.metadata.name}` === key)!;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const toNumber = (text: string) => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const [base, bits] = cidr.includes('/') ? cidr.split('/') : [cidr, '32'];
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(base) / size) * size;
  const value = toNumber(ip);
  return value >= start && value < start + size;
}

function peerMatches(policy: Obj, rule: Obj, direction: 'ingress' | 'egress', peer: CiliumRefPeer, cluster: CiliumRefCluster): boolean {
  const prefix = direction === 'ingress' ? 'from' : 'to';
  const endpoints: Obj[] | undefined = rule[`${prefix}Endpoints`];
  const entities: string[] | undefined = rule[`${prefix}Entities`];
  const cidrs: string[] | undefined = rule[`${prefix}CIDR`];
  const hasPeers = (endpoints?.length ?? 0) + (entities?.length ?? 0) + (cidrs?.length ?? 0) > 0;
  if (!hasPeers) return endpoints === undefined && (rule.toPorts?.length ?? 0) > 0;
  if ('ip' in peer) {
    return (entities ?? []).some((entity) => entity === 'world' || entity === 'all') || (cidrs ?? []).some((cidr) => ipInCidr(peer.ip, cidr));
  }
  const pod = podByKey(cluster, peer.pod);
  if ((entities ?? []).some((entity) => entity === 'cluster' || entity === 'all')) return true;
  const identity = identityOf(pod);
  return (endpoints ?? []).some((selector) => {
    if (policy.kind === 'CiliumNetworkPolicy' && !namesNamespace(selector) && pod.metadata.namespace !== policy.metadata.namespace) return false;
    return selectorMatches(selector, identity);
  });
}

function portMatches(rule: Obj, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): boolean {
  if (!rule.toPorts || rule.toPorts.length === 0) return true;
  return rule.toPorts.some((entry: Obj) => (entry.ports ?? []).some((written: Obj) => {
    const protocolWritten = written.protocol ?? 'ANY';
    if (protocolWritten !== 'ANY' && protocolWritten !== protocol) return false;
    const from = Number(written.port);
    if (from === 0) return true;
    const to = written.endPort !== undefined && written.endPort > from ? written.endPort : from;
    return port >= from && port <= to;
  }));
}

function selects(policy: Obj, spec: Obj, pod: Obj): boolean {
  if (policy.kind === 'CiliumNetworkPolicy' && pod.metadata.namespace !== policy.metadata.namespace) return false;
  return selectorMatches(spec.endpointSelector, identityOf(pod));
}

function sideAllows(cluster: CiliumRefCluster, podKey: string, direction: 'ingress' | 'egress', peer: CiliumRefPeer, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): boolean {
  const pod = podByKey(cluster, podKey);
  let isolated = false;
  let allowed = false;
  for (const policy of cluster.policies) {
    for (const spec of [...(policy.spec ? [policy.spec] : []), ...(policy.specs ?? [])]) {
      if (!selects(policy, spec, pod)) continue;
      const allows: Obj[] = spec[direction] ?? [];
      const denies: Obj[] = spec[`${direction}Deny`] ?? [];
      const stated = spec.enableDefaultDeny?.[direction];
      if (stated !== undefined ? stated : allows.length + denies.length > 0) isolated = true;
      if (denies.some((rule) => peerMatches(policy, rule, direction, peer, cluster) && portMatches(rule, protocol, port))) return false;
      if (allows.some((rule) => peerMatches(policy, rule, direction, peer, cluster) && portMatches(rule, protocol, port))) allowed = true;
    }
  }
  return allowed || !isolated;
}

/** May `source` open a connection to `destination` on `protocol`/`port` under Cilium? */
export function ciliumReferenceAllows(cluster: CiliumRefCluster, source: CiliumRefPeer, destination: CiliumRefPeer, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): boolean {
  const egress = 'pod' in source ? sideAllows(cluster, source.pod, 'egress', destination, protocol, port) : true;
  const ingress = 'pod' in destination ? sideAllows(cluster, destination.pod, 'ingress', source, protocol, port) : true;
  return egress && ingress;
}
