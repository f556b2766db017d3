import { defineRule } from '../src/lint/rule.js';
import { enforcesDialect, networkPluginOf } from '../src/model/network-plugin.js';

/**
 * Says once that the Cilium policies of the manifests are read and checked but not yet evaluated
 * (issue 19, first phase): the isolation rules and the answers leave them out until Cilium's
 * policies compile into the common evaluator, which replaces this rule.
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
    notEvaluated: '{{count}} Cilium {{policies}} ({{names}}) {{verb}} read and checked but not yet evaluated: can-reach, explain, matrix and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const policies = graph.cilium.policies;
    if (policies.length === 0 || !enforcesDialect(networkPluginOf(graph, cluster.cni), 'cilium')) return [];
    const names = policies.slice(0, 3).map((policy) => policy.label).join(', ') + (policies.length > 3 ? `, and ${policies.length - 3} more` : '');
    const one = policies.length === 1;
    return [{
      messageId: 'notEvaluated',
      data: { count: policies.length, policies: one ? 'policy' : 'policies', names, verb: one ? 'is' : 'are', them: one ? 'it' : 'them' },
      object: policies[0].source,
      path: ['metadata', 'name'],
    }];
  },
});
