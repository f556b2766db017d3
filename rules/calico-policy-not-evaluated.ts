import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says once per run that the manifests hold Calico policies that k8snet reads and checks but does
 * not yet evaluate (issue 20, first phase), when the cluster's network plugin enforces them, so
 * that no reachability answer or isolation finding is taken to include them.
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned; the
 * evaluator of phase B (issue 20) replaces it.
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
    notEvaluated: '{{policies}} {{verb}} {{workloads}}; k8snet does not evaluate {{dialect}} policies yet, so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const report = notEvaluatedReport(pendingPolicies(graph, networkPluginOf(graph, cluster.cni), 'Calico'));
    return report ? [{ messageId: 'notEvaluated', ...report }] : [];
  },
});
