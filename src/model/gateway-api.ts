import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { Labels, LabelSelector } from './label-selector.js';

export { GATEWAY_API_GROUP } from '../load/kinds.js';

/** The route kinds of the Gateway API. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';

/** Every route kind, in the order k8snet lists them. */
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];

/** A group and kind, as `allowedRoutes.kinds` and ReferenceGrants name them; `''` is the core group. */
export interface GroupKindName {
  readonly group: string;
  readonly kind: string;
}

/**
 * A reference to another object with the API's defaults applied: ParentReference (a Gateway of
 * the referrer's namespace by default), BackendObjectReference (a core Service of the referrer's
 * namespace) or SecretObjectReference (a core Secret of the referrer's namespace).
 */
export interface ObjectReference extends GroupKindName {
  readonly namespace: string;
  readonly name: string;
  /** Where the reference is written inside its object. */
  readonly path: FieldPath;
}

/** A route's `parentRefs` entry: a Gateway, one of its listeners (sectionName) or its listeners on a port. */
export interface ParentReference extends ObjectReference {
  readonly sectionName?: string;
  readonly port?: number;
}

/** A rule's `backendRefs` entry. */
export interface BackendReference extends ObjectReference {
  /** The Service port (required for a Service); undefined for kinds that need none. */
  readonly port?: number;
  /** Share of the rule's traffic, 1 by default; 0 sends it nothing. */
  readonly weight: number;
}

/** A GatewayClass: which controller implements the Gateways of the class. */
export interface GatewayClass {
  readonly name: string;
  readonly controllerName?: string;
  readonly source: ManifestObject;
}

/** Where routes may attach to a listener from (`allowedRoutes.namespaces`). */
export type RouteNamespaces =
  | { readonly from: 'All' | 'Same' }
  | { readonly from: 'Selector'; readonly selector: LabelSelector };

/** A listener of a Gateway. */
export interface GatewayListener {
  readonly name: string;
  readonly port: number;
  /** `HTTP`, `HTTPS`, `TLS`, `TCP`, `UDP`, or an implementation's own protocol (a domain-prefixed name). */
  readonly protocol: string;
  /** Lowercased; undefined matches every hostname. */
  readonly hostname?: string;
  readonly tls?: { readonly mode: 'Terminate' | 'Passthrough'; readonly certificateRefs: readonly ObjectReference[] };
  readonly allowedNamespaces: RouteNamespaces;
  /** `allowedRoutes.kinds` when written and not empty; otherwise the kinds of the protocol apply. */
  readonly allowedKinds?: readonly GroupKindName[];
  readonly path: FieldPath;
}

/** A Gateway (gateway.networking.k8s.io): listeners where clients enter, and its addresses. */
export interface Gateway {
  readonly namespace: string;
  readonly name: string;
  readonly className: string;
  readonly listeners: readonly GatewayListener[];
  /** `spec.addresses` then `status.addresses`, as written. */
  readonly addresses: readonly { readonly type: string; readonly value: string; readonly path: FieldPath }[];
  /** `metadata.annotations` and `spec.infrastructure.annotations` (the latter win), which implementations read. */
  readonly annotations: Labels;
  readonly source: ManifestObject;
}

/** One match of a route rule, reduced to what decides which requests it takes. */
export interface RouteMatch {
  /** Equal for two matches that take the same requests (path type and value, method, headers, query parameters). */
  readonly key: string;
  /** The match as users read it: `PathPrefix /api`, `GET Exact /login`, `service shop.Cart`. */
  readonly description: string;
  readonly path: FieldPath;
}

/** One rule of a route. */
export interface RouteRule {
  /** The rule's matches; a rule without matches takes every request (HTTP: PathPrefix /). */
  readonly matches: readonly RouteMatch[];
  readonly backendRefs: readonly BackendReference[];
  /** True when the rule answers with a redirect to https instead of forwarding. */
  readonly redirectsToHttps: boolean;
  readonly path: FieldPath;
}

/** An HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute. */
export interface GatewayRoute {
  readonly kind: RouteKind;
  readonly namespace: string;
  readonly name: string;
  readonly parentRefs: readonly ParentReference[];
  /** Lowercased; empty when the route names none (every hostname), and always for TCP and UDP routes. */
  readonly hostnames: readonly string[];
  readonly rules: readonly RouteRule[];
  /** `metadata.creationTimestamp` when the manifests carry it (cluster dumps do): the oldest route wins a tie. */
  readonly creationTimestamp?: string;
  readonly source: ManifestObject;
}

/** A ReferenceGrant: which kinds of which namespaces may refer to objects of its own namespace. */
export interface ReferenceGrant {
  readonly namespace: string;
  readonly name: string;
  readonly from: readonly (GroupKindName & { readonly namespace: string })[];
  /** `name` undefined grants every object of the group and kind. */
  readonly to: readonly (GroupKindName & { readonly name?: string })[];
  readonly source: ManifestObject;
}

/** The Gateway API objects of the manifests. */
export interface GatewayApiObjects {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly routes: readonly GatewayRoute[];
  readonly referenceGrants: readonly ReferenceGrant[];
}

/**
 * Returns the route kinds a listener accepts when `allowedRoutes.kinds` is not written, from its
 * protocol (AllowedRoutes docs: "determined using the Listener protocol"): HTTPRoute and GRPCRoute
 * on HTTP and HTTPS (GRPCRoute over h2c or TLS), TLSRoute on TLS (and TCPRoute, which TLS listeners
 * accepted before v1.5), TCPRoute on TCP, UDPRoute on UDP; undefined for an implementation's own
 * protocol, whose kinds only the implementation knows.
 */
export function defaultRouteKinds(protocol: string): readonly RouteKind[] | undefined {
  switch (protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return ['TLSRoute', 'TCPRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return undefined;
  }
}

/** Returns true for the route kinds that carry hostnames (matched against a listener's hostname). */
export function hasHostnames(kind: RouteKind): boolean {
  return kind === 'HTTPRoute' || kind === 'GRPCRoute' || kind === 'TLSRoute';
}

/**
 * Returns the hostname both `a` and `b` match, or undefined when they have none in common; an
 * undefined hostname is the catch-all `*`. Gateway API hostnames (concepts/hostnames): a wildcard
 * `*.example.com` is the leftmost label only and matches one or more labels, so `*.com` and
 * `*.example.com` intersect in `*.example.com`, and `*.example.com` matches `a.b.example.com`.
 */
export function intersectHostnames(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || a === '*') return b ?? '*';
  if (b === undefined || b === '*') return a;
  if (a === b) return a;
  if (a.startsWith('*.') && matchesWildcard(a, b)) return b;
  if (b.startsWith('*.') && matchesWildcard(b, a)) return a;
  return undefined;
}

/** True when wildcard `*.suffix` matches `name` (precise or a narrower wildcard): one or more labels before the suffix. */
function matchesWildcard(wildcard: string, name: string): boolean {
  const suffix = wildcard.slice(1); // `.example.com`
  const rest = name.startsWith('*.') ? name.slice(1) : name;
  return rest.length > suffix.length && rest.endsWith(suffix);
}

/** Formats a reference as kubectl users read it: `Service shop/web`, `Gateway infra/public`. */
export function describeReference(reference: ObjectReference): string {
  return `${reference.kind} ${reference.namespace}/${reference.name}`;
}

/**
 * Orders two routes that match the same requests the way the Gateway API breaks the tie
 * (HTTPRouteRule, GRPCRouteRule, TLSRouteRule docs): the oldest by creation timestamp first, then
 * the first in alphabetical order of `namespace/name`. Negative when `a` wins. Without both
 * timestamps (manifests rarely carry them) only the name order is known.
 */
export function compareRoutePrecedence(a: GatewayRoute, b: GatewayRoute): number {
  const aTime = a.creationTimestamp !== undefined ? Date.parse(a.creationTimestamp) : Number.NaN;
  const bTime = b.creationTimestamp !== undefined ? Date.parse(b.creationTimestamp) : Number.NaN;
  if (!Number.isNaN(aTime) && !Number.isNaN(bTime) && aTime !== bTime) return aTime - bTime;
  const aName = `${a.namespace}/${a.name}`;
  const bName = `${b.namespace}/${b.name}`;
  return aName < bName ? -1 : aName > bName ? 1 : 0;
}
