import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { SERVICE_NAME_LABEL } from '../src/model/service-endpoints.js';

/** Flags Services without a selector whose endpoints the manifests do not provide either. */
export default defineRule({
  id: 'service-without-selector',
  category: 'selectors',
  severity: 'info',
  description: 'A Service has no selector, and no Endpoints or EndpointSlice of the manifests gives it endpoints.',
  rationale: 'Kubernetes manages endpoints only for Services with a selector. Without one, the Service has no backend until someone writes '
    + 'an Endpoints object or an EndpointSlice labelled kubernetes.io/service-name for it; until then connections to it fail. '
    + 'That is intended when another controller or repository provides the endpoints, and a mistake when the selector was forgotten.',
  fix: 'Add spec.selector with the labels of the pods that serve the Service; for a backend outside the cluster, add an EndpointSlice '
    + '(label kubernetes.io/service-name: <service>) or use type: ExternalName.',
  messages: {
    noEndpoints: 'Service {{service}} has no selector and the manifests hold no Endpoints or EndpointSlice for it, so it has no endpoints unless something else creates them.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const provided = new Set<string>();
    for (const object of graph.otherObjects) {
      const namespace = object.namespace ?? graph.defaultNamespace;
      if (object.kind === 'Endpoints') provided.add(`${namespace}/${object.name}`);
      if (object.kind === 'EndpointSlice') {
        const labels = (object.value.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
        const serviceName = labels?.[SERVICE_NAME_LABEL];
        // An EndpointSlice belongs to a Service through this label, whatever the slice's own name.
        if (typeof serviceName === 'string') provided.add(`${namespace}/${serviceName}`);
      }
    }
    for (const service of graph.services) {
      if (service.type === 'ExternalName' || service.selector) continue;
      if (provided.has(`${service.namespace}/${service.name}`)) continue;
      reports.push({
        messageId: 'noEndpoints',
        data: { service: `${service.namespace}/${service.name}` },
        object: service.source,
        path: ['spec', 'selector'], // Falls back to spec when the selector is absent.
      });
    }
    return reports;
  },
});
