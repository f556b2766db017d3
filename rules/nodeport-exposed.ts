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
        : describeNodePorts(service.ports, range);
      reports.push({ messageId: 'nodePort', data: { service: `${service.namespace}/${service.name}`, ports }, object: service.source, path: ['spec', 'type'] });
    }
    return reports;
  },
});

/**
 * Names a Service's node ports: the fixed ones as `TCP/30080`, the ones the API server allocates
 * counted per protocol (`two allocated TCP ports (30000-32767)`), not repeated word for word.
 */
function describeNodePorts(ports: readonly { readonly protocol: string; readonly nodePort?: number }[], range: string): string {
  const fixed = ports.filter((port) => port.nodePort !== undefined).map((port) => `${port.protocol}/${port.nodePort}`);
  const allocated = new Map<string, number>();
  for (const port of ports) if (port.nodePort === undefined) allocated.set(port.protocol, (allocated.get(port.protocol) ?? 0) + 1);
  const NUMBER_WORDS = ['', 'an', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const counted = [...allocated].map(([protocol, count]) => `${NUMBER_WORDS[count] ?? count} allocated ${protocol} ${count === 1 ? 'port' : 'ports'} (${range})`);
  return joinWords([...fixed, ...counted]);
}

/** Joins items as a sentence does: `a`, `a and b`, `a, b and c`. */
function joinWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
