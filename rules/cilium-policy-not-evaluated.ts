import { defineRule } from '../src/lint/rule.js';
import { networkPluginOf } from '../src/model/network-plugin.js';
import { ciliumPendingReason, notEvaluatedReport, pendingPolicies } from '../src/reach/not-evaluated.js';

/**
 * Says once which Cilium host policies (nodeSelector, the host firewall) answers leave out, when
 * the cluster's network plugin enforces them: all of them while the manifests do not show whether
 * the host firewall is on (`enable-host-firewall` in cilium-config); with it on, those selecting
 * the nodes of hostNetwork pods that may run on selected and unselected nodes (host policies are
 * evaluated for nodes and for hostNetwork pods placed only on selected nodes, or on none).
 * One pattern for the three `…-policy-not-evaluated` rules (src/reach/not-evaluated.ts): once per
 * run, at the first such policy's name, the others related, naming the workloads concerned.
 */
export default defineRule({
  id: 'cilium-policy-not-evaluated',
  category: 'network-plugin',
  severity: 'info',
  description: 'Cilium host policies (nodeSelector) that answers leave out: the host firewall is not shown on or off, or hostNetwork pods may run on nodes they select and nodes they do not.',
  rationale: 'A Cilium host policy isolates the nodes it selects (with the host firewall on), hostNetwork pods included. k8snet evaluates '
    + 'host policies for nodes and for hostNetwork pods placed only on selected nodes when cilium-config shows the host firewall on; '
    + 'without that fact, or for hostNetwork pods that may run on selected and unselected nodes, an answer leaves them out; can-reach and '
    + 'explain say so next to each such answer.',
  fix: 'State the agent configuration (the cilium-config ConfigMap with enable-host-firewall) in the manifests, or pin the hostNetwork pods '
    + 'to nodes the host policy selects (or does not); otherwise read the caveats of can-reach and explain for those pods.',
  messages: {
    notEvaluated: '{{policies}} {{verb}} {{workloads}} on some but not all of the nodes they may run on (hostNetwork pods, or nodes whose labels the manifests do not give), so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out for those pods.',
    notChosen: '{{policies}} {{verb}} {{workloads}}; the manifests hold Calico policies too and name no network plugin, so can-reach, explain, matrix, graph, diff and the isolation rules evaluate neither dialect and leave {{them}} out (set cluster.cni in .k8snet.yaml).',
    hostFirewallUnknown: '{{policies}} {{verb}} {{workloads}}; the manifests do not show whether the {{dialect}} host firewall is on (enable-host-firewall in cilium-config), so can-reach, explain, matrix, graph, diff and the isolation rules leave {{them}} out.',
  },
  check(graph, { cluster }) {
    const plugin = networkPluginOf(graph, cluster.cni);
    const report = notEvaluatedReport(pendingPolicies(graph, plugin, 'Cilium'));
    if (!report) return [];
    const reason = ciliumPendingReason(graph, plugin);
    return [{ messageId: reason === 'not-chosen' ? 'notChosen' : reason === 'mixed-placement' ? 'notEvaluated' : 'hostFirewallUnknown', ...report }];
  },
});
