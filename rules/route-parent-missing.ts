import type { ManifestObject } from '../src/load/manifest-object.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { attachParent, type ListenerRefusal } from '../src/model/gateway-attachment.js';
import type { GatewayListener, GatewayRoute, ParentReference } from '../src/model/gateway-api.js';
import { didYouMean, similarNames } from '../src/model/suggest.js';

/** Flags route parentRefs that attach to no listener: no such Gateway or listener, or every listener refuses the route. */
export default defineRule({
  id: 'route-parent-missing',
  category: 'selectors',
  severity: 'error',
  description: 'A Gateway API route names, in parentRefs, a Gateway or a listener that does not exist, or listeners that refuse it: '
    + 'their allowedRoutes do not admit its namespace or kind, or their hostname has nothing in common with its hostnames.',
  rationale: 'A route serves traffic only through the listeners it is attached to. A parentRef that attaches to none leaves the route\'s '
    + 'hosts unanswered (404 or connection refused) through that Gateway, with nothing but a status condition to say why. Missing '
    + 'Gateways are reported only in namespaces where the manifests hold Gateways, since a shared Gateway usually lives in another '
    + 'repository; parents that are not Gateways (a mesh\'s Service, a ListenerSet) are not checked.',
  fix: 'Name an existing Gateway and listener (sectionName) or port; or widen the listener\'s allowedRoutes (namespaces from: All or a '
    + 'selector matching the route\'s namespace, kinds including the route\'s kind); or give the route a hostname within the listener\'s.',
  messages: {
    missingGateway: '{{route}} attaches to Gateway {{gateway}}, which is not in the manifests, so it serves nothing through it.',
    missingListener: '{{route}} attaches to {{listener}} of Gateway {{gateway}}, but the Gateway has no such listener ({{listeners}}), so the route serves nothing through it.',
    namespaceNotAllowed: 'Listener {{listener}} of Gateway {{gateway}} admits {{allowed}}, so {{route}} of namespace {{namespace}} is not attached to it.',
    kindNotAllowed: 'Listener {{listener}} of Gateway {{gateway}} takes {{allowed}}, not {{kind}}, so {{route}} is not attached to it.',
    hostnameMismatch: 'No hostname of {{route}} ({{hostnames}}) is within hostname {{listenerHostname}} of listener {{listener}} of Gateway {{gateway}}, so the route is not attached to it.',
    noListenerAccepts: 'No listener of Gateway {{gateway}} takes {{route}} ({{reasons}}), so it serves nothing through this Gateway.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const route of graph.gatewayApi.routes) {
      for (const parentRef of route.parentRefs) {
        const attachment = attachParent(graph, route, parentRef);
        const routeName = `${route.kind} ${route.namespace}/${route.name}`;
        const gatewayName = `${parentRef.namespace}/${parentRef.name}`;
        if (attachment.status === 'other-parent') continue;
        if (attachment.status === 'no-gateway') {
          const others = graph.gatewayApi.gatewaysInNamespace(parentRef.namespace);
          if (others.length === 0) continue;
          const hint = didYouMean(similarNames(parentRef.name, others.map((gateway) => gateway.name)));
          reports.push({ messageId: 'missingGateway', data: { route: routeName, gateway: gatewayName }, object: route.source, path: [...parentRef.path, 'name'], ...(hint ? { hint } : {}) });
          continue;
        }
        if (attachment.status === 'no-listener') {
          const listeners = attachment.gateway.listeners.map((listener) => `${listener.name} on port ${listener.port}`);
          const hint = parentRef.sectionName !== undefined ? didYouMean(similarNames(parentRef.sectionName, attachment.gateway.listeners.map((listener) => listener.name))) : undefined;
          reports.push({
            messageId: 'missingListener',
            data: { route: routeName, gateway: gatewayName, listener: describeSection(parentRef), listeners: listeners.length > 0 ? `its listeners: ${listeners.join(', ')}` : 'it has no listener' },
            object: route.source,
            path: [...parentRef.path, parentRef.sectionName !== undefined ? 'sectionName' : 'port'],
            related: [{ object: attachment.gateway.source, path: ['spec', 'listeners'], message: 'the Gateway\'s listeners' }],
            ...(hint ? { hint } : {}),
          });
          continue;
        }
        if (attachment.accepted.length > 0) continue;
        if (attachment.refused.length === 1) {
          const { listener, refusal } = attachment.refused[0];
          reports.push(refusalReport(route, parentRef, listener, refusal, routeName, gatewayName, attachment.gateway.source));
          continue;
        }
        reports.push({
          messageId: 'noListenerAccepts',
          data: { route: routeName, gateway: gatewayName, reasons: attachment.refused.map(({ listener, refusal }) => `${listener.name}: ${describeRefusal(refusal, route)}`).join('; ') },
          object: route.source,
          path: parentRef.path,
          related: attachment.refused.map(({ listener }) => ({ object: attachment.gateway.source, path: listener.path, message: `listener ${listener.name}` })),
        });
      }
    }
    return reports;
  },
});

function refusalReport(
  route: GatewayRoute,
  parentRef: ParentReference,
  listener: GatewayListener,
  refusal: ListenerRefusal,
  routeName: string,
  gatewayName: string,
  gatewaySource: ManifestObject,
): RuleReport {
  const data = { route: routeName, gateway: gatewayName, listener: listener.name };
  if (refusal.reason === 'namespace') {
    return {
      messageId: 'namespaceNotAllowed',
      data: { ...data, allowed: refusal.allowed, namespace: route.namespace },
      object: route.source,
      path: parentRef.path,
      related: [{ object: gatewaySource, path: [...listener.path, 'allowedRoutes'], message: `allowedRoutes of listener ${listener.name}` }],
    };
  }
  if (refusal.reason === 'kind') {
    return {
      messageId: 'kindNotAllowed',
      data: { ...data, allowed: refusal.allowed, kind: route.kind },
      object: route.source,
      path: parentRef.path,
      related: [{ object: gatewaySource, path: [...listener.path, listener.allowedKinds ? 'allowedRoutes' : 'protocol'], message: `listener ${listener.name}` }],
    };
  }
  return {
    messageId: 'hostnameMismatch',
    data: { ...data, hostnames: route.hostnames.join(', '), listenerHostname: refusal.listenerHostname },
    object: route.source,
    path: ['spec', 'hostnames'],
    related: [{ object: gatewaySource, path: [...listener.path, 'hostname'], message: `hostname of listener ${listener.name}` }],
  };
}

function describeRefusal(refusal: ListenerRefusal, route: GatewayRoute): string {
  if (refusal.reason === 'namespace') return `admits ${refusal.allowed}`;
  if (refusal.reason === 'kind') return `takes ${refusal.allowed}, not ${route.kind}`;
  return `hostname ${refusal.listenerHostname} has nothing in common with ${route.hostnames.join(', ')}`;
}

/** `listener https`, `port 8443`, `listener https on port 8443`. */
function describeSection(parentRef: ParentReference): string {
  if (parentRef.sectionName !== undefined && parentRef.port !== undefined) return `listener ${parentRef.sectionName} on port ${parentRef.port}`;
  return parentRef.sectionName !== undefined ? `listener ${parentRef.sectionName}` : `port ${parentRef.port}`;
}
