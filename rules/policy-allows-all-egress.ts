import { defineRule } from '../src/lint/rule.js';
import { admitsEveryPod, describeRule, formatIpBlock, isOpenToWorld, sayOncePerNamespace, type PolicyReport } from './policy-allows-all-ingress.js';

/** Flags egress rules that let pods connect anywhere: `- {}`, `0.0.0.0/0`, or every pod of every namespace, on every port. */
export default defineRule({
  id: 'policy-allows-all-egress',
  category: 'isolation',
  severity: 'info',
  description: 'An egress rule lets the selected pods connect anywhere on every port: no to and no ports, an ipBlock of 0.0.0.0/0 or ::/0, '
    + 'or namespaceSelector: {}.',
  rationale: 'NetworkPolicy rules add up, so one such rule undoes the egress isolation of its policy: the pods may reach every pod of the '
    + 'cluster, the nodes (kubelet, etcd), the cloud metadata endpoint and the internet on any port, which is how a compromised pod '
    + 'moves laterally or sends data out. `egress: [{}]` is a common deliberate "allow all egress"; this rule makes it visible.',
  fix: 'Name the destinations the pods need (DNS, their Services, the external CIDRs) and the ports they use; restrict a world-wide ipBlock '
    + 'to the ports meant to reach the internet, such as TCP/443.',
  messages: {
    allowsAll: 'Rule {{rule}} has no to and no ports, so the pods it selects may connect to any pod and any address, including the internet, on every port{{others}}.',
    worldAllPorts: 'ipBlock {{block}} in {{rule}} lets the pods it selects connect to every public address on every port{{others}}.',
    everyPod: 'namespaceSelector: {} in {{rule}}, with no ports, lets the pods it selects connect to every pod of every namespace on every port{{others}}.',
  },
  check(graph) {
    const reports: PolicyReport[] = [];
    for (const policy of graph.policies) {
      // Egress rules of a policy whose policyTypes leave out Egress are ignored by the API.
      if (!policy.affectsEgress) continue;
      for (const rule of policy.egress) {
        // A rule limited to some ports is a deliberate allowance (HTTPS to the internet, a managed database).
        if (rule.ports.length > 0) continue;
        const ruleName = describeRule(policy, rule);
        if (rule.peers === undefined) {
          reports.push({ policy, sameness: 'allowsAll', label: 'allows all egress', report: { messageId: 'allowsAll', data: { rule: ruleName }, object: policy.source, path: rule.path } });
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.ipBlock && isOpenToWorld(peer.ipBlock)) {
            const block = formatIpBlock(peer.ipBlock);
            reports.push({ policy, sameness: `worldAllPorts:${block}`, label: `allows ${block}`, report: { messageId: 'worldAllPorts', data: { block, rule: ruleName }, object: policy.source, path: peer.path } });
          } else if (admitsEveryPod(peer)) {
            reports.push({ policy, sameness: 'everyPod', label: 'allows every pod', report: { messageId: 'everyPod', data: { rule: ruleName }, object: policy.source, path: peer.path } });
          }
        }
      }
    }
    // Twelve policies with `egress: [{}]` in one namespace are one finding, at the widest of them.
    return sayOncePerNamespace(graph, 'policy-allows-all-egress', reports);
  },
});
