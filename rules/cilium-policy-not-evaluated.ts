import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says once that the Cilium host policies (nodeSelector, the host firewall) of the manifests are
 * read and checked but not evaluated, when the cluster's network plugin enforces them: endpoint
 * rules compile into the common evaluator (src/reach/policies/cilium.ts), host policies select
 * nodes, which are no pod classes, so answers about hostNetwork pods leave them out.
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned.
 */
export default defineRule({
  id: 'cilium-policy-not-evaluated',
  category: 'network-plugin',
  severity: 'info',
  description: 'Cilium host policies (nodeSelector) are read and checked, but not yet evaluated: answers about hostNetwork pods leave them out.',
  rationale: 'A Cilium host policy isolates the nodes it selects (with the host firewall on), hostNetwork pods included. k8snet evaluates '
    + 'Cilium\'s endpoint rules but not host policies yet, so an answer about traffic to or from those nodes leaves them out; can-reach and '
    + 'explain say so next to each such answer.',
  fix: 'Nothing to change in the manifests. Read the caveats of can-reach and explain for the hostNetwork pods these policies select.',
  messages: {
    notEvaluated: '{{policies}} {{verb}} {{workloads}}; k8snet does not evaluate {{dialect}} host policies (nodeSelector) yet, so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const report = notEvaluatedReport(pendingPolicies(graph, networkPluginOf(graph, cluster.cni), 'Cilium'));
    return report ? [{ messageId: 'notEvaluated', ...report }] : [];
  },
});
