import type { GroupKind } from './kinds.js';

/** The API group of Istio's security kinds (AuthorizationPolicy, PeerAuthentication, RequestAuthentication). */
export const ISTIO_SECURITY_GROUP = 'security.istio.io';

/** The API group of Istio's traffic kinds (Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar). */
export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

/**
 * The Istio kinds k8snet models, with the versions Istio serves them in. The security kinds are
 * served as v1 (Istio 1.22 on) and v1beta1; the traffic kinds as v1 (1.22 on), v1beta1 and
 * v1alpha3, all versions of one group sharing one schema (the CRDs of manifests/charts/base).
 * Older versions (security.istio.io/v1alpha1's Policy, authentication.istio.io) are gone since
 * Istio 1.6 and stay unknown kinds.
 */
export const ISTIO_GROUP_KINDS: readonly GroupKind[] = [
  { group: ISTIO_SECURITY_GROUP, versions: ['v1', 'v1beta1'], kind: 'AuthorizationPolicy' },
  { group: ISTIO_SECURITY_GROUP, versions: ['v1', 'v1beta1'], kind: 'PeerAuthentication' },
  { group: ISTIO_SECURITY_GROUP, versions: ['v1', 'v1beta1'], kind: 'RequestAuthentication' },
  { group: ISTIO_NETWORKING_GROUP, versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'Gateway' },
  { group: ISTIO_NETWORKING_GROUP, versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'VirtualService' },
  { group: ISTIO_NETWORKING_GROUP, versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'DestinationRule' },
  { group: ISTIO_NETWORKING_GROUP, versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'ServiceEntry' },
  { group: ISTIO_NETWORKING_GROUP, versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'Sidecar' },
];

/** Returns true for an object of an Istio group k8snet models (any version; {@link ISTIO_GROUP_KINDS} says which are served). */
export function isIstioApiVersion(apiVersion: string): boolean {
  return apiVersion.startsWith(`${ISTIO_SECURITY_GROUP}/`) || apiVersion.startsWith(`${ISTIO_NETWORKING_GROUP}/`);
}
