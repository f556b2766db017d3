import { bindToServer, istioGatewayDataPlane, resolveDestination, virtualServicesNaming } from '../model/istio-routing.js';
import type { PathContext, PathHop, PathNode } from './request-paths.js';

/**
 * The paths through Istio's own Gateways (networking.istio.io): clients → server (port,
 * protocol, hosts) → VirtualService → Service → workload, for every server some VirtualService
 * binds to. The last hop is judged for the Gateway's proxies when the manifests hold them,
 * otherwise for a pod of unknown namespace and labels (the hop into the workload says, as every
 * such hop does, when Istio policies apply there). Destinations outside the cluster
 * (ServiceEntry hosts) and Services the manifests do not hold end at the VirtualService.
 */
export function istioGatewayHops(context: PathContext): PathHop[] {
  const graph = context.solver.graph;
  const hops: PathHop[] = [];
  for (const gateway of graph.istio.gateways) {
    const bindings = virtualServicesNaming(graph, gateway);
    if (bindings.length === 0) continue;
    const dataPlane = istioGatewayDataPlane(graph, gateway);
    const source = `Istio Gateway ${gateway.namespace}/${gateway.name}`;
    const notes = dataPlane.workloads.length === 0 ? ['its proxies are not in the manifests: judged as any pod'] : [];
    for (const server of gateway.servers) {
      const serverId = `istio-server:${gateway.namespace}/${gateway.name}/${server.port.number}/${server.port.name ?? server.port.protocol}`;
      const serverNode: PathNode = { type: 'istio-server', id: serverId, gateway, server };
      let drawn = false;
      for (const virtualService of bindings) {
        const binding = bindToServer(virtualService, server);
        if (!('virtualService' in binding)) continue;
        if (!drawn) {
          hops.push({ from: context.clients, to: serverNode, label: `${server.port.protocol} ${server.port.number} ${server.hosts.map((host) => host.dnsName).join(', ')}` });
          drawn = true;
        }
        const routeNode: PathNode = { type: 'virtual-service', id: `virtualservice:${virtualService.namespace}/${virtualService.name}`, virtualService };
        hops.push({ from: serverNode, to: routeNode, label: binding.hosts.join(', ') });
        for (const route of binding.routes) {
          if (route.answersItself) continue;
          for (const destination of route.destinations) {
            const resolved = resolveDestination(graph, virtualService, destination);
            if (resolved.type !== 'service') continue;
            const serviceNode = context.serviceNode(resolved.service);
            const weight = route.destinations.length > 1 ? ` weight ${destination.weight}` : '';
            const portText = resolved.ports.map((port) => `${port.port}/${port.protocol}`).join(',')
              || (resolved.portProblem === 'port-required' ? 'no port given (the Service has several)' : `no port ${destination.port}`);
            hops.push({ from: routeNode, to: serviceNode, label: `${portText}${weight}${destination.subset ? ` subset ${destination.subset}` : ''}` });
            if (destination.weight === 0 && route.destinations.length > 1) continue;
            hops.push(...context.serviceHops(dataPlane.workloads, serviceNode, resolved.service, resolved.ports, source, notes));
          }
        }
      }
    }
  }
  return hops;
}
