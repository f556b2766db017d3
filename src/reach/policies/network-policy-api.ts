import type { ResourceGraph } from '../../model/graph.js';
import { parseAddress, type AddressRange, type IpBlockRanges, type IpFamily } from '../../model/cidr.js';
import { formatRequirements, matchesSelector, type LabelSelector } from '../../model/label-selector.js';
import type { Node, Pod, Protocol } from '../../model/types.js';
import type { BitSet } from '../bitset.js';
import { ConnectionSet } from '../connection-set.js';
import type { CompiledPolicy, CompiledRule, Direction, PolicySide, RuleAction, RuleSource } from '../policy-form.js';
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

/**
 * A peer of a rule of any of the group's kinds, its `networks` as address ranges: exactly one of
 * pods of namespaces (namespaceSelector, narrowed by podSelector), networks, nodes or domainNames.
 */
export interface NetworkPolicyApiPeer {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
  readonly networks?: readonly IpBlockRanges[];
  readonly nodes?: LabelSelector;
  /** `domainNames` (ClusterNetworkPolicy): said, not modelled. */
  readonly domainNames?: readonly string[];
}

/** A port entry of a rule: ports of a protocol (a number is a range of one), or a port name resolved on the destination pod. */
export type NetworkPolicyApiPort =
  | { readonly protocol: Protocol; readonly from: number; readonly to: number }
  | { readonly namedPort: string };

/** A rule of one of the group's kinds, in the words the compiler shares; the kind's module says how its rule reads. */
export interface NetworkPolicyApiRule {
  readonly action: RuleAction;
  readonly peers: readonly NetworkPolicyApiPeer[];
  /** Undefined when the rule names no ports (`ports`, `protocols` missing): every connection. */
  readonly ports: readonly NetworkPolicyApiPort[] | undefined;
  readonly source: RuleSource;
  /** The kind's own model of the rule. */
  readonly model: object;
}

/** The rules of a policy by direction, and how the kind's module reads one of them. */
export interface NetworkPolicyApiRules<Rule> {
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly read: (rule: Rule) => NetworkPolicyApiRule;
}

/**
 * Compiles a policy of the group: its subject is the pods of the selected namespaces (narrowed
 * by podSelector), never host-networked pods ("host-networked pods are not included in subject
 * selection"); its rules alone speak, first match (their selection isolates nothing); `head` is
 * what the kind's module decides (kind, stage, rank).
 */
export function compileNetworkPolicyApiPolicy<Rule>(
  context: CompileContext,
  head: Omit<CompiledPolicy, 'ingress' | 'egress'>,
  subject: { readonly namespaceSelector: LabelSelector; readonly podSelector?: LabelSelector },
  rules: NetworkPolicyApiRules<Rule>,
): CompiledPolicy {
  const subjects = podPeerClasses(context, subject.namespaceSelector, subject.podSelector);
  const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = { ...head };
  for (const direction of ['ingress', 'egress'] as const) {
    const compiledRules = rules[direction].map((rule, position) => compileRule(context, compiled, direction, rules.read(rule), position));
    const side: PolicySide = { direction, subjects, isolates: false, rules: compiledRules };
    compiled[direction] = side;
  }
  return compiled;
}

function compileRule(context: CompileContext, compiled: CompiledPolicy, direction: Direction, rule: NetworkPolicyApiRule, position: number): CompiledRule {
  const classes = context.newClassSet();
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  const domainNames: string[] = [];
  for (const peer of rule.peers) {
    if (peer.networks) {
      for (const block of peer.networks) ranges[block.family].push(...block.ranges);
      addNetworksPeerClasses(context, peer.networks, classes);
    } else if (peer.nodes) {
      addNodesPeerClasses(context, peer.nodes, classes);
      const addresses = nodesPeerAddresses(context.graph.nodes, peer.nodes);
      ranges[4].push(...addresses[4]);
      ranges[6].push(...addresses[6]);
    } else if (peer.domainNames) {
      domainNames.push(...peer.domainNames);
    } else if (peer.namespaceSelector) {
      podPeerClasses(context, peer.namespaceSelector, peer.podSelector).addInto(classes);
    }
  }
  let numericPorts = rule.ports === undefined ? ConnectionSet.ALL : ConnectionSet.EMPTY;
  const namedPorts: { name: string }[] = [];
  for (const port of rule.ports ?? []) {
    if ('namedPort' in port) namedPorts.push({ name: port.namedPort });
    else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.from, port.to));
  }
  const nodeLabelSelectors = rule.peers.flatMap((peer) => (peer.nodes && peer.nodes.requirements.length > 0 ? [`nodes ${peer.nodes.text}`] : []));
  return {
    policy: compiled,
    direction,
    action: rule.action,
    matchesEveryPeer: false,
    classes,
    ...(nodeLabelSelectors.length > 0 ? { nodeLabelPeers: nodeLabelSelectors.join(' or ') } : {}),
    addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
    podAddressMatch: 'always',
    entities: rule.peers.some(admitsAnyPod) ? ANY_POD_TAGS : NO_TAGS,
    numericPorts,
    namedPorts,
    restrictions: [],
    ...(domainNames.length > 0 ? { unmodelledPeers: `the domain names ${domainNames.join(', ')}` } : {}),
    position,
    source: rule.source,
    model: rule.model,
  };
}

const ANY_POD_TAGS: ReadonlySet<string> = new Set(['any-pod']);
const NO_TAGS: ReadonlySet<string> = new Set();

/** True for a peer of every pod of every namespace (an empty namespace selector, no pod selector or an empty one). */
function admitsAnyPod(peer: NetworkPolicyApiPeer): boolean {
  return peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
    && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0);
}

/** The `networks` and `nodes` peers among `peers`: what can tell pods with the same labels apart. */
export function addressPeersOf(peers: readonly NetworkPolicyApiPeer[]): AddressPeers {
  return {
    networks: peers.flatMap((peer) => (peer.networks ? [peer.networks] : [])),
    nodes: peers.flatMap((peer) => (peer.nodes ? [peer.nodes] : [])),
  };
}

/** Describes a `nodes`, `pods` or `namespaces` peer: `nodes <all>`, `pods app=web in namespaces team=a`, `namespaces team=a`. */
export function describeSelectorPeer(peer: Pick<NetworkPolicyApiPeer, 'namespaceSelector' | 'podSelector' | 'nodes'>): string {
  if (peer.nodes) return `nodes ${formatRequirements(peer.nodes.requirements)}`;
  if (peer.podSelector) return `pods ${formatRequirements(peer.podSelector.requirements)} in namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
  return `namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
}

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

/** Adds to `classes` the classes a `networks` peer matches (see CompileContext.classesWithAddressesInside). */
export function addNetworksPeerClasses(context: CompileContext, networks: readonly IpBlockRanges[], classes: BitSet): void {
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const block of networks) ranges[block.family].push(...block.ranges);
  context.classesWithAddressesInside({ 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) }).addInto(classes);
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
