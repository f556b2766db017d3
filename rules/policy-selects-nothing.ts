import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { matchesSelector } from '../src/model/label-selector.js';
import { listWorkloads, nearMissHint } from '../src/model/suggest.js';
import { describeGeneratedRequirements, matchesButForGeneratedValues } from '../src/model/controller-labels.js';

/**
 * Flags NetworkPolicies whose podSelector matches no pod of their namespace, and
 * ClusterNetworkPolicies whose subject's podSelector matches no pod of the namespaces it selects.
 */
export default defineRule({
  id: 'policy-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'A NetworkPolicy\'s podSelector matches no pod of its namespace, or a ClusterNetworkPolicy\'s subject podSelector none of the pods of its namespaces.',
  rationale: 'A policy that selects no pod has no effect: the pods it was written for are not isolated by it and get none of its allowances, '
    + 'usually because of a label typo or a label renamed in the pod template. Namespaces without any pod in the manifests are skipped, '
    + 'since their workloads may be deployed from elsewhere. A podSelector on a label whose value a controller computes at run time '
    + '(pod-template-hash, controller-revision-hash, a Job\'s uid) is reported as unknowable: the policy applies only while that value lasts.',
  fix: 'Make spec.podSelector match the labels of the pod template it is meant for (or relabel the pods); use podSelector: {} to select every pod of the namespace.',
  messages: {
    selectsNothing: 'NetworkPolicy {{policy}} selects no pod: podSelector {{selector}} matches none of the pods in namespace {{namespace}} ({{workloads}}), so the policy has no effect.',
    generatedLabel: '{{kind}} {{policy}} selects pods by {{requirements}}, a value {{setter}}: k8snet cannot know it, so it cannot tell whether the policy applies to {{workloads}}; it stops applying when that value changes.',
    subjectSelectsNothing: 'ClusterNetworkPolicy {{policy}} selects no pod: its subject\'s podSelector {{selector}} matches none of the pods of the namespaces it selects ({{workloads}}), so the policy has no effect.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      const pods = graph.podsInNamespace(policy.namespace);
      // No pod here at all: the namespace's workloads live in other manifests.
      if (pods.length === 0) continue;
      if (graph.podsMatching(policy.podSelector, policy.namespace).length > 0) continue;
      const unknowable = pods.filter((pod) => matchesButForGeneratedValues(policy.podSelector, pod.labels));
      if (unknowable.length > 0) {
        reports.push({
          messageId: 'generatedLabel',
          data: { kind: 'NetworkPolicy', policy: `${policy.namespace}/${policy.name}`, ...describeGeneratedRequirements(policy.podSelector, unknowable[0].labels), workloads: listWorkloads(unknowable) },
          object: policy.source,
          path: ['spec', 'podSelector'],
        });
        continue;
      }
      const hint = nearMissHint(policy.podSelector.requirements, pods.map((pod) => pod.labels));
      reports.push({
        messageId: 'selectsNothing',
        data: {
          policy: `${policy.namespace}/${policy.name}`,
          selector: policy.podSelector.text,
          namespace: policy.namespace,
          workloads: listWorkloads(pods),
        },
        object: policy.source,
        path: ['spec', 'podSelector'],
        ...(hint ? { hint } : {}),
      });
    }
    for (const policy of graph.clusterPolicies) {
      const { namespaceSelector, podSelector } = policy.subject;
      if (!podSelector) continue;
      // Only namespaces whose pods are in the manifests can tell: a cluster-wide policy is often kept apart from the workloads.
      const pods = graph.namespacesMatching(namespaceSelector).flatMap((namespace) => graph.podsInNamespace(namespace.name)).filter((pod) => !pod.hostNetwork);
      if (pods.length === 0 || pods.some((pod) => matchesSelector(podSelector, pod.labels))) continue;
      const unknowable = pods.filter((pod) => matchesButForGeneratedValues(podSelector, pod.labels));
      if (unknowable.length > 0) {
        reports.push({
          messageId: 'generatedLabel',
          data: { kind: 'ClusterNetworkPolicy', policy: policy.name, ...describeGeneratedRequirements(podSelector, unknowable[0].labels), workloads: listWorkloads(unknowable) },
          object: policy.source,
          path: ['spec', 'subject', 'pods', 'podSelector'],
        });
        continue;
      }
      const hint = nearMissHint(podSelector.requirements, pods.map((pod) => pod.labels));
      reports.push({
        messageId: 'subjectSelectsNothing',
        data: { policy: policy.name, selector: podSelector.text, workloads: listWorkloads(pods) },
        object: policy.source,
        path: ['spec', 'subject', 'pods', 'podSelector'],
        ...(hint ? { hint } : {}),
      });
    }
    return reports;
  },
});
