import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { GATEWAY_API_GROUP, type BackendReference, type GatewayRoute, type RouteRule } from '../src/model/gateway-api.js';
import { didYouMean, similarNames } from '../src/model/suggest.js';
import type { Service, ServicePort } from '../src/model/types.js';

/** Flags Gateway API route backends whose Service, or Service port, does not exist, or that no ReferenceGrant permits. */
export default defineRule({
  id: 'route-backend-missing',
  category: 'selectors',
  severity: 'error',
  description: 'A Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) sends traffic to a Service that is not in the manifests, '
    + 'to a port that Service does not have, or to a Service of another namespace that no ReferenceGrant lets it refer to.',
  rationale: 'The Gateway cannot forward to a backend it cannot resolve: HTTP requests routed to it get a 500, gRPC calls fail and TCP, TLS '
    + 'and UDP connections are dropped. A reference to another namespace is refused unless a ReferenceGrant in that namespace permits '
    + 'it, so a route that works in its own namespace breaks when its backend moves. Backends are checked only in namespaces where '
    + 'the manifests hold Services, workloads, policies or other objects besides Gateway API ones, since a namespace they do not '
    + 'show is presumably deployed from elsewhere; backendRefs of kinds other than Service are not checked.',
  fix: 'Point the backendRef at an existing Service and at one of its ports (the Service port, not the container\'s targetPort), or add the '
    + 'Service; for a Service of another namespace, add a ReferenceGrant in that namespace whose from names the route\'s kind and namespace '
    + 'and whose to names Services (or this Service).',
  messages: {
    missingService: '{{route}} sends {{traffic}} to Service {{service}}, which is not in the manifests, so {{consequence}}.',
    missingPort: '{{route}} sends {{traffic}} to port {{port}} of Service {{service}}, which has no such port ({{ports}}), so {{consequence}}.',
    notPermitted: '{{route}} sends {{traffic}} to Service {{service}} of another namespace, and no ReferenceGrant in {{namespace}} lets {{kind}}s of {{routeNamespace}} refer to it, so {{consequence}}.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    let populated: Set<string> | undefined;
    for (const route of graph.gatewayApi.routes) {
      for (const rule of route.rules) {
        // A rule that redirects answers the client itself; whatever it names is not forwarded to.
        if (rule.redirectsToHttps) continue;
        for (const backend of rule.backendRefs) {
          if (backend.group !== '' || backend.kind !== 'Service') continue;
          const report = checkBackend(graph, route, rule, backend, () => (populated ??= populatedNamespaces(graph)));
          if (report) reports.push(report);
        }
      }
    }
    return reports;
  },
});

function checkBackend(graph: ResourceGraph, route: GatewayRoute, rule: RouteRule, backend: BackendReference, populated: () => Set<string>): RuleReport | undefined {
  const service = graph.service(backend.namespace, backend.name);
  const data = {
    route: `${route.kind} ${route.namespace}/${route.name}`,
    traffic: describeTraffic(route, rule),
    service: `${backend.namespace}/${backend.name}`,
    consequence: consequenceOf(route),
  };
  if (!service) {
    if (!populated().has(backend.namespace)) return undefined;
    const hint = didYouMean(similarNames(backend.name, graph.servicesInNamespace(backend.namespace).map((candidate) => candidate.name)));
    return { messageId: 'missingService', data, object: route.source, path: [...backend.path, 'name'], ...(hint ? { hint } : {}) };
  }
  if (!graph.gatewayApi.permitsReference({ group: GATEWAY_API_GROUP, kind: route.kind, namespace: route.namespace }, { group: '', kind: 'Service', namespace: service.namespace, name: service.name })) {
    return {
      messageId: 'notPermitted',
      data: { ...data, namespace: service.namespace, kind: route.kind, routeNamespace: route.namespace },
      object: route.source,
      path: [...backend.path, 'namespace'],
      hint: `add a ReferenceGrant in ${service.namespace} from ${GATEWAY_API_GROUP} ${route.kind} of namespace ${route.namespace} to Service ${service.name}`,
    };
  }
  // An ExternalName Service may list no port; the implementation resolves the name itself.
  if (backend.port === undefined || (service.type === 'ExternalName' && service.ports.length === 0)) return undefined;
  const protocol = route.kind === 'UDPRoute' ? 'UDP' : 'TCP';
  if (service.ports.some((port) => port.port === backend.port && port.protocol === protocol)) return undefined;
  const hint = portHint(backend.port, protocol, service);
  return {
    messageId: 'missingPort',
    data: { ...data, port: `${protocol}/${backend.port}`, ports: service.ports.length > 0 ? service.ports.map(describePort).join(', ') : 'it lists no port' },
    object: route.source,
    path: [...backend.path, 'port'],
    ...(hint ? { hint } : {}),
  };
}

/**
 * The namespaces where the manifests hold Services, workloads, policies or other objects. Gateway
 * API objects do not count: a platform repository holds Gateways and routes whose backends are
 * deployed from elsewhere.
 */
function populatedNamespaces(graph: ResourceGraph): Set<string> {
  const namespaces = new Set<string>();
  for (const service of graph.services) namespaces.add(service.namespace);
  for (const pod of graph.pods) namespaces.add(pod.namespace);
  for (const policy of graph.policies) namespaces.add(policy.namespace);
  for (const object of graph.otherObjects) if (object.namespace !== undefined) namespaces.add(object.namespace);
  return namespaces;
}

/** `requests for www.example.com PathPrefix /api`, `gRPC shop.Cart/*`, `its connections`. */
function describeTraffic(route: GatewayRoute, rule: RouteRule): string {
  if (route.kind === 'TCPRoute' || route.kind === 'UDPRoute' || route.kind === 'TLSRoute') {
    return route.hostnames.length > 0 ? `connections for ${route.hostnames.join(', ')}` : 'its connections';
  }
  const hosts = route.hostnames.length > 0 ? `${route.hostnames.join(', ')} ` : '';
  return `${route.kind === 'GRPCRoute' ? 'calls' : 'requests'} for ${hosts}${rule.matches.map((match) => match.description).join(' or ')}`;
}

/** What happens to traffic routed to a backend the Gateway cannot resolve (HTTPRouteRule, GRPCRouteRule, TCPRouteRule docs). */
function consequenceOf(route: GatewayRoute): string {
  if (route.kind === 'HTTPRoute') return 'the requests routed to it get HTTP 500';
  if (route.kind === 'GRPCRoute') return 'the calls routed to it fail';
  return 'the connections routed to it are dropped';
}

function describePort(port: ServicePort): string {
  return `${port.name ? `${port.name} ` : ''}${port.protocol}/${port.port}`;
}

/** A container port given where the Service port belongs is the usual slip; so is a port of the other transport. */
function portHint(wanted: number, protocol: string, service: Service): string | undefined {
  const otherTransport = service.ports.find((port) => port.port === wanted);
  if (otherTransport) return `Service port ${wanted} is ${otherTransport.protocol}, and a ${protocol === 'UDP' ? 'UDPRoute' : 'route of this kind'} needs a ${protocol} port`;
  const byTarget = service.ports.find((port) => port.targetPort === wanted);
  if (byTarget) return `${wanted} is the targetPort of Service port ${byTarget.port}; a backendRef names the Service port: did you mean ${byTarget.port}?`;
  if (service.ports.length === 1) return `did you mean ${service.ports[0].port}?`;
  return undefined;
}
