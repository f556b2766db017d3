import type { ResourceGraph } from '../model/graph.js';
import type { Pod } from '../model/types.js';
import { calicoPolicyLabel, type CalicoPolicy } from '../model/calico.js';
import { calicoView } from '../model/calico-view.js';

/**
 * What answers must say while Calico policies are read but not evaluated: the Calico policies
 * that apply to some pods, so that an answer computed without them is not taken for the
 * cluster's. Evaluating them (issue 20, phase B) replaces this module.
 */

/** The enforced Calico policies that apply to any of `pods`, sorted by kind and name. */
export function calicoPoliciesApplyingTo(graph: ResourceGraph, pods: readonly Pod[]): CalicoPolicy[] {
  if (graph.calico.policies.length === 0) return [];
  const view = calicoView(graph);
  const found = new Set<CalicoPolicy>();
  for (const pod of pods) for (const policy of view.policiesSelectingPod(pod)) found.add(policy);
  return [...found].sort((a, b) => (`${a.kind} ${calicoPolicyLabel(a)}` < `${b.kind} ${calicoPolicyLabel(b)}` ? -1 : 1));
}

/** A caveat naming the Calico policies that apply to `pods` (`who` names them in the sentence); none when no Calico policy does. */
export function calicoPendingCaveats(graph: ResourceGraph, pods: readonly Pod[], who: string): string[] {
  const policies = calicoPoliciesApplyingTo(graph, pods);
  if (policies.length === 0) return [];
  const shown = policies.slice(0, 3).map((policy) => `${policy.kind} ${calicoPolicyLabel(policy)}`);
  const more = policies.length > 3 ? ` and ${policies.length - 3} more` : '';
  const verb = policies.length === 1 ? 'applies' : 'apply';
  return [`Calico ${shown.join(', ')}${more} ${verb} to ${who}, and k8snet does not evaluate Calico policies yet: this answer leaves ${policies.length === 1 ? 'it' : 'them'} out, so it may allow what Calico denies or deny what it allows.`];
}

/**
 * One line for `diff`: Calico policies on either side are not evaluated, so a change to them (or
 * to what they decide) does not show; says whether they changed between the two sides.
 */
export function calicoPendingDiffNote(before: ResourceGraph, after: ResourceGraph): string | undefined {
  if (before.calico.policies.length === 0 && after.calico.policies.length === 0) return undefined;
  const describe = (graph: ResourceGraph) => new Map(graph.calico.policies.map((policy) => [`${policy.kind} ${calicoPolicyLabel(policy)}`, JSON.stringify(policy.source.value.spec ?? null)]));
  const [old, current] = [describe(before), describe(after)];
  const changed = [...new Set([...old.keys(), ...current.keys()])].filter((key) => old.get(key) !== current.get(key)).sort();
  const shown = changed.slice(0, 3).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
  return `Calico policies are read but not evaluated yet, so this diff leaves them out`
    + (changed.length > 0 ? `; ${changed.length} of them changed (${shown}), and what that changes is not shown` : '; none of them changed')
    + '.';
}
