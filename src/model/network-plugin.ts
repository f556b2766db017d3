/**
 * Which network plugin a cluster runs, and which policy dialects it enforces: what `.k8snet.yaml`
 * `cluster.cni` says, or else what the manifests show (the plugin's agent DaemonSet, its
 * configuration, its own custom resources). Kubernetes NetworkPolicies are enforced by most
 * plugins; Cilium's policies only by Cilium, Calico's only by Calico (and Canal, Calico's policy
 * engine on Flannel's network).
 */
import type { ManifestObject } from '../load/manifest-object.js';
import type { ResourceGraph } from './graph.js';
import type { Workload } from './types.js';
import { editDistance } from '../text-distance.js';
import { valueAt } from '../load/path.js';

/** The policy dialects whose enforcement depends on the plugin. */
export type PolicyDialect = 'networkpolicy' | 'cilium' | 'calico';

/** A plugin `cluster.cni` may name, with what it enforces. */
export interface NetworkPlugin {
  /** How answers name it. */
  readonly label: string;
  readonly enforces: Readonly<Record<PolicyDialect, boolean>>;
}

const ALL_KINDS = { networkpolicy: true, cilium: false, calico: false } as const;

/**
 * The values of `cluster.cni` (lower-case). `other` is a plugin k8snet does not know, taken to
 * enforce NetworkPolicy only; `unknown` says the plugin cannot be told: k8snet then applies every
 * policy of the manifests, whatever its dialect, and says that this depends on the plugin.
 */
export const NETWORK_PLUGINS: Readonly<Record<string, NetworkPlugin>> = {
  cilium: { label: 'Cilium', enforces: { networkpolicy: true, cilium: true, calico: false } },
  calico: { label: 'Calico', enforces: { networkpolicy: true, cilium: false, calico: true } },
  // Canal: Calico's policy engine over Flannel's network.
  canal: { label: 'Canal (Calico on Flannel)', enforces: { networkpolicy: true, cilium: false, calico: true } },
  flannel: { label: 'Flannel', enforces: { networkpolicy: false, cilium: false, calico: false } },
  kubenet: { label: 'kubenet', enforces: { networkpolicy: false, cilium: false, calico: false } },
  antrea: { label: 'Antrea', enforces: ALL_KINDS },
  weave: { label: 'Weave Net', enforces: ALL_KINDS },
  'kube-router': { label: 'kube-router', enforces: ALL_KINDS },
  'ovn-kubernetes': { label: 'OVN-Kubernetes', enforces: ALL_KINDS },
  'kube-ovn': { label: 'Kube-OVN', enforces: ALL_KINDS },
  other: { label: 'a plugin k8snet does not know', enforces: ALL_KINDS },
  unknown: { label: 'an unknown plugin', enforces: { networkpolicy: true, cilium: true, calico: true } },
};

/** Other spellings of the values, as users and distributions write them. */
const ALIASES: Readonly<Record<string, string>> = {
  'kube-flannel': 'flannel', 'weave-net': 'weave', ovn: 'ovn-kubernetes', 'ovn-k8s': 'ovn-kubernetes', 'calico-enterprise': 'calico', tigera: 'calico',
};

/** The canonical `cluster.cni` value of `written` (case-insensitive, aliases resolved), or undefined for an unknown name. */
export function canonicalPluginName(written: string): string | undefined {
  const name = written.trim().toLowerCase();
  if (Object.hasOwn(NETWORK_PLUGINS, name)) return name;
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
}

/** The value `written` is probably a misspelling of, if any. */
export function suggestPluginName(written: string): string | undefined {
  const name = written.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of [...Object.keys(NETWORK_PLUGINS), ...Object.keys(ALIASES)]) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = Object.hasOwn(ALIASES, candidate) ? ALIASES[candidate] : candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The plugin of the cluster, and how k8snet knows it. */
export type NetworkPluginFact =
  /** `cluster.cni` says so. */
  | { readonly origin: 'config'; readonly name: string; readonly plugin: NetworkPlugin }
  /** The manifests show it: `evidence` is the object and what it shows. */
  | { readonly origin: 'manifests'; readonly name: string; readonly plugin: NetworkPlugin; readonly evidence: { readonly object: ManifestObject; readonly reason: string } }
  /** Neither says: every dialect is applied, and answers say it depends on the plugin. */
  | { readonly origin: 'none'; readonly name: 'unknown'; readonly plugin: NetworkPlugin };

/**
 * Agents by their DaemonSet's name, labels (`key=value`) or container image, in the order they are
 * recognised: Canal before Calico and Flannel (it runs both). Images name the agent's own image,
 * not any image of the project's registry (cilium-cli's test pods use quay.io/cilium/alpine-curl).
 */
const AGENTS: readonly { readonly name: string; readonly daemonSet: RegExp; readonly label: RegExp; readonly image: RegExp }[] = [
  { name: 'cilium', daemonSet: /^cilium(-agent)?$/, label: /^(k8s-app=cilium|app\.kubernetes\.io\/name=cilium-agent)$/, image: /(^|\/)cilium\/cilium[:@]/ },
  { name: 'canal', daemonSet: /^canal$/, label: /^k8s-app=canal$/, image: /(?!)/ },
  { name: 'calico', daemonSet: /^calico-node$/, label: /^k8s-app=calico-node$/, image: /(^|\/)calico\/node[:@]/ },
  { name: 'antrea', daemonSet: /^antrea-agent$/, label: /^component=antrea-agent$/, image: /(^|\/)antrea\/antrea-(agent|ubuntu)[-a-z]*[:@]/ },
  { name: 'weave', daemonSet: /^weave-net$/, label: /^name=weave-net$/, image: /(^|\/)weaveworks\/weave-kube[:@]/ },
  { name: 'kube-router', daemonSet: /^kube-router$/, label: /^k8s-app=kube-router$/, image: /(^|\/)kube-router[:@]/ },
  { name: 'ovn-kubernetes', daemonSet: /^ovnkube-node$/, label: /^app=ovnkube-node$/, image: /(?!)/ },
  { name: 'kube-ovn', daemonSet: /^kube-ovn-cni$/, label: /^app=kube-ovn-cni$/, image: /(?!)/ },
  { name: 'flannel', daemonSet: /flannel/, label: /^app=flannel$/, image: /(^|\/)flannel(\/flannel)?[:@]/ },
];

/** ConfigMaps and API groups that only a plugin's installation holds. */
const CONFIG_MAPS: Readonly<Record<string, string>> = { 'cilium-config': 'cilium', 'calico-config': 'calico', 'kube-flannel-cfg': 'flannel', 'antrea-config': 'antrea' };
const API_GROUPS: Readonly<Record<string, string>> = { 'operator.tigera.io': 'calico', 'crd.antrea.io': 'antrea', 'k8s.ovn.org': 'ovn-kubernetes', 'kubeovn.io': 'kube-ovn' };
/** Kinds users write in those groups (Antrea's policies, tiers and groups, OVN's egress firewall): they show the CRDs, not the plugin at work. */
const USER_POLICY_KIND = /(NetworkPolicy|^Tier|^ClusterGroup|^Group|^EgressFirewall)$/;
/** Cilium's own objects that only a running Cilium creates (policies and CIDR groups can be applied wherever the CRDs are installed). */
const CILIUM_RUNTIME_KINDS: ReadonlySet<string> = new Set(['CiliumNode', 'CiliumEndpoint', 'CiliumIdentity', 'CiliumEndpointSlice']);

/**
 * The network plugin of the cluster: `cluster.cni` when set; else the plugin whose agent
 * DaemonSet, configuration or runtime objects the manifests hold (Cilium first: its policies apply
 * wherever its agent runs, alone or chained on another plugin; Calico next, Canal counting as
 * Calico); else none. Names `cni` takes are canonical (config.ts checks them).
 */
export function networkPluginOf(graph: ResourceGraph, cni: string | undefined): NetworkPluginFact {
  if (cni !== undefined) {
    const name = canonicalPluginName(cni) ?? 'other';
    return { origin: 'config', name, plugin: NETWORK_PLUGINS[name] };
  }
  // Several rules and every answer ask; the graph never changes, so the manifests are searched once.
  let detected = detectedPlugins.get(graph);
  if (!detected) detectedPlugins.set(graph, (detected = detectPlugin(graph)));
  return detected;
}

const detectedPlugins = new WeakMap<ResourceGraph, NetworkPluginFact>();

function detectPlugin(graph: ResourceGraph): NetworkPluginFact {
  const found = new Map<string, { object: ManifestObject; reason: string }>();
  // Objects users write in a plugin's API group (an Antrea policy) show its CRDs, not that it runs
  // here: a repository may hold policies for several plugins. They count only when nothing stronger
  // is found and no other dialect's policies are in the manifests.
  const written = new Set<string>();
  const note = (name: string, object: ManifestObject, reason: string, userWritten = false) => {
    if (found.has(name)) {
      if (!userWritten) written.delete(name);
      return;
    }
    found.set(name, { object, reason });
    if (userWritten) written.add(name);
  };
  for (const workload of graph.workloads) {
    if (workload.kind !== 'DaemonSet') continue;
    const agent = AGENTS.find((candidate) => isAgent(workload, candidate));
    if (agent) note(agent.name, workload.source, `DaemonSet ${workload.namespace}/${workload.name} runs its agent`);
  }
  for (const object of graph.otherObjects) {
    if (object.kind === 'ConfigMap' && Object.hasOwn(CONFIG_MAPS, object.name)) note(CONFIG_MAPS[object.name], object, `ConfigMap ${object.namespace ?? graph.defaultNamespace}/${object.name} configures it`);
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    if (Object.hasOwn(API_GROUPS, group)) note(API_GROUPS[group], object, `${object.kind} ${object.name} is one of its resources`, USER_POLICY_KIND.test(object.kind));
    if (group === 'cilium.io' && CILIUM_RUNTIME_KINDS.has(object.kind)) note('cilium', object, `${object.kind} ${object.name} is made by its agent`);
  }
  const otherDialects = (name: string) => (graph.cilium.policies.length > 0 && !NETWORK_PLUGINS[name].enforces.cilium)
    || (graph.calico.policies.length > 0 && !NETWORK_PLUGINS[name].enforces.calico);
  for (const name of ['cilium', 'canal', 'calico', 'antrea', 'weave', 'kube-router', 'ovn-kubernetes', 'kube-ovn', 'flannel']) {
    const evidence = found.get(name);
    if (!evidence || (written.has(name) && otherDialects(name))) continue;
    return { origin: 'manifests', name, plugin: NETWORK_PLUGINS[name], evidence };
  }
  return { origin: 'none', name: 'unknown', plugin: NETWORK_PLUGINS.unknown };
}

/** Returns true when the cluster's plugin (as `fact` says) enforces policies of `dialect`. */
export function enforcesDialect(fact: NetworkPluginFact, dialect: PolicyDialect): boolean {
  return fact.plugin.enforces[dialect];
}

/** How an answer names where the plugin fact comes from: `cluster.cni`, or the evidence in the manifests. */
export function describePluginOrigin(fact: NetworkPluginFact): string {
  if (fact.origin === 'config') return 'cluster.cni in .k8snet.yaml';
  if (fact.origin === 'manifests') return fact.evidence.reason;
  return 'nothing in the manifests or the configuration names it';
}

function isAgent(workload: Workload, agent: (typeof AGENTS)[number]): boolean {
  if (agent.daemonSet.test(workload.name)) return true;
  const labels = (workload.source.value.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
  if (labels && typeof labels === 'object') {
    for (const key in labels) if (agent.label.test(`${key}=${String(labels[key])}`)) return true;
  }
  for (const pod of workload.pods) {
    const spec = valueAt(pod.source.value, [...pod.templatePath, 'spec']) as { containers?: unknown } | undefined;
    for (const container of Array.isArray(spec?.containers) ? spec!.containers as unknown[] : []) {
      const image = (container as { image?: unknown } | null)?.image;
      if (typeof image === 'string' && agent.image.test(image)) return true;
    }
  }
  return false;
}
