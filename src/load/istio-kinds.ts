import type { KindDefinition } from './kinds.js';

/** The API group of Istio's security kinds (AuthorizationPolicy, PeerAuthentication, RequestAuthentication). */
export const ISTIO_SECURITY_GROUP = 'security.istio.io';

/** The API group of Istio's traffic kinds (Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar). */
export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

function istioKind(group: string, versions: readonly string[], kind: string, id = kind): KindDefinition {
  return { group, kind, versions, schema: id, id };
}

/**
 * The Istio kinds k8snet models, with the versions Istio serves them in (oldest first). The
 * security kinds are served as v1beta1 and v1 (Istio 1.22 on); the traffic kinds as v1alpha3,
 * v1beta1 and v1 (1.22 on), all versions of one group sharing one schema (the CRDs of
 * manifests/charts/base). Older versions (security.istio.io/v1alpha1's Policy,
 * authentication.istio.io) are gone since Istio 1.6 and stay other kinds. Istio's Gateway has the
 * id `IstioGateway`: the Gateway API's Gateway is another kind of the same name.
 */
export const ISTIO_KIND_DEFINITIONS: readonly KindDefinition[] = [
  istioKind(ISTIO_SECURITY_GROUP, ['v1beta1', 'v1'], 'AuthorizationPolicy'),
  istioKind(ISTIO_SECURITY_GROUP, ['v1beta1', 'v1'], 'PeerAuthentication'),
  istioKind(ISTIO_SECURITY_GROUP, ['v1beta1', 'v1'], 'RequestAuthentication'),
  istioKind(ISTIO_NETWORKING_GROUP, ['v1alpha3', 'v1beta1', 'v1'], 'Gateway', 'IstioGateway'),
  istioKind(ISTIO_NETWORKING_GROUP, ['v1alpha3', 'v1beta1', 'v1'], 'VirtualService'),
  istioKind(ISTIO_NETWORKING_GROUP, ['v1alpha3', 'v1beta1', 'v1'], 'DestinationRule'),
  istioKind(ISTIO_NETWORKING_GROUP, ['v1alpha3', 'v1beta1', 'v1'], 'ServiceEntry'),
  istioKind(ISTIO_NETWORKING_GROUP, ['v1alpha3', 'v1beta1', 'v1'], 'Sidecar'),
];

/** Returns true for an object of an Istio group k8snet models (any version; {@link ISTIO_KIND_DEFINITIONS} says which are served). */
export function isIstioApiVersion(apiVersion: string): boolean {
  return apiVersion.startsWith(`${ISTIO_SECURITY_GROUP}/`) || apiVersion.startsWith(`${ISTIO_NETWORKING_GROUP}/`);
}
