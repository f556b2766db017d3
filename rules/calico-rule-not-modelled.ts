import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatPath } from '../src/load/path.js';
import { calicoPolicyLabel } from '../src/model/calico.js';
import { calicoRulesLeftOut } from '../src/reach/calico-caveats.js';

/**
 * Says, once per Calico policy, which of its rules k8snet cannot evaluate exactly: rules it leaves
 * out of reachability answers (named source ports, notICMP without an ICMP protocol, named
 * notPorts, a Service whose endpoints the manifests do not show), and the condition it names
 * without deciding it (an HTTP match). Numeric source ports are evaluated exactly.
 */
export default defineRule({
  id: 'calico-rule-not-modelled',
  category: 'network-plugin',
  severity: 'info',
  description: 'A Calico rule has a condition k8snet does not decide (named source ports, HTTP match, notICMP without an ICMP protocol, named notPorts, a Service without endpoints in the manifests).',
  rationale: 'k8snet evaluates Calico policies as Felix does, tier by tier and rule by rule. A few conditions have no place in its connection '
    + 'model: it answers at L4 without them and says so, instead of letting an answer pass for the cluster\'s. An Allow rule with an HTTP '
    + 'match allows less than the answer shows; a rule with another such condition is left out, so Calico may deny (or allow) what the '
    + 'answer does not.',
  fix: 'Nothing to change if the rule is right. Read the caveat or restriction that can-reach and explain give for the pods concerned, and '
    + 'test the traffic against the running cluster where it matters.',
  messages: {
    notModelled: 'Calico {{kind}} {{policy}} rule {{rule}} has {{parts}}: k8snet {{treatment}}.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.calico.policies) {
      const leftOut = new Map(calicoRulesLeftOut(graph, policy).map((entry) => [entry.rule, entry]));
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        const left = leftOut.get(rule);
        const parts = left ? [...left.parts] : [];
        if (rule.http) parts.push('an HTTP match');
        if (parts.length === 0) continue;
        reports.push({
          messageId: 'notModelled',
          data: {
            kind: policy.kind,
            policy: calicoPolicyLabel(policy),
            rule: formatPath(rule.path.slice(1)),
            parts: parts.join(' and '),
            treatment: leftOut.has(rule)
              ? 'leaves this rule out of reachability answers and names it in their caveats'
              : 'answers at L4 without it and names it as a restriction on what the rule allows',
          },
          object: policy.source,
          path: rule.path,
        });
      }
    }
    return reports;
  },
});
