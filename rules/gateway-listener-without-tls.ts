import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { GATEWAY_API_GROUP, type Gateway, type GatewayListener } from '../src/model/gateway-api.js';
import { routesAttachedTo } from '../src/model/gateway-attachment.js';
import { gatewayExposure, isMeshWaypoint } from '../src/model/gateway-data-plane.js';

/**
 * Flags plain-HTTP listeners of Gateways that serve routes, when the Gateway is public or k8snet
 * cannot tell; and TLS listeners whose certificate sits in another namespace that no
 * ReferenceGrant opens to the Gateway.
 */
export default defineRule({
  id: 'gateway-listener-without-tls',
  category: 'exposure',
  severity: 'warning',
  description: 'A Gateway listener of protocol HTTP serves routes (other than redirects to https) on a Gateway that is public, or that '
    + 'may be; or an HTTPS or TLS listener uses a certificate Secret of another namespace that no ReferenceGrant permits.',
  rationale: 'A plain-HTTP listener sends cookies, tokens and passwords in clear text across every network between the client and the '
    + 'Gateway, and lets anyone on the path change the responses. k8snet judges a Gateway public from what the manifests show: the '
    + 'type of the Service that carries its traffic, an internal-load-balancer annotation, its addresses, or a GatewayClass known '
    + 'to be external; when they show none of these it says it cannot tell, since most implementations give a Gateway a LoadBalancer '
    + 'address. A listener is judged by the routes the manifests attach to it; one whose routes all redirect to https is the usual '
    + 'HTTP-to-HTTPS redirect and is fine. A certificate in another namespace without a ReferenceGrant is refused, so the listener '
    + 'terminates no TLS and serves nothing.',
  fix: 'Serve the hosts from an HTTPS listener with a certificate (cert-manager can issue it), and attach to the HTTP listener only a '
    + 'route that redirects to https (a RequestRedirect filter with scheme: https). For a certificate of another namespace, add a '
    + 'ReferenceGrant there from Gateways of the Gateway\'s namespace to the Secret. If the Gateway is internal, say so with the '
    + 'annotation k8snet.io/ignore: gateway-listener-without-tls.',
  messages: {
    publicPlainHttp: 'Listener {{listener}} of Gateway {{gateway}} serves {{routes}} over plain HTTP on port {{port}}, and the Gateway is public: {{evidence}}.',
    plainHttpExposureUnknown: 'Listener {{listener}} of Gateway {{gateway}} serves {{routes}} over plain HTTP on port {{port}}; the manifests do not show whether the Gateway is reachable from the internet (most implementations give it a LoadBalancer address).',
    certificateNotPermitted: 'Listener {{listener}} of Gateway {{gateway}} uses Secret {{secret}} of another namespace, and no ReferenceGrant in {{namespace}} lets Gateways of {{gatewayNamespace}} refer to it, so the listener has no certificate and serves nothing.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const gateway of graph.gatewayApi.gateways) {
      if (isMeshWaypoint(gateway)) continue;
      const name = `${gateway.namespace}/${gateway.name}`;
      let exposure: ReturnType<typeof gatewayExposure> | undefined;
      for (const listener of gateway.listeners) {
        if (listener.tls) reports.push(...certificateReports(graph, gateway, listener, name));
        if (listener.protocol !== 'HTTP') continue;
        const serving = routesAttachedTo(graph, listener).filter(({ route }) => route.rules.some((rule) => !rule.redirectsToHttps));
        if (serving.length === 0) continue;
        exposure ??= gatewayExposure(graph, gateway);
        if (exposure.exposure === 'internal') continue;
        const [first, ...others] = serving.map(({ route }) => `${route.kind} ${route.namespace}/${route.name}`);
        const data = { listener: listener.name, gateway: name, port: listener.port, routes: others.length > 0 ? `${first} and ${others.length} more route${others.length > 1 ? 's' : ''}` : first };
        reports.push({
          messageId: exposure.exposure === 'public' ? 'publicPlainHttp' : 'plainHttpExposureUnknown',
          data: exposure.exposure === 'public' ? { ...data, evidence: exposure.evidence } : data,
          object: gateway.source,
          path: [...listener.path, 'protocol'],
          related: serving.slice(0, 3).map(({ route }) => ({ object: route.source, path: ['spec', 'parentRefs'], message: `${route.kind} ${route.namespace}/${route.name} attached to it` })),
        });
      }
    }
    return reports;
  },
});

/** Certificate references of another namespace that no ReferenceGrant opens to the Gateway (only where the manifests show that namespace). */
function certificateReports(graph: ResourceGraph, gateway: Gateway, listener: GatewayListener, name: string): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const reference of listener.tls?.certificateRefs ?? []) {
    if (reference.group !== '' || reference.kind !== 'Secret' || reference.namespace === gateway.namespace) continue;
    if (!isShown(graph, reference.namespace)) continue;
    if (graph.gatewayApi.permitsReference({ group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.namespace }, { group: '', kind: 'Secret', namespace: reference.namespace, name: reference.name })) continue;
    reports.push({
      messageId: 'certificateNotPermitted',
      data: { listener: listener.name, gateway: name, secret: `${reference.namespace}/${reference.name}`, namespace: reference.namespace, gatewayNamespace: gateway.namespace },
      object: gateway.source,
      path: [...reference.path, 'namespace'],
    });
  }
  return reports;
}

/** True when the manifests hold objects in `namespace` (so a missing ReferenceGrant there is not simply kept elsewhere). */
function isShown(graph: ResourceGraph, namespace: string): boolean {
  return graph.servicesInNamespace(namespace).length > 0 || graph.podsInNamespace(namespace).length > 0
    || graph.gatewayApi.referenceGrantsIn(namespace).length > 0 || graph.gatewayApi.gatewaysInNamespace(namespace).length > 0
    || graph.otherObjects.some((object) => object.namespace === namespace);
}
