import type { ResourceGraph } from './graph.js';
import { matchesSelector } from './label-selector.js';
import {
  GATEWAY_API_GROUP, defaultRouteKinds, hasHostnames, intersectHostnames, type Gateway, type GatewayListener, type GatewayRoute, type ParentReference,
} from './gateway-api.js';

/** Why a listener does not take a route. */
export type ListenerRefusal =
  | { readonly reason: 'namespace'; readonly allowed: string }
  | { readonly reason: 'kind'; readonly allowed: string }
  | { readonly reason: 'hostname'; readonly listenerHostname: string };

/** A listener that takes a route, with the hostnames the two have in common (`*` for any). */
export interface AcceptedListener {
  readonly listener: GatewayListener;
  readonly hostnames: readonly string[];
}

/**
 * What one parentRef of a route attaches to: `other-parent` for a parent that is not a Gateway (a
 * Service of a mesh, a ListenerSet, an implementation's own kind), which k8snet does not check;
 * `no-gateway` when the manifests hold no such Gateway; `no-listener` when no listener has the
 * sectionName or port; otherwise the listeners that take the route and why the others refuse it.
 */
export type ParentAttachment =
  | { readonly status: 'other-parent'; readonly parentRef: ParentReference }
  | { readonly status: 'no-gateway'; readonly parentRef: ParentReference }
  | { readonly status: 'no-listener'; readonly parentRef: ParentReference; readonly gateway: Gateway }
  | {
    readonly status: 'listeners';
    readonly parentRef: ParentReference;
    readonly gateway: Gateway;
    readonly accepted: readonly AcceptedListener[];
    readonly refused: readonly { readonly listener: GatewayListener; readonly refusal: ListenerRefusal }[];
  };

/**
 * Resolves one parentRef of a route (Gateway API route attachment): the Gateway it names; its
 * listeners, narrowed to the one named by sectionName and to those on `port`; and of these, the
 * ones whose allowedRoutes admit the route's namespace and kind and whose hostname intersects
 * the route's hostnames. A route attaches to the parent when one listener takes it.
 */
export function attachParent(graph: ResourceGraph, route: GatewayRoute, parentRef: ParentReference): ParentAttachment {
  if (parentRef.group !== GATEWAY_API_GROUP || parentRef.kind !== 'Gateway') return { status: 'other-parent', parentRef };
  const gateway = graph.gatewayApi.gateway(parentRef.namespace, parentRef.name);
  if (!gateway) return { status: 'no-gateway', parentRef };
  const candidates = gateway.listeners.filter((listener) => (parentRef.sectionName === undefined || listener.name === parentRef.sectionName)
    && (parentRef.port === undefined || listener.port === parentRef.port));
  if (candidates.length === 0) return { status: 'no-listener', parentRef, gateway };
  const accepted: AcceptedListener[] = [];
  const refused: { listener: GatewayListener; refusal: ListenerRefusal }[] = [];
  for (const listener of candidates) {
    const refusal = refusalOf(graph, gateway, listener, route);
    if (refusal) {
      refused.push({ listener, refusal });
      continue;
    }
    accepted.push({ listener, hostnames: commonHostnames(listener, route) });
  }
  return { status: 'listeners', parentRef, gateway, accepted, refused };
}

/** Returns why `listener` of `gateway` does not take `route`, or undefined when it takes it. */
function refusalOf(graph: ResourceGraph, gateway: Gateway, listener: GatewayListener, route: GatewayRoute): ListenerRefusal | undefined {
  const namespaces = listener.allowedNamespaces;
  if (namespaces.from === 'Same' && route.namespace !== gateway.namespace) {
    return { reason: 'namespace', allowed: `only routes of its own namespace ${gateway.namespace}` };
  }
  if (namespaces.from === 'Selector') {
    const labels = graph.namespace(route.namespace)?.labels ?? { 'kubernetes.io/metadata.name': route.namespace };
    if (!matchesSelector(namespaces.selector, labels)) return { reason: 'namespace', allowed: `only routes of namespaces matching ${namespaces.selector.text}` };
  }
  if (listener.allowedKinds) {
    if (!listener.allowedKinds.some((kind) => kind.group === GATEWAY_API_GROUP && kind.kind === route.kind)) {
      return { reason: 'kind', allowed: `only ${listener.allowedKinds.map((kind) => kind.kind).join(', ')}` };
    }
  } else {
    const kinds = defaultRouteKinds(listener.protocol);
    if (kinds && !kinds.includes(route.kind)) return { reason: 'kind', allowed: `only ${kinds.join(', ')} (the kinds of protocol ${listener.protocol})` };
  }
  if (commonHostnames(listener, route).length === 0) return { reason: 'hostname', listenerHostname: listener.hostname ?? '*' };
  return undefined;
}

/** The hostnames a listener and a route have in common: the listener's own when the route names none. */
export function commonHostnames(listener: GatewayListener, route: GatewayRoute): string[] {
  if (!hasHostnames(route.kind) || route.hostnames.length === 0) return [listener.hostname ?? '*'];
  const common = new Set<string>();
  for (const hostname of route.hostnames) {
    const intersection = intersectHostnames(listener.hostname, hostname);
    if (intersection !== undefined) common.add(intersection);
  }
  return [...common];
}

/** A route attached to a listener, with the hostnames it serves there. */
export interface AttachedRoute {
  readonly route: GatewayRoute;
  readonly hostnames: readonly string[];
}

const attachedCache = new WeakMap<ResourceGraph, Map<GatewayListener, AttachedRoute[]>>();

/** Returns the routes of the manifests attached to `listener`, in route order (each once). */
export function routesAttachedTo(graph: ResourceGraph, listener: GatewayListener): readonly AttachedRoute[] {
  let byListener = attachedCache.get(graph);
  if (!byListener) {
    byListener = new Map();
    for (const route of graph.gatewayApi.routes) {
      for (const parentRef of route.parentRefs) {
        const attachment = attachParent(graph, route, parentRef);
        if (attachment.status !== 'listeners') continue;
        for (const { listener: accepted, hostnames } of attachment.accepted) {
          const list = byListener.get(accepted) ?? [];
          const existing = list.find((entry) => entry.route === route);
          if (existing) (existing.hostnames as string[]).push(...hostnames.filter((hostname) => !existing.hostnames.includes(hostname)));
          else list.push({ route, hostnames: [...hostnames] });
          byListener.set(accepted, list);
        }
      }
    }
    attachedCache.set(graph, byListener);
  }
  return byListener.get(listener) ?? [];
}
