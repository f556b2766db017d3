import type { ManifestObject } from '../load/manifest-object.js';
import { formatPath, valueAt, type FieldPath } from '../load/path.js';
import { parseCidr, type Cidr, type IpFamily } from '../model/cidr.js';
import type { ClusterFacts, StatedFactName, StatedFactOrigin } from '../model/cluster-facts.js';
import type { ResourceGraph } from '../model/graph.js';
import { networkPluginOf } from '../model/network-plugin.js';
import { isCalicoIpPool, statedCalicoPools } from '../load/calico-kinds.js';
import { parseIpAddress, type ParsedAddress } from './address-math.js';

/**
 * Where a fact of the address plan came from. `object` and `path` locate it in the manifests or
 * the configuration file; a flag or a default has no place to point at.
 */
export interface FactSource {
  readonly kind: 'flag' | 'config' | 'manifest' | 'default';
  /** How messages name the source: `--pod-cidr`, `ClusterConfiguration networking.podSubnet`, `the Kubernetes default`. */
  readonly description: string;
  readonly object?: ManifestObject;
  readonly path?: FieldPath;
}

/** A value and where it came from. */
export interface Candidate<T> {
  readonly value: T;
  readonly source: FactSource;
}

/** A fact of the plan: the value that wins, its source, and the sources it won over that say otherwise. */
export interface Fact<T> extends Candidate<T> {
  readonly overridden: readonly Candidate<T>[];
}

/** An address range of the plan with the place that names it. */
export interface PlanRange {
  readonly cidr: Cidr;
  readonly source: FactSource;
}

/** A Calico IPPool: a pod range carved into blocks that nodes claim as they need them. */
export interface CalicoPool {
  readonly name: string;
  readonly cidr: Cidr;
  /** Prefix length of the blocks nodes claim (Calico's default: 26 for IPv4, 122 for IPv6). */
  readonly blockSize: number;
  /** `disabled: true`, or a nodeSelector of `!all()`: the pool hands out no new addresses. */
  readonly disabled: boolean;
  readonly source: FactSource;
}

/** A node's pod range, from a Node's spec.podCIDRs or a CiliumNode's spec.ipam.podCIDRs. */
export interface NodeRange {
  readonly nodeName: string;
  readonly cidr: Cidr;
  readonly source: FactSource;
}

/** One of a node's own addresses (status.addresses), which must not fall in a pod or Service range. */
export interface NodeAddress {
  readonly nodeName: string;
  readonly address: ParsedAddress;
  readonly source: FactSource;
}

/** A fact the manifests state in a form k8snet cannot use: reported, and left out of the plan. */
export interface InvalidFact {
  readonly source: FactSource;
  /** What the value was meant to be: `pod range`, `Calico blockSize`, ... */
  readonly fact: string;
  readonly problem: string;
}

/** A node-port range: the inclusive port numbers NodePort and LoadBalancer Services get ports from. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The cluster's address plan as k8snet understands it: each fact merged from the command line,
 * `.k8snet.yaml`, the manifests (kubeadm, kind, kubelet, Calico, Cilium, Node and ServiceCIDR
 * objects) and Kubernetes' defaults, in that order of precedence, each with its source.
 */
export interface AddressPlan {
  /** The cluster's pod ranges, at most one per family; undefined when nothing says. */
  readonly podRanges?: Fact<readonly PlanRange[]>;
  /** The Service (ClusterIP) ranges: one per family, or several from ServiceCIDR objects. */
  readonly serviceRanges?: Fact<readonly PlanRange[]>;
  /** The prefix length of each node's pod block, per family. */
  readonly nodeMaskSize: { readonly 4: Fact<number>; readonly 6: Fact<number> };
  readonly nodes?: Fact<number>;
  readonly maxNodes?: Fact<number>;
  readonly maxPodsPerNode: Fact<number>;
  readonly nodePortRange: Fact<PortRange>;
  readonly calicoPools: readonly CalicoPool[];
  readonly nodeRanges: readonly NodeRange[];
  readonly nodeAddresses: readonly NodeAddress[];
  readonly invalid: readonly InvalidFact[];
}

/** Kubernetes' defaults: kube-controller-manager's node mask sizes, kubelet's maxPods, kube-apiserver's node-port range. */
export const KUBERNETES_DEFAULTS = {
  nodeMaskSize: { 4: 24, 6: 64 },
  maxPodsPerNode: 110,
  nodePortRange: { from: 30000, to: 32767 },
  /** kubeadm's networking.serviceSubnet when a ClusterConfiguration sets none. */
  kubeadmServiceSubnet: '10.96.0.0/12',
} as const;

/** kind's defaults per `networking.ipFamily` (kind's v1alpha4 SetDefaultsCluster). */
const KIND_DEFAULTS: Readonly<Record<string, { podSubnet: string; serviceSubnet: string }>> = {
  ipv4: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' },
  ipv6: { podSubnet: 'fd00:10:244::/56', serviceSubnet: 'fd00:10:96::/112' },
  dual: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112' },
};

/** Calico's default block sizes per family. */
const CALICO_BLOCK_SIZE = { 4: 26, 6: 122 } as const;

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function describeObject(object: ManifestObject): string {
  return object.name ? `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}` : object.kind;
}

function manifestSource(object: ManifestObject, path: FieldPath): FactSource {
  return { kind: 'manifest', description: `${describeObject(object)} ${formatPath(path)}`, object, path };
}

function defaultSource(description: string, object?: ManifestObject, path?: FieldPath): FactSource {
  return { kind: 'default', description, ...(object ? { object, path: path ?? [] } : {}) };
}

/** Returns the fact for the first candidate, with the later ones that disagree as overridden. */
function decide<T>(candidates: readonly Candidate<T>[], same: (a: T, b: T) => boolean = (a, b) => a === b): Fact<T> | undefined {
  const [winner, ...rest] = candidates;
  if (!winner) return undefined;
  return { ...winner, overridden: rest.filter((candidate) => !same(candidate.value, winner.value)) };
}

/** True when two lists hold the same ranges, in any order (kubeadm may list IPv6 first, Cilium never does). */
const sameRanges = (a: readonly PlanRange[], b: readonly PlanRange[]): boolean => {
  const texts = (ranges: readonly PlanRange[]) => ranges.map((range) => range.cidr.text).sort().join(',');
  return texts(a) === texts(b);
};

/** Collects facts while the plan is assembled, and the ones that could not be read. */
class PlanBuilder {
  readonly invalid: InvalidFact[] = [];

  constructor(readonly facts: ClusterFacts) {}

  /** The source of a fact the user stated in `.k8snet.yaml` or on the command line. */
  statedSource(name: StatedFactName, path: FieldPath = []): FactSource | undefined {
    return this.originSource(this.facts.origins[name], path);
  }

  /** The value `.k8snet.yaml` stated for a fact that a flag replaced, as a candidate the flag overrides. */
  replaced<T>(name: StatedFactName, read: (value: unknown, source: FactSource) => T | undefined): Candidate<T>[] {
    const entry = this.facts.replaced?.[name];
    const source = this.originSource(entry?.origin, []);
    if (!entry || !source) return [];
    const value = read(entry.value, source);
    return value === undefined ? [] : [{ value, source }];
  }

  private originSource(origin: StatedFactOrigin | undefined, path: FieldPath): FactSource | undefined {
    if (!origin) return undefined;
    if (origin.kind === 'flag') return { kind: 'flag', description: origin.flag };
    const fullPath = [...origin.path, ...path];
    return { kind: 'config', description: `.k8snet.yaml ${formatPath(fullPath)}`, ...(origin.object ? { object: origin.object, path: fullPath } : {}) };
  }

  /**
   * Parses a list of CIDRs (a comma-separated string as kubeadm and kind write them, or a list) into
   * ranges with one per family at most; bad entries become invalid facts.
   */
  ranges(texts: readonly { text: unknown; source: FactSource }[], fact: string, onePerFamily: boolean): PlanRange[] | undefined {
    const ranges: PlanRange[] = [];
    for (const { text, source } of texts) {
      if (typeof text !== 'string') {
        this.invalid.push({ source, fact, problem: `${describeValue(text)} is not a CIDR` });
        return undefined;
      }
      const parsed = parseCidr(text);
      if ('error' in parsed) {
        this.invalid.push({ source, fact, problem: parsed.error });
        return undefined;
      }
      if (onePerFamily && ranges.some((range) => range.cidr.family === parsed.family)) {
        this.invalid.push({ source, fact, problem: `'${text}' is a second IPv${parsed.family} ${fact}: a dual-stack cluster has one range per family` });
        return undefined;
      }
      ranges.push({ cidr: parsed, source });
    }
    return ranges.length > 0 ? ranges : undefined;
  }

  /** Reads a positive integer written as a number or a string (kubeadm's extraArgs are strings). */
  integer(value: unknown, source: FactSource, fact: string, min: number, max: number): number | undefined {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number === 'number' && Number.isInteger(number)) {
      if (number >= min && number <= max) return number;
      this.invalid.push({ source, fact, problem: `${number} is outside ${min}-${max}` });
      return undefined;
    }
    this.invalid.push({ source, fact, problem: `${describeValue(value)} is not a whole number` });
    return undefined;
  }
}

/** Writes a value the way a message quotes it: `'abc'`, `null`, `{"a":1}`. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'an empty value';
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Splits `10.244.0.0/16,fd00::/56` (kubeadm, kind) or `a b` (Cilium) into entries with one source. */
function splitList(value: unknown, source: FactSource): { text: string; source: FactSource }[] {
  if (typeof value !== 'string') return [];
  return value.split(/[\s,]+/).filter(Boolean).map((text) => ({ text, source }));
}

/** kubeadm's extraArgs: a map (v1beta3) or a list of `{name, value}` (v1beta4); returns each argument with its path. */
function extraArguments(component: unknown, basePath: FieldPath): Map<string, { value: unknown; path: FieldPath }> {
  const args = new Map<string, { value: unknown; path: FieldPath }>();
  const extra = isRecord(component) ? component.extraArgs : undefined;
  if (Array.isArray(extra)) {
    extra.forEach((entry, index) => {
      if (isRecord(entry) && typeof entry.name === 'string') args.set(entry.name, { value: entry.value, path: [...basePath, 'extraArgs', index, 'value'] });
    });
  } else if (isRecord(extra)) {
    for (const [name, value] of Object.entries(extra)) args.set(name, { value, path: [...basePath, 'extraArgs', name] });
  }
  return args;
}

const isKubeadm = (object: ManifestObject): boolean => object.kind === 'ClusterConfiguration' && object.apiVersion.startsWith('kubeadm.k8s.io/');
const isKindCluster = (object: ManifestObject): boolean => object.kind === 'Cluster' && object.apiVersion.startsWith('kind.x-k8s.io/');
const isKubelet = (object: ManifestObject): boolean => object.kind === 'KubeletConfiguration' && object.apiVersion.startsWith('kubelet.config.k8s.io/');
const isCiliumNode = (object: ManifestObject): boolean => object.kind === 'CiliumNode' && object.apiVersion.startsWith('cilium.io/');
const isServiceCidr = (object: ManifestObject): boolean => object.kind === 'ServiceCIDR' && object.apiVersion.startsWith('networking.k8s.io/');
const isCiliumConfig = (object: ManifestObject): boolean => object.kind === 'ConfigMap' && object.name === 'cilium-config';

/** The objects of the manifests that carry address facts, picked out once. */
interface FactObjects {
  readonly graph: ResourceGraph;
  readonly others: readonly ManifestObject[];
  readonly kubeadm: readonly ManifestObject[];
  readonly kindClusters: readonly ManifestObject[];
  readonly kubelets: readonly ManifestObject[];
  /** cilium-config ConfigMaps in cluster-pool mode. */
  readonly ciliumConfigs: readonly ManifestObject[];
  readonly ciliumNodes: readonly ManifestObject[];
}

function factObjects(graph: ResourceGraph): FactObjects {
  const others = graph.otherObjects;
  return {
    graph,
    others,
    kubeadm: others.filter(isKubeadm),
    kindClusters: others.filter(isKindCluster),
    kubelets: others.filter(isKubelet),
    ciliumConfigs: others.filter(isCiliumConfig).filter((object) => {
      // Only cluster-pool IPAM (Cilium's default) carves its own pod range; other modes use the nodes' podCIDRs or the cloud's.
      const mode = (object.value.data as Raw | undefined)?.ipam;
      return mode === undefined || mode === 'cluster-pool';
    }),
    ciliumNodes: others.filter(isCiliumNode),
  };
}

/** Builds the address plan from the stated facts and the manifests. A total function: bad values become `invalid` entries. */
export function buildAddressPlan(graph: ResourceGraph, facts: ClusterFacts): AddressPlan {
  const builder = new PlanBuilder(facts);
  const objects = factObjects(graph);
  const { podRanges, serviceRanges } = rangeFacts(builder, objects);
  const maskCandidates = maskCandidatesOf(builder, objects);
  const { nodeRanges, nodeAddresses } = nodeFacts(builder, objects);
  return {
    ...optional('podRanges', podRanges),
    ...optional('serviceRanges', serviceRanges),
    nodeMaskSize: maskFacts(maskCandidates, nodeRanges),
    ...optional('nodes', nodeCountFact(builder, objects)),
    ...optional('maxNodes', maxNodesFact(builder)),
    maxPodsPerNode: maxPodsFact(builder, objects),
    nodePortRange: nodePortFact(builder, objects),
    calicoPools: calicoPools(builder, objects, graph, podRanges),
    nodeRanges,
    nodeAddresses,
    invalid: builder.invalid,
  };
}

/** The pod and Service ranges: stated, then Cilium's cluster pool, ServiceCIDRs, kubeadm, kind. */
function rangeFacts(builder: PlanBuilder, { others, kubeadm, kindClusters, ciliumConfigs }: FactObjects): { podRanges?: Fact<readonly PlanRange[]>; serviceRanges?: Fact<readonly PlanRange[]> } {
  const facts = builder.facts;
  const podRanges: Candidate<readonly PlanRange[]>[] = [];
  const serviceRanges: Candidate<readonly PlanRange[]>[] = [];
  const stated = (name: 'podCIDR' | 'serviceCIDR', into: Candidate<readonly PlanRange[]>[]): void => {
    const list = facts[name];
    const source = builder.statedSource(name);
    if (!list || !source) return;
    const fact = name === 'podCIDR' ? 'pod range' : 'Service range';
    const ranges = builder.ranges(list.map((text, index) => ({ text, source: list.length > 1 && source.kind === 'config' ? builder.statedSource(name, [index])! : source })), fact, true);
    if (ranges) into.push({ value: ranges, source });
    into.push(...builder.replaced(name, (value, replacedSource) => builder.ranges((value as string[]).map((text) => ({ text, source: replacedSource })), fact, true)));
  };
  stated('podCIDR', podRanges);
  stated('serviceCIDR', serviceRanges);

  const fromField = (object: ManifestObject, path: FieldPath, fact: string, into: Candidate<readonly PlanRange[]>[], fallback?: { text: string; source: FactSource }): void => {
    const value = valueAt(object.value, path);
    const source = value === undefined && fallback ? fallback.source : manifestSource(object, path);
    const text = value === undefined ? fallback?.text : value;
    if (text === undefined) return;
    if (typeof text !== 'string') {
      builder.invalid.push({ source, fact, problem: `expected a CIDR or a comma-separated pair, found ${JSON.stringify(text)}` });
      return;
    }
    const ranges = builder.ranges(splitList(text, source), fact, true);
    if (ranges) into.push({ value: ranges, source });
  };

  // ServiceCIDR objects (networking.k8s.io/v1): the one named `kubernetes` is the API server's own
  // record of its --service-cluster-ip-range; every other one adds ranges to it.
  const extraServiceRanges: PlanRange[] = [];
  for (const object of others.filter(isServiceCidr)) {
    const cidrs = valueAt(object.value, ['spec', 'cidrs']);
    if (!Array.isArray(cidrs)) continue;
    const ranges = builder.ranges(cidrs.map((text, index) => ({ text, source: manifestSource(object, ['spec', 'cidrs', index]) })), 'Service range', true);
    if (!ranges) continue;
    if (object.name === 'kubernetes') serviceRanges.push({ value: ranges, source: ranges[0].source });
    else extraServiceRanges.push(...ranges);
  }

  // Cilium's cluster pool is what hands out pod addresses when it is on, whatever kubeadm or kind
  // were told: it comes before them.
  const ciliumRanges: PlanRange[] = [];
  for (const object of ciliumConfigs) {
    for (const key of ['cluster-pool-ipv4-cidr', 'cluster-pool-ipv6-cidr']) {
      const ranges = builder.ranges(splitList((object.value.data as Raw | undefined)?.[key], manifestSource(object, ['data', key])), 'pod range', false);
      if (ranges) ciliumRanges.push(...ranges);
    }
  }
  if (ciliumRanges.length > 0) podRanges.push({ value: ciliumRanges, source: ciliumRanges[0].source });
  for (const object of kubeadm) {
    fromField(object, ['networking', 'podSubnet'], 'pod range', podRanges);
    fromField(object, ['networking', 'serviceSubnet'], 'Service range', serviceRanges, {
      text: KUBERNETES_DEFAULTS.kubeadmServiceSubnet,
      source: defaultSource(`kubeadm's default for ${describeObject(object)}, which sets no networking.serviceSubnet`, object),
    });
  }
  for (const object of kindClusters) {
    const family = valueAt(object.value, ['networking', 'ipFamily']);
    const defaults = KIND_DEFAULTS[typeof family === 'string' ? family : 'ipv4'] ?? KIND_DEFAULTS.ipv4;
    const describe = (field: string) => defaultSource(`kind's default for ${describeObject(object)}, which sets no networking.${field}`, object);
    fromField(object, ['networking', 'podSubnet'], 'pod range', podRanges, { text: defaults.podSubnet, source: describe('podSubnet') });
    fromField(object, ['networking', 'serviceSubnet'], 'Service range', serviceRanges, { text: defaults.serviceSubnet, source: describe('serviceSubnet') });
  }

  return { podRanges: decide(podRanges, sameRanges), serviceRanges: withExtraRanges(decide(serviceRanges, sameRanges), extraServiceRanges) };
}

/** Each node's pod ranges and own addresses, from Nodes and CiliumNodes. */
function nodeFacts(builder: PlanBuilder, { graph, ciliumNodes }: FactObjects): { nodeRanges: NodeRange[]; nodeAddresses: NodeAddress[] } {
  const nodeRanges: NodeRange[] = [];
  const nodeAddresses: NodeAddress[] = [];
  for (const node of graph.nodes) {
    const spec = node.source.value.spec as Raw | undefined;
    const listed = Array.isArray(spec?.podCIDRs) ? spec.podCIDRs : [];
    const entries: { text: unknown; path: FieldPath }[] = listed.map((text, index) => ({ text, path: ['spec', 'podCIDRs', index] }));
    if (typeof spec?.podCIDR === 'string' && !listed.includes(spec.podCIDR)) entries.push({ text: spec.podCIDR, path: ['spec', 'podCIDR'] });
    for (const entry of entries) {
      const source = manifestSource(node.source, entry.path);
      const parsed = parseCidr(String(entry.text));
      if ('error' in parsed) builder.invalid.push({ source, fact: `pod range of node ${node.name}`, problem: parsed.error });
      else nodeRanges.push({ nodeName: node.name, cidr: parsed, source });
    }
    const addresses = valueAt(node.source.value, ['status', 'addresses']);
    if (Array.isArray(addresses)) {
      addresses.forEach((entry, index) => {
        if (!isRecord(entry) || (entry.type !== 'InternalIP' && entry.type !== 'ExternalIP') || typeof entry.address !== 'string') return;
        const address = parseIpAddress(entry.address);
        if (address) nodeAddresses.push({ nodeName: node.name, address, source: manifestSource(node.source, ['status', 'addresses', index, 'address']) });
      });
    }
  }
  for (const object of ciliumNodes) {
    const cidrs = valueAt(object.value, ['spec', 'ipam', 'podCIDRs']);
    if (!Array.isArray(cidrs)) continue;
    cidrs.forEach((text, index) => {
      const source = manifestSource(object, ['spec', 'ipam', 'podCIDRs', index]);
      const parsed = parseCidr(String(text));
      if ('error' in parsed) builder.invalid.push({ source, fact: `pod range of CiliumNode ${object.name}`, problem: parsed.error });
      else nodeRanges.push({ nodeName: object.name, cidr: parsed, source });
    });
  }
  return { nodeRanges, nodeAddresses };
}

/** The stated and configured node mask sizes per family: stated, kubeadm's controller-manager flags, Cilium's. */
function maskCandidatesOf(builder: PlanBuilder, { kubeadm, ciliumConfigs }: FactObjects): Record<IpFamily, Candidate<number>[]> {
  const facts = builder.facts;
  const maskCandidates: Record<IpFamily, Candidate<number>[]> = { 4: [], 6: [] };
  const statedMasks = facts.nodeCIDRMaskSize;
  for (const family of [4, 6] as const) {
    const value = statedMasks?.[family === 4 ? 'ipv4' : 'ipv6'];
    const source = builder.statedSource('nodeCIDRMaskSize');
    if (value !== undefined && source) maskCandidates[family].push({ value, source });
  }
  for (const object of kubeadm) {
    const args = extraArguments(valueAt(object.value, ['controllerManager']), ['controllerManager']);
    // kube-controller-manager's rules (setNodeCIDRMaskSizes): the plain --node-cidr-mask-size is for
    // single-stack clusters and applies to their one family; it may not be combined with the
    // per-family flags, nor used when the cluster range is dual-stack.
    const subnetFamilies = new Set(splitList(valueAt(object.value, ['networking', 'podSubnet']), defaultSource('')).map((entry) => (entry.text.includes(':') ? 6 : 4)));
    const plain = args.get('node-cidr-mask-size');
    const perFamily = args.has('node-cidr-mask-size-ipv4') || args.has('node-cidr-mask-size-ipv6');
    if (plain && (subnetFamilies.size === 2 || perFamily)) {
      builder.invalid.push({
        source: manifestSource(object, plain.path),
        fact: 'node CIDR mask size',
        problem: subnetFamilies.size === 2
          ? 'kube-controller-manager refuses node-cidr-mask-size on a dual-stack cluster; use node-cidr-mask-size-ipv4 and node-cidr-mask-size-ipv6'
          : 'kube-controller-manager refuses node-cidr-mask-size together with node-cidr-mask-size-ipv4 or -ipv6',
      });
    }
    if (plain && subnetFamilies.size < 2 && !perFamily) {
      // One single-stack family: the podSubnet's, else IPv4 unless the value only fits IPv6.
      const source = manifestSource(object, plain.path);
      const value = builder.integer(plain.value, source, 'node CIDR mask size', 0, 128);
      const family = subnetFamilies.size === 1 ? [...subnetFamilies][0] : value !== undefined && value > 32 ? 6 : 4;
      if (value !== undefined && family === 4 && value > 32) builder.invalid.push({ source, fact: 'node CIDR mask size', problem: `${value} is outside 0-32` });
      else if (value !== undefined) maskCandidates[family].push({ value, source });
    }
    for (const family of [4, 6] as const) {
      const argument = args.get(`node-cidr-mask-size-ipv${family}`);
      if (!argument) continue;
      const source = manifestSource(object, argument.path);
      const value = builder.integer(argument.value, source, 'node CIDR mask size', 0, family === 4 ? 32 : 128);
      if (value !== undefined) maskCandidates[family].push({ value, source });
    }
  }
  for (const object of ciliumConfigs) {
    for (const family of [4, 6] as const) {
      const key = `cluster-pool-ipv${family}-mask-size`;
      const raw = (object.value.data as Raw | undefined)?.[key];
      if (raw === undefined) continue;
      const source = manifestSource(object, ['data', key]);
      const value = builder.integer(raw, source, 'node CIDR mask size', 0, family === 4 ? 32 : 128);
      if (value !== undefined) maskCandidates[family].push({ value, source });
    }
  }
  return maskCandidates;
}

/** The node mask size per family: the candidates, then the size every node's range has, then the default. */
function maskFacts(maskCandidates: Record<IpFamily, Candidate<number>[]>, nodeRanges: readonly NodeRange[]): AddressPlan['nodeMaskSize'] {
  // The block size the nodes actually have, when every node of a family has the same.
  for (const family of [4, 6] as const) {
    const sizes = nodeRanges.filter((range) => range.cidr.family === family);
    if (sizes.length > 0 && sizes.every((range) => range.cidr.prefixLength === sizes[0].cidr.prefixLength)) {
      maskCandidates[family].push({ value: sizes[0].cidr.prefixLength, source: sizes[0].source });
    }
  }
  const nodeMaskSize = {
    4: decide([...maskCandidates[4], { value: KUBERNETES_DEFAULTS.nodeMaskSize[4], source: defaultSource('kube-controller-manager\'s default --node-cidr-mask-size-ipv4') }])!,
    6: decide([...maskCandidates[6], { value: KUBERNETES_DEFAULTS.nodeMaskSize[6], source: defaultSource('kube-controller-manager\'s default --node-cidr-mask-size-ipv6') }])!,
  };

  return nodeMaskSize;
}

/** The node count: stated, the Node objects, the CiliumNodes, kind's node list. */
function nodeCountFact(builder: PlanBuilder, { graph, ciliumNodes, kindClusters }: FactObjects): Fact<number> | undefined {
  const facts = builder.facts;
  const nodeCandidates: Candidate<number>[] = [];
  const statedNodes = builder.statedSource('nodes');
  if (facts.nodes !== undefined && statedNodes) nodeCandidates.push({ value: facts.nodes, source: statedNodes });
  nodeCandidates.push(...builder.replaced('nodes', (value) => value as number));
  if (graph.nodes.length > 0) nodeCandidates.push({ value: graph.nodes.length, source: { ...manifestSource(graph.nodes[0].source, []), description: graph.nodes.length === 1 ? 'the one Node object' : `the ${graph.nodes.length} Node objects` } });
  if (ciliumNodes.length > 0) nodeCandidates.push({ value: ciliumNodes.length, source: { ...manifestSource(ciliumNodes[0], []), description: ciliumNodes.length === 1 ? 'the one CiliumNode object' : `the ${ciliumNodes.length} CiliumNode objects` } });
  for (const object of kindClusters) {
    const nodes = valueAt(object.value, ['nodes']);
    // kind creates one control-plane node when the config lists none.
    const count = Array.isArray(nodes) ? nodes.length : 1;
    nodeCandidates.push({ value: count, source: Array.isArray(nodes) ? manifestSource(object, ['nodes']) : defaultSource(`kind's single node for ${describeObject(object)}, which lists no nodes`, object) });
  }

  return decide(nodeCandidates);
}

/** The node count the cluster may grow to: only ever stated. */
function maxNodesFact(builder: PlanBuilder): Fact<number> | undefined {
  const stated = builder.statedSource('maxNodes');
  if (builder.facts.maxNodes === undefined || !stated) return undefined;
  return decide([{ value: builder.facts.maxNodes, source: stated }, ...builder.replaced('maxNodes', (value) => value as number)]);
}

/** maxPods per node: stated, KubeletConfiguration, the Nodes' capacity, the default. */
function maxPodsFact(builder: PlanBuilder, { graph, kubelets }: FactObjects): Fact<number> {
  const facts = builder.facts;
  const maxPodsCandidates: Candidate<number>[] = [];
  const statedMaxPods = builder.statedSource('maxPodsPerNode');
  if (facts.maxPodsPerNode !== undefined && statedMaxPods) maxPodsCandidates.push({ value: facts.maxPodsPerNode, source: statedMaxPods });
  maxPodsCandidates.push(...builder.replaced('maxPodsPerNode', (value) => value as number));
  // A KubeletConfiguration that sets no maxPods says less than what the Nodes report: its default
  // comes after their capacity.
  const kubeletDefaults: Candidate<number>[] = [];
  for (const object of kubelets) {
    const raw = valueAt(object.value, ['maxPods']);
    if (raw === undefined) {
      kubeletDefaults.push({ value: KUBERNETES_DEFAULTS.maxPodsPerNode, source: defaultSource(`kubelet's default maxPods for ${describeObject(object)}, which sets none`, object) });
      continue;
    }
    const source = manifestSource(object, ['maxPods']);
    const value = builder.integer(raw, source, 'maxPods', 1, 1_000_000);
    if (value !== undefined) maxPodsCandidates.push({ value, source });
  }
  // A Node's status.capacity.pods is its kubelet's maxPods; the smallest one limits a uniform plan.
  let smallestCapacity: Candidate<number> | undefined;
  for (const node of graph.nodes) {
    const raw = valueAt(node.source.value, ['status', 'capacity', 'pods']);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0 && (!smallestCapacity || value < smallestCapacity.value)) {
      smallestCapacity = { value, source: manifestSource(node.source, ['status', 'capacity', 'pods']) };
    }
  }
  if (smallestCapacity) maxPodsCandidates.push(smallestCapacity);
  maxPodsCandidates.push(...kubeletDefaults);
  maxPodsCandidates.push({ value: KUBERNETES_DEFAULTS.maxPodsPerNode, source: defaultSource('kubelet\'s default maxPods') });

  return decide(maxPodsCandidates)!;
}

/** The node-port range: stated, kubeadm's API server flag, the default. */
function nodePortFact(builder: PlanBuilder, { kubeadm }: FactObjects): Fact<PortRange> {
  const facts = builder.facts;
  const portCandidates: Candidate<PortRange>[] = [];
  const statedPorts = builder.statedSource('nodePortRange');
  if (facts.nodePortRange && statedPorts) portCandidates.push({ value: facts.nodePortRange, source: statedPorts });
  for (const object of kubeadm) {
    const argument = extractPortRange(extraArguments(valueAt(object.value, ['apiServer']), ['apiServer']).get('service-node-port-range'));
    if (!argument) continue;
    const source = manifestSource(object, argument.path);
    if ('problem' in argument) builder.invalid.push({ source, fact: 'node-port range', problem: argument.problem });
    else portCandidates.push({ value: argument.range, source });
  }
  portCandidates.push({ value: KUBERNETES_DEFAULTS.nodePortRange, source: defaultSource('kube-apiserver\'s default --service-node-port-range') });

  return decide(portCandidates, (a, b) => a.from === b.from && a.to === b.to)!;
}

/**
 * Calico's IPPools, with their block sizes. A cluster running Calico whose manifests hold no
 * IPPool gets the pool calico-ipam (Calico's default IPAM) makes over the pod range, with the
 * default block size: nodes claim /26 blocks as they need them, not kube-controller-manager's /24.
 */
function calicoPools(builder: PlanBuilder, { others }: FactObjects, graph: ResourceGraph, podRanges: Fact<readonly PlanRange[]> | undefined): CalicoPool[] {
  const pools: CalicoPool[] = [];
  // IPPools, and the pools of the operator's Installation (it makes them into IPPools of those
  // names): one of a name counts once, the IPPool's (what the cluster holds now).
  const ipPools = others.filter(isCalicoIpPool).flatMap((object) => statedCalicoPools(object).map((pool) => ({ object, pool })));
  const installed = others.filter((object) => !isCalicoIpPool(object)).flatMap((object) => statedCalicoPools(object).map((pool) => ({ object, pool })))
    .filter(({ pool }) => !ipPools.some((entry) => entry.pool.name === pool.name));
  const statedPools = [...ipPools, ...installed];
  if (statedPools.length === 0 && networkPluginOf(graph, builder.facts.cni).name === 'calico') {
    for (const range of podRanges?.value ?? []) {
      const blockSize = CALICO_BLOCK_SIZE[range.cidr.family];
      if (blockSize < range.cidr.prefixLength) continue;
      pools.push({
        name: `default-ipv${range.cidr.family}-ippool`, cidr: range.cidr, blockSize, disabled: false,
        source: defaultSource(`calico-ipam's default pool over the pod range (no IPPool in the manifests), blocks of /${blockSize}`),
      });
    }
  }
  for (const { object, pool } of statedPools) {
    const spec = pool.spec;
    const cidrSource = manifestSource(object, [...pool.path, 'cidr']);
    const parsed = parseCidr(String(spec.cidr));
    if (spec.cidr === undefined || 'error' in parsed) {
      builder.invalid.push({ source: cidrSource, fact: 'Calico pool range', problem: spec.cidr === undefined ? 'the pool has no spec.cidr' : (parsed as { error: string }).error });
      continue;
    }
    const blockSource = manifestSource(object, [...pool.path, 'blockSize']);
    // Calico accepts block sizes 20-32 (IPv4) and 116-128 (IPv6), never larger than the pool.
    const [min, max] = parsed.family === 4 ? [20, 32] : [116, 128];
    const blockSize = spec.blockSize === undefined ? CALICO_BLOCK_SIZE[parsed.family] : builder.integer(spec.blockSize, blockSource, 'Calico blockSize', min, max);
    if (blockSize === undefined) continue;
    if (blockSize < parsed.prefixLength) {
      builder.invalid.push({ source: blockSource, fact: 'Calico blockSize', problem: `blocks of /${blockSize} are larger than the pool ${parsed.text}` });
      continue;
    }
    // `!all()` selects no node: a pool being drained hands out no new addresses, like a disabled one.
    const selectsNoNode = typeof spec.nodeSelector === 'string' && spec.nodeSelector.replace(/\s/g, '') === '!all()';
    pools.push({ name: pool.name, cidr: parsed, blockSize, disabled: spec.disabled === true || selectsNoNode, source: cidrSource });
  }

  return pools;
}

/** Adds the ranges of additional ServiceCIDR objects to the Service range the plan decided on. */
function withExtraRanges(fact: Fact<readonly PlanRange[]> | undefined, extra: readonly PlanRange[]): Fact<readonly PlanRange[]> | undefined {
  if (extra.length === 0) return fact;
  if (!fact) return { value: extra, source: extra[0].source, overridden: [] };
  return { ...fact, value: [...fact.value, ...extra.filter((range) => !fact.value.some((known) => known.cidr.text === range.cidr.text))] };
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function extractPortRange(argument: { value: unknown; path: FieldPath } | undefined): { range: PortRange; path: FieldPath } | { problem: string; path: FieldPath } | undefined {
  if (!argument) return undefined;
  // kube-apiserver's ParsePortRange: FROM-TO, FROM+COUNT (the ports FROM to FROM+COUNT), or one port.
  const match = /^\s*(\d+)\s*(?:([-+])\s*(\d+))?\s*$/.exec(String(argument.value));
  const from = match ? Number(match[1]) : NaN;
  const to = !match ? NaN : match[2] === undefined ? from : match[2] === '+' ? from + Number(match[3]) : Number(match[3]);
  if (!(from >= 1 && from <= to && to <= 65535)) return { problem: `${describeValue(argument.value)} is not a port range FROM-TO with 1 <= FROM <= TO <= 65535`, path: argument.path };
  return { range: { from, to }, path: argument.path };
}
