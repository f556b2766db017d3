import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { PROTOCOLS, type NetworkPolicy, type PolicyRule, type Service, type ServicePort } from '../src/model/types.js';
import { ConnectionSet } from '../src/reach/connection-set.js';

/** A field path inside an object, as reports give it. */
type FieldPath = NonNullable<RuleReport['path']>;

/**
 * Flags port values that cannot work: NodePorts outside the cluster's range, ports repeated within
 * a Service, and policy port ranges that spell out every port. The loader reports endPort errors
 * under the same id.
 */
export default defineRule({
  id: 'invalid-port-range',
  category: 'ports',
  severity: 'error',
  description: 'A port or port range the API server rejects, or that cannot mean what it says: endPort errors, NodePorts outside the '
    + 'cluster\'s range, repeated Service ports, and policy ranges that span every port.',
  rationale: 'Checked while loading, and reported under this id: a NetworkPolicy port whose endPort is below its port, comes with a named '
    + 'port, or has no port at all; the API server rejects the whole policy, so the traffic it was meant to allow stays blocked and the '
    + 'isolation it was meant to add never happens. Checked by the rule: a nodePort outside the cluster\'s NodePort range (.k8snet.yaml cluster.nodePortRange, '
    + 'kubeadm\'s service-node-port-range, 30000-32767 by default) and a port or nodePort repeated within one Service for the same protocol, both rejected by the API server, '
    + 'so the Service is never created or updated; and a rule whose port ranges for a protocol add up to 1-65535, which is valid but is a '
    + 'long way to say every port and hides that intent from readers.',
  fix: 'Give endPort only after a numeric port, and no lower than it; pick nodePorts inside the cluster\'s NodePort range (or leave nodePort out '
    + 'to have one allocated); give each Service port and nodePort once per protocol; for every port of a protocol, write the protocol without port and endPort.',
  messages: {
    nodePortOutOfRange: 'Service {{service}} asks for nodePort {{nodePort}}, outside the cluster\'s NodePort range {{range}}, so the API server rejects the Service.',
    duplicatePort: 'Service {{service}} lists port {{port}} twice (also {{first}}), so the API server rejects the Service.',
    duplicateNodePort: 'Service {{service}} asks for nodePort {{nodePort}} twice (also {{first}}), so the API server rejects the Service.',
    everyPort: 'NetworkPolicy {{policy}} {{rule}} spells out every {{protocol}} port ({{ranges}}); a port entry with protocol {{protocol}} and no port says the same.',
  },
  check(graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    for (const service of graph.services) reports.push(...checkService(service, addressPlan.plan.nodePortRange.value));
    for (const policy of graph.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const report = checkPolicyRule(policy, rule);
        if (report) reports.push(report);
      }
    }
    return reports;
  },
});

function checkService(service: Service, range: { readonly from: number; readonly to: number }): RuleReport[] {
  const reports: RuleReport[] = [];
  const name = `${service.namespace}/${service.name}`;
  const seenPorts = new Map<string, ServicePort>();
  const seenNodePorts = new Map<string, ServicePort>();
  for (const port of service.ports) {
    const portKey = `${port.protocol}/${port.port}`;
    const firstPort = seenPorts.get(portKey);
    if (firstPort) reports.push(duplicate(service, 'duplicatePort', { port: portKey }, [...port.path, 'port'], firstPort.path));
    else seenPorts.set(portKey, port);
    // nodePort 0 (or none) asks the API server to allocate one; only NodePort and LoadBalancer Services get one.
    if (!port.nodePort || (service.type !== 'NodePort' && service.type !== 'LoadBalancer')) continue;
    if (port.nodePort < range.from || port.nodePort > range.to) {
      reports.push({
        messageId: 'nodePortOutOfRange',
        data: { service: name, nodePort: port.nodePort, range: `${range.from}-${range.to}` },
        object: service.source,
        path: [...port.path, 'nodePort'],
      });
    }
    // The same nodePort may serve TCP and UDP; twice for one protocol is a conflict.
    const nodePortKey = `${port.protocol}/${port.nodePort}`;
    const firstNodePort = seenNodePorts.get(nodePortKey);
    if (firstNodePort) reports.push(duplicate(service, 'duplicateNodePort', { nodePort: nodePortKey }, [...port.path, 'nodePort'], firstNodePort.path));
    else seenNodePorts.set(nodePortKey, port);
  }
  return reports;
}

function duplicate(service: Service, messageId: string, data: Record<string, string>, path: FieldPath, firstPath: FieldPath): RuleReport {
  return {
    messageId,
    data: { service: `${service.namespace}/${service.name}`, first: `spec.ports[${firstPath[2]}]`, ...data },
    object: service.source,
    path,
    related: [{ object: service.source, path: firstPath, message: 'first listed here' }],
  };
}

/** Reports a rule whose numbered entries, ranges included, cover every port of a protocol. */
function checkPolicyRule(policy: NetworkPolicy, rule: PolicyRule): RuleReport | undefined {
  for (const protocol of PROTOCOLS) {
    const ranges = rule.ports.flatMap((port) => (port.protocol === protocol && typeof port.port === 'number'
      ? [{ from: port.port, to: port.endPort ?? port.port, port }]
      : []));
    const ranged = ranges.find((range) => range.port.endPort !== undefined);
    if (!ranged) continue;
    const covered = ranges.reduce((set, range) => set.union(ConnectionSet.ofPorts(protocol, range.from, range.to)), ConnectionSet.EMPTY);
    if (!covered.covers(ConnectionSet.ofProtocol(protocol))) continue;
    return {
      messageId: 'everyPort',
      data: {
        policy: `${policy.namespace}/${policy.name}`,
        rule: `${rule.path[1]}[${rule.path[2]}]`,
        protocol,
        ranges: ranges.map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`)).join(', '),
      },
      object: policy.source,
      path: [...ranged.port.path, 'endPort'],
    };
  }
  return undefined;
}
