import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { VirtualService } from '../src/model/istio.js';
import { bindToServer, routeProtocolOf, type BindingRefusal } from '../src/model/istio-routing.js';
import { didYouMean, similarNames } from '../src/model/suggest.js';

/** Flags VirtualService gateways that are not in the manifests, or whose servers bind none of its hosts. */
export default defineRule({
  id: 'virtualservice-gateway-missing',
  category: 'selectors',
  severity: 'error',
  description: 'A VirtualService names, in gateways, an Istio Gateway that is not in the manifests, or one none of whose servers takes it: '
    + 'no server admits its namespace, shares a host with it, or takes its kind of routes.',
  rationale: 'A VirtualService serves a Gateway\'s traffic only through the servers it binds to. A gateway name with a typo or the wrong '
    + 'namespace (a bare name means the VirtualService\'s own namespace) leaves its hosts answered with 404 at the gateway; so does a server whose '
    + 'hosts (namespace/host) leave out the VirtualService\'s namespace or hosts (istioctl analyze IST0101 ReferencedResourceNotFound, IST0132 '
    + 'VirtualServiceHostNotFoundInGateway). Missing Gateways are reported only in namespaces where the manifests hold Istio Gateways, since a '
    + 'shared gateway usually lives in another repository.',
  fix: 'Name the Gateway as <namespace>/<name> (the ingress gateway\'s namespace, often istio-system), fix its name, or widen the server\'s hosts '
    + '(*/host, or the VirtualService\'s namespace) and give the VirtualService a host the server serves; give an HTTP server http routes and a '
    + 'TLS passthrough server tls routes.',
  messages: {
    missingGateway: 'VirtualService {{virtualService}} binds to Gateway {{gateway}}, which is not in the manifests, so its hosts are not served there.',
    notBound: 'No server of Gateway {{gateway}} takes VirtualService {{virtualService}} ({{reasons}}), so its hosts {{hosts}} are not served there.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const virtualService of graph.istio.virtualServices) {
      for (const reference of virtualService.gateways) {
        if (reference.type !== 'gateway') continue;
        const name = `${virtualService.namespace}/${virtualService.name}`;
        const gateway = graph.istio.gateway(reference.namespace, reference.name);
        if (!gateway) {
          const others = graph.istio.gatewaysInNamespace(reference.namespace);
          if (others.length === 0) continue;
          const hint = didYouMean(similarNames(reference.name, others.map((candidate) => candidate.name)));
          reports.push({ messageId: 'missingGateway', data: { virtualService: name, gateway: `${reference.namespace}/${reference.name}` }, object: virtualService.source, path: reference.path, ...(hint ? { hint } : {}) });
          continue;
        }
        const refusals: BindingRefusal[] = [];
        let bound = false;
        for (const server of gateway.servers) {
          const binding = bindToServer(virtualService, server);
          if ('virtualService' in binding) bound = true;
          else refusals.push(binding);
        }
        if (bound || refusals.length === 0) continue;
        reports.push({
          messageId: 'notBound',
          data: { gateway: `${gateway.namespace}/${gateway.name}`, virtualService: name, reasons: refusals.map((refusal) => describeRefusal(refusal, virtualService)).join('; '), hosts: virtualService.hosts.join(', ') },
          object: virtualService.source,
          path: reference.path,
          related: refusals.map((refusal) => ({ object: gateway.source, path: refusal.server.path, message: `server ${refusal.server.port.name ?? refusal.server.port.number}` })),
        });
      }
    }
    return reports;
  },
});

function describeRefusal(refusal: BindingRefusal, virtualService: VirtualService): string {
  const server = `server ${refusal.server.port.protocol} ${refusal.server.port.number}`;
  const hosts = refusal.server.hosts.map((host) => host.text).join(', ');
  if (refusal.reason === 'namespace') return `${server} admits only hosts ${hosts}, not namespace ${virtualService.namespace}`;
  if (refusal.reason === 'hosts') return `${server} serves ${hosts}`;
  return `${server} takes ${routeProtocolOf(refusal.server)} routes, which it has none of`;
}
