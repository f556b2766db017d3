import type { ResourceGraph } from '../model/graph.js';
import { distinguishableValue, type PodLabelMentions } from '../model/controller-labels.js';
import { mergeRanges, parseAddress, parseCidr, type AddressRange, type Cidr, type IpFamily } from '../model/cidr.js';
import type { Pod } from '../model/types.js';
import type { ClassMatrix } from './bitset.js';
import { ConnectionSet } from './connection-set.js';
import {
  PolicyEvaluator, type ClassPlan, type RestrictionOnVerdict, type RuleContribution, type RuleDecision, type SideTrace, type StageEnd, type PointResult,
} from './evaluator.js';
import { rangesContain, rangesOverlap } from './ip-ranges.js';
import { CompileContext, statedPodRanges, type HostNetworkMode } from './policies/context.js';
import { classSignature, layoutFor, type PolicyLayout } from './policies/index.js';
import { networkPluginOf, type NetworkPluginFact } from '../model/network-plugin.js';
import {
  ANY_POD, isAddressPeer, isEntityPeer, isPodClass, type AddressPeer, type EntityPeer, type CompiledPolicy, type CompiledRule, type Direction, type Peer, type PodClass,
} from './policy-form.js';

export { ANY_POD, type AddressPeer, type CompiledPolicy, type CompiledRule, type Direction, type Peer, type PodClass } from './policy-form.js';
export type { RestrictionOnVerdict, RuleContribution, RuleDecision } from './evaluator.js';
export type { HostNetworkMode } from './policies/context.js';

/** Options of the solver. */
export interface SolverOptions {
  readonly hostNetworkPods?: HostNetworkMode;
  /** Where each kind's policies are evaluated; by default the layout of `plugin` (layoutFor: Cilium's, Calico's or Kubernetes'). */
  readonly layout?: PolicyLayout;
  /** The cluster's network plugin; by default what the manifests show (networkPluginOf). */
  readonly plugin?: NetworkPluginFact;
  /** The cluster's pod ranges as configured (`.k8snet.yaml` cluster.podCIDR), beside the Nodes' spec.podCIDRs. */
  readonly podCIDRs?: readonly string[];
}

/** One side (the source's egress or the destination's ingress) of a verdict. */
export interface SideVerdict {
  readonly direction: Direction;
  /**
   * Why this side allows everything without looking at rules, if it does: `node` for a node's own
   * traffic (no policy of pods selects it), `local-node` for traffic between a pod and the node it
   * runs on that the plugin allows whatever the policies say (the layout's `localNode`).
   */
  readonly unrestrictedBecause?: 'not-isolated' | 'host-network' | 'external' | 'node' | 'local-node';
  /** Policies that isolate the pod in this direction: what no rule allows is denied. */
  readonly isolatingPolicies: readonly CompiledPolicy[];
  /** Allow rules of deny-overrides stages (NetworkPolicy) whose peers match the other side, with what each allows. */
  readonly contributions: readonly RuleContribution[];
  /** Rules that decided connections in rank order (admin tiers), and denies that won, in evaluation order. */
  readonly decisions: readonly RuleDecision[];
  /** Conditions above L4 on what is allowed, with the rules that add them. */
  readonly restrictions: readonly RestrictionOnVerdict[];
  /** What first-match stages (Calico tiers) denied at their end, when some did. */
  readonly stageEnds?: readonly StageEnd[];
  /** What each enforcement point allowed on its own, when the class meets several (the plugin and Istio's proxies). */
  readonly points?: readonly PointResult[];
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
 * The reachability solver. Groups pods into classes, compiles every policy of every kind once
 * into the common rule form, and answers "what may flow from A to B" as a connection set through
 * the one evaluator (see evaluator.ts for the semantics of each kind): each side is evaluated on
 * its own endpoint, an open side allows everything, and the two sides are intersected.
 */
export class ReachabilitySolver {
  readonly classes: readonly PodClass[];
  private readonly classOfPod: ReadonlyMap<Pod, PodClass>;
  /** The evaluator over the compiled policies: the query API of every kind. */
  readonly evaluator: PolicyEvaluator;
  /** Every compiled policy, of every kind, in the graph's order of kinds. */
  readonly compiledPolicies: readonly CompiledPolicy[];
  private readonly policyByModel: ReadonlyMap<object, CompiledPolicy>;
  private ruleByModel: ReadonlyMap<object, CompiledRule> | undefined;
  private ingressReachMatrix: ClassMatrix | undefined;
  private egressReachMatrix: ClassMatrix | undefined;
  /** Per class: 1 when its ingress (egress) allows everything (see isUnrestricted); read for every pair of the matrix. */
  private readonly openIngress: Uint8Array;
  private readonly openEgress: Uint8Array;
  private ingressEveryPort: Uint8Array | undefined;
  private egressEveryPort: Uint8Array | undefined;
  private admitters: { readonly admittedBy: readonly (readonly number[])[]; readonly unfiltered: Uint8Array } | undefined;

  readonly hostNetworkMode: HostNetworkMode;
  /** The layout the policies were compiled into (the network plugin's). */
  readonly layout: PolicyLayout;
  private readonly compileContext: CompileContext;
  /** The cluster's pod ranges as the input states them (configured, Calico's pools): where pods of unknown address lie. */
  readonly statedPodRanges: Readonly<Record<IpFamily, readonly AddressRange[]>> | undefined;
  private nodeSubjects: NodeSubjects | null | undefined;

  constructor(readonly graph: ResourceGraph, options: SolverOptions = {}) {
    this.hostNetworkMode = options.hostNetworkPods ?? 'node';
    const plugin = options.plugin ?? networkPluginOf(graph, undefined);
    const layout = options.layout ?? layoutFor(graph, plugin);
    this.layout = layout;
    const signature = classSignature(graph, layout);
    const classes: PodClass[] = [];
    const classByKey = new Map<string, { index: number; pods: Pod[] }>();
    const classOfPod = new Map<Pod, PodClass>();
    for (const pod of graph.pods) {
      const key = signature ? `${classKey(pod, graph.podLabelMentions)}\u0001${signature(pod)}` : classKey(pod, graph.podLabelMentions);
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
    this.statedPodRanges = statedPodRanges(graph, options.podCIDRs, plugin.name);
    this.compileContext = new CompileContext(graph, classes, this.hostNetworkMode, classOfPod, this.statedPodRanges);
    this.compiledPolicies = layout.compile(this.compileContext);
    this.policyByModel = new Map(this.compiledPolicies.map((policy) => [policy.model, policy]));
    this.evaluator = new PolicyEvaluator(classes, layout.points, layout.stages, this.compiledPolicies);
    this.openIngress = Uint8Array.from(classes, (podClass) => Number(this.evaluator.isUnrestricted(podClass, 'ingress')));
    this.openEgress = Uint8Array.from(classes, (podClass) => Number(this.evaluator.isUnrestricted(podClass, 'egress')));
  }

  private get ingressReach(): ClassMatrix {
    return (this.ingressReachMatrix ??= this.evaluator.reachMatrix('ingress'));
  }

  private get egressReach(): ClassMatrix {
    return (this.egressReachMatrix ??= this.evaluator.reachMatrix('egress'));
  }

  /** Returns the class of `pod`. */
  classOf(pod: Pod): PodClass {
    const podClass = this.classOfPod.get(pod);
    if (!podClass) throw new Error(`pod ${pod.key} is not in the solver's graph`);
    return podClass;
  }

  /** Every compiled rule of every kind, in policy order. */
  get compiledRules(): readonly CompiledRule[] {
    return this.evaluator.rules;
  }

  /** Returns the compiled form of a policy of the graph (a NetworkPolicy, an AdminNetworkPolicy...). */
  compiledPolicyOf(model: object): CompiledPolicy | undefined {
    return this.policyByModel.get(model);
  }

  /** Returns the compiled form of a rule of the graph (a PolicyRule, an AdminRule...); undefined for a rule of a direction its policy ignores. */
  compiledRuleOf(model: object): CompiledRule | undefined {
    this.ruleByModel ??= new Map(this.evaluator.rules.map((rule) => [rule.model, rule]));
    return this.ruleByModel.get(model);
  }

  /**
   * Returns true when some policy of any kind isolates the class for `direction`: what no rule
   * allows is denied (a NetworkPolicy selects it, a Cilium policy with rules, an Istio ALLOW policy).
   */
  isIsolated(podClass: PodClass, direction: Direction): boolean {
    return (this.evaluator.planFor(podClass, direction)?.denyingIsolation.length ?? 0) > 0;
  }

  /**
   * Returns the policies that close the class's side by default, in evaluation order: those that
   * isolate it, and those with a rule denying every peer (pods, addresses, nodes) on every
   * connection that no earlier rule of its ranked stage lets through for every peer first: a
   * default deny would add nothing to them. Policies that deny only some peers (every pod still
   * leaves addresses outside the cluster), or pass everything on (a Calico tier ending in `Pass`),
   * leave the side open.
   */
  closingPolicies(podClass: PodClass, direction: Direction): readonly CompiledPolicy[] {
    return this.evaluator.planFor(podClass, direction)?.closingPolicies ?? [];
  }

  /** Returns the policies of any kind that isolate the class for `direction`, in evaluation order. */
  isolatingPolicies(podClass: PodClass, direction: Direction): readonly CompiledPolicy[] {
    return this.evaluator.planFor(podClass, direction)?.denyingIsolation ?? [];
  }

  /**
   * Returns every policy of any kind that applies to the class for `direction` (isolating it or
   * deciding some of its connections by rules), in evaluation order.
   */
  policiesFor(podClass: PodClass, direction: Direction): readonly CompiledPolicy[] {
    return this.evaluator.planFor(podClass, direction)?.policies ?? [];
  }

  /** Returns the compiled rules of every kind that apply to the class for `direction`, in evaluation order. */
  rulesFor(podClass: PodClass, direction: Direction): readonly CompiledRule[] {
    return this.evaluator.planFor(podClass, direction)?.rules ?? [];
  }

  /**
   * Returns the policies whose selector matches the class although the plugin most likely does
   * not apply them to it (hostNetwork pods under NetworkPolicy, `--host-network-pods node`).
   */
  bypassingPolicies(podClass: PodClass, direction: Direction): readonly CompiledPolicy[] {
    return this.compiledPolicies.filter((policy) => policy[direction]?.bypassed?.has(podClass.index) ?? false);
  }

  /** Returns what applies to the class in a direction, stage by stage; undefined when nothing does. */
  planFor(podClass: PodClass, direction: Direction): ClassPlan | undefined {
    return this.evaluator.planFor(podClass, direction);
  }

  /** Returns the connections a rule names towards a destination class; named ports resolve on it. */
  portsTowards(rule: CompiledRule, destination: PodClass | undefined): ConnectionSet {
    return this.evaluator.portsTowards(rule, destination);
  }

  /** Returns true when a rule's peers match `other`. */
  ruleMatches(rule: CompiledRule, other: Peer): boolean {
    return this.evaluator.ruleMatches(rule, other);
  }

  /** Connections the source class's egress allows towards the destination class. */
  egressTowardsClass(source: PodClass, destination: PodClass): ConnectionSet {
    return this.evaluator.sideAllowed('egress', source, destination);
  }

  /** Connections the destination class's ingress allows from the source class. */
  ingressFromClass(source: PodClass, destination: PodClass): ConnectionSet {
    return this.evaluator.sideAllowed('ingress', destination, source);
  }

  /**
   * True when nothing restricts a class's traffic in a direction (no policy of any kind applies
   * to it): from a class open for egress to a class open for ingress every connection is
   * allowed, which is most of a large cluster's matrix.
   */
  isOpen(podClass: PodClass, direction: Direction): boolean {
    return this.evaluator.isOpen(podClass, direction);
  }

  /**
   * True when a class's traffic in a direction is allowed whatever the peer: nothing applies to it,
   * or only rules that allow (an admin policy allowing DNS to every pod). From a class unrestricted
   * for egress to a class unrestricted for ingress every connection is allowed, which is most of a
   * large cluster's matrix.
   */
  isUnrestricted(podClass: PodClass, direction: Direction): boolean {
    return (direction === 'ingress' ? this.openIngress : this.openEgress)[podClass.index] === 1;
  }

  /**
   * The ingress prefilter turned around, for loops over millions of pairs: for each source class,
   * the classes whose ingress rules may admit it; and which classes have no such prefilter (open
   * for ingress, or under rules that deny or pass: only their rules can tell). Computed on first use.
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
   * The classes `source`'s egress rules may reach, when allow rules alone decide its egress;
   * undefined when it is open for egress or other rules apply (every class then).
   */
  egressCandidates(source: PodClass): readonly number[] | undefined {
    return this.egressReach.rowMembers(source.index);
  }

  /** Connections allowed from one class to another: egress of the source ∩ ingress of the destination. */
  classToClass(source: PodClass, destination: PodClass): ConnectionSet {
    const { evaluator } = this;
    // Most pairs of a large cluster involve a side no policy touches: answer those without rules.
    const egressOpen = this.openEgress[source.index] === 1;
    const ingressOpen = this.openIngress[destination.index] === 1;
    if (egressOpen && ingressOpen) return ConnectionSet.ALL;
    // Pairs no rule of an isolated side even mentions are denied with one bit test.
    if (this.ingressReach.excludes(destination.index, source.index) || this.egressReach.excludes(source.index, destination.index)) {
      return ConnectionSet.EMPTY;
    }
    // Past that test, an isolated side whose rules all allow every connection has a rule
    // matching the other class (its reach row has it): that side allows everything, without
    // going through its rules.
    const egress = egressOpen || (this.egressEveryPort ??= evaluator.everyPortMarks('egress'))[source.index] === 1
      ? ConnectionSet.ALL : evaluator.sideAllowed('egress', source, destination);
    if (egress.isEmpty()) return egress;
    const ingress = ingressOpen || (this.ingressEveryPort ??= evaluator.everyPortMarks('ingress'))[destination.index] === 1
      ? ConnectionSet.ALL : evaluator.sideAllowed('ingress', destination, source);
    return egress.intersect(ingress);
  }

  /** Connections allowed from pod `source` to pod `destination`. */
  podToPod(source: Pod, destination: Pod): ConnectionSet {
    return this.classToClass(this.classOf(source), this.classOf(destination));
  }

  /** Connections allowed from addresses in `range` (wholly inside or outside each address peer) to a class. */
  rangeToClass(family: IpFamily, range: AddressRange, destination: PodClass): ConnectionSet {
    return this.evaluator.sideAllowed('ingress', destination, { family, range });
  }

  /** Connections allowed from a class to addresses in `range`. */
  classToRange(source: PodClass, family: IpFamily, range: AddressRange): ConnectionSet {
    return this.evaluator.sideAllowed('egress', source, { family, range });
  }

  /**
   * Connections a class admits from a pod of unknown namespace and labels, such as an ingress
   * controller: only rules that admit pods of every namespace match it.
   */
  ingressFromAnyPod(destination: PodClass): ConnectionSet {
    return this.evaluator.sideAllowed('ingress', destination, ANY_POD);
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
    return this.evaluator.addressRangeLists(direction, family);
  }

  /**
   * Explains the connections between two peers (a class, or an address range): for each side,
   * whether it is isolated, by which policies, and which rules allow, deny or pass what; plus
   * what depends on the network plugin.
   */
  explain(source: Peer, destination: Peer, asked: ConnectionSet = ConnectionSet.ALL): PairVerdict {
    // Traffic between a pod and its own node (an entity tagged `host` towards it) that the plugin allows regardless.
    const localNode = this.layout.localNode;
    const egress = !isPodClass(source) ? this.nodeSide('egress', source, destination) ?? unrestricted('egress', outsideReason(source))
      : localNode?.egress && isEntityPeer(destination) && destination.tags.includes('host') ? unrestricted('egress', 'local-node')
        : this.explainSide('egress', source, destination);
    const ingress = !isPodClass(destination) ? this.nodeSide('ingress', destination, source) ?? unrestricted('ingress', outsideReason(destination))
      : localNode?.ingress && isEntityPeer(source) && source.tags.includes('host') ? unrestricted('ingress', 'local-node')
        : this.explainSide('ingress', destination, source);
    const allowed = egress.allowed.intersect(ingress.allowed);
    const restrictionCaveats = [...this.shortfallCaveats('egress', source, destination), ...this.shortfallCaveats('ingress', destination, source)];
    const layoutCaveats = this.layout.pairCaveats?.(this, source, destination) ?? [];
    const tieCaveats = [...this.priorityTieCaveats(egress, source, destination), ...this.priorityTieCaveats(ingress, destination, source)];
    return { egress, ingress, allowed, caveats: [...this.caveats(source, destination, allowed, asked), ...restrictionCaveats, ...layoutCaveats, ...tieCaveats] };
  }

  /**
   * The Network Policy API leaves the order of policies of the same priority to the implementation
   * ("there is no way for the user to reliably determine which one it will choose"): where a rule
   * of such a policy decided, the answer says that another order may decide otherwise. k8snet
   * orders them by name (Calico's own ties are ordered by name by Calico itself: not said).
   */
  private priorityTieCaveats(side: SideVerdict, selected: Peer, other: Peer): string[] {
    if (!isPodClass(selected)) return [];
    const caveats: string[] = [];
    const said = new Set<CompiledPolicy>();
    for (const decision of side.decisions) {
      const policy = decision.rule.policy;
      if ((policy.kind !== 'ClusterNetworkPolicy' && policy.kind !== 'AdminNetworkPolicy') || said.has(policy)) continue;
      // Only a tied policy with a rule that would decide this peer otherwise, on ports decided here, could change the answer.
      const towards = side.direction === 'ingress' ? selected : isPodClass(other) ? other : undefined;
      const tied = this.policiesFor(selected, side.direction).filter((candidate) => candidate !== policy && candidate.kind === policy.kind && candidate.stage === policy.stage
        && candidate.priority === policy.priority && this.rulesFor(selected, side.direction).some((rule) => rule.policy === candidate && rule.action !== decision.rule.action
          && this.ruleMatches(rule, other) && !this.portsTowards(rule, towards).intersect(decision.ports).isEmpty()));
      if (tied.length === 0) continue;
      said.add(policy);
      caveats.push(`Depends on the implementation: ${policy.label} has the same priority (${policy.priority}) as ${tied.map((other) => other.label).join(', ')}, and the API leaves their order undefined; `
        + `k8snet evaluates them by name, so ${policy.label} decided here, and another order may decide otherwise.`);
    }
    return caveats;
  }

  private explainSide(direction: Direction, selected: PodClass, other: Peer, evaluator: PolicyEvaluator = this.evaluator): SideVerdict {
    if (selected.outsidePolicy && evaluator.isOpen(selected, direction)) return unrestricted(direction, 'host-network');
    const trace: SideTrace = { decisions: [], contributions: [], stageEnds: [], points: [] };
    const allowed = evaluator.sideAllowed(direction, selected, other, trace);
    const isolatingPolicies = evaluator.planFor(selected, direction)?.denyingIsolation ?? [];
    const decided = trace.decisions.length > 0 || trace.contributions.length > 0;
    return {
      direction,
      ...(isolatingPolicies.length === 0 && !decided ? { unrestrictedBecause: 'not-isolated' as const } : {}),
      isolatingPolicies,
      contributions: trace.contributions,
      decisions: trace.decisions,
      restrictions: evaluator.restrictionsOf(trace, allowed),
      ...(trace.stageEnds && trace.stageEnds.length > 0 ? { stageEnds: trace.stageEnds } : {}),
      ...(trace.points && trace.points.length > 1 ? { points: trace.points } : {}),
      allowed,
    };
  }

  /**
   * The side of a node (an entity peer with `node`) towards a pod class, under the policies that
   * select nodes (host policies); undefined when none applies to it in `direction` (its side is
   * then open) or `other` is no pod.
   */
  private nodeSide(direction: Direction, selected: Peer, other: Peer): SideVerdict | undefined {
    if (!isEntityPeer(selected) || selected.node === undefined || !isPodClass(other)) return undefined;
    const subjects = this.nodePolicySubjects();
    if (!subjects) return undefined;
    const nodeClass = subjects.classByName.get(selected.node) ?? subjects.unlisted;
    if (subjects.evaluator.isOpen(nodeClass, direction)) return undefined;
    return this.explainSide(direction, nodeClass, other, subjects.evaluator);
  }

  /**
   * The nodes as subjects of the layout's node policies: one class per node the input knows (its
   * Nodes, the nodes pods are placed on) and one for any other node; null when no such policy
   * applies. Built on first use: only answers about a node need it.
   */
  private nodePolicySubjects(): NodeSubjects | null {
    if (this.nodeSubjects !== undefined) return this.nodeSubjects;
    const compile = this.layout.compileNodePolicies;
    if (!compile) return (this.nodeSubjects = null);
    const names = new Set(this.graph.nodes.map((node) => node.name));
    for (const pod of this.graph.pods) if (pod.scheduling?.placement.kind === 'node') names.add(pod.scheduling.placement.node);
    const nodes = [...names].sort().map((name) => {
      const node = this.graph.nodes.find((candidate) => candidate.name === name);
      return node ? { name, labels: node.labels } : { name };
    });
    // Any node the input does not know, of unknown labels.
    const policies = compile(this.compileContext, [...nodes, { name: '' }]);
    if (policies.length === 0) return (this.nodeSubjects = null);
    const classes: PodClass[] = [...nodes, { name: '', labels: undefined }].map((node, index) => ({
      index, namespace: '', labels: node.labels ?? {}, ports: [], hostNetwork: true, outsidePolicy: false, pods: [],
    }));
    const evaluator = new PolicyEvaluator(classes, this.layout.points, this.layout.stages, policies);
    return (this.nodeSubjects = {
      evaluator, classByName: new Map(nodes.map((node, index) => [node.name, classes[index]])), unlisted: classes[classes.length - 1],
    });
  }

  /**
   * What the rules of a side's policies cannot do for the class they select, when it concerns the
   * other peer (NamedRestriction.shortfallsBySubject: a toFQDNs name whose addresses the DNS proxy
   * never learns for it), each once. Asked of every rule, not only those that matched: a name no
   * subject can learn is no peer of its rule any more.
   */
  private shortfallCaveats(direction: Direction, selected: Peer, other: Peer): string[] {
    if (!isPodClass(selected) || !isEntityPeer(other)) return [];
    const caveats = new Set<string>();
    for (const rule of this.rulesFor(selected, direction)) {
      for (const restriction of rule.restrictions) {
        const shortfall = restriction.shortfallsBySubject?.get(selected.index);
        if (shortfall && other.tags.some((tag) => shortfall.peerTags.includes(tag))) caveats.add(shortfall.caveat);
      }
    }
    return [...caveats];
  }

  /** What the answer depends on that the manifests do not show; of rules that would change it, only what concerns the ports asked (`asked`). */
  private caveats(source: Peer, destination: Peer, allowed: ConnectionSet, asked: ConnectionSet): string[] {
    const caveats: string[] = [];
    for (const [peer, role] of [[source, 'source'], [destination, 'destination']] as const) {
      // Cilium's host policies (and enable-policy: always) with the host firewall on: the node's host namespace, hostNetwork pods included.
      const hostPolicies = isPodClass(peer) && peer.hostNetwork && this.hostNetworkMode === 'node'
        ? (this.evaluator.planFor(peer, role === 'source' ? 'egress' : 'ingress')?.denyingIsolation ?? []).filter((policy) => policy.kind.startsWith('Cilium') || policy.kind === 'ConfigMap')
        : [];
      if (hostPolicies.length > 0) {
        caveats.push(`The ${role} uses hostNetwork: Cilium treats its traffic as its node's, so the host policies selecting that node (${hostPolicies.map((policy) => policy.label).join(', ')}) `
          + `decide its ${role === 'source' ? 'egress' : 'ingress'} here, and pod or namespace selectors do not match it.`);
      } else if (isPodClass(peer) && peer.hostNetwork) {
        caveats.push(this.hostNetworkMode === 'node'
          ? `The ${role} uses hostNetwork, so the answer depends on the network plugin. Most plugins treat its traffic as node traffic `
            + '(assumed here: policies do not isolate it and pod or namespace selectors do not match it); plugins that tell hostNetwork pods '
            + 'apart apply policies to them as to other pods (--host-network-pods pod).'
            + (role === 'source' && isPodClass(destination) && this.isIsolated(destination, 'ingress')
              ? ' Traffic from a pod\'s own node is always allowed into it (NetworkPolicySpec.ingress), so an instance '
                + 'running on the destination\'s node gets through whatever the policies say; a DaemonSet has one on every node.'
              : '')
          : `The ${role} uses hostNetwork, so the answer depends on the network plugin. Assumed here (--host-network-pods pod): the plugin `
            + 'applies policies to it as to other pods; most plugins instead treat its traffic as node traffic, outside NetworkPolicy.');
      }
    }
    // Peers a rule names that k8snet cannot place (domain names): said, never guessed.
    for (const [direction, selected, other] of [['egress', source, destination], ['ingress', destination, source]] as const) {
      if (!isPodClass(selected)) continue;
      const external = isAddressPeer(other) || (isEntityPeer(other) && other.addresses !== undefined && !other.addresses.inCluster);
      for (const rule of this.rulesFor(selected, direction)) {
        // Domain names stand for addresses outside the cluster: only pairs with an address are concerned,
        // and not an entity the rule matched already (a fqdn: endpoint its toFQDNs names).
        if (!rule.unmodelledPeers || !external || (isEntityPeer(other) && this.evaluator.ruleMatches(rule, other))) continue;
        // A name the selected pods cannot learn addresses for has its own caveat (shortfallCaveats).
        if (isEntityPeer(other) && rule.restrictions.some((restriction) => restriction.shortfallsBySubject?.get(selected.index)?.peerTags.some((tag) => other.tags.includes(tag)))) continue;
        const what = rule.action === 'allow' ? 'would allow' : rule.action === 'deny' ? 'would deny' : 'would pass on';
        const named = this.portsTowards(rule, undefined).intersect(asked);
        if (named.isEmpty()) continue;
        // Rules in order (tiers, admin policies) decide before the later ones; elsewhere a deny wins whatever allows.
        const ordered = this.decidesInRankOrder(rule);
        const when = ordered ? ' before the rules after it decide' : rule.action === 'allow' ? ' unless a deny rule denies it' : rule.action === 'deny' ? ', whatever allows it' : '';
        caveats.push(`${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" names ${rule.unmodelledPeers}, which k8snet does not resolve: `
          + `if ${direction === 'egress' ? 'the destination' : 'the source'} is one of their addresses, that rule ${what} ${named.describe()}${when}.`);
      }
    }
    // Nodes peers selecting by label against a hostNetwork pod whose Node the input does not give.
    for (const [direction, selected, other] of [['egress', source, destination], ['ingress', destination, source]] as const) {
      if (!isPodClass(selected) || !isPodClass(other) || !other.hostNetwork || selected.outsidePolicy) continue;
      const nodeUnknown = other.pods.some((pod) => !this.graph.nodes.some((node) => node.name === pod.nodeName || (pod.podIP !== undefined && node.addresses.includes(pod.podIP))));
      if (!nodeUnknown) continue;
      for (const rule of this.rulesFor(selected, direction)) {
        if (!rule.nodeLabelPeers || rule.classes.has(other.index) || rule.action === 'log') continue;
        const ports = this.portsTowards(rule, direction === 'ingress' ? selected : other);
        // Said only where it would change the answer: an allow of what is allowed already, a deny of what is denied, say nothing.
        const changed = (rule.action === 'allow' ? ports.subtract(allowed) : ports.intersect(allowed)).intersect(asked);
        if (changed.isEmpty()) continue;
        const ordered = this.decidesInRankOrder(rule);
        caveats.push(`${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" selects ${rule.nodeLabelPeers}, and the manifests do not give the Node the hostNetwork ${direction === 'ingress' ? 'source' : 'destination'} runs on: `
          + `if its labels match, that rule would ${rule.action === 'deny' ? 'deny' : rule.action === 'pass' ? 'pass on' : 'allow'} ${changed.describe()}${ordered ? ' before the rules after it decide' : ''}.`);
      }
    }
    // Peers relative to the selected pod's node (Cilium's host, remote-node) against a hostNetwork pod.
    for (const [direction, selected, other] of [['egress', source, destination], ['ingress', destination, source]] as const) {
      if (!isPodClass(selected) || !isPodClass(other) || !other.hostNetwork) continue;
      for (const rule of this.rulesFor(selected, direction)) {
        if (!rule.nodeRelativePeers || rule.classes.has(other.index)) continue;
        const relative = this.portsTowards(rule, direction === 'ingress' ? selected : other).intersect(asked);
        if (relative.isEmpty()) continue;
        caveats.push(`${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" names ${rule.nodeRelativePeers}, which match${rule.nodeRelativePeers.includes(' and ') ? '' : 'es'} a hostNetwork pod by the node it runs on relative to the ${direction === 'egress' ? 'source' : 'destination'}: `
          + `not counted here; where it matches, that rule would ${rule.action === 'deny' ? 'deny' : 'allow'} ${relative.describe()}.`);
      }
    }
    // An address peer against pod addresses is plugin-dependent for some kinds (NetworkPolicy's
    // ipBlock): say what such a match would add.
    for (const [direction, selected, other] of [['egress', source, destination], ['ingress', destination, source]] as const) {
      if (isPodClass(selected) && isEntityPeer(other)) caveats.push(...this.entityAddressCaveats(direction, selected, other, allowed, asked));
      if (!isPodClass(selected) || !isPodClass(other) || selected.outsidePolicy) continue;
      const otherAddresses = knownAddresses(other);
      for (const rule of this.rulesFor(selected, direction)) {
        if (rule.podAddressMatch === 'nodes' && other.hostNetwork && !rule.classes.has(other.index) && rule.action !== 'log') {
          // CIDRs that select node addresses: a hostNetwork class on nodes inside and outside them, or of unknown address.
          const inside = otherAddresses.some((address) => rangesContain(rule.addressRanges[address.family], address.value));
          const nodePorts = this.portsTowards(rule, direction === 'ingress' ? selected : other).intersect(asked);
          if ((otherAddresses.length === 0 || inside) && !nodePorts.isEmpty()) {
            caveats.push(`${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" selects node addresses by CIDR (policy-cidr-match-mode: nodes), and the hostNetwork ${direction === 'ingress' ? 'source' : 'destination'} `
              + `${otherAddresses.length === 0 ? 'has no address the manifests give' : 'runs on nodes both inside and outside those CIDRs'}: not counted here; where its node's address lies inside, that rule would ${rule.action === 'deny' ? 'deny' : rule.action === 'pass' ? 'pass on' : 'allow'} ${nodePorts.describe()}.`);
          }
          continue;
        }
        if (rule.podAddressMatch === 'always' && otherAddresses.length === 0) {
          caveats.push(...this.unknownPodAddressCaveat(rule, direction, selected, other, allowed, asked));
          continue;
        }
        if (rule.podAddressMatch !== 'plugin-dependent' || rule.action !== 'allow') continue;
        if (rule.matchesEveryPeer || (rule.addressRanges[4].length === 0 && rule.addressRanges[6].length === 0)) continue;
        if (otherAddresses.length > 0 && !otherAddresses.some((address) => rangesContain(rule.addressRanges[address.family], address.value))) continue;
        const extra = this.portsTowards(rule, direction === 'ingress' ? selected : other).subtract(allowed).intersect(asked);
        if (extra.isEmpty()) continue;
        const where = `${rule.source.policyLabel} ${rule.source.ruleLabel}`;
        caveats.push(otherAddresses.length > 0
          ? `Depends on the network plugin: the ipBlock of ${where} contains the ${direction === 'ingress' ? 'source' : 'destination'} pod's IP; plugins that apply ipBlock to pod IPs (Calico does, Cilium does not) would also allow ${extra.describe()}.`
          : `Depends on the network plugin: if the ${direction === 'ingress' ? 'source' : 'destination'} pod's IP falls inside the ipBlock of ${where}, plugins that apply ipBlock to pod IPs (Calico does, Cilium does not) would also allow ${extra.describe()}.`);
      }
    }
    return caveats;
  }

  /**
   * What a rule whose address peers match pod IPs (the Network Policy API's `networks`, Calico's
   * `nets`) would do to a pod whose IP the manifests do not give: only whole families (`0.0.0.0/0`)
   * and known pod IPs are counted, so a CIDR that may hold the pod's IP is said. Nothing is said
   * when the rule's CIDRs lie outside the ranges pods may take (see podRanges).
   */
  private unknownPodAddressCaveat(rule: CompiledRule, direction: Direction, selected: PodClass, other: PodClass, allowed: ConnectionSet, asked: ConnectionSet): string[] {
    if (rule.action === 'log' || rule.matchesEveryPeer || rule.classes.has(other.index)) return [];
    if (rule.addressRanges[4].length === 0 && rule.addressRanges[6].length === 0) return [];
    // A pod's IP lies in the pod ranges; a hostNetwork pod's is its node's, anywhere.
    const podRanges = this.podRanges();
    if (!other.hostNetwork && !([4, 6] as const).some((family) => rangesOverlap(rule.addressRanges[family], podRanges[family]))) return [];
    const ports = this.portsTowards(rule, direction === 'ingress' ? selected : other);
    const changed = (rule.action === 'allow' ? ports.subtract(allowed) : ports.intersect(allowed)).intersect(asked);
    if (changed.isEmpty()) return [];
    const ordered = this.decidesInRankOrder(rule);
    const what = rule.action === 'allow' ? 'allow' : rule.action === 'deny' ? 'deny' : 'pass on';
    const side = direction === 'ingress' ? 'source' : 'destination';
    return [`${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" (${rule.source.describePeers()}) `
      + (other.hostNetwork
        ? `matches addresses, and the hostNetwork ${side} has its node's, which the manifests do not give`
        : `matches pod IPs, and the manifests do not give the ${side} pod's`)
      + `: if it lies inside, that rule would ${what} ${changed.describe()}${ordered ? ' before the rules after it decide' : ''}.`];
  }

  /** True when a rule's stage decides in rank order (tiers, admin policies): it acts before the rules after it. */
  private decidesInRankOrder(rule: CompiledRule): boolean {
    return this.layout.stages.find((stage) => stage.id === rule.policy.stage)?.combination === 'first-match';
  }

  /**
   * Where pod IPs may lie, per family: the configured pod ranges and Calico's IPPools when given
   * (with the Nodes' spec.podCIDRs); else the Nodes' ranges with the private IPv4 ranges pod
   * networks use (RFC 1918 and the shared 100.64.0.0/10), and any IPv6 address. So a rule naming
   * only public addresses (a threat feed, a partner's range) is not said to maybe hold a pod.
   */
  private podRanges(): Record<IpFamily, AddressRange[]> {
    if (this.podRangesMemo) return this.podRangesMemo;
    // The cluster's whole pod ranges: as configured, and Calico's IPPools.
    const stated = this.statedPodRanges;
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [...(stated?.[4] ?? [])], 6: [...(stated?.[6] ?? [])] };
    const add = (text: unknown) => {
      const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
      if (parsed && !('error' in parsed)) ranges[parsed.family].push(parsed.range);
    };
    // The Nodes' ranges add to them; alone they may be some of the nodes only, so the private ranges stay.
    for (const node of this.graph.nodes) for (const text of node.podCIDRs) add(text);
    if (!stated) {
      for (const text of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '::/0']) {
        const parsed = parseCidr(text) as Cidr;
        ranges[parsed.family].push(parsed.range);
      }
    }
    this.podRangesMemo = { 4: mergeRanges(ranges[4]), 6: mergeRanges(ranges[6]) };
    return this.podRangesMemo;
  }

  private podRangesMemo: Record<IpFamily, AddressRange[]> | undefined;


  /**
   * What rules naming addresses would do to an entity k8snet cannot place among them: a name
   * outside the cluster whose address some rule's ranges contain only in part, a node whose
   * addresses are unknown, or a node under a kind whose address peers match node addresses
   * depending on the plugin (NetworkPolicy's ipBlock).
   */
  private entityAddressCaveats(direction: Direction, selected: PodClass, other: EntityPeer, allowed: ConnectionSet, asked: ConnectionSet): string[] {
    const addresses = other.addresses;
    if (!addresses || (selected.outsidePolicy && this.evaluator.isOpen(selected, direction))) return [];
    // A side the plugin lets through whatever the rules say (the pod's own node): no rule changes it.
    const localNode = this.layout.localNode;
    if (other.tags.includes('host') && (direction === 'egress' ? localNode?.egress : localNode?.ingress)) return [];
    const caveats: string[] = [];
    const unknown = addresses.ranges[4].length === 0 && addresses.ranges[6].length === 0;
    const towards = direction === 'ingress' ? selected : undefined;
    for (const rule of this.rulesFor(selected, direction)) {
      if (rule.action === 'log' || rule.matchesEveryPeer || (rule.addressRanges[4].length === 0 && rule.addressRanges[6].length === 0)) continue;
      if (this.evaluator.ruleMatches(rule, other)) continue;
      // An allow adds only what is not allowed already.
      const ports = (rule.action === 'allow' ? this.portsTowards(rule, towards).subtract(allowed) : this.portsTowards(rule, towards)).intersect(asked);
      if (ports.isEmpty()) continue;
      const what = `${rule.action === 'allow' ? 'allow' : rule.action === 'deny' ? 'deny' : 'pass on'} ${ports.describe()}`;
      const where = `${rule.source.kind} ${rule.source.policyLabel} rule "${rule.source.ruleLabel}" (${rule.source.describePeers()})`;
      if (!addresses.inCluster) {
        const overlaps = ([4, 6] as const).some((family) => rangesOverlap(rule.addressRanges[family], addresses.ranges[family]));
        if (overlaps) caveats.push(`${where} names some addresses outside the cluster: if ${other.entity} resolves to one of them, that rule would ${what}.`);
        continue;
      }
      if (rule.podAddressMatch === 'never') continue;
      if (rule.podAddressMatch === 'plugin-dependent') {
        const contains = unknown || ([4, 6] as const).some((family) => rangesOverlap(rule.addressRanges[family], addresses.ranges[family]));
        if (contains) {
          const apiServer = other.tags.includes('kube-apiserver');
          caveats.push(`Depends on the network plugin: ${where} reaches ${apiServer ? 'the API server' : 'a node'} only through its addresses${unknown ? ', which the manifests do not give' : ''}; `
            + `plugins that apply ipBlock to ${apiServer ? 'the API server\'s address (Cilium matches it by its kube-apiserver identity instead, which an in-cluster API server\'s CIDR does not select)' : 'node addresses'}${unknown ? ', if one of them lies in it,' : ''} would ${what} for ${other.entity}.`);
        }
      } else if (unknown) {
        caveats.push(`${where} names addresses, and the manifests do not give ${other.entity}'s: if one of them lies in it, that rule would ${what}.`);
      } else if (rule.podAddressMatch === 'nodes' && ([4, 6] as const).some((family) => rangesOverlap(rule.addressRanges[family], addresses.ranges[family]))) {
        caveats.push(`${where} selects node addresses by CIDR (policy-cidr-match-mode: nodes) and holds only some of ${other.entity}'s: where its traffic uses one of those, that rule would ${what}.`);
      }
    }
    return caveats;
  }
}

/** The nodes as subjects of node policies: an evaluator over one class per node. */
interface NodeSubjects {
  readonly evaluator: PolicyEvaluator;
  readonly classByName: ReadonlyMap<string, PodClass>;
  /** The class of a node the input does not know. */
  readonly unlisted: PodClass;
}

/** Why a side that is no pod allows everything: outside the cluster, or a node's own traffic. */
function outsideReason(peer: Peer): 'external' | 'node' {
  // The API server is no node's host namespace, whichever addresses it has: nothing of pods' policies to say.
  return isAddressPeer(peer) || (isEntityPeer(peer) && (peer.tags.includes('world') || peer.tags.includes('kube-apiserver'))) ? 'external' : 'node';
}

function unrestricted(direction: Direction, because: NonNullable<SideVerdict['unrestrictedBecause']>): SideVerdict {
  return { direction, unrestrictedBecause: because, isolatingPolicies: [], contributions: [], decisions: [], restrictions: [], allowed: ConnectionSet.ALL };
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

function parseAddressOrThrow(address: string): { family: IpFamily; value: bigint } {
  const parsed = parseAddress(address);
  if (!parsed) throw new RangeError(`'${address}' is not an IP address`);
  return parsed;
}
