import type { ResourceGraph } from '../model/graph.js';
import { GATEWAY_API_GROUP, type BackendReference, type Gateway, type GatewayRoute } from '../model/gateway-api.js';
import { routesAttachedTo } from '../model/gateway-attachment.js';
import { gatewayDataPlane, isMeshWaypoint } from '../model/gateway-data-plane.js';
import type { Pod, Service, ServicePort } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { endpointPods, resolveTargetPort } from './exposure.js';
import type { PathContext, PathHop, PathNode } from './request-paths.js';

/**
 * The paths through Gateways: clients → listener → route → Service → workload, for every listener
 * of a Gateway (mesh waypoints aside) that routes of the manifests attach to. The last hop is
 * judged for the Gateway's data-plane pods when the manifests hold them, otherwise for a pod of
 * unknown namespace and labels, as for an ingress controller. A backend in another namespace
 * that no ReferenceGrant permits, or of weight 0, receives nothing and is drawn without its
 * endpoints.
 */
export function gatewayHops(context: PathContext): PathHop[] {
  const graph = context.solver.graph;
  const hops: PathHop[] = [];
  for (const gateway of graph.gatewayApi.gateways) {
    if (isMeshWaypoint(gateway)) continue;
    const dataPlane = gatewayDataPlane(graph, gateway);
    const senders = dataPlane.type === 'workloads' ? dataPlane.workloads : [];
    const source = `Gateway ${gateway.namespace}/${gateway.name}`;
    // Short: these notes are drawn on the graph's edges (the README says more).
    const notes = dataPlane.type === 'node-proxy' ? [dataPlane.note]
      : dataPlane.type === 'unknown' ? ['its pods are not in the manifests: judged as any pod'] : [];
    for (const listener of gateway.listeners) {
      const attached = routesAttachedTo(graph, listener);
      if (attached.length === 0) continue;
      const listenerNode: PathNode = { type: 'listener', id: `listener:${gateway.namespace}/${gateway.name}/${listener.name}`, gateway, listener };
      hops.push({ from: context.clients, to: listenerNode, label: `${listener.protocol} ${listener.port}${listener.hostname ? ` ${listener.hostname}` : ''}` });
      for (const { route, hostnames } of attached) {
        const routeNode: PathNode = { type: 'route', id: `${route.kind.toLowerCase()}:${route.namespace}/${route.name}`, route };
        const redirects = route.rules.length > 0 && route.rules.every((rule) => rule.redirectsToHttps);
        hops.push({ from: listenerNode, to: routeNode, label: `${hostnames.join(', ')}${redirects ? ' (redirects to https)' : ''}` });
        for (const rule of route.rules) {
          // A rule that redirects to https answers the client itself.
          if (rule.redirectsToHttps) continue;
          for (const backend of rule.backendRefs) {
            hops.push(...backendHops(context, route, backend, rule.backendRefs.length, routeNode, senders, source, notes));
          }
        }
      }
    }
  }
  return hops;
}

function backendHops(
  context: PathContext,
  route: GatewayRoute,
  backend: BackendReference,
  backendCount: number,
  routeNode: PathNode,
  senders: Parameters<PathContext['serviceHops']>[0],
  source: string,
  notes: readonly string[],
): PathHop[] {
  const graph = context.solver.graph;
  // Other backend kinds (ServiceImport, an implementation's own) are not followed.
  if (backend.group !== '' || backend.kind !== 'Service' || backend.port === undefined) return [];
  const service = graph.service(backend.namespace, backend.name);
  if (!service) return [];
  const serviceNode = context.serviceNode(service);
  const ports = backendServicePorts(route, backend, service);
  const portText = ports.map((port) => `${port.port}/${port.protocol}`).join(',') || `no port ${backend.port}`;
  const weight = backendCount > 1 || backend.weight !== 1 ? ` weight ${backend.weight}` : '';
  if (!graph.gatewayApi.permitsReference({ group: GATEWAY_API_GROUP, kind: route.kind, namespace: route.namespace }, { group: '', kind: 'Service', namespace: service.namespace, name: service.name })) {
    return [{ from: routeNode, to: serviceNode, label: `${portText}${weight} refused: no ReferenceGrant in ${service.namespace}` }];
  }
  if (backend.weight === 0) return [{ from: routeNode, to: serviceNode, label: `${portText} weight 0: no traffic` }];
  return [
    { from: routeNode, to: serviceNode, label: `${portText}${weight}` },
    ...context.serviceHops(senders, serviceNode, service, ports, source, notes),
  ];
}

/** The Service ports a backendRef names: by the Service's port number, of the route's transport. */
function backendServicePorts(route: GatewayRoute, backend: BackendReference, service: Service): ServicePort[] {
  const protocol = route.kind === 'UDPRoute' ? 'UDP' : 'TCP';
  return service.ports.filter((port) => port.port === backend.port && port.protocol === protocol);
}

/** One pod a Gateway route sends traffic to, with the ports it lands on. */
export interface GatewayExposedPort {
  readonly gateway: Gateway;
  readonly route: GatewayRoute;
  readonly pod: Pod;
  readonly ports: ConnectionSet;
}

/**
 * Returns the pod ports that routes expose through Gateways whose data-plane pods the manifests
 * do not hold (Cilium's node proxy included): what the matrix shows as reached by `{ingress-controller}`, the
 * sender of unknown namespace and labels. A Gateway whose pods are in the manifests is a workload
 * of its own there, whose connections the policies decide like any other.
 */
export function gatewayExposedPorts(graph: ResourceGraph): GatewayExposedPort[] {
  const exposed: GatewayExposedPort[] = [];
  for (const gateway of graph.gatewayApi.gateways) {
    if (isMeshWaypoint(gateway) || gatewayDataPlane(graph, gateway).type === 'workloads') continue;
    for (const listener of gateway.listeners) {
      for (const { route } of routesAttachedTo(graph, listener)) {
        for (const rule of route.rules) {
          if (rule.redirectsToHttps) continue;
          for (const backend of rule.backendRefs) {
            if (backend.group !== '' || backend.kind !== 'Service' || backend.weight === 0) continue;
            const service = graph.service(backend.namespace, backend.name);
            if (!service || !graph.gatewayApi.permitsReference({ group: GATEWAY_API_GROUP, kind: route.kind, namespace: route.namespace }, { group: '', kind: 'Service', namespace: service.namespace, name: service.name })) continue;
            const servicePorts = backendServicePorts(route, backend, service);
            for (const pod of endpointPods(graph, service)) {
              let ports = ConnectionSet.EMPTY;
              for (const servicePort of servicePorts) {
                const target = resolveTargetPort(servicePort, pod);
                if (target !== undefined) ports = ports.union(ConnectionSet.ofPorts(servicePort.protocol, target));
              }
              if (!ports.isEmpty()) exposed.push({ gateway, route, pod, ports });
            }
          }
        }
      }
    }
  }
  return exposed;
}
