import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { expandHost } from '../src/model/istio-mtls.js';
import { resolveDestination } from '../src/model/istio-routing.js';
import { didYouMean, similarNames } from '../src/model/suggest.js';

/** Flags VirtualService destinations whose host, port or subset does not exist. */
export default defineRule({
  id: 'virtualservice-destination-missing',
  category: 'selectors',
  severity: 'error',
  description: 'A VirtualService routes to a host that is neither a Service of the manifests nor a ServiceEntry host, to a port the Service '
    + 'does not have, without a port to a Service that has several, or to a subset no DestinationRule of the host defines.',
  rationale: 'Istio cannot forward to a destination it cannot resolve: requests routed there get 503 (no route, or no healthy upstream) and '
    + 'connections are reset. A short host name means a Service of the VirtualService\'s namespace, so a route that works in one namespace '
    + 'breaks when the VirtualService moves (istioctl analyze IST0101 ReferencedResourceNotFound, IST0112 '
    + 'VirtualServiceDestinationPortSelectorRequired). Hosts of namespaces the manifests hold nothing else of are not checked, nor hosts '
    + 'outside the cluster where the manifests hold no ServiceEntry.',
  fix: 'Name an existing Service (short name in the VirtualService\'s namespace, or <name>.<namespace>.svc.cluster.local) or add a ServiceEntry for '
    + 'an external host; give the Service port (not the targetPort) in destination.port; define the subset in a DestinationRule for the host.',
  messages: {
    missingHost: 'VirtualService {{virtualService}} routes to {{host}}, which is neither a Service of the manifests nor a ServiceEntry host, so those requests fail.',
    missingPort: 'VirtualService {{virtualService}} routes to port {{port}} of Service {{service}}, which has no such port ({{ports}}), so those requests fail.',
    portRequired: 'VirtualService {{virtualService}} routes to Service {{service}} without a port, and the Service has several ({{ports}}): give destination.port.',
    missingSubset: 'VirtualService {{virtualService}} routes to subset {{subset}} of {{fqdn}}, which {{where}}, so those requests fail.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const settings = graph.istio.settings;
    for (const virtualService of graph.istio.virtualServices) {
      const name = `${virtualService.namespace}/${virtualService.name}`;
      for (const route of virtualService.routes) {
        for (const destination of route.destinations) {
          const resolved = resolveDestination(graph, virtualService, destination);
          if (resolved.type === 'elsewhere') continue;
          if (resolved.type === 'missing') {
            // Hosts outside the cluster are checked only where the manifests declare ServiceEntries.
            if (resolved.namespace === undefined && graph.istio.serviceEntries.length === 0) continue;
            const candidates = resolved.namespace ? graph.servicesInNamespace(resolved.namespace).map((service) => service.name) : [];
            const hint = didYouMean(similarNames(destination.host.split('.')[0], candidates));
            reports.push({ messageId: 'missingHost', data: { virtualService: name, host: destination.host === resolved.fqdn ? destination.host : `${destination.host} (${resolved.fqdn})` }, object: virtualService.source, path: [...destination.path, 'host'], ...(hint ? { hint } : {}) });
            continue;
          }
          if (resolved.type === 'service') {
            const ports = resolved.service.ports.map((port) => `${port.name ? `${port.name} ` : ''}${port.port}/${port.protocol}`).join(', ') || 'none';
            const service = `${resolved.service.namespace}/${resolved.service.name}`;
            if (resolved.portProblem === 'no-such-port') {
              const byTarget = resolved.service.ports.find((port) => port.targetPort === destination.port);
              reports.push({
                messageId: 'missingPort', data: { virtualService: name, port: destination.port ?? '', service, ports }, object: virtualService.source, path: [...destination.path, 'port', 'number'],
                ...(byTarget ? { hint: `${destination.port} is the targetPort of Service port ${byTarget.port}; a destination names the Service port: did you mean ${byTarget.port}?` } : {}),
              });
              continue;
            }
            if (resolved.portProblem === 'port-required') {
              reports.push({ messageId: 'portRequired', data: { virtualService: name, service, ports }, object: virtualService.source, path: destination.path });
              continue;
            }
          }
          if (destination.subset === undefined) continue;
          const rules = graph.istio.destinationRules.filter((rule) => expandHost(rule.host, rule.namespace, settings.clusterDomain) === resolved.fqdn);
          if (rules.some((rule) => rule.subsets.some((subset) => subset.name === destination.subset))) continue;
          // No DestinationRule for the host anywhere: checked only where the manifests hold the Service itself.
          if (rules.length === 0 && resolved.type !== 'service') continue;
          const defined = rules.flatMap((rule) => rule.subsets.map((subset) => subset.name));
          const hint = didYouMean(similarNames(destination.subset, defined));
          reports.push({
            messageId: 'missingSubset',
            data: { virtualService: name, subset: destination.subset, fqdn: resolved.fqdn, where: rules.length === 0 ? 'no DestinationRule of the manifests defines' : `DestinationRule ${rules.map((rule) => `${rule.namespace}/${rule.name}`).join(', ')} does not define (it has ${defined.join(', ') || 'no subset'})` },
            object: virtualService.source,
            path: [...destination.path, 'subset'],
            ...(hint ? { hint } : {}),
          });
        }
      }
    }
    return reports;
  },
});
