import { defineRule } from '../src/lint/rule.js';
import { calicoPolicyLabel } from '../src/model/calico.js';
import { pluginMismatchReports } from './cilium-policy-without-cilium.js';

/**
 * Flags Calico policies in a cluster known to run a network plugin that does not implement them
 * (`cluster.cni`, or the plugin's agent and configuration in the manifests): nothing enforces
 * them, and k8snet leaves them out of every answer. The counterpart of cilium-policy-without-cilium.
 */
export default defineRule({
  id: 'calico-policy-without-calico',
  category: 'network-plugin',
  severity: 'warning',
  description: 'A Calico NetworkPolicy or GlobalNetworkPolicy is in a cluster whose network plugin does not implement Calico\'s policies, so nothing enforces it.',
  rationale: 'Only Calico\'s policy engine (Calico, or Canal: Calico on Flannel) implements Calico\'s policies. Where its CRDs are installed '
    + 'without it (left over from a migration, or shared manifests applied to every cluster), the API server accepts these policies and '
    + 'nothing enforces them: the traffic they deny flows, and the pods they isolate stay open.',
  fix: 'Write the policy as a Kubernetes NetworkPolicy (or in the dialect of the cluster\'s plugin), or delete it. If the cluster does run '
    + 'Calico, set `cluster.cni: calico` in .k8snet.yaml.',
  messages: {
    configured: '{{kind}} {{policy}} is not enforced: the network plugin is {{plugin}} (cluster.cni), which does not implement Calico policies, so k8snet leaves it out of every answer.',
    detected: '{{kind}} {{policy}} is not enforced: the cluster runs {{plugin}} ({{evidence}}), which does not implement Calico policies, so k8snet leaves it out of every answer.',
  },
  check(graph, { cluster }) {
    const policies = graph.calico.policies.map((policy) => ({ kind: policy.kind, label: calicoPolicyLabel(policy), source: policy.source }));
    return pluginMismatchReports(graph, cluster, 'calico', policies);
  },
});
