import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { selectsEverything } from '../src/model/label-selector.js';
import type { NetworkPolicy, Pod } from '../src/model/types.js';
import type { CompiledPolicy } from '../src/reach/solver.js';
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
  check(graph, { solver }) {
    const reports: RuleReport[] = [];
    for (const workload of graph.workloads) {
      // Policies of any kind whose selector matches the pods although the plugin most likely leaves
      // them out (none when the user said the plugin applies policies to them: --host-network-pods pod).
      let pod: Pod | undefined;
      let policies: readonly CompiledPolicy[] = [];
      for (const candidate of workload.pods) {
        if (!candidate.hostNetwork) continue;
        const podClass = solver.classOf(candidate);
        policies = [...new Set([...solver.bypassingPolicies(podClass, 'ingress'), ...solver.bypassingPolicies(podClass, 'egress')])]
          .sort((a, b) => solver.compiledPolicies.indexOf(a) - solver.compiledPolicies.indexOf(b));
        if (policies.length > 0) {
          pod = candidate;
          break;
        }
      }
      if (!pod) continue;
      const specific = policies.filter((policy) => !(policy.kind === 'NetworkPolicy' && selectsEverything((policy.model as NetworkPolicy).podSelector)));
      const named = specific.length > 0 ? specific : policies;
      reports.push({
        messageId: specific.length > 0 ? 'selected' : 'namespaceWide',
        data: { workload: workload.id, policies: describePolicies(named) },
        object: pod.source,
        path: [...pod.templatePath, 'spec', 'hostNetwork'],
        related: named.map((policy) => ({ object: policy.object, path: policy.kind === 'NetworkPolicy' ? ['spec', 'podSelector'] : ['metadata', 'name'], message: 'selects the hostNetwork pods' })),
      });
    }
    return reports;
  },
});

function describePolicies(policies: readonly CompiledPolicy[]): string {
  const kinds = [...new Set(policies.map((policy) => policy.kind))];
  const names = policies.map((policy) => policy.label);
  return `${kinds.length === 1 ? nounFor(names.length, kinds[0]) : 'policies'} ${names.join(', ')}`;
}
