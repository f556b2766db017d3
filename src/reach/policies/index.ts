import type { ResourceGraph } from '../../model/graph.js';
import type { Pod } from '../../model/types.js';
import type { CompiledPolicy, EnforcementPoint, Peer, StageDefinition } from '../policy-form.js';
import type { ReachabilitySolver } from '../solver.js';
import { identityFilterCaveats } from '../cilium-identity-caveats.js';
import { adminPolicyAddressPeers, compileAdminNetworkPolicies } from './admin-network-policy.js';
import { calicoPolicyRanks, calicoStageId, calicoStages, compileCalicoPolicies } from './calico.js';
import { clusterPolicyAddressPeers, compileClusterNetworkPolicies } from './cluster-network-policy.js';
import type { CompileContext } from './context.js';
import { addressPeerSignature } from './network-policy-api.js';
import { compileNetworkPolicies } from './network-policy.js';
import { ISTIO_STAGES, MESH_POINT, compileIstioPolicies, istioClassSignature } from './istio.js';
import {
  compileCiliumEnforcementMode, compileCiliumHostPolicies, compileCiliumHostPoliciesForPods, compileCiliumPolicies, identityLabelsOf, type HostPolicyNode,
} from './cilium.js';
import { enforcesDialect, type NetworkPluginFact } from '../../model/network-plugin.js';

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
  /**
   * Traffic between a pod and the node it runs on that the plugin allows whatever the policies
   * say, and why; undefined when the layout does not say (answers then say it depends).
   */
  readonly localNode?: { readonly ingress: boolean; readonly egress: boolean; readonly because: string };
  /**
   * Compiles the policies whose subjects are nodes (host policies) over `nodes`: their subject
   * sets index `nodes`; undefined when the layout has none.
   */
  readonly compileNodePolicies?: (context: CompileContext, nodes: readonly HostPolicyNode[]) => CompiledPolicy[];
  /** What answers must say about the plugin's configuration (Cilium's enable-policy: never). */
  readonly notes?: readonly string[];
  /**
   * What pod selectors (NetworkPolicy's included) are matched against: the pods' labels (absent),
   * or Cilium's endpoint identities, which leave some labels out (cilium-labels.ts isIdentityLabelKey).
   */
  readonly selectorLabels?: 'cilium-identity';
  /** Caveats the plugin's reading of the policies adds to an answer about two peers (Cilium's identity label filter). */
  readonly pairCaveats?: (solver: ReachabilitySolver, source: Peer, destination: Peer) => string[];
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

/**
 * The layout of a cluster whose plugin implements NetworkPolicy and the Network Policy API as
 * Kubernetes defines them, with Istio's proxies as a second point (they enforce the mesh's
 * policies whatever the plugin; a layout of another plugin adds the same point and stages).
 */
export const KUBERNETES_LAYOUT: PolicyLayout = {
  points: [CNI_POINT, MESH_POINT],
  stages: [...KUBERNETES_STAGES, ...ISTIO_STAGES],
  compile: (context) => [
    ...compileAdminNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileClusterNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileNetworkPolicies(context, { stage: 'networkpolicy' }),
    ...compileIstioPolicies(context),
  ],
  localNode: {
    ingress: true,
    egress: true,
    because: 'Kubernetes: "traffic to and from the node where a Pod is running is always allowed, regardless of the IP address of the Pod or the node"',
  },
};

/**
 * Cilium's one policy repository: NetworkPolicies, CiliumNetworkPolicies and
 * CiliumClusterwideNetworkPolicies in one deny-overrides stage ("deny policies take precedence
 * over allow policies, regardless of whether they are a CNP, a CCNP or even a Kubernetes
 * NetworkPolicy"); an endpoint some rule puts into default deny gets only what some rule allows.
 * NetworkPolicy selectors match Cilium identities and ipBlock never matches pod addresses (CIDR
 * rules "do not apply to traffic where both sides ... are managed by Cilium"). The Network Policy
 * API's cluster policies, where the manifests hold them, keep their tiers around it as the API
 * defines them (whether a Cilium version enforces them is open, docs/cilium.md Q9).
 */
export const CILIUM_LAYOUT: PolicyLayout = {
  // Istio's proxies enforce the mesh's policies on a Cilium cluster too: the same second point.
  points: [CNI_POINT, MESH_POINT],
  stages: [
    KUBERNETES_STAGES[0],
    { id: 'cilium', point: 'cni', order: 200, combination: 'deny-overrides', unmatched: 'deny', label: 'Cilium policy repository' },
    KUBERNETES_STAGES[2],
    ...ISTIO_STAGES,
  ],
  compile: (context) => [
    ...compileAdminNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileClusterNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileNetworkPolicies(context, {
      stage: 'cilium', selectorLabels: (podClass) => identityLabelsOf(context, podClass),
      // ipBlocks are Cilium CIDR selectors: node addresses only under policy-cidr-match-mode nodes.
      podAddressMatch: context.graph.cilium.agentConfig.cidrMatchNodes ? 'nodes' : 'never',
    }),
    ...compileCiliumPolicies(context, { stage: 'cilium' }),
    // Host policies for hostNetwork pods, in their node's host namespace (host firewall on).
    ...compileCiliumHostPoliciesForPods(context, { stage: 'cilium' }),
    ...compileIstioPolicies(context),
  ],
  // Egress to the local host is decided by policy (the `host` entity); ingress from it is allowed.
  localNode: {
    ingress: true,
    egress: false,
    because: 'Cilium allows traffic from the local host into its endpoints unless the agent runs with allow-localhost=policy (not the default); egress to it needs the host entity',
  },
  // Host policies (nodeSelector), in the same repository, for answers about a node.
  compileNodePolicies: (context, nodes) => compileCiliumHostPolicies(context, { stage: 'cilium' }, nodes),
  selectorLabels: 'cilium-identity',
  // NetworkPolicy selectors on labels left out of identities match nothing: answers say why.
  pairCaveats: identityFilterCaveats,
};

/**
 * Cilium's layout under the agent configuration the manifests state (cilium-config):
 * `enable-policy: always` puts every endpoint into default deny, `never` enforces no
 * NetworkPolicy or Cilium policy at all (said in answers), `allow-localhost: policy` makes traffic
 * from the local host subject to policy; otherwise CILIUM_LAYOUT.
 */
export function ciliumLayout(graph: ResourceGraph): PolicyLayout {
  const config = graph.cilium.agentConfig;
  if (config.enablePolicy !== 'always' && config.enablePolicy !== 'never' && config.allowLocalhost !== 'policy' && config.identityLabels === undefined) return CILIUM_LAYOUT;
  const where = config.statedIn ? `${config.statedIn.namespace ?? 'kube-system'}/${config.statedIn.name}` : 'cilium-config';
  const never = config.enablePolicy === 'never';
  // A custom label filter: identities (and so every selector) are matched with the default one, which answers say.
  const labelsNote = config.identityLabels !== undefined
    ? [`${where} sets labels (identity-relevant labels: ${config.identityLabels}), which k8snet does not model: selectors are matched with Cilium's default label filter, so those on labels this setting adds to identities or leaves out of them may be answered wrongly.`]
    : [];
  return {
    ...CILIUM_LAYOUT,
    compile: never
      ? (context) => [
        ...compileAdminNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
        ...compileClusterNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
        ...compileIstioPolicies(context),
      ]
      : (context) => [...CILIUM_LAYOUT.compile(context), ...compileCiliumEnforcementMode(context, { stage: 'cilium' })],
    ...(never ? { compileNodePolicies: undefined } : {}),
    notes: [...(never ? [`${where} sets enable-policy: never: Cilium enforces no NetworkPolicy and no Cilium policy on any endpoint, so they are not applied here.`] : []), ...labelsNote],
    // Under a custom label filter the default one's caveats would be guesses: the note says it instead.
    ...(config.identityLabels !== undefined ? { pairCaveats: undefined } : {}),
    ...(config.allowLocalhost === 'policy'
      ? { localNode: { ingress: false, egress: false, because: `${where} sets allow-localhost: policy, so traffic from the local host is decided by policy (the host entity)` } }
      : {}),
  };
}

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
    // Istio's proxies enforce the mesh's policies on a Calico cluster too: the same second point.
    points: [CNI_POINT, MESH_POINT],
    stages: [...calicoStages(graph), ...ISTIO_STAGES],
    compile: (context) => [
      ...compileAdminNetworkPolicies(context, tiers),
      ...compileClusterNetworkPolicies(context, tiers),
      // Calico applies ipBlock to every address, pod IPs included (it is a Calico `nets`).
      ...compileNetworkPolicies(context, { stage: calicoStageId('default'), priorityOf: (policy) => ranks.get(policy) ?? 0, podAddressMatch: 'always' }),
      ...compileCalicoPolicies(context, ranks),
      ...compileIstioPolicies(context),
    ],
  };
}

/**
 * Which plugin dialects the answers evaluate: Cilium's repository when the plugin is Cilium (or
 * unknown, with Cilium policies in the manifests), Calico's tiers when the plugin enforces Calico's
 * policies and the manifests hold some. Under a plugin the manifests do not name, with both
 * dialects' policies present, neither is chosen: each is named as not evaluated (not-evaluated.ts).
 */
export function evaluatedDialects(graph: ResourceGraph, plugin: NetworkPluginFact): { readonly cilium: boolean; readonly calico: boolean } {
  const cilium = enforcesDialect(plugin, 'cilium') && (plugin.name !== 'unknown' || graph.cilium.policies.length > 0);
  const calico = enforcesDialect(plugin, 'calico') && graph.calico.policies.length > 0;
  if (cilium && calico) return plugin.name === 'unknown' ? { cilium: false, calico: false } : { cilium, calico: false };
  return { cilium, calico };
}

/** The layout of the cluster's network plugin (see evaluatedDialects); Kubernetes' otherwise. */
export function layoutFor(graph: ResourceGraph, plugin: NetworkPluginFact): PolicyLayout {
  const evaluated = evaluatedDialects(graph, plugin);
  if (evaluated.cilium) return ciliumLayout(graph);
  if (evaluated.calico) return calicoLayout(graph);
  // Calico without policies of its own: Kubernetes' layout, with ipBlocks on every address as Calico applies them.
  if (plugin.name === 'calico' || plugin.name === 'canal') return CALICO_KUBERNETES_LAYOUT;
  return KUBERNETES_LAYOUT;
}

/** Kubernetes' layout under Calico: a NetworkPolicy's ipBlock is a Calico `nets`, matching pod and node addresses too. */
const CALICO_KUBERNETES_LAYOUT: PolicyLayout = {
  ...KUBERNETES_LAYOUT,
  compile: (context) => [
    ...compileAdminNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileClusterNetworkPolicies(context, { adminStage: 'admin', baselineStage: 'baseline' }),
    ...compileNetworkPolicies(context, { stage: 'networkpolicy', podAddressMatch: 'always' }),
    ...compileIstioPolicies(context),
  ],
};

/**
 * Returns what tells apart pods that policies may treat differently although their labels are
 * the same (an address peer naming one pod's IP), as a string per pod; undefined when nothing
 * does, so that the common case stays one class per template.
 */
export function classSignature(graph: ResourceGraph, layout?: PolicyLayout): ((pod: Pod) => string) | undefined {
  const admin = adminPolicyAddressPeers(graph);
  const cluster = clusterPolicyAddressPeers(graph);
  const addresses = addressPeerSignature(graph, { networks: [...admin.networks, ...cluster.networks], nodes: [...admin.nodes, ...cluster.nodes] });
  const istio = istioClassSignature(graph);
  // Cilium identities carry the service account: pods differing only by it are told apart.
  const serviceAccount = graph.cilium.policies.length > 0 ? (pod: Pod) => pod.serviceAccountName ?? 'default' : undefined;
  // Cilium host policies apply to hostNetwork pods by their node: such pods differing by placement are told apart.
  const hostPolicies = graph.cilium.agentConfig.hostFirewall === true && graph.cilium.policies.some((policy) => policy.rules.some((rule) => rule.subject.kind === 'nodes'));
  const placement = hostPolicies ? (pod: Pod) => (pod.hostNetwork ? JSON.stringify(pod.scheduling?.placement ?? null) : '') : undefined;
  const parts = [addresses, istio, serviceAccount, placement].filter((part): part is (pod: Pod) => string => part !== undefined);
  const other = parts.length <= 1 ? parts[0] : (pod: Pod) => parts.map((part) => part(pod)).join('\u0002');
  // Under Calico without policies of its own, NetworkPolicy ipBlocks still match pod IPs: pods of
  // different addresses differ (whatever the policies, so that a question answered from some files
  // splits pods as one answered from all).
  if (layout === CALICO_KUBERNETES_LAYOUT && graph.calico.policies.length === 0) {
    return (pod) => `${pod.podIP ?? ''}${other ? `\u0001${other(pod)}` : ''}`;
  }
  return calicoClassSignature(graph, other);
}

/**
 * Under Calico, what else tells pods apart: their service account (selectors see it as
 * `projectcalico.org/serviceaccount` and `pcsa.*`) and their address (`nets` and ipBlocks match pod IPs).
 */
function calicoClassSignature(graph: ResourceGraph, other: ((pod: Pod) => string) | undefined): ((pod: Pod) => string) | undefined {
  if (graph.calico.policies.length === 0) return other;
  // Addresses: Calico's nets and NetworkPolicies' ipBlocks match pod IPs (pods the manifests give no
  // IP, the usual case, stay one class per template).
  return (pod) => `${pod.serviceAccountName ?? 'default'}\u0001${pod.podIP ?? ''}${other ? `\u0001${other(pod)}` : ''}`;
}
