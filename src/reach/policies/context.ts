import type { ResourceGraph } from '../../model/graph.js';
import { mergeRanges, parseAddress, parseCidr, type AddressRange, type IpFamily } from '../../model/cidr.js';
import { isTigeraInstallation, statedCalicoPools } from '../../load/calico-kinds.js';
import { valueAt } from '../../load/path.js';
import { rangesCover, rangesOverlap } from '../ip-ranges.js';
import { isWholeFamily } from './ranges.js';
import { LabelIndex } from '../../model/label-index.js';
import { matchesSelector, type LabelSelector } from '../../model/label-selector.js';
import type { Node, Pod } from '../../model/types.js';
import { BitSet } from '../bitset.js';
import type { PodClass } from '../policy-form.js';

/**
 * How hostNetwork pods are treated, which Kubernetes leaves to the network plugin:
 * `node` — their traffic is node traffic, outside NetworkPolicy (the docs call this the most
 * common implementation); `pod` — the plugin tells them apart and applies policies to them as to
 * other pods (np-guard's assumption).
 */
export type HostNetworkMode = 'node' | 'pod';

/**
 * What a kind's compiler may use: the graph, the pod classes, and lookups shared by every kind,
 * computed once (classes by namespace, a label index of classes, known addresses).
 */
export class CompileContext {
  private readonly byNamespace = new Map<string, PodClass[]>();
  private classIndex: LabelIndex<PodClass> | undefined;
  private everyClass: BitSet | undefined;
  private noClass: BitSet | undefined;
  private readonly addresses = new Map<PodClass, readonly { family: IpFamily; value: bigint }[]>();
  private nodeAddressesByName: ReadonlyMap<string, readonly string[]> | undefined;

  constructor(
    readonly graph: ResourceGraph,
    readonly classes: readonly PodClass[],
    readonly hostNetworkMode: HostNetworkMode,
    private readonly classOfPod: ReadonlyMap<Pod, PodClass>,
    /** The cluster's pod ranges where the input states them (see statedPodRanges): where pods of unknown address lie. */
    readonly podRanges?: Readonly<Record<IpFamily, readonly AddressRange[]>>,
  ) {
    for (const podClass of classes) {
      const list = this.byNamespace.get(podClass.namespace);
      if (list) list.push(podClass);
      else this.byNamespace.set(podClass.namespace, [podClass]);
    }
  }

  /** Returns the class of a pod of the graph. */
  classOf(pod: Pod): PodClass {
    return this.classOfPod.get(pod)!;
  }

  /** Returns the classes of a namespace, in class order. */
  classesInNamespace(namespace: string): readonly PodClass[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Returns the classes whose labels `selector` matches, across namespaces, through a label index. */
  classesMatching(selector: LabelSelector): readonly PodClass[] {
    this.classIndex ??= new LabelIndex(this.classes, (podClass) => podClass.labels);
    return this.classIndex.select(selector);
  }

  /** Returns the set of every class. Shared: never change it. */
  allClasses(): BitSet {
    return (this.everyClass ??= BitSet.full(this.classes.length));
  }

  /** Returns the empty set of classes. Shared: never change it. */
  noClasses(): BitSet {
    return (this.noClass ??= new BitSet(this.classes.length));
  }

  /** Returns a new, empty set of classes to fill. */
  newClassSet(): BitSet {
    return new BitSet(this.classes.length);
  }

  /**
   * The addresses of a class's pods: each pod's `status.podIP` (a host-network pod's is its
   * node's), and for host-network pods the addresses of their Node when the input has it. Empty
   * when some pod's address is unknown: then any address is possible.
   */
  knownAddresses(podClass: PodClass): readonly { family: IpFamily; value: bigint }[] {
    let known = this.addresses.get(podClass);
    if (!known) {
      const list: { family: IpFamily; value: bigint }[] = [];
      let unknown = false;
      for (const pod of podClass.pods) {
        const texts = [...(pod.podIP ? [pod.podIP] : []), ...(pod.hostNetwork ? this.nodeAddresses(pod) : [])];
        const parsed = texts.map((text) => parseAddress(text)).filter((address) => address !== undefined);
        if (parsed.length === 0) unknown = true;
        list.push(...parsed);
      }
      known = unknown ? [] : list;
      this.addresses.set(podClass, known);
    }
    return known;
  }

  /**
   * Where the address of a pod the manifests give none for lies against `ranges` (per family):
   * `inside` when the stated pod ranges of every family that has some lie inside them, `outside`
   * when none of them overlaps, `unknown` without stated pod ranges or when they lie partly inside.
   * A pod's IP comes from these ranges, so a rule naming addresses decides it for sure in the first
   * two cases (a Calico `nets` of the whole pool, a `notNets` or an `except` that holds the pool).
   */
  unknownAddressRelation(ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): 'inside' | 'outside' | 'unknown' {
    const pods = this.podRanges;
    if (!pods) return 'unknown';
    const families = ([4, 6] as const).filter((family) => pods[family].length > 0);
    const merged = { 4: mergeRanges([...ranges[4]]), 6: mergeRanges([...ranges[6]]) };
    if (families.every((family) => rangesCover(merged[family], pods[family]))) return 'inside';
    if (families.every((family) => !rangesOverlap(merged[family], pods[family]))) return 'outside';
    return 'unknown';
  }

  /**
   * The classes an address peer of `ranges` matches when it matches pod addresses (the Network
   * Policy API's networks, ipBlocks under Calico): those whose known addresses lie inside; pods of
   * unknown address when the stated pod ranges lie inside (without stated ranges, when a whole
   * family is named: "0.0.0.0/0 ... will allow or deny all IPv4 pod-to-pod traffic"); and
   * hostNetwork pods of unknown address, whose node's address a whole family of the cluster holds.
   */
  classesWithAddressesInside(ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): BitSet {
    const classes = this.newClassSet();
    for (const index of this.classesWithAddressIn(ranges)) if (this.addressesInside(this.classes[index], ranges)) classes.add(index);
    const wholeFamily = (family: IpFamily) => isWholeFamily(ranges[family]);
    const podRanges = this.podRanges;
    const podsInside = podRanges ? this.unknownAddressRelation(ranges) === 'inside' : wholeFamily(4) || wholeFamily(6);
    const clusterFamilies: readonly IpFamily[] = podRanges ? ([4, 6] as const).filter((family) => podRanges[family].length > 0) : [4];
    const nodesInside = clusterFamilies.some(wholeFamily);
    for (const podClass of this.classes) {
      if (this.knownAddresses(podClass).length > 0) continue;
      if (podClass.hostNetwork ? nodesInside : podsInside) classes.add(podClass.index);
    }
    return classes;
  }

  /** True for a class of pods without hostNetwork whose addresses the manifests do not give: they lie in the pod ranges. */
  hasUnknownPodAddresses(podClass: PodClass): boolean {
    return !podClass.hostNetwork && this.knownAddresses(podClass).length === 0;
  }

  /** True when every pod of the class has a known address inside `ranges` (per family). */
  addressesInside(podClass: PodClass, ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): boolean {
    const known = this.knownAddresses(podClass);
    if (known.length === 0) return false;
    // A pod matches when one of its addresses is inside; a class, when every pod does (pods with
    // different answers are in different classes, see classSignature).
    return this.addressesOfPods(podClass).every((addresses) => addresses.some((address) => ranges[address.family].some((range) => address.value >= range.first && address.value <= range.last)));
  }

  /**
   * The classes with a known address inside `ranges` (per family): every class whose pods all
   * have an address inside is among them (see addressesInside), found by binary search in the
   * classes' addresses sorted once, not by a pass over every class per rule.
   */
  classesWithAddressIn(ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): number[] {
    if (!this.sortedAddresses) {
      const byFamily: Record<IpFamily, { value: bigint; classIndex: number }[]> = { 4: [], 6: [] };
      for (const podClass of this.classes) for (const address of this.knownAddresses(podClass)) byFamily[address.family].push({ value: address.value, classIndex: podClass.index });
      for (const family of [4, 6] as const) byFamily[family].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      this.sortedAddresses = byFamily;
    }
    const found = new Set<number>();
    for (const family of [4, 6] as const) {
      const sorted = this.sortedAddresses[family];
      for (const range of ranges[family]) {
        // The first address not below the range's start.
        let low = 0;
        let high = sorted.length;
        while (low < high) {
          const middle = (low + high) >>> 1;
          if (sorted[middle].value < range.first) low = middle + 1;
          else high = middle;
        }
        for (let index = low; index < sorted.length && sorted[index].value <= range.last; index++) found.add(sorted[index].classIndex);
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  private sortedAddresses: Record<IpFamily, { value: bigint; classIndex: number }[]> | undefined;

  /** The addresses of each pod of a class, parsed once (rules with nets ask about every class). */
  private addressesOfPods(podClass: PodClass): readonly (readonly { family: IpFamily; value: bigint }[])[] {
    let lists = this.podAddresses.get(podClass);
    if (!lists) {
      lists = podClass.pods.map((pod) => [...(pod.podIP ? [pod.podIP] : []), ...(pod.hostNetwork ? this.nodeAddresses(pod) : [])]
        .map((text) => parseAddress(text)).filter((address) => address !== undefined));
      this.podAddresses.set(podClass, lists);
    }
    return lists;
  }

  private readonly podAddresses = new Map<PodClass, readonly (readonly { family: IpFamily; value: bigint }[])[]>();

  /**
   * The hostNetwork classes every pod of which has an address (its node's) inside `ranges`: what
   * an address peer selecting node addresses (Cilium's CIDR selectors under
   * policy-cidr-match-mode nodes) selects of them. A class whose pods run on nodes inside and
   * outside, or of unknown address, is not counted; answers say so (solver.ts).
   */
  hostNetworkClassesInside(ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): BitSet {
    const classes = this.newClassSet();
    for (const podClass of this.classes) if (podClass.hostNetwork && this.addressesInside(podClass, ranges)) classes.add(podClass.index);
    return classes;
  }

  /** The addresses of the Node a pod runs on (`spec.nodeName`), from the Node's status. */
  nodeAddresses(pod: Pod): readonly string[] {
    if (!pod.nodeName) return [];
    this.nodeAddressesByName ??= new Map(this.graph.nodes.map((node) => [node.name, node.addresses]));
    return this.nodeAddressesByName.get(pod.nodeName) ?? [];
  }

  /**
   * The Nodes a host-network pod may run on: its own (`spec.nodeName`, or the Node one of whose
   * addresses is its pod IP); every Node of the input when neither tells.
   */
  nodesOf(pod: Pod): readonly Node[] {
    const named = pod.nodeName ? this.graph.nodes.filter((node) => node.name === pod.nodeName) : [];
    if (named.length > 0) return named;
    const byAddress = pod.podIP ? this.graph.nodes.filter((node) => node.addresses.includes(pod.podIP!)) : [];
    return byAddress.length > 0 ? byAddress : this.graph.nodes;
  }

  /**
   * True when a node selector matches the Node every pod of a host-network class runs on. An
   * empty selector selects every Node, known or not; a non-empty one only Nodes of the input.
   */
  nodeSelectorMatches(selector: LabelSelector, podClass: PodClass): boolean {
    if (selector.requirements.length === 0) return true;
    return podClass.pods.every((pod) => {
      const nodes = this.nodesOf(pod);
      return nodes.length > 0 && nodes.every((node) => matchesSelector(selector, node.labels));
    });
  }
}

/**
 * The cluster's pod ranges where the input states them, per family: the configured ones
 * (`.k8snet.yaml` cluster.podCIDR) and Calico's pools (IPPools and the Tigera operator's
 * Installation's; calico-ipam takes pod IPs from them); undefined when it states none (the Nodes'
 * podCIDRs may be some of the nodes only).
 */
export function statedPodRanges(graph: ResourceGraph, podCIDRs: readonly string[] | undefined, plugin?: string): Record<IpFamily, AddressRange[]> | undefined {
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  const add = (text: unknown) => {
    const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
    if (parsed && !('error' in parsed)) ranges[parsed.family].push(parsed.range);
  };
  for (const text of podCIDRs ?? []) add(text);
  // Calico's pools, IPPools and the operator's Installation's together (the operator makes the
  // latter into IPPools; a pod takes its IP from the pool its node uses): the union holds every pod
  // IP. Not under Canal, nor with an Installation whose IPAM is not Calico's: pools hand out nothing.
  const hostLocal = graph.otherObjects.some((object) => isTigeraInstallation(object)
    && typeof valueAt(object.value, ['spec', 'cni', 'ipam', 'type']) === 'string' && valueAt(object.value, ['spec', 'cni', 'ipam', 'type']) !== 'Calico');
  if (plugin !== 'canal' && !hostLocal) {
    for (const object of graph.otherObjects) for (const pool of statedCalicoPools(object)) add(pool.spec.cidr);
  }
  if (ranges[4].length + ranges[6].length === 0) return undefined;
  return { 4: mergeRanges(ranges[4]), 6: mergeRanges(ranges[6]) };
}
