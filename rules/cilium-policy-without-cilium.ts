import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { enforcesDialect, networkPluginOf } from '../src/model/network-plugin.js';

/**
 * Flags Cilium policies in a cluster known to run another network plugin (`cluster.cni`, or the
 * plugin's agent and configuration in the manifests): nothing enforces them, and k8snet leaves
 * them out of every answer.
 */
export default defineRule({
  id: 'cilium-policy-without-cilium',
  category: 'network-plugin',
  severity: 'warning',
  description: 'A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy is in a cluster whose network plugin is not Cilium, so nothing enforces it.',
  rationale: 'Only Cilium implements Cilium\'s policies. Where its CRDs are installed without Cilium running (left over from a migration, '
    + 'or shared manifests applied to every cluster), the API server accepts these policies and nothing enforces them: the traffic they '
    + 'deny flows, and the pods they isolate stay open.',
  fix: 'Write the policy as a Kubernetes NetworkPolicy (or in the dialect of the cluster\'s plugin), or delete it. If the cluster does run '
    + 'Cilium, set `cluster.cni: cilium` in .k8snet.yaml.',
  messages: {
    configured: '{{kind}} {{policy}} is not enforced: the network plugin is {{plugin}} (cluster.cni), which does not implement Cilium policies, so k8snet leaves it out of every answer.',
    detected: '{{kind}} {{policy}} is not enforced: the cluster runs {{plugin}} ({{evidence}}), which does not implement Cilium policies, so k8snet leaves it out of every answer.',
  },
  check(graph, { cluster }) {
    const plugin = networkPluginOf(graph, cluster.cni);
    // Only a plugin that is known counts: `unknown` (stated or found) applies every dialect.
    if (plugin.origin === 'none' || plugin.name === 'unknown' || enforcesDialect(plugin, 'cilium')) return [];
    return graph.cilium.policies.map((policy): RuleReport => (plugin.origin === 'config'
      ? { messageId: 'configured', data: { kind: policy.kind, policy: policy.label, plugin: plugin.plugin.label }, object: policy.source, path: ['metadata', 'name'] }
      : {
        messageId: 'detected',
        data: { kind: policy.kind, policy: policy.label, plugin: plugin.plugin.label, evidence: plugin.evidence.reason },
        object: policy.source,
        path: ['metadata', 'name'],
        related: [{ object: plugin.evidence.object, path: ['metadata', 'name'], message: `${plugin.plugin.label} runs here` }],
      }));
  },
});
