import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says, once, that Istio AuthorizationPolicies attached by `targetRefs` (to Gateway API gateways,
 * GatewayClasses, or Services and ServiceEntries behind an ambient waypoint) apply to workloads of
 * the manifests and that k8snet does not evaluate them (issue 21): the policies selected by
 * namespace and selector, and STRICT PeerAuthentications, are evaluated (src/reach/policies/istio.ts).
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned.
 */
export default defineRule({
  id: 'mesh-policy-not-evaluated',
  category: 'isolation',
  severity: 'info',
  description: 'Istio AuthorizationPolicies attached by targetRefs apply to gateway or waypoint workloads, and k8snet does not evaluate them.',
  rationale: 'Istio\'s proxies are a second place where connections are allowed or refused, after the network plugin. k8snet evaluates the '
    + 'AuthorizationPolicies that select workloads by namespace and selector, and STRICT PeerAuthentication; policies attached by targetRefs '
    + '(gateways, waypoints) are not evaluated, so its answers about the workloads they apply to may allow what they deny. This is said once '
    + 'per run, at the first such policy.',
  fix: 'Nothing to change in the manifests; read k8snet\'s answers about these gateways and waypoints as leaving these policies out, and check '
    + 'them with istioctl (istioctl x authz check, istioctl analyze).',
  messages: {
    notEvaluated: '{{policies}} {{verb}} {{workloads}} by targetRefs; k8snet does not evaluate {{dialect}} policies attached to gateways and waypoints, so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const report = notEvaluatedReport(pendingPolicies(graph, networkPluginOf(graph, cluster.cni), 'Istio'));
    return report ? [{ messageId: 'notEvaluated', ...report }] : [];
  },
});
