/**
 * What Cilium's identity label filter does to NetworkPolicies, said in answers. Cilium matches a
 * NetworkPolicy's selectors against endpoint identities, which leave out the labels its filter drops
 * (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index, pod-template-hash...: see
 * isIdentityLabelKey). The evaluation already matches that way (policies/index.ts, selectorLabels);
 * these caveats say why a policy or peer that names a pod by such a label does not apply to it,
 * since the pod carries the label and everything else says it should. Lint says it at the selector
 * (cilium-label-not-in-identity).
 */
import type { Labels } from '../model/label-selector.js';
import { formatRequirement, matchesSelector, type LabelSelector } from '../model/label-selector.js';
import { isIdentityLabelKey, SOURCE_K8S } from '../model/cilium-labels.js';
import type { ResourceGraph } from '../model/graph.js';
import { formatPath } from '../load/path.js';
import type { NetworkPolicy } from '../model/types.js';
import { isPodClass, type Peer, type PodClass } from './policy-form.js';
import type { ReachabilitySolver } from './solver.js';

/**
 * The caveats for a pair under Cilium: NetworkPolicies whose podSelector matches the source (for
 * egress) or the destination (for ingress) by its labels but not by its identity, and peers of the
 * policies that do select them whose podSelector matches the other side only by its labels.
 */
export function identityFilterCaveats(solver: ReachabilitySolver, source: Peer, destination: Peer): string[] {
  const graph = solver.graph;
  if (!namesFilteredLabels(graph)) return [];
  const caveats: string[] = [];
  for (const [direction, selected, other, role, otherRole] of [
    ['egress', source, destination, 'source', 'destination'],
    ['ingress', destination, source, 'destination', 'source'],
  ] as const) {
    if (!isPodClass(selected) || selected.outsidePolicy) continue;
    for (const policy of graph.policiesInNamespace(selected.namespace)) {
      if (!(direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress)) continue;
      const filtered = requirementsLostToTheFilter(policy.podSelector, selected, graph);
      if (filtered) {
        caveats.push(`NetworkPolicy ${policy.namespace}/${policy.name} selects pods by ${filtered}, which Cilium leaves out of endpoint identities: `
          + `under Cilium it does not apply to the ${role}, although the ${role} carries that label, so it neither isolates nor allows its ${direction} here.`);
      }
    }
    if (!isPodClass(other) || other.outsidePolicy) continue;
    for (const compiled of solver.policiesFor(selected, direction)) {
      if (compiled.kind !== 'NetworkPolicy') continue;
      const policy = compiled.model as NetworkPolicy;
      for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
        for (const peer of rule.peers ?? []) {
          if (!peer.podSelector) continue;
          const namespaces = peer.namespaceSelector ? graph.namespacesMatching(peer.namespaceSelector).map((namespace) => namespace.name) : [policy.namespace];
          if (!namespaces.includes(other.namespace)) continue;
          const filtered = requirementsLostToTheFilter(peer.podSelector, other, graph);
          if (!filtered) continue;
          caveats.push(`NetworkPolicy ${policy.namespace}/${policy.name} ${formatPath(peer.path.slice(1))} selects pods by ${filtered}, which Cilium leaves out of endpoint identities: `
            + `under Cilium it does not match the ${otherRole}, although the ${otherRole} carries that label.`);
        }
      }
    }
  }
  return caveats;
}

/** Whether some NetworkPolicy selector of the graph names a label the filter drops (most graphs: none, and answers ask for every pair). */
function namesFilteredLabels(graph: ResourceGraph): boolean {
  let names = namingGraphs.get(graph);
  if (names === undefined) {
    const filtered = (selector: LabelSelector | undefined) => selector !== undefined && selector.requirements.some((requirement) => !isIdentityLabelKey(requirement.key));
    names = graph.policies.some((policy) => filtered(policy.podSelector)
      || [...policy.ingress, ...policy.egress].some((rule) => (rule.peers ?? []).some((peer) => filtered(peer.podSelector))));
    namingGraphs.set(graph, names);
  }
  return names;
}

const namingGraphs = new WeakMap<ResourceGraph, boolean>();

/**
 * The requirements on filtered keys, written out, when `selector` matches the class by its labels
 * and not by its identity's; undefined otherwise.
 */
function requirementsLostToTheFilter(selector: LabelSelector, podClass: PodClass, graph: ResourceGraph): string | undefined {
  const filtered = selector.requirements.filter((requirement) => !isIdentityLabelKey(requirement.key));
  if (filtered.length === 0 || !matchesSelector(selector, podClass.labels) || matchesSelector(selector, identityLabels(podClass, graph))) return undefined;
  return filtered.map((requirement) => formatRequirement(requirement.key, requirement)).join(', ');
}

function identityLabels(podClass: PodClass, graph: ResourceGraph): Labels {
  const labels: Record<string, string> = {};
  for (const label of graph.cilium.identityOf(podClass.pods[0]).labels) if (label.source === SOURCE_K8S) labels[label.key] = label.value;
  return labels;
}
