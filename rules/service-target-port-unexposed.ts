import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { didYouMean, listWorkloads, similarNames } from '../src/model/suggest.js';
import type { Pod, ServicePort } from '../src/model/types.js';
import { endpointPods } from '../src/reach/exposure.js';

/**
 * Flags Service ports whose targetPort none of the selected pods declares: a warning for a name
 * (it cannot resolve), an info for a number (declaring a listening port is optional).
 */
export default defineRule({
  id: 'service-target-port-unexposed',
  category: 'ports',
  severity: 'warning',
  description: 'A Service port\'s named targetPort is not among the container ports its pods declare with that protocol (a warning), '
    + 'or its numeric targetPort is not declared either (an info).',
  rationale: 'A named targetPort must be declared: it resolves on each pod against the names of its container ports and their protocol, and a pod '
    + 'where it does not resolve is left out of the Service\'s endpoints, so connections fail. Declaring a numbered port is optional in Kubernetes: '
    + 'many servers take their port from arguments or a configuration file (Istio gateways, Knative\'s activator, OpenTelemetry collectors) and '
    + 'their pods list only some ports, or none. A numeric targetPort is therefore only an info, reported when every selected pod declares ports '
    + 'and none declares this one: worth a look when the targetPort was left to default to port, harmless when the server listens there anyway.',
  fix: 'Set targetPort to a containerPort, or the name of a container port, that the selected pods declare with the Service port\'s protocol; or declare the port in the pod template.',
  messages: {
    nameUndeclared: 'Service {{service}} port {{port}} targets the port name {{name}}, which none of its pods ({{workloads}}) declares, so this port has no endpoints.',
    nameOtherProtocol: 'Service {{service}} port {{port}} targets the port name {{name}} over {{protocol}}, but its pods ({{workloads}}) declare {{name}} only as {{declared}}, so this port has no endpoints.',
    numberUndeclared: 'Service {{service}} port {{port}} targets {{target}}, which none of its pods ({{workloads}}) declares (they declare {{declared}}); '
      + 'that is fine if the server listens there without declaring it, as servers configured by arguments or files often do.',
  },
  messageSeverities: { numberUndeclared: 'info' },
  identifyingData: ['port'],
  check(graph) {
    const reports: RuleReport[] = [];
    for (const service of graph.services) {
      if (service.type === 'ExternalName') continue;
      const pods = endpointPods(graph, service);
      // No pod selected: service-selects-nothing or service-without-selector speaks about it.
      if (pods.length === 0) continue;
      for (const port of service.ports) {
        const problem = checkPort(port, pods);
        if (!problem) continue;
        reports.push({
          ...problem,
          data: { service: `${service.namespace}/${service.name}`, port: describePort(port), workloads: listWorkloads(pods), ...problem.data },
          object: service.source,
          // Falls back to the port entry when targetPort is left to default to port.
          path: [...port.path, 'targetPort'],
        });
      }
    }
    return reports;
  },
});

function checkPort(port: ServicePort, pods: readonly Pod[]): Pick<RuleReport, 'messageId' | 'data' | 'hint'> | undefined {
  const target = port.targetPort;
  const declared = pods.flatMap((pod) => pod.ports);
  if (typeof target === 'string') {
    if (declared.some((container) => container.name === target && container.protocol === port.protocol)) return undefined;
    const otherProtocols = [...new Set(declared.filter((container) => container.name === target).map((container) => `${container.protocol}/${container.containerPort}`))].sort();
    if (otherProtocols.length > 0) {
      return { messageId: 'nameOtherProtocol', data: { name: target, protocol: port.protocol, declared: otherProtocols.join(', ') } };
    }
    const names = [...new Set(declared.flatMap((container) => (container.name && container.protocol === port.protocol ? [container.name] : [])))];
    const hint = didYouMean(similarNames(target, names));
    return { messageId: 'nameUndeclared', data: { name: target }, ...(hint ? { hint } : {}) };
  }
  // Declaring ports is optional: only pods that all list theirs tell us what they serve.
  if (pods.some((pod) => pod.ports.length === 0)) return undefined;
  if (declared.some((container) => container.containerPort === target && container.protocol === port.protocol)) return undefined;
  const sameProtocol = [...new Set(declared.filter((container) => container.protocol === port.protocol).map((container) => container.containerPort))].sort((a, b) => a - b);
  const hint = sameProtocol.length === 1 ? `did you mean targetPort: ${sameProtocol[0]}?` : undefined;
  return {
    messageId: 'numberUndeclared',
    data: { target: `${port.protocol}/${target}`, declared: [...new Set(declared.map((container) => `${container.protocol}/${container.containerPort}`))].join(', ') },
    ...(hint ? { hint } : {}),
  };
}

function describePort(port: ServicePort): string {
  return `${port.name ? `${port.name} ` : ''}${port.protocol}/${port.port}`;
}
