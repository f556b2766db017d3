import { valueAt } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { didYouMean, similarNames } from '../src/model/suggest.js';
import type { Ingress, IngressBackend, Service, ServicePort } from '../src/model/types.js';
import { servicePortsOfBackend } from '../src/reach/exposure.js';

/** A field path inside an object, as reports give it. */
type FieldPath = NonNullable<RuleReport['path']>;

/** Flags Ingress and Route backends whose Service, or Service port, does not exist. */
export default defineRule({
  id: 'ingress-backend-missing',
  category: 'selectors',
  severity: 'error',
  description: 'An Ingress or Route sends traffic to a Service that is not in the manifests, or to a port that Service does not have.',
  rationale: 'The ingress controller cannot route to a Service or port that does not exist: those hosts and paths answer 503 (or 404) for every request. '
    + 'Backends are checked only in namespaces where the manifests hold more than Ingresses and Routes, since a namespace seen only through '
    + 'its Ingresses is presumably deployed from elsewhere.',
  fix: 'Point the backend at an existing Service and at one of its ports, by the Service port number or name (not the container\'s targetPort), or add the missing Service.',
  messages: {
    missingService: '{{ingress}} sends {{route}} to Service {{service}}, which is not in the manifests, so those requests fail.',
    missingPort: '{{ingress}} sends {{route}} to port {{port}} of Service {{service}}, which has no such port ({{ports}}), so those requests fail.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    let otherObjectNamespaces: Set<string> | undefined;
    // Whether the manifests hold something besides Ingresses and Routes in a namespace (every
    // workload has pods in the graph); asked only about a backend whose Service is missing.
    const populated = (namespace: string) => graph.servicesInNamespace(namespace).length > 0
      || graph.podsInNamespace(namespace).length > 0
      || graph.policiesInNamespace(namespace).length > 0
      || (otherObjectNamespaces ??= namespacesOfOtherObjects(graph)).has(namespace);
    for (const ingress of graph.ingresses) {
      for (const backend of ingress.backends) {
        const service = graph.service(ingress.namespace, backend.serviceName);
        const data = { ingress: `${ingress.kind} ${ingress.namespace}/${ingress.name}`, route: describeRoute(ingress, backend), service: `${ingress.namespace}/${backend.serviceName}` };
        if (!service) {
          if (!populated(ingress.namespace)) continue;
          const names = graph.servicesInNamespace(ingress.namespace).map((candidate) => candidate.name);
          const hint = didYouMean(similarNames(backend.serviceName, names));
          reports.push({
            messageId: 'missingService',
            data,
            object: ingress.source,
            path: backendField(ingress, backend, 'name'),
            ...(hint ? { hint } : {}),
          });
          continue;
        }
        // A Route without a port uses every Service port; an ExternalName Service may list none.
        if (backend.servicePort === undefined || (service.type === 'ExternalName' && service.ports.length === 0)) continue;
        if (servicePortsOfBackend(ingress, backend, service).length > 0) continue;
        const hint = portHint(backend.servicePort, service);
        reports.push({
          messageId: 'missingPort',
          data: { ...data, port: String(backend.servicePort), ports: service.ports.length > 0 ? service.ports.map(describePort).join(', ') : 'it lists no port' },
          object: ingress.source,
          path: backendField(ingress, backend, 'port'),
          ...(hint ? { hint } : {}),
        });
      }
    }
    return reports;
  },
});

/** The namespaces the objects k8snet does not model name (cluster-scoped kinds name none). */
function namespacesOfOtherObjects(graph: ResourceGraph): Set<string> {
  const namespaces = new Set<string>();
  for (const object of graph.otherObjects) if (object.namespace !== undefined) namespaces.add(object.namespace);
  return namespaces;
}

/** Where the backend's Service name or port is written, in each of the shapes the builder reads. */
function backendField(ingress: Ingress, backend: IngressBackend, field: 'name' | 'port'): FieldPath {
  if (ingress.kind === 'Route') return field === 'name' ? [...backend.fieldPath, 'name'] : ['spec', 'port', 'targetPort'];
  const written = valueAt(ingress.source.value, backend.fieldPath) as Record<string, unknown> | undefined;
  const service = written?.service as { port?: Record<string, unknown> } | undefined;
  if (service) return field === 'name' ? [...backend.fieldPath, 'service', 'name'] : [...backend.fieldPath, 'service', 'port', service.port && 'name' in service.port ? 'name' : 'number'];
  return [...backend.fieldPath, field === 'name' ? 'serviceName' : 'servicePort'];
}

/** `shop.example.com/api`, `/api`, `*` for an Ingress rule, or `its default backend`. */
function describeRoute(ingress: Ingress, backend: IngressBackend): string {
  if (ingress.kind === 'Ingress' && (backend.fieldPath[1] === 'defaultBackend' || backend.fieldPath[1] === 'backend')) return 'unmatched requests (default backend)';
  const where = `${backend.host ?? ''}${backend.path ?? ''}`;
  return where === '' ? 'requests for any host' : `requests for ${where}`;
}

function describePort(port: ServicePort): string {
  return `${port.name ? `${port.name} ` : ''}${port.protocol}/${port.port}`;
}

/** A container port given where the Service port belongs is the usual slip; so is a misspelt name. */
function portHint(wanted: number | string, service: Service): string | undefined {
  const byTarget = service.ports.find((port) => port.targetPort === wanted);
  if (byTarget) return `${wanted} is the targetPort of Service port ${byTarget.port}; a backend names the Service port: did you mean ${byTarget.name ?? byTarget.port}?`;
  if (service.ports.length === 1) return `did you mean ${service.ports[0].name ?? service.ports[0].port}?`;
  return undefined;
}

