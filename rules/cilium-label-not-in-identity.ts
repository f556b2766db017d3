import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatPath, type FieldPath } from '../src/load/path.js';
import type { ManifestObject } from '../src/load/manifest-object.js';
import { isIdentityLabelKey, SOURCE_ANY, SOURCE_K8S, type CiliumSelector } from '../src/model/cilium-labels.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { formatRequirement, type SelectorOperator } from '../src/model/label-selector.js';
import { listWorkloads } from '../src/model/suggest.js';

/** A requirement as both selector forms hold it. */
interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** One selector to judge, with what the finding calls it and where it is written. */
interface SelectorSite {
  readonly requirements: readonly Requirement[];
  readonly what: string;
  readonly role: 'subject' | 'peer';
  readonly object: ManifestObject;
  readonly path: FieldPath;
  /** For a NetworkPolicy's podSelector: the workloads of its namespace whose pods' labels it matches (they carry the label), asked only for a finding. */
  readonly carriers?: () => string | undefined;
}

/**
 * Flags pod selectors, under Cilium, that name a label Cilium leaves out of endpoint identities
 * (its default label filter: statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index,
 * pod-template-hash, controller-revision-hash, keys under kubernetes.io, k8s.io, io.kubernetes...).
 * Cilium matches NetworkPolicy and Cilium policy selectors against identities, not pod labels, so
 * such a requirement matches no pod (In, Exists) or every pod (NotIn, DoesNotExist). The solver
 * already answers this way; this says why, at the selector.
 */
export default defineRule({
  id: 'cilium-label-not-in-identity',
  category: 'network-plugin',
  severity: 'warning',
  description: 'Under Cilium, a pod selector of a NetworkPolicy or Cilium policy requires a label Cilium leaves out of endpoint identities (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index, pod-template-hash, ...), so it matches no pod, or excludes none.',
  rationale: 'Cilium enforces NetworkPolicies and its own policies on security identities, built from a pod\'s labels through a label filter. '
    + 'By default the filter drops labels that differ from pod to pod or carry no meaning for policy: a StatefulSet\'s pod-name and '
    + 'pod-index, the hashes controllers add, and keys under kubernetes.io, k8s.io and io.kubernetes. A selector naming such a label '
    + 'is matched against identities that never hold it: "pick redis-0 by its pod-name" selects nothing, so the policy meant to isolate '
    + 'that pod does not, and the peer meant to admit a client admits nobody, although the pods carry the label and kubectl shows it. '
    + 'Where cilium-config sets its own label filter (labels), the rule says nothing: k8snet does not model that setting.',
  fix: 'Select by a label that stays in the identity (app, app.kubernetes.io/*, or a label of your own in the pod template). For one pod of '
    + 'a StatefulSet, allow the whole StatefulSet or give that pod a label of its own; or make Cilium keep the label (the labels option of '
    + 'cilium-config, "identity-relevant labels"), at the cost of one identity per pod.',
  messages: {
    matchesNothing: '{{what}} requires {{labels}}, which Cilium leaves out of endpoint identities: under Cilium it matches no pod{{carriers}}, so {{effect}}.',
    excludesNothing: '{{what}} requires {{labels}}, which every pod satisfies under Cilium (it leaves {{them}} out of endpoint identities): the requirement excludes no pod.',
  },
  check(graph, context) {
    if (graph.policies.length === 0 && graph.cilium.policies.length === 0) return [];
    // The answers' layout says whether Cilium matches the selectors (its plugin, or Cilium policies under an unknown one).
    if (context.solver.layout.selectorLabels !== 'cilium-identity') return [];
    // A custom label filter (labels in cilium-config) may keep these labels: not modelled, so nothing is said (answers note it).
    if (graph.cilium.agentConfig.identityLabels !== undefined) return [];
    const reports: RuleReport[] = [];
    for (const site of selectorSites(graph)) {
      const filtered = site.requirements.filter((requirement) => !isIdentityLabelKey(requirement.key));
      if (filtered.length === 0) continue;
      // One requirement that no identity satisfies empties the selector; the others then do not matter.
      const impossible = filtered.filter((requirement) => requirement.operator === 'In' || requirement.operator === 'Exists');
      const shown = impossible.length > 0 ? impossible : filtered;
      const labels = shown.map((requirement) => formatRequirement(requirement.key, requirement)).join(', ');
      const carriers = site.carriers?.();
      reports.push(impossible.length > 0
        ? {
          messageId: 'matchesNothing',
          data: {
            what: site.what, labels,
            carriers: carriers ? ` (not even ${carriers}, which ${carriers.includes(', ') || carriers.includes(' more') ? 'carry' : 'carries'} the label)` : '',
            effect: site.role === 'subject' ? 'the policy applies to no pod' : 'this peer matches nothing',
          },
          object: site.object,
          path: site.path,
        }
        : { messageId: 'excludesNothing', data: { what: site.what, labels, them: shown.length === 1 ? 'that label' : 'those labels' }, object: site.object, path: site.path });
    }
    return reports;
  },
});

/**
 * The pod selectors Cilium evaluates that name a label its filter leaves out: NetworkPolicies'
 * podSelectors and peers, Cilium policies' endpoint selectors and peers. Most name none, so a
 * site is made only for those that do.
 */
function selectorSites(graph: ResourceGraph): SelectorSite[] {
  const sites: SelectorSite[] = [];
  for (const policy of graph.policies) {
    const label = `NetworkPolicy ${policy.namespace}/${policy.name}`;
    if (namesFilteredKey(policy.podSelector.requirements)) {
      sites.push({
        requirements: policy.podSelector.requirements, what: `${label} spec.podSelector`, role: 'subject', object: policy.source, path: ['spec', 'podSelector'],
        carriers: () => {
          const carrying = graph.podsMatching(policy.podSelector, policy.namespace);
          return carrying.length > 0 ? listWorkloads(carrying) : undefined;
        },
      });
    }
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const peer of rule.peers ?? []) {
        if (!peer.podSelector || !namesFilteredKey(peer.podSelector.requirements)) continue;
        // Named as the other rules name peers: `ingress[0].from[1]`.
        sites.push({ requirements: peer.podSelector.requirements, what: `${label} ${formatPath(peer.path.slice(1))} podSelector`, role: 'peer', object: policy.source, path: [...peer.path, 'podSelector'] });
      }
    }
  }
  for (const policy of graph.cilium.policies) {
    const label = `${policy.kind} ${policy.label}`;
    for (const rule of policy.rules) {
      if (rule.subject.kind === 'endpoints') {
        const requirements = podRequirements(rule.subject.written);
        if (namesFilteredKey(requirements)) sites.push({ requirements, what: `${label} endpointSelector`, role: 'subject', object: policy.source, path: rule.subject.path });
      }
      for (const peerRule of [...rule.ingress, ...rule.ingressDeny, ...rule.egress, ...rule.egressDeny]) {
        for (const peer of peerRule.peers.endpoints ?? []) {
          const requirements = podRequirements(peer.written);
          if (!namesFilteredKey(requirements)) continue;
          sites.push({ requirements, what: `${label} ${peerRule.direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints'} peer`, role: 'peer', object: policy.source, path: peer.path });
        }
      }
    }
  }
  return sites;
}

function namesFilteredKey(requirements: readonly Requirement[]): boolean {
  for (const requirement of requirements) if (!isIdentityLabelKey(requirement.key)) return true;
  return false;
}

/** The requirements of a Cilium selector on pod labels (source k8s, or none written); reserved and other sources are no pod labels. */
function podRequirements(selector: CiliumSelector): Requirement[] {
  return selector.requirements.filter((requirement) => requirement.source === SOURCE_K8S || requirement.source === SOURCE_ANY);
}
