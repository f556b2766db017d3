/**
 * The one policy evaluator: every policy kind, compiled into the common rule form
 * (`policy-form.ts`), is evaluated here, and nothing here knows a kind.
 *
 * ## The common form
 *
 * A kind's compiler (`src/reach/policies/<kind>.ts`) turns its objects into {@link CompiledPolicy}
 * values: for each direction, the pod classes the policy applies to (`subjects`, a bitset),
 * whether that selection isolates them (`isolates`), and its rules. A {@link CompiledRule} says
 * which peers it matches (pod classes as a bitset, address ranges per family, entity tags such
 * as `any-pod`, or every peer), which connections (a {@link ConnectionSet} plus named ports
 * resolved on the destination), what it does (`allow`, `deny`, `pass`, `log`), its position, the
 * named restrictions it adds above L4, and its source (kind, object, JSON path, hence file:line).
 * A kind's module knows no other kind; where a kind's policies go is decided by the layout
 * (`src/reach/policies/index.ts`), which places each compiled policy in a stage.
 *
 * ## Enforcement points, stages, ranks
 *
 * Traffic is checked at one or more enforcement points, and every point must allow a connection:
 * the network plugin (`cni`) and, where a mesh runs, its proxies (`mesh`). A point is a list of
 * stages (tiers) in order. Each stage has:
 * - a combination: `first-match` (rules in rank order — the policy's priority or order, then its
 *   name, then the rule's position — and, for each connection, the first rule matching it
 *   decides; AdminNetworkPolicy, ClusterNetworkPolicy, Calico) or `deny-overrides` (a matching
 *   deny anywhere wins, matching allows add up; Kubernetes NetworkPolicy, Cilium);
 * - what happens to the connections of an endpoint the stage isolates that no rule decided:
 *   `deny` (NetworkPolicy, Calico's default Deny, Cilium's default deny, Istio ALLOW policies),
 *   `pass` to the next stage (admin tiers, Calico's Pass), or `allow`.
 * Connections a `pass` rule matches, and those of endpoints a stage does not isolate, go to the
 * next stage; what reaches the end of a point gets the point's default (allow).
 *
 * Each side of a connection is evaluated on its own endpoint (egress at the source, ingress at
 * the destination, as every kind here defines it), per connection: a set of ports flows through
 * the stages, each rule taking the part it matches. A verdict is the intersection of both sides.
 *
 * ## How the kinds map onto it
 *
 * - NetworkPolicy: stage `networkpolicy`, deny-overrides, unmatched deny; allow rules only; a
 *   policy isolates the directions of its effective policyTypes; ipBlock is `plugin-dependent`
 *   for pod addresses (never matched, said in a caveat).
 * - AdminNetworkPolicy and ClusterNetworkPolicy tier Admin: stage `admin`, first-match by
 *   priority then name, unmatched pass; Allow/Accept, Deny, Pass. BaselineAdminNetworkPolicy and
 *   ClusterNetworkPolicy tier Baseline: stage `baseline` after `networkpolicy`, the same way.
 *   `networks` peers match pod addresses (`always`), `nodes` peers host-network pods' nodes.
 * - Cilium (CiliumNetworkPolicy, CCNP): one deny-overrides stage that also holds the
 *   NetworkPolicies (Cilium's one policy repository), unmatched deny; a policy isolates a
 *   direction once it has rules there unless `enableDefaultDeny` says false; ingressDeny and
 *   egressDeny are `deny` rules; entities (`world`, `host`, `remote-node`, `kube-apiserver`) are
 *   entity tags and address ranges; ICMP types are connection sets; toFQDNs and L7 rules are
 *   named restrictions on the L4 answer.
 * - Calico: each tier a first-match stage by tier order, policies by `order` (missing = last)
 *   then name, rules by position; Allow, Deny, Pass, Log (`log`: no decision); unmatched is the
 *   tier's defaultAction (deny or pass); NetworkPolicies are placed in the default tier at order
 *   1000; the cluster policies' Calico tiers `kube-admin`/`kube-baseline` are the `admin` and
 *   `baseline` stages; profiles are the point's default allow; ICMP type/code and any IP protocol
 *   by name or number are connection sets; HostEndpoints become classes of their own.
 * - Istio (policies/istio.ts): a second point, `mesh`, ingress only and TCP only, with stages
 *   PeerAuthentication (STRICT: a deny rule for sources without a proxy), CUSTOM (said, not
 *   modelled: a `log` rule with a named restriction), DENY (first-match, unmatched pass; a DENY
 *   whose match depends on L7 is a `log` rule naming what it denies) and ALLOW (deny-overrides,
 *   unmatched deny once an ALLOW policy selects the workload); L7 conditions are named restrictions,
 *   which travel with the verdict from allow and log rules alike.
 *
 * ## Why this shape
 *
 * Every kind above says "for traffic from these peers to these pods on these ports, allow, deny
 * or pass, at this place in an order"; only where the order comes from and what happens at the
 * end of a tier differ, and those are two fields of a stage. Per-connection sets (not per-port
 * loops) keep one pass per rule. The fast paths the matrix depends on are kept for any stage
 * that allows them: a class no policy of any kind touches is open; a class whose rules, up to
 * the first stage that denies what is unmatched, are all allows has a reach row (the classes any
 * of those rules match — any other class is denied at once), and an every-port mark when they
 * all allow every connection.
 */
import type { AddressRange, IpFamily } from '../model/cidr.js';
import { ClassMatrix } from './bitset.js';
import { ConnectionSet } from './connection-set.js';
import { rangesContain, rangesCover } from './ip-ranges.js';
import {
  decidesEveryConnection, isAddressPeer, isEntityPeer, type CompiledPolicy, type EntityAddresses, type EntityPeer, type CompiledRule, type Direction, type EnforcementPoint, type NamedRestriction,
  type Peer, type PodClass, type StageDefinition,
} from './policy-form.js';

/** The rules of one stage that apply to a class in one direction. */
export interface StagePlan {
  readonly stage: StageDefinition;
  /** Policies of the stage that select the class, in rank order. */
  readonly policies: readonly CompiledPolicy[];
  /** Those of them that isolate it (their selection puts it under `stage.unmatched`). */
  readonly isolating: readonly CompiledPolicy[];
  /** Their rules, in rank order. */
  readonly rules: readonly CompiledRule[];
  /** True when some rule does something other than allow. */
  readonly hasNonAllow: boolean;
  /** What happens here to connections no rule decided: the stage's `unmatched` when it isolates the class, else pass. */
  readonly rest: 'deny' | 'allow' | 'pass';
}

/** The stages of one enforcement point that apply to a class in one direction. */
export interface PointPlan {
  readonly point: EnforcementPoint;
  readonly stages: readonly StagePlan[];
}

/** Everything that applies to a class in one direction, shared by classes the same policies select. */
export interface ClassPlan {
  readonly points: readonly PointPlan[];
  /** Every rule of every stage, in evaluation order. */
  readonly rules: readonly CompiledRule[];
  /** Every policy that selects the class, in evaluation order. */
  readonly policies: readonly CompiledPolicy[];
  /** Policies that isolate the class in a stage whose unmatched connections are denied. */
  readonly denyingIsolation: readonly CompiledPolicy[];
  /**
   * Policies that close the side by default: the isolating ones, and those with a rule denying
   * every connection with every peer that is reached: a default deny would add nothing to them.
   */
  readonly closingPolicies: readonly CompiledPolicy[];
  /**
   * True when one deny-overrides stage with only allow rules isolates the class, with nothing
   * else: the side allows the union of its matching rules (the NetworkPolicy-only case).
   */
  readonly simpleUnion: boolean;
  /**
   * True when nothing here can take a connection away: no rule denies, no stage denies what it
   * leaves, and every point allows what reaches its end (an admin policy that only allows DNS):
   * the side allows everything, whatever the peer.
   */
  readonly allowsAll: boolean;
  /**
   * The allow rules evaluated before the first stage that denies unmatched connections, when no
   * other action comes before it: any peer none of them matches is denied. Undefined otherwise.
   */
  readonly reachRules: readonly CompiledRule[] | undefined;
  /**
   * True when no rule names a port by name: what the side allows then depends on the peer alone,
   * not on which of the classes sharing this plan is asked about.
   */
  readonly peerOnly: boolean;
  /** The plan's number among the evaluator's plans (both directions): where its memos are kept. */
  readonly id: number;
}

/** A rule that decided some connections of a verdict: in a first-match stage, or a deny that won. */
export interface RuleDecision {
  readonly rule: CompiledRule;
  readonly stage: StageDefinition;
  /** The connections it decided for the pair. */
  readonly ports: ConnectionSet;
}

/** An allow rule of a deny-overrides stage that matched the pair, with everything it allows towards it. */
export interface RuleContribution {
  readonly rule: CompiledRule;
  readonly stage: StageDefinition;
  readonly allowed: ConnectionSet;
}

/**
 * Connections a first-match stage (a Calico tier) denied at its end: policies of the stage select
 * the class, none of their rules matched, and the stage's own action is deny, so later stages
 * never see them.
 */
export interface StageEnd {
  readonly stage: StageDefinition;
  /** The stage's policies that select the class. */
  readonly policies: readonly CompiledPolicy[];
  readonly ports: ConnectionSet;
}

/** What one enforcement point of several (the network plugin, Istio's proxies) allowed on its own. */
export interface PointResult {
  readonly point: EnforcementPoint;
  /** Its policies that isolate the class. */
  readonly policies: readonly CompiledPolicy[];
  readonly allowed: ConnectionSet;
}

/** What evaluating one side records for explanations. */
export interface SideTrace {
  readonly decisions: RuleDecision[];
  readonly contributions: RuleContribution[];
  /** Recorded when present: what first-match stages denied at their end. */
  readonly stageEnds?: StageEnd[];
  /** Recorded when present and the class meets several enforcement points: what each allowed. */
  readonly points?: PointResult[];
}

/** Restrictions above L4 that an unrestricted allow rule of the same stage on the same port lifts (see restrictionsOf). */
const LIFTED_LAYERS: ReadonlySet<string> = new Set(['L7', 'DNS', 'TLS', 'FQDN', 'unknown']);

/** A named restriction with the rule that adds it. */
export interface RestrictionOnVerdict extends NamedRestriction {
  readonly rule: CompiledRule;
  /** The ports of the verdict it holds on (not those another rule allows without it). */
  readonly ports?: ConnectionSet;
}

/** The evaluator of the compiled policies of one graph, over its pod classes. */
export class PolicyEvaluator {
  private readonly plans: Readonly<Record<Direction, readonly (ClassPlan | undefined)[]>>;
  private readonly reach: Partial<Record<Direction, ClassMatrix>> = {};
  private readonly everyPort: Partial<Record<Direction, Uint8Array>> = {};
  private planCount = 0;
  private readonly stageById: ReadonlyMap<string, StageDefinition>;
  /** Every compiled rule, in policy order. */
  readonly rules: readonly CompiledRule[];

  constructor(
    readonly classes: readonly PodClass[],
    readonly points: readonly EnforcementPoint[],
    readonly stages: readonly StageDefinition[],
    readonly policies: readonly CompiledPolicy[],
  ) {
    this.stageById = new Map(stages.map((stage) => [stage.id, stage]));
    const pointIndex = new Map(points.map((point, index) => [point.id, index]));
    for (const policy of policies) {
      const stage = this.stageById.get(policy.stage);
      if (!stage) throw new Error(`policy ${policy.label} is placed in stage '${policy.stage}', which the layout does not define`);
      if (!pointIndex.has(stage.point)) throw new Error(`stage ${stage.id} belongs to point '${stage.point}', which the layout does not define`);
    }
    this.rules = policies.flatMap((policy) => [...(policy.ingress?.rules ?? []), ...(policy.egress?.rules ?? [])]);
    // Evaluation order: point, stage, then for first-match stages rank and name; deny-overrides
    // stages keep the input order (it only orders explanations). Array.sort is stable.
    const stageOf = (policy: CompiledPolicy) => this.stageById.get(policy.stage)!;
    const ordered = policies.map((policy, index) => ({ policy, index })).sort((a, b) => {
      const stageA = stageOf(a.policy);
      const stageB = stageOf(b.policy);
      const byPoint = pointIndex.get(stageA.point)! - pointIndex.get(stageB.point)!;
      if (byPoint !== 0) return byPoint;
      if (stageA !== stageB) return stageA.order - stageB.order || compareText(stageA.id, stageB.id);
      if (stageA.combination === 'deny-overrides') return a.index - b.index;
      return a.policy.priority - b.policy.priority || compareText(a.policy.name, b.policy.name) || a.index - b.index;
    }).map((entry) => entry.policy);
    this.plans = { ingress: this.buildPlans('ingress', ordered), egress: this.buildPlans('egress', ordered) };
  }

  /** Groups the policies selecting each class into plans, shared by classes selected by the same policies. */
  private buildPlans(direction: Direction, ordered: readonly CompiledPolicy[]): (ClassPlan | undefined)[] {
    const selecting: number[][] = this.classes.map(() => []);
    ordered.forEach((policy, index) => {
      const side = policy[direction];
      // A side without rules that does not isolate changes nothing: the class stays open.
      if (!side || (side.rules.length === 0 && !side.isolates)) return;
      for (const member of side.subjects.members()) selecting[member].push(index);
    });
    const byKey = new Map<string, ClassPlan>();
    return selecting.map((indexes) => {
      if (indexes.length === 0) return undefined;
      const key = indexes.join(',');
      let plan = byKey.get(key);
      if (!plan) byKey.set(key, (plan = this.plan(direction, indexes.map((index) => ordered[index]))));
      return plan;
    });
  }

  private plan(direction: Direction, policies: readonly CompiledPolicy[]): ClassPlan {
    /**
     * Whether a stage whose end denies closes the class: in a first-match stage (a Calico tier) the
     * first rule, in rank order, that decides every connection (decidesEveryConnection) decides
     * everything it reaches: one that passes or allows (`- action: Pass` last in a tier) leaves the
     * stage open, its end unreached; one that denies closes it. Without such a rule, the stage's end
     * decides what no rule matched.
     */
    const closesAtEnd = (stage: { stage: StageDefinition; rules: readonly CompiledRule[] }): boolean => {
      if (stage.stage.combination === 'first-match') {
        const catchAll = stage.rules.find(decidesEveryConnection);
        if (catchAll) return catchAll.action === 'deny';
      }
      return stage.stage.unmatched === 'deny';
    };
    const points: { point: EnforcementPoint; stages: StagePlan[] }[] = [];
    for (const policy of policies) {
      const stage = this.stageById.get(policy.stage)!;
      let point = points[points.length - 1];
      if (!point || point.point.id !== stage.point) {
        point = { point: this.points.find((candidate) => candidate.id === stage.point)!, stages: [] };
        points.push(point);
      }
      let stagePlan = point.stages[point.stages.length - 1] as { stage: StageDefinition; policies: CompiledPolicy[]; isolating: CompiledPolicy[]; rules: CompiledRule[]; hasNonAllow: boolean; rest: StagePlan['rest'] } | undefined;
      if (!stagePlan || stagePlan.stage !== stage) {
        stagePlan = { stage, policies: [], isolating: [], rules: [], hasNonAllow: false, rest: 'pass' };
        point.stages.push(stagePlan);
      }
      const side = policy[direction]!;
      stagePlan.policies.push(policy);
      if (side.isolates) {
        stagePlan.isolating.push(policy);
        stagePlan.rest = stage.unmatched;
      }
      for (const rule of side.rules) {
        stagePlan.rules.push(rule);
        if (rule.action !== 'allow') stagePlan.hasNonAllow = true;
      }
    }
    const rules = points.flatMap((point) => point.stages.flatMap((stage) => stage.rules));
    const only = points.length === 1 && points[0].stages.length === 1 ? points[0].stages[0] : undefined;
    const simpleUnion = only !== undefined && only.stage.combination === 'deny-overrides' && only.stage.unmatched === 'deny'
      && only.isolating.length > 0 && !only.hasNonAllow;
    const allowsAll = points.every((point) => point.point.unmatched === 'allow'
      && point.stages.every((stage) => stage.rest !== 'deny' && stage.rules.every((rule) => rule.action !== 'deny')));
    const denyingIsolation = points.flatMap((point) => point.stages.flatMap((stage) => (stage.stage.unmatched === 'deny' && closesAtEnd(stage) ? stage.isolating : [])));
    // Policies with a rule that denies every connection, where no earlier rule of a ranked stage decided everything first.
    const denyingEverything = new Set<CompiledPolicy>();
    for (const stage of points.flatMap((point) => point.stages)) {
      for (const rule of stage.rules) {
        if (!decidesEveryConnection(rule)) continue;
        if (rule.action === 'deny') denyingEverything.add(rule.policy);
        if (stage.stage.combination === 'first-match') break;
      }
    }
    return {
      points,
      rules,
      policies,
      allowsAll,
      denyingIsolation,
      closingPolicies: policies.filter((policy) => denyingIsolation.includes(policy) || denyingEverything.has(policy)),
      simpleUnion,
      reachRules: points.length === 1 ? reachRulesOf(points[0].stages) : undefined,
      peerOnly: rules.every((rule) => rule.namedPorts.length === 0),
      id: this.planCount++,
    };
  }

  /** Returns what applies to a class in a direction; undefined when nothing does (the side is open). */
  planFor(podClass: PodClass, direction: Direction): ClassPlan | undefined {
    return this.plans[direction][podClass.index];
  }

  /** Returns the stage definition of an id. */
  stage(id: string): StageDefinition | undefined {
    return this.stageById.get(id);
  }

  /** Returns true when no policy of any kind applies to the class in the direction: everything is allowed there. */
  isOpen(podClass: PodClass, direction: Direction): boolean {
    return this.plans[direction][podClass.index] === undefined;
  }

  /**
   * Returns true when the class's side allows every connection with every peer: no policy applies,
   * or those that do can only allow (see {@link ClassPlan.allowsAll}).
   */
  isUnrestricted(podClass: PodClass, direction: Direction): boolean {
    const plan = this.plans[direction][podClass.index];
    return plan === undefined || plan.allowsAll;
  }

  /**
   * Rows for the classes whose rules, up to the stage that denies what they leave, all allow:
   * the classes some of those rules match; any other class gets nothing on that side. Built on
   * first use: they take classes² bits, which only whole-matrix questions pay back.
   */
  reachMatrix(direction: Direction): ClassMatrix {
    let matrix = this.reach[direction];
    if (!matrix) {
      matrix = new ClassMatrix(this.classes.length);
      for (const podClass of this.classes) {
        const rules = this.plans[direction][podClass.index]?.reachRules;
        if (rules) matrix.setRow(podClass.index, rules.map((rule) => rule.classes));
      }
      this.reach[direction] = matrix;
    }
    return matrix;
  }

  /**
   * 1 for the classes with a reach row whose rules all allow every connection (no ports, so no
   * named port either): towards them, a rule matching decides alone, and the row says whether one does.
   */
  everyPortMarks(direction: Direction): Uint8Array {
    let marks = this.everyPort[direction];
    if (!marks) {
      marks = Uint8Array.from(this.classes, (podClass) => {
        const rules = this.plans[direction][podClass.index]?.reachRules;
        return Number(rules !== undefined && rules.every((rule) => rule.numericPorts === ConnectionSet.ALL && rule.namedPorts.length === 0));
      });
      this.everyPort[direction] = marks;
    }
    return marks;
  }

  /** Returns true when a rule's peers match `other`. */
  ruleMatches(rule: CompiledRule, other: Peer): boolean {
    // Pod classes first: they are what the matrix asks about millions of times.
    const index = (other as PodClass).index;
    if (index !== undefined) return rule.classes.has(index);
    if (isAddressPeer(other)) return rule.matchesEveryPeer || rangesContain(rule.addressRanges[other.family], other.range.first);
    const entity = other as EntityPeer;
    return rule.matchesEveryPeer || entity.tags.some((tag) => rule.entities.has(tag))
      || (entity.addresses !== undefined && addressPeersMatch(rule, entity.addresses));
  }

  /** Returns the connections a rule names towards a destination class; named ports resolve on it. */
  portsTowards(rule: CompiledRule, destination: PodClass | undefined): ConnectionSet {
    if (rule.namedPorts.length === 0) return rule.numericPorts;
    let ports = rule.numericPorts;
    // A named port resolves against the destination pod's containers, by name (and protocol,
    // when the rule gives one); towards an address there is nothing to resolve it on.
    if (destination) {
      for (const named of rule.namedPorts) {
        for (const port of destination.ports) {
          if (port.name === named.name && (named.protocol === undefined || port.protocol === named.protocol)) {
            const resolved = ConnectionSet.ofPorts(port.protocol, port.containerPort);
            ports = ports.union(rule.sourcePorts ? resolved.fromSourcePorts(rule.sourcePorts) : resolved);
          }
        }
      }
    }
    return ports;
  }

  /**
   * The connections one side allows: the source's egress towards `other` (`selected` is the
   * source), or the destination's ingress from `other` (`selected` is the destination). Every
   * enforcement point must allow; within a point the stages are evaluated in order.
   */
  sideAllowed(direction: Direction, selected: PodClass, other: Peer, trace?: SideTrace): ConnectionSet {
    const plan = this.plans[direction][selected.index];
    if (!plan || (plan.allowsAll && !trace)) return ConnectionSet.ALL;
    const peerIndex = (other as PodClass).index;
    // Only a class of this evaluator is remembered by its index (a host evaluator is asked about pods too).
    const ownClass = peerIndex !== undefined && this.classes[peerIndex] === other;
    const destination = direction === 'ingress' ? selected : ownClass || !(isAddressPeer(other) || isEntityPeer(other)) ? other as PodClass : undefined;
    if (plan.simpleUnion) return this.union(plan.points[0].stages[0], other, destination, trace);
    if (trace || !ownClass) return this.pointsAllowed(plan, other, destination, trace);
    if (plan.peerOnly) return this.bySignature(plan, other as PodClass, destination, false);
    // Named ports resolve on the destination: on ingress the selected class, the same for every
    // peer asked about, so peers the rules match alike still get the same answer.
    return direction === 'ingress' ? this.bySignature(plan, other as PodClass, destination, true) : this.pointsAllowed(plan, other, destination, undefined);
  }

  /**
   * What a plan allows towards a peer class, remembered by which of its rules match the peer (its
   * signature) and, when named ports resolve on the destination, by the ports the destination
   * declares: under tiers of first-match rules (Calico's), thousands of peers fall in a few
   * signatures, and each is evaluated once instead of once per peer.
   */
  private bySignature(plan: ClassPlan, other: PodClass, destination: PodClass | undefined, resolvesOnDestination: boolean): ConnectionSet {
    const key = (resolvesOnDestination ? this.declaredPortsId(destination!) : 0) * MAX_SIGNATURES + this.signatureOf(plan, other);
    let memo = this.signatureMemo[plan.id];
    if (!memo) this.signatureMemo[plan.id] = memo = new Map();
    let allowed = memo.get(key);
    if (allowed === undefined) {
      allowed = this.pointsAllowed(plan, other, destination, undefined);
      if (this.memoEntries < MEMO_LIMIT) {
        memo.set(key, allowed);
        this.memoEntries++;
      }
    }
    return allowed;
  }

  /**
   * A number for a peer class's signature in a plan (which of the plan's rules match it), below
   * MAX_SIGNATURES: for a plan of a few rules, the bits of the matching ones; for a larger plan,
   * the signature's number among those met, remembered per peer (see signatureId).
   */
  private signatureOf(plan: ClassPlan, other: PodClass): number {
    const rules = plan.rules;
    if (rules.length > MAX_BIT_SIGNATURE_RULES) return this.signatureId(plan, other);
    let signature = 0;
    for (let index = 0; index < rules.length; index++) if (rules[index].classes.has(other.index)) signature |= 1 << index;
    return signature;
  }

  /**
   * The number (from 1) of a peer class's signature in a plan of many rules. Remembered per plan
   * and peer while the arrays stay under MEMO_LIMIT entries in all.
   */
  private signatureId(plan: ClassPlan, other: PodClass): number {
    let ids = this.signatureIds[plan.id];
    if (ids === undefined && this.signatureIdEntries + this.classes.length <= MEMO_LIMIT) {
      this.signatureIdEntries += this.classes.length;
      this.signatureIds[plan.id] = ids = new Int32Array(this.classes.length);
    }
    let id = ids ? ids[other.index] : 0;
    if (id === 0) {
      // The indexes of the matching rules (more than a signature of bits holds).
      const rules = plan.rules;
      let signature = '';
      for (let index = 0; index < rules.length; index++) if (rules[index].classes.has(other.index)) signature += `${index},`;
      let numbers = this.signatureNumbers[plan.id];
      if (!numbers) this.signatureNumbers[plan.id] = numbers = new Map();
      id = numbers.get(signature) ?? 0;
      if (id === 0) numbers.set(signature, (id = numbers.size + 1));
      if (ids) ids[other.index] = id;
    }
    return id;
  }

  /** The number (from 1) of the ports a class declares: classes declaring the same resolve named ports alike. */
  private declaredPortsId(podClass: PodClass): number {
    let id = this.portsIds[podClass.index];
    if (id === 0) {
      const key = podClass.ports.map((port) => `${port.name ?? ''}/${port.protocol}/${port.containerPort}`).join(',');
      id = this.portsIdByKey.get(key) ?? 0;
      if (id === 0) this.portsIdByKey.set(key, (id = this.portsIdByKey.size + 1));
      this.portsIds[podClass.index] = id;
    }
    return id;
  }

  /** What each plan allows, by destination ports and peer signature: see bySignature. */
  private readonly signatureMemo: (Map<number, ConnectionSet> | undefined)[] = [];
  private memoEntries = 0;
  /** Per plan, each peer class's signature number (0: not yet known); see signatureId. */
  private readonly signatureIds: (Int32Array | undefined)[] = [];
  private signatureIdEntries = 0;
  /** Per plan, the number of each signature met. */
  private readonly signatureNumbers: (Map<string, number> | undefined)[] = [];
  /** Per class, the number of the ports it declares (0: not yet known); see declaredPortsId. */
  private get portsIds(): Int32Array {
    return (this.portsIdArray ??= new Int32Array(this.classes.length));
  }

  private portsIdArray: Int32Array | undefined;
  private readonly portsIdByKey = new Map<string, number>();

  /** What every enforcement point of a plan allows together. */
  private pointsAllowed(plan: ClassPlan, other: Peer, destination: PodClass | undefined, trace: SideTrace | undefined): ConnectionSet {
    const points = plan.points;
    if (points.length === 1) return this.pointAllowed(points[0], other, destination, trace);
    let allowed = ConnectionSet.ALL;
    for (const point of points) {
      const here = this.pointAllowed(point, other, destination, trace);
      trace?.points?.push({ point: point.point, policies: point.stages.flatMap((stage) => stage.isolating), allowed: here });
      allowed = allowed.intersect(here);
      if (allowed.isEmpty() && !trace) break;
    }
    return allowed;
  }

  /** The union of the allow rules of a stage that match `other` (NetworkPolicy's semantics). */
  private union(stage: StagePlan, other: Peer, destination: PodClass | undefined, trace: SideTrace | undefined): ConnectionSet {
    let allowed = ConnectionSet.EMPTY;
    for (const rule of stage.rules) {
      if (!this.ruleMatches(rule, other)) continue;
      const ports = this.portsTowards(rule, destination);
      if (trace) trace.contributions.push({ rule, stage: stage.stage, allowed: ports });
      // The same compiled set often matches twice (a namespace-wide and a specific rule).
      if (ports !== allowed) allowed = allowed.union(ports);
      if (!trace && allowed.isAll()) break;
    }
    return allowed;
  }

  /**
   * One enforcement point: the connections still undecided flow through its stages; what a stage
   * allows or denies is settled, what it passes (or leaves, when it does not isolate the class)
   * goes on; what reaches the end gets the point's default.
   */
  private pointAllowed(point: PointPlan, other: Peer, destination: PodClass | undefined, trace: SideTrace | undefined): ConnectionSet {
    let undecided = ConnectionSet.ALL;
    let allowed = ConnectionSet.EMPTY;
    for (const stage of point.stages) {
      const rest = stage.rest;
      let passed = ConnectionSet.EMPTY;
      if (stage.stage.combination === 'first-match') {
        for (const rule of stage.rules) {
          if (!this.ruleMatches(rule, other)) continue;
          const ports = this.portsTowards(rule, destination).intersect(undecided);
          if (ports.isEmpty()) continue;
          if (trace) trace.decisions.push({ rule, stage: stage.stage, ports });
          if (rule.action === 'log') continue;
          if (rule.action === 'allow') allowed = allowed.union(ports);
          else if (rule.action === 'pass') passed = passed.union(ports);
          undecided = undecided.subtract(ports);
          if (undecided.isEmpty()) break;
        }
      } else if (!stage.hasNonAllow) {
        // Allow rules only (NetworkPolicy): their union, without the bookkeeping of denies.
        const taken = this.union(stage, other, destination, trace).intersect(undecided);
        // Denied or allowed, nothing goes on: the usual end of a point isolated by NetworkPolicy.
        if (rest === 'deny') return allowed.union(taken);
        allowed = allowed.union(taken);
        undecided = undecided.subtract(taken);
      } else {
        let denied = ConnectionSet.EMPTY;
        let allowedHere = ConnectionSet.EMPTY;
        const matching: { rule: CompiledRule; ports: ConnectionSet }[] = [];
        for (const rule of stage.rules) {
          if (!this.ruleMatches(rule, other)) continue;
          const ports = this.portsTowards(rule, destination);
          matching.push({ rule, ports });
          if (rule.action === 'deny') denied = denied.union(ports);
          else if (rule.action === 'allow') allowedHere = allowedHere.union(ports);
          else if (rule.action === 'pass') passed = passed.union(ports);
        }
        denied = denied.intersect(undecided);
        allowedHere = allowedHere.intersect(undecided).subtract(denied);
        passed = passed.intersect(undecided).subtract(denied).subtract(allowedHere);
        if (trace) {
          for (const { rule, ports } of matching) {
            if (rule.action === 'allow') trace.contributions.push({ rule, stage: stage.stage, allowed: ports });
            else if (rule.action === 'deny' && !ports.intersect(denied).isEmpty()) trace.decisions.push({ rule, stage: stage.stage, ports: ports.intersect(denied) });
          }
        }
        allowed = allowed.union(allowedHere);
        undecided = undecided.subtract(denied).subtract(allowedHere).subtract(passed);
      }
      // What no rule decided: the stage's own action for a class it isolates, else the next stage.
      if (rest === 'deny' && trace?.stageEnds && stage.stage.combination === 'first-match' && !undecided.isEmpty()) {
        trace.stageEnds.push({ stage: stage.stage, policies: stage.isolating, ports: undecided });
      }
      if (rest === 'allow') allowed = allowed.union(undecided);
      undecided = rest === 'pass' ? undecided.union(passed) : passed;
      if (undecided.isEmpty()) return allowed;
    }
    return point.point.unmatched === 'allow' ? allowed.union(undecided) : allowed;
  }

  /**
   * The named restrictions of the allow rules that took part in what `trace` allowed, each with
   * the ports it still holds on. The allow rules of one stage are alternatives (a connection any
   * of them allows is allowed), so a restriction above L4 (LIFTED_LAYERS) holds only on the ports
   * no unrestricted allow rule of its stage allows too: an L4 rule beside an L7 one on the same port
   * lets every request through (Cilium wildcards L7, DNS, TLS and FQDN rules for the peers an
   * L3/L4 rule allows on that port; Istio allows a request any ALLOW rule matches). Others hold
   * whatever else allows (Cilium's required authentication wins over none, a listener redirect
   * over none, fromRequires binds every rule of the subject).
   */
  restrictionsOf(trace: SideTrace, allowed: ConnectionSet): RestrictionOnVerdict[] {
    const restrictions: RestrictionOnVerdict[] = [];
    const contributing = trace.contributions.filter((entry) => !entry.allowed.intersect(allowed).isEmpty());
    const unrestrictedByStage = new Map<string, ConnectionSet>();
    for (const entry of contributing) {
      if (entry.rule.restrictions.some((restriction) => LIFTED_LAYERS.has(restriction.layer))) continue;
      unrestrictedByStage.set(entry.stage.id, (unrestrictedByStage.get(entry.stage.id) ?? ConnectionSet.EMPTY).union(entry.allowed));
    }
    const seen = new Set<string>();
    const add = (rule: CompiledRule, restriction: NamedRestriction, ports: ConnectionSet) => {
      const key = `${rule.source.policyLabel}\u0000${rule.source.ruleLabel}\u0000${restriction.layer}\u0000${restriction.description}`;
      if (seen.has(key)) return;
      seen.add(key);
      restrictions.push({ ...restriction, rule, ports });
    };
    for (const entry of contributing) {
      const here = entry.allowed.intersect(allowed);
      for (const restriction of entry.rule.restrictions) {
        const unrestricted = LIFTED_LAYERS.has(restriction.layer) ? unrestrictedByStage.get(entry.stage.id) : undefined;
        const ports = unrestricted ? here.subtract(unrestricted) : here;
        if (!ports.isEmpty()) add(entry.rule, restriction, ports);
      }
    }
    // A log rule decides nothing at L4; what it restricts above L4 (Istio's DENY on HTTP fields) still travels with the verdict.
    for (const entry of trace.decisions) {
      if ((entry.rule.action !== 'allow' && entry.rule.action !== 'log') || entry.ports.intersect(allowed).isEmpty()) continue;
      for (const restriction of entry.rule.restrictions) add(entry.rule, restriction, entry.ports.intersect(allowed));
    }
    return restrictions;
  }

  /**
   * The address ranges the rules of one direction single out (ipBlocks, networks, CIDRs):
   * external peers are the pieces these cut the address space into.
   */
  addressRangeLists(direction: Direction, family: IpFamily): (readonly AddressRange[])[] {
    const lists: (readonly AddressRange[])[] = [];
    for (const rule of this.rules) {
      if (rule.direction === direction && rule.addressRanges[family].length > 0) lists.push(rule.addressRanges[family]);
    }
    return lists;
  }
}

/** Plans with up to this many rules have their signatures as bits (computed on each question: a few bit tests). */
const MAX_BIT_SIGNATURE_RULES = 16;
/**
 * Above every signature: 2^16 bit signatures, and numbered ones (at most one per class).
 * Memo keys are ports × MAX_SIGNATURES + signature.
 */
const MAX_SIGNATURES = 2 ** 26;
/** How many answers the evaluator remembers, and how many signature numbers it keeps (each): about 32 MB at most each. */
const MEMO_LIMIT = 8_000_000;

/**
 * The allow rules before (and of) the first stage that denies what it leaves, when every rule up
 * to there allows: no other peer gets anything. Undefined when some rule denies, passes or logs
 * first, or no stage isolates with deny.
 */
function reachRulesOf(stages: readonly StagePlan[]): CompiledRule[] | undefined {
  const rules: CompiledRule[] = [];
  for (const stage of stages) {
    if (stage.hasNonAllow) return undefined;
    rules.push(...stage.rules);
    if (stage.isolating.length > 0 && stage.stage.unmatched === 'deny') return rules;
    // An isolating stage that allows what is unmatched lets every peer through.
    if (stage.isolating.length > 0 && stage.stage.unmatched === 'allow') return undefined;
  }
  return undefined;
}

/**
 * True when a rule's address peers contain every address an entity may have (a node's addresses
 * only for kinds whose address peers match cluster addresses).
 */
export function addressPeersMatch(rule: CompiledRule, addresses: EntityAddresses): boolean {
  if (addresses.inCluster && rule.podAddressMatch !== 'always' && rule.podAddressMatch !== 'nodes') return false;
  const families = ([4, 6] as const).filter((family) => addresses.ranges[family].length > 0);
  return families.length > 0 && families.every((family) => rangesCover(rule.addressRanges[family], addresses.ranges[family]));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
