import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { loadTexts } from '../../src/load/index.js';
import { buildGraph } from '../../src/model/build-graph.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { referenceAllows, type RefCluster, type RefPeer, type RefProtocol } from './reference-evaluator.js';

/*
 * Property: on random small clusters (NetworkPolicies; and, in a second property, also
 * AdminNetworkPolicies, ClusterNetworkPolicies of both tiers and a BaselineAdminNetworkPolicy,
 * with Nodes and pod addresses), the fast solver (run through the product pipeline:
 * YAML text -> loadTexts -> buildGraph -> ReachabilitySolver) answers exactly what the
 * brute-force reference evaluator answers, for every ordered pod pair (a pod with itself
 * included), for pods and a few addresses in both directions, at every interesting port of
 * every protocol.
 */

type Obj = Record<string, unknown>;

const PROTOCOLS: readonly RefProtocol[] = ['TCP', 'UDP', 'SCTP'];

// ---------------------------------------------------------------------------------------------
// Vocabulary of the generated clusters.

const NAMESPACE_POOL = ['alpha', 'beta', 'gamma'];
const POD_LABELS: Record<string, string[]> = { app: ['x', 'y', 'z'], tier: ['fe', 'be'] };
const NAMESPACE_LABELS: Record<string, string[]> = { team: ['a', 'b'], env: ['prod', 'dev'] };
/** Selector keys: the label keys, plus `role`, which no object ever carries (missing-key cases). */
const POD_SELECTOR_KEYS: Record<string, string[]> = { ...POD_LABELS, role: ['db'] };
const NAMESPACE_SELECTOR_KEYS: Record<string, string[]> = {
  ...NAMESPACE_LABELS,
  'kubernetes.io/metadata.name': NAMESPACE_POOL,
  role: ['db'],
};
const PORT_NAMES = ['http', 'dns', 'metrics', 'web'];
const CONTAINER_PORTS = [53, 80, 8080, 9090];
const POLICY_PORTS = [1, 53, 80, 443, 8080, 9090, 65535];

/** CIDRs of generated ipBlocks, each with the CIDRs strictly inside it (valid `except` entries). */
const CIDRS: Record<string, string[]> = {
  '0.0.0.0/0': ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16', '192.168.1.0/24'],
  '10.0.0.0/8': ['10.1.0.0/16', '10.1.2.0/24'],
  '10.1.0.0/16': ['10.1.2.0/24'],
  '10.1.2.0/24': [],
  '192.168.0.0/16': ['192.168.1.0/24'],
  '192.168.1.0/24': [],
};

/** One address inside each CIDR and outside the CIDRs nested in it, one outside all, and edges. */
const ADDRESSES = [
  '203.0.113.7', // only 0.0.0.0/0
  '10.200.0.1', // 10.0.0.0/8
  '10.1.200.1', // 10.1.0.0/16
  '10.1.2.3', // 10.1.2.0/24
  '192.168.200.1', // 192.168.0.0/16
  '192.168.1.1', // 192.168.1.0/24
  '10.0.0.0', '9.255.255.255', '10.1.2.255', '10.1.3.0',
];

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const optionalProtocol = fc.constantFrom<RefProtocol>(...PROTOCOLS);

function labelsArb(vocabulary: Record<string, string[]>): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const [key, values] of Object.entries(vocabulary)) model[key] = fc.constantFrom(...values);
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

function expressionArb(keys: Record<string, string[]>): fc.Arbitrary<Obj> {
  return fc.constantFrom(...Object.keys(keys)).chain((key) => fc.oneof(
    fc.record({
      key: fc.constant(key),
      operator: fc.constantFrom('In', 'NotIn'),
      values: fc.uniqueArray(fc.constantFrom(...keys[key], 'other'), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({ key: fc.constant(key), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  ));
}

function selectorArb(keys: Record<string, string[]>): fc.Arbitrary<Obj> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    {
      weight: 5,
      arbitrary: fc.record({
        matchLabels: labelsArb(keys),
        matchExpressions: fc.array(expressionArb(keys), { maxLength: 2 }),
      }, { requiredKeys: [] }),
    },
  );
}

const podSelectorArb = selectorArb(POD_SELECTOR_KEYS);
const namespaceSelectorArb = selectorArb(NAMESPACE_SELECTOR_KEYS);

const ipBlockArb: fc.Arbitrary<Obj> = fc.constantFrom(...Object.keys(CIDRS)).chain((cidr) =>
  fc.record({ cidr: fc.constant(cidr), except: fc.subarray(CIDRS[cidr]) }, { requiredKeys: ['cidr'] }));

const peerArb: fc.Arbitrary<Obj> = fc.oneof(
  fc.record({ podSelector: podSelectorArb }),
  fc.record({ namespaceSelector: namespaceSelectorArb }),
  fc.record({ namespaceSelector: namespaceSelectorArb, podSelector: podSelectorArb }),
  ipBlockArb.map((ipBlock) => ({ ipBlock })),
);

const portNumberArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...POLICY_PORTS) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) },
);

const policyPortArb: fc.Arbitrary<Obj> = fc.oneof(
  fc.record({ protocol: optionalProtocol }, { requiredKeys: [] }),
  fc.record({ protocol: optionalProtocol, port: portNumberArb }, { requiredKeys: ['port'] }),
  fc.record({
    protocol: optionalProtocol,
    port: portNumberArb,
    span: fc.oneof(fc.constantFrom(0, 1, 100, 1000), fc.integer({ min: 0, max: 65534 })),
  }, { requiredKeys: ['port', 'span'] }).map(({ span, ...entry }) => ({ ...entry, endPort: Math.min(65535, entry.port + span) })),
  fc.record({ protocol: optionalProtocol, port: fc.constantFrom(...PORT_NAMES, 'admin') }, { requiredKeys: ['port'] }),
);

function ruleArb(peerKey: 'from' | 'to'): fc.Arbitrary<Obj> {
  return fc.record({
    [peerKey]: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 4, arbitrary: fc.array(peerArb, { minLength: 1, maxLength: 3 }) }),
    ports: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(policyPortArb, { minLength: 1, maxLength: 3 }) }),
  }, { requiredKeys: [] });
}

function ruleListArb(peerKey: 'from' | 'to'): fc.Arbitrary<Obj[]> {
  return fc.oneof({ weight: 1, arbitrary: fc.constant<Obj[]>([]) }, { weight: 4, arbitrary: fc.array(ruleArb(peerKey), { minLength: 1, maxLength: 3 }) });
}

const policyTypesArb = fc.constantFrom<string[]>([], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress']);

function policySpecArb(): fc.Arbitrary<Obj> {
  return fc.record({
    podSelector: podSelectorArb,
    policyTypes: policyTypesArb,
    ingress: ruleListArb('from'),
    egress: ruleListArb('to'),
  }, { requiredKeys: ['podSelector'] });
}

const containerPortArb = fc.record({
  containerPort: fc.constantFrom(...CONTAINER_PORTS),
  protocol: optionalProtocol,
  name: fc.constantFrom(...PORT_NAMES),
}, { requiredKeys: ['containerPort'] });

/** A container's ports, unique by name and by port/protocol, as the API server requires. */
const containerPortsArb = fc.array(containerPortArb, { maxLength: 3 }).map((ports) => {
  const names = new Set<string>();
  const numbers = new Set<string>();
  return ports.filter((port) => {
    const number = `${port.containerPort}/${port.protocol ?? 'TCP'}`;
    if (numbers.has(number) || (port.name !== undefined && names.has(port.name))) return false;
    numbers.add(number);
    if (port.name !== undefined) names.add(port.name);
    return true;
  });
});

function podArb(namespaces: string[]) {
  return fc.record({
    namespace: fc.constantFrom(...namespaces),
    labels: labelsArb(POD_LABELS),
    hostNetwork: fc.oneof(
      { weight: 14, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    containers: fc.array(containerPortsArb, { minLength: 1, maxLength: 2 }),
  });
}

/** A random valid cluster of 1-3 namespaces, 1-6 Pods and 0-5 NetworkPolicies, as plain objects. */
const clusterArb: fc.Arbitrary<RefCluster> = fc.uniqueArray(fc.constantFrom(...NAMESPACE_POOL), { minLength: 1, maxLength: 3 })
  .chain((namespaceNames) => fc.record({
    namespaces: fc.tuple(...namespaceNames.map(() => fc.record({
      declared: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      labels: labelsArb(NAMESPACE_LABELS),
    }))),
    pods: fc.array(podArb(namespaceNames), { minLength: 1, maxLength: 6 }),
    policies: fc.array(fc.record({ namespace: fc.constantFrom(...namespaceNames), spec: policySpecArb() }), { maxLength: 5 }),
  }).map((raw): RefCluster => ({
    namespaces: namespaceNames
      .map((name, index) => ({ name, ...raw.namespaces[index] }))
      .filter((namespace) => namespace.declared)
      .map((namespace) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace.name, labels: namespace.labels } })),
    // Names restart in each namespace (alpha/p0 and beta/p0), so pods are told apart by namespace too.
    pods: raw.pods.map((pod, index) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${raw.pods.slice(0, index).filter((other) => other.namespace === pod.namespace).length}`, namespace: pod.namespace, labels: pod.labels },
      spec: {
        ...(pod.hostNetwork !== undefined ? { hostNetwork: pod.hostNetwork } : {}),
        containers: pod.containers.map((ports, containerIndex) => ({
          name: `c${containerIndex}`,
          image: 'registry.example/app:1',
          ...(ports.length > 0 ? { ports } : {}),
        })),
      },
    })),
    policies: raw.policies.map((policy, index) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `np${index}`, namespace: policy.namespace },
      spec: policy.spec,
    })),
  })));

// ---------------------------------------------------------------------------------------------
// The Network Policy API: AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy,
// with Nodes and pod addresses for their `networks` and `nodes` peers.

const NODES = [
  { name: 'n1', labels: { 'kubernetes.io/os': 'linux', zone: 'a' }, address: '192.168.0.1' },
  { name: 'n2', labels: { 'kubernetes.io/os': 'linux', zone: 'b' }, address: '192.168.0.2' },
];
const NODE_SELECTOR_KEYS: Record<string, string[]> = { 'kubernetes.io/os': ['linux'], zone: ['a', 'b'] };
/** Pod addresses inside (and outside) the CIDRs the generated peers use; twins may share one. */
const POD_IPS = ['10.1.2.3', '10.1.2.4', '10.200.0.1', '192.168.1.1', '203.0.113.7'];

const apiPeerArb = (direction: 'ingress' | 'egress'): fc.Arbitrary<Obj> => fc.oneof(
  { weight: 2, arbitrary: namespaceSelectorArb.map((namespaces) => ({ namespaces })) },
  { weight: 2, arbitrary: fc.record({ namespaceSelector: namespaceSelectorArb, podSelector: podSelectorArb }).map((pods) => ({ pods })) },
  ...(direction === 'egress' ? [
    { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom(...Object.keys(CIDRS), '10.1.2.3/32'), { minLength: 1, maxLength: 2 }).map((networks) => ({ networks })) },
    { weight: 1, arbitrary: selectorArb(NODE_SELECTOR_KEYS).map((nodes) => ({ nodes })) },
  ] : []),
);

/** A v1alpha1 `ports` entry or a v1alpha2 `protocols` entry. */
const apiPortArb = (v1alpha2: boolean, named: boolean): fc.Arbitrary<Obj> => fc.oneof(
  fc.record({ protocol: optionalProtocol, port: portNumberArb }).map(({ protocol, port }) => (v1alpha2
    ? { [protocol.toLowerCase()]: { destinationPort: { number: port } } }
    : { portNumber: { protocol, port } })),
  fc.record({ protocol: optionalProtocol, start: portNumberArb, span: fc.constantFrom(1, 10, 1000) })
    .filter(({ start, span }) => start + span <= 65535)
    .map(({ protocol, start, span }) => (v1alpha2
      ? { [protocol.toLowerCase()]: { destinationPort: { range: { start, end: start + span } } } }
      : { portRange: { protocol, start, end: start + span } })),
  ...(named ? [fc.constantFrom(...PORT_NAMES).map((name) => (v1alpha2 ? { destinationNamedPort: name } : { namedPort: name }))] : []),
);

function apiRuleArb(kind: 'anp' | 'banp' | 'cnp', direction: 'ingress' | 'egress', index: number): fc.Arbitrary<Obj> {
  const actions = kind === 'banp' ? ['Allow', 'Deny'] : kind === 'anp' ? ['Allow', 'Deny', 'Pass'] : ['Accept', 'Deny', 'Pass'];
  return fc.record({
    action: fc.constantFrom(...actions),
    peers: fc.array(apiPeerArb(direction), { minLength: 1, maxLength: 2 }),
    withPorts: fc.boolean(),
  }).chain(({ action, peers, withPorts }) => {
    // "networks/nodes peer cannot be set with namedPorts".
    const named = !peers.some((peer) => peer.networks || peer.nodes);
    const ports = withPorts ? fc.array(apiPortArb(kind === 'cnp', named), { minLength: 1, maxLength: 2 }) : fc.constant(undefined);
    return ports.map((entries) => ({
      name: `${direction}-${index}`,
      action,
      [direction === 'ingress' ? 'from' : 'to']: peers,
      ...(entries ? { [kind === 'cnp' ? 'protocols' : 'ports']: entries } : {}),
    }));
  });
}

const apiSubjectArb: fc.Arbitrary<Obj> = fc.oneof(
  namespaceSelectorArb.map((namespaces) => ({ namespaces })),
  fc.record({ namespaceSelector: namespaceSelectorArb, podSelector: podSelectorArb }).map((pods) => ({ pods })),
);

function apiRulesArb(kind: 'anp' | 'banp' | 'cnp', direction: 'ingress' | 'egress'): fc.Arbitrary<Obj[]> {
  return fc.integer({ min: 0, max: 3 }).chain((count) => (count === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: count }, (_, index) => apiRuleArb(kind, direction, index)))));
}

/** AdminNetworkPolicies and ClusterNetworkPolicies (priorities 0-3, so ties happen), and maybe the baseline. */
const apiPoliciesArb: fc.Arbitrary<Obj[]> = fc.record({
  admin: fc.array(fc.record({
    kind: fc.constantFrom('anp' as const, 'cnp' as const),
    tier: fc.constantFrom('Admin', 'Baseline'),
    priority: fc.integer({ min: 0, max: 3 }),
    subject: apiSubjectArb,
  }).chain((policy) => fc.record({ ingress: apiRulesArb(policy.kind, 'ingress'), egress: apiRulesArb(policy.kind, 'egress') }).map((rules) => ({ ...policy, ...rules }))), { maxLength: 3 }),
  baseline: fc.option(fc.record({ subject: apiSubjectArb, ingress: apiRulesArb('banp', 'ingress'), egress: apiRulesArb('banp', 'egress') }), { nil: undefined }),
}).map(({ admin, baseline }) => [
  ...admin.map((policy, index) => (policy.kind === 'anp'
    ? { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: `anp${index}` }, spec: { priority: policy.priority, subject: policy.subject, ingress: policy.ingress, egress: policy.egress } }
    : { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: `cnp${index}` }, spec: { tier: policy.tier, priority: policy.priority, subject: policy.subject, ingress: policy.ingress, egress: policy.egress } })),
  ...(baseline ? [{ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: baseline }] : []),
]);

/** A random cluster as clusterArb makes, plus Nodes, pod addresses and Network Policy API policies. */
const apiClusterArb: fc.Arbitrary<RefCluster> = fc.record({
  base: clusterArb,
  addresses: fc.array(fc.option(fc.constantFrom(...POD_IPS), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  nodesOfPods: fc.array(fc.constantFrom(0, 1), { minLength: 6, maxLength: 6 }),
  clusterPolicies: apiPoliciesArb,
}).map(({ base, addresses, nodesOfPods, clusterPolicies }) => ({
  ...base,
  pods: (base.pods as Obj[]).map((pod, index) => {
    const spec = pod.spec as Obj;
    // A host-network pod runs on a Node and has its address; others may have an address of their own.
    if (spec.hostNetwork === true) {
      const node = NODES[nodesOfPods[index]];
      return { ...pod, spec: { ...spec, nodeName: node.name }, status: { podIP: node.address } };
    }
    return addresses[index] ? { ...pod, status: { podIP: addresses[index] } } : pod;
  }),
  nodes: NODES.map((node) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.name, labels: node.labels }, status: { addresses: [{ type: 'InternalIP', address: node.address }] } })),
  clusterPolicies,
}));

// ---------------------------------------------------------------------------------------------
// Comparison.

interface Disagreement {
  readonly src: string;
  readonly dst: string;
  readonly protocol: RefProtocol;
  readonly port: number;
  readonly reference: boolean;
  readonly solver: boolean;
}

interface Comparison {
  readonly yaml: string;
  /** Pipeline problems: findings or lost pods mean the generator made something invalid. */
  readonly problems: string[];
  readonly disagreements: Disagreement[];
  readonly checks: number;
}

function toYaml(cluster: RefCluster): string {
  return [...cluster.namespaces, ...cluster.pods, ...cluster.policies, ...(cluster.nodes ?? []), ...(cluster.clusterPolicies ?? [])]
    .map((object) => dump(object)).join('---\n');
}

/** Every port number mentioned anywhere, ±1, plus 1 and 65535. */
function interestingPorts(cluster: RefCluster): number[] {
  const mentioned = new Set<number>([1, 65535]);
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === 'object') for (const [field, item] of Object.entries(value)) visit(item, field);
    else if (typeof value === 'number' && (key === 'port' || key === 'endPort' || key === 'containerPort' || key === 'number' || key === 'start' || key === 'end')) mentioned.add(value);
  };
  visit(cluster.pods);
  visit(cluster.policies);
  visit(cluster.clusterPolicies ?? []);
  const ports = new Set<number>();
  for (const port of mentioned) for (const near of [port - 1, port, port + 1]) if (near >= 1 && near <= 65535) ports.add(near);
  return [...ports].sort((a, b) => a - b);
}

const MAX_REPORTED = 15;

function compareWithReference(cluster: RefCluster, addresses: readonly string[] = ADDRESSES): Comparison {
  const yaml = toYaml(cluster);
  const problems: string[] = [];
  const loaded = loadTexts([{ path: 'generated.yaml', text: yaml }]);
  for (const finding of loaded.findings) problems.push(`loader ${finding.severity} ${finding.ruleId}: ${finding.message}`);
  const graph = buildGraph(loaded.objects);
  for (const finding of graph.findings) problems.push(`graph ${finding.severity} ${finding.ruleId}: ${finding.message}`);
  const pods = graph.pods.map((pod) => ({ pod, key: `${pod.namespace}/${pod.name}` }));
  const expectedKeys = (cluster.pods as { metadata: { namespace: string; name: string } }[]).map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`);
  const actualKeys = pods.map((pod) => pod.key);
  if ([...expectedKeys].sort().join() !== [...actualKeys].sort().join()) {
    problems.push(`graph pods [${actualKeys.join(', ')}] differ from generated pods [${expectedKeys.join(', ')}]`);
  }
  const disagreements: Disagreement[] = [];
  let checks = 0;
  if (problems.length > 0) return { yaml, problems, disagreements, checks };

  const solver = new ReachabilitySolver(graph);
  const ports = interestingPorts(cluster);
  const check = (src: string, dst: string, set: { contains(protocol: RefProtocol, port: number): boolean }) => {
    const srcPeer: RefPeer = src.includes('/') ? { pod: src } : { ip: src };
    const dstPeer: RefPeer = dst.includes('/') ? { pod: dst } : { ip: dst };
    for (const protocol of PROTOCOLS) {
      for (const port of ports) {
        checks++;
        const reference = referenceAllows(cluster, srcPeer, dstPeer, protocol, port);
        const solverAnswer = set.contains(protocol, port);
        if (reference !== solverAnswer && disagreements.length < MAX_REPORTED) {
          disagreements.push({ src, dst, protocol, port, reference, solver: solverAnswer });
        }
      }
    }
  };
  for (const source of pods) {
    for (const destination of pods) check(source.key, destination.key, solver.podToPod(source.pod, destination.pod));
  }
  for (const address of addresses) {
    for (const pod of pods) {
      check(address, pod.key, solver.addressToPod(address, pod.pod));
      check(pod.key, address, solver.podToAddress(pod.pod, address));
    }
  }
  return { yaml, problems, disagreements, checks };
}

const verdict = (allowed: boolean) => (allowed ? 'ALLOW' : 'DENY');

function report(comparison: Comparison): string {
  const lines: string[] = [];
  if (comparison.problems.length > 0) {
    lines.push('The generated manifests did not load cleanly (generator bug or pipeline bug):');
    lines.push(...comparison.problems.map((problem) => `  - ${problem}`));
  }
  if (comparison.disagreements.length > 0) {
    lines.push(`Solver and reference disagree (${comparison.disagreements.length === MAX_REPORTED ? `first ${MAX_REPORTED}` : comparison.disagreements.length} shown):`);
    for (const d of comparison.disagreements) {
      lines.push(`  ${d.src} -> ${d.dst} ${d.protocol}/${d.port}: reference=${verdict(d.reference)} solver=${verdict(d.solver)}`);
    }
  }
  lines.push('--- generated.yaml ---', comparison.yaml);
  return lines.join('\n');
}

/** Throws with the YAML, the pair, protocol, port and both answers when anything differs. */
function assertAgreement(cluster: RefCluster, addresses?: readonly string[]): Comparison {
  const comparison = compareWithReference(cluster, addresses);
  if (comparison.problems.length > 0 || comparison.disagreements.length > 0) throw new Error(report(comparison));
  return comparison;
}

// ---------------------------------------------------------------------------------------------
// Builders for the deterministic regression clusters.

function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function pod(key: string, labels: Record<string, string>, ports: Obj[] = []): Obj {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ...(ports.length > 0 ? { ports } : {}) }] },
  };
}

function policy(key: string, spec: Obj): Obj {
  const [ns, name] = key.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

const at = (cluster: RefCluster, src: string, dst: string, protocol: RefProtocol, port: number) =>
  referenceAllows(cluster, src.includes('/') ? { pod: src } : { ip: src }, dst.includes('/') ? { pod: dst } : { ip: dst }, protocol, port);

// ---------------------------------------------------------------------------------------------

describe('solver agrees with the reference evaluator', () => {
  it('generated clusters load cleanly (generator sanity, no solver involved)', () => {
    fc.assert(fc.property(clusterArb, (cluster) => {
      const loaded = loadTexts([{ path: 'generated.yaml', text: toYaml(cluster) }]);
      const graph = buildGraph(loaded.objects);
      const problems = [...loaded.findings, ...graph.findings].map((finding) => finding.message);
      if (problems.length > 0 || graph.pods.length !== cluster.pods.length) {
        throw new Error(`${problems.join('\n')}\n--- generated.yaml ---\n${toYaml(cluster)}`);
      }
    }), { numRuns: 100, includeErrorInReport: true });
  });

  it('on random clusters, for every pod pair, address and interesting port', () => {
    fc.assert(fc.property(clusterArb, (cluster) => {
      assertAgreement(cluster);
    }), { numRuns: 300, includeErrorInReport: true });
  });

  it('on random clusters with AdminNetworkPolicies, ClusterNetworkPolicies and a baseline: tiers, priority, Pass, Deny, networks and nodes', () => {
    fc.assert(fc.property(apiClusterArb, (cluster) => {
      assertAgreement(cluster, [...ADDRESSES, ...NODES.map((node) => node.address)]);
    }), { numRuns: 200, includeErrorInReport: true });
  });

  it('regression: a named port whose protocol differs from the container port protocol', () => {
    const cluster: RefCluster = {
      namespaces: [namespace('alpha')],
      pods: [
        pod('alpha/dns', { app: 'dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'web', containerPort: 8080 }]),
        pod('alpha/client', { app: 'client' }),
      ],
      policies: [
        policy('alpha/in', { podSelector: { matchLabels: { app: 'dns' } }, ingress: [{ ports: [{ port: 'dns' }, { protocol: 'SCTP', port: 'web' }] }] }),
        policy('alpha/out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'web' }, { protocol: 'UDP', port: 'dns' }] }] }),
      ],
    };
    // Ingress `dns` defaults to TCP but the container port is UDP; `web` is TCP, not SCTP.
    expect(at(cluster, '203.0.113.7', 'alpha/dns', 'TCP', 53)).toBe(false);
    expect(at(cluster, '203.0.113.7', 'alpha/dns', 'UDP', 53)).toBe(false);
    expect(at(cluster, '203.0.113.7', 'alpha/dns', 'SCTP', 8080)).toBe(false);
    // Egress UDP `dns` resolves on the destination; UDP `web` does not (web is TCP).
    expect(at(cluster, 'alpha/client', '203.0.113.7', 'UDP', 53)).toBe(false);
    expect(at(cluster, 'alpha/client', 'alpha/client', 'UDP', 53)).toBe(false);
    expect(at(cluster, 'alpha/client', 'alpha/dns', 'UDP', 8080)).toBe(false);
    expect(at(cluster, 'alpha/client', 'alpha/dns', 'TCP', 8080)).toBe(false);
    assertAgreement(cluster);
  });

  it('regression: endPort ranges, inclusive at both ends, per protocol', () => {
    const cluster: RefCluster = {
      namespaces: [namespace('alpha')],
      pods: [pod('alpha/a', { app: 'x' }, [{ containerPort: 8080 }]), pod('alpha/b', { app: 'y' })],
      policies: [
        policy('alpha/in', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8080 }, { protocol: 'UDP', port: 65000, endPort: 65535 }, { protocol: 'SCTP', port: 1, endPort: 1 }] }] }),
        policy('alpha/out', { podSelector: { matchLabels: { app: 'y' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 1, endPort: 8040 }] }] }),
      ],
    };
    expect(at(cluster, 'alpha/a', 'alpha/b', 'TCP', 7999)).toBe(false);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'TCP', 8000)).toBe(true);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'TCP', 8080)).toBe(true);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'TCP', 8081)).toBe(false);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'UDP', 65535)).toBe(true);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'UDP', 64999)).toBe(false);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'SCTP', 1)).toBe(true);
    expect(at(cluster, 'alpha/a', 'alpha/b', 'SCTP', 2)).toBe(false);
    expect(at(cluster, 'alpha/b', 'alpha/a', 'TCP', 8040)).toBe(true);
    expect(at(cluster, 'alpha/b', 'alpha/a', 'TCP', 8041)).toBe(false);
    expect(at(cluster, 'alpha/b', '10.1.2.3', 'TCP', 1)).toBe(true);
    assertAgreement(cluster);
  });

  it('regression: NotIn on a missing key selects the pod', () => {
    const cluster: RefCluster = {
      namespaces: [namespace('alpha', { team: 'a' }), namespace('beta')],
      pods: [pod('alpha/plain', { app: 'x' }), pod('alpha/db', { app: 'x', role: 'db' }), pod('beta/other', { app: 'z' })],
      policies: [
        policy('alpha/deny', { podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }] }, policyTypes: ['Ingress'] }),
        policy('alpha/from', {
          podSelector: { matchLabels: { role: 'db' } },
          ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] } }] }],
        }),
      ],
    };
    expect(at(cluster, 'beta/other', 'alpha/plain', 'TCP', 80)).toBe(false);
    // beta has no `team` label: NotIn matches it; alpha has team=a: it does not.
    expect(at(cluster, 'beta/other', 'alpha/db', 'TCP', 80)).toBe(true);
    expect(at(cluster, 'alpha/plain', 'alpha/db', 'TCP', 80)).toBe(false);
    assertAgreement(cluster);
  });

  it('regression: namespaceSelector+podSelector in one peer (AND) versus as two peers (OR)', () => {
    const base = {
      namespaces: [namespace('alpha', { team: 'a' }), namespace('beta', { team: 'b' })],
      pods: [pod('alpha/web', { app: 'web' }), pod('alpha/api', { app: 'api' }), pod('beta/api', { app: 'api' }), pod('beta/job', { app: 'job' })],
    };
    const onePeer: RefCluster = {
      ...base,
      policies: [policy('alpha/p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'api' } } }] }] })],
    };
    const twoPeers: RefCluster = {
      ...base,
      policies: [policy('alpha/p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'api' } } }] }] })],
    };
    expect(at(onePeer, 'beta/api', 'alpha/web', 'TCP', 80)).toBe(true);
    expect(at(onePeer, 'beta/job', 'alpha/web', 'TCP', 80)).toBe(false);
    expect(at(onePeer, 'alpha/api', 'alpha/web', 'TCP', 80)).toBe(false);
    expect(at(twoPeers, 'beta/api', 'alpha/web', 'TCP', 80)).toBe(true);
    expect(at(twoPeers, 'beta/job', 'alpha/web', 'TCP', 80)).toBe(true);
    expect(at(twoPeers, 'alpha/api', 'alpha/web', 'TCP', 80)).toBe(true);
    expect(at(twoPeers, 'alpha/web', 'alpha/web', 'TCP', 80)).toBe(false);
    assertAgreement(onePeer);
    assertAgreement(twoPeers);
  });

  it('regression: a namespace used but not declared has only kubernetes.io/metadata.name', () => {
    const cluster: RefCluster = {
      namespaces: [namespace('alpha', { team: 'a' })],
      pods: [pod('alpha/web', { app: 'web' }), pod('beta/p0', { app: 'x' }), pod('gamma/p0', { app: 'x' })],
      policies: [policy('alpha/in', {
        podSelector: {},
        ingress: [
          { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }, { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['beta'] }] } }], ports: [{ port: 80 }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gamma' } } }], ports: [{ port: 81 }] },
        ],
      })],
    };
    expect(at(cluster, 'beta/p0', 'alpha/web', 'TCP', 80)).toBe(true);
    expect(at(cluster, 'gamma/p0', 'alpha/web', 'TCP', 80)).toBe(false);
    expect(at(cluster, 'gamma/p0', 'alpha/web', 'TCP', 81)).toBe(true);
    expect(at(cluster, 'alpha/web', 'alpha/web', 'TCP', 80)).toBe(false);
    assertAgreement(cluster);
  });

  it('regression: host-network pods and egress: [] without policyTypes', () => {
    const cluster: RefCluster = {
      namespaces: [namespace('alpha')],
      pods: [
        pod('alpha/app', { app: 'x' }, [{ name: 'http', containerPort: 80 }]),
        { ...pod('alpha/agent', { app: 'x' }, [{ name: 'http', containerPort: 80 }]), spec: { hostNetwork: true, containers: [{ name: 'main', image: 'i', ports: [{ name: 'http', containerPort: 80 }] }] } },
      ],
      policies: [
        policy('alpha/no-egress-isolation', { podSelector: {}, egress: [] }),
        policy('alpha/in', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }, { from: [], ports: [{ port: 'http' }] }] }),
      ],
    };
    expect(at(cluster, 'alpha/agent', 'alpha/app', 'TCP', 80)).toBe(true);
    expect(at(cluster, 'alpha/agent', 'alpha/app', 'TCP', 81)).toBe(false);
    expect(at(cluster, 'alpha/app', 'alpha/app', 'TCP', 81)).toBe(true);
    expect(at(cluster, 'alpha/app', '203.0.113.7', 'UDP', 53)).toBe(true);
    expect(at(cluster, '203.0.113.7', 'alpha/agent', 'SCTP', 9)).toBe(true);
    assertAgreement(cluster);
  });
});
