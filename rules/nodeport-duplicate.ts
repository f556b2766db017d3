import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { Service } from '../src/model/types.js';
import type { FieldPath } from '../src/load/path.js';

/** Flags a nodePort that two Services ask for. */
export default defineRule({
  id: 'nodeport-duplicate',
  category: 'addressing',
  severity: 'error',
  description: 'Two Services ask for the same nodePort (a port\'s nodePort or a healthCheckNodePort).',
  rationale: 'A node port is a cluster-wide resource, whatever the protocol: the API server rejects the second Service that asks for one '
    + 'already allocated ("provided port is already allocated"), so it is never created and its clients find nothing on that port. '
    + 'Repeats within one Service are invalid-port-range\'s.',
  fix: 'Give each Service its own nodePort inside the node-port range, or leave nodePort out to have one allocated.',
  messages: {
    duplicate: 'Service {{service}} asks for nodePort {{nodePort}}, which Service {{other}} also asks for: the API server rejects whichever comes second.',
  },
  identifyingData: ['nodePort'],
  check(graph) {
    const reports: RuleReport[] = [];
    const first = new Map<number, { service: Service; path: FieldPath }>();
    for (const service of graph.services) {
      if (service.type !== 'NodePort' && service.type !== 'LoadBalancer') continue;
      for (const { nodePort, path } of requestedNodePorts(service)) {
        const earlier = first.get(nodePort);
        if (!earlier) {
          first.set(nodePort, { service, path });
          continue;
        }
        if (earlier.service === service) continue;
        reports.push({
          messageId: 'duplicate',
          data: { service: `${service.namespace}/${service.name}`, nodePort, other: `${earlier.service.namespace}/${earlier.service.name}` },
          object: service.source,
          path,
          related: [{ object: earlier.service.source, path: earlier.path, message: `Service ${earlier.service.namespace}/${earlier.service.name} asks for nodePort ${nodePort} first` }],
        });
      }
    }
    return reports;
  },
});

/** The node ports a Service names: its ports' nodePorts and, for externalTrafficPolicy Local, its healthCheckNodePort. */
function requestedNodePorts(service: Service): { nodePort: number; path: FieldPath }[] {
  const requested = service.ports.flatMap((port) => (port.nodePort === undefined ? [] : [{ nodePort: port.nodePort, path: [...port.path, 'nodePort'] }]));
  const healthCheck = (service.source.value.spec as { healthCheckNodePort?: unknown } | undefined)?.healthCheckNodePort;
  if (service.type === 'LoadBalancer' && typeof healthCheck === 'number' && healthCheck !== 0) requested.push({ nodePort: healthCheck, path: ['spec', 'healthCheckNodePort'] });
  return requested;
}
