/**
 * Answers the pairs of the Cilium conformance cases with k8snet's solver under Cilium's layout:
 * both sides of each pair through the one evaluator, with the named restrictions of the rules that
 * allowed it. Endpoints the solver has no pod class for are the entity peers of can-reach's
 * `node:NAME` and `fqdn:NAME` (entity-endpoints.ts): a node (`host` from pods on it, `remote-node`
 * from others), a name outside the cluster (`world` plus the FQDN tags of the rules naming it).
 */
import { analyzeTexts } from '../../src/pipeline.js';
import { parseCidr } from '../../src/model/cidr.js';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import type { Pod } from '../../src/model/types.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import type { SideTrace } from '../../src/reach/evaluator.js';
import { entityPeerOf, resolveEntityEndpoint, type EntityEndpoint } from '../../src/reach/entity-endpoints.js';
import type { Peer, PodClass } from '../../src/reach/policy-form.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { CILIUM_TEST_NAMESPACE, type CiliumCase, type CiliumCaseEndpoint, type CiliumCasePair, type CiliumExpectation } from './cilium-cases.js';

/** k8snet's answer for a pair: allowed at L4, and the restrictions named on what is allowed. */
export interface PairAnswer {
  readonly allowedAtL4: boolean;
  readonly restrictionLayers: readonly string[];
  readonly restrictions: readonly string[];
}

const HOST_FIREWALL_CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-host-firewall: "true"}
`;

/** A solver for a case, with Cilium as the stated plugin (and the host firewall on where the case needs it). */
export function caseSolver(entry: CiliumCase): ReachabilitySolver {
  // A case that runs only with the host firewall states it as the cluster would: in cilium-config.
  const files = /HostFirewall enabled/.test(entry.condition ?? '') ? [...entry.files, { path: 'assumed-cilium-config.yaml', text: HOST_FIREWALL_CONFIG }] : entry.files;
  const analysis = analyzeTexts(files, { defaultNamespace: CILIUM_TEST_NAMESPACE, podNodes: entry.podNodes });
  return new ReachabilitySolver(analysis.graph, { plugin: networkPluginOf(analysis.graph, 'cilium') });
}

function podOf(solver: ReachabilitySolver, endpoint: CiliumCaseEndpoint): Pod {
  const graph = solver.graph;
  if (endpoint.kind === 'pod') return graph.workload(`${endpoint.namespace}/${endpoint.workload}[Deployment]`)!.pods[0];
  if (endpoint.kind === 'host') return graph.workload(`${endpoint.namespace}/${endpoint.workload}[DaemonSet]`)!.pods[0];
  if (endpoint.kind === 'service') {
    const service = graph.service(endpoint.namespace, endpoint.name)!;
    const selector = service.selector ?? {};
    return graph.pods.find((pod) => pod.namespace === service.namespace && !pod.hostNetwork && Object.keys(selector).every((key) => pod.labels[key] === selector[key]))!;
  }
  throw new Error(`no pod for ${endpoint.kind}`);
}

function entityPeer(solver: ReachabilitySolver, text: string, relation?: 'local' | 'remote'): Peer {
  const endpoint = resolveEntityEndpoint(solver.graph, text);
  if (!endpoint || 'error' in endpoint) throw new Error(`${text}: ${endpoint?.error ?? 'not an entity endpoint'}`);
  return entityPeerOf(endpoint as EntityEndpoint, solver.compiledRules, relation);
}

function nodeOfPod(pod: Pod): string | undefined {
  const placement = pod.scheduling?.placement;
  return placement?.kind === 'node' ? placement.node : undefined;
}

/** Answers one pair of a case. */
export function answerPair(solver: ReachabilitySolver, pair: CiliumCasePair): PairAnswer {
  const ports = pair.port.protocol === 'TCP' ? ConnectionSet.ofPorts('TCP', pair.port.port) : ConnectionSet.ofIcmp('ICMP', 8);
  const evaluator = solver.evaluator;
  const egressTrace: SideTrace = { decisions: [], contributions: [] };
  const ingressTrace: SideTrace = { decisions: [], contributions: [] };
  const sourcePod = podOf(solver, pair.from);
  const sourceClass = solver.classOf(sourcePod);
  let destinationClass: PodClass | undefined;
  let towards: Peer;
  const to = pair.to;
  if (to.kind === 'cidr') {
    const cidr = parseCidr(to.cidr);
    if ('error' in cidr) throw new Error(cidr.error);
    towards = { family: cidr.family, range: cidr.range };
  } else if (to.kind === 'fqdn') {
    towards = entityPeer(solver, `fqdn:${to.name}`);
  } else if (to.kind === 'node') {
    towards = entityPeer(solver, `node:${to.node}`, nodeOfPod(sourcePod) === to.node ? 'local' : 'remote');
  } else {
    destinationClass = solver.classOf(podOf(solver, to));
    towards = destinationClass;
  }
  // The host's own traffic is no endpoint's egress: a hostNetwork source is not subject to endpoint rules.
  const egress = pair.from.kind === 'host' ? ConnectionSet.ALL : evaluator.sideAllowed('egress', sourceClass, towards, egressTrace);
  let ingress = ConnectionSet.ALL;
  if (to.kind === 'node') {
    // The node's own side: its host policies, as can-reach answers it.
    const side = solver.explain(sourceClass, towards).ingress;
    ingress = side.allowed;
    ingressTrace.contributions.push(...side.contributions);
  }
  if (destinationClass) {
    const from: Peer = pair.from.kind === 'host' ? entityPeer(solver, `node:${pair.from.node}`, nodeOfPod(podOf(solver, to)) === pair.from.node ? 'local' : 'remote') : sourceClass;
    ingress = evaluator.sideAllowed('ingress', destinationClass, from, ingressTrace);
  }
  const allowed = egress.intersect(ingress).intersect(ports);
  const restrictions = [...evaluator.restrictionsOf(egressTrace, allowed), ...evaluator.restrictionsOf(ingressTrace, allowed)];
  return {
    allowedAtL4: !allowed.isEmpty(),
    restrictionLayers: [...new Set(restrictions.map((restriction) => restriction.layer))].sort(),
    restrictions: restrictions.map((restriction) => `${restriction.layer} ${restriction.description} (${restriction.rule.source.policyLabel} ${restriction.rule.source.ruleLabel})`),
  };
}

/**
 * Whether an answer agrees with the expected verdict: `allow` and `drop` on the L4 answer; an L7
 * denial (`deny-l7-http`, `deny-l7-tls`) when L4 allows and the restriction of that layer is named.
 */
export function agrees(expected: CiliumExpectation, answer: PairAnswer): boolean {
  switch (expected) {
    case 'allow': return answer.allowedAtL4;
    case 'drop': return !answer.allowedAtL4;
    case 'deny-l7-http': return answer.allowedAtL4 && answer.restrictionLayers.includes('L7');
    case 'deny-l7-tls': return answer.allowedAtL4 && answer.restrictionLayers.includes('TLS');
  }
}
