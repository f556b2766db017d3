import { valueAt } from '../load/path.js';
import type { ManifestObject } from '../load/manifest-object.js';
import type { Cidr, IpFamily } from '../model/cidr.js';
import type { ClusterFacts } from '../model/cluster-facts.js';
import type { ResourceGraph } from '../model/graph.js';
import type { Service, Workload } from '../model/types.js';
import {
  addressCount, blockAddressCount, blockCount, cidrContainsAddress, parseIpAddress, usablePodAddresses, usableServiceAddresses, type ParsedAddress,
} from './address-math.js';
import { buildAddressPlan, type AddressPlan, type CalicoPool, type Fact, type PlanRange, type PortRange } from './plan.js';
import { countOf } from '../model/plural.js';

/** How many pods a workload asks for, and why that many. */
export interface WorkloadDemand {
  readonly workload: Workload;
  /** Pods in total, or per node for a DaemonSet. */
  readonly pods: number;
  readonly perNode: boolean;
  /** `3 replicas`, `HPA web maxReplicas 20`, `parallelism 4`, `1 per node`. */
  readonly basis: string;
  /** The object and field the count comes from (the HPA's maxReplicas when it wins). */
  readonly object: ManifestObject;
}

/** The pods the manifests ask for, which each need an address of every pod family. */
export interface PodDemand {
  /** Pods independent of the node count. */
  readonly fixedPods: number;
  /** DaemonSet pods on every node. */
  readonly podsPerNode: number;
  readonly workloads: readonly WorkloadDemand[];
  /** Workloads left out because their pods use the node's address (`hostNetwork: true`). */
  readonly hostNetworkWorkloads: readonly Workload[];
  /** Their pods, which take no pod address but count against maxPods: in total, and per node (DaemonSets). */
  readonly hostNetworkPods: number;
  readonly hostNetworkPodsPerNode: number;
}

/** How a pod range is divided among nodes. */
export type Carving =
  | {
    readonly kind: 'node-blocks';
    /** Prefix length of each node's block. */
    readonly blockPrefixLength: number;
    readonly blockPrefixSource: Fact<number>;
    readonly addressesPerBlock: bigint;
    readonly usablePerBlock: bigint;
  }
  | {
    readonly kind: 'calico-blocks';
    readonly pools: readonly CalicoPool[];
    /** Blocks a node claims to run maxPodsPerNode pods, for the smallest block size of the pools. */
    readonly blocksPerFullNode: bigint;
    readonly addressesPerBlock: bigint;
  };

/** A pod range (or the Calico pools of one family): what it holds, what is asked of it, the headroom. */
export interface PodRangeUsage {
  readonly family: IpFamily;
  /** The cluster's pod ranges of the family (several from Cilium's cluster pool); empty when only Calico pools describe it. */
  readonly ranges: readonly PlanRange[];
  readonly carving: Carving;
  /** Addresses in the range (or the enabled pools). */
  readonly addresses: bigint;
  /** Node blocks the range holds. */
  readonly blocks: bigint;
  /** Pods one node can run: its usable block addresses or maxPodsPerNode, whichever is smaller (Calico: maxPodsPerNode). */
  readonly podsPerNode: number;
  /** How many nodes the range can give a block of their own before it runs out. */
  readonly nodesServed: bigint;
  /** The node count the capacity is computed for: the planned nodes, or every node the range serves. */
  readonly nodesAssumed: bigint;
  readonly nodesKnown: boolean;
  /** Pods the range holds for `nodesAssumed` nodes. */
  readonly capacityPods: bigint;
  /** Pods asked for with `nodesAssumed` nodes (DaemonSet pods on each). */
  readonly demandPods: bigint;
  readonly headroomPods: bigint;
  /** Headroom as a percentage of capacity, rounded down to a tenth; 0 when capacity is 0. */
  readonly headroomPercent: number;
}

/** A Service range: usable ClusterIPs against the Services that need one. */
export interface ServiceRangeUsage {
  readonly family: IpFamily;
  readonly ranges: readonly PlanRange[];
  readonly addresses: bigint;
  /** Addresses the allocator never hands out (network and, for IPv4, broadcast address of each range). */
  readonly reserved: bigint;
  readonly usable: bigint;
  /** Services that need a ClusterIP of this family, including `default/kubernetes`. */
  readonly demand: number;
  /** True when the manifests do not define default/kubernetes, which every cluster has: counted anyway. */
  readonly countsKubernetesService: boolean;
  readonly headroom: bigint;
  readonly headroomPercent: number;
  /** The Services that take an address, in manifest order. */
  readonly services: readonly Service[];
}

/** The node-port range against the ports NodePort and LoadBalancer Services claim. */
export interface NodePortUsage {
  readonly range: Fact<PortRange>;
  readonly size: number;
  readonly demand: number;
  readonly headroom: number;
  readonly headroomPercent: number;
  /** Each Service that claims node ports, with how many. */
  readonly services: readonly { readonly service: Service; readonly ports: number }[];
}

/** The address plan with what it holds and what the manifests ask of it. */
export interface AddressPlanAnalysis {
  readonly plan: AddressPlan;
  readonly demand: PodDemand;
  readonly podRanges: readonly PodRangeUsage[];
  readonly serviceRanges: readonly ServiceRangeUsage[];
  readonly nodePorts: NodePortUsage;
}

/**
 * Builds the plan and computes every range's capacity, demand and headroom. Each part is computed
 * on first use: a rule that needs only the node-port range does not pay for the rest.
 */
export function analyzeAddressPlan(graph: ResourceGraph, facts: ClusterFacts): AddressPlanAnalysis {
  let plan: AddressPlan | undefined;
  let demand: PodDemand | undefined;
  let podRanges: readonly PodRangeUsage[] | undefined;
  let serviceRanges: readonly ServiceRangeUsage[] | undefined;
  let nodePorts: NodePortUsage | undefined;
  return {
    get plan() {
      return (plan ??= buildAddressPlan(graph, facts));
    },
    get demand() {
      return (demand ??= podDemand(graph));
    },
    get podRanges() {
      return (podRanges ??= podRangeUsages(this.plan, this.demand));
    },
    get serviceRanges() {
      return (serviceRanges ??= serviceRangeUsages(this.plan, graph));
    },
    get nodePorts() {
      return (nodePorts ??= nodePortUsage(this.plan, graph));
    },
  };
}

const percent = (headroom: bigint, capacity: bigint): number => (capacity <= 0n ? 0 : Number((headroom * 1000n) / capacity) / 10);

const TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/**
 * Counts the pods the manifests ask for: replicas (or an HPA's maxReplicas when one scales the
 * workload and allows more), Job parallelism (capped by completions), one pod per node for
 * DaemonSets. Pods on the host network take the node's address, not a pod address, but still
 * count against the kubelet's maxPods: they are counted apart.
 */
export function podDemand(graph: ResourceGraph): PodDemand {
  const autoscalers = new Map<string, ManifestObject>();
  for (const object of graph.otherObjects) {
    if (object.kind !== 'HorizontalPodAutoscaler') continue;
    const target = valueAt(object.value, ['spec', 'scaleTargetRef']) as { kind?: unknown; name?: unknown } | undefined;
    if (typeof target?.kind === 'string' && typeof target.name === 'string') {
      autoscalers.set(`${object.namespace ?? graph.defaultNamespace}/${target.name}[${target.kind}]`, object);
    }
  }
  const workloads: WorkloadDemand[] = [];
  const hostNetworkWorkloads: Workload[] = [];
  let fixedPods = 0;
  let podsPerNode = 0;
  let hostNetworkPods = 0;
  let hostNetworkPodsPerNode = 0;
  for (const workload of graph.workloads) {
    const entry = workloadDemand(workload, autoscalers);
    if (workload.pods.every((pod) => pod.hostNetwork)) {
      hostNetworkWorkloads.push(workload);
      if (entry.perNode) hostNetworkPodsPerNode += entry.pods;
      else hostNetworkPods += entry.pods;
      continue;
    }
    if (entry.perNode) podsPerNode += entry.pods;
    else fixedPods += entry.pods;
    workloads.push(entry);
  }
  return { fixedPods, podsPerNode, workloads, hostNetworkWorkloads, hostNetworkPods, hostNetworkPodsPerNode };
}

function workloadDemand(workload: Workload, autoscalers: ReadonlyMap<string, ManifestObject>): WorkloadDemand {
  if (workload.kind === 'DaemonSet') return { workload, pods: 1, perNode: true, basis: '1 per node', object: workload.source };
  // The HPA leaves a workload scaled to 0 alone (autoscaling is off until replicas is raised).
  const autoscaler = TEMPLATE_KINDS.has(workload.kind) && workload.replicas > 0 ? autoscalers.get(workload.id) : undefined;
  const maxReplicas = autoscaler ? valueAt(autoscaler.value, ['spec', 'maxReplicas']) : undefined;
  if (autoscaler && typeof maxReplicas === 'number' && Number.isSafeInteger(maxReplicas) && maxReplicas > workload.replicas) {
    return { workload, pods: maxReplicas, perNode: false, basis: `HPA ${autoscaler.name} maxReplicas ${maxReplicas}`, object: autoscaler };
  }
  const count = workload.replicas;
  let basis: string;
  if (workload.kind === 'Job' || workload.kind === 'CronJob') {
    const spec = (workload.kind === 'Job' ? workload.source.value.spec : valueAt(workload.source.value, ['spec', 'jobTemplate', 'spec'])) as { completions?: unknown } | undefined;
    basis = typeof spec?.completions === 'number' && spec.completions === count ? `completions ${count}` : `parallelism ${count}`;
  } else if (!TEMPLATE_KINDS.has(workload.kind)) basis = countOf(count, 'pod');
  else basis = countOf(count, 'replica');
  return { workload, pods: count, perNode: false, basis, object: workload.source };
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function podRangeUsages(plan: AddressPlan, demand: PodDemand): PodRangeUsage[] {
  const usages: PodRangeUsage[] = [];
  const maxPods = BigInt(plan.maxPodsPerNode.value);
  const nodes = plan.nodes ? BigInt(plan.nodes.value) : undefined;
  const demandFor = (nodeCount: bigint): bigint => BigInt(demand.fixedPods) + BigInt(demand.podsPerNode) * nodeCount;
  // maxPods counts every pod of a node, host-network ones too: what they take is not left for the others.
  const slotsFor = (nodeCount: bigint): bigint => {
    const slots = nodeCount * maxPods - BigInt(demand.hostNetworkPods) - BigInt(demand.hostNetworkPodsPerNode) * nodeCount;
    return slots > 0n ? slots : 0n;
  };
  const finish = (partial: Omit<PodRangeUsage, 'nodesAssumed' | 'nodesKnown' | 'capacityPods' | 'demandPods' | 'headroomPods' | 'headroomPercent'>, capacityFor: (nodeCount: bigint) => bigint): PodRangeUsage => {
    const nodesAssumed = nodes ?? partial.nodesServed;
    const capacityPods = capacityFor(nodesAssumed);
    const demandPods = demandFor(nodesAssumed);
    const headroomPods = capacityPods - demandPods;
    return { ...partial, nodesAssumed, nodesKnown: nodes !== undefined, capacityPods, demandPods, headroomPods, headroomPercent: percent(headroomPods, capacityPods) };
  };
  for (const family of [4, 6] as const) {
    const pools = plan.calicoPools.filter((pool) => pool.cidr.family === family && !pool.disabled);
    // Several ranges of a family come from Cilium's cluster pool, which carves node blocks from each.
    const ranges = (plan.podRanges?.value ?? []).filter((entry) => entry.cidr.family === family);
    if (pools.length > 0) {
      // Calico: nodes claim blocks as they need them and may borrow addresses from other nodes' blocks
      // (unless strictAffinity), so the pools' addresses are the limit; a node running maxPods pods
      // holds several small blocks, and a node that gets none borrows.
      const addresses = pools.reduce((sum, pool) => sum + addressCount(pool.cidr), 0n);
      const blocks = pools.reduce((sum, pool) => sum + blockCount(pool.cidr, pool.blockSize), 0n);
      const smallestBlock = Math.max(...pools.map((pool) => pool.blockSize));
      const addressesPerBlock = blockAddressCount(family, smallestBlock);
      const blocksPerFullNode = (maxPods + addressesPerBlock - 1n) / addressesPerBlock;
      usages.push(finish({
        family, ranges, carving: { kind: 'calico-blocks', pools, blocksPerFullNode, addressesPerBlock },
        addresses, blocks, podsPerNode: plan.maxPodsPerNode.value, nodesServed: blocks,
      }, (nodeCount) => minBig(addresses, slotsFor(nodeCount))));
      continue;
    }
    if (ranges.length === 0) continue;
    const maskFact = plan.nodeMaskSize[family];
    const blockPrefixLength = maskFact.value;
    const blocks = ranges.reduce((sum, range) => sum + blockCount(range.cidr, blockPrefixLength), 0n);
    const addressesPerBlock = blockAddressCount(family, blockPrefixLength);
    const usablePerBlock = usablePodAddresses(family, blockPrefixLength);
    const podsPerNode = minBig(usablePerBlock, maxPods);
    usages.push(finish({
      family, ranges, carving: { kind: 'node-blocks', blockPrefixLength, blockPrefixSource: maskFact, addressesPerBlock, usablePerBlock },
      addresses: ranges.reduce((sum, range) => sum + addressCount(range.cidr), 0n), blocks, podsPerNode: Number(podsPerNode), nodesServed: blocks,
    }, (nodeCount) => {
      // Nodes beyond the blocks get no pod range and run no pod-network pods.
      const served = minBig(nodeCount, blocks);
      return minBig(served * usablePerBlock, slotsFor(served));
    }));
  }
  return usages;
}

/** The address families a Service takes ClusterIPs of, given the cluster's families (primary first). */
function serviceFamilies(service: Service, clusterFamilies: readonly IpFamily[]): IpFamily[] {
  const spec = (service.source.value.spec ?? {}) as { clusterIPs?: unknown; ipFamilies?: unknown; ipFamilyPolicy?: unknown };
  // A dual-stack policy takes an address of every family the cluster has, whatever addresses it names.
  if (spec.ipFamilyPolicy === 'PreferDualStack' || spec.ipFamilyPolicy === 'RequireDualStack') return [...clusterFamilies];
  const explicit = [...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []), service.clusterIP]
    .map((text) => (typeof text === 'string' ? parseIpAddress(text) : undefined))
    .filter((address): address is ParsedAddress => address !== undefined);
  if (explicit.length > 0) return [...new Set(explicit.map((address) => address.family))];
  const requested = Array.isArray(spec.ipFamilies) ? spec.ipFamilies.map((family) => (family === 'IPv6' ? 6 : family === 'IPv4' ? 4 : undefined)).filter((family): family is IpFamily => family !== undefined) : [];
  // SingleStack (the default) takes one address of the first requested or the primary family.
  return [requested[0] ?? clusterFamilies[0]];
}

/** True for a Service that takes a ClusterIP: not ExternalName, not headless. */
export function takesClusterIP(service: Service): boolean {
  // spec.clusterIP and spec.clusterIPs[0] are one value to the API server: `clusterIPs: [None]` is headless too.
  const clusterIPs = (service.source.value.spec as { clusterIPs?: unknown } | undefined)?.clusterIPs;
  return service.type !== 'ExternalName' && service.clusterIP !== 'None' && !(Array.isArray(clusterIPs) && clusterIPs[0] === 'None');
}

function serviceRangeUsages(plan: AddressPlan, graph: ResourceGraph): ServiceRangeUsage[] {
  const ranges = plan.serviceRanges?.value ?? [];
  const clusterFamilies = [...new Set(ranges.map((range) => range.cidr.family))];
  if (clusterFamilies.length === 0) return [];
  const hasKubernetesService = graph.services.some((service) => service.namespace === 'default' && service.name === 'kubernetes');
  return clusterFamilies.map((family) => {
    const familyRanges = ranges.filter((range) => range.cidr.family === family);
    const addresses = familyRanges.reduce((sum, range) => sum + addressCount(range.cidr), 0n);
    const usable = familyRanges.reduce((sum, range) => sum + usableServiceAddresses(range.cidr), 0n);
    const services = graph.services.filter((service) => takesClusterIP(service) && serviceFamilies(service, clusterFamilies).includes(family));
    // The API server creates default/kubernetes from the primary range's first usable address.
    const countsKubernetesService = !hasKubernetesService && family === clusterFamilies[0];
    const demand = services.length + (countsKubernetesService ? 1 : 0);
    const headroom = usable - BigInt(demand);
    return { family, ranges: familyRanges, addresses, reserved: addresses - usable, usable, demand, countsKubernetesService, headroom, headroomPercent: percent(headroom, usable), services };
  });
}

/**
 * Counts the node ports a Service claims. Each port of a NodePort or LoadBalancer Service takes
 * one, but the API server gives ports with the same port number (53/TCP and 53/UDP) one node port
 * between them, the one either names if it names one (initNodePorts); a LoadBalancer with
 * allocateLoadBalancerNodePorts: false takes only the node ports it names. A LoadBalancer with
 * externalTrafficPolicy: Local also takes a healthCheckNodePort from the same range.
 */
export function nodePortClaims(service: Service): number {
  if (service.type !== 'NodePort' && service.type !== 'LoadBalancer') return 0;
  const spec = (service.source.value.spec ?? {}) as { allocateLoadBalancerNodePorts?: unknown; externalTrafficPolicy?: unknown; healthCheckNodePort?: unknown };
  const allocates = service.type === 'NodePort' || spec.allocateLoadBalancerNodePorts !== false;
  const named = new Set<number>();
  const byPortNumber = new Map<number, boolean>();
  for (const port of service.ports) {
    if (port.nodePort !== undefined) named.add(port.nodePort);
    byPortNumber.set(port.port, (byPortNumber.get(port.port) ?? false) || port.nodePort !== undefined);
  }
  let claims = named.size;
  if (allocates) for (const hasNamed of byPortNumber.values()) if (!hasNamed) claims++;
  if (service.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
    const healthCheck = typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== 0 ? spec.healthCheckNodePort : undefined;
    if (healthCheck === undefined || !named.has(healthCheck)) claims++;
  }
  return claims;
}

function nodePortUsage(plan: AddressPlan, graph: ResourceGraph): NodePortUsage {
  const range = plan.nodePortRange;
  const size = range.value.to - range.value.from + 1;
  const services = graph.services.map((service) => ({ service, ports: nodePortClaims(service) })).filter((entry) => entry.ports > 0);
  const demand = services.reduce((sum, entry) => sum + entry.ports, 0);
  return { range, size, demand, headroom: size - demand, headroomPercent: percent(BigInt(size - demand), BigInt(size)), services };
}

/** True when the address lies in one of the ranges. */
export function inAnyRange(address: ParsedAddress, ranges: readonly { readonly cidr: Cidr }[]): boolean {
  return ranges.some((range) => cidrContainsAddress(range.cidr, address));
}
