import { defineRule, type RuleReport } from '../src/lint/rule.js';

/** Flags workloads that no policy isolates for ingress, in namespaces that do use policies. */
export default defineRule({
  id: 'workload-not-isolated',
  category: 'isolation',
  severity: 'warning',
  description: 'A workload no NetworkPolicy selects for ingress, in a namespace that has policies.',
  rationale: 'Pods that no policy selects accept connections from every pod in the cluster and from outside it; '
    + 'in a namespace that otherwise uses policies this is usually an oversight, such as a new workload whose labels no policy matches.',
  fix: 'Add a default-deny policy for the namespace (podSelector: {}) or extend a policy\'s podSelector to the workload, then allow the traffic it needs.',
  messages: {
    notIsolated: '{{workload}} is not isolated for ingress: none of the {{policyCount}} NetworkPolicies of namespace {{namespace}} selects its pods, so any pod or address can connect to it.',
  },
  check(graph, { solver }) {
    const reports: RuleReport[] = [];
    for (const workload of graph.workloads) {
      const policyCount = graph.policiesInNamespace(workload.namespace).length;
      if (policyCount === 0) continue; // namespace-no-default-deny-ingress reports the namespace instead.
      const pod = workload.pods.find((candidate) => {
        const podClass = solver.classOf(candidate);
        // Open: no policy of any kind applies to its ingress (see ReachabilitySolver.isOpen).
        return !podClass.outsidePolicy && solver.isOpen(podClass, 'ingress');
      });
      if (!pod) continue;
      reports.push({
        messageId: 'notIsolated',
        data: { workload: workload.id, namespace: workload.namespace, policyCount },
        object: pod.source,
        path: [...pod.templatePath, 'metadata', 'labels'],
      });
    }
    return reports;
  },
});
