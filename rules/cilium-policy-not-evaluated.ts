import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says once that the Cilium policies of the manifests are read and checked but not yet evaluated
 * (issue 19, first phase), when the cluster's network plugin enforces them: the isolation rules
 * and the answers leave them out until they compile into the common evaluator.
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned; the
 * evaluator of phase B (issue 19) replaces it.
 */
export default defineRule({
  id: 'cilium-policy-not-evaluated',
  category: 'network-plugin',
  severity: 'info',
  description: 'Cilium policies are read and checked, but not yet evaluated: reachability answers and the isolation rules leave them out.',
  rationale: 'A CiliumNetworkPolicy isolates the pods it selects and may deny what a NetworkPolicy allows. Until k8snet evaluates them, an '
    + 'answer such as "not isolated" or "reachable" for those pods leaves them out; can-reach and explain say so next to each such answer.',
  fix: 'Nothing to change in the manifests. Read the caveats of can-reach and explain for the pods these policies select.',
  messages: {
    notEvaluated: '{{policies}} {{verb}} {{workloads}}; k8snet does not evaluate {{dialect}} policies yet, so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const report = notEvaluatedReport(pendingPolicies(graph, networkPluginOf(graph, cluster.cni), 'Cilium'));
    return report ? [{ messageId: 'notEvaluated', ...report }] : [];
  },
});
