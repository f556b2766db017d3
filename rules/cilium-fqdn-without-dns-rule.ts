import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatPath } from '../src/load/path.js';
import { fqdnText, type CiliumPeerRule } from '../src/model/cilium.js';
import type { ReachabilitySolver } from '../src/reach/solver.js';

/** Kinds whose toFQDNs rules this rule judges. */
const CILIUM_KINDS: ReadonlySet<string> = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/**
 * Flags a Cilium toFQDNs rule for the endpoints whose DNS lookups of its names Cilium's DNS proxy
 * never sees: no DNS rule (`toPorts[].rules.dns`) of a policy selecting them, or none that allows
 * those names. toFQDNs selects only addresses learnt from DNS answers the proxy intercepted, so
 * for them the rule allows nothing of its own. Read from the compiled rules: the Cilium compiler
 * records, per subject class, which names it cannot learn (the FQDN restriction's caveatsBySubject).
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
    unlearnt: '{{policy}} rule "{{rule}}" allows egress to toFQDNs {{names}}, but Cilium\'s DNS proxy never sees the lookups of {{workloads}} for {{them}} '
      + '(no DNS rule of a policy selecting them allows looking {{them}} up): it learns no address from them, so this rule allows {{those}} nothing of its own.',
  },
  check(graph, { solver }) {
    if (graph.cilium.policies.length === 0) return [];
    const reports: RuleReport[] = [];
    const reported = new Set<CiliumPeerRule>();
    for (const rule of solver.compiledRules) {
      if (rule.action !== 'allow' || !CILIUM_KINDS.has(rule.source.kind)) continue;
      const peerRule = rule.model as CiliumPeerRule;
      if (reported.has(peerRule)) continue;
      const caveats = rule.restrictions.find((restriction) => restriction.layer === 'FQDN')?.caveatsBySubject;
      if (!caveats || caveats.size === 0) continue;
      reported.add(peerRule);
      const workloads = workloadsOf(solver, caveats);
      const fqdns = peerRule.peers.fqdns ?? [];
      reports.push({
        messageId: 'unlearnt',
        data: {
          policy: `${rule.source.kind} ${rule.source.policyLabel}`,
          rule: formatPath(peerRule.path.slice(1)),
          names: fqdns.map(fqdnText).join(', '),
          them: fqdns.length === 1 ? 'it' : 'them',
          workloads: workloads.length > 3 ? `${workloads.slice(0, 3).join(', ')} and ${workloads.length - 3} more` : workloads.join(', '),
          those: workloads.length === 1 ? 'it' : 'them',
        },
        object: rule.source.object,
        path: [...peerRule.path, 'toFQDNs'],
      });
    }
    return reports;
  },
});

/** The workloads of the classes a caveat map names, each once, in class order. */
function workloadsOf(solver: ReachabilitySolver, caveats: ReadonlyMap<number, string>): string[] {
  const workloads = new Set<string>();
  for (const index of [...caveats.keys()].sort((a, b) => a - b)) for (const pod of solver.classes[index].pods) workloads.add(pod.workloadId);
  return [...workloads];
}
