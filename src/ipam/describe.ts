import type { FieldPath } from '../load/path.js';
import type { ManifestObject } from '../load/manifest-object.js';
import type { NodePortUsage, PodDemand, PodRangeUsage, ServiceRangeUsage } from './capacity.js';
import type { FactSource } from './plan.js';
import type { Service } from '../model/types.js';

import { countOf, formatCount } from '../model/plural.js';

export { countOf, formatCount };

/** The object and path a finding about a fact points at, when the fact has a place in a file. */
export function sourcePlace(source: FactSource): { object?: ManifestObject; path?: FieldPath } {
  return source.object ? { object: source.object, path: source.path ?? [] } : {};
}

/** The pod ranges of a usage: `10.244.0.0/16`, or the Calico pools. */
export function podRangeText(usage: PodRangeUsage): string {
  if (usage.carving.kind === 'calico-blocks') return usage.carving.pools.map((pool) => pool.cidr.text).join(' + ');
  return usage.ranges.map((range) => range.cidr.text).join(' + ');
}

/** Where a pod range is stated: the first Calico pool when pools carve it, else the first range. */
export function podRangeSource(usage: PodRangeUsage): FactSource {
  return usage.carving.kind === 'calico-blocks' ? usage.carving.pools[0].source : usage.ranges[0].source;
}

/** How a pod range is carved: `256 node blocks of /24 (254 pods each)`. */
export function describeCarving(usage: PodRangeUsage): string {
  const carving = usage.carving;
  if (carving.kind === 'calico-blocks') {
    const sizes = [...new Set(carving.pools.map((pool) => `/${pool.blockSize}`))].join(', ');
    return `${countOf(usage.addresses, 'address')} in ${countOf(usage.blocks, 'Calico block')} of ${sizes} (${countOf(carving.addressesPerBlock, 'address')} each)`;
  }
  const limit = BigInt(usage.podsPerNode) < carving.usablePerBlock ? `, ${usage.podsPerNode} with maxPods ${usage.podsPerNode}` : '';
  return `${countOf(usage.blocks, 'node block')} of /${carving.blockPrefixLength} (${countOf(carving.usablePerBlock, 'pod')} each${limit})`;
}

/** What the manifests ask of a pod range: `1,200 pods + 5 DaemonSet pods on each of 10 nodes`. */
export function describePodDemand(usage: PodRangeUsage, demand: PodDemand): string {
  const nodes = usage.nodesKnown ? countOf(usage.nodesAssumed, 'node') : `${countOf(usage.nodesAssumed, 'node')} (every node the range serves)`;
  const perNode = demand.podsPerNode > 0 ? ` + ${countOf(demand.podsPerNode, 'DaemonSet pod')} on each of ${nodes}` : '';
  return `${countOf(demand.fixedPods, 'pod')}${perNode}`;
}

/** The node count a pod range's capacity is computed for, and where it comes from. */
export function describeNodes(usage: PodRangeUsage, demand: PodDemand): string {
  const nodes = usage.nodesKnown ? `with ${countOf(usage.nodesAssumed, 'node')}` : `with every node it can serve (${formatCount(usage.nodesAssumed)})`;
  const served = usage.nodesAssumed < usage.nodesServed ? usage.nodesAssumed : usage.nodesServed;
  const hostSlots = BigInt(demand.hostNetworkPods) + BigInt(demand.hostNetworkPodsPerNode) * served;
  return hostSlots > 0n ? `${nodes}, less ${countOf(hostSlots, 'pod slot')} for host-network pods,` : nodes;
}

/** A Service range in words: `10.96.0.0/12 (1,048,574 usable ClusterIPs)`. */
export function serviceRangeText(usage: ServiceRangeUsage): string {
  return usage.ranges.map((range) => range.cidr.text).join(' + ');
}

/** The node-port range in words: `30000-32767`. */
export function nodePortRangeText(usage: NodePortUsage): string {
  return `${usage.range.value.from}-${usage.range.value.to}`;
}

/** Where a finding about the address plan points, and the other places that explain it. */
export interface FindingPlace {
  readonly object?: ManifestObject;
  readonly path?: FieldPath;
  readonly related?: readonly { readonly object: ManifestObject; readonly path?: FieldPath; readonly message: string }[];
}

/** How many of the largest workloads a pod-range finding names as related places. */
const SHOWN_WORKLOADS = 3;

/** Where a pod-range finding points: the range's source, else the largest workload; the largest workloads as related places. */
export function podRangePlace(usage: PodRangeUsage, demand: PodDemand): FindingPlace {
  const largest = [...demand.workloads].sort((a, b) => b.pods - a.pods).slice(0, SHOWN_WORKLOADS);
  const related = largest.map((entry) => ({
    object: entry.object,
    path: entry.object.kind === 'HorizontalPodAutoscaler' ? ['spec', 'maxReplicas'] : [],
    message: `${entry.workload.kind} ${entry.workload.namespace}/${entry.workload.name}: ${entry.basis}`,
  }));
  const place = sourcePlace(podRangeSource(usage));
  if (place.object) return { ...place, ...(related.length > 0 ? { related } : {}) };
  const [first, ...rest] = related;
  return first ? { object: first.object, path: first.path, ...(rest.length > 0 ? { related: rest } : {}) } : {};
}

/** The message data every Service-range finding shares. */
export function serviceRangeData(usage: ServiceRangeUsage): Record<string, string> {
  return {
    family: String(usage.family),
    range: serviceRangeText(usage),
    usable: countOf(usage.usable, 'usable ClusterIP'),
    addresses: countOf(usage.addresses, 'address', 'addresses'),
    reserved: formatCount(usage.reserved),
    demand: `${countOf(usage.demand, 'Service')} ${usage.demand === 1 ? 'needs' : 'need'} one`,
    kubernetes: usage.countsKubernetesService ? ' (counting default/kubernetes, which the API server creates)' : '',
  };
}

/** Points at the range's source, else at the first Service beyond what the range holds. */
export function serviceRangePlace(usage: ServiceRangeUsage): FindingPlace {
  const place = sourcePlace(usage.ranges[0].source);
  if (place.object) return place;
  const index = Math.max(0, Number(usage.usable) - (usage.countsKubernetesService ? 1 : 0));
  const service = usage.services[Math.min(index, usage.services.length - 1)];
  return service ? { object: service.source, path: ['spec'] } : {};
}

/** A ClusterIP a Service asks for, with the field that asks. */
export interface RequestedClusterIP {
  readonly text: string;
  readonly path: FieldPath;
}

/**
 * The ClusterIPs a Service names: spec.clusterIP and the entries of spec.clusterIPs (whose first
 * entry repeats spec.clusterIP), without `None` and empty values, each once.
 */
export function requestedClusterIPs(service: Service): RequestedClusterIP[] {
  const spec = (service.source.value.spec ?? {}) as { clusterIP?: unknown; clusterIPs?: unknown };
  const entries: RequestedClusterIP[] = [];
  if (typeof spec.clusterIP === 'string') entries.push({ text: spec.clusterIP, path: ['spec', 'clusterIP'] });
  if (Array.isArray(spec.clusterIPs)) {
    spec.clusterIPs.forEach((text, index) => {
      if (typeof text === 'string') entries.push({ text, path: ['spec', 'clusterIPs', index] });
    });
  }
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const text = entry.text.trim();
    if (text === '' || text === 'None' || seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/**
 * A hint for a pod-range finding whose limit is maxPods rather than addresses: more nodes help
 * without a new range while the range still has blocks for them.
 */
export function podLimitHint(usage: PodRangeUsage): string | undefined {
  if (!usage.nodesKnown || usage.nodesAssumed >= usage.nodesServed) return undefined;
  if (usage.carving.kind === 'node-blocks' && BigInt(usage.podsPerNode) >= usage.carving.usablePerBlock) return undefined;
  return `the limit here is maxPods per node, not addresses: the range has blocks for ${countOf(usage.nodesServed, 'node')}, so adding nodes makes room`;
}

/** The message data every pod-range finding shares. */
export function podRangeData(usage: PodRangeUsage, demand: PodDemand): Record<string, string> {
  return {
    family: `IPv${usage.family}`,
    range: podRangeText(usage),
    carving: describeCarving(usage),
    nodes: describeNodes(usage, demand),
    capacity: countOf(usage.capacityPods, 'pod'),
    demand: describePodDemand(usage, demand),
  };
}

/** Where a pod-range finding points, with the maxPods hint when that is the limit. */
export function podRangeFindingPlace(usage: PodRangeUsage, demand: PodDemand): FindingPlace & { hint?: string } {
  const hint = podLimitHint(usage);
  return { ...podRangePlace(usage, demand), ...(hint ? { hint } : {}) };
}

/** The options of the low-headroom rules: the percentage of capacity under which headroom is reported. */
export const HEADROOM_OPTIONS = {
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { minHeadroomPercent: { type: 'number', minimum: 0, maximum: 100 } },
  },
  defaults: { minHeadroomPercent: 20 },
} as const;
