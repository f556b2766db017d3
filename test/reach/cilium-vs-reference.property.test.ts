/*
 * Property: on random small clusters with Cilium policies (CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy: endpoint selectors with service accounts and namespaces, entities,
 * CIDRs, ports and ranges, deny rules, enableDefaultDeny, empty rules), the solver under Cilium's
 * layout (YAML text -> loadTexts -> buildGraph -> ReachabilitySolver) answers what the brute-force
 * reference evaluator (cilium-reference.ts, written from Cilium's docs, no shared code) answers,
 * for every ordered pod pair and pods against two addresses, on every port that matters.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { loadTexts } from '../../src/load/index.js';
import { buildGraph } from '../../src/model/build-graph.js';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { ciliumReferenceAllows, type CiliumRefCluster, type CiliumRefPeer } from './cilium-reference.js';

type Obj = Record<string, unknown>;

const NAMESPACES = ['alpha', 'beta'];
const KEYS: Record<string, string[]> = {
  app: ['x', 'y'],
  'k8s:tier': ['fe', 'be'],
  'io.cilium.k8s.policy.serviceaccount': ['s1', 's2', 'default'],
  'io.kubernetes.pod.namespace': NAMESPACES,
};
const PORTS: readonly ['TCP' | 'UDP' | 'SCTP', number][] = [['TCP', 80], ['TCP', 443], ['TCP', 8080], ['UDP', 53], ['SCTP', 80]];
const ADDRESSES = ['203.0.113.7', '10.1.2.3'];

const podArbitrary = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
  tier: fc.option(fc.constantFrom('fe', 'be'), { nil: undefined }),
  serviceAccount: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
});

const selectorArbitrary: fc.Arbitrary<Obj> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...Object.keys(KEYS)).chain((key) => fc.constantFrom(...KEYS[key]).map((value) => ({ matchLabels: { [key]: value } }))),
  fc.record({
    key: fc.constantFrom(...Object.keys(KEYS)),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
  }).chain(({ key, operator }): fc.Arbitrary<Obj> => (operator === 'In' || operator === 'NotIn'
    ? fc.subarray(KEYS[key], { minLength: 1 }).map((values) => ({ matchExpressions: [{ key, operator, values }] }))
    : fc.constant({ matchExpressions: [{ key, operator }] }))),
);

const toPortsArbitrary = fc.option(fc.array(fc.record({
  port: fc.constantFrom('0', '80', '443', '53'),
  protocol: fc.constantFrom('TCP', 'UDP', 'ANY'),
  endPort: fc.option(fc.constantFrom(443, 8080), { nil: undefined }),
}).map((port) => {
  const written: Obj = { port: port.port, protocol: port.protocol };
  // endPort only on a numbered, non-zero port: the agent refuses nothing else, but keep it plain.
  if (port.endPort !== undefined && port.port !== '0') written.endPort = port.endPort;
  return written;
}), { minLength: 1, maxLength: 2 }).map((ports) => [{ ports }]), { nil: undefined });

function ruleArbitrary(direction: 'ingress' | 'egress'): fc.Arbitrary<Obj> {
  const prefix = direction === 'ingress' ? 'from' : 'to';
  const peers: fc.Arbitrary<Obj> = fc.oneof(
    fc.constant({}),
    fc.array(selectorArbitrary, { minLength: 1, maxLength: 2 }).map((selectors) => ({ [`${prefix}Endpoints`]: selectors })),
    fc.subarray(['cluster', 'world', 'all'], { minLength: 1 }).map((entities) => ({ [`${prefix}Entities`]: entities })),
    fc.subarray(['10.0.0.0/8', '203.0.113.0/24'], { minLength: 1 }).map((cidrs) => ({ [`${prefix}CIDR`]: cidrs })),
  );
  return fc.tuple(peers, toPortsArbitrary).map(([rule, toPorts]) => (toPorts ? { ...rule, toPorts } : rule));
}

const specArbitrary = fc.record({
  endpointSelector: selectorArbitrary,
  ingress: fc.array(ruleArbitrary('ingress'), { maxLength: 2 }),
  egress: fc.array(ruleArbitrary('egress'), { maxLength: 2 }),
  ingressDeny: fc.array(ruleArbitrary('ingress'), { maxLength: 1 }),
  egressDeny: fc.array(ruleArbitrary('egress'), { maxLength: 1 }),
  enableDefaultDeny: fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }), { nil: undefined }),
}).map((spec) => {
  const written: Obj = { endpointSelector: spec.endpointSelector };
  for (const field of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) if (spec[field].length > 0) written[field] = spec[field];
  // The CRD needs one of the four; a spec with none gets an empty ingress list.
  if (!['ingress', 'egress', 'ingressDeny', 'egressDeny'].some((field) => field in written)) written.ingress = [];
  if (spec.enableDefaultDeny) written.enableDefaultDeny = spec.enableDefaultDeny;
  return written;
});

const policyArbitrary = fc.record({
  clusterwide: fc.boolean(),
  namespace: fc.constantFrom(...NAMESPACES),
  specs: fc.array(specArbitrary, { minLength: 1, maxLength: 2 }),
});

const clusterArbitrary = fc.record({
  pods: fc.array(podArbitrary, { minLength: 1, maxLength: 5 }),
  policies: fc.array(policyArbitrary, { minLength: 1, maxLength: 3 }),
}).map(({ pods, policies }): CiliumRefCluster => ({
  pods: pods.map((pod, index) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod${index}`,
      namespace: pod.namespace,
      labels: { ...(pod.app ? { app: pod.app } : {}), ...(pod.tier ? { tier: pod.tier } : {}) },
    },
    spec: { ...(pod.serviceAccount ? { serviceAccountName: pod.serviceAccount } : {}), containers: [{ name: 'c', image: 'busybox' }] },
  })),
  policies: policies.map((policy, index) => ({
    apiVersion: 'cilium.io/v2',
    kind: policy.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata: { name: `policy${index}`, ...(policy.clusterwide ? {} : { namespace: policy.namespace }) },
    ...(policy.specs.length === 1 ? { spec: policy.specs[0] } : { specs: policy.specs }),
  })),
}));

function check(cluster: CiliumRefCluster): void {
  const text = [...cluster.pods, ...cluster.policies].map((object) => dump(object)).join('---\n');
  const graph = buildGraph(loadTexts([{ path: 'generated.yaml', text }]).objects);
  // Every generated policy is one the API server and the agent accept.
  expect(graph.cilium.policies).toHaveLength(cluster.policies.length);
  const solver = new ReachabilitySolver(graph, { plugin: networkPluginOf(graph, 'cilium') });
  const podOf = (key: string) => graph.pods.find((pod) => `${pod.namespace}/${pod.name}` === key)!;
  const keys = cluster.pods.map((pod: Obj) => `${(pod.metadata as Obj).namespace}/${(pod.metadata as Obj).name}`);
  const mismatches: string[] = [];
  const compare = (source: CiliumRefPeer, destination: CiliumRefPeer) => {
    const allowed = 'pod' in source && 'pod' in destination ? solver.podToPod(podOf(source.pod), podOf(destination.pod))
      : 'pod' in source ? solver.podToAddress(podOf(source.pod), (destination as { ip: string }).ip)
        : solver.addressToPod((source as { ip: string }).ip, podOf((destination as { pod: string }).pod));
    for (const [protocol, port] of PORTS) {
      const expected = ciliumReferenceAllows(cluster, source, destination, protocol, port);
      if (allowed.contains(protocol, port) !== expected) mismatches.push(`${JSON.stringify(source)} → ${JSON.stringify(destination)} ${protocol}/${port}: solver ${!expected}, reference ${expected}`);
    }
  };
  for (const source of keys) {
    for (const destination of keys) compare({ pod: source }, { pod: destination });
    for (const ip of ADDRESSES) {
      compare({ pod: source }, { ip });
      compare({ ip }, { pod: source });
    }
  }
  if (mismatches.length > 0) throw new Error(`${mismatches.slice(0, 5).join('\n')}\n\n${text}`);
}

describe('the solver agrees with the Cilium reference evaluator', () => {
  it('on random clusters with Cilium policies', () => {
    fc.assert(fc.property(clusterArbitrary, (cluster) => check(cluster)), { numRuns: 200, includeErrorInReport: true });
  });
});
