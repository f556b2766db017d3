import { valueAt } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import type { Workload } from '../src/model/types.js';
import { countOf } from '../src/model/plural.js';

/**
 * Network plugins that do not implement NetworkPolicy, as `cluster.cni` names them. Flannel: "for
 * network policy, other projects such as Calico can be used" (flannel README); kubenet: "does not,
 * of itself, implement ... network policy" (Kubernetes network-plugins docs).
 */
const NON_ENFORCING_PLUGINS: Readonly<Record<string, string>> = {
  flannel: 'Flannel',
  'kube-flannel': 'Flannel',
  kubenet: 'kubenet',
};

/**
 * Words in a workload's name, labels or images that show a policy engine is installed: Canal is
 * Calico's policy engine on Flannel's network, and the others enforce NetworkPolicy themselves.
 */
const ENFORCER_WORDS = ['calico', 'canal', 'tigera', 'cilium', 'kube-router', 'weave-net', 'weave-kube', 'antrea', 'ovnkube', 'kube-ovn', 'kube-network-policies'];

/** API groups of the same engines' custom resources (Calico's operator installs calico-node itself). */
const ENFORCER_API_GROUPS: ReadonlySet<string> = new Set(['projectcalico.org', 'crd.projectcalico.org', 'operator.tigera.io', 'cilium.io', 'crd.antrea.io', 'k8s.ovn.org', 'kubeovn.io']);

/** Flags NetworkPolicies in a cluster whose network plugin does not enforce them. */
export default defineRule({
  id: 'cni-does-not-enforce-policy',
  category: 'network-plugin',
  severity: 'error',
  description: 'NetworkPolicies exist but the network plugin (Flannel without Calico, kubenet) does not enforce them.',
  rationale: 'The API server accepts NetworkPolicies whatever the plugin; a plugin that does not implement them ignores them without a '
    + 'word, so every pod keeps accepting and opening every connection while the manifests promise isolation.',
  fix: 'Run a plugin that enforces NetworkPolicy (Calico, Cilium, or Canal: Calico\'s policy engine on Flannel), or stop relying on the '
    + 'policies. If the cluster enforces them by other means, say so with `cluster.cni` in .k8snet.yaml.',
  messages: {
    configured: 'The network plugin is {{plugin}} (cluster.cni), which does not enforce NetworkPolicy and silently ignores the {{policies}} in these manifests: no pod is isolated.',
    flannelDaemonSet: 'Flannel DaemonSet {{daemonSet}} runs without a policy engine such as Calico (Canal) or Cilium, so the network plugin silently ignores the {{policies}} in these manifests.',
    flannelConfigMap: 'ConfigMap {{configMap}} configures Flannel, and no policy engine such as Calico (Canal) or Cilium is installed, so the network plugin silently ignores the {{policies}} in these manifests.',
  },
  check(graph, { cluster }) {
    const policies = policyCount(graph);
    if (policies === undefined) return [];
    const firstPolicy = graph.policies[0]?.source ?? graph.adminPolicies[0]?.source ?? graph.clusterPolicies[0].source;
    if (cluster.cni !== undefined) {
      // What the user says about the cluster wins over what the manifests suggest.
      const plugin = NON_ENFORCING_PLUGINS[cluster.cni];
      if (!plugin) return [];
      return [{ messageId: 'configured', data: { plugin, policies }, object: firstPolicy, path: ['metadata', 'name'] }];
    }
    // Only Flannel is recognised as a plugin that does not enforce: without its DaemonSet or
    // ConfigMap there is nothing to say, and every workload need not be searched for an engine.
    const daemonSet = graph.workloads.find((workload) => workload.kind === 'DaemonSet' && mentionsAny(workload, ['flannel']));
    const configMap = graph.otherObjects.find((object) => object.kind === 'ConfigMap' && object.name === 'kube-flannel-cfg');
    if (!daemonSet && !configMap) return [];
    // Cilium's and Calico's objects are modelled (graph.cilium, graph.calico), so no longer among otherObjects.
    if (graph.workloads.some((workload) => mentionsAny(workload, ENFORCER_WORDS))
      || graph.otherObjects.some((object) => ENFORCER_API_GROUPS.has(apiGroup(object.apiVersion)))
      || graph.cilium.policies.length > 0 || graph.cilium.cidrGroups.length > 0 || hasCalicoObjects(graph)) return [];
    const related = [{ object: firstPolicy, path: ['metadata', 'name'], message: 'ignored by the network plugin' }];
    if (daemonSet) {
      const report: RuleReport = {
        messageId: 'flannelDaemonSet', data: { daemonSet: `${daemonSet.namespace}/${daemonSet.name}`, policies }, object: daemonSet.source, path: ['metadata', 'name'], related,
      };
      return [report];
    }
    if (configMap) {
      return [{ messageId: 'flannelConfigMap', data: { configMap: `${configMap.namespace ?? graph.defaultNamespace}/${configMap.name}`, policies }, object: configMap, path: ['metadata', 'name'], related }];
    }
    return [];
  },
});

/** Counts the policies as a phrase (`3 NetworkPolicies and 1 AdminNetworkPolicy`), or undefined when there are none. */
function policyCount(graph: ResourceGraph): string | undefined {
  const parts: string[] = [];
  const networkPolicies = graph.policies.length;
  // AdminNetworkPolicies, the baseline and ClusterNetworkPolicies: the cluster-wide policies.
  const adminPolicies = graph.adminPolicies.length + graph.clusterPolicies.length;
  if (networkPolicies > 0) parts.push(countOf(networkPolicies, 'NetworkPolicy'));
  if (adminPolicies > 0) parts.push(countOf(adminPolicies, 'admin policy'));
  return parts.length === 0 ? undefined : parts.join(' and ');
}

/** Returns true when a workload's name, labels (object or pod template) or container images contain one of the words. */
function mentionsAny(workload: Workload, words: readonly string[]): boolean {
  // One case-insensitive pattern tested text by text, stopping at the first hit: every workload of
  // a large cluster is scanned, and lower-casing each text first cost more than the scan.
  const pattern = wordPattern(words);
  const mentions = (text: string) => pattern.test(text);
  if (mentions(workload.name) || labelsMention(workload.source, mentions)) return true;
  for (const pod of workload.pods) {
    for (const key in pod.labels) if (mentions(key) || mentions(pod.labels[key])) return true;
    const spec = valueAt(pod.source.value, [...pod.templatePath, 'spec']) as { containers?: unknown; initContainers?: unknown } | undefined;
    for (const container of [...asArray(spec?.containers), ...asArray(spec?.initContainers)]) {
      const image = (container as { image?: unknown } | null)?.image;
      if (typeof image === 'string' && mentions(image)) return true;
    }
  }
  return false;
}

const wordPatterns = new Map<readonly string[], RegExp>();

/** A case-insensitive pattern matching any of the words (literally), built once per list. */
function wordPattern(words: readonly string[]): RegExp {
  let pattern = wordPatterns.get(words);
  if (!pattern) {
    pattern = new RegExp(words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
    wordPatterns.set(words, pattern);
  }
  return pattern;
}

/** True when a key or value of the object's own labels is mentioned. */
function labelsMention(object: Workload['source'], mentions: (text: string) => boolean): boolean {
  const labels = (object.value.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
  if (!labels || typeof labels !== 'object') return false;
  for (const key in labels) if (mentions(key) || mentions(String(labels[key]))) return true;
  return false;
}

/** The API group of an apiVersion (`cilium.io/v2` → `cilium.io`; the core group's `v1` stays `v1`). */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? apiVersion : apiVersion.slice(0, slash);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Returns true when the manifests hold any of Calico's own objects (either of its groups). */
function hasCalicoObjects(graph: ResourceGraph): boolean {
  const calico = graph.calico;
  return calico.policies.length > 0 || calico.stagedPolicies.length > 0 || calico.networkSets.length > 0 || calico.hostEndpoints.length > 0
    || calico.profiles.length > 0 || calico.workloadEndpoints.length > 0 || calico.tiers.some((tier) => tier.source !== undefined);
}
