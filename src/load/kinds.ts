import { editDistance } from '../text-distance.js';
import { CILIUM_KIND_DEFINITIONS } from './cilium-kinds.js';
import { ISTIO_KIND_DEFINITIONS } from './istio-kinds.js';
import { CALICO_KIND_DEFINITIONS, isCalicoIpPool, isTigeraInstallation } from './calico-kinds.js';

/**
 * A kind whose fields k8snet reads: the API group that serves it, the versions the API server
 * serves today, the schema its fields are validated with, and the name the graph builder knows
 * it by.
 *
 * Kinds are identified by group and kind, never by name alone: `projectcalico.org/v3`
 * NetworkPolicy and `serving.knative.dev/v1` Service are other kinds than Kubernetes' own.
 * Modelling a kind of a new group is one entry here, e.g.
 * `{ group: 'projectcalico.org', kind: 'NetworkPolicy', versions: ['v3'], schema: 'CalicoNetworkPolicy', id: 'CalicoNetworkPolicy' }`,
 * its schema in schemas.ts under that key, and its reading in the graph builder, which groups
 * objects by {@link modelledKindOf} (the `id`). Until then such objects are other kinds,
 * summarised in an input-unknown-kind info per group and kind.
 */
export interface KindDefinition {
  /** The API group, `''` for the core group (`apiVersion: v1`). */
  readonly group: string;
  readonly kind: string;
  /**
   * The versions an object may be written in, oldest first: the last is the one to write. Other
   * versions of a built-in group are refused; those of a custom group are other kinds.
   */
  readonly versions: readonly string[];
  /** The key of its schema in `KIND_SCHEMAS` (a file name of the build: no '/'). */
  readonly schema: string;
  /**
   * The name the graph builder knows the kind by, unique across groups: the kind itself for
   * Kubernetes' own kinds, a name of its own for another group's kind of the same name.
   */
  readonly id: string;
}

function kinds(group: string, versions: readonly string[], names: readonly string[]): KindDefinition[] {
  return names.map((kind) => ({ group, kind, versions, schema: kind, id: kind }));
}

/** The API group of the Gateway API kinds. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The API group of prometheus-operator's custom resources. */
const PROMETHEUS_OPERATOR_GROUP = 'monitoring.coreos.com';

/** Every kind k8snet validates and reads, by group. */
export const KIND_DEFINITIONS: readonly KindDefinition[] = [
  ...kinds('', ['v1'], ['Namespace', 'Pod', 'Service', 'Node', 'Endpoints', 'ReplicationController']),
  ...kinds('apps', ['v1'], ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']),
  ...kinds('batch', ['v1'], ['Job', 'CronJob']),
  ...kinds('networking.k8s.io', ['v1'], ['NetworkPolicy', 'Ingress', 'IngressClass']),
  ...kinds('discovery.k8s.io', ['v1'], ['EndpointSlice']),
  // Read by the address plan (maxReplicas): validated so that a value the API server refuses
  // never reaches it.
  ...kinds('autoscaling', ['v1', 'v2'], ['HorizontalPodAutoscaler']),
  ...kinds('policy.networking.k8s.io', ['v1alpha1'], ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']),
  ...kinds('policy.networking.k8s.io', ['v1alpha2'], ['ClusterNetworkPolicy']),
  ...kinds('route.openshift.io', ['v1'], ['Route']),
  // Versions as of Gateway API v1.5: GatewayClass, Gateway, HTTPRoute and GRPCRoute are v1;
  // TLSRoute became v1 in 1.5 (v1alpha3 and v1alpha2 deprecated); TCPRoute and UDPRoute are
  // v1alpha2 (experimental channel); ReferenceGrant is v1 and v1beta1 (v1alpha2, like GRPCRoute's,
  // is no longer served since 1.2 but still met). Istio's networking.istio.io Gateway is another kind.
  ...kinds(GATEWAY_API_GROUP, ['v1beta1', 'v1'], ['GatewayClass', 'Gateway', 'HTTPRoute']),
  ...kinds(GATEWAY_API_GROUP, ['v1alpha2', 'v1'], ['GRPCRoute']),
  ...kinds(GATEWAY_API_GROUP, ['v1alpha2', 'v1alpha3', 'v1'], ['TLSRoute']),
  ...kinds(GATEWAY_API_GROUP, ['v1alpha2'], ['TCPRoute', 'UDPRoute']),
  ...kinds(GATEWAY_API_GROUP, ['v1alpha2', 'v1beta1', 'v1'], ['ReferenceGrant']),
  // Custom resources whose operator runs pods (src/model/operator-workloads.ts says how); `.k8snet.yaml`
  // `workloads:` declares others, which the loader reads without a schema.
  ...kinds(PROMETHEUS_OPERATOR_GROUP, ['v1'], ['Prometheus', 'Alertmanager', 'ThanosRuler']),
  ...CILIUM_KIND_DEFINITIONS,
  ...ISTIO_KIND_DEFINITIONS,
  ...CALICO_KIND_DEFINITIONS,
];

/** The names of the modelled kinds, for code that only needs to know a name may be one of them. */
export const MODELLED_KINDS: ReadonlySet<string> = new Set(KIND_DEFINITIONS.map((definition) => definition.kind));

const DEFINITIONS_BY_GROUP_AND_KIND: ReadonlyMap<string, KindDefinition> = new Map(
  KIND_DEFINITIONS.map((definition) => [`${definition.group}/${definition.kind}`, definition]),
);

/** The group and version of an `apiVersion`: `apps/v1` → `apps`, `v1`; `v1` → the core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * API groups that kube-apiserver serves itself, not through a CustomResourceDefinition: in these,
 * a version or kind it does not serve is refused ("no matches for kind"), whereas a custom
 * group may serve any version its CRD declares.
 */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '', 'apps', 'batch', 'extensions', 'networking.k8s.io', 'discovery.k8s.io', 'autoscaling', 'policy',
  'rbac.authorization.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io',
  'apiregistration.k8s.io', 'certificates.k8s.io', 'coordination.k8s.io', 'events.k8s.io', 'node.k8s.io',
  'scheduling.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io', 'authentication.k8s.io',
  'authorization.k8s.io', 'internal.apiserver.k8s.io', 'storagemigration.k8s.io',
]);

/** A version the API server no longer serves: the release that removed it and what to write instead. */
export interface RemovedVersion {
  readonly removedIn: string;
  readonly replacement: string | undefined;
}

/**
 * API versions removed from Kubernetes, by `apiVersion` and kind (the Kubernetes deprecated API
 * migration guide). `kubectl apply` of such an object fails with `no matches for kind "Ingress"
 * in version "extensions/v1beta1"`: the object never reaches the cluster.
 */
const REMOVED_VERSIONS: Readonly<Record<string, Readonly<Record<string, RemovedVersion>>>> = {
  'extensions/v1beta1': {
    Deployment: { removedIn: '1.16', replacement: 'apps/v1' },
    DaemonSet: { removedIn: '1.16', replacement: 'apps/v1' },
    ReplicaSet: { removedIn: '1.16', replacement: 'apps/v1' },
    NetworkPolicy: { removedIn: '1.16', replacement: 'networking.k8s.io/v1' },
    PodSecurityPolicy: { removedIn: '1.16', replacement: undefined },
    Ingress: { removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  },
  'apps/v1beta1': {
    Deployment: { removedIn: '1.16', replacement: 'apps/v1' },
    StatefulSet: { removedIn: '1.16', replacement: 'apps/v1' },
    ControllerRevision: { removedIn: '1.16', replacement: 'apps/v1' },
  },
  'apps/v1beta2': {
    Deployment: { removedIn: '1.16', replacement: 'apps/v1' },
    StatefulSet: { removedIn: '1.16', replacement: 'apps/v1' },
    DaemonSet: { removedIn: '1.16', replacement: 'apps/v1' },
    ReplicaSet: { removedIn: '1.16', replacement: 'apps/v1' },
    ControllerRevision: { removedIn: '1.16', replacement: 'apps/v1' },
  },
  'networking.k8s.io/v1beta1': {
    Ingress: { removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
    IngressClass: { removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  },
  'rbac.authorization.k8s.io/v1beta1': Object.fromEntries(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']
    .map((kind) => [kind, { removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' }])),
  'apiextensions.k8s.io/v1beta1': { CustomResourceDefinition: { removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' } },
  'admissionregistration.k8s.io/v1beta1': {
    MutatingWebhookConfiguration: { removedIn: '1.22', replacement: 'admissionregistration.k8s.io/v1' },
    ValidatingWebhookConfiguration: { removedIn: '1.22', replacement: 'admissionregistration.k8s.io/v1' },
  },
  'batch/v1beta1': { CronJob: { removedIn: '1.25', replacement: 'batch/v1' } },
  'batch/v2alpha1': { CronJob: { removedIn: '1.21', replacement: 'batch/v1' } },
  'discovery.k8s.io/v1beta1': { EndpointSlice: { removedIn: '1.25', replacement: 'discovery.k8s.io/v1' } },
  'policy/v1beta1': {
    PodDisruptionBudget: { removedIn: '1.25', replacement: 'policy/v1' },
    PodSecurityPolicy: { removedIn: '1.25', replacement: undefined },
  },
  'autoscaling/v2beta1': { HorizontalPodAutoscaler: { removedIn: '1.25', replacement: 'autoscaling/v2' } },
  'autoscaling/v2beta2': { HorizontalPodAutoscaler: { removedIn: '1.26', replacement: 'autoscaling/v2' } },
};

/** What the loader makes of an object's apiVersion and kind. */
export type KindIdentity =
  /** A kind k8snet validates and reads. */
  | { readonly status: 'modelled'; readonly definition: KindDefinition }
  /** A version the API server does not serve for this kind: refused, as kubectl apply would be. */
  | { readonly status: 'not-served'; readonly removed?: RemovedVersion; readonly servedAs?: string }
  /** Anything else: a built-in kind k8snet does not analyse, or a custom resource. */
  | { readonly status: 'other'; readonly group: string };

/** Identities by apiVersion, then kind: a folder holds few distinct pairs, and objects are many. */
const identities = new Map<string, Map<string, KindIdentity>>();

/** Identifies an object by its apiVersion and kind (cached). */
export function identifyKind(apiVersion: string, kind: string): KindIdentity {
  let byKind = identities.get(apiVersion);
  if (!byKind) identities.set(apiVersion, (byKind = new Map()));
  let identity = byKind.get(kind);
  if (!identity) {
    identity = computeIdentity(apiVersion, kind);
    byKind.set(kind, identity);
  }
  return identity;
}

function computeIdentity(apiVersion: string, kind: string): KindIdentity {
  const removed = Object.hasOwn(REMOVED_VERSIONS, apiVersion) ? REMOVED_VERSIONS[apiVersion] : undefined;
  if (removed && Object.hasOwn(removed, kind)) return { status: 'not-served', removed: removed[kind] };
  const { group, version } = splitApiVersion(apiVersion);
  const definition = DEFINITIONS_BY_GROUP_AND_KIND.get(`${group}/${kind}`);
  if (definition) {
    if (definition.versions.includes(version)) return { status: 'modelled', definition };
    // A custom group (a CRD) may serve versions k8snet does not know; a built-in one does not.
    return BUILT_IN_GROUPS.has(group) ? { status: 'not-served', servedAs: apiVersionOf(definition) } : { status: 'other', group };
  }
  if (BUILT_IN_GROUPS.has(group) && MODELLED_KINDS.has(kind)) {
    // `apiVersion: v1` with `kind: Deployment`: a modelled kind in a built-in group that does not
    // serve it. Kinds of other dialects with the same name live in custom groups, not here.
    const served = KIND_DEFINITIONS.filter((candidate) => candidate.kind === kind && BUILT_IN_GROUPS.has(candidate.group));
    if (served.length > 0) return { status: 'not-served', servedAs: apiVersionOf(served[0]) };
  }
  return { status: 'other', group };
}

/** The apiVersion to write a kind in (its newest served version). */
export function apiVersionOf(definition: KindDefinition): string {
  const version = definition.versions[definition.versions.length - 1];
  return definition.group === '' ? version : `${definition.group}/${version}`;
}

/**
 * The modelled kind an object is, by its registry `id` (`NetworkPolicy` for networking.k8s.io/v1
 * NetworkPolicy), or undefined for every other object, whatever its kind's name: the graph
 * builder groups objects with this, so a Calico NetworkPolicy is never read as a Kubernetes one.
 */
export function modelledKindOf(object: { readonly apiVersion: string; readonly kind: string }): string | undefined {
  const identity = identifyKind(object.apiVersion, object.kind);
  return identity.status === 'modelled' ? identity.definition.id : undefined;
}

/**
 * Built-in kinds (and a few ubiquitous add-ons) that carry no network behaviour k8snet models:
 * they are kept as opaque objects without a note, since they are neither unknown nor misspelt.
 */
const BUILT_IN_OPAQUE_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
  'PersistentVolume', 'PersistentVolumeClaim', 'StorageClass', 'VolumeAttachment', 'CSIDriver', 'CSINode',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'LimitRange', 'ResourceQuota', 'PriorityClass',
  'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'Lease', 'Event',
  'ControllerRevision', 'PodTemplate', 'RuntimeClass', 'CertificateSigningRequest', 'ComponentStatus',
  'Binding', 'FlowSchema', 'PriorityLevelConfiguration', 'ServiceCIDR', 'IPAddress', 'ResourceClaim',
  'DeviceClass', 'ResourceSlice', 'PodSecurityPolicy', 'VerticalPodAutoscaler',
]);

/** Returns true for a built-in kind that k8snet keeps but does not analyse. */
export function isBuiltInOpaqueKind(kind: string): boolean {
  return BUILT_IN_OPAQUE_KINDS.has(kind);
}

const suggestions = new Map<string, string | undefined>();

/**
 * Returns the kind `kind` of API group `group` is probably a misspelling of, if any: for a built-in
 * group, among Kubernetes' kinds; for another group of the registry (the Gateway API's, say),
 * among its kinds there (`HttpRoute` → `HTTPRoute`). Another custom group may serve any kind, so
 * nothing is suggested for it.
 */
export function suggestKind(kind: string, group: string): string | undefined {
  const candidates = BUILT_IN_GROUPS.has(group) ? BUILT_IN_CANDIDATES : CANDIDATES_BY_CUSTOM_GROUP.get(group);
  if (!candidates) return undefined;
  const key = `${group}\u0000${kind}`;
  if (!suggestions.has(key)) suggestions.set(key, closestKind(kind, candidates));
  return suggestions.get(key);
}

/** The kinds of the built-in groups, modelled or not. */
const BUILT_IN_CANDIDATES: readonly string[] = [
  ...new Set([...KIND_DEFINITIONS.filter((definition) => BUILT_IN_GROUPS.has(definition.group)).map((definition) => definition.kind), ...BUILT_IN_OPAQUE_KINDS]),
];

/** The modelled kinds of each custom group of the registry. */
const CANDIDATES_BY_CUSTOM_GROUP: ReadonlyMap<string, readonly string[]> = KIND_DEFINITIONS
  .filter((definition) => !BUILT_IN_GROUPS.has(definition.group))
  .reduce((byGroup, definition) => byGroup.set(definition.group, [...(byGroup.get(definition.group) ?? []), definition.kind]), new Map<string, string[]>());

function closestKind(kind: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const wanted = kind.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the difference of the lengths: too far already.
    if (Math.abs(wanted.length - candidate.length) >= bestDistance) continue;
    // Plain Levenshtein distance, a swap of neighbours counting as two edits, as kinds have always
    // been matched: counting swaps as one edit would change the suggestions for some typos.
    const distance = editDistance(wanted, candidate.toLowerCase(), { transpositions: false });
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && best !== kind ? best : undefined;
}

/**
 * Configuration files of tools that carry facts about the cluster (kind, kubeadm, kubelet,
 * kube-proxy): not Kubernetes objects, so they need no metadata.name, but they are kept because
 * they state pod and service ranges and max pods.
 */
const TOOL_CONFIG_GROUPS: readonly string[] = [
  'kind.x-k8s.io/', 'kubeadm.k8s.io/', 'kubelet.config.k8s.io/', 'kubeproxy.config.k8s.io/',
];

/** Returns true for a tool configuration document that carries cluster facts, such as a kubeadm ClusterConfiguration. */
export function isToolConfig(apiVersion: string): boolean {
  return TOOL_CONFIG_GROUPS.some((group) => apiVersion.startsWith(group));
}

/**
 * Custom kinds k8snet reads cluster facts from without modelling them: Calico's IPPools and the
 * Tigera operator's Installation (the pod ranges pods take their IPs from, for ipam and for rules
 * naming addresses), and Calico's FelixConfiguration (failsafe ports at host endpoints). Not
 * reported as unknown kinds: k8snet does use them.
 */
export function isClusterFactKind(apiVersion: string, kind: string): boolean {
  return isCalicoIpPool({ apiVersion, kind }) || isTigeraInstallation({ apiVersion, kind })
    || (kind === 'FelixConfiguration' && (apiVersion.startsWith('projectcalico.org/') || apiVersion.startsWith('crd.projectcalico.org/')));
}
