import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { listWorkloads } from '../src/model/suggest.js';
import type { Pod } from '../src/model/types.js';
import type { CompiledPolicy, Direction, ReachabilitySolver } from '../src/reach/solver.js';

/** The kinds of the Network Policy API whose order within a tier is their priority. */
const RANKED_KINDS: ReadonlySet<string> = new Set(['ClusterNetworkPolicy', 'AdminNetworkPolicy']);
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/**
 * Flags two ClusterNetworkPolicies (or AdminNetworkPolicies) of one tier with the same priority
 * that apply to the same pods in a direction where both have rules: the API leaves their order
 * unordered, so which one decides traffic both match is up to the implementation.
 */
export default defineRule({
  id: 'cluster-policy-priority-tie',
  category: 'isolation',
  severity: 'warning',
  description: 'Two ClusterNetworkPolicies (or AdminNetworkPolicies) of the same tier have the same priority and apply to the same pods.',
  rationale: 'Within a tier, policies are evaluated by priority, and "if two (or more) policies in the same tier with the same priority could '
    + 'match a connection, then the implementation can apply any of the matching policies" (policy.networking.k8s.io). Where one accepts '
    + 'and the other denies, the same manifests allow a connection on one cluster, or after an upgrade, and drop it on another. k8snet '
    + 'orders them by name to stay deterministic; the network plugin may not.',
  fix: 'Give each policy of a tier its own priority (lower numbers are evaluated first), or merge the two policies into one whose rule order says what wins.',
  messages: {
    tie: '{{kind}} {{policy}} and {{other}} are both in the {{tier}} at priority {{priority}} and both have {{direction}} rules for {{workloads}}: the API does not say which of them goes first, so which one decides traffic that both match is up to the network plugin.',
  },
  check(_graph, { solver }) {
    const reports: RuleReport[] = [];
    const ranked = solver.compiledPolicies.filter((policy) => RANKED_KINDS.has(policy.kind));
    const byRank = new Map<string, CompiledPolicy[]>();
    for (const policy of ranked) {
      const key = `${policy.stage}\u0000${policy.priority}`;
      const list = byRank.get(key);
      if (list) list.push(policy);
      else byRank.set(key, [policy]);
    }
    for (const policies of byRank.values()) {
      if (policies.length < 2) continue;
      // Evaluation order among equals is by name: the later one is the one whose place is a guess.
      const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const reported = new Set<CompiledPolicy>();
      for (let later = 1; later < sorted.length; later++) {
        for (let earlier = 0; earlier < later; earlier++) {
          const tie = sharedPods(solver, sorted[earlier], sorted[later]);
          if (!tie || reported.has(sorted[later])) continue;
          reported.add(sorted[later]);
          const policy = sorted[later];
          reports.push({
            messageId: 'tie',
            data: {
              kind: policy.kind,
              policy: policy.label,
              other: sorted[earlier].label,
              tier: solver.evaluator.stage(policy.stage)?.label ?? policy.stage,
              priority: policy.priority,
              direction: tie.direction,
              workloads: listWorkloads(tie.pods),
            },
            object: policy.object,
            path: ['spec', 'priority'],
            related: [{ object: sorted[earlier].object, path: ['spec', 'priority'], message: `same priority, ${sorted[earlier].label}` }],
          });
        }
      }
    }
    return reports;
  },
});

/** The first direction in which both policies have rules for pods they both apply to, with those pods. */
function sharedPods(solver: ReachabilitySolver, a: CompiledPolicy, b: CompiledPolicy): { direction: Direction; pods: Pod[] } | undefined {
  for (const direction of DIRECTIONS) {
    const sideA = a[direction];
    const sideB = b[direction];
    if (!sideA || !sideB || sideA.rules.length === 0 || sideB.rules.length === 0) continue;
    if (sideA.subjects.first() === -1 || sideA.subjects.relationTo(sideB.subjects) === 'none') continue;
    const shared = sideA.subjects.split(sideB.subjects, true);
    const pods: Pod[] = [];
    for (const index of shared.members()) pods.push(...solver.classes[index].pods);
    return { direction, pods };
  }
  return undefined;
}
