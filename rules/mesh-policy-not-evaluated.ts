import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says, once, that Istio's authorization (AuthorizationPolicies that decide, STRICT
 * PeerAuthentications) applies to workloads of the manifests that run an Istio proxy, and that
 * k8snet does not evaluate it yet (issue 21, phase A): answers and isolation findings cover
 * NetworkPolicy and the admin policies only. Istio's proxies enforce it whatever the network plugin.
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned; the
 * evaluator of phase B (issue 21) replaces it.
 */
export default defineRule({
  id: 'mesh-policy-not-evaluated',
  category: 'isolation',
  severity: 'info',
  description: 'Istio AuthorizationPolicies or a STRICT PeerAuthentication apply to workloads that run an Istio proxy, and k8snet does not evaluate them yet.',
  rationale: 'Istio\'s proxies are a second place where connections are allowed or refused, after the network plugin. Until k8snet evaluates '
    + 'them, its reachability answers and its isolation findings (workload-not-isolated, namespace-no-default-deny-ingress) describe '
    + 'NetworkPolicy and the admin policies only: a connection they call allowed may still be denied by an AuthorizationPolicy or refused '
    + 'for lack of mTLS, and a workload they call open may be protected by the mesh. This is said once per run, at the first such policy.',
  fix: 'Nothing to change in the manifests; read k8snet\'s answers about these workloads as NetworkPolicy-only, and check the mesh with istioctl '
    + '(istioctl x authz check, istioctl analyze).',
  messages: {
    notEvaluated: '{{policies}} {{verb}} {{workloads}}; k8snet does not evaluate {{dialect}} policies yet, so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const report = notEvaluatedReport(pendingPolicies(graph, networkPluginOf(graph, cluster.cni), 'Istio'));
    return report ? [{ messageId: 'notEvaluated', ...report }] : [];
  },
});
