import type { GroupKind } from './kinds.js';

/** The API group of Calico's own API (the Calico API server, and its CRDs since Calico 3.31). */
export const CALICO_API_GROUP = 'projectcalico.org';

/**
 * The API group of the CustomResourceDefinitions Calico stores its objects in with the Kubernetes
 * datastore. `kubectl get globalnetworkpolicies.crd.projectcalico.org -o yaml` exports this form:
 * the same spec, names of default-tier policies prefixed `default.`, and the object's own labels
 * and annotations also kept as JSON in the `projectcalico.org/metadata` annotation.
 */
export const CALICO_CRD_GROUP = 'crd.projectcalico.org';

/** The Calico kinds k8snet reads; each is known in both groups. */
export const CALICO_KIND_NAMES = [
  'NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy',
  'NetworkSet', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile', 'WorkloadEndpoint',
] as const;

/** One of {@link CALICO_KIND_NAMES}. */
export type CalicoKindName = (typeof CALICO_KIND_NAMES)[number];

/**
 * Calico's kinds by group, in the shape of kinds.ts `GROUP_KINDS`: `projectcalico.org/v3` (the
 * API every Calico document writes) and `crd.projectcalico.org/v1` (its storage, as exported).
 * WorkloadEndpoint is served by the API server only (it is made from Pods), so it has no CRD.
 */
export const CALICO_GROUP_KINDS: readonly GroupKind[] = [
  ...CALICO_KIND_NAMES.map((kind): GroupKind => ({ group: CALICO_API_GROUP, versions: ['v3'], kind })),
  ...CALICO_KIND_NAMES.filter((kind) => kind !== 'WorkloadEndpoint').map((kind): GroupKind => ({ group: CALICO_CRD_GROUP, versions: ['v1'], kind })),
];

/** Calico kinds that are not namespaced. */
export const CALICO_CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile',
]);

/** Calico policy kinds: the API server rejects the whole policy when a field is wrong, so k8snet leaves it out. */
export const CALICO_POLICY_KINDS: ReadonlySet<string> = new Set([
  'NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy',
]);

/** Returns true for a group kind of Calico's (either group). */
export function isCalicoGroupKind(entry: GroupKind | undefined): boolean {
  return entry !== undefined && (entry.group === CALICO_API_GROUP || entry.group === CALICO_CRD_GROUP);
}
