import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { CalicoAction, CalicoPolicy } from '../src/model/calico.js';
import { calicoPolicyLabel } from '../src/model/calico.js';
import { calicoTierPlans, type CalicoOrderedPolicy } from '../src/model/calico-order.js';
import { kubernetesPolicyEndpointSelector, policyEndpointSelector } from '../src/model/calico-endpoints.js';
import { selectorsMayOverlap } from '../src/model/calico-selector-overlap.js';
import type { CalicoSelectorNode } from '../src/model/calico-selector.js';

type Direction = 'ingress' | 'egress';

/** The deciding actions of a policy's rules in one direction, or undefined when the policy does not apply to it. */
function actionsOf(entry: CalicoOrderedPolicy, direction: Direction): ReadonlySet<CalicoAction> | undefined {
  if (entry.type === 'kubernetes') {
    const applies = direction === 'ingress' ? entry.policy.affectsIngress : entry.policy.affectsEgress;
    const rules = direction === 'ingress' ? entry.policy.ingress : entry.policy.egress;
    // Calico converts a Kubernetes NetworkPolicy into Allow rules only.
    return applies ? new Set(rules.length > 0 ? ['Allow' as const] : []) : undefined;
  }
  const policy = entry.policy;
  const applies = direction === 'ingress' ? policy.types.ingress : policy.types.egress;
  if (!applies) return undefined;
  // Log decides nothing: evaluation continues with the next rule.
  return new Set((direction === 'ingress' ? policy.ingress : policy.egress).map((rule) => rule.action).filter((action) => action !== 'Log'));
}

function selectorOf(entry: CalicoOrderedPolicy): CalicoSelectorNode {
  return entry.type === 'calico' ? policyEndpointSelector(entry.policy) : kubernetesPolicyEndpointSelector(entry.policy);
}

function describe(entry: CalicoOrderedPolicy): string {
  return entry.type === 'calico'
    ? `${entry.policy.kind} ${calicoPolicyLabel(entry.policy)}`
    : `Kubernetes NetworkPolicy ${entry.policy.namespace}/${entry.policy.name}`;
}

/**
 * Flags two policies of one Calico tier with the same order (or both without one) that may apply
 * to the same endpoints, in a direction where their rules decide differently: which of them Calico
 * evaluates first then comes from their names alone.
 */
export default defineRule({
  id: 'calico-order-tie',
  category: 'hygiene',
  severity: 'warning',
  description: 'Two Calico policies of one tier have the same order and may apply to the same endpoints with different actions, so their names decide which one wins.',
  rationale: "Calico evaluates the policies of a tier by `order`, lowest first, and a policy without an order after all the others. Calico's "
    + 'documentation does not say what happens on a tie; Felix sorts tied policies by name (felix/calc/policy_sorter.go, PolKVLess: '
    + '`namespace/name` for a namespaced policy), so renaming a policy can silently turn a Deny into an Allow. Kubernetes NetworkPolicies '
    + 'are in the default tier at order 1000, named `knp.default.<name>`, so a Calico policy of order 1000 ties with them too.',
  fix: 'Give the policies distinct orders that say which must win, or make their selectors disjoint.',
  messages: {
    tie: '{{policy}} and {{other}} in tier {{tier}} both have {{order}} and may apply to the same endpoints ({{direction}}: {{actions}}); Calico evaluates {{first}} first only because its name sorts first.',
  },
  check(graph) {
    // A tie needs a Calico policy (tied Kubernetes NetworkPolicies only allow): without one, the
    // tiers of every cluster's NetworkPolicies are not even built.
    if (graph.calico.policies.length === 0) return [];
    const reports: RuleReport[] = [];
    for (const plan of calicoTierPlans(graph.calico, graph.policies)) {
      const groups = new Map<number, CalicoOrderedPolicy[]>();
      for (const entry of plan.policies) {
        const order = entry.order ?? Number.POSITIVE_INFINITY;
        const group = groups.get(order);
        if (group) group.push(entry);
        else groups.set(order, [entry]);
      }
      for (const [order, group] of groups) {
        if (group.length < 2 || group.every((entry) => entry.type === 'kubernetes')) continue;
        for (let later = 1; later < group.length; later++) {
          for (let earlier = 0; earlier < later; earlier++) {
            const report = tieBetween(group[earlier], group[later], plan.tier.name, order);
            if (report) {
              reports.push(report);
              break;
            }
          }
        }
      }
    }
    return reports;
  },
});

function tieBetween(first: CalicoOrderedPolicy, second: CalicoOrderedPolicy, tier: string, order: number): RuleReport | undefined {
  // Tied Kubernetes NetworkPolicies only allow: their relative order never matters.
  if (first.type === 'kubernetes' && second.type === 'kubernetes') return undefined;
  for (const direction of ['ingress', 'egress'] as const) {
    const a = actionsOf(first, direction);
    const b = actionsOf(second, direction);
    if (!a || !b || a.size === 0 || b.size === 0) continue;
    // The order matters only when the two can decide differently.
    const actions = new Set([...a, ...b]);
    if (actions.size < 2) continue;
    if (!selectorsMayOverlap(selectorOf(first), selectorOf(second))) continue;
    // Reported at the Calico policy whose place the name decides: the later one, or the Calico one of a pair with a Kubernetes policy.
    const [reported, other] = second.type === 'calico' ? [second, first] : [first, second];
    const policy = reported.policy as CalicoPolicy;
    return {
      messageId: 'tie',
      data: {
        policy: describe(reported),
        other: describe(other),
        tier,
        order: Number.isFinite(order) ? `order ${order}` : 'no order',
        direction,
        actions: [...actions].sort().join(' and '),
        first: describe(first),
      },
      object: policy.source,
      path: policy.order !== undefined ? ['spec', 'order'] : ['metadata', 'name'],
      related: [{
        object: other.policy.source,
        path: other.type === 'calico' && other.policy.order !== undefined ? ['spec', 'order'] : ['metadata', 'name'],
        message: other.type === 'calico' ? `${describe(other)}, tied with it` : `${describe(other)}, at order 1000 in the default tier`,
      }],
      hint: `Felix compares '${first.sortName}' and '${second.sortName}'`,
    };
  }
  return undefined;
}
