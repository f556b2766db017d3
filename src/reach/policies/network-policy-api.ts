import type { ResourceGraph } from '../../model/graph.js';
import { parseAddress, type AddressRange, type IpBlockRanges, type IpFamily } from '../../model/cidr.js';
import { matchesSelector, type LabelSelector } from '../../model/label-selector.js';
import type { Node, Pod } from '../../model/types.js';
import type { BitSet } from '../bitset.js';
import type { CompileContext } from './context.js';
import { isWholeFamily, sortRanges } from './ranges.js';

/**
 * Peers as the Network Policy API (policy.networking.k8s.io: AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2) defines them, shared by the
 * compilers of its kinds: the same group, the same words.
 *
 * - `namespaces` / `pods`: pods of the matching namespaces; "host-networked pods are not included".
 * - `networks`: CIDRs; "cluster-internal traffic will be checked against the rule as well", so a
 *   pod whose address is inside matches, and a whole address family matches every pod; a
 *   host-network pod's address is its node's.
 * - `nodes`: "selects the nodeIPs ... present in the node.Status.Addresses field"; an empty
 *   selector selects every node. The Nodes of the input are matched by their labels: their
 *   addresses, and the host-network pods running on them.
 */

/** Classes of pods of namespaces `namespaceSelector` matches, narrowed by `podSelector`; never host-network pods. */
export function podPeerClasses(context: CompileContext, namespaceSelector: LabelSelector, podSelector: LabelSelector | undefined): BitSet {
  const classes = context.newClassSet();
  for (const namespace of context.graph.namespacesMatching(namespaceSelector)) {
    for (const podClass of context.classesInNamespace(namespace.name)) {
      // "Host-networked pods are not included in this type of peer."
      if (podClass.hostNetwork) continue;
      if (!podSelector || matchesSelector(podSelector, podClass.labels)) classes.add(podClass.index);
    }
  }
  return classes;
}

/** Adds to `classes` the classes a `networks` peer matches: whole families match every pod, other CIDRs the pods whose address is inside. */
export function addNetworksPeerClasses(context: CompileContext, networks: readonly IpBlockRanges[], classes: BitSet): void {
  const wholeFamilies = new Set(networks.filter((block) => isWholeFamily(block.ranges)).map((block) => block.family));
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const block of networks) ranges[block.family].push(...block.ranges);
  for (const podClass of context.classes) {
    const known = context.knownAddresses(podClass);
    // A pod of unknown address is taken to be in the family named whole ("0.0.0.0/0 ... will allow
    // or deny all IPv4 pod-to-pod traffic"); a known one must be of that family.
    if (wholeFamilies.size > 0 && (known.length === 0 || known.some((address) => wholeFamilies.has(address.family)))) {
      classes.add(podClass.index);
    } else if (context.addressesInside(podClass, ranges)) {
      classes.add(podClass.index);
    }
  }
}

/** Adds to `classes` the host-network classes whose Node a `nodes` selector matches. */
export function addNodesPeerClasses(context: CompileContext, selector: LabelSelector, classes: BitSet): void {
  for (const podClass of context.classes) {
    if (podClass.hostNetwork && context.nodeSelectorMatches(selector, podClass)) classes.add(podClass.index);
  }
}

/** The addresses of the Nodes of the input a `nodes` selector matches, per family. */
export function nodesPeerAddresses(nodes: readonly Node[], selector: LabelSelector): Record<IpFamily, AddressRange[]> {
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const node of nodes) {
    if (!matchesSelector(selector, node.labels)) continue;
    for (const text of node.addresses) {
      const address = parseAddress(text);
      if (address) ranges[address.family].push({ first: address.value, last: address.value });
    }
  }
  return { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) };
}

/** What of the Network Policy API's peers can tell pods with the same labels apart. */
export interface AddressPeers {
  /** The CIDR lists of `networks` peers (whole families left out: they match every pod alike). */
  readonly networks: readonly (readonly IpBlockRanges[])[];
  /** The non-empty selectors of `nodes` peers. */
  readonly nodes: readonly LabelSelector[];
}

/**
 * Returns a signature per pod that differs between pods a `networks` or `nodes` peer tells apart
 * (one pod's IP inside a CIDR, its twin's outside; a host-network pod on a matching Node, another
 * elsewhere), or undefined when no such peer exists. Pods of unknown address and node get the
 * signature of "inside nothing", which is what they match.
 */
export function addressPeerSignature(graph: ResourceGraph, peers: AddressPeers): ((pod: Pod) => string) | undefined {
  const lists = peers.networks.map((blocks) => blocks.filter((block) => !isWholeFamily(block.ranges))).filter((blocks) => blocks.length > 0);
  const nodeSelectors = peers.nodes.filter((selector) => selector.requirements.length > 0);
  if (lists.length === 0 && nodeSelectors.length === 0) return undefined;
  const nodeByName = new Map(graph.nodes.map((node) => [node.name, node]));
  return (pod) => {
    const texts = [...(pod.podIP ? [pod.podIP] : []), ...(pod.hostNetwork && pod.nodeName ? nodeByName.get(pod.nodeName)?.addresses ?? [] : [])];
    const addresses = texts.map((text) => parseAddress(text)).filter((address) => address !== undefined);
    const parts: string[] = [];
    lists.forEach((blocks, index) => {
      if (addresses.some((address) => blocks.some((block) => block.family === address.family && block.ranges.some((range) => address.value >= range.first && address.value <= range.last)))) parts.push(`a${index}`);
    });
    if (pod.hostNetwork) {
      const named = pod.nodeName ? nodeByName.get(pod.nodeName) : undefined;
      const nodes = named ? [named] : pod.podIP ? graph.nodes.filter((node) => node.addresses.includes(pod.podIP!)) : [];
      nodeSelectors.forEach((selector, index) => {
        if (nodes.length > 0 && nodes.every((node) => matchesSelector(selector, node.labels))) parts.push(`n${index}`);
      });
    }
    return parts.join(',');
  };
}
