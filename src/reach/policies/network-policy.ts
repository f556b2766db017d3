import type { AddressRange, IpFamily } from '../../model/cidr.js';
import { formatRequirements, matchesSelector as matchesPodSelector } from '../../model/label-selector.js';
import { formatPath } from '../../load/path.js';
import type { NetworkPolicy, PolicyPeer, PolicyRule, Protocol } from '../../model/types.js';
import type { BitSet } from '../bitset.js';
import { ConnectionSet } from '../connection-set.js';
import type { Labels } from '../../model/label-selector.js';
import type { CompiledPolicy, CompiledRule, Direction, PodAddressMatch, PodClass, PolicySide } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { sortRanges } from './ranges.js';

/** Where the layout places NetworkPolicies: a stage, and a rank in it (Calico: order 1000). */
export interface NetworkPolicyPlacement {
  readonly stage: string;
  readonly priority?: number;
  /**
   * The labels selectors match, when the plugin matches something else than pod labels (Cilium:
   * the identity labels, so `io.cilium.k8s.policy.cluster` selects and filtered keys do not).
   */
  readonly selectorLabels?: (podClass: PodClass) => Labels;
  /** Whether ipBlock matches pod addresses under this plugin; plugin-dependent by default. */
  readonly podAddressMatch?: PodAddressMatch;
  /** The rank of each policy, when the layout ranks them one by one (Calico's order of policies in a tier). */
  readonly priorityOf?: (policy: NetworkPolicy) => number;
}

/** Tags of entity peers a rule admitting every pod of every namespace matches. */
const ANY_POD_TAGS: ReadonlySet<string> = new Set(['any-pod']);
const NO_TAGS: ReadonlySet<string> = new Set();

/**
 * Compiles networking.k8s.io/v1 NetworkPolicies into the common form: each policy applies to the
 * classes its podSelector selects in its namespace (not hostNetwork pods the plugin takes as
 * node traffic), isolates them in the directions of its effective policyTypes, and allows what
 * its rules match; `from`/`to` missing or empty matches every peer, `ports` missing or empty every
 * connection of every protocol. ipBlock does not match pod addresses (plugin-dependent).
 */
export function compileNetworkPolicies(context: CompileContext, placement: NetworkPolicyPlacement): CompiledPolicy[] {
  const compiler = new NetworkPolicyCompiler(context, placement);
  return context.graph.policies.map((policy) => compiler.compile(policy));
}

class NetworkPolicyCompiler {
  /** Classes of each selector peer, by what the peer selects: the same peers recur in thousands of policies. */
  private readonly peerClassCache = new Map<string, BitSet>();
  /** Which classes each policy was last seen selecting, to count each class once. */
  private readonly seenIn: Int32Array;
  private policyNumber = 0;

  constructor(private readonly context: CompileContext, private readonly placement: NetworkPolicyPlacement) {
    this.seenIn = new Int32Array(context.classes.length).fill(-1);
  }

  compile(policy: NetworkPolicy): CompiledPolicy {
    const number = this.policyNumber++;
    // The pods each policy selects are the graph's (matched once, and shared by the policies with
    // the same selector); their classes, each once, are the classes it selects.
    const subjects = this.context.newClassSet();
    let bypassed: BitSet | undefined;
    const selectorLabels = this.placement.selectorLabels;
    const selectedPods = selectorLabels
      ? this.context.classesInNamespace(policy.namespace).filter((podClass) => matchesPodSelector(policy.podSelector, selectorLabels(podClass))).map((podClass) => podClass.pods[0])
      : this.context.graph.podsMatching(policy.podSelector, policy.namespace);
    for (const pod of selectedPods) {
      const podClass = this.context.classOf(pod);
      if (this.seenIn[podClass.index] === number) continue;
      this.seenIn[podClass.index] = number;
      // NetworkPolicy does not apply to hostNetwork pods in the common implementation (see caveats).
      if (podClass.outsidePolicy) (bypassed ??= this.context.newClassSet()).add(podClass.index);
      else subjects.add(podClass.index);
    }
    const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
      kind: 'NetworkPolicy',
      name: policy.name,
      namespace: policy.namespace,
      label: `${policy.namespace}/${policy.name}`,
      object: policy.source,
      stage: this.placement.stage,
      priority: this.placement.priorityOf?.(policy) ?? this.placement.priority ?? 0,
      model: policy,
    };
    for (const direction of ['ingress', 'egress'] as const) {
      // Rules of a direction the policy's policyTypes leave out are ignored by the API.
      if (direction === 'ingress' ? !policy.affectsIngress : !policy.affectsEgress) continue;
      const rules: CompiledRule[] = [];
      const side: PolicySide = { direction, subjects, isolates: true, rules, ...(bypassed ? { bypassed } : {}) };
      policy[direction].forEach((rule, position) => rules.push(this.compileRule(compiled, policy, direction, rule, position)));
      compiled[direction] = side;
    }
    return compiled;
  }

  private compileRule(compiled: CompiledPolicy, policy: NetworkPolicy, direction: Direction, rule: PolicyRule, position: number): CompiledRule {
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    const matchesEveryPeer = rule.peers === undefined;
    const selected: BitSet[] = [];
    for (const peer of rule.peers ?? []) {
      if (peer.ipBlock) {
        ranges[peer.ipBlock.ranges.family].push(...peer.ipBlock.ranges.ranges);
        continue;
      }
      selected.push(this.peerClasses(policy, peer));
    }
    // The classes bitset is shared with the peer cache when one selector peer makes it, and
    // never changed once compiled.
    let classes: BitSet;
    if (matchesEveryPeer) {
      classes = this.context.allClasses();
    } else if (selected.length === 1) {
      classes = selected[0];
    } else if (selected.length === 0) {
      classes = this.context.noClasses();
    } else {
      classes = this.context.newClassSet();
      for (const set of selected) set.addInto(classes);
    }
    const addressRanges = { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) };
    // ipBlocks that select node addresses (Cilium's policy-cidr-match-mode nodes) select the
    // hostNetwork pods on those nodes too.
    if (this.placement.podAddressMatch === 'nodes' && (addressRanges[4].length > 0 || addressRanges[6].length > 0) && !matchesEveryPeer) {
      const nodeClasses = this.context.hostNetworkClassesInside(addressRanges);
      if (nodeClasses.first() !== -1) {
        const union = this.context.newClassSet();
        classes.addInto(union);
        nodeClasses.addInto(union);
        classes = union;
      }
    }
    // ipBlocks that match pod addresses (Calico applies them to pod IPs): the pods whose address is
    // inside, known or - for pods the manifests give none - taken from stated pod ranges the ipBlocks hold.
    if (this.placement.podAddressMatch === 'always' && (addressRanges[4].length > 0 || addressRanges[6].length > 0) && !matchesEveryPeer) {
      const union = this.context.classesWithAddressesInside(addressRanges);
      classes.addInto(union);
      classes = union;
    }
    let numericPorts = rule.ports.length === 0 ? ConnectionSet.ALL : ConnectionSet.EMPTY;
    const namedPorts: { name: string; protocol: Protocol }[] = [];
    for (const port of rule.ports) {
      if (typeof port.port === 'string') namedPorts.push({ protocol: port.protocol, name: port.port });
      else if (port.port === undefined) numericPorts = numericPorts.union(ConnectionSet.ofProtocol(port.protocol));
      else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.port, port.endPort ?? port.port));
    }
    const admitsAnyPod = (rule.peers ?? []).some((peer) => peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
      && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0));
    return {
      policy: compiled,
      direction,
      action: 'allow',
      matchesEveryPeer,
      classes,
      addressRanges,
      podAddressMatch: this.placement.podAddressMatch ?? 'plugin-dependent',
      entities: admitsAnyPod ? ANY_POD_TAGS : NO_TAGS,
      numericPorts,
      namedPorts,
      restrictions: [],
      position,
      source: {
        kind: 'NetworkPolicy',
        policyLabel: `${policy.namespace}/${policy.name}`,
        ruleLabel: formatPath(rule.path.slice(1)),
        object: policy.source,
        path: rule.path,
        actionName: 'Allow',
        describePeers: () => (rule.peers ?? []).map(describePolicyPeer).join(' or '),
      },
      model: rule,
    };
  }

  /** The classes a selector peer matches, as a bitset remembered by what the peer selects. */
  private peerClasses(policy: NetworkPolicy, peer: PolicyPeer): BitSet {
    const key = `${peer.namespaceSelector ? `ns:${peer.namespaceSelector.text}` : `in:${policy.namespace}`}\u0000${peer.podSelector?.text ?? ''}`;
    let classes = this.peerClassCache.get(key);
    if (!classes) {
      classes = this.context.newClassSet();
      for (const podClass of this.classesMatchingPeer(policy, peer)) classes.add(podClass.index);
      this.peerClassCache.set(key, classes);
    }
    return classes;
  }

  private classesMatchingPeer(policy: NetworkPolicy, peer: PolicyPeer) {
    const { graph } = this.context;
    // Only the policy's own namespace, unless a namespaceSelector widens it (NetworkPolicyPeer docs).
    const namespaces = peer.namespaceSelector
      ? graph.namespacesMatching(peer.namespaceSelector).map((namespace) => namespace.name)
      : [policy.namespace];
    // hostNetwork pods' traffic carries the node's address, which selectors do not match.
    const selectorLabels = this.placement.selectorLabels ?? ((podClass: PodClass) => podClass.labels);
    if (peer.podSelector && namespaces.length > 1 && !this.placement.selectorLabels) {
      // A podSelector across many namespaces (`app: prometheus` in every namespace) is looked up
      // by its labels among all classes, then kept to the namespaces.
      const inNamespaces = new Set(namespaces);
      return this.context.classesMatching(peer.podSelector).filter((podClass) => !podClass.outsidePolicy && inNamespaces.has(podClass.namespace));
    }
    const matched = [];
    for (const namespace of namespaces) {
      for (const podClass of this.context.classesInNamespace(namespace)) {
        if (podClass.outsidePolicy) continue;
        if (!peer.podSelector || matchesPodSelector(peer.podSelector, selectorLabels(podClass))) matched.push(podClass);
      }
    }
    return matched;
  }
}

/** Describes a NetworkPolicy peer in kubectl terms: `namespaceSelector kubernetes.io/metadata.name=shop + podSelector app=web`. */
export function describePolicyPeer(peer: PolicyPeer): string {
  if (peer.ipBlock) return `ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except.length > 0 ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaceSelector ${formatRequirements(peer.namespaceSelector.requirements)}`);
  if (peer.podSelector) parts.push(`podSelector ${formatRequirements(peer.podSelector.requirements)}`);
  return parts.join(' + ');
}
