import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { loadTexts } from '../../src/load/index.js';
import { buildGraph } from '../../src/model/build-graph.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import type { ConnectionSet } from '../../src/reach/connection-set.js';
import { calicoReferenceAllows, calicoReferenceAllowsEndpoints, type CalicoRefCluster } from './calico-reference.js';
import { CalicoHostEndpointSolver, type CalicoEndpointPeer } from '../../src/reach/calico-host-endpoints.js';

/*
 * Property: on random small clusters of Calico policies (tiers with orders and default actions,
 * NetworkPolicies and GlobalNetworkPolicies with and without order, Allow, Deny, Pass and Log
 * rules, selectors, notSelectors, nets and notNets, protocols, ports and source ports), the product pipeline (YAML text -> loadTexts ->
 * buildGraph -> ReachabilitySolver with Calico's layout) answers exactly what the brute-force
 * reference (calico-reference.ts, written from Calico's documentation) answers, for every
 * ordered pair of distinct pods, on TCP and UDP at a few ports from a few source ports; and, with HostEndpoints (labels,
 * expectedIPs, with or without the projectcalico-default-allow profile), what
 * CalicoHostEndpointSolver answers for every pair with a host endpoint, failsafe ports included.
 */

type Obj = Record<string, unknown>;

const NAMESPACES = ['alpha', 'beta'];
const LABELS: Record<string, string[]> = { app: ['x', 'y'], tier: ['fe', 'be'] };
const PORTS = [80, 443, 8080];
/** Ports asked for pairs with a host endpoint: the pods' ports and failsafe ones (TCP 22 inbound only, UDP 53 outbound, UDP 68 inbound, TCP 179 both). */
const HOST_PORTS = [...PORTS, 22, 53, 68, 179];
/** Source ports asked: below, at and above the generated rules' bounds. */
const SOURCE_PORTS = [53, 1023, 1024, 40000];

const atomArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('all()', 'has(app)', '!has(tier)', 'has(tier)', '!has(app)'),
  fc.tuple(fc.constantFrom('app', 'tier'), fc.constantFrom('==', '!='), fc.constantFrom('x', 'y', 'fe', 'be'))
    .map(([key, operator, value]) => `${key} ${operator} '${value}'`),
  fc.tuple(fc.constantFrom('app', 'tier'), fc.uniqueArray(fc.constantFrom('x', 'y', 'fe', 'be'), { minLength: 1, maxLength: 2 }))
    .map(([key, values]) => `${key} in {${values.map((value) => `'${value}'`).join(', ')}}`),
);

const selectorArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: atomArb },
  { weight: 1, arbitrary: fc.tuple(atomArb, fc.constantFrom('&&', '||'), atomArb).map(([a, operator, b]) => `${a} ${operator} ${b}`) },
);

const ruleArb: fc.Arbitrary<Obj> = fc.record({
  action: fc.constantFrom('Allow', 'Allow', 'Deny', 'Pass', 'Log'),
  protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
  peerSelector: fc.option(selectorArb, { nil: undefined }),
  peerNotSelector: fc.option(atomArb, { freq: 4, nil: undefined }),
  // Pods' addresses are 10.0.<namespace>.<pod>: nets of one namespace, of both, or of a single pod.
  peerNets: fc.option(fc.uniqueArray(fc.constantFrom('10.0.0.0/24', '10.0.1.0/24', '10.0.0.0/16', '10.0.0.1/32', '10.0.1.2'), { minLength: 1, maxLength: 2 }), { freq: 4, nil: undefined }),
  peerNotNets: fc.option(fc.uniqueArray(fc.constantFrom('10.0.0.0/24', '10.0.1.0/24', '10.0.0.2/32'), { minLength: 1, maxLength: 1 }), { freq: 4, nil: undefined }),
  ports: fc.option(fc.uniqueArray(fc.constantFrom<number | string>(80, 443, '400:500', '8000:9000'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  sourcePorts: fc.option(fc.record({
    ports: fc.option(fc.uniqueArray(fc.constantFrom<number | string>(53, '1:1023', '1024:65535', '30000:50000'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    notPorts: fc.option(fc.uniqueArray(fc.constantFrom<number | string>(53, 1023, '40000:40010'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }), { nil: undefined }),
}).map((rule) => ({
  action: rule.action,
  ...(rule.protocol ? { protocol: rule.protocol } : {}),
  ...(rule.peerSelector !== undefined || rule.peerNotSelector !== undefined || rule.peerNets || rule.peerNotNets
    ? {
      peer: {
        ...(rule.peerSelector !== undefined ? { selector: rule.peerSelector } : {}),
        ...(rule.peerNotSelector !== undefined ? { notSelector: rule.peerNotSelector } : {}),
        ...(rule.peerNets ? { nets: rule.peerNets } : {}),
        ...(rule.peerNotNets ? { notNets: rule.peerNotNets } : {}),
      },
    }
    : {}),
  // Ports need a protocol (Calico refuses them otherwise).
  ...(rule.protocol && rule.ports ? { destination: { ports: rule.ports } } : {}),
  ...(rule.protocol && rule.sourcePorts && (rule.sourcePorts.ports || rule.sourcePorts.notPorts)
    ? { source: { ...(rule.sourcePorts.ports ? { ports: rule.sourcePorts.ports } : {}), ...(rule.sourcePorts.notPorts ? { notPorts: rule.sourcePorts.notPorts } : {}) } }
    : {}),
}));

const policyArb: fc.Arbitrary<Obj> = fc.record({
  global: fc.boolean(),
  namespace: fc.constantFrom(...NAMESPACES),
  tier: fc.constantFrom('default', 'default', 'security', 'platform'),
  order: fc.option(fc.constantFrom(10, 20, 1000), { nil: undefined }),
  selector: fc.option(selectorArb, { nil: undefined }),
  types: fc.constantFrom<string[] | undefined>(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.array(ruleArb, { maxLength: 3 }),
  egress: fc.array(ruleArb, { maxLength: 3 }),
});

/** A generated cluster before it is written as objects. */
interface GeneratedCluster {
  readonly pods: readonly { readonly namespace: string; readonly labels: Record<string, string> }[];
  readonly tiers: Readonly<Record<string, { readonly order?: number; readonly defaultAction: string } | undefined>>;
  readonly policies: readonly Obj[];
  readonly hostEndpoints: readonly { readonly labels: Record<string, string>; readonly defaultAllow: boolean }[];
}

const clusterArb: fc.Arbitrary<GeneratedCluster> = fc.record({
  pods: fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels: fc.record({ app: fc.constantFrom(...LABELS.app), tier: fc.constantFrom(...LABELS.tier) }, { requiredKeys: [] }) }), { minLength: 2, maxLength: 5 }),
  tiers: fc.record({
    security: fc.option(fc.record({ order: fc.option(fc.constantFrom(100, 2_000_000), { nil: undefined }), defaultAction: fc.constantFrom('Deny', 'Pass') }), { nil: undefined }),
    platform: fc.option(fc.record({ order: fc.option(fc.constantFrom(100, 500), { nil: undefined }), defaultAction: fc.constantFrom('Deny', 'Pass') }), { nil: undefined }),
  }),
  policies: fc.array(policyArb, { maxLength: 5 }),
  hostEndpoints: fc.array(fc.record({
    labels: fc.record({ app: fc.constantFrom(...LABELS.app), tier: fc.constantFrom(...LABELS.tier) }, { requiredKeys: [] }),
    defaultAllow: fc.boolean(),
  }), { maxLength: 2 }),
});

/** Turns a generated cluster into plain objects; policies of tiers that are not declared are dropped (Calico refuses them). */
function objectsOf(generated: GeneratedCluster): CalicoRefCluster {
  const namespaces = NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  const pods = generated.pods.map((pod, index) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${index}`, namespace: pod.namespace, labels: pod.labels },
    spec: { containers: [{ name: 'c', image: 'c' }] },
    status: { podIP: `10.0.${NAMESPACES.indexOf(pod.namespace)}.${index + 1}` },
  }));
  const tiers = Object.entries(generated.tiers).filter(([, tier]) => tier !== undefined).map(([name, tier]) => ({
    apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name },
    spec: { ...(tier!.order !== undefined ? { order: tier!.order } : {}), defaultAction: tier!.defaultAction },
  }));
  const declared = new Set(['default', ...tiers.map((tier) => tier.metadata.name)]);
  const rulesOf = (rules: Obj[], direction: 'ingress' | 'egress') => rules.map((rule) => {
    const { peer, destination, source, ...rest } = rule as { peer?: Obj; destination?: Obj; source?: Obj };
    const peerSide = direction === 'ingress' ? 'source' : 'destination';
    const merged: Obj = { ...rest };
    if (source) merged.source = { ...source };
    if (peer) merged[peerSide] = { ...(merged[peerSide] as Obj | undefined), ...peer };
    if (destination) merged.destination = { ...(merged.destination as Obj | undefined), ...destination };
    return merged;
  });
  const policies = generated.policies.filter((policy) => declared.has(policy.tier as string)).map((policy, index) => {
    const name = policy.tier === 'default' ? `p${index}` : `${policy.tier}.p${index}`;
    return {
      apiVersion: 'projectcalico.org/v3',
      kind: policy.global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
      metadata: { name, ...(policy.global ? {} : { namespace: policy.namespace }) },
      spec: {
        ...(policy.tier !== 'default' ? { tier: policy.tier } : {}),
        ...(policy.order !== undefined ? { order: policy.order } : {}),
        ...(policy.selector !== undefined ? { selector: policy.selector } : {}),
        ...(policy.types !== undefined ? { types: policy.types } : {}),
        ...((policy.ingress as Obj[]).length > 0 ? { ingress: rulesOf(policy.ingress as Obj[], 'ingress') } : {}),
        ...((policy.egress as Obj[]).length > 0 ? { egress: rulesOf(policy.egress as Obj[], 'egress') } : {}),
      },
    };
  });
  const hostEndpoints = generated.hostEndpoints.map((endpoint, index) => ({
    apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: `host-${index}`, labels: endpoint.labels },
    spec: { node: `node-${index}`, interfaceName: '*', expectedIPs: [`192.168.0.${index + 1}`], ...(endpoint.defaultAllow ? { profiles: ['projectcalico-default-allow'] } : {}) },
  }));
  return { namespaces, pods, tiers, policies, hostEndpoints };
}

/** True when `allowed` holds `port` of `protocol` from `sourcePort`. */
function allowsFrom(allowed: ConnectionSet, protocol: 'TCP' | 'UDP', port: number, sourcePort: number): boolean {
  return allowed.sourcePortsOf(protocol, port).some(([from, to]) => sourcePort >= from && sourcePort <= to);
}

describe('Calico evaluation agrees with the brute-force reference', () => {
  it('on every pod pair, protocol and port of random tiers and policies', () => {
    fc.assert(fc.property(clusterArb, (generated) => {
      const cluster = objectsOf(generated);
      const text = [...cluster.namespaces, ...cluster.pods, ...cluster.tiers, ...cluster.policies, ...(cluster.hostEndpoints ?? [])].map((object) => dump(object)).join('---\n');
      const loaded = loadTexts([{ path: 'cluster.yaml', text }]);
      expect(loaded.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
      const graph = buildGraph(loaded.objects);
      expect(graph.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
      const solver = new ReachabilitySolver(graph);
      for (const source of graph.pods) {
        for (const destination of graph.pods) {
          if (source === destination) continue;
          const allowed = solver.podToPod(source, destination);
          for (const protocol of ['TCP', 'UDP'] as const) {
            for (const port of PORTS) {
              for (const sourcePort of SOURCE_PORTS) {
                const expected = calicoReferenceAllows(cluster, `${source.namespace}/${source.name}`, `${destination.namespace}/${destination.name}`, protocol, port, sourcePort);
                if (allowsFrom(allowed, protocol, port, sourcePort) !== expected) {
                  throw new Error(`${source.namespace}/${source.name} -> ${destination.namespace}/${destination.name} ${protocol}/${port} from ${sourcePort}: solver ${!expected}, reference ${expected}\n${text}`);
                }
              }
            }
          }
        }
      }
      if (graph.calico.hostEndpoints.length === 0) return;
      const hosts = new CalicoHostEndpointSolver(solver);
      const ends: { key: string; peer: CalicoEndpointPeer; isHost: boolean }[] = [
        ...graph.pods.map((pod) => ({ key: `${pod.namespace}/${pod.name}`, peer: { podClass: solver.classOf(pod) }, isHost: false })),
        ...graph.calico.hostEndpoints.map((endpoint) => ({ key: endpoint.name, peer: { hostEndpoint: endpoint }, isHost: true })),
      ];
      for (const source of ends) {
        for (const destination of ends) {
          if (source === destination || (!source.isHost && !destination.isHost)) continue;
          const allowed = hosts.between(source.peer, destination.peer).allowed;
          for (const protocol of ['TCP', 'UDP'] as const) {
            for (const port of HOST_PORTS) {
              for (const sourcePort of SOURCE_PORTS) {
                const expected = calicoReferenceAllowsEndpoints(cluster, source.key, destination.key, protocol, port, sourcePort);
                if (allowsFrom(allowed, protocol, port, sourcePort) !== expected) {
                  throw new Error(`${source.key} -> ${destination.key} ${protocol}/${port} from ${sourcePort}: k8snet ${!expected}, reference ${expected}\n${text}`);
                }
              }
            }
          }
        }
      }
    }), { numRuns: 150, seed: 20 });
  });
});
