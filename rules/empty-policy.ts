import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { selectsEverything } from '../src/model/label-selector.js';

/**
 * Flags NetworkPolicies with neither rules nor `policyTypes`, which deny all ingress to the pods
 * they select without saying so. A stated `policyTypes`, or an explicit `ingress: []` (which the
 * defaulted policyTypes, Ingress, matches), is the deliberate deny-all idiom.
 */
export default defineRule({
  id: 'empty-policy',
  category: 'hygiene',
  severity: 'warning',
  description: 'A NetworkPolicy has no ingress or egress rules and no policyTypes, so it silently denies all ingress to the pods it selects '
    + '(an explicit `ingress: []` says so, and is not reported).',
  rationale: 'Without policyTypes the API server makes the policy an Ingress policy, and with no rules it allows nothing: every connection '
    + 'to the selected pods is dropped. Written on purpose this is a default deny, and `ingress: []` or a stated policyTypes says it is; '
    + 'but a policy whose rules were lost in templating, or `egress: []` meant to deny egress, blocks the pods\' ingress instead, with '
    + 'nothing in the manifest saying so.',
  fix: 'State policyTypes (`[Ingress]`, `[Egress]` or both) if a default deny is intended; otherwise add the rules the selected pods need.',
  messages: {
    noRules: 'NetworkPolicy {{policy}} has no rules and no policyTypes, so it denies all ingress to {{pods}}.',
    emptyEgress: 'NetworkPolicy {{policy}} has `egress: []` but no policyTypes, so it restricts no egress at all and denies all ingress to {{pods}} instead.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      if (policy.policyTypesStated || policy.ingress.length > 0 || policy.egress.length > 0) continue;
      const spec = (policy.source.value.spec ?? {}) as { ingress?: unknown; egress?: unknown };
      // `egress: []` is the most misleading form: it reads as "deny egress", and the defaulted policyTypes ignore it.
      if (!Array.isArray(spec.egress) && Array.isArray(spec.ingress)) {
        // `ingress: []` says "no ingress allowed", which is what the defaulted policyTypes (Ingress) make of it: the deny-all idiom.
        continue;
      }
      const [messageId, path, intended] = Array.isArray(spec.egress)
        ? ['emptyEgress', ['spec', 'egress'], Array.isArray(spec.ingress) ? '[Ingress, Egress]' : '[Egress]'] as const
        : ['noRules', ['spec', 'podSelector'], '[Ingress]'] as const;
      const pods = selectsEverything(policy.podSelector)
        ? `every pod of namespace ${policy.namespace}`
        : `pods ${policy.podSelector.text} of namespace ${policy.namespace}`;
      reports.push({
        messageId,
        data: { policy: `${policy.namespace}/${policy.name}`, pods },
        object: policy.source,
        path,
        // Only a stated policyTypes counts as intent; a name such as default-deny only suggests it.
        ...(/deny/i.test(policy.name) ? { hint: `the name suggests a deliberate default deny: say so with policyTypes: ${intended}` } : {}),
      });
    }
    return reports;
  },
});
