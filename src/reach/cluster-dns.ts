import type { Labels } from '../model/label-selector.js';
import type { Pod, Service, Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { ReachabilitySolver } from './solver.js';

/** The ports cluster DNS serves: UDP 53 for lookups, TCP 53 for answers too large for UDP. */
export const DNS_PORTS = ConnectionSet.ofPorts('UDP', 53).union(ConnectionSet.ofPorts('TCP', 53));

/**
 * The source ports a pod's resolver sends from: ephemeral ports, Linux's default
 * `net.ipv4.ip_local_port_range` (32768-60999). Only policies that name source ports (Calico's)
 * tell them apart from the others.
 */
export const RESOLVER_SOURCE_PORTS: readonly [number, number] = [32768, 60999];

/**
 * The DNS connections (UDP 53, TCP 53) that `reachable` holds from none of the source ports a
 * resolver may send from (`missing`), and those it holds from some of them only (`partly`);
 * what it holds from other source ports only does not count.
 */
export function dnsPortsMissing(reachable: ConnectionSet): { readonly missing: ConnectionSet; readonly partly: ConnectionSet } {
  const [low, high] = RESOLVER_SOURCE_PORTS;
  let missing = ConnectionSet.EMPTY;
  let partly = ConnectionSet.EMPTY;
  for (const protocol of ['UDP', 'TCP'] as const) {
    const resolverRuns = reachable.sourcePortsOf(protocol, 53).filter(([from, to]) => to >= low && from <= high);
    if (resolverRuns.length === 0) missing = missing.union(ConnectionSet.ofPorts(protocol, 53));
    else if (!resolverRuns.some(([from, to]) => from <= low && to >= high)) partly = partly.union(ConnectionSet.ofPorts(protocol, 53));
  }
  return { missing, partly };
}

/** Where cluster DNS runs, as `.k8snet.yaml` `cluster.dns` states it (kube-system, k8s-app=kube-dns by default). */
export interface DnsLocation {
  readonly namespace: string;
  readonly podLabels: Labels;
}

/** Cluster DNS as the manifests show it, or as the cluster runs it when they do not. */
export interface ClusterDns {
  /** `kube-system pods k8s-app=kube-dns`. */
  readonly description: string;
  /** The DNS pods: those of the manifests, else one hypothetical pod with the DNS labels. */
  readonly pods: readonly Pod[];
  /** True when no pod of the manifests carries the DNS labels and a hypothetical one stands in. */
  readonly hypothetical: boolean;
  /** The Services of the DNS namespace that select the DNS pods (kube-dns), when the manifests hold them. */
  readonly services: readonly Service[];
  /**
   * A solver that knows the DNS pods: the given one, or one over the graph with the hypothetical
   * DNS pod added, so that policies are evaluated towards it as towards any pod.
   */
  readonly solver: ReachabilitySolver;
}

/**
 * Finds cluster DNS: the pods of `location.namespace` with its labels. DNS is rarely in the
 * manifests being checked, so when none is there, a hypothetical Deployment with those labels
 * (serving UDP and TCP 53) is added to a copy of the graph, as the cluster runs it.
 */
export function findClusterDns(solver: ReachabilitySolver, location: DnsLocation): ClusterDns {
  const graph = solver.graph;
  const description = `${location.namespace} pods ${Object.entries(location.podLabels).map(([key, value]) => `${key}=${value}`).join(',')}`;
  const pods = graph.podsWithLabels(location.podLabels, location.namespace);
  if (pods.length > 0) {
    const services = graph.services.filter((service) => service.namespace === location.namespace && service.selector !== undefined
      && Object.keys(service.selector).length > 0
      && pods.some((pod) => Object.entries(service.selector!).every(([key, value]) => pod.labels[key] === value)));
    return { description, pods, hypothetical: false, services, solver };
  }
  const workload = hypotheticalDns(location.namespace, location.podLabels);
  const extended = new ReachabilitySolver(graph.withExtraWorkloads([workload]), { hostNetworkPods: solver.hostNetworkMode, layout: solver.layout });
  return { description, pods: [...workload.pods], hypothetical: true, services: [], solver: extended };
}

function hypotheticalDns(namespace: string, labels: Labels): Workload {
  const id = `${namespace}/cluster-dns[Deployment]`;
  const pod: Pod = {
    key: `${id}#0`,
    namespace,
    name: 'cluster-dns',
    labels,
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
    hostNetwork: false,
    workloadId: id,
    // A hypothetical pod has no source; nothing reports on it.
    source: undefined as never,
    templatePath: [],
  };
  return { id, kind: 'Deployment', namespace, name: 'cluster-dns', replicas: 1, pods: [pod], source: undefined as never };
}
