import type { AddressRange, IpFamily } from '../../model/cidr.js';
import { parseAddress } from '../../model/cidr.js';
import type { ResourceGraph } from '../../model/graph.js';
import type { Labels } from '../../model/label-selector.js';
import { LabelIndex } from '../../model/label-index.js';
import type { Protocol } from '../../model/types.js';
import {
  isNamedCalicoPort, type CalicoEntityRule, type CalicoHostEndpoint, type CalicoPolicy, type CalicoPort, type CalicoProfile, type CalicoRule, type CalicoTier,
} from '../../model/calico.js';
import { calicoPolicyLabel } from '../../model/calico.js';
import { compareTiers } from '../../model/build-calico.js';
import { entityRuleSelectors, policyEndpointSelector } from '../../model/calico-endpoints.js';
import { calicoTierPlans } from '../../model/calico-order.js';
import { evaluateCalicoSelector, printCalicoSelector, type CalicoSelectorNode } from '../../model/calico-selector.js';
import { calicoView } from '../../model/calico-view.js';
import { formatPath } from '../../load/path.js';
import { BitSet } from '../bitset.js';
import { ConnectionSet } from '../connection-set.js';
import { wholeSpace } from '../ip-ranges.js';
import type {
  CompiledPolicy, CompiledRule, Direction, NamedRestriction, PodClass, PolicySide, RuleAction, StageDefinition,
} from '../policy-form.js';
import type { CompileContext } from './context.js';
import { sortRanges } from './ranges.js';

/**
 * Calico's NetworkPolicy and GlobalNetworkPolicy (projectcalico.org/v3, crd.projectcalico.org/v1)
 * compiled into the common form, as Felix evaluates them for workload endpoints (pods); see
 * docs/calico.md §2–§5 for every field's meaning and its source. A tier is a first-match stage;
 * a policy applies to the classes its effective selector matches (the selector with the
 * namespace, namespaceSelector and serviceAccountSelector folded in, over the labels Calico gives
 * pods); each type it has isolates that direction (the tier's defaultAction takes what its rules
 * leave). A rule's peer side (the source of an ingress rule, the destination of an egress rule)
 * becomes classes and address ranges; its own side (the destination of an ingress rule, the
 * source of an egress rule) restricts which subjects the rule applies to, so a policy whose rules
 * treat its subjects differently is compiled once per group of subjects the rules treat alike.
 *
 * What this does not decide, and how it says so (never silently):
 * - rules with named source ports (they resolve on the source endpoint), `notICMP` but no ICMP
 *   protocol, named `notPorts`, or a `services` peer without a selector, match nothing here and
 *   are named in the answer's caveats (calico-caveats.ts: {@link calicoUnmodelledParts}); numeric
 *   source ports are exact (connection sets have a source-port dimension);
 * - `http` (application layer policy): a named L7 restriction on what the Allow rule allows;
 * - policies with `doNotTrack` or `preDNAT` apply to host endpoints only and select no pod;
 * - pods whose address is unknown match no `nets` and are excluded by no `notNets`.
 */

/** The stage id of a Calico tier. */
export function calicoStageId(tier: string): string {
  return `calico:tier:${tier}`;
}

/**
 * One first-match stage per tier, in Felix's tier order (tiers by `order`, none last, then name):
 * the tiers the manifests declare, those Calico creates itself (kube-admin, default,
 * kube-baseline) and any a policy names; what a tier's rules leave for an endpoint it applies to
 * gets its defaultAction (Deny, or Pass to the next tier).
 */
export function calicoStages(graph: ResourceGraph): StageDefinition[] {
  const tiers = new Map<string, CalicoTier>(graph.calico.tiers.map((tier) => [tier.name, tier]));
  for (const policy of graph.calico.policies) {
    if (!tiers.has(policy.tier)) tiers.set(policy.tier, { name: policy.tier, defaultAction: 'Deny', builtIn: false });
  }
  const stages: StageDefinition[] = [...tiers.values()].sort(compareTiers).map((tier, index) => ({
    id: calicoStageId(tier.name),
    point: 'cni',
    order: index + 1,
    combination: 'first-match',
    unmatched: tier.defaultAction === 'Pass' ? 'pass' : 'deny',
    label: `Calico tier ${tier.name}`,
    deniedAtEnd: 'the tier\'s end denies it; later tiers and the profiles are not reached',
  }));
  // After the last tier, an endpoint's profiles in order; what none allows is denied. Only
  // endpoints with a profile of the input have policies here (compileCalicoPolicies); the others'
  // profiles are the ones Calico makes (kns.<namespace>: allow all), the point's default.
  stages.push({ id: CALICO_PROFILE_STAGE, point: 'cni', order: stages.length + 1, combination: 'first-match', unmatched: 'deny', label: 'Calico profiles' });
  return stages;
}

/** The stage of endpoints' profiles, after every tier. */
export const CALICO_PROFILE_STAGE = 'calico:profiles';

/**
 * The rank of every policy inside its tier, Kubernetes NetworkPolicies included (default tier,
 * order 1000): its position in Felix's order (order, none last, then `namespace/name`), so that
 * the evaluator's own tie-break by name never decides.
 */
export function calicoPolicyRanks(graph: ResourceGraph): Map<object, number> {
  const ranks = new Map<object, number>();
  for (const plan of calicoTierPlans(graph.calico, graph.policies)) plan.policies.forEach((entry, index) => ranks.set(entry.policy, index));
  return ranks;
}

const ACTIONS: Readonly<Record<CalicoRule['action'], RuleAction>> = { Allow: 'allow', Deny: 'deny', Pass: 'pass', Log: 'log' };
const PORT_PROTOCOLS: Readonly<Record<number, Protocol>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };
/** What a rule's peers are scoped by: the kind and namespace of its policy (a namespaced policy's rules see its namespace). */
interface ScopeOwner {
  readonly kind: CalicoPolicy['kind'] | 'Profile';
  readonly namespace?: string;
}

/** Where a compiled rule comes from: its policy's scope, object, rank in words and JSON details. */
interface RuleOwner extends ScopeOwner {
  readonly source: CalicoPolicy['source'];
  readonly rank: string;
  readonly details: Readonly<Record<string, string | number>>;
}

/** The owner of a policy's rules: its tier and order. */
function policyOwner(policy: CalicoPolicy): RuleOwner {
  return {
    kind: policy.kind,
    ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
    source: policy.source,
    rank: `tier ${policy.tier}, order ${policy.order ?? 'none (last)'}`,
    details: { tier: policy.tier, ...(policy.order !== undefined ? { order: policy.order } : {}) },
  };
}

const NO_TAGS: ReadonlySet<string> = new Set();
const EVERY_TAG: ReadonlySet<string> = new Set(['any-pod']);

/** Parts of a rule that the common form cannot hold, in the user's words; empty when it holds all of it. */
export function calicoUnmodelledParts(rule: CalicoRule, hasServiceSelector: (entity: CalicoEntityRule) => boolean): string[] {
  const parts: string[] = [];
  const namedSourcePorts = [...rule.source.ports, ...rule.source.notPorts].filter(isNamedCalicoPort);
  if (namedSourcePorts.length > 0) parts.push(`named source ports ${namedSourcePorts.map((port) => port.name).join(', ')}`);
  const icmpProtocol = rule.protocol?.number === 1 || rule.protocol?.number === 58;
  if (rule.notICMP && !icmpProtocol) parts.push('notICMP without an ICMP protocol');
  if (rule.destination.notPorts.some(isNamedCalicoPort) || (rule.destination.notPorts.length > 0 && rule.destination.ports.some(isNamedCalicoPort))) {
    parts.push('named ports with notPorts');
  }
  for (const entity of [rule.source, rule.destination]) {
    if (entity.services && !hasServiceSelector(entity)) parts.push(`Service ${entity.services.namespace ?? ''}${entity.services.namespace ? '/' : ''}${entity.services.name}, whose endpoints the manifests do not show`);
  }
  return parts;
}

/**
 * The source ports a rule's `source.ports` and `source.notPorts` leave, as `[from, to]` runs;
 * undefined when they name none (every source port). Named source ports are not among them: a
 * rule naming one is not modelled ({@link calicoUnmodelledParts}).
 */
function numericSourcePorts(source: CalicoEntityRule): [number, number][] | undefined {
  const numeric = (ports: readonly CalicoPort[]) => ports.filter((port): port is Extract<CalicoPort, { readonly from: number }> => !isNamedCalicoPort(port));
  const ports = numeric(source.ports);
  const notPorts = numeric(source.notPorts);
  if (ports.length === 0 && notPorts.length === 0) return undefined;
  // Runs of source ports as a set of one protocol's ports: the algebra merges and cuts them.
  let kept = ports.length === 0 ? ConnectionSet.ofProtocol('TCP') : ports.reduce((set, port) => set.union(ConnectionSet.ofPorts('TCP', port.from, port.to)), ConnectionSet.EMPTY);
  for (const port of notPorts) kept = kept.subtract(ConnectionSet.ofPorts('TCP', port.from, port.to));
  return kept.portRanges('TCP');
}

/**
 * Compiles the graph's Calico policies; `ranks` gives each its position in its tier
 * ({@link calicoPolicyRanks}).
 */
export function compileCalicoPolicies(context: CompileContext, ranks: ReadonlyMap<object, number>): CompiledPolicy[] {
  if (context.graph.calico.policies.length === 0) return [];
  const compiler = new CalicoCompiler(context);
  return [...context.graph.calico.policies.flatMap((policy) => compiler.compile(policy, ranks.get(policy) ?? 0)), ...compiler.compilePodProfiles()];
}

/**
 * The Calico policies and profiles of host endpoints (docs/calico.md §9c): every
 * GlobalNetworkPolicy whose selector matches a host endpoint, in its tier's stage with its rank,
 * and each endpoint's profiles in `profileStage`, in the endpoint's order. `projectcalico-default-allow`
 * is Calico's built-in allow-all profile; a profile the input does not hold is left out (the
 * caller says so). Rules' peers are the pod classes of `context`, so that the host endpoints'
 * sides can be evaluated against pods with the same compiled rules.
 */
export function compileCalicoHostEndpointPolicies(
  context: CompileContext, ranks: ReadonlyMap<object, number>, subjects: readonly HostEndpointSubject[], profileStage: string,
): CompiledPolicy[] {
  if (subjects.length === 0) return [];
  const compiler = new CalicoCompiler(context);
  const compiled = context.graph.calico.policies.flatMap((policy) => compiler.compileForHostEndpoints(policy, ranks.get(policy) ?? 0, subjects, subjects.length));
  const profiles = new Map(context.graph.calico.profiles.map((profile) => [profile.name, profile]));
  const byPlace = new Map<string, { profile: CalicoProfile; position: number; subjects: BitSet }>();
  for (const subject of subjects) {
    subject.endpoint.profiles.forEach((name, position) => {
      const profile = profiles.get(name) ?? (name === DEFAULT_ALLOW_PROFILE ? defaultAllowProfile(subject.endpoint) : undefined);
      if (!profile) return;
      const key = `${position}\u0001${name}`;
      let entry = byPlace.get(key);
      if (!entry) byPlace.set(key, (entry = { profile, position, subjects: new BitSet(subjects.length) }));
      entry.subjects.add(subject.index);
    });
  }
  for (const entry of byPlace.values()) compiled.push(compiler.compileProfile(entry.profile, profileStage, entry.position, entry.subjects, false));
  return compiled;
}

/** Calico's built-in profile that allows every connection ("Host endpoints with the projectcalico-default-allow profile attached will have allow-all semantics"). */
export const DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

/**
 * A profile the input lacks, as Calico makes it (conversion.go NamespaceToProfile,
 * ServiceAccountToProfile): `kns.<namespace>` allows all ingress and egress, any other has no
 * rules; cited at the endpoint that names it.
 */
function generatedProfile(name: string, source: CalicoProfile['source'], position: number): CalicoProfile {
  const path = source.kind === 'WorkloadEndpoint' ? ['spec', 'profiles', position] : ['metadata', 'namespace'];
  const entity: CalicoEntityRule = { nets: [], notNets: [], ports: [], notPorts: [], path };
  const rule = (direction: 'ingress' | 'egress'): CalicoRule => ({ direction, index: 0, action: 'Allow', source: entity, destination: entity, annotations: {}, path });
  const allowsAll = name.startsWith('kns.');
  return { name, labelsToApply: {}, ingress: allowsAll ? [rule('ingress')] : [], egress: allowsAll ? [rule('egress')] : [], source };
}

/** The built-in allow-all profile, cited at the host endpoint that names it (Calico creates it; the input does not hold it). */
function defaultAllowProfile(endpoint: CalicoHostEndpoint): CalicoProfile {
  const path = ['spec', 'profiles', endpoint.profiles.indexOf(DEFAULT_ALLOW_PROFILE)];
  const entity: CalicoEntityRule = { nets: [], notNets: [], ports: [], notPorts: [], path };
  const rule = (direction: 'ingress' | 'egress'): CalicoRule => ({
    direction, index: 0, action: 'Allow', source: entity, destination: entity, annotations: {}, path,
  });
  return { name: DEFAULT_ALLOW_PROFILE, labelsToApply: {}, ingress: [rule('ingress')], egress: [rule('egress')], source: endpoint.source };
}

/** A rule with what its own side asks of the subjects, before it is placed in a policy. */
interface RulePlan {
  readonly rule: CalicoRule;
  /** Whether the rule applies to a subject class (its own side's selector, nets...); undefined: to all. */
  readonly appliesTo?: (podClass: PodClass) => boolean;
  /** False when the rule is left out (it matches nothing here, and the answer says why). */
  readonly modelled: boolean;
  /** The rule's own side (destination of ingress, source of egress) when it restricts the subjects. */
  readonly own?: CalicoEntityRule;
}

/**
 * A HostEndpoint as the subject of policies (docs/calico.md §9c): its index among the host
 * endpoints, the endpoint, and the labels Calico's selectors see on it (its own and its profiles').
 */
export interface HostEndpointSubject {
  readonly index: number;
  readonly endpoint: CalicoHostEndpoint;
  readonly labels: Labels;
}

class CalicoCompiler {
  private readonly view;
  /** The labels Calico's selectors see on each class (undefined for hostNetwork pods: no workload endpoint). */
  private readonly classLabels: readonly (Labels | undefined)[];
  private readonly selectorClasses = new Map<string, BitSet>();

  constructor(private readonly context: CompileContext) {
    this.view = calicoView(context.graph);
    this.classLabels = context.classes.map((podClass) => (podClass.hostNetwork ? undefined : this.view.podLabels(podClass.pods[0])));
  }

  compile(policy: CalicoPolicy, priority: number): CompiledPolicy[] {
    const subjects: PodClass[] = [];
    // doNotTrack and preDNAT policies apply to host endpoints' raw and pre-DNAT chains only.
    if (!policy.doNotTrack && !policy.preDNAT) {
      const selector = policyEndpointSelector(policy);
      // A NetworkPolicy's effective selector names its namespace: only that namespace's classes can match.
      const candidates = policy.kind === 'NetworkPolicy' && policy.namespace !== undefined ? this.context.classesInNamespace(policy.namespace) : this.context.classes;
      for (const podClass of candidates) {
        const labels = this.classLabels[podClass.index];
        if (labels && evaluateCalicoSelector(selector, labels)) subjects.push(podClass);
      }
    }
    const plans = this.plansOf(policy);
    // Subjects the rules treat alike share one compiled policy (the usual case: one group).
    const groups = new Map<string, PodClass[]>();
    const conditional = [...plans.ingress, ...plans.egress].filter((plan) => plan.appliesTo !== undefined);
    for (const podClass of subjects) {
      const key = conditional.map((plan) => (plan.appliesTo!(podClass) ? '1' : '0')).join('');
      const group = groups.get(key);
      if (group) group.push(podClass);
      else groups.set(key, [podClass]);
    }
    if (groups.size === 0) groups.set('', []);
    return [...groups.values()].map((group) => {
      const set = this.context.newClassSet();
      for (const podClass of group) set.add(podClass.index);
      const sample = group[0];
      return this.compileGroup(policy, priority, set, (plan) => !plan.appliesTo || sample === undefined || plan.appliesTo(sample), plans);
    });
  }

  /**
   * The policy as it applies to host endpoints (`subjects`, indexed among `size` of them): the
   * endpoints its selector matches, grouped as its rules' own sides treat them. Empty for a
   * NetworkPolicy (it "only applies to workload endpoint resources in that namespace") and for
   * doNotTrack and preDNAT policies (raw and pre-DNAT chains: not evaluated, said by the caller).
   */
  compileForHostEndpoints(policy: CalicoPolicy, priority: number, subjects: readonly HostEndpointSubject[], size: number): CompiledPolicy[] {
    if (policy.kind !== 'GlobalNetworkPolicy' || policy.doNotTrack || policy.preDNAT) return [];
    const selector = policyEndpointSelector(policy);
    const selected = subjects.filter((subject) => evaluateCalicoSelector(selector, subject.labels));
    if (selected.length === 0) return [];
    const plans = this.plansOf(policy);
    const conditional = [...plans.ingress, ...plans.egress].filter((plan) => plan.own !== undefined);
    const applies = (plan: RulePlan, subject: HostEndpointSubject) => plan.own === undefined
      || this.entityMatchesHostEndpoint(policy, plan.own, subject, plan.rule.ipVersion);
    const groups = new Map<string, HostEndpointSubject[]>();
    for (const subject of selected) {
      const key = conditional.map((plan) => (applies(plan, subject) ? '1' : '0')).join('');
      groups.set(key, [...(groups.get(key) ?? []), subject]);
    }
    return [...groups.values()].map((group) => {
      const set = new BitSet(size);
      for (const subject of group) set.add(subject.index);
      return this.compileGroup(policy, priority, set, (plan) => applies(plan, group[0]), plans);
    });
  }

  /**
   * A Profile's rules for the endpoints that name it (`subjects`: pod classes, or host endpoints),
   * as a policy of the profiles stage ranked by the profile's position in each endpoint's list
   * (Felix evaluates an endpoint's profiles in order after its last tier; no rule matching in any
   * → deny). `isolates`: pods' profiles put them under the stage's deny; host endpoints' go on to
   * their point's end, which denies.
   */
  compileProfile(profile: CalicoProfile, stage: string, position: number, subjects: BitSet, isolates: boolean): CompiledPolicy {
    const owner: RuleOwner = { kind: 'Profile', source: profile.source, rank: `profile ${position + 1} of the host endpoint`, details: { profile: profile.name } };
    const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
      kind: 'Calico Profile', name: profile.name, label: profile.name, object: profile.source, stage, priority: position, model: profile,
    };
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = profile[direction].filter((rule) => calicoUnmodelledParts(rule, () => false).length === 0)
        .map((rule) => this.compileRule(compiled, owner, rule));
      compiled[direction] = { direction, subjects, isolates, rules };
    }
    return compiled;
  }

  /**
   * The profiles of the pods some of whose profiles the input holds (exported Profiles, as
   * `calicoctl get profiles -o yaml` shows them): each of the pod's profiles in order, the input's
   * or, for one it lacks, the one Calico makes (`kns.<namespace>`: allow all; `ksa.…`: no rules);
   * what none allows is denied. Pods none of whose profiles the input holds are left to the
   * point's default (Calico's kns profile allows everything). A class's pods share namespace and
   * service account (calicoClassSignature), hence their profiles.
   */
  compilePodProfiles(): CompiledPolicy[] {
    const inputProfiles = new Map(this.context.graph.calico.profiles.map((profile) => [profile.name, profile]));
    if (inputProfiles.size === 0) return [];
    const byPlace = new Map<string, { profile: CalicoProfile; position: number; subjects: BitSet }>();
    for (const podClass of this.context.classes) {
      if (!this.classLabels[podClass.index]) continue;
      const names = this.view.podProfiles(podClass.pods[0]);
      if (!names.some((name) => inputProfiles.has(name))) continue;
      names.forEach((name, position) => {
        const key = `${position}\u0001${name}`;
        let entry = byPlace.get(key);
        if (!entry) {
          const profile = inputProfiles.get(name) ?? generatedProfile(name, podClass.pods[0].source, position);
          byPlace.set(key, (entry = { profile, position, subjects: this.context.newClassSet() }));
        }
        entry.subjects.add(podClass.index);
      });
    }
    return [...byPlace.values()].map((entry) => this.compileProfile(entry.profile, CALICO_PROFILE_STAGE, entry.position, entry.subjects, true));
  }

  private plansOf(policy: CalicoPolicy): Record<Direction, RulePlan[]> {
    return {
      ingress: policy.types.ingress ? policy.ingress.map((rule) => this.planRule(policy, rule)) : [],
      egress: policy.types.egress ? policy.egress.map((rule) => this.planRule(policy, rule)) : [],
    };
  }

  private compileGroup(policy: CalicoPolicy, priority: number, subjects: BitSet, keeps: (plan: RulePlan) => boolean, plans: Record<Direction, RulePlan[]>): CompiledPolicy {
    const kind = `Calico ${policy.kind}`;
    const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
      kind,
      name: policy.policyName,
      ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
      label: calicoPolicyLabel(policy),
      object: policy.source,
      stage: calicoStageId(policy.tier),
      priority,
      model: policy,
    };
    const owner = policyOwner(policy);
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.types[direction]) continue;
      const rules: CompiledRule[] = [];
      for (const plan of plans[direction]) {
        if (!plan.modelled || !keeps(plan)) continue;
        rules.push(this.compileRule(compiled, owner, plan.rule));
      }
      const side: PolicySide = { direction, subjects, isolates: true, rules };
      compiled[direction] = side;
    }
    return compiled;
  }

  private planRule(policy: CalicoPolicy, rule: CalicoRule): RulePlan {
    // A rule with a part the common form cannot hold is left out, and the answer says so.
    const modelled = calicoUnmodelledParts(rule, (entity) => this.serviceOf(policy, entity) !== undefined).length === 0;
    const own = rule.direction === 'ingress' ? rule.destination : rule.source;
    const hasOwnCondition = own.selector !== undefined || own.notSelector !== undefined || own.namespaceSelector !== undefined
      || own.serviceAccounts !== undefined || own.nets.length > 0 || own.notNets.length > 0;
    return {
      rule,
      modelled,
      ...(hasOwnCondition ? { own, appliesTo: (podClass: PodClass) => this.entityMatchesClass(policy, own, podClass, rule.ipVersion) } : {}),
    };
  }

  /**
   * Where a Pass of a tier sends a connection, in the words of an answer: "the next tier that
   * contains a policy that applies to the endpoint" (Calico's Pass), naming the later tiers, else
   * the endpoint's profiles (which allow, as Calico's `kns.<namespace>` profiles do).
   */
  private passTarget(stage: string): string {
    this.tierOrder ??= calicoStages(this.context.graph).filter((candidate) => candidate.id !== CALICO_PROFILE_STAGE);
    const index = this.tierOrder.findIndex((candidate) => candidate.id === stage);
    const later = this.tierOrder.slice(index + 1).map((candidate) => candidate.label.replace(/^Calico tier /, ''));
    return later.length === 0 ? 'the profiles (which allow)'
      : `the next tier with a policy for the endpoint (of ${later.join(', ')}; else the profiles, which allow)`;
  }

  private tierOrder: StageDefinition[] | undefined;

  private compileRule(compiled: CompiledPolicy, policy: RuleOwner, rule: CalicoRule): CompiledRule {
    const peer = rule.direction === 'ingress' ? rule.source : rule.destination;
    const service = peer.services ? this.serviceOf(policy, peer) : undefined;
    const matchesEveryPeer = rule.ipVersion === undefined && isEmptyPeer(peer);
    let classes: BitSet;
    let addressRanges: Record<IpFamily, AddressRange[]>;
    if (matchesEveryPeer) {
      classes = this.context.allClasses();
      addressRanges = { 4: [wholeSpace(4)], 6: [wholeSpace(6)] };
    } else if (service) {
      classes = this.context.newClassSet();
      for (const podClass of this.context.classesInNamespace(service.namespace)) {
        if (!podClass.hostNetwork && Object.entries(service.selector).every(([key, value]) => podClass.labels[key] === value)) classes.add(podClass.index);
      }
      addressRanges = { 4: [], 6: [] };
    } else {
      // Only the classes its selector matches can match (the usual case: a few of thousands);
      // without other conditions they are the rule's classes, shared with every rule of that selector.
      const { selector, selectorText } = this.entitySelectors(policy, peer);
      const selected = selector ? this.selects(selector, selectorText!, selectorScope(policy, peer)) : undefined;
      const otherConditions = this.conditionsBeyondSelector(policy, peer, rule.ipVersion);
      if (selected && !otherConditions) {
        classes = selected;
      } else {
        classes = this.context.newClassSet();
        if (selected) {
          for (const index of selected.members()) if (otherConditions!(this.context.classes[index])) classes.add(index);
        } else if (peer.nets.length > 0) {
          // Only classes with an address inside the nets can match them: known, or taken from stated pod ranges the nets hold.
          const nets = netRanges(peer.nets);
          for (const index of this.context.classesWithAddressIn(nets)) if (otherConditions!(this.context.classes[index])) classes.add(index);
          if (this.context.unknownAddressRelation(nets) === 'inside') {
            for (const podClass of this.context.classes) if (this.context.hasUnknownPodAddresses(podClass) && otherConditions!(podClass)) classes.add(podClass.index);
          }
        } else {
          for (const podClass of this.context.classes) if (!otherConditions || otherConditions(podClass)) classes.add(podClass.index);
        }
      }
      addressRanges = this.peerAddressRanges(policy, peer, rule.ipVersion);
    }
    const destinationPorts = this.destinationPorts(rule, service);
    const namedPorts = destinationPorts.namedPorts;
    const sourcePorts = numericSourcePorts(rule.source);
    const numericPorts = sourcePorts ? destinationPorts.numericPorts.fromSourcePorts(sourcePorts) : destinationPorts.numericPorts;
    const restrictions: NamedRestriction[] = [];
    if (rule.http) {
      const methods = rule.http.methods.length > 0 ? `HTTP ${rule.http.methods.join(', ')}` : 'HTTP';
      const paths = rule.http.paths.map((entry) => (entry.exact !== undefined ? entry.exact : `${entry.prefix}*`));
      restrictions.push({ layer: 'L7', description: `${methods}${paths.length > 0 ? ` ${paths.join(', ')}` : ''}` });
    }
    return {
      policy: compiled,
      direction: rule.direction,
      action: ACTIONS[rule.action],
      matchesEveryPeer,
      classes,
      addressRanges: { 4: sortRanges(addressRanges[4]), 6: sortRanges(addressRanges[6]) },
      podAddressMatch: 'always',
      entities: matchesEveryPeer ? EVERY_TAG : NO_TAGS,
      numericPorts,
      namedPorts,
      ...(sourcePorts ? { sourcePorts } : {}),
      restrictions,
      position: rule.index,
      source: {
        kind: compiled.kind,
        policyLabel: compiled.label,
        ruleLabel: formatPath(rule.path.slice(1)),
        object: policy.source,
        path: rule.path,
        actionName: rule.action,
        ...(rule.action === 'Pass' ? { passTo: this.passTarget(compiled.stage) } : {}),
        rank: policy.rank,
        details: policy.details,
        describePeers: () => describeEntity(peer),
      },
      model: rule,
    };
  }

  /** The Service a `services` peer names, with the selector its endpoints come from; undefined when it has none or is not in the input. */
  private serviceOf(policy: ScopeOwner, entity: CalicoEntityRule): { namespace: string; selector: Labels; ports: readonly { port: number | string; protocol: Protocol }[] } | undefined {
    if (!entity.services) return undefined;
    const namespace = entity.services.namespace ?? policy.namespace ?? '';
    const service = this.context.graph.servicesInNamespace(namespace).find((candidate) => candidate.name === entity.services!.name);
    if (!service?.selector || Object.keys(service.selector).length === 0) return undefined;
    return {
      namespace,
      selector: service.selector,
      ports: service.ports.map((port) => ({ port: port.targetPort, protocol: port.protocol })),
    };
  }

  /**
   * The connections a rule names: its protocol (or every one), ICMP type and code, destination
   * ports and notPorts, less notProtocol and notICMP; named ports resolve on the destination. A
   * destination Service contributes its endpoints' ports (its target ports).
   */
  private destinationPorts(rule: CalicoRule, service: ReturnType<CalicoCompiler['serviceOf']>): { numericPorts: ConnectionSet; namedPorts: { name: string; protocol?: Protocol }[] } {
    let protocolSet = rule.protocol ? ConnectionSet.ofProtocolNumber(rule.protocol.number) : ConnectionSet.ALL;
    const icmpFamily = rule.protocol?.number === 1 ? 'ICMP' : rule.protocol?.number === 58 ? 'ICMPv6' : undefined;
    if (rule.icmp && icmpFamily) protocolSet = ConnectionSet.ofIcmp(icmpFamily, rule.icmp.type, rule.icmp.code);
    if (rule.notICMP && icmpFamily) protocolSet = protocolSet.subtract(ConnectionSet.ofIcmp(icmpFamily, rule.notICMP.type, rule.notICMP.code));
    const portProtocol = rule.protocol ? PORT_PROTOCOLS[rule.protocol.number] : undefined;
    const namedPorts: { name: string; protocol?: Protocol }[] = [];
    let numericPorts: ConnectionSet;
    const destination = rule.destination;
    if (service && rule.direction === 'egress' && destination.services) {
      numericPorts = ConnectionSet.EMPTY;
      for (const port of service.ports) {
        if (typeof port.port === 'string') namedPorts.push({ name: port.port, protocol: port.protocol });
        else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.port));
      }
      numericPorts = numericPorts.intersect(protocolSet);
    } else if (destination.ports.length > 0 && portProtocol) {
      numericPorts = ConnectionSet.EMPTY;
      for (const port of destination.ports) {
        if (isNamedCalicoPort(port)) namedPorts.push({ name: port.name, protocol: portProtocol });
        else numericPorts = numericPorts.union(ConnectionSet.ofPorts(portProtocol, port.from, port.to));
      }
    } else {
      numericPorts = protocolSet;
    }
    if (destination.notPorts.length > 0 && portProtocol) {
      for (const port of destination.notPorts) {
        if (!isNamedCalicoPort(port)) numericPorts = numericPorts.subtract(ConnectionSet.ofPorts(portProtocol, port.from, port.to));
      }
    }
    if (rule.notProtocol) numericPorts = numericPorts.subtract(ConnectionSet.ofProtocolNumber(rule.notProtocol.number));
    if (rule.notProtocol && namedPorts.some((named) => named.protocol !== undefined && ConnectionSet.ofProtocolNumber(rule.notProtocol!.number).contains(named.protocol, 1))) {
      namedPorts.length = 0;
    }
    return { numericPorts, namedPorts };
  }

  /**
   * Whether an entity rule (source or destination) matches the pods of a class: its folded
   * selector and notSelector over the labels Calico gives them (hostNetwork pods have no
   * workload endpoint: selectors never match them), its nets and notNets over their addresses,
   * its ipVersion over their address family.
   */
  private entityMatchesClass(policy: ScopeOwner, entity: CalicoEntityRule, podClass: PodClass, ipVersion: 4 | 6 | undefined): boolean {
    const { selector, selectorText } = this.entitySelectors(policy, entity);
    if (selector && !this.selects(selector, selectorText!, selectorScope(policy, entity)).has(podClass.index)) return false;
    const otherConditions = this.conditionsBeyondSelector(policy, entity, ipVersion);
    return !otherConditions || otherConditions(podClass);
  }

  /**
   * An entity rule's conditions on a class other than its selector (notSelector, ipVersion,
   * nets, notNets) as one test, worked out once per entity rule; undefined when it has none.
   */
  private conditionsBeyondSelector(policy: ScopeOwner, entity: CalicoEntityRule, ipVersion: 4 | 6 | undefined): ((podClass: PodClass) => boolean) | undefined {
    let cached = this.conditionsCache.get(entity);
    if (!cached || cached.ipVersion !== ipVersion) {
      cached = { ipVersion, test: this.makeConditionsBeyondSelector(policy, entity, ipVersion) };
      this.conditionsCache.set(entity, cached);
    }
    return cached.test;
  }

  private readonly conditionsCache = new Map<CalicoEntityRule, { ipVersion: 4 | 6 | undefined; test: ((podClass: PodClass) => boolean) | undefined }>();

  private makeConditionsBeyondSelector(policy: ScopeOwner, entity: CalicoEntityRule, ipVersion: 4 | 6 | undefined): ((podClass: PodClass) => boolean) | undefined {
    const { notSelector } = this.entitySelectors(policy, entity);
    const notSelected = notSelector ? this.selects(notSelector, `not\u0001${entity.notSelector!.text}`) : undefined;
    const inside = entity.nets.length > 0 ? netRanges(entity.nets) : undefined;
    const excluded = entity.notNets.length > 0 ? netRanges(entity.notNets) : undefined;
    if (!notSelected && ipVersion === undefined && !inside && !excluded) return undefined;
    return (podClass) => {
      if (notSelected && notSelected.has(podClass.index)) return false;
      const known = this.context.knownAddresses(podClass);
      if (ipVersion !== undefined && known.length > 0 && known.every((address) => address.family !== ipVersion)) return false;
      // A pod of unknown address has one of the stated pod ranges: nets holding them all match it, notNets holding them all exclude it.
      const unknown = this.context.hasUnknownPodAddresses(podClass);
      if (inside && !this.context.addressesInside(podClass, inside) && !(unknown && this.context.unknownAddressRelation(inside) === 'inside')) return false;
      if (excluded && known.some((address) => excluded[address.family].some((range) => address.value >= range.first && address.value <= range.last))) return false;
      if (excluded && unknown && this.context.unknownAddressRelation(excluded) === 'inside') return false;
      return true;
    };
  }

  /**
   * Whether a rule's own side (the destination of an ingress rule, the source of an egress rule)
   * matches a host endpoint: selectors match its labels, but through its addresses, so an
   * endpoint without expectedIPs matches no selector ("If the expectedIPs field is omitted then
   * security rules that use labels will fail to match this endpoint", docs: hostendpoint.mdx);
   * nets need one of its expectedIPs inside, notNets none.
   */
  entityMatchesHostEndpoint(policy: ScopeOwner, entity: CalicoEntityRule, subject: HostEndpointSubject, ipVersion: 4 | 6 | undefined): boolean {
    const { selector, notSelector } = this.entitySelectors(policy, entity);
    const addresses = subject.endpoint.expectedIPs.map((text) => parseAddress(text)).filter((address) => address !== undefined)
      .filter((address) => ipVersion === undefined || address.family === ipVersion);
    if ((selector || entity.nets.length > 0) && addresses.length === 0) return false;
    if (selector && !evaluateCalicoSelector(selector, subject.labels)) return false;
    if (notSelector && addresses.length > 0 && evaluateCalicoSelector(notSelector, subject.labels)) return false;
    if (entity.nets.length > 0) {
      const inside = netRanges(entity.nets);
      if (!addresses.some((address) => inside[address.family].some((range) => address.value >= range.first && address.value <= range.last))) return false;
    }
    if (entity.notNets.length > 0) {
      const excluded = netRanges(entity.notNets);
      if (addresses.some((address) => excluded[address.family].some((range) => address.value >= range.first && address.value <= range.last))) return false;
    }
    return true;
  }

  /** An entity rule's folded selectors (entityRuleSelectors), parsed once per entity rule. */
  private entitySelectors(policy: ScopeOwner, entity: CalicoEntityRule): ReturnType<typeof entityRuleSelectors> {
    let selectors = this.entitySelectorCache.get(entity);
    if (!selectors) {
      selectors = entityRuleSelectors(entity, policy.kind === 'NetworkPolicy' ? policy.namespace : undefined);
      this.entitySelectorCache.set(entity, selectors);
    }
    return selectors;
  }

  private readonly entitySelectorCache = new Map<CalicoEntityRule, ReturnType<typeof entityRuleSelectors>>();

  /**
   * The classes a (generated) selector matches, computed once per text and scope (policies of
   * several namespaces often write the same peer selector).
   */
  private selects(selector: CalicoSelectorNode, text: string, namespace?: string): BitSet {
    const key = `${namespace ?? ''}\u0001${text}`;
    let classes = this.selectorClasses.get(key);
    if (!classes) {
      classes = this.context.newClassSet();
      const holding = namespace === undefined ? this.classesHoldingRequiredLabel(selector) : undefined;
      if (holding) {
        for (const podClass of holding) if (evaluateCalicoSelector(selector, this.classLabels[podClass.index]!)) classes.add(podClass.index);
      } else {
        for (const podClass of namespace !== undefined ? this.context.classesInNamespace(namespace) : this.context.classes) {
          const labels = this.classLabels[podClass.index];
          if (labels && evaluateCalicoSelector(selector, labels)) classes.add(podClass.index);
        }
      }
      this.selectorClasses.set(key, classes);
    }
    return classes;
  }

  /**
   * The classes that can match a selector requiring `key == 'value'` (alone or among the
   * operands of `&&`): those holding its rarest such label, from an index of the labels Calico
   * sees on the classes (hostNetwork ones have none); undefined when the selector requires none
   * (every class is a candidate then).
   */
  private classesHoldingRequiredLabel(selector: CalicoSelectorNode): readonly PodClass[] | undefined {
    const required = selector.type === 'eq' ? [selector] : selector.type === 'and' ? selector.operands.filter((operand) => operand.type === 'eq') : [];
    if (required.length === 0) return undefined;
    this.labelIndex ??= new LabelIndex(this.context.classes.filter((podClass) => this.classLabels[podClass.index] !== undefined), (podClass) => this.classLabels[podClass.index]!);
    let rarest: readonly PodClass[] | undefined;
    for (const operand of required) {
      const { key, value } = operand as { key: string; value: string };
      const holders = this.labelIndex.holding(key, value);
      if (!rarest || holders.length < rarest.length) rarest = holders;
    }
    return rarest;
  }

  /** The classes by the labels Calico sees on them (see classesHoldingRequiredLabel), built on first use. */
  private labelIndex: LabelIndex<PodClass> | undefined;

  /**
   * The addresses outside the pods that a peer entity matches: with a selector, the nets of the
   * network sets and the expectedIPs of the host endpoints it matches (less those its notSelector
   * matches); without one, every address; then within `nets`, outside `notNets`, of `ipVersion`.
   */
  private peerAddressRanges(policy: ScopeOwner, entity: CalicoEntityRule, ipVersion: 4 | 6 | undefined): Record<IpFamily, AddressRange[]> {
    const { selector, notSelector } = this.entitySelectors(policy, entity);
    const labelled = this.labelledAddresses();
    let ranges: Record<IpFamily, AddressRange[]>;
    if (selector) {
      ranges = { 4: [], 6: [] };
      for (const entry of labelled) if (evaluateCalicoSelector(selector, entry.labels)) ranges[entry.family].push(entry.range);
    } else {
      ranges = { 4: [wholeSpace(4)], 6: [wholeSpace(6)] };
    }
    if (notSelector) {
      const excluded: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
      for (const entry of labelled) if (evaluateCalicoSelector(notSelector, entry.labels)) excluded[entry.family].push(entry.range);
      ranges = subtractAll(ranges, excluded);
    }
    if (entity.nets.length > 0) ranges = intersectAll(ranges, netRanges(entity.nets));
    if (entity.notNets.length > 0) ranges = subtractAll(ranges, netRanges(entity.notNets));
    if (ipVersion === 4) ranges[6] = [];
    if (ipVersion === 6) ranges[4] = [];
    return ranges;
  }

  private labelledCache: { labels: Labels; family: IpFamily; range: AddressRange }[] | undefined;

  /** Network sets' nets and host endpoints' expectedIPs, with the labels Calico's selectors see on them. */
  private labelledAddresses(): { labels: Labels; family: IpFamily; range: AddressRange }[] {
    if (this.labelledCache) return this.labelledCache;
    const entries: { labels: Labels; family: IpFamily; range: AddressRange }[] = [];
    for (const set of this.context.graph.calico.networkSets) {
      const labels = this.view.networkSetLabels(set);
      for (const net of set.nets) entries.push({ labels, family: net.cidr.family, range: net.cidr.range });
    }
    for (const endpoint of this.context.graph.calico.hostEndpoints) {
      const labels = this.view.hostEndpointLabels(endpoint);
      for (const text of endpoint.expectedIPs) {
        const address = parseAddress(text);
        if (address) entries.push({ labels, family: address.family, range: { first: address.value, last: address.value } });
      }
    }
    return (this.labelledCache = entries);
  }
}

/**
 * The namespace an entity rule's folded selector is confined to, when it is: a namespaced policy's
 * rule without namespaceSelector ("projectcalico.org/namespace == '<policy namespace>'" is part of
 * it), so that only that namespace's classes need evaluating.
 */
function selectorScope(policy: ScopeOwner, entity: CalicoEntityRule): string | undefined {
  return policy.kind === 'NetworkPolicy' && entity.namespaceSelector === undefined ? policy.namespace : undefined;
}

/** True when an entity rule has no field that restricts the peer (ports aside): it matches every address. */
function isEmptyPeer(entity: CalicoEntityRule): boolean {
  return entity.selector === undefined && entity.notSelector === undefined && entity.namespaceSelector === undefined
    && entity.serviceAccounts === undefined && entity.services === undefined && entity.nets.length === 0 && entity.notNets.length === 0;
}

/** The ranges of a rule's nets per family, sorted; computed once per list (rules are matched against every class). */
function netRanges(nets: CalicoEntityRule['nets']): Record<IpFamily, AddressRange[]> {
  let cached = netRangesCache.get(nets);
  if (!cached) {
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    for (const net of nets) ranges[net.cidr.family].push(net.cidr.range);
    cached = { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) };
    netRangesCache.set(nets, cached);
  }
  return cached;
}

const netRangesCache = new WeakMap<CalicoEntityRule['nets'], Record<IpFamily, AddressRange[]>>();

function intersectAll(a: Record<IpFamily, AddressRange[]>, b: Record<IpFamily, AddressRange[]>): Record<IpFamily, AddressRange[]> {
  const result: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const family of [4, 6] as const) {
    for (const x of sortRanges(a[family])) {
      for (const y of sortRanges(b[family])) {
        const first = x.first > y.first ? x.first : y.first;
        const last = x.last < y.last ? x.last : y.last;
        if (first <= last) result[family].push({ first, last });
      }
    }
  }
  return result;
}

function subtractAll(a: Record<IpFamily, AddressRange[]>, b: Record<IpFamily, AddressRange[]>): Record<IpFamily, AddressRange[]> {
  const result: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const family of [4, 6] as const) {
    const holes = sortRanges(b[family]);
    for (const range of sortRanges(a[family])) {
      let cursor = range.first;
      for (const hole of holes) {
        if (hole.last < cursor || hole.first > range.last) continue;
        if (hole.first > cursor) result[family].push({ first: cursor, last: hole.first - 1n });
        cursor = hole.last + 1n;
        if (cursor > range.last) break;
      }
      if (cursor <= range.last) result[family].push({ first: cursor, last: range.last });
    }
  }
  return result;
}

/** Describes an entity rule's peer fields as written: `selector app == 'web', namespaceSelector all(), nets 10.0.0.0/8`. */
function describeEntity(entity: CalicoEntityRule): string {
  const parts: string[] = [];
  if (entity.selector) parts.push(`selector ${printCalicoSelector(entity.selector.root)}`);
  if (entity.notSelector) parts.push(`notSelector ${printCalicoSelector(entity.notSelector.root)}`);
  if (entity.namespaceSelector) parts.push(`namespaceSelector ${printCalicoSelector(entity.namespaceSelector.root)}`);
  if (entity.serviceAccounts) parts.push(`serviceAccounts ${[...entity.serviceAccounts.names, ...(entity.serviceAccounts.selector ? [printCalicoSelector(entity.serviceAccounts.selector.root)] : [])].join(', ')}`);
  if (entity.services) parts.push(`services ${entity.services.namespace ? `${entity.services.namespace}/` : ''}${entity.services.name}`);
  if (entity.nets.length > 0) parts.push(`nets ${entity.nets.map((net) => net.text).join(', ')}`);
  if (entity.notNets.length > 0) parts.push(`notNets ${entity.notNets.map((net) => net.text).join(', ')}`);
  return parts.length > 0 ? parts.join(', ') : 'any peer';
}
