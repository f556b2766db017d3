import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { calicoPolicyLabel } from '../src/model/calico.js';

/**
 * Says, for each staged Calico policy, that Calico does not enforce it: k8snet leaves it out of
 * every answer, as the cluster does.
 */
export default defineRule({
  id: 'calico-staged-policy-not-enforced',
  category: 'hygiene',
  severity: 'info',
  description: 'A StagedNetworkPolicy, StagedGlobalNetworkPolicy or StagedKubernetesNetworkPolicy is not enforced: Calico only reports what it would do.',
  rationale: 'Staged policies let a team preview a policy: Calico records in its flow logs what the policy would have done, but lets '
    + 'the traffic through (or stops it) as if the staged policy did not exist. A staged policy left in a repository looks like '
    + 'protection that is not there; k8snet leaves it out of every answer, as the cluster does.',
  fix: 'Commit the staged policy as a NetworkPolicy or GlobalNetworkPolicy (or Kubernetes NetworkPolicy) when it should be enforced, or delete it.',
  messages: {
    staged: '{{kind}} {{policy}} is staged ({{action}}): Calico does not enforce it, and k8snet leaves it out of every answer.',
  },
  check(graph) {
    return graph.calico.stagedPolicies.map((policy): RuleReport => ({
      messageId: 'staged',
      data: {
        kind: policy.kind,
        policy: calicoPolicyLabel(policy),
        action: `stagedAction ${policy.stagedAction ?? 'Set'}`,
      },
      object: policy.source,
      path: ['kind'],
    }));
  },
});
