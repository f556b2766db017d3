import type { ResourceGraph } from './graph.js';
import type { Labels } from './label-selector.js';
import type { Pod } from './types.js';
import type { CalicoHostEndpoint, CalicoNetworkSet, CalicoPolicy, CalicoWorkloadEndpoint } from './calico.js';
import { evaluateCalicoSelector } from './calico-selector.js';
import {
  ProfileLookup, hostEndpointLabels, networkSetLabels, podEndpointLabels, policyEndpointSelector, serviceAccountLabelsOf, workloadEndpointLabels,
} from './calico-endpoints.js';

/**
 * Calico's view of a graph's endpoints: the labels its selectors see on each pod (as a workload
 * endpoint), exported WorkloadEndpoint, HostEndpoint and network set, and which Calico policies
 * apply to each. Computed on first use and remembered per graph (the graph never changes).
 */
export class CalicoView {
  private readonly profiles: ProfileLookup;
  private readonly podLabelsCache = new Map<Pod, Labels>();
  private readonly policiesByPod = new Map<Pod, readonly CalicoPolicy[]>();

  constructor(private readonly graph: ResourceGraph) {
    const serviceAccounts = serviceAccountLabelsOf(graph.otherObjects, (object) => object.namespace ?? graph.defaultNamespace);
    this.profiles = new ProfileLookup(graph.calico.profiles, graph.namespaces, serviceAccounts);
    this.serviceAccounts = serviceAccounts;
  }

  private readonly serviceAccounts: ReadonlyMap<string, Labels>;

  /** True when the graph holds Calico policies (enforced ones). */
  get hasPolicies(): boolean {
    return this.graph.calico.policies.length > 0;
  }

  /**
   * The labels Calico's selectors see on a pod's workload endpoint. A hostNetwork pod has none:
   * Calico makes no workload endpoint for it (its traffic is the node's).
   */
  podLabels(pod: Pod): Labels | undefined {
    if (pod.hostNetwork) return undefined;
    let labels = this.podLabelsCache.get(pod);
    // Pods the solver adds (cluster-dns.ts's stand-in) may have no source object.
    if (!labels && pod.source?.kind === 'WorkloadEndpoint') {
      // A pod the graph made from an exported WorkloadEndpoint: its labels and profiles as exported.
      const endpoint = this.graph.calico.workloadEndpoints.find((candidate) => candidate.source === pod.source);
      if (endpoint) {
        labels = this.workloadEndpointLabels(endpoint);
        this.podLabelsCache.set(pod, labels);
      }
    }
    if (!labels) {
      const namespace = this.graph.namespace(pod.namespace) ?? { name: pod.namespace, labels: { 'kubernetes.io/metadata.name': pod.namespace } };
      const account = pod.serviceAccountName ?? 'default';
      labels = podEndpointLabels(pod, namespace, this.serviceAccounts.get(`${pod.namespace}/${account}`) ?? {});
      this.podLabelsCache.set(pod, labels);
    }
    return labels;
  }

  /**
   * The profiles of a pod's workload endpoint, in order: an exported WorkloadEndpoint's
   * `spec.profiles`; for a Pod, those Calico gives it (conversion.go PodToWorkloadEndpoint):
   * `kns.<namespace>`, then `ksa.<namespace>.<service account>`.
   */
  podProfiles(pod: Pod): readonly string[] {
    if (pod.source?.kind === 'WorkloadEndpoint') {
      const endpoint = this.graph.calico.workloadEndpoints.find((candidate) => candidate.source === pod.source);
      if (endpoint) return endpoint.profiles;
    }
    return [`kns.${pod.namespace}`, `ksa.${pod.namespace}.${pod.serviceAccountName ?? 'default'}`];
  }

  /** The labels of an exported WorkloadEndpoint, with its profiles'. */
  workloadEndpointLabels(endpoint: CalicoWorkloadEndpoint): Labels {
    return workloadEndpointLabels(endpoint, this.profiles);
  }

  /** The labels of a HostEndpoint, with its profiles'. */
  hostEndpointLabels(endpoint: CalicoHostEndpoint): Labels {
    return hostEndpointLabels(endpoint, this.profiles);
  }

  /** The labels of a NetworkSet or GlobalNetworkSet as Felix holds them. */
  networkSetLabels(set: CalicoNetworkSet): Labels {
    return networkSetLabels(set, set.namespace !== undefined ? this.graph.namespace(set.namespace) : undefined);
  }

  /** The enforced Calico policies whose selectors apply to a pod, in no particular order. */
  policiesSelectingPod(pod: Pod): readonly CalicoPolicy[] {
    let policies = this.policiesByPod.get(pod);
    if (!policies) {
      const labels = this.podLabels(pod);
      policies = labels ? this.graph.calico.policies.filter((policy) => evaluateCalicoSelector(policyEndpointSelector(policy), labels)) : [];
      this.policiesByPod.set(pod, policies);
    }
    return policies;
  }

  /** The profile lookup (Profiles of the input, and those Calico makes for namespaces and service accounts). */
  get profileLookup(): ProfileLookup {
    return this.profiles;
  }
}

const views = new WeakMap<ResourceGraph, CalicoView>();

/** Returns the Calico view of a graph, built once. */
export function calicoView(graph: ResourceGraph): CalicoView {
  let view = views.get(graph);
  if (!view) {
    view = new CalicoView(graph);
    views.set(graph, view);
  }
  return view;
}
