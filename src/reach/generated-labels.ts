import { formatPath } from '../load/path.js';
import { describeGeneratedLabel, matchesButForGeneratedValues, requirementsOnGeneratedValues } from '../model/controller-labels.js';
import type { ResourceGraph } from '../model/graph.js';
import { formatRequirements, type Labels, type LabelSelector } from '../model/label-selector.js';
import type { FieldPath } from '../load/path.js';

/** The side of a connection a selector judges pods on: `source` for egress subjects and ingress peers. */
export type Side = 'source' | 'destination';

/** A selector of a policy, where it is written, which namespaces it looks in, and the side it judges. */
interface PlacedSelector {
  readonly owner: string;
  readonly path: FieldPath;
  readonly selector: LabelSelector;
  /** The namespaces the selector looks in, as a predicate. */
  readonly looksIn: (namespace: string) => boolean;
  /** The sides of a connection whose pods it decides about. */
  readonly sides: readonly Side[];
}

const selectorsOf = new WeakMap<ResourceGraph, readonly PlacedSelector[]>();

/** Every pod selector of the graph's policies, with the namespaces each looks in; worked out once per graph. */
function placedSelectors(graph: ResourceGraph): readonly PlacedSelector[] {
  let placed = selectorsOf.get(graph);
  if (placed) return placed;
  const list: PlacedSelector[] = [];
  const inNamespaces = (selector: LabelSelector | undefined, fallback: string | undefined) => {
    if (!selector) return (namespace: string) => fallback === undefined || namespace === fallback;
    const names = new Set(graph.namespacesMatching(selector).map((namespace) => namespace.name));
    return (namespace: string) => names.has(namespace);
  };
  // A policy's subject is judged on the destination of what it isolates for ingress and on the
  // source for egress; the peers of its ingress rules are sources, those of its egress rules destinations.
  const subjectSides = (ingress: boolean, egress: boolean): Side[] => [...(ingress ? ['destination' as const] : []), ...(egress ? ['source' as const] : [])];
  for (const policy of graph.policies) {
    const owner = `NetworkPolicy ${policy.namespace}/${policy.name}`;
    list.push({
      owner, path: ['spec', 'podSelector'], selector: policy.podSelector, looksIn: (namespace) => namespace === policy.namespace,
      sides: subjectSides(policy.affectsIngress, policy.affectsEgress),
    });
    for (const [rules, side] of [[policy.affectsIngress ? policy.ingress : [], 'source'], [policy.affectsEgress ? policy.egress : [], 'destination']] as const) {
      for (const rule of rules) {
        for (const peer of rule.peers ?? []) {
          if (peer.podSelector) list.push({ owner, path: [...peer.path, 'podSelector'], selector: peer.podSelector, looksIn: inNamespaces(peer.namespaceSelector, policy.namespace), sides: [side] });
        }
      }
    }
  }
  // The Network Policy API's kinds (v1alpha1 admin policies, v1alpha2 ClusterNetworkPolicy) have the same subject and peer shapes.
  const clusterWide = [
    ...graph.adminPolicies.map((policy) => ({ ...policy, owner: `${policy.kind} ${policy.name}` })),
    ...graph.clusterPolicies.map((policy) => ({ ...policy, owner: `ClusterNetworkPolicy ${policy.name}` })),
  ];
  for (const policy of clusterWide) {
    const { owner } = policy;
    if (policy.subject.podSelector) {
      list.push({
        owner, path: ['spec', 'subject', 'pods', 'podSelector'], selector: policy.subject.podSelector, looksIn: inNamespaces(policy.subject.namespaceSelector, undefined),
        sides: subjectSides(policy.ingress.length > 0, policy.egress.length > 0),
      });
    }
    for (const [rules, side] of [[policy.ingress, 'source'], [policy.egress, 'destination']] as const) {
      for (const rule of rules) {
        for (const peer of rule.peers) {
          if (peer.podSelector) list.push({ owner, path: [...peer.path, 'pods', 'podSelector'], selector: peer.podSelector, looksIn: inNamespaces(peer.namespaceSelector, undefined), sides: [side] });
        }
      }
    }
  }
  placed = Object.freeze(list);
  selectorsOf.set(graph, placed);
  return placed;
}

/**
 * Sentences about policy selectors that name a label whose value on these pods a controller
 * computes at run time (`pod-template-hash`, `controller-revision-hash`, a Job's uid): k8snet
 * cannot know that value, so it cannot tell whether the selector matches them. It takes the
 * value to differ from the ones named (a hash names one revision of a template), and says so.
 *
 * @param who how the pods are called in the sentence: `the source`, `these pods`
 * @param side the side of a connection the pods are on: only selectors judging that side count; every selector when undefined
 */
export function generatedLabelCaveats(graph: ResourceGraph, namespace: string, labels: Labels, who: string, side?: Side): string[] {
  const caveats: string[] = [];
  for (const placed of placedSelectors(graph)) {
    if ((side && !placed.sides.includes(side)) || !placed.looksIn(namespace) || !matchesButForGeneratedValues(placed.selector, labels)) continue;
    const unknown = requirementsOnGeneratedValues(placed.selector, labels);
    const keys = [...new Set(unknown.map((requirement) => requirement.key))];
    caveats.push(`${placed.owner} ${formatPath(placed.path)} names ${formatRequirements(unknown)}: ${keys.map((key) => `${key} is a value ${describeGeneratedLabel(key)}`).join('; ')}, so k8snet cannot know it for ${who} and takes it to differ from the value named (the selector ${unknown.every((requirement) => requirement.operator === 'NotIn') ? 'matches' : 'does not match'} ${who} here).`);
  }
  return caveats;
}
