import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { countOf, nodePortRangeText, sourcePlace } from '../src/ipam/describe.js';

/** Flags NodePort and LoadBalancer Services that claim more node ports than the node-port range has. */
export default defineRule({
  id: 'nodeport-exhausted',
  category: 'addressing',
  severity: 'error',
  description: 'NodePort and LoadBalancer Services claim more node ports than the cluster\'s node-port range holds.',
  rationale: 'Every port of a NodePort Service, and of a LoadBalancer Service unless allocateLoadBalancerNodePorts is false, takes a port '
    + 'of the node-port range on every node. When the range is used up, the API server refuses the next such Service '
    + '("range is full"), and load balancers stop being provisioned.',
  fix: 'Expose Services through an Ingress or Gateway instead of one NodePort each, set allocateLoadBalancerNodePorts: false for '
    + 'load balancers that route to pods directly, or widen kube-apiserver\'s --service-node-port-range.',
  messages: {
    exhausted: '{{services}} claim {{demand}}, but the node-port range {{range}} ({{source}}) holds {{size}}: {{missing}} cannot be allocated.',
  },
  check(_graph, { addressPlan }) {
    const usage = addressPlan.nodePorts;
    if (usage.demand <= usage.size) return [];
    // Point at the range when a file sets it, else at the first Service that no longer fits.
    let claimed = 0;
    const overflowing = usage.services.find((entry) => (claimed += entry.ports) > usage.size)!;
    const place = sourcePlace(usage.range.source);
    const report: RuleReport = {
      messageId: 'exhausted',
      data: {
        services: countOf(usage.services.length, 'NodePort or LoadBalancer Service', 'NodePort and LoadBalancer Services'),
        demand: countOf(usage.demand, 'node port'),
        range: nodePortRangeText(usage),
        source: usage.range.source.description,
        size: countOf(usage.size, 'port'),
        missing: countOf(usage.demand - usage.size, 'port'),
      },
      ...(place.object ? place : { object: overflowing.service.source, path: ['spec', 'type'] }),
    };
    return [report];
  },
});
