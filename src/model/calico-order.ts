import type { CalicoObjects, CalicoPolicy, CalicoTier } from './calico.js';
import { DEFAULT_TIER, KUBERNETES_POLICY_ORDER } from './calico.js';
import { compareTiers } from './build-calico.js';
import type { NetworkPolicy } from './types.js';

/**
 * The order in which Calico evaluates policies, as Felix sorts them (felix/calc/policy_sorter.go):
 * tiers by `order` (a tier without one after every ordered tier), ties by tier name; within a
 * tier, policies by `order` (a policy without one is +Inf, after every ordered one), ties by name.
 * Kubernetes NetworkPolicies are Calico policies of the default tier at order 1000, named
 * `knp.default.<name>` (libcalico-go K8sNetworkPolicyToCalico).
 */

/** A policy in Calico's evaluation order: one of Calico's own, or a Kubernetes NetworkPolicy as Calico converts it. */
export type CalicoOrderedPolicy =
  | { readonly type: 'calico'; readonly policy: CalicoPolicy; readonly order?: number; readonly sortName: string }
  | { readonly type: 'kubernetes'; readonly policy: NetworkPolicy; readonly order: number; readonly sortName: string };

/** A tier with its policies in evaluation order. */
export interface CalicoTierPlan {
  readonly tier: CalicoTier;
  /** False for a tier that policies name but neither the manifests nor Calico declare: its order is unknown. */
  readonly known: boolean;
  readonly policies: readonly CalicoOrderedPolicy[];
}

/**
 * The name Felix breaks order ties with (`PolKVLess` compares `model.PolicyKey.Name`):
 * `namespace/name` for a namespaced policy, `name` for a global one, as libcalico-go's update
 * processors build the key (`convertNetworkPolicyV2ToV1Key`). Kubernetes NetworkPolicies are
 * `namespace/knp.default.<name>`.
 */
export function calicoSortName(policy: { readonly namespace?: string; readonly policyName: string }): string {
  return policy.namespace !== undefined ? `${policy.namespace}/${policy.policyName}` : policy.policyName;
}

/** Felix's policy order within a tier: lower `order` first, no order last (+Inf), then by sort name. */
export function compareCalicoPolicies(a: { readonly order?: number; readonly sortName: string }, b: { readonly order?: number; readonly sortName: string }): number {
  const orderA = a.order ?? Number.POSITIVE_INFINITY;
  const orderB = b.order ?? Number.POSITIVE_INFINITY;
  if (orderA !== orderB) return orderA - orderB;
  return a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0;
}

/**
 * Every tier that holds a policy, with its policies in evaluation order. Tiers without policies
 * are left out: Felix skips a tier none of whose policies applies to an endpoint, and one without
 * policies applies to none. Staged policies are not enforced and are not here.
 */
export function calicoTierPlans(calico: CalicoObjects, kubernetesPolicies: readonly NetworkPolicy[]): CalicoTierPlan[] {
  const byTier = new Map<string, CalicoOrderedPolicy[]>();
  const add = (tier: string, entry: CalicoOrderedPolicy) => {
    const list = byTier.get(tier);
    if (list) list.push(entry);
    else byTier.set(tier, [entry]);
  };
  for (const policy of calico.policies) {
    add(policy.tier, { type: 'calico', policy, ...(policy.order !== undefined ? { order: policy.order } : {}), sortName: calicoSortName(policy) });
  }
  for (const policy of kubernetesPolicies) {
    add(DEFAULT_TIER, { type: 'kubernetes', policy, order: KUBERNETES_POLICY_ORDER, sortName: `${policy.namespace}/knp.default.${policy.name}` });
  }
  const tiers = new Map(calico.tiers.map((tier) => [tier.name, tier]));
  const plans: CalicoTierPlan[] = [];
  for (const [name, policies] of byTier) {
    const tier = tiers.get(name);
    plans.push({
      tier: tier ?? { name, defaultAction: 'Deny', builtIn: false },
      known: tier !== undefined,
      policies: policies.sort(compareCalicoPolicies),
    });
  }
  return plans.sort((a, b) => compareTiers(a.tier, b.tier));
}
