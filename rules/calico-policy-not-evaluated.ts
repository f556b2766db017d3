import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { calicoPoliciesApplyingTo } from '../src/reach/calico-pending.js';

/**
 * Says once per run that the manifests hold Calico policies that k8snet reads and checks but does
 * not yet evaluate, so that no reachability answer or isolation finding is taken to include them.
 */
export default defineRule({
  id: 'calico-policy-not-evaluated',
  category: 'network-plugin',
  severity: 'info',
  description: 'The manifests hold Calico policies, which k8snet checks but does not yet evaluate: reachability answers and isolation findings leave them out.',
  rationale: 'Calico NetworkPolicies and GlobalNetworkPolicies decide traffic before Kubernetes NetworkPolicies (and their default deny '
    + 'isolates pods that no Kubernetes policy selects). Until k8snet evaluates them, can-reach, explain, matrix, diff and the isolation rules '
    + '(workload-not-isolated, namespace-no-default-deny-*) answer as if they did not exist; this finding says so instead of letting those '
    + 'answers pass for the cluster\'s.',
  fix: 'Read reachability answers for pods these policies select as upper bounds; the Calico checks (selectors, ports, order ties, unreachable rules) are exact.',
  messages: {
    notEvaluated: 'The manifests hold {{count}} ({{kinds}}); k8snet checks them but does not evaluate them yet, so can-reach, explain, matrix and the isolation rules leave them out{{affected}}.',
  },
  check(graph) {
    const policies = graph.calico.policies;
    if (policies.length === 0) return [];
    const counts = new Map<string, number>();
    for (const policy of policies) counts.set(policy.kind, (counts.get(policy.kind) ?? 0) + 1);
    const kinds = [...counts].map(([kind, count]) => `${count} ${count === 1 ? kind : kind.replace(/Policy$/, 'Policies')}`).join(', ');
    const affected = graph.workloads.filter((workload) => calicoPoliciesApplyingTo(graph, workload.pods).length > 0);
    const shown = affected.slice(0, 3).map((workload) => workload.id).join(', ');
    const report: RuleReport = {
      messageId: 'notEvaluated',
      data: {
        count: `${policies.length} Calico polic${policies.length === 1 ? 'y' : 'ies'}`,
        kinds,
        affected: affected.length === 0 ? ''
          : `: their findings and answers for the ${affected.length} workload${affected.length === 1 ? '' : 's'} these policies apply to (${shown}${affected.length > 3 ? ', ...' : ''}) may not be the cluster's`,
      },
      object: policies[0].source,
      path: ['kind'],
    };
    return [report];
  },
});
