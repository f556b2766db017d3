import type { Labels } from './label-selector.js';
import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';

/** The address-plan facts a user can state in `.k8snet.yaml` `cluster:` or on the command line. */
export type StatedFactName = 'podCIDR' | 'serviceCIDR' | 'nodeCIDRMaskSize' | 'nodes' | 'maxNodes' | 'maxPodsPerNode' | 'nodePortRange';

/**
 * Where the user stated a fact: the configuration file (an object whose `path` locates it, or no
 * object when the configuration did not come from a file) or a command-line flag.
 */
export type StatedFactOrigin =
  | { readonly kind: 'config'; readonly object?: ManifestObject; readonly path: FieldPath }
  | { readonly kind: 'flag'; readonly flag: string };

/**
 * Facts about the cluster that manifests alone do not tell, from `.k8snet.yaml` `cluster:` and
 * command-line overrides. Address facts are left undefined when not stated: the address plan
 * (src/ipam) falls back to what the manifests say, then to Kubernetes' defaults, and says which.
 */
export interface ClusterFacts {
  readonly podCIDR?: readonly string[];
  readonly serviceCIDR?: readonly string[];
  /** The prefix length of each node's pod block, per family. */
  readonly nodeCIDRMaskSize?: { readonly ipv4?: number; readonly ipv6?: number };
  readonly nodes?: number;
  readonly maxNodes?: number;
  readonly maxPodsPerNode?: number;
  readonly nodePortRange?: { readonly from: number; readonly to: number };
  /** The network plugin `cluster.cni` names, canonical (src/model/network-plugin.ts): cilium, calico, flannel, other, unknown... */
  readonly cni?: string;
  /** Where cluster DNS runs. */
  readonly dns: { readonly namespace: string; readonly podLabels: Labels };
  /** The API server's addresses (IPs or CIDRs) and own port, as `.k8snet.yaml` cluster.apiServer states them. */
  readonly apiServer?: { readonly addresses?: readonly string[]; readonly port?: number };
  /** Where each stated address fact came from. */
  readonly origins: Readonly<Partial<Record<StatedFactName, StatedFactOrigin>>>;
  /** Values `.k8snet.yaml` stated that a command-line flag replaced, so the plan can say so. */
  readonly replaced?: Readonly<Partial<Record<StatedFactName, { readonly value: unknown; readonly origin: StatedFactOrigin }>>>;
}

/** The defaults of what is not an address fact. */
export const DEFAULT_CLUSTER_FACTS: ClusterFacts = {
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
  origins: {},
};
