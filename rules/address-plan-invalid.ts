import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { sourcePlace } from '../src/ipam/describe.js';

/** Reports address-plan facts in the manifests that cannot be read: a malformed range, mask size, port range or maxPods. */
export default defineRule({
  id: 'address-plan-invalid',
  category: 'addressing',
  severity: 'error',
  description: 'A fact of the address plan in the manifests (kubeadm, kind, kubelet, Calico, Cilium, Node or ServiceCIDR objects) is malformed.',
  rationale: 'The tool that reads the value refuses it just as k8snet does: kubeadm and kube-controller-manager stop at a malformed '
    + 'podSubnet or mask size, Calico rejects the IPPool, and the kubelet does not start. k8snet leaves the value out of the address '
    + 'plan, so the capacity checks run without it.',
  fix: 'Write ranges as address/prefix (one per family, comma-separated for dual-stack), mask sizes and maxPods as whole numbers, and '
    + 'port ranges as FROM-TO.',
  messages: {
    invalid: 'The {{fact}} in {{source}} cannot be used: {{problem}}; k8snet leaves it out of the address plan.',
  },
  identifyingData: ['fact'],
  check(_graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    for (const entry of addressPlan.plan.invalid) {
      const place = sourcePlace(entry.source);
      if (!place.object) continue;
      reports.push({ messageId: 'invalid', data: { fact: entry.fact, source: entry.source.description, problem: entry.problem }, ...place });
    }
    return reports;
  },
});
