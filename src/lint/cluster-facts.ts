import type { Labels } from '../model/label-selector.js';

/** Facts about the cluster that manifests alone do not tell, from `.k8snet.yaml` `cluster:`. */
export interface ClusterFacts {
  readonly podCIDR?: readonly string[];
  readonly serviceCIDR?: readonly string[];
  readonly nodeCIDRMaskSize?: number;
  readonly nodes?: number;
  readonly maxNodes?: number;
  readonly maxPodsPerNode: number;
  readonly nodePortRange: { readonly from: number; readonly to: number };
  /** The network plugin, when known: calico, cilium, flannel, ... */
  readonly cni?: string;
  /** Where cluster DNS runs. */
  readonly dns: { readonly namespace: string; readonly podLabels: Labels };
}

/** The defaults Kubernetes and kubeadm use. */
export const DEFAULT_CLUSTER_FACTS: ClusterFacts = {
  maxPodsPerNode: 110,
  nodePortRange: { from: 30000, to: 32767 },
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
};
