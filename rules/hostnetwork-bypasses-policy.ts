import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { selectsEverything } from '../src/model/label-selector.js';
import type { NetworkPolicy } from '../src/model/types.js';
import { nounFor } from '../src/model/plural.js';

/** Flags hostNetwork workloads that NetworkPolicies select, where most plugins do not apply them. */
export default defineRule({
  id: 'hostnetwork-bypasses-policy',
  category: 'isolation',
  severity: 'warning',
  description: 'A NetworkPolicy selects a hostNetwork workload, which most network plugins leave outside NetworkPolicy.',
  rationale: 'A hostNetwork pod shares its node\'s network namespace and address, so most plugins see its traffic as node traffic: the '
    + 'policies that select it do not isolate it, and it accepts every connection the node accepts. The policy looks like protection '
    + 'and is not; Kubernetes leaves this behaviour to the network plugin.',
  fix: 'Drop hostNetwork if the pod does not need it, so the policy applies; otherwise protect the port on the nodes (host firewall, '
    + 'or the plugin\'s host policies such as Calico HostEndpoints or Cilium host policies) and remove the misleading selection. '
    + 'If your plugin does apply policies to hostNetwork pods, lint with --host-network-pods pod.',
  messages: {
    selected: '{{workload}} uses hostNetwork and is selected by {{policies}}, but most network plugins treat its traffic as node traffic, outside NetworkPolicy, so the selection most likely has no effect (this depends on the network plugin).',
    namespaceWide: '{{workload}} uses hostNetwork and is selected only by the namespace-wide {{policies}}, but most network plugins treat its traffic as node traffic, outside NetworkPolicy, so it is most likely not isolated (this depends on the network plugin).',
  },
  check(graph, context) {
    const reports: RuleReport[] = [];
    for (const workload of graph.workloads) {
      // Graph-level selection: what the policy's podSelector matches, whatever the plugin then does with it.
      const pod = workload.pods.find((candidate) => candidate.hostNetwork && graph.policiesSelecting(candidate).length > 0);
      if (!pod) continue;
      // The user said the plugin applies policies to hostNetwork pods (--host-network-pods pod): nothing is bypassed.
      if (context.solver.hostNetworkMode === 'pod') return [];
      const policies = graph.policiesSelecting(pod);
      const specific = policies.filter((policy) => !selectsEverything(policy.podSelector));
      const named = specific.length > 0 ? specific : policies;
      reports.push({
        messageId: specific.length > 0 ? 'selected' : 'namespaceWide',
        data: { workload: workload.id, policies: describePolicies(named) },
        object: pod.source,
        path: [...pod.templatePath, 'spec', 'hostNetwork'],
        related: named.map((policy) => ({ object: policy.source, path: ['spec', 'podSelector'], message: 'selects the hostNetwork pods' })),
      });
    }
    return reports;
  },
});

function describePolicies(policies: readonly NetworkPolicy[]): string {
  const names = policies.map((policy) => `${policy.namespace}/${policy.name}`);
  return `${nounFor(names.length, 'NetworkPolicy')} ${names.join(', ')}`;
}
