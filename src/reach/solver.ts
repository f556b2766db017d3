import type { ResourceGraph } from '../model/graph.js';
import { matchesSelector } from '../model/label-selector.js';
import { LabelIndex } from '../model/label-index.js';
import { distinguishableValue, type PodLabelMentions } from '../model/controller-labels.js';
import { parseAddress, type AddressRange, type IpFamily } from '../model/cidr.js';
import type { AdminNetworkPolicy, AdminPeer, AdminRule, ContainerPort, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Protocol } from '../model/types.js';
import { BitSet, ClassMatrix } from './bitset.js';
import { ConnectionSet } from './connection-set.js';
import { rangesContain } from './ip-ranges.js';

/** Traffic direction as NetworkPolicy sees it from the selected pod. */
export type Direction = 'ingress' | 'egress';

/**
 * Pods that no policy can tell apart: same namespace, labels, container ports and host
 * networking. The solver works on classes, so 10,000 replicas cost what one does.
 */
export interface PodClass {
  readonly index: number;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /**
   * True for hostNetwork pods when their traffic is taken as node traffic: no policy isolates
   * them and no pod or namespace selector matches them.
   */
  readonly outsidePolicy: boolean;
  readonly pods: readonly Pod[];
}

/**
 * How hostNetwork pods are treated, which Kubernetes leaves to the network plugin:
 * `node` — their traffic is node traffic, outside NetworkPolicy (the docs call this the most
 * common implementation); `pod` — the plugin tells them apart and applies policies to them as to
 * other pods (np-guard's assumption).
 */
export type HostNetworkMode = 'node' | 'pod';

/** Options of the solver. */
export interface SolverOptions {
  readonly hostNetworkPods?: HostNetworkMode;
}

/** A policy rule compiled once: which classes and addresses it admits, and its ports. */
export interface CompiledRule {
  readonly policy: NetworkPolicy;
  readonly direction: Direction;
  readonly rule: PolicyRule;
  /** True when `from`/`to` is missing or empty: every pod and every address. */
  readonly matchesEveryPeer: boolean;
  /** True when a peer admits pods of every namespace whatever their labels (an ingress controller). */
  readonly admitsAnyPod: boolean;
  /**
   * Classes its pod/namespace selector peers match (hostNetwork pods excluded). Shared with other
   * rules of the same peers: read it, never change it.
   */
  readonly classes: BitSet;
  /** The addresses its ipBlock peers match, per family. */
  readonly addressRanges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
  /** The rule's peers as written (empty when it matches every peer), for explanations. */
  readonly peers: readonly PolicyPeer[];
  /** Ports with a number (or none): independent of the destination. */
  readonly numericPorts: ConnectionSet;
  /** Named ports, resolved on each destination pod. */
  readonly namedPorts: readonly { readonly protocol: Protocol; readonly name: string }[];
}

/** An AdminNetworkPolicy or BaselineAdminNetworkPolicy rule compiled once. */
export interface CompiledAdminRule {
  readonly policy: AdminNetworkPolicy;
  readonly rule: AdminRule;
  readonly direction: Direction;
  readonly classes: BitSet;
  readonly admitsAnyPod: boolean;
  readonly addressRanges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
  /** Numbered ports and ranges; every port when the rule lists none. */
  readonly numericPorts: ConnectionSet;
  /** `namedPort` entries, resolved on the destination pod whatever their protocol. */
  readonly namedPorts: readonly string[];
}

/** An admin rule that decided some ports of a verdict. */
export interface AdminDecision {
  readonly policy: AdminNetworkPolicy;
  readonly rule: AdminRule;
  /** The ports this rule decided (Allow, Deny or Pass) for the pair. */
  readonly ports: ConnectionSet;
}

/** A pod of unknown namespace and labels (the ingress controller). */
export const ANY_POD = Object.freeze({ anyPod: true as const });

/** The other side of a verdict: a pod class, an address range, or a pod nothing is known of. */
export type Peer = PodClass | AddressPeer | typeof ANY_POD;

/** What a side evaluation records for explanations. */
interface SideTrace {
  readonly admin: { rule: CompiledAdminRule; ports: ConnectionSet }[];
  readonly networkPolicy: RuleContribution[];
  readonly baseline: { rule: CompiledAdminRule; ports: ConnectionSet }[];
}

/** A rule that contributed to a verdict, with the ports it allows for that pair. */
export interface RuleContribution {
  readonly rule: CompiledRule;
  readonly allowed: ConnectionSet;
}

/** One side (the source's egress or the destination's ingress) of a verdict. */
export interface SideVerdict {
  readonly direction: Direction;
  /** Why this side allows everything without looking at rules, if it does. */
  readonly unrestrictedBecause?: 'not-isolated' | 'host-network' | 'external';
  /** Policies that select the pod and have this direction in their policyTypes. */
  readonly isolatingPolicies: readonly NetworkPolicy[];
  /** NetworkPolicy rules whose peers match the other side, with what each allows. */
  readonly contributions: readonly RuleContribution[];
  /** Admin policy rules that decided ports, in evaluation order. */
  readonly adminDecisions: readonly AdminDecision[];
  readonly allowed: ConnectionSet;
}

/** A full answer for one source and destination: both sides, the result and the caveats. */
export interface PairVerdict {
  readonly egress: SideVerdict;
  readonly ingress: SideVerdict;
  readonly allowed: ConnectionSet;
  /** Plain sentences about what depends on the network plugin. */
  readonly caveats: readonly string[];
}


/**
 * The reachability solver. Compiles every policy once against pod classes, then answers
 * "what may flow from A to B" as a connection set, exactly as networking.k8s.io/v1
 * NetworkPolicy defines it: each side is the union of the policies selecting that pod for the
 * direction, an unisolated side allows everything, and the two sides are intersected.
 */
export class ReachabilitySolver {
  readonly classes: readonly PodClass[];
  private readonly classOfPod: ReadonlyMap<Pod, PodClass>;
  private readonly ingressRules: readonly (readonly CompiledRule[])[];
  private readonly egressRules: readonly (readonly CompiledRule[])[];
  private readonly ingressPolicies: readonly (readonly NetworkPolicy[])[];
  private readonly egressPolicies: readonly (readonly NetworkPolicy[])[];
  /** Every compiled rule, per direction, for the external-address partitions. */
  readonly compiledRules: readonly CompiledRule[];
  readonly compiledAdminRules: readonly CompiledAdminRule[];
  /** Per class: the admin rules that apply, AdminNetworkPolicies by priority, then the baseline. */
  private readonly adminIngress: readonly (readonly CompiledAdminRule[])[];
  private readonly adminEgress: readonly (readonly CompiledAdminRule[])[];
  /** Per class: true when nothing restricts its ingress (egress), so that side allows everything. */
  private readonly openIngress: Uint8Array;
  private readonly openEgress: Uint8Array;
  /**
   * Per class isolated by NetworkPolicies only: the classes some of its ingress (egress) rules
   * match; any other class gets nothing on that side. Undefined where admin policies apply or
   * the side is open. Built on first use: they take classes² bits, which only whole-matrix
   * questions pay back (lint rules never ask).
   */
  private ingressReachMatrix: ClassMatrix | undefined;
  private egressReachMatrix: ClassMatrix | undefined;
  private ingressEveryPortMarks: Uint8Array | undefined;
  private egressEveryPortMarks: Uint8Array | undefined;
  private admitters: { readonly admittedBy: readonly (readonly number[])[]; readonly unfiltered: Uint8Array } | undefined;

  readonly hostNetworkMode: HostNetworkMode;
  private readonly peerClassCache = new Map<string, BitSet>();
  private classIndex: LabelIndex<PodClass> | undefined;
  private everyClass: BitSet | undefined;

  constructor(readonly graph: ResourceGraph, options: SolverOptions = {}) {
    this.hostNetworkMode = options.hostNetworkPods ?? 'node';
    const classes: PodClass[] = [];
    const classByKey = new Map<string, { index: number; pods: Pod[] }>();
    const classOfPod = new Map<Pod, PodClass>();
    for (const pod of graph.pods) {
      const key = classKey(pod, graph.podLabelMentions);
      let entry = classByKey.get(key);
      if (!entry) {
        entry = { index: classes.length, pods: [] };
        classByKey.set(key, entry);
        classes.push({
          index: entry.index, namespace: pod.namespace, labels: pod.labels, ports: pod.ports, hostNetwork: pod.hostNetwork,
          outsidePolicy: pod.hostNetwork && this.hostNetworkMode === 'node', pods: entry.pods,
        });
      }
      entry.pods.push(pod);
      classOfPod.set(pod, classes[entry.index]);
    }
    this.classes = classes;
    this.classOfPod = classOfPod;

    const classesByNamespace = new Map<string, PodClass[]>();
    for (const podClass of classes) {
      const list = classesByNamespace.get(podClass.namespace);
      if (list) list.push(podClass);
      else classesByNamespace.set(podClass.namespace, [podClass]);
    }
    const ingressRules: CompiledRule[][] = classes.map(() => []);
    const egressRules: CompiledRule[][] = classes.map(() => []);
    const ingressPolicies: NetworkPolicy[][] = classes.map(() => []);
    const egressPolicies: NetworkPolicy[][] = classes.map(() => []);
    const compiledRules: CompiledRule[] = [];
    // The pods each policy selects are the graph's (matched once, and shared by the policies with
    // the same selector); their classes, each once, are the classes it selects.
    const seenIn = new Int32Array(classes.length).fill(-1);
    for (const [policyIndex, policy] of graph.policies.entries()) {
      const selected: PodClass[] = [];
      for (const pod of graph.podsMatching(policy.podSelector, policy.namespace)) {
        const podClass = classOfPod.get(pod)!;
        // NetworkPolicy does not apply to hostNetwork pods in the common implementation (see caveats).
        if (seenIn[podClass.index] === policyIndex || podClass.outsidePolicy) continue;
        seenIn[podClass.index] = policyIndex;
        selected.push(podClass);
      }
      for (const direction of ['ingress', 'egress'] as const) {
        if (direction === 'ingress' ? !policy.affectsIngress : !policy.affectsEgress) continue;
        const compiled = policy[direction].map((rule) => this.compileRule(policy, direction, rule, classesByNamespace));
        compiledRules.push(...compiled);
        for (const podClass of selected) {
          (direction === 'ingress' ? ingressPolicies : egressPolicies)[podClass.index].push(policy);
          (direction === 'ingress' ? ingressRules : egressRules)[podClass.index].push(...compiled);
        }
      }
    }
    this.ingressRules = ingressRules;
    this.egressRules = egressRules;
    this.ingressPolicies = ingressPolicies;
    this.egressPolicies = egressPolicies;
    this.compiledRules = compiledRules;

    const adminIngress: CompiledAdminRule[][] = classes.map(() => []);
    const adminEgress: CompiledAdminRule[][] = classes.map(() => []);
    const compiledAdminRules: CompiledAdminRule[] = [];
    // graph.adminPolicies is sorted by priority, the baseline (priority Infinity) last.
    for (const policy of graph.adminPolicies) {
      const namespaces = new Set(graph.namespacesMatching(policy.subject.namespaceSelector).map((namespace) => namespace.name));
      // "Host-networked pods are not included in subject selection" (policy.networking.k8s.io v1alpha1),
      // whatever the plugin does with NetworkPolicy for them.
      const selected = classes.filter((podClass) => !podClass.hostNetwork && namespaces.has(podClass.namespace)
        && (!policy.subject.podSelector || matchesSelector(policy.subject.podSelector, podClass.labels)));
      for (const direction of ['ingress', 'egress'] as const) {
        const compiled = policy[direction].map((rule) => this.compileAdminRule(policy, direction, rule));
        compiledAdminRules.push(...compiled);
        for (const podClass of selected) (direction === 'ingress' ? adminIngress : adminEgress)[podClass.index].push(...compiled);
      }
    }
    this.adminIngress = adminIngress;
    this.adminEgress = adminEgress;
    this.compiledAdminRules = compiledAdminRules;
    this.openIngress = Uint8Array.from(classes, (podClass) => Number(podClass.outsidePolicy || (ingressPolicies[podClass.index].length === 0 && adminIngress[podClass.index].length === 0)));
    this.openEgress = Uint8Array.from(classes, (podClass) => Number(podClass.outsidePolicy || (egressPolicies[podClass.index].length === 0 && adminEgress[podClass.index].length === 0)));
  }

  private get ingressReach(): ClassMatrix {
    return (this.ingressReachMatrix ??= this.reachMatrix(this.ingressRules, this.adminIngress, this.openIngress));
  }

  private get egressReach(): ClassMatrix {
    return (this.egressReachMatrix ??= this.reachMatrix(this.egressRules, this.adminEgress, this.openEgress));
  }

  /**
   * 1 for the classes isolated by NetworkPolicies only whose every rule for the direction allows
   * every port (no `ports`, so no named port either): towards them, a rule matching decides
   * alone, and the reach matrix row says whether one does.
   */
  private get ingressEveryPort(): Uint8Array {
    return (this.ingressEveryPortMarks ??= this.everyPortMarks(this.ingressRules, this.adminIngress, this.openIngress));
  }

  private get egressEveryPort(): Uint8Array {
    return (this.egressEveryPortMarks ??= this.everyPortMarks(this.egressRules, this.adminEgress, this.openEgress));
  }

  private everyPortMarks(rules: readonly (readonly CompiledRule[])[], admin: readonly (readonly CompiledAdminRule[])[], open: Uint8Array): Uint8Array {
    return Uint8Array.from(this.classes, (podClass) => Number(open[podClass.index] === 0 && admin[podClass.index].length === 0
      && rules[podClass.index].every((rule) => rule.numericPorts === ConnectionSet.ALL && rule.namedPorts.length === 0)));
  }

  /** Rows for the classes isolated by NetworkPolicies only: the classes some of their rules match. */
  private reachMatrix(rules: readonly (readonly CompiledRule[])[], admin: readonly (readonly CompiledAdminRule[])[], open: Uint8Array): ClassMatrix {
    const matrix = new ClassMatrix(this.classes.length);
    for (const podClass of this.classes) {
      if (open[podClass.index] === 1 || admin[podClass.index].length > 0) continue;
      matrix.setRow(podClass.index, rules[podClass.index].map((rule) => rule.classes));
    }
    return matrix;
  }

  private compileAdminRule(policy: AdminNetworkPolicy, direction: Direction, rule: AdminRule): CompiledAdminRule {
    const classes = new BitSet(this.classes.length);
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    for (const peer of rule.peers) {
      if (peer.networks) {
        for (const block of peer.networks) ranges[block.family].push(...block.ranges);
        // `networks` applies to cluster-internal traffic too: "if you Allow or Deny traffic to
        // 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic as well". A pod matches
        // when its known address is inside, or when a whole address family is named.
        for (const podClass of this.classes) {
          if (podClass.hostNetwork) continue;
          if (peer.networks.some((block) => isWholeFamily(block.ranges))
            || knownAddresses(podClass).some((address) => peer.networks!.some((block) => block.family === address.family && rangesContain(block.ranges, address.value)))) {
            classes.add(podClass.index);
          }
        }
        continue;
      }
      if (peer.nodes) {
        // Host-networked pods' traffic is node traffic in the common implementation; an empty
        // node selector selects every node, so it matches them.
        if (this.hostNetworkMode === 'node' && peer.nodes.requirements.length === 0) {
          for (const podClass of this.classes) if (podClass.hostNetwork) classes.add(podClass.index);
        }
        continue;
      }
      if (!peer.namespaceSelector) continue;
      const namespaces = new Set(this.graph.namespacesMatching(peer.namespaceSelector).map((namespace) => namespace.name));
      for (const podClass of this.classes) {
        // "Host-networked pods are not included in this type of peer."
        if (podClass.hostNetwork || !namespaces.has(podClass.namespace)) continue;
        if (!peer.podSelector || matchesSelector(peer.podSelector, podClass.labels)) classes.add(podClass.index);
      }
    }
    let numericPorts = rule.ports === undefined ? ConnectionSet.ALL : ConnectionSet.EMPTY;
    const namedPorts: string[] = [];
    for (const port of rule.ports ?? []) {
      if ('namedPort' in port) namedPorts.push(port.namedPort);
      else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.from, port.to));
    }
    return {
      policy,
      rule,
      direction,
      classes,
      admitsAnyPod: rule.peers.some(admitsAnyAdminPod),
      addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
      numericPorts,
      namedPorts,
    };
  }

  private compileRule(policy: NetworkPolicy, direction: Direction, rule: PolicyRule, classesByNamespace: ReadonlyMap<string, PodClass[]>): CompiledRule {
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    const matchesEveryPeer = rule.peers === undefined;
    const selected: BitSet[] = [];
    for (const peer of rule.peers ?? []) {
      if (peer.ipBlock) {
        ranges[peer.ipBlock.ranges.family].push(...peer.ipBlock.ranges.ranges);
        continue;
      }
      selected.push(this.peerClasses(policy, peer, classesByNamespace));
    }
    // The classes bitset is shared with the peer cache when one selector peer makes it (the same
    // peers recur in thousands of policies), and never changed once compiled.
    let classes: BitSet;
    if (matchesEveryPeer) {
      classes = (this.everyClass ??= BitSet.full(this.classes.length));
    } else if (selected.length === 1) {
      classes = selected[0];
    } else {
      classes = new BitSet(this.classes.length);
      for (const set of selected) set.addInto(classes);
    }
    let numericPorts = rule.ports.length === 0 ? ConnectionSet.ALL : ConnectionSet.EMPTY;
    const namedPorts: { protocol: Protocol; name: string }[] = [];
    for (const port of rule.ports) {
      if (typeof port.port === 'string') namedPorts.push({ protocol: port.protocol, name: port.port });
      else if (port.port === undefined) numericPorts = numericPorts.union(ConnectionSet.ofProtocol(port.protocol));
      else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.port, port.endPort ?? port.port));
    }
    return {
      policy,
      direction,
      rule,
      matchesEveryPeer,
      admitsAnyPod: (rule.peers ?? []).some((peer) => peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
        && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0)),
      classes,
      addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
      peers: rule.peers ?? [],
      numericPorts,
      namedPorts,
    };
  }

  /**
   * The classes a selector peer matches, as a bitset remembered by what the peer selects: the
   * same peers (DNS, the ingress controller, a namespace) recur in thousands of policies.
   */
  private peerClasses(policy: NetworkPolicy, peer: PolicyPeer, classesByNamespace: ReadonlyMap<string, PodClass[]>): BitSet {
    const key = `${peer.namespaceSelector ? `ns:${peer.namespaceSelector.text}` : `in:${policy.namespace}`}\u0000${peer.podSelector?.text ?? ''}`;
    let classes = this.peerClassCache.get(key);
    if (!classes) {
      classes = new BitSet(this.classes.length);
      for (const podClass of this.classesMatchingPeer(policy, peer, classesByNamespace)) classes.add(podClass.index);
      this.peerClassCache.set(key, classes);
    }
    return classes;
  }

  private classesMatchingPeer(policy: NetworkPolicy, peer: PolicyPeer, classesByNamespace: ReadonlyMap<string, PodClass[]>): PodClass[] {
    // Only the policy's own namespace, unless a namespaceSelector widens it (NetworkPolicyPeer docs).
    const namespaces = peer.namespaceSelector
      ? this.graph.namespacesMatching(peer.namespaceSelector).map((namespace) => namespace.name)
      : [policy.namespace];
    // hostNetwork pods' traffic carries the node's address, which selectors do not match.
    if (peer.podSelector && namespaces.length > 1) {
      // A podSelector across many namespaces (`app: prometheus` in every namespace) is looked up
      // by its labels among all classes, then kept to the namespaces.
      const inNamespaces = new Set(namespaces);
      this.classIndex ??= new LabelIndex(this.classes, (podClass) => podClass.labels);
      return this.classIndex.select(peer.podSelector).filter((podClass) => !podClass.outsidePolicy && inNamespaces.has(podClass.namespace));
    }
    const matched: PodClass[] = [];
    for (const namespace of namespaces) {
      for (const podClass of classesByNamespace.get(namespace) ?? []) {
        if (podClass.outsidePolicy) continue;
        if (!peer.podSelector || matchesSelector(peer.podSelector, podClass.labels)) matched.push(podClass);
      }
    }
    return matched;
  }

  /** Returns the class of `pod`. */
  classOf(pod: Pod): PodClass {
    const podClass = this.classOfPod.get(pod);
    if (!podClass) throw new Error(`pod ${pod.key} is not in the solver's graph`);
    return podClass;
  }

  /** Returns true when some policy selects the class for `direction`. */
  isIsolated(podClass: PodClass, direction: Direction): boolean {
    return (direction === 'ingress' ? this.ingressPolicies : this.egressPolicies)[podClass.index].length > 0;
  }

  /** Returns true when an AdminNetworkPolicy or the baseline policy applies to the class for `direction`. */
  hasAdminRules(podClass: PodClass, direction: Direction): boolean {
    return (direction === 'ingress' ? this.adminIngress : this.adminEgress)[podClass.index].length > 0;
  }

  /** Returns the policies that select the class for `direction`. */
  isolatingPolicies(podClass: PodClass, direction: Direction): readonly NetworkPolicy[] {
    return (direction === 'ingress' ? this.ingressPolicies : this.egressPolicies)[podClass.index];
  }

  /** Returns the compiled rules that apply to the class for `direction`. */
  rulesFor(podClass: PodClass, direction: Direction): readonly CompiledRule[] {
    return (direction === 'ingress' ? this.ingressRules : this.egressRules)[podClass.index];
  }

  /** Returns the ports a rule allows towards a destination class; named ports resolve on it. */
  portsTowards(rule: CompiledRule, destination: PodClass | undefined): ConnectionSet {
    if (rule.namedPorts.length === 0) return rule.numericPorts;
    let ports = rule.numericPorts;
    // A named port resolves against the destination pod's containers, by name and protocol;
    // towards an address there is nothing to resolve it on, so it matches nothing.
    if (destination) {
      for (const named of rule.namedPorts) {
        for (const port of destination.ports) {
          if (port.name === named.name && port.protocol === named.protocol) {
            ports = ports.union(ConnectionSet.ofPorts(port.protocol, port.containerPort));
          }
        }
      }
    }
    return ports;
  }

  /** Returns true when a NetworkPolicy rule's peers match `other`. */
  ruleMatches(rule: CompiledRule, other: Peer): boolean {
    if (isAnyPod(other)) return rule.matchesEveryPeer || rule.admitsAnyPod;
    if (isAddress(other)) return rule.matchesEveryPeer || rangesContain(rule.addressRanges[other.family], other.range.first);
    return rule.classes.has(other.index);
  }

  /** Returns true when an admin rule's peers match `other`. */
  private adminRuleMatches(rule: CompiledAdminRule, other: Peer): boolean {
    if (isAnyPod(other)) return rule.admitsAnyPod;
    if (isAddress(other)) return rangesContain(rule.addressRanges[other.family], other.range.first);
    return rule.classes.has(other.index);
  }

  /**
   * The connections one side allows: the source's egress towards `other`, or the destination's
   * ingress from `other`. Layers, as policy.networking.k8s.io defines them: AdminNetworkPolicy
   * rules by priority (first match decides; Pass hands over), then NetworkPolicy if any selects
   * the pod for this direction (the union of their rules), else the BaselineAdminNetworkPolicy
   * (first match decides), else allowed.
   */
  private sideAllowed(direction: Direction, selected: PodClass, other: Peer, trace?: SideTrace): ConnectionSet {
    if (selected.outsidePolicy) return ConnectionSet.ALL;
    const destination = direction === 'ingress' ? selected : isAddress(other) || isAnyPod(other) ? undefined : other;
    const admin = (direction === 'ingress' ? this.adminIngress : this.adminEgress)[selected.index];
    if (admin.length === 0) return this.lowerLayers(direction, selected, other, destination, trace);
    let undecided = ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    let passed = ConnectionSet.EMPTY;
    for (const rule of admin) {
      if (rule.policy.kind !== 'AdminNetworkPolicy' || !this.adminRuleMatches(rule, other)) continue;
      const ports = this.adminPortsTowards(rule, destination).intersect(undecided);
      if (ports.isEmpty()) continue;
      trace?.admin.push({ rule, ports });
      if (rule.rule.action === 'Allow') allowed = allowed.union(ports);
      else if (rule.rule.action === 'Pass') passed = passed.union(ports);
      undecided = undecided.subtract(ports);
      if (undecided.isEmpty()) break;
    }
    const handedDown = undecided.union(passed);
    if (handedDown.isEmpty()) return allowed;
    return allowed.union(handedDown.intersect(this.lowerLayers(direction, selected, other, destination, trace)));
  }

  /** NetworkPolicy, then the BaselineAdminNetworkPolicy for pods no NetworkPolicy isolates. */
  private lowerLayers(direction: Direction, selected: PodClass, other: Peer, destination: PodClass | undefined, trace?: SideTrace): ConnectionSet {
    if (this.isIsolated(selected, direction)) {
      let allowed = ConnectionSet.EMPTY;
      for (const rule of this.rulesFor(selected, direction)) {
        if (!this.ruleMatches(rule, other)) continue;
        const ports = this.portsTowards(rule, destination);
        if (trace) trace.networkPolicy.push({ rule, allowed: ports });
        // The same compiled set often matches twice (a namespace-wide and a specific rule).
        if (ports !== allowed) allowed = allowed.union(ports);
        if (!trace && allowed.isAll()) break;
      }
      return allowed;
    }
    const baseline = (direction === 'ingress' ? this.adminIngress : this.adminEgress)[selected.index];
    let undecided = ConnectionSet.ALL;
    let denied = ConnectionSet.EMPTY;
    for (const rule of baseline) {
      if (rule.policy.kind !== 'BaselineAdminNetworkPolicy' || !this.adminRuleMatches(rule, other)) continue;
      const ports = this.adminPortsTowards(rule, destination).intersect(undecided);
      if (ports.isEmpty()) continue;
      trace?.baseline.push({ rule, ports });
      if (rule.rule.action === 'Deny') denied = denied.union(ports);
      undecided = undecided.subtract(ports);
    }
    return ConnectionSet.ALL.subtract(denied);
  }

  /** Returns the ports an admin rule names towards a destination; named ports resolve on it. */
  adminPortsTowards(rule: CompiledAdminRule, destination: PodClass | undefined): ConnectionSet {
    if (rule.namedPorts.length === 0 || !destination) return rule.numericPorts;
    let ports = rule.numericPorts;
    for (const name of rule.namedPorts) {
      for (const port of destination.ports) {
        if (port.name === name) ports = ports.union(ConnectionSet.ofPorts(port.protocol, port.containerPort));
      }
    }
    return ports;
  }

  /** Connections the source class's egress allows towards the destination class. */
  egressTowardsClass(source: PodClass, destination: PodClass): ConnectionSet {
    return this.sideAllowed('egress', source, destination);
  }

  /** Connections the destination class's ingress allows from the source class. */
  ingressFromClass(source: PodClass, destination: PodClass): ConnectionSet {
    return this.sideAllowed('ingress', destination, source);
  }

  /**
   * True when nothing restricts a class's traffic in a direction (no NetworkPolicy or admin policy
   * isolates it): from a class open for egress to a class open for ingress every connection is
   * allowed, which is most of a large cluster's matrix.
   */
  isOpen(podClass: PodClass, direction: Direction): boolean {
    return (direction === 'ingress' ? this.openIngress : this.openEgress)[podClass.index] === 1;
  }

  /**
   * The ingress prefilter turned around, for loops over millions of pairs: for each source class,
   * the classes whose ingress rules (NetworkPolicies only) may admit it; and which classes have
   * no such prefilter (open for ingress, or under admin policies: only their rules can tell).
   * Computed on first use.
   */
  ingressAdmitters(): { readonly admittedBy: readonly (readonly number[])[]; readonly unfiltered: Uint8Array } {
    if (this.admitters) return this.admitters;
    const admittedBy: number[][] = this.classes.map(() => []);
    const unfiltered = new Uint8Array(this.classes.length);
    for (const podClass of this.classes) {
      const sources = this.ingressReach.rowMembers(podClass.index);
      if (!sources) unfiltered[podClass.index] = 1;
      else for (const source of sources) admittedBy[source].push(podClass.index);
    }
    return (this.admitters = { admittedBy, unfiltered });
  }

  /**
   * The classes `source`'s egress rules may reach, when NetworkPolicies alone isolate it for
   * egress; undefined when it is open for egress or admin policies apply (every class then).
   */
  egressCandidates(source: PodClass): readonly number[] | undefined {
    return this.egressReach.rowMembers(source.index);
  }

  /** Connections allowed from one class to another: egress of the source ∩ ingress of the destination. */
  classToClass(source: PodClass, destination: PodClass): ConnectionSet {
    // Most pairs of a large cluster involve a side no policy touches: answer those without rules.
    const egressOpen = this.openEgress[source.index] === 1;
    const ingressOpen = this.openIngress[destination.index] === 1;
    if (egressOpen && ingressOpen) return ConnectionSet.ALL;
    // Pairs no rule of an isolated side even mentions are denied with one bit test.
    if (this.ingressReach.excludes(destination.index, source.index) || this.egressReach.excludes(source.index, destination.index)) {
      return ConnectionSet.EMPTY;
    }
    // Past that test, an isolated side whose rules all allow every port has a rule matching the
    // other class (its reach row has it): that side allows everything, without going through its rules.
    const egress = egressOpen || this.egressEveryPort[source.index] === 1 ? ConnectionSet.ALL : this.sideAllowed('egress', source, destination);
    if (egress.isEmpty()) return egress;
    const ingress = ingressOpen || this.ingressEveryPort[destination.index] === 1 ? ConnectionSet.ALL : this.sideAllowed('ingress', destination, source);
    return egress.intersect(ingress);
  }

  /** Connections allowed from pod `source` to pod `destination`. */
  podToPod(source: Pod, destination: Pod): ConnectionSet {
    return this.classToClass(this.classOf(source), this.classOf(destination));
  }

  /** Connections allowed from addresses in `range` (wholly inside or outside each ipBlock) to a class. */
  rangeToClass(family: IpFamily, range: AddressRange, destination: PodClass): ConnectionSet {
    return this.sideAllowed('ingress', destination, { family, range });
  }

  /** Connections allowed from a class to addresses in `range`. */
  classToRange(source: PodClass, family: IpFamily, range: AddressRange): ConnectionSet {
    return this.sideAllowed('egress', source, { family, range });
  }

  /**
   * Connections a class admits from a pod of unknown namespace and labels, such as an ingress
   * controller: only rules that admit pods of every namespace match it.
   */
  ingressFromAnyPod(destination: PodClass): ConnectionSet {
    return this.sideAllowed('ingress', destination, ANY_POD);
  }

  /** Connections allowed from an address outside the cluster to pod `destination`. */
  addressToPod(address: string, destination: Pod): ConnectionSet {
    const parsed = parseAddressOrThrow(address);
    return this.rangeToClass(parsed.family, { first: parsed.value, last: parsed.value }, this.classOf(destination));
  }

  /** Connections allowed from pod `source` to an address outside the cluster. */
  podToAddress(source: Pod, address: string): ConnectionSet {
    const parsed = parseAddressOrThrow(address);
    return this.classToRange(this.classOf(source), parsed.family, { first: parsed.value, last: parsed.value });
  }

  /**
   * The address ranges the rules of one direction single out (ipBlocks of NetworkPolicies,
   * networks of admin policies): external peers are the pieces these cut the address space into.
   */
  addressRangeLists(direction: Direction, family: IpFamily): (readonly AddressRange[])[] {
    const lists: (readonly AddressRange[])[] = [];
    for (const rule of [...this.compiledRules, ...this.compiledAdminRules]) {
      if (rule.direction === direction && rule.addressRanges[family].length > 0) lists.push(rule.addressRanges[family]);
    }
    return lists;
  }

  /**
   * Explains the connections between two peers (a class, or an address range): for each side,
   * whether it is isolated, by which policies, and which rules allow what; plus what depends on
   * the network plugin.
   */
  explain(source: PodClass | AddressPeer, destination: PodClass | AddressPeer): PairVerdict {
    const egress = isAddress(source) ? unrestricted('egress', 'external') : this.explainSide('egress', source, destination);
    const ingress = isAddress(destination) ? unrestricted('ingress', 'external') : this.explainSide('ingress', destination, source);
    const allowed = egress.allowed.intersect(ingress.allowed);
    return { egress, ingress, allowed, caveats: this.caveats(source, destination, allowed) };
  }

  private explainSide(direction: Direction, selected: PodClass, other: PodClass | AddressPeer): SideVerdict {
    if (selected.outsidePolicy) return unrestricted(direction, 'host-network');
    const trace: SideTrace = { admin: [], networkPolicy: [], baseline: [] };
    const allowed = this.sideAllowed(direction, selected, other, trace);
    const isolatingPolicies = this.isolatingPolicies(selected, direction);
    const hasAdmin = trace.admin.length > 0 || trace.baseline.length > 0;
    return {
      direction,
      ...(isolatingPolicies.length === 0 && !hasAdmin ? { unrestrictedBecause: 'not-isolated' as const } : {}),
      isolatingPolicies,
      contributions: trace.networkPolicy,
      adminDecisions: [...trace.admin, ...trace.baseline].map(({ rule, ports }) => ({ policy: rule.policy, rule: rule.rule, ports })),
      allowed,
    };
  }

  private caveats(source: PodClass | AddressPeer, destination: PodClass | AddressPeer, allowed: ConnectionSet): string[] {
    const caveats: string[] = [];
    for (const [peer, role] of [[source, 'source'], [destination, 'destination']] as const) {
      if (!isAddress(peer) && peer.hostNetwork) {
        caveats.push(this.hostNetworkMode === 'node'
          ? `The ${role} uses hostNetwork, so the answer depends on the network plugin. Most plugins treat its traffic as node traffic `
            + '(assumed here: policies do not isolate it and pod or namespace selectors do not match it); plugins that tell hostNetwork pods '
            + 'apart apply policies to them as to other pods (--host-network-pods pod).'
            + (role === 'source' && !isAddress(destination) && this.isIsolated(destination, 'ingress')
              ? ' Traffic from a pod\'s own node is always allowed into it (NetworkPolicySpec.ingress), so an instance '
                + 'running on the destination\'s node gets through whatever the policies say; a DaemonSet has one on every node.'
              : '')
          : `The ${role} uses hostNetwork, so the answer depends on the network plugin. Assumed here (--host-network-pods pod): the plugin `
            + 'applies policies to it as to other pods; most plugins instead treat its traffic as node traffic, outside NetworkPolicy.');
      }
    }
    // ipBlock against pod addresses is plugin-dependent: say what such a match would add.
    for (const [direction, selected, other] of [['egress', source, destination], ['ingress', destination, source]] as const) {
      if (isAddress(selected) || isAddress(other) || selected.outsidePolicy) continue;
      if (!this.isIsolated(selected, direction)) continue;
      const otherAddresses = knownAddresses(other);
      for (const rule of this.rulesFor(selected, direction)) {
        if (rule.matchesEveryPeer || (rule.addressRanges[4].length === 0 && rule.addressRanges[6].length === 0)) continue;
        if (otherAddresses.length > 0 && !otherAddresses.some((address) => rangesContain(rule.addressRanges[address.family], address.value))) continue;
        const extra = this.portsTowards(rule, direction === 'ingress' ? selected : other).subtract(allowed);
        if (extra.isEmpty()) continue;
        const where = `${rule.policy.namespace}/${rule.policy.name} ${direction}[${rule.rule.path[2]}]`;
        caveats.push(otherAddresses.length > 0
          ? `Depends on the network plugin: the ipBlock of ${where} contains the ${direction === 'ingress' ? 'source' : 'destination'} pod's IP; plugins that apply ipBlock to pod IPs (Calico does, Cilium does not) would also allow ${extra.describe()}.`
          : `Depends on the network plugin: if the ${direction === 'ingress' ? 'source' : 'destination'} pod's IP falls inside the ipBlock of ${where}, plugins that apply ipBlock to pod IPs (Calico does, Cilium does not) would also allow ${extra.describe()}.`);
      }
    }
    return caveats;
  }
}

/** An address range outside the cluster, as a peer of {@link ReachabilitySolver.explain}. */
export interface AddressPeer {
  readonly family: IpFamily;
  readonly range: AddressRange;
}

function isAddress(peer: Peer): peer is AddressPeer {
  return (peer as AddressPeer).range !== undefined;
}

function isWholeFamily(ranges: readonly AddressRange[]): boolean {
  return ranges.some((range) => range.first === 0n && (range.last === (1n << 32n) - 1n || range.last === (1n << 128n) - 1n));
}

function isAnyPod(peer: Peer): peer is typeof ANY_POD {
  return peer === ANY_POD;
}

function admitsAnyAdminPod(peer: AdminPeer): boolean {
  return peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
    && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0);
}

function unrestricted(direction: Direction, because: NonNullable<SideVerdict['unrestrictedBecause']>): SideVerdict {
  return { direction, unrestrictedBecause: because, isolatingPolicies: [], contributions: [], adminDecisions: [], allowed: ConnectionSet.ALL };
}

function knownAddresses(podClass: PodClass): { family: IpFamily; value: bigint }[] {
  const addresses: { family: IpFamily; value: bigint }[] = [];
  for (const pod of podClass.pods) {
    const parsed = pod.podIP ? parseAddress(pod.podIP) : undefined;
    if (parsed) addresses.push(parsed);
    else return []; // One pod without a known address: any address is possible.
  }
  return addresses;
}

function classKey(pod: Pod, mentions: PodLabelMentions): string {
  // An ordinal label no selector names tells no pods apart: the ordinals share a class.
  const labels = Object.keys(pod.labels).sort().map((key) => `${key}=${distinguishableValue(key, pod.labels[key], mentions)}`).join('\u0000');
  const ports = pod.ports.filter((port) => port.name).map((port) => `${port.name}/${port.protocol}/${port.containerPort}`).sort().join(',');
  return `${pod.namespace}\u0001${labels}\u0001${ports}\u0001${pod.hostNetwork}`;
}

function sortRanges(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.first <= last.last + 1n) merged[merged.length - 1] = { first: last.first, last: range.last > last.last ? range.last : last.last };
    else merged.push(range);
  }
  return merged;
}

function parseAddressOrThrow(address: string): { family: IpFamily; value: bigint } {
  const parsed = parseAddress(address);
  if (!parsed) throw new RangeError(`'${address}' is not an IP address`);
  return parsed;
}

