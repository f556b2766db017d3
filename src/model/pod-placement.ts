/**
 * Where a pod runs, as far as the manifests say: the node named in `spec.nodeName`, or the nodes of
 * the input that `spec.nodeSelector` and the required node affinity admit, and the pods it must
 * share a node with or keep away from (required pod affinity and anti-affinity on
 * `kubernetes.io/hostname`). Cilium tells a pod's own node (`host`) from the others
 * (`remote-node`), so an answer about nodes depends on this.
 *
 * Left out, and said where it matters: taints and tolerations, preferred (soft) affinities, node
 * capacity, topology keys other than the hostname, and pods placed by a scheduler other than the
 * default one. Without Node objects in the input, only `nodeName` places a pod.
 */
import { matchesSelector, parseLabelSelector, type Labels, type LabelSelector } from './label-selector.js';

/** The label kubelet sets on every node, which pod affinity on "the same node" names. */
export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** What {@link placePod} knows of a node. */
export interface PlacementNode {
  readonly name: string;
  readonly labels: Labels;
}

/** Pods a pod must share a node with, or keep away from: a selector in some namespaces (the pod's own when none are given). */
export interface PodAffinityTerm {
  readonly selector: LabelSelector;
  /** Namespaces named by the term; undefined: the pod's own namespace (a namespaceSelector makes it `any`). */
  readonly namespaces?: readonly string[] | 'any';
}

/** Where a pod runs. */
export type PodPlacement =
  /** On this node: `spec.nodeName`, a constraint only one node of the input meets, or a fact stated from elsewhere. */
  | { readonly kind: 'node'; readonly node: string; readonly reason: 'nodeName' | 'constraints' | 'stated' }
  /**
   * On one of these nodes of the input (`every`: a DaemonSet's pods, one on each); an empty list
   * means no node of the input admits it, so the pod stays Pending.
   */
  | { readonly kind: 'nodes'; readonly nodes: readonly string[]; readonly every: boolean }
  /** The manifests do not say (no nodeName, and no Node objects to match constraints against). */
  | { readonly kind: 'unknown' };

/** A pod's placement and its required pod (anti-)affinity on the hostname. */
export interface PodScheduling {
  readonly placement: PodPlacement;
  readonly sameNodeAs: readonly PodAffinityTerm[];
  readonly otherNodeThan: readonly PodAffinityTerm[];
}

type Raw = Record<string, any>;

/**
 * Works out a pod's placement from its spec (`nodeName`, `nodeSelector`,
 * `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`) against the Nodes of the
 * input, and reads its required pod affinity and anti-affinity on the hostname. Shapes the schema
 * check refused are read as absent.
 */
export function placePod(spec: Raw, nodes: readonly PlacementNode[], options: { readonly daemonSet?: boolean; readonly statedNode?: string } = {}): PodScheduling {
  const podAffinity = (spec.affinity as Raw | undefined)?.podAffinity as Raw | undefined;
  const podAntiAffinity = (spec.affinity as Raw | undefined)?.podAntiAffinity as Raw | undefined;
  const scheduling = (placement: PodPlacement): PodScheduling => ({
    placement,
    sameNodeAs: hostnameTerms(podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    otherNodeThan: hostnameTerms(podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
  });
  if (options.statedNode !== undefined) return scheduling({ kind: 'node', node: options.statedNode, reason: 'stated' });
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') return scheduling({ kind: 'node', node: spec.nodeName, reason: 'nodeName' });
  if (nodes.length === 0) return scheduling({ kind: 'unknown' });
  const nodeSelector = isMapping(spec.nodeSelector) ? spec.nodeSelector as Record<string, unknown> : {};
  const terms = nodeAffinityTerms((spec.affinity as Raw | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
  const admitted = nodes.filter((node) => Object.entries(nodeSelector).every(([key, value]) => node.labels[key] === String(value))
    // The terms of nodeSelectorTerms are ORed; without any, every node is admitted.
    && (terms === undefined || terms.some((term) => term(node))));
  if (options.daemonSet) return scheduling({ kind: 'nodes', nodes: admitted.map((node) => node.name), every: true });
  if (admitted.length === 1) return scheduling({ kind: 'node', node: admitted[0].name, reason: 'constraints' });
  return scheduling({ kind: 'nodes', nodes: admitted.map((node) => node.name), every: false });
}

/** The nodeSelectorTerms as predicates, or undefined when there are none. */
function nodeAffinityTerms(required: unknown): ((node: PlacementNode) => boolean)[] | undefined {
  const terms = isMapping(required) && Array.isArray((required as Raw).nodeSelectorTerms) ? (required as Raw).nodeSelectorTerms as unknown[] : undefined;
  if (!terms || terms.length === 0) return undefined;
  return terms.map((term) => {
    const expressions = isMapping(term) && Array.isArray((term as Raw).matchExpressions) ? (term as Raw).matchExpressions as Raw[] : [];
    const fields = isMapping(term) && Array.isArray((term as Raw).matchFields) ? (term as Raw).matchFields as Raw[] : [];
    // An empty term matches no node (NodeSelectorTerm docs).
    if (expressions.length === 0 && fields.length === 0) return () => false;
    return (node: PlacementNode) => expressions.every((expression) => nodeRequirementHolds(expression, node.labels[String(expression?.key)]))
      && fields.every((field) => String(field?.key) === 'metadata.name' && nodeRequirementHolds(field, node.name));
  });
}

/** A NodeSelectorRequirement against a node's value for its key (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
function nodeRequirementHolds(requirement: Raw | null, value: string | undefined): boolean {
  const values = Array.isArray(requirement?.values) ? (requirement!.values as unknown[]).map(String) : [];
  switch (requirement?.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && /^-?\d+$/.test(value) && values.length === 1 && Number(value) > Number(values[0]);
    case 'Lt': return value !== undefined && /^-?\d+$/.test(value) && values.length === 1 && Number(value) < Number(values[0]);
    default: return false;
  }
}

/** The required pod (anti-)affinity terms whose topology is the node (`kubernetes.io/hostname`). */
function hostnameTerms(required: unknown): PodAffinityTerm[] {
  if (!Array.isArray(required)) return [];
  const terms: PodAffinityTerm[] = [];
  for (const term of required as Raw[]) {
    if (!isMapping(term) || term.topologyKey !== HOSTNAME_TOPOLOGY_KEY) continue;
    const { selector } = parseLabelSelector(term.labelSelector ?? undefined);
    // A term without a labelSelector matches no pod.
    if (!selector || term.labelSelector == null) continue;
    const namespaces = term.namespaceSelector != null ? 'any' as const
      : Array.isArray(term.namespaces) && term.namespaces.length > 0 ? (term.namespaces as unknown[]).map(String) : undefined;
    terms.push({ selector, ...(namespaces !== undefined ? { namespaces } : {}) });
  }
  return terms;
}

/** What {@link sameNode} needs of a pod. */
export interface PlacedPod {
  readonly namespace: string;
  readonly labels: Labels;
  readonly scheduling?: PodScheduling;
}

/**
 * Whether two pods run on the same node, as far as the manifests say: both on known nodes; or
 * one's required pod affinity (same node) or anti-affinity (another node) selects the other.
 * `unknown` otherwise, including for two replicas of one template.
 */
export function sameNode(a: PlacedPod, b: PlacedPod): 'same' | 'different' | 'unknown' {
  const nodeA = a.scheduling?.placement.kind === 'node' ? a.scheduling.placement.node : undefined;
  const nodeB = b.scheduling?.placement.kind === 'node' ? b.scheduling.placement.node : undefined;
  if (nodeA !== undefined && nodeB !== undefined) return nodeA === nodeB ? 'same' : 'different';
  for (const [from, to] of [[a, b], [b, a]] as const) {
    if (from.scheduling?.sameNodeAs.some((term) => termSelects(term, from.namespace, to))) return 'same';
    if (from.scheduling?.otherNodeThan.some((term) => termSelects(term, from.namespace, to))) return 'different';
  }
  return 'unknown';
}

function termSelects(term: PodAffinityTerm, ownNamespace: string, pod: PlacedPod): boolean {
  const inNamespace = term.namespaces === 'any' || (term.namespaces ?? [ownNamespace]).includes(pod.namespace);
  return inNamespace && matchesSelector(term.selector, pod.labels);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
