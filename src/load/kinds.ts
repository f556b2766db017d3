import { editDistance } from '../text-distance.js';

/** Kinds whose fields k8snet reads and validates. */
export const MODELLED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'ReplicationController', 'Service', 'Endpoints', 'EndpointSlice', 'Ingress', 'IngressClass',
  'NetworkPolicy', 'Node',
  // Read without a schema: OpenShift Routes and the policy.networking.k8s.io admin policies.
  'Route', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
]);

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

/** Returns the modelled or built-in kind `kind` is probably a misspelling of, if any. */
export function suggestKind(kind: string): string | undefined {
  if (!suggestions.has(kind)) suggestions.set(kind, closestKind(kind));
  return suggestions.get(kind);
}

function closestKind(kind: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const wanted = kind.toLowerCase();
  for (const candidate of [...MODELLED_KINDS, ...BUILT_IN_OPAQUE_KINDS]) {
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
