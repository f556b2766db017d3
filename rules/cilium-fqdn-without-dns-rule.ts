import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatPath } from '../src/load/path.js';
import type { CiliumPeerRule } from '../src/model/cilium.js';
import type { ReachabilitySolver } from '../src/reach/solver.js';
import type { SubjectShortfall } from '../src/reach/policy-form.js';

/** Kinds whose toFQDNs rules this rule judges. */
const CILIUM_KINDS: ReadonlySet<string> = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/**
 * Flags a Cilium toFQDNs rule for the endpoints whose DNS lookups of its names Cilium's DNS proxy
 * never sees: no DNS rule (`toPorts[].rules.dns`) of a policy selecting them, or none that allows
 * those names. toFQDNs selects only addresses learnt from DNS answers the proxy intercepted, so
 * for them the rule allows nothing of its own. Read from the compiled rules: the Cilium compiler
 * records, per subject class, which names it cannot learn (the FQDN restriction's shortfallsBySubject).
 */
export default defineRule({
  id: 'cilium-fqdn-without-dns-rule',
  category: 'network-plugin',
  severity: 'warning',
  description: 'A Cilium toFQDNs rule selects pods whose DNS lookups no DNS rule (toPorts[].rules.dns) sends through Cilium\'s DNS proxy, or whose DNS rules do not allow those names: the rule learns no address for them.',
  rationale: 'toFQDNs does not resolve names itself: it allows the addresses in DNS answers that Cilium\'s DNS proxy intercepted, and the '
    + 'proxy intercepts a pod\'s lookups only where a DNS rule of a policy selecting that pod applies, and learns only the names those rules '
    + 'allow. Without one, the pod resolves the name directly, the answer bypasses the proxy, and the connection to the address it got is '
    + 'dropped: the policy reads as "allow api.github.com" and allows nothing, except addresses other pods on the same node happened to look up.',
  fix: 'Add to the same pods\' egress a rule towards the cluster DNS on port 53 with DNS rules that allow these names, as Cilium\'s DNS-based '
    + 'policy examples do: toEndpoints k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns; toPorts ports 53/ANY with '
    + 'rules.dns matchPattern "*" (or the names themselves).',
  messages: {
    unlearnt: '{{policy}} rule "{{rule}}" allows egress to toFQDNs {{names}}, but Cilium\'s DNS proxy never learns {{their}} addresses for {{workloads}}: '
      + '{{because}}. For {{those}} the rule allows nothing of its own.',
  },
  check(graph, { solver }) {
    if (graph.cilium.policies.length === 0) return [];
    const reports: RuleReport[] = [];
    const reported = new Set<CiliumPeerRule>();
    for (const rule of solver.compiledRules) {
      if (rule.action !== 'allow' || !CILIUM_KINDS.has(rule.source.kind)) continue;
      const peerRule = rule.model as CiliumPeerRule;
      if (reported.has(peerRule)) continue;
      const shortfalls = rule.restrictions.find((restriction) => restriction.layer === 'FQDN')?.shortfallsBySubject;
      if (!shortfalls || shortfalls.size === 0) continue;
      reported.add(peerRule);
      // Pods that lack the same names for the same reason share one finding.
      const groups = new Map<string, { shortfall: SubjectShortfall; classes: number[] }>();
      for (const [index, shortfall] of shortfalls) {
        const key = `${shortfall.parts.join('\u0000')}\u0001${shortfall.because}`;
        const group = groups.get(key);
        if (group) group.classes.push(index);
        else groups.set(key, { shortfall, classes: [index] });
      }
      for (const { shortfall, classes } of groups.values()) {
        const workloads = workloadsOf(solver, classes);
        reports.push({
          messageId: 'unlearnt',
          data: {
            policy: `${rule.source.kind} ${rule.source.policyLabel}`,
            rule: formatPath(peerRule.path.slice(1)),
            names: shortfall.parts.join(', '),
            their: shortfall.parts.length === 1 ? 'its' : 'their',
            workloads: workloads.length > 3 ? `${workloads.slice(0, 3).join(', ')} and ${workloads.length - 3} more` : workloads.join(', '),
            because: shortfall.because,
            those: shortfall.parts.length === 1 ? 'that name' : 'those names',
          },
          object: rule.source.object,
          path: [...peerRule.path, 'toFQDNs'],
        });
      }
    }
    return reports;
  },
});

/** The workloads of some classes, each once, in class order. */
function workloadsOf(solver: ReachabilitySolver, classes: readonly number[]): string[] {
  const workloads = new Set<string>();
  for (const index of [...classes].sort((a, b) => a - b)) for (const pod of solver.classes[index].pods) workloads.add(pod.workloadId);
  return [...workloads];
}
