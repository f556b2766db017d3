import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ManifestObject } from '../src/load/manifest-object.js';
import type { ClusterFacts } from '../src/model/cluster-facts.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { enforcesDialect, networkPluginOf, type PolicyDialect } from '../src/model/network-plugin.js';

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
    return pluginMismatchReports(graph, cluster, 'cilium', graph.cilium.policies);
  },
});

/** A plugin dialect's policy as the *-policy-without-* rules name it. */
export interface DialectPolicy {
  readonly kind: string;
  /** `namespace/name` or `name`. */
  readonly label: string;
  readonly source: ManifestObject;
}

/**
 * The reports of a rule that flags a dialect's policies in a cluster known to run a plugin that
 * does not implement them (cilium-policy-without-cilium, calico-policy-without-calico): one per
 * policy, `configured` when cluster.cni names the plugin, `detected` (with the evidence as a
 * related location) when the manifests show it. Only a known plugin counts: `unknown` applies
 * every dialect.
 */
export function pluginMismatchReports(graph: ResourceGraph, cluster: ClusterFacts, dialect: PolicyDialect, policies: readonly DialectPolicy[]): RuleReport[] {
  const plugin = networkPluginOf(graph, cluster.cni);
  if (plugin.origin === 'none' || plugin.name === 'unknown' || enforcesDialect(plugin, dialect)) return [];
  return policies.map((policy): RuleReport => {
    const data = { kind: policy.kind, policy: policy.label, plugin: plugin.plugin.label };
    return plugin.origin === 'config'
      ? { messageId: 'configured', data, object: policy.source, path: ['metadata', 'name'] }
      : {
        messageId: 'detected',
        data: { ...data, evidence: plugin.evidence.reason },
        object: policy.source,
        path: ['metadata', 'name'],
        related: [{ object: plugin.evidence.object, path: ['metadata', 'name'], message: `${plugin.plugin.label} runs here` }],
      };
  });
}
