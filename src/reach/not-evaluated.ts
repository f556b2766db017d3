/**
 * The one mechanism by which answers say that policies apply which k8snet reads and checks but
 * does not evaluate yet (phase A of Cilium's, Calico's and Istio's support). Each dialect's module
 * knows which of its policies apply to some pods and words its sentence (cilium-pending.ts,
 * calico-caveats.ts, istio-caveats.ts); this module is what answers and the
 * `…-policy-not-evaluated` rules ask, so that can-reach, explain, matrix, graph, diff and lint say
 * it for every dialect, in the same places, under the same network plugin. Evaluating a dialect
 * (its phase B) removes it from here.
 */
import type { ManifestObject } from '../load/manifest-object.js';
import type { ResourceGraph } from '../model/graph.js';
import { enforcesDialect, type NetworkPluginFact } from '../model/network-plugin.js';
import { listWorkloads } from '../model/suggest.js';
import { calicoPolicyLabel } from '../model/calico.js';
import { evaluatedDialects } from './policies/index.js';
import type { Pod } from '../model/types.js';
import { calicoPoliciesApplyingTo, calicoUnmodelledCaveats } from './calico-caveats.js';
import { ciliumPendingCaveat, pendingCiliumPolicies } from './cilium-pending.js';
import { meshCaveat, meshPoliciesOn, unevaluatedAuthorizationPolicies } from './istio-caveats.js';

/** A dialect whose policies k8snet reads but does not evaluate yet, as answers name it. */
export type PendingDialect = 'Cilium' | 'Calico' | 'Istio';

/** One side of a connection an answer is about: the pod answered for and the pods of its class. */
export interface AnsweredSide {
  readonly pod: Pod;
  readonly classPods: readonly Pod[];
  /** How the answer names the pod (`shop/web[Deployment]`). */
  readonly label: string;
}

/**
 * The caveats of one side of a can-reach pair: the Cilium policies that would decide the source's
 * egress or the destination's ingress, and the Calico rules applying to its pods that the
 * evaluation leaves out (calico-caveats.ts). Cilium's are left out under a network plugin that
 * does not enforce them (cilium-policy-without-cilium says so).
 */
export function notEvaluatedSideCaveats(graph: ResourceGraph, plugin: NetworkPluginFact, side: 'source' | 'destination', answered: AnsweredSide): string[] {
  const cilium = ciliumPendingCaveat(graph, plugin, answered.pod, side === 'source' ? 'egress' : 'ingress', answered.label);
  return [
    ...(cilium !== undefined ? [cilium] : []),
    ...calicoUnmodelledCaveats(graph, answered.classPods, `the ${side}`),
    ...calicoNotChosenCaveats(graph, plugin, answered.classPods, `the ${side}`),
  ];
}

/**
 * The note a whole can-reach answer carries for what the mesh decides between `sources` (pods,
 * or `external`) and `destinations`: Istio's proxies enforce it whatever the network plugin is.
 */
export function notEvaluatedAnswerNotes(graph: ResourceGraph, sources: readonly Pod[] | 'external', destinations: readonly Pod[]): string[] {
  const mesh = meshCaveat(graph, sources, destinations);
  return mesh !== undefined ? [mesh] : [];
}

/** A caveat about policies of one dialect that apply but are not evaluated. */
export interface PendingCaveat {
  readonly dialect: PendingDialect;
  readonly caveat: string;
}

/** The caveats `explain` gives for pods of one class (`who` names them): every pending dialect, both directions. */
export function notEvaluatedPodCaveats(graph: ResourceGraph, plugin: NetworkPluginFact, pods: readonly Pod[], who: string): PendingCaveat[] {
  if (pods.length === 0) return [];
  const cilium = (['ingress', 'egress'] as const)
    .map((direction) => ciliumPendingCaveat(graph, plugin, pods[0], direction, who))
    .filter((caveat): caveat is string => caveat !== undefined);
  const mesh = meshPoliciesOn(graph, pods);
  return [
    ...cilium.map((caveat) => ({ dialect: 'Cilium' as const, caveat })),
    ...(mesh.length > 0 ? [{
      dialect: 'Istio' as const,
      caveat: `Istio AuthorizationPolicies ${listNames(mesh)} attach by targetRefs to ${who}; k8snet does not evaluate policies attached to gateways and waypoints, so what follows leaves them out.`,
    }] : []),
    ...calicoUnmodelledCaveats(graph, pods, who).map((caveat) => ({ dialect: 'Calico' as const, caveat })),
    ...calicoNotChosenCaveats(graph, plugin, pods, who).map((caveat) => ({ dialect: 'Calico' as const, caveat })),
  ];
}

/**
 * Calico's policies that apply to `pods` when answers do not take Calico's layout although the
 * plugin may enforce them (the manifests hold Cilium policies too and name no plugin): named.
 */
function calicoNotChosenCaveats(graph: ResourceGraph, plugin: NetworkPluginFact, pods: readonly Pod[], who: string): string[] {
  if (graph.calico.policies.length === 0 || !enforcesDialect(plugin, 'calico') || evaluatedDialects(graph, plugin).calico) return [];
  const policies = calicoPoliciesApplyingTo(graph, pods);
  if (policies.length === 0) return [];
  return [`Calico policies ${listNames(policies.map((policy) => calicoPolicyLabel(policy)))} apply to ${who}; `
    + 'the manifests hold Cilium policies too and name no network plugin, so this answer evaluates neither dialect and leaves them out (set cluster.cni in .k8snet.yaml).'];
}

/** A policy k8snet does not evaluate yet, with the pods it applies to. */
export interface PendingPolicy {
  readonly dialect: PendingDialect;
  /** How messages name it: `CiliumNetworkPolicy shop/web`. */
  readonly name: string;
  readonly source: ManifestObject;
  readonly pods: readonly Pod[];
}

/**
 * Every policy of `dialect` that applies to pods of the manifests and that k8snet does not
 * evaluate yet, in the order the manifests' policies are listed; no Cilium policy when the
 * cluster's network plugin does not enforce Cilium's; none of Calico's, which are evaluated
 * (Istio's proxies enforce the mesh's whatever the plugin is).
 */
export function pendingPolicies(graph: ResourceGraph, plugin: NetworkPluginFact, dialect: PendingDialect): PendingPolicy[] {
  const pods = graph.workloads.flatMap((workload) => workload.pods);
  // Each pod is asked once; the policies then collect the pods they apply to.
  const collect = <P>(policies: readonly P[], applyingTo: (pod: Pod) => Iterable<P>, describe: (policy: P) => { name: string; source: ManifestObject }): PendingPolicy[] => {
    const podsOf = new Map<P, Pod[]>(policies.map((policy) => [policy, []]));
    for (const pod of pods) for (const policy of new Set(applyingTo(pod))) podsOf.get(policy)?.push(pod);
    return policies.map((policy) => ({ dialect, ...describe(policy), pods: podsOf.get(policy)! }));
  };
  if (dialect === 'Cilium') {
    // Endpoint rules are evaluated where the layout is Cilium's; host policies (nodeSelector) are
    // pending while the manifests do not say whether the host firewall is on, and with it on only
    // for hostNetwork pods that may run on selected and unselected nodes (cilium-pending.ts).
    // With cilium-config present and the host firewall off, Cilium enforces none: nothing pending.
    const evaluated = evaluatedDialects(graph, plugin).cilium;
    const config = graph.cilium.agentConfig;
    if (evaluated && config.statedIn && config.hostFirewall !== true) return [];
    const pending = evaluated ? graph.cilium.policies.filter((policy) => policy.rules.some((rule) => rule.subject.kind === 'nodes')) : graph.cilium.policies;
    if (!enforcesDialect(plugin, 'cilium') || pending.length === 0) return [];
    const collected = collect(pending, (pod) => [...pendingCiliumPolicies(graph, pod, 'ingress', evaluated), ...pendingCiliumPolicies(graph, pod, 'egress', evaluated)],
      (policy) => ({ name: `${policy.kind} ${policy.label}`, source: policy.source }));
    // With the host firewall on, nodes' answers evaluate host policies: pending only where hostNetwork pods leave them out.
    return evaluated && config.hostFirewall === true ? collected.filter((policy) => policy.pods.length > 0) : collected;
  }
  if (dialect === 'Calico') {
    // Calico's policies are evaluated where the layout is Calico's (policies/calico.ts; calico-caveats.ts
    // names the rules answers leave out); under a plugin the manifests do not name, beside Cilium
    // policies, they are named here instead.
    if (graph.calico.policies.length === 0 || !enforcesDialect(plugin, 'calico') || evaluatedDialects(graph, plugin).calico) return [];
    return collect(graph.calico.policies, (pod) => calicoPoliciesApplyingTo(graph, [pod]),
      (policy) => ({ name: `${policy.kind} ${calicoPolicyLabel(policy)}`, source: policy.source }));
  }
  // Istio's proxies enforce the mesh's policies whatever the network plugin; those selected by
  // namespace and selector are evaluated (policies/istio.ts), those attached by targetRefs are not.
  return unevaluatedAuthorizationPolicies(graph)
    .map(({ policy, pods }) => ({ dialect, name: `AuthorizationPolicy ${policy.namespace}/${policy.name}`, source: policy.source, pods }))
    .filter((policy) => policy.pods.length > 0);
}

/**
 * Why answers leave Cilium's pending policies out (pendingPolicies): `not-chosen` when the manifests
 * hold Calico policies too and name no plugin, `host-firewall-unknown` when no cilium-config tells
 * whether host policies are enforced, `mixed-placement` when, the host firewall on, hostNetwork
 * pods may run on nodes a host policy selects and nodes it does not.
 */
export function ciliumPendingReason(graph: ResourceGraph, plugin: NetworkPluginFact): 'not-chosen' | 'host-firewall-unknown' | 'mixed-placement' {
  if (!evaluatedDialects(graph, plugin).cilium) return 'not-chosen';
  return graph.cilium.agentConfig.hostFirewall === true ? 'mixed-placement' : 'host-firewall-unknown';
}

/**
 * One line for commands that print many answers (matrix, graph), per dialect with pending
 * policies: how many there are and how many workloads they apply to.
 */
export function notEvaluatedNotes(graph: ResourceGraph, plugin: NetworkPluginFact): string[] {
  return (['Cilium', 'Calico', 'Istio'] as const).flatMap((dialect) => {
    const policies = pendingPolicies(graph, plugin, dialect);
    if (policies.length === 0) return [];
    const workloads = new Set(policies.flatMap((policy) => policy.pods.map((pod) => pod.workloadId)));
    const count = `${policies.length} ${dialect} polic${policies.length === 1 ? 'y' : 'ies'}`;
    return [`${count} ${policies.length === 1 ? 'is' : 'are'} read but not evaluated yet`
      + (workloads.size > 0 ? `; ${workloads.size} workload${workloads.size === 1 ? '' : 's'} they apply to may connect differently in the cluster` : '; none of them applies to a workload of the manifests')
      + '.'];
  });
}

/** The lines `diff` gives for pending policies of either side. */
export function notEvaluatedDiffNotes(before: ResourceGraph, after: ResourceGraph, plugin: NetworkPluginFact): string[] {
  const others = (['Cilium', 'Istio'] as const).flatMap((dialect) => {
    const count = Math.max(pendingPolicies(before, plugin, dialect).length, pendingPolicies(after, plugin, dialect).length);
    return count > 0 ? [`${dialect} policies are read but not evaluated yet, so this diff leaves them out.`] : [];
  });
  return others;
}

/**
 * The report the `…-policy-not-evaluated` rules make, once per run and per dialect: at the first
 * pending policy's name, the others related, naming the workloads concerned.
 */
export function notEvaluatedReport(policies: readonly PendingPolicy[]): {
  readonly data: Readonly<Record<string, string>>;
  readonly object: ManifestObject;
  readonly path: readonly string[];
  readonly related: { readonly object: ManifestObject; readonly path: readonly string[]; readonly message: string }[];
} | undefined {
  if (policies.length === 0) return undefined;
  const pods = [...new Set(policies.flatMap((policy) => policy.pods))];
  const one = policies.length === 1;
  return {
    data: {
      policies: `${policies.length} ${policies[0].dialect} polic${one ? 'y' : 'ies'} (${listNames(policies.map((policy) => policy.name))})`,
      verb: one ? 'applies' : 'apply',
      workloads: pods.length > 0 ? `to ${listWorkloads(pods)}` : 'to no workload of the manifests',
      dialect: policies[0].dialect,
      them: one ? 'it' : 'them',
    },
    object: policies[0].source,
    path: ['metadata', 'name'],
    related: policies.slice(1, 21).map((policy) => ({ object: policy.source, path: ['metadata', 'name'], message: policy.name })),
  };
}

/** Lists `a, b, c and 2 more`. */
function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}
