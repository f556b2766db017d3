import type { ResourceGraph } from '../model/graph.js';
import { matchesSelector } from '../model/label-selector.js';
import { parseAddress, type AddressRange, type IpFamily } from '../model/cidr.js';
import type { ContainerPort, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Protocol } from '../model/types.js';
import { BitSet } from './bitset.js';
import { ConnectionSet } from './connection-set.js';
import { rangesContain, rangesOverlap } from './ip-ranges.js';

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
  /** Classes its pod/namespace selector peers match (hostNetwork pods excluded). */
  readonly classes: BitSet;
  /** The addresses its ipBlock peers match, per family. */
  readonly addressRanges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
  /** The peer that matched, for explanations, by class index; computed on demand. */
  readonly peers: readonly PolicyPeer[];
  /** Ports with a number (or none): independent of the destination. */
  readonly numericPorts: ConnectionSet;
  /** Named ports, resolved on each destination pod. */
  readonly namedPorts: readonly { readonly protocol: Protocol; readonly name: string }[];
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
  /** Rules whose peers match the other side, with what each allows. */
  readonly contributions: readonly RuleContribution[];
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

const EMPTY_RANGES: Readonly<Record<IpFamily, readonly AddressRange[]>> = { 4: [], 6: [] };

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

  readonly hostNetworkMode: HostNetworkMode;

  constructor(readonly graph: ResourceGraph, options: SolverOptions = {}) {
    this.hostNetworkMode = options.hostNetworkPods ?? 'node';
    const classes: PodClass[] = [];
    const classByKey = new Map<string, { index: number; pods: Pod[] }>();
    const classOfPod = new Map<Pod, PodClass>();
    const podsOfClass: Pod[][] = [];
    for (const pod of graph.pods) {
      const key = classKey(pod);
      let entry = classByKey.get(key);
      if (!entry) {
        entry = { index: classes.length, pods: [] };
        classByKey.set(key, entry);
        podsOfClass.push(entry.pods);
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
    for (const policy of graph.policies) {
      const selected = (classesByNamespace.get(policy.namespace) ?? [])
        // NetworkPolicy does not apply to hostNetwork pods in the common implementation (see caveats).
        .filter((podClass) => !podClass.outsidePolicy && matchesSelector(policy.podSelector, podClass.labels));
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
  }

  private compileRule(policy: NetworkPolicy, direction: Direction, rule: PolicyRule, classesByNamespace: ReadonlyMap<string, PodClass[]>): CompiledRule {
    const classes = new BitSet(this.classes.length);
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    const matchesEveryPeer = rule.peers === undefined;
    if (matchesEveryPeer) {
      for (const podClass of this.classes) classes.add(podClass.index);
    } else {
      for (const peer of rule.peers!) {
        if (peer.ipBlock) {
          ranges[peer.ipBlock.ranges.family].push(...peer.ipBlock.ranges.ranges);
          continue;
        }
        for (const podClass of this.classesMatchingPeer(policy, peer, classesByNamespace)) classes.add(podClass.index);
      }
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
      classes,
      addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
      peers: rule.peers ?? [],
      numericPorts,
      namedPorts,
    };
  }

  private classesMatchingPeer(policy: NetworkPolicy, peer: PolicyPeer, classesByNamespace: ReadonlyMap<string, PodClass[]>): PodClass[] {
    // Only the policy's own namespace, unless a namespaceSelector widens it (NetworkPolicyPeer docs).
    const namespaces = peer.namespaceSelector
      ? this.graph.namespacesMatching(peer.namespaceSelector).map((namespace) => namespace.name)
      : [policy.namespace];
    const matched: PodClass[] = [];
    for (const namespace of namespaces) {
      for (const podClass of classesByNamespace.get(namespace) ?? []) {
        // hostNetwork pods' traffic carries the node's address, which selectors do not match.
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

  /** Connections the source class's egress allows towards the destination class. */
  egressTowardsClass(source: PodClass, destination: PodClass): ConnectionSet {
    if (source.outsidePolicy) return ConnectionSet.ALL;
    const rules = this.egressRules[source.index];
    if (this.egressPolicies[source.index].length === 0) return ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    for (const rule of rules) {
      if (rule.classes.has(destination.index) && (rule.matchesEveryPeer || !destination.outsidePolicy)) {
        allowed = allowed.union(this.portsTowards(rule, destination));
        if (allowed.isAll()) break;
      }
    }
    return allowed;
  }

  /** Connections the destination class's ingress allows from the source class. */
  ingressFromClass(source: PodClass, destination: PodClass): ConnectionSet {
    if (destination.outsidePolicy) return ConnectionSet.ALL;
    if (this.ingressPolicies[destination.index].length === 0) return ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    for (const rule of this.ingressRules[destination.index]) {
      if (rule.classes.has(source.index) && (rule.matchesEveryPeer || !source.outsidePolicy)) {
        allowed = allowed.union(this.portsTowards(rule, destination));
        if (allowed.isAll()) break;
      }
    }
    return allowed;
  }

  /** Connections allowed from one class to another: egress of the source ∩ ingress of the destination. */
  classToClass(source: PodClass, destination: PodClass): ConnectionSet {
    const egress = this.egressTowardsClass(source, destination);
    if (egress.isEmpty()) return egress;
    return egress.intersect(this.ingressFromClass(source, destination));
  }

  /** Connections allowed from pod `source` to pod `destination`. */
  podToPod(source: Pod, destination: Pod): ConnectionSet {
    return this.classToClass(this.classOf(source), this.classOf(destination));
  }

  /** Connections allowed from addresses in `range` (which lies wholly inside or outside each ipBlock) to a class. */
  rangeToClass(family: IpFamily, range: AddressRange, destination: PodClass): ConnectionSet {
    if (destination.outsidePolicy || this.ingressPolicies[destination.index].length === 0) return ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    for (const rule of this.ingressRules[destination.index]) {
      if (rule.matchesEveryPeer || rangesContain(rule.addressRanges[family], range.first)) {
        allowed = allowed.union(this.portsTowards(rule, destination));
      }
    }
    return allowed;
  }

  /** Connections allowed from a class to addresses in `range`. */
  classToRange(source: PodClass, family: IpFamily, range: AddressRange): ConnectionSet {
    if (source.outsidePolicy || this.egressPolicies[source.index].length === 0) return ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    for (const rule of this.egressRules[source.index]) {
      if (rule.matchesEveryPeer || rangesContain(rule.addressRanges[family], range.first)) {
        allowed = allowed.union(this.portsTowards(rule, undefined));
      }
    }
    return allowed;
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
   * Explains the connections between two peers (a class, or an address range): for each side,
   * whether it is isolated, by which policies, and which rules allow what; plus what depends on
   * the network plugin. `source`/`destination` are a class or `{ family, range }` for addresses.
   */
  explain(source: PodClass | AddressPeer, destination: PodClass | AddressPeer): PairVerdict {
    const egress = isAddress(source)
      ? unrestricted('egress', 'external')
      : this.explainSide('egress', source, destination);
    const ingress = isAddress(destination)
      ? unrestricted('ingress', 'external')
      : this.explainSide('ingress', destination, source);
    const allowed = egress.allowed.intersect(ingress.allowed);
    return { egress, ingress, allowed, caveats: this.caveats(source, destination, allowed) };
  }

  private explainSide(direction: Direction, selected: PodClass, other: PodClass | AddressPeer): SideVerdict {
    if (selected.outsidePolicy) return unrestricted(direction, 'host-network');
    const isolatingPolicies = this.isolatingPolicies(selected, direction);
    if (isolatingPolicies.length === 0) return unrestricted(direction, 'not-isolated');
    const destination = direction === 'ingress' ? selected : isAddress(other) ? undefined : other;
    const contributions: RuleContribution[] = [];
    let allowed = ConnectionSet.EMPTY;
    for (const rule of this.rulesFor(selected, direction)) {
      const matches = isAddress(other)
        ? rule.matchesEveryPeer || rangesContain(rule.addressRanges[other.family], other.range.first)
        : rule.classes.has(other.index) && (rule.matchesEveryPeer || !other.outsidePolicy);
      if (!matches) continue;
      const ports = this.portsTowards(rule, destination);
      contributions.push({ rule, allowed: ports });
      allowed = allowed.union(ports);
    }
    return { direction, isolatingPolicies, contributions, allowed };
  }

  private caveats(source: PodClass | AddressPeer, destination: PodClass | AddressPeer, allowed: ConnectionSet): string[] {
    const caveats: string[] = [];
    for (const [peer, role] of [[source, 'source'], [destination, 'destination']] as const) {
      if (!isAddress(peer) && peer.hostNetwork) {
        caveats.push(this.hostNetworkMode === 'node'
          ? `The ${role} uses hostNetwork, so the answer depends on the network plugin. Most plugins treat its traffic as node traffic `
            + '(assumed here: policies do not isolate it and pod or namespace selectors do not match it); plugins that tell hostNetwork pods '
            + 'apart apply policies to them as to other pods (--host-network-pods pod).'
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

function isAddress(peer: PodClass | AddressPeer): peer is AddressPeer {
  return (peer as AddressPeer).range !== undefined;
}

function unrestricted(direction: Direction, because: NonNullable<SideVerdict['unrestrictedBecause']>): SideVerdict {
  return { direction, unrestrictedBecause: because, isolatingPolicies: [], contributions: [], allowed: ConnectionSet.ALL };
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

function classKey(pod: Pod): string {
  const labels = Object.keys(pod.labels).sort().map((key) => `${key}=${pod.labels[key]}`).join('\u0000');
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

export { rangesOverlap };
