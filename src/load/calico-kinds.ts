import type { KindDefinition } from './kinds.js';

/** The API group of Calico's own API (the Calico API server, and its CRDs since Calico 3.31). */
export const CALICO_API_GROUP = 'projectcalico.org';

/**
 * The API group of the CustomResourceDefinitions Calico stores its objects in with the Kubernetes
 * datastore. `kubectl get globalnetworkpolicies.crd.projectcalico.org -o yaml` exports this form:
 * the same spec, names of default-tier policies prefixed `default.`, and the object's own labels
 * and annotations also kept as JSON in the `projectcalico.org/metadata` annotation.
 */
export const CALICO_CRD_GROUP = 'crd.projectcalico.org';

/**
 * True for a Calico IPPool (either group): the ranges calico-ipam takes pod IPs from. Read as a
 * cluster fact (the loader keeps it whole), not a modelled kind.
 */
export function isCalicoIpPool(object: { readonly apiVersion: string; readonly kind: string }): boolean {
  const slash = object.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : object.apiVersion.slice(0, slash);
  return object.kind === 'IPPool' && (group === CALICO_API_GROUP || group === CALICO_CRD_GROUP);
}

/** True for the Tigera operator's Installation (operator.tigera.io): how the operator installs Calico. */
export function isTigeraInstallation(object: { readonly apiVersion: string; readonly kind: string }): boolean {
  return object.kind === 'Installation' && object.apiVersion.startsWith('operator.tigera.io/');
}

/** One IP pool as an IPPool or an Installation states it, with where its fields are. */
export interface StatedCalicoPool {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
  /** The path of the pool's fields in its object (`['spec']` for an IPPool). */
  readonly path: readonly (string | number)[];
}

/**
 * The IP pools an object states: an IPPool's own spec, or the pools of an Installation's
 * spec.calicoNetwork.ipPools, which the operator makes into IPPools (`default-ipv4-ippool`, or the
 * name given) when the cluster is installed. Empty for any other object.
 */
export function statedCalicoPools(object: { readonly apiVersion: string; readonly kind: string; readonly name?: string; readonly value: Record<string, unknown> }): StatedCalicoPool[] {
  const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isCalicoIpPool(object)) return [{ name: object.name ?? '', spec: isRecord(object.value.spec) ? object.value.spec : {}, path: ['spec'] }];
  if (!isTigeraInstallation(object)) return [];
  const spec = object.value.spec;
  const network = isRecord(spec) ? spec.calicoNetwork : undefined;
  const pools = isRecord(network) && Array.isArray(network.ipPools) ? network.ipPools : [];
  return pools.flatMap((pool, index) => {
    if (!isRecord(pool)) return [];
    const family = typeof pool.cidr === 'string' && pool.cidr.includes(':') ? 6 : 4;
    return [{ name: typeof pool.name === 'string' ? pool.name : `default-ipv${family}-ippool`, spec: pool, path: ['spec', 'calicoNetwork', 'ipPools', index] }];
  });
}

/** The Calico kinds k8snet reads; each is known in both groups. */
export const CALICO_KIND_NAMES = [
  'NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy',
  'NetworkSet', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile', 'WorkloadEndpoint',
] as const;

/** One of {@link CALICO_KIND_NAMES}. */
export type CalicoKindName = (typeof CALICO_KIND_NAMES)[number];

/**
 * Calico's kinds in the kind registry: `projectcalico.org/v3` (the API every Calico document
 * writes) and `crd.projectcalico.org/v1` (its storage, as exported). WorkloadEndpoint is served by
 * the API server only (it is made from Pods), so it has no CRD. Both forms of a kind share one
 * schema (`Calico<Kind>`); their ids differ (`Calico<Kind>`, `CalicoCrd<Kind>`), since ids are
 * unique and the builder reads the CRD form differently (its `default.` prefixes and metadata
 * annotation). No id is a Kubernetes kind's: a Calico NetworkPolicy is never read as one.
 */
export const CALICO_KIND_DEFINITIONS: readonly KindDefinition[] = [
  ...CALICO_KIND_NAMES.map((kind): KindDefinition => ({ group: CALICO_API_GROUP, kind, versions: ['v3'], schema: `Calico${kind}`, id: `Calico${kind}` })),
  ...CALICO_KIND_NAMES.filter((kind) => kind !== 'WorkloadEndpoint')
    .map((kind): KindDefinition => ({ group: CALICO_CRD_GROUP, kind, versions: ['v1'], schema: `Calico${kind}`, id: `CalicoCrd${kind}` })),
];

/** Calico kinds that are not namespaced. */
export const CALICO_CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile',
]);
