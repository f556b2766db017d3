import { valueAt } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import type { LabelRequirement } from '../src/model/label-selector.js';
import { policyPeers } from '../src/model/policy-peers.js';
import { mayMatchUnknownNamespaces } from '../src/model/namespace-scope.js';

/** Flags namespaceSelectors on a label key that no namespace carries. */
export default defineRule({
  id: 'namespace-selector-unknown-label',
  category: 'selectors',
  severity: 'warning',
  description: 'A namespaceSelector requires a label key that no namespace in the manifests carries.',
  rationale: 'A selector on a missing label matches no namespace, so the rule allows nothing: the classic `name: prod` instead of '
    + '`kubernetes.io/metadata.name: prod` silently blocks the traffic it was written for. Namespaces made outside the manifests (by an '
    + 'operator, a platform team, a kubeflow Profile) may carry the label, and k8snet cannot see them: unless the selector confines itself '
    + 'by kubernetes.io/metadata.name to namespaces whose labels are known, the finding says it matches only such namespaces, not nothing.',
  fix: 'Select namespaces on `kubernetes.io/metadata.name`, which the API server sets on every namespace, or add the label to the Namespace objects; '
    + 'for namespaces made elsewhere, declare their labels under `namespaces:` in .k8snet.yaml.',
  messages: {
    unknownLabel: 'namespaceSelector requires label {{key}}, which no namespace in the manifests carries, so this peer matches no namespace.',
    unknownLabelElsewhere: 'namespaceSelector requires label {{key}}, which no namespace of the manifests (or of .k8snet.yaml namespaces:) carries: '
      + 'this peer matches only namespaces made elsewhere that carry it, and no namespace at all if the key is a mistake.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const knownKeys = namespaceLabelKeys(graph);
    for (const policy of graph.policies) {
      for (const { peer } of policyPeers(policy)) {
        for (const [index, requirement] of (peer.namespaceSelector?.requirements ?? []).entries()) {
          if (!requiresUnknownKey(requirement, knownKeys)) continue;
          const wanted = requirement.values[0];
          const hint = graph.namespace(wanted ?? '') ? `did you mean kubernetes.io/metadata.name: ${wanted}?` : undefined;
          const matchLabelsCount = Object.keys((valueAt(policy.source.value, [...peer.path, 'namespaceSelector', 'matchLabels']) as Record<string, unknown> | undefined) ?? {}).length;
          const path = index < matchLabelsCount
            ? [...peer.path, 'namespaceSelector', 'matchLabels', requirement.key]
            : [...peer.path, 'namespaceSelector', 'matchExpressions', index - matchLabelsCount];
          const messageId = mayMatchUnknownNamespaces(peer.namespaceSelector!, graph) ? 'unknownLabelElsewhere' : 'unknownLabel';
          reports.push({ messageId, data: { key: requirement.key }, object: policy.source, path, ...(hint ? { hint } : {}) });
        }
      }
    }
    return reports;
  },
});

/** The label keys that some namespace of the manifests carries. */
export function namespaceLabelKeys(graph: ResourceGraph): Set<string> {
  return new Set(graph.namespaces.flatMap((namespace) => Object.keys(namespace.labels)));
}

/**
 * Returns true when the requirement needs a label key that is not among `knownKeys`: what this rule
 * reports. Only In and Exists need the key present; NotIn and DoesNotExist on a missing key match everything.
 */
export function requiresUnknownKey(requirement: LabelRequirement, knownKeys: ReadonlySet<string>): boolean {
  return (requirement.operator === 'In' || requirement.operator === 'Exists') && !knownKeys.has(requirement.key);
}

