import { editDistance } from '../text-distance.js';
import { CALICO_GROUP_KINDS } from './calico-kinds.js';

/** Kinds whose fields k8snet reads and validates. */
export const MODELLED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'ReplicationController', 'Service', 'Endpoints', 'EndpointSlice', 'Ingress', 'IngressClass',
  'NetworkPolicy', 'Node',
  // Read without a schema: OpenShift Routes and the policy.networking.k8s.io admin policies.
  'Route', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
]);

/** A kind that k8snet models within one API group, with the versions of that group it reads. */
export interface GroupKind {
  readonly group: string;
  /** Versions served by the current release, then older ones still met in repositories. */
  readonly versions: readonly string[];
  readonly kind: string;
}

/** The API group of the Gateway API kinds. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/**
 * Kinds known by group as well as name, since another group may use the same name (Istio's
 * networking.istio.io Gateway is not the Gateway API's). Versions as of Gateway API v1.5:
 * GatewayClass, Gateway, HTTPRoute and GRPCRoute are v1; TLSRoute became v1 in 1.5 (v1alpha3 and
 * v1alpha2 deprecated); TCPRoute and UDPRoute are v1alpha2 (experimental channel); ReferenceGrant is
 * v1 and v1beta1 (v1alpha2, like GRPCRoute's, is no longer served since 1.2 but still met).
 */
export const GROUP_KINDS: readonly GroupKind[] = [
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], kind: 'GatewayClass' },
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], kind: 'Gateway' },
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], kind: 'HTTPRoute' },
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1alpha2'], kind: 'GRPCRoute' },
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1alpha3', 'v1alpha2'], kind: 'TLSRoute' },
  { group: GATEWAY_API_GROUP, versions: ['v1alpha2'], kind: 'TCPRoute' },
  { group: GATEWAY_API_GROUP, versions: ['v1alpha2'], kind: 'UDPRoute' },
  { group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1', 'v1alpha2'], kind: 'ReferenceGrant' },
  // Calico's policies, network sets, tiers and endpoints (projectcalico.org/v3, crd.projectcalico.org/v1).
  ...CALICO_GROUP_KINDS,
];

const groupKindByKey: ReadonlyMap<string, GroupKind> = new Map(GROUP_KINDS.flatMap((entry) => entry.versions.map((version): [string, GroupKind] => [`${entry.group}/${version}|${entry.kind}`, entry])));

/** Returns the modelled kind of this apiVersion and kind (a version the group does not serve is not modelled). */
export function modelledGroupKind(apiVersion: string, kind: string): GroupKind | undefined {
  return groupKindByKey.get(`${apiVersion}|${kind}`);
}

/** The name a group kind's schema is known by: `kind.group`, as kubectl writes a resource of a group. */
export function schemaName(entry: GroupKind): string {
  return `${entry.kind}.${entry.group}`;
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

/**
 * Custom resources whose operator runs pods k8snet models (src/model/operator-workloads.ts says
 * how), by API group: the loader keeps their spec and does not report them as unknown kinds.
 */
export const OPERATOR_WORKLOAD_KINDS: Readonly<Record<string, readonly string[]>> = {
  'monitoring.coreos.com': ['Prometheus', 'Alertmanager', 'ThanosRuler'],
};

/** The kind names of {@link OPERATOR_WORKLOAD_KINDS}, whatever their group, for the loader's projection. */
export const OPERATOR_WORKLOAD_KIND_NAMES: ReadonlySet<string> = new Set(Object.values(OPERATOR_WORKLOAD_KINDS).flat());

/** Returns true for a custom resource of a kind whose operator's pods k8snet models. */
export function isOperatorWorkloadKind(apiVersion: string, kind: string): boolean {
  const slash = apiVersion.indexOf('/');
  return slash !== -1 && (OPERATOR_WORKLOAD_KINDS[apiVersion.slice(0, slash)]?.includes(kind) ?? false);
}

const suggestions = new Map<string, string | undefined>();

/** Returns the modelled or built-in kind `kind` is probably a misspelling of, if any. */
export function suggestKind(kind: string): string | undefined {
  if (!suggestions.has(kind)) suggestions.set(kind, closestKind(kind));
  return suggestions.get(kind);
}

function closestKind(kind: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const wanted = kind.toLowerCase();
  for (const candidate of [...MODELLED_KINDS, ...BUILT_IN_OPAQUE_KINDS, ...GROUP_KINDS.map((entry) => entry.kind)]) {
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
 * Configuration files of tools that sit next to manifests (kustomize, kind, kubeadm, kubelet):
 * not Kubernetes objects, so they need no metadata.name, but they are kept because they carry
 * facts about the cluster (pod and service ranges, max pods).
 */
const TOOL_CONFIG_GROUPS: readonly string[] = [
  'kustomize.config.k8s.io/', 'kind.x-k8s.io/', 'kubeadm.k8s.io/', 'kubelet.config.k8s.io/', 'kubeproxy.config.k8s.io/',
];

/** Returns true for a tool configuration document such as a kustomization.yaml. */
export function isToolConfig(apiVersion: string): boolean {
  return TOOL_CONFIG_GROUPS.some((group) => apiVersion.startsWith(group));
}
