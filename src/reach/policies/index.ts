import type { ResourceGraph } from '../../model/graph.js';
import type { Pod } from '../../model/types.js';
import type { CompiledPolicy, EnforcementPoint, StageDefinition } from '../policy-form.js';
import { adminPolicyAddressPeers, compileAdminNetworkPolicies } from './admin-network-policy.js';
import { calicoPolicyRanks, calicoStageId, calicoStages, compileCalicoPolicies } from './calico.js';
import { clusterPolicyAddressPeers, compileClusterNetworkPolicies } from './cluster-network-policy.js';
import type { CompileContext } from './context.js';
import { addressPeerSignature } from './network-policy-api.js';
import { compileNetworkPolicies } from './network-policy.js';

/**
 * The layout: which enforcement points and stages a cluster has, and which stage each kind's
 * policies go to. This is the one module that knows every kind; the kinds' compilers know only
 * themselves and the evaluator knows none. A plugin that orders policies its own way (Calico's
 * tiers, Cilium's one repository) is a layout of its own over the same compilers.
 */
export interface PolicyLayout {
  readonly points: readonly EnforcementPoint[];
  readonly stages: readonly StageDefinition[];
  /** Compiles every policy of the graph into its stage. */
  readonly compile: (context: CompileContext) => CompiledPolicy[];
}

/** The network plugin: every connection it does not decide is allowed (Kubernetes' default). */
export const CNI_POINT: EnforcementPoint = { id: 'cni', label: 'network plugin', unmatched: 'allow' };

/**
 * The Network Policy API's order: the Admin tier, then NetworkPolicy, then the Baseline tier
 * ("Policy tiers are evaluated in the following order: Admin tier, NetworkPolicy tier, Baseline
 * tier"); what none decides is allowed.
 */
export const KUBERNETES_STAGES: readonly StageDefinition[] = [
  { id: 'admin', point: 'cni', order: 100, combination: 'first-match', unmatched: 'pass', label: 'Admin tier' },
  { id: 'networkpolicy', point: 'cni', order: 200, combination: 'deny-overrides', unmatched: 'deny', label: 'NetworkPolicy' },
  { id: 'baseline', point: 'cni', order: 300, combination: 'first-match', unmatched: 'pass', label: 'Baseline tier' },
];

/** The layout of a cluster whose plugin implements NetworkPolicy and the Network Policy API as Kubernetes defines them. */
export const KUBERNETES_LAYOUT: PolicyLayout = {
  points: [CNI_POINT],
  stages: KUBERNETES_STAGES,
  compile: (context) => [
    ...compileAdminNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileClusterNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileNetworkPolicies(context, { stage: 'networkpolicy' }),
  ],
};

/**
 * The layout of a Calico cluster (docs/calico.md §5): one first-match stage per tier in Felix's
 * order; Kubernetes NetworkPolicies are policies of the default tier at order 1000, ranked with
 * Calico's own; the Network Policy API's cluster policies are the kube-admin and kube-baseline
 * tiers; what no tier decides goes to the pods' profiles (`kns.<namespace>`: allow).
 */
export function calicoLayout(graph: ResourceGraph): PolicyLayout {
  const ranks = calicoPolicyRanks(graph);
  const tiers = { adminStage: calicoStageId('kube-admin'), baselineStage: calicoStageId('kube-baseline') };
  return {
    points: [CNI_POINT],
    stages: calicoStages(graph),
    compile: (context) => [
      ...compileAdminNetworkPolicies(context, tiers),
      ...compileClusterNetworkPolicies(context, tiers),
      ...compileNetworkPolicies(context, { stage: calicoStageId('default'), priorityOf: (policy) => ranks.get(policy) ?? 0 }),
      ...compileCalicoPolicies(context, ranks),
    ],
  };
}

/**
 * The layout answers use for a graph: Calico's when it holds Calico policies (Calico evaluates
 * them, and the Kubernetes policies with them), else the Kubernetes one.
 */
export function layoutFor(graph: ResourceGraph): PolicyLayout {
  return graph.calico.policies.length > 0 ? calicoLayout(graph) : KUBERNETES_LAYOUT;
}

/**
 * Returns what tells apart pods that policies may treat differently although their labels are
 * the same (an address peer naming one pod's IP), as a string per pod; undefined when nothing
 * does, so that the common case stays one class per template.
 */
export function classSignature(graph: ResourceGraph): ((pod: Pod) => string) | undefined {
  const admin = adminPolicyAddressPeers(graph);
  const cluster = clusterPolicyAddressPeers(graph);
  const addresses = addressPeerSignature(graph, { networks: [...admin.networks, ...cluster.networks], nodes: [...admin.nodes, ...cluster.nodes] });
  return calicoClassSignature(graph, addresses);
}

/**
 * Under Calico, what else tells pods apart: their service account (selectors see it as
 * `projectcalico.org/serviceaccount` and `pcsa.*`) and their address (`nets` match pod IPs).
 */
function calicoClassSignature(graph: ResourceGraph, other: ((pod: Pod) => string) | undefined): ((pod: Pod) => string) | undefined {
  if (graph.calico.policies.length === 0) return other;
  // Addresses only when some rule names nets: otherwise replicas stay one class.
  const usesNets = graph.calico.policies.some((policy) => [...policy.ingress, ...policy.egress]
    .some((rule) => [rule.source, rule.destination].some((entity) => entity.nets.length > 0 || entity.notNets.length > 0)));
  return (pod) => `${pod.serviceAccountName ?? 'default'}\u0001${usesNets ? pod.podIP ?? '' : ''}${other ? `\u0001${other(pod)}` : ''}`;
}
