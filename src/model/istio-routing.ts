import type { ResourceGraph } from './graph.js';
import { intersectHostnames } from './gateway-api.js';
import type { IstioGateway, IstioGatewayServer, RouteDestination, ServiceEntry, VirtualService, VirtualServiceRoute } from './istio.js';
import { istioMesh } from './istio-mesh.js';
import { expandHost } from './istio-mtls.js';
import type { Pod, Service, ServicePort, Workload } from './types.js';

/** Who serves an Istio Gateway: the router proxies its selector matches. */
export interface IstioGatewayDataPlane {
  /** The workloads of the matched pods that are Istio proxies (gateways), which serve the Gateway. */
  readonly workloads: readonly Workload[];
  /** Matched pods that are not Istio proxies (a sidecar or plain pod): Istio does not apply a Gateway to them. */
  readonly notProxies: readonly Pod[];
  /** In words: `pods labelled istio=ingressgateway in every namespace`. */
  readonly how: string;
}

/**
 * The pods an Istio Gateway's selector matches (Gateway reference: "By default workloads are
 * searched across all namespaces based on label selectors"; only the Gateway's own namespace
 * with istiod's PILOT_SCOPE_GATEWAY_TO_NAMESPACE), split into the Istio proxies that serve it and
 * other pods, which ignore it. A Gateway without a selector applies to every gateway proxy.
 */
export function istioGatewayDataPlane(graph: ResourceGraph, gateway: IstioGateway): IstioGatewayDataPlane {
  const scoped = graph.istio.settings.scopeGatewayToNamespace;
  const candidates = scoped ? graph.podsInNamespace(gateway.namespace) : graph.pods;
  const selector = gateway.selector;
  const mesh = istioMesh(graph);
  const matched = candidates.filter((pod) => (selector
    ? Object.entries(selector).every(([key, value]) => pod.labels[key] === value)
    : mesh.membershipOf(pod).dataPlane === 'gateway'));
  const workloads = new Map<string, Workload>();
  const notProxies: Pod[] = [];
  for (const pod of matched) {
    if (mesh.membershipOf(pod).dataPlane !== 'gateway') {
      notProxies.push(pod);
      continue;
    }
    const workload = graph.workload(pod.workloadId);
    if (workload) workloads.set(workload.id, workload);
  }
  const where = scoped ? `in namespace ${gateway.namespace}` : 'in every namespace';
  const how = selector ? `pods labelled ${Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',')} ${where}` : `every Istio gateway proxy ${where}`;
  return { workloads: [...workloads.values()], notProxies, how };
}

/** A VirtualService bound to a server of a Gateway, with the hosts they have in common. */
export interface BoundVirtualService {
  readonly virtualService: VirtualService;
  readonly hosts: readonly string[];
  /** Its routes that serve this server (by protocol and `match.port`). */
  readonly routes: readonly VirtualServiceRoute[];
}

/** Why a VirtualService naming a Gateway is not bound to one of its servers. */
export type BindingRefusal =
  | { readonly reason: 'namespace'; readonly server: IstioGatewayServer }
  | { readonly reason: 'hosts'; readonly server: IstioGatewayServer }
  | { readonly reason: 'protocol'; readonly server: IstioGatewayServer };

/** The kind of routes a Gateway server takes: HTTP servers and terminated HTTPS take `http`, TLS passthrough `tls`, others `tcp`. */
export function routeProtocolOf(server: IstioGatewayServer): 'http' | 'tls' | 'tcp' {
  const protocol = server.port.protocol;
  if (protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC' || protocol === 'GRPC-WEB') return 'http';
  if (protocol === 'HTTPS') return server.tls?.mode === 'PASSTHROUGH' || server.tls?.mode === 'AUTO_PASSTHROUGH' ? 'tls' : 'http';
  if (protocol === 'TLS') return server.tls?.mode === 'SIMPLE' || server.tls?.mode === 'MUTUAL' || server.tls?.mode === 'ISTIO_MUTUAL' ? 'tcp' : 'tls';
  return 'tcp';
}

/**
 * Binds a VirtualService to one server of a Gateway it names, as istiod does: the server's
 * hosts admit the VirtualService's namespace (`*`, or its name; `.` was read as the Gateway's own) and
 * share a host with it (wildcards as in host matching); the routes of the server's kind that
 * name no `match.port` or this port serve it.
 */
export function bindToServer(virtualService: VirtualService, server: IstioGatewayServer): BoundVirtualService | BindingRefusal {
  const admitting = server.hosts.filter((host) => host.namespace === '*' || host.namespace === virtualService.namespace);
  if (admitting.length === 0) return { reason: 'namespace', server };
  const hosts = new Set<string>();
  for (const host of admitting) {
    for (const name of virtualService.hosts) {
      const common = intersectHostnames(host.dnsName, name);
      if (common !== undefined) hosts.add(common);
    }
  }
  if (hosts.size === 0) return { reason: 'hosts', server };
  const protocol = routeProtocolOf(server);
  const routes = virtualService.routes.filter((route) => route.protocol === protocol && (route.matchPorts.length === 0 || route.matchPorts.includes(server.port.number)));
  if (routes.length === 0) return { reason: 'protocol', server };
  return { virtualService, hosts: [...hosts], routes };
}

/** Returns the VirtualServices of the graph that name `gateway` in `gateways`. */
export function virtualServicesNaming(graph: ResourceGraph, gateway: IstioGateway): VirtualService[] {
  return graph.istio.virtualServices.filter((virtualService) => virtualService.gateways.some((entry) => entry.type === 'gateway' && entry.namespace === gateway.namespace && entry.name === gateway.name));
}

/** What a route destination's host resolves to. */
export type ResolvedDestination =
  | { readonly type: 'service'; readonly fqdn: string; readonly service: Service; readonly ports: readonly ServicePort[]; readonly portProblem?: 'no-such-port' | 'port-required' }
  | { readonly type: 'service-entry'; readonly fqdn: string; readonly entry: ServiceEntry }
  /** A Service of a namespace the manifests hold nothing else of: presumably deployed from elsewhere. */
  | { readonly type: 'elsewhere'; readonly fqdn: string }
  | { readonly type: 'missing'; readonly fqdn: string; readonly namespace?: string };

/**
 * Resolves a destination host as istiod does: a short name is a Service of the VirtualService's
 * namespace (ResolveShortnameToFQDN); `<name>.<namespace>.svc.<cluster domain>` is that Service;
 * any other host must be a ServiceEntry's (wildcards allowed). The destination port is the
 * Service port; without one, a Service with a single TCP port takes it, and one with several
 * needs it (istioctl analyze IST0112).
 */
export function resolveDestination(graph: ResourceGraph, virtualService: VirtualService, destination: RouteDestination): ResolvedDestination {
  const settings = graph.istio.settings;
  const fqdn = expandHost(destination.host, virtualService.namespace, settings.clusterDomain);
  const suffix = `.svc.${settings.clusterDomain}`;
  if (fqdn.endsWith(suffix)) {
    const parts = fqdn.slice(0, -suffix.length).split('.');
    if (parts.length === 2) {
      const [name, namespace] = parts;
      const service = graph.service(namespace, name);
      if (service) {
        const tcpPorts = service.ports.filter((port) => port.protocol === 'TCP');
        if (destination.port !== undefined) {
          const ports = tcpPorts.filter((port) => port.port === destination.port);
          return { type: 'service', fqdn, service, ports, ...(ports.length === 0 ? { portProblem: 'no-such-port' as const } : {}) };
        }
        if (tcpPorts.length <= 1) return { type: 'service', fqdn, service, ports: tcpPorts };
        return { type: 'service', fqdn, service, ports: [], portProblem: 'port-required' };
      }
      const entry = serviceEntryFor(graph, fqdn);
      if (entry) return { type: 'service-entry', fqdn, entry };
      return hasOtherObjects(graph, namespace) ? { type: 'missing', fqdn, namespace } : { type: 'elsewhere', fqdn };
    }
  }
  const entry = serviceEntryFor(graph, fqdn);
  return entry ? { type: 'service-entry', fqdn, entry } : { type: 'missing', fqdn };
}

function serviceEntryFor(graph: ResourceGraph, host: string): ServiceEntry | undefined {
  return graph.istio.serviceEntries.find((entry) => entry.hosts.some((candidate) => intersectHostnames(candidate, host) === host));
}

/** Whether the manifests hold Services, pods or policies of `namespace` (Istio objects aside). */
function hasOtherObjects(graph: ResourceGraph, namespace: string): boolean {
  return graph.servicesInNamespace(namespace).length > 0 || graph.podsInNamespace(namespace).length > 0 || graph.policiesInNamespace(namespace).length > 0;
}
