import { defineRule, type RuleReport } from '../src/lint/rule.js';

/** Flags Services of type NodePort, which open a port on every node. */
export default defineRule({
  id: 'nodeport-exposed',
  category: 'exposure',
  severity: 'info',
  description: 'A Service of type NodePort opens its ports on every node of the cluster.',
  rationale: 'kube-proxy listens on the node port on every node address, so anyone who can reach a node reaches the Service, usually '
    + 'bypassing the ingress controller, its TLS and its authentication. Whether NetworkPolicies see the original client is up to the '
    + 'network plugin and externalTrafficPolicy: with Cluster the client address is replaced by a node\'s, so ipBlock rules cannot filter it.',
  fix: 'Use type ClusterIP behind an Ingress or Gateway, or a LoadBalancer with loadBalancerSourceRanges; if a NodePort is needed, keep '
    + 'node addresses off the internet and restrict the port range in the nodes\' firewall.',
  messages: {
    nodePort: 'Service {{service}} of type NodePort opens {{ports}} on every node; whether NetworkPolicies apply to traffic arriving on a node port depends on the network plugin.',
  },
  check(graph, context) {
    const reports: RuleReport[] = [];
    const services = graph.services.filter((service) => service.type === 'NodePort');
    if (services.length === 0) return reports;
    const { from, to } = context.addressPlan.plan.nodePortRange.value;
    const range = `${from}-${to}`;
    for (const service of services) {
      const ports = service.ports.length === 0
        ? `node ports from ${range}`
        : joinWords(service.ports.map((port) => (port.nodePort !== undefined ? `${port.protocol}/${port.nodePort}` : `an allocated ${port.protocol} port (${range})`)));
      reports.push({ messageId: 'nodePort', data: { service: `${service.namespace}/${service.name}`, ports }, object: service.source, path: ['spec', 'type'] });
    }
    return reports;
  },
});

/** Joins items as a sentence does: `a`, `a and b`, `a, b and c`. */
function joinWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
