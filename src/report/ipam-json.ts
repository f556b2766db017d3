import { locateField } from '../load/manifest-object.js';
import type { Finding } from '../finding.js';
import type { AddressPlanAnalysis, PodRangeUsage, ServiceRangeUsage } from '../ipam/capacity.js';
import type { Fact, FactSource, PlanRange } from '../ipam/plan.js';

/** The JSON form of a fact's source: its kind, description and, when it has one, its place. */
function sourceJson(source: FactSource): Record<string, unknown> {
  const place = source.object ? locateField(source.object.origin, source.path ?? []) : undefined;
  return {
    kind: source.kind,
    description: source.description,
    ...(place ? { file: place.file, line: place.line, column: place.column } : {}),
  };
}

function factJson<T>(fact: Fact<T> | undefined, value: (raw: T) => unknown = (raw) => raw): unknown {
  if (!fact) return null;
  return {
    value: value(fact.value),
    source: sourceJson(fact.source),
    overridden: fact.overridden.map((other) => ({ value: value(other.value), source: sourceJson(other.source) })),
  };
}

const rangesJson = (ranges: readonly PlanRange[]) => ranges.map((range) => range.cidr.text);

function podRangeJson(usage: PodRangeUsage): Record<string, unknown> {
  const carving = usage.carving;
  return {
    family: `IPv${usage.family}`,
    ranges: usage.ranges.map((range) => range.cidr.text),
    addresses: String(usage.addresses),
    carving: carving.kind === 'node-blocks'
      ? { kind: carving.kind, blockPrefixLength: carving.blockPrefixLength, addressesPerBlock: String(carving.addressesPerBlock), usablePerBlock: String(carving.usablePerBlock) }
      : { kind: carving.kind, pools: carving.pools.map((pool) => ({ name: pool.name, cidr: pool.cidr.text, blockSize: pool.blockSize })), addressesPerBlock: String(carving.addressesPerBlock), blocksPerFullNode: String(carving.blocksPerFullNode) },
    blocks: String(usage.blocks),
    podsPerNode: usage.podsPerNode,
    nodesServed: String(usage.nodesServed),
    nodes: String(usage.nodesAssumed),
    nodesKnown: usage.nodesKnown,
    capacityPods: String(usage.capacityPods),
    demandPods: String(usage.demandPods),
    headroomPods: String(usage.headroomPods),
    headroomPercent: usage.headroomPercent,
  };
}

function serviceRangeJson(usage: ServiceRangeUsage): Record<string, unknown> {
  return {
    family: `IPv${usage.family}`,
    ranges: rangesJson(usage.ranges),
    addresses: String(usage.addresses),
    reserved: String(usage.reserved),
    usable: String(usage.usable),
    services: usage.demand,
    countsKubernetesService: usage.countsKubernetesService,
    headroom: String(usage.headroom),
    headroomPercent: usage.headroomPercent,
  };
}

/**
 * Formats the address plan as JSON. Address counts are decimal strings (an IPv6 range holds more
 * addresses than a JSON number represents exactly); pod and port counts are numbers.
 */
export function formatIpamJson(analysis: AddressPlanAnalysis, findings: readonly Finding[]): string {
  const { plan, demand } = analysis;
  return `${JSON.stringify({
    facts: {
      podRanges: factJson(plan.podRanges, rangesJson),
      serviceRanges: factJson(plan.serviceRanges, rangesJson),
      nodeMaskSize: { ipv4: factJson(plan.nodeMaskSize[4]), ipv6: factJson(plan.nodeMaskSize[6]) },
      nodes: factJson(plan.nodes),
      maxNodes: factJson(plan.maxNodes),
      maxPodsPerNode: factJson(plan.maxPodsPerNode),
      nodePortRange: factJson(plan.nodePortRange),
      calicoPools: plan.calicoPools.map((pool) => ({ name: pool.name, cidr: pool.cidr.text, blockSize: pool.blockSize, disabled: pool.disabled, source: sourceJson(pool.source) })),
      nodeRanges: plan.nodeRanges.map((range) => ({ node: range.nodeName, cidr: range.cidr.text, source: sourceJson(range.source) })),
    },
    podRanges: analysis.podRanges.map(podRangeJson),
    serviceRanges: analysis.serviceRanges.map(serviceRangeJson),
    nodePorts: {
      range: `${analysis.nodePorts.range.value.from}-${analysis.nodePorts.range.value.to}`,
      ports: analysis.nodePorts.size,
      claimed: analysis.nodePorts.demand,
      headroom: analysis.nodePorts.headroom,
      headroomPercent: analysis.nodePorts.headroomPercent,
      services: analysis.nodePorts.services.map((entry) => ({ service: `${entry.service.namespace}/${entry.service.name}`, ports: entry.ports })),
    },
    demand: {
      fixedPods: demand.fixedPods,
      podsPerNode: demand.podsPerNode,
      workloads: demand.workloads.map((entry) => ({ workload: entry.workload.id, pods: entry.pods, perNode: entry.perNode, basis: entry.basis })),
      hostNetworkWorkloads: demand.hostNetworkWorkloads.map((workload) => workload.id),
    },
    findings,
  }, null, 2)}\n`;
}
