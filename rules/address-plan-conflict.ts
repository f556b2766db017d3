import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { sourcePlace } from '../src/ipam/describe.js';
import type { Fact, PlanRange, PortRange } from '../src/ipam/plan.js';

/** Reports facts of the address plan that two sources state differently, and which one k8snet uses. */
export default defineRule({
  id: 'address-plan-conflict',
  category: 'addressing',
  severity: 'info',
  description: 'Two sources of the address plan disagree (the command line, .k8snet.yaml, kubeadm, kind, kubelet, Cilium or Node objects); '
    + 'k8snet uses the one it trusts most and says so.',
  rationale: 'Capacity findings are only as right as the plan they are computed from: a kubeadm file that says one pod range and a '
    + '.k8snet.yaml that says another usually means one of them is stale, and the cluster runs with only one of them.',
  fix: 'Make the sources agree, or remove the stale one; precedence is command line, then .k8snet.yaml, then the manifests, then Kubernetes\' defaults.',
  messages: {
    conflict: 'The {{fact}} is {{used}} from {{usedSource}}, but {{otherSource}} says {{other}}; k8snet uses {{used}}.',
  },
  identifyingData: ['fact'],
  check(_graph, { addressPlan }) {
    const { plan } = addressPlan;
    const reports: RuleReport[] = [];
    const ranges = (value: readonly PlanRange[]) => value.map((range) => range.cidr.text).join(',');
    const ports = (value: PortRange) => `${value.from}-${value.to}`;
    const check = <T>(fact: Fact<T> | undefined, name: string, show: (value: T) => string) => {
      if (!fact) return;
      for (const other of fact.overridden) {
        // A default that a stated value replaces is no disagreement.
        if (other.source.kind === 'default') continue;
        const place = sourcePlace(other.source);
        const usedPlace = sourcePlace(fact.source);
        if (!place.object) continue;
        reports.push({
          messageId: 'conflict',
          data: { fact: name, used: show(fact.value), usedSource: fact.source.description, otherSource: other.source.description, other: show(other.value) },
          ...place,
          ...(usedPlace.object ? { related: [{ object: usedPlace.object, path: usedPlace.path, message: `${name} ${show(fact.value)}, used` }] } : {}),
        });
      }
    };
    check(plan.podRanges, 'pod range', ranges);
    check(plan.serviceRanges, 'Service range', ranges);
    check(plan.nodeMaskSize[4], 'IPv4 node mask size', (value) => `/${value}`);
    check(plan.nodeMaskSize[6], 'IPv6 node mask size', (value) => `/${value}`);
    check(plan.nodes, 'node count', String);
    check(plan.maxPodsPerNode, 'maxPods per node', String);
    check(plan.nodePortRange, 'node-port range', ports);
    return reports;
  },
});
