import type { ResourceGraph } from '../model/graph.js';
import type { Ingress, IngressBackend, Pod, Service, ServicePort } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';

/** One place an Ingress or Route sends traffic to: a pod, with the ports it lands on. */
export interface ExposedPort {
  readonly ingress: Ingress;
  readonly backend: IngressBackend;
  readonly service: Service;
  readonly pod: Pod;
  readonly ports: ConnectionSet;
}

/**
 * Returns the Service ports a backend refers to: by number or name for an Ingress; for a Route,
 * `port.targetPort` names the Service port (or is its target port), and no port means all.
 */
export function servicePortsOfBackend(ingress: Ingress, backend: IngressBackend, service: Service): ServicePort[] {
  const wanted = backend.servicePort;
  if (wanted === undefined) return [...service.ports];
  if (ingress.kind === 'Ingress') {
    return service.ports.filter((port) => (typeof wanted === 'number' ? port.port === wanted : port.name === wanted));
  }
  return service.ports.filter((port) => port.name === wanted || port.targetPort === wanted
    || (typeof wanted === 'number' && port.port === wanted));
}

/**
 * Resolves a Service port on one endpoint pod: a numeric targetPort is used as is; a named
 * one is looked up among the pod's container ports (same name and protocol), and may differ
 * from pod to pod.
 */
export function resolveTargetPort(port: ServicePort, pod: Pod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  const match = pod.ports.find((container) => container.name === port.targetPort && container.protocol === port.protocol);
  return match?.containerPort;
}

/** Returns the pods a Service sends traffic to: those its selector matches in its namespace. */
export function endpointPods(graph: ResourceGraph, service: Service): readonly Pod[] {
  if (!service.selector) return [];
  return graph.podsWithLabels(service.selector, service.namespace);
}

/** Returns every pod port that Ingresses and Routes expose, through their Services. */
export function exposedPorts(graph: ResourceGraph): ExposedPort[] {
  const exposed: ExposedPort[] = [];
  for (const ingress of graph.ingresses) {
    for (const backend of ingress.backends) {
      const service = graph.service(ingress.namespace, backend.serviceName);
      if (!service) continue;
      const servicePorts = servicePortsOfBackend(ingress, backend, service);
      for (const pod of endpointPods(graph, service)) {
        let ports = ConnectionSet.EMPTY;
        for (const servicePort of servicePorts) {
          const target = resolveTargetPort(servicePort, pod);
          if (target !== undefined) ports = ports.union(ConnectionSet.ofPorts(servicePort.protocol, target));
        }
        if (!ports.isEmpty()) exposed.push({ ingress, backend, service, pod, ports });
      }
    }
  }
  return exposed;
}
