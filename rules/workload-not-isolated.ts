import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { countOf, listOf, verbFor } from '../src/model/plural.js';
import {
  DEFAULT_DENY_DEFAULT_OPTIONS, DEFAULT_DENY_OPTIONS_SCHEMA, ingressIsolationKey, nameMatcher, type DefaultDenyOptions,
} from './namespace-no-default-deny-ingress.js';

/**
 * Flags each workload no policy isolates for ingress, on the workload's own lines (as kube-linter's
 * non-isolated-pod, kube-score and Kubescape do), so that a change adding a Deployment to an
 * unprotected namespace is annotated where it is made. Where namespace-no-default-deny-ingress
 * reports the namespace, these findings are listed under that one instead of beside it.
 */
export default defineRule<DefaultDenyOptions>({
  id: 'workload-not-isolated',
  category: 'isolation',
  severity: 'warning',
  description: 'A workload no policy isolates for ingress: no NetworkPolicy selects it, and policies of other kinds deny only some peers or pass the rest on.',
  rationale: 'Pods that no policy isolates accept connections from every pod in the cluster and from outside it: a new workload whose labels '
    + 'no policy matches, or one added to a namespace without a default deny, is open to everything. A policy that only denies some peers '
    + '(a Cilium deny rule, a Calico tier ending in Pass) leaves the rest open. Where the namespace itself is reported '
    + 'for lacking a default deny, its open workloads are listed with that finding rather than repeated on their own.',
  fix: 'Add a default-deny policy for the namespace (podSelector: {}) or extend a policy\'s podSelector to the workload, then allow the traffic it needs.',
  messages: {
    notIsolated: '{{workload}} is not isolated for ingress: {{reason}}, so any pod or address{{unless}} can connect to it.',
  },
  optionsSchema: DEFAULT_DENY_OPTIONS_SCHEMA,
  defaultOptions: DEFAULT_DENY_DEFAULT_OPTIONS,
  check(graph, { solver, options }) {
    const isIgnored = nameMatcher(options.ignoreNamespaces);
    const reports: RuleReport[] = [];
    for (const workload of graph.workloads) {
      if (isIgnored(workload.namespace)) continue;
      const pod = workload.pods.find((candidate) => {
        const podClass = solver.classOf(candidate);
        // Open: no policy of any kind closes its ingress by default (none applies, or those that do
        // only deny some peers or pass everything on; see ReachabilitySolver.closingPolicies).
        return !podClass.outsidePolicy && solver.closingPolicies(podClass, 'ingress').length === 0;
      });
      if (!pod) continue;
      const policies = graph.policiesInNamespace(workload.namespace).filter((policy) => policy.affectsIngress).length;
      // One message id whatever the reason, so that a namespace's first policy does not make its open workloads new findings.
      const reason = policies === 0
        ? `namespace ${workload.namespace} has no NetworkPolicy for Ingress`
        : policies === 1
          ? `the one NetworkPolicy for Ingress of namespace ${workload.namespace} does not select its pods`
          : `none of the ${countOf(policies, 'NetworkPolicy')} for Ingress of namespace ${workload.namespace} selects its pods`;
      // Policies of other kinds that select it without isolating it: what they deny stays denied.
      const partial = solver.policiesFor(solver.classOf(pod), 'ingress').map((policy) => policy.label);
      const unless = partial.length > 0 ? ` ${listOf(partial)} ${verbFor(partial.length, 'does', 'do')} not deny` : '';
      reports.push({
        messageId: 'notIsolated',
        data: { workload: workload.id, reason, unless },
        object: pod.source,
        path: [...pod.templatePath, 'metadata', 'labels'],
        causedBy: { key: ingressIsolationKey(workload.namespace), label: `not isolated: ${workload.id}` },
      });
    }
    return reports;
  },
});
