import type { ResourceGraph } from '../../model/graph.js';
import { parseAddress, type AddressRange, type IpFamily } from '../../model/cidr.js';
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

  /** True when every pod of the class has a known address inside `ranges` (per family). */
  addressesInside(podClass: PodClass, ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): boolean {
    const known = this.knownAddresses(podClass);
    if (known.length === 0) return false;
    // A pod matches when one of its addresses is inside; a class, when every pod does (pods with
    // different answers are in different classes, see classSignature).
    return podClass.pods.every((pod) => {
      const texts = [...(pod.podIP ? [pod.podIP] : []), ...(pod.hostNetwork ? this.nodeAddresses(pod) : [])];
      return texts.some((text) => {
        const parsed = parseAddress(text);
        return parsed !== undefined && ranges[parsed.family].some((range) => parsed.value >= range.first && parsed.value <= range.last);
      });
    });
  }

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
