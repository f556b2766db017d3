import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatLabels } from '../src/model/label-selector.js';

/** Names the allow-nothing idiom (an ALLOW AuthorizationPolicy without rules) where it is used, and what it denies. */
export default defineRule({
  id: 'istio-allow-nothing',
  category: 'isolation',
  severity: 'info',
  description: 'An ALLOW AuthorizationPolicy without rules: the allow-nothing idiom, which denies every request to the workloads it selects '
    + 'except those another ALLOW policy allows.',
  rationale: 'Istio allows everything to a workload no ALLOW policy applies to, and once one applies, only what some ALLOW policy matches. '
    + 'A policy without rules matches nothing, so it turns the default to deny for its scope: a good start for a zero-trust namespace, '
    + 'and an outage when it lands in the root namespace (every workload of the mesh) or without the ALLOW policies meant to go with it. '
    + 'rules: [] is the same; rules: [{}] is the opposite (allow everything), and a DENY policy without rules is refused by istiod.',
  fix: 'Keep it if every request its workloads must accept is allowed by another ALLOW policy; otherwise add those policies, or narrow its '
    + 'selector. Write rules: [{}] if the intent was to allow everything.',
  messages: {
    allowNothing: 'AuthorizationPolicy {{policy}} is the allow-nothing idiom: ALLOW without rules denies every request to {{scope}} that no other ALLOW policy allows.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.istio.authorizationPolicies) {
      if (policy.action !== 'ALLOW' || (policy.rules !== undefined && policy.rules.length > 0)) continue;
      const scope = policy.scope === 'mesh' ? `every workload of the mesh (it is in the root namespace ${policy.namespace})`
        : policy.scope === 'namespace' ? `every workload of namespace ${policy.namespace}`
          : policy.scope === 'selector' ? `the workloads labelled ${formatLabels(policy.selector ?? {})} ${policy.namespace === graph.istio.settings.rootNamespace ? 'in every namespace' : `in namespace ${policy.namespace}`}`
            : `the gateways or waypoints it targets (${policy.targetRefs.map((target) => `${target.kind} ${target.name}`).join(', ')})`;
      reports.push({
        messageId: 'allowNothing',
        data: { policy: `${policy.namespace}/${policy.name}`, scope },
        object: policy.source,
        path: policy.rules !== undefined ? ['spec', 'rules'] : ['spec'],
      });
    }
    return reports;
  },
});
