import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { listWorkloads } from '../src/model/suggest.js';
import type { Pod, Protocol, Service } from '../src/model/types.js';
import { endpointPods, resolveTargetPort } from '../src/reach/exposure.js';

/** Flags ingress ports that none of the pods a policy selects declares. */
export default defineRule({
  id: 'policy-port-not-served',
  category: 'ports',
  severity: 'info',
  description: 'An ingress rule allows a port or port range that none of the pods the policy selects declares.',
  rationale: 'Allowing a port nothing serves opens nothing useful, and often means the rule was written for another workload or an old port '
    + '(a Service port instead of the container port, say), while the port actually needed stays blocked. Declaring ports is optional, '
    + 'so the rule speaks only when every selected pod declares its ports; named ports are named-port-undefined\'s business.',
  fix: 'Allow the container ports the selected pods declare (the targetPort, not the Service port), or declare the port in the pod template if the application does listen on it.',
  messages: {
    notServed: 'NetworkPolicy {{policy}} allows ingress on {{port}}, which none of the pods it selects ({{workloads}}) declares (they declare {{declared}}).',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const servicesByNamespace = new Map<string, Service[]>();
    for (const service of graph.services) {
      const list = servicesByNamespace.get(service.namespace);
      if (list) list.push(service);
      else servicesByNamespace.set(service.namespace, [service]);
    }
    for (const policy of graph.policies) {
      if (!policy.affectsIngress) continue;
      const pods = graph.podsMatching(policy.podSelector, policy.namespace);
      // Declaring ports is optional: only pods that all list theirs tell us what they serve.
      if (pods.length === 0 || pods.some((pod) => pod.ports.length === 0)) continue;
      for (const rule of policy.ingress) {
        for (const port of rule.ports) {
          if (typeof port.port !== 'number') continue; // Every port of the protocol, or a name.
          const from = port.port;
          const to = port.endPort ?? port.port;
          if (pods.some((pod) => pod.ports.some((declared) => declared.protocol === port.protocol && declared.containerPort >= from && declared.containerPort <= to))) continue;
          const declaredText = [...new Set(pods.flatMap((pod) => pod.ports.map((declared) => `${declared.protocol}/${declared.containerPort}`)))].join(', ');
          const hint = servicePortHint(graph, servicesByNamespace.get(policy.namespace) ?? [], port.protocol, from, to, pods);
          reports.push({
            messageId: 'notServed',
            data: {
              policy: `${policy.namespace}/${policy.name}`,
              port: `${port.protocol}/${port.port}${port.endPort !== undefined && port.endPort !== port.port ? `-${port.endPort}` : ''}`,
              workloads: listWorkloads(pods),
              declared: declaredText,
            },
            object: policy.source,
            path: [...port.path, 'port'],
            ...(hint ? { hint } : {}),
          });
        }
      }
    }
    return reports;
  },
});

/**
 * The usual slip: the policy names a Service's port, but a policy sees the connection after the
 * Service has translated it to the pod's targetPort.
 */
function servicePortHint(graph: ResourceGraph, services: readonly Service[], protocol: Protocol, from: number, to: number, pods: readonly Pod[]): string | undefined {
  const selected = new Set(pods);
  for (const service of services) {
    const ports = service.ports.filter((servicePort) => servicePort.protocol === protocol && servicePort.port >= from && servicePort.port <= to);
    if (ports.length === 0) continue;
    const backends = endpointPods(graph, service).filter((pod) => selected.has(pod));
    for (const servicePort of ports) {
      const target = backends.map((pod) => resolveTargetPort(servicePort, pod)).find((resolved) => resolved !== undefined);
      if (target !== undefined && target !== servicePort.port) {
        return `${servicePort.port} is the port of Service ${service.namespace}/${service.name}; policies see the pod's port: did you mean ${target}?`;
      }
    }
  }
  return undefined;
}
