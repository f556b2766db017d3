import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { IpFamily } from '../src/model/cidr.js';
import { selectsEverything, type LabelSelector } from '../src/model/label-selector.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { mayMatchUnknownNamespaces } from '../src/model/namespace-scope.js';
import type { NetworkPolicy, PolicyPeer, PolicyRule } from '../src/model/types.js';
import { BitSet } from '../src/reach/bitset.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import { partitionSpace } from '../src/reach/ip-ranges.js';
import { ANY_POD, type CompiledPolicy, type CompiledRule, type Direction, type Peer, type PodClass, type ReachabilitySolver } from '../src/reach/solver.js';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
const FAMILIES: readonly IpFamily[] = [4, 6];

/**
 * Flags NetworkPolicies whose every allowed connection other policies already allow to the same
 * pods, so that removing them would change no verdict. Computed with the solver's compiled rules
 * over pod classes and the external address partition, never over single pods.
 */
export default defineRule({
  id: 'policy-shadowed',
  category: 'hygiene',
  severity: 'info',
  description: 'A NetworkPolicy allows nothing that other policies do not already allow to the same pods, so removing it would change no connection.',
  rationale: 'A shadowed policy looks like it matters but does not: narrowing or deleting it changes nothing, which misleads reviews '
    + '("we removed the monitoring policy, why is monitoring still allowed?") and hides which policy really grants the traffic. A policy whose '
    + 'peers may match namespaces made outside the manifests (whose labels k8snet cannot see) may matter only for them: it is reported only '
    + 'when other rules of the same pods surely allow the same to every such peer (their selectors ask no more than its own).',
  fix: 'Delete the shadowed policy, or narrow the policies that cover it if they allow more than intended.',
  messages: {
    shadowed: 'NetworkPolicy {{policy}} is shadowed: everything it allows for the pods it selects is already allowed by {{others}}, so removing it would change no connection.',
  },
  check(graph, { solver }) {
    const elsewhereCovered = elsewhereCoverage(graph, solver);
    const selected = new Map<NetworkPolicy, Record<Direction, PodClass[]>>();
    // Classes isolated by the same policies (in the same order) have the same rules: a number per
    // distinct list, for each class and direction, lets them share one judgement.
    const policyNumbers = new Map(solver.compiledPolicies.map((policy, index) => [policy, index]));
    const policyListIds = new Map<string, number>();
    const policyListOf: Record<Direction, Int32Array> = { ingress: new Int32Array(solver.classes.length), egress: new Int32Array(solver.classes.length) };
    for (const podClass of solver.classes) {
      for (const direction of DIRECTIONS) {
        const policies = solver.isolatingPolicies(podClass, direction);
        for (const policy of policies) {
          if (policy.kind !== 'NetworkPolicy') continue;
          const model = policy.model as NetworkPolicy;
          let entry = selected.get(model);
          if (!entry) selected.set(model, (entry = { ingress: [], egress: [] }));
          entry[direction].push(podClass);
        }
        const list = policies.map((policy) => policyNumbers.get(policy)).join(',');
        let id = policyListIds.get(list);
        if (id === undefined) policyListIds.set(list, (id = policyListIds.size));
        policyListOf[direction][podClass.index] = id;
      }
    }
    const compiledOf = new Map<NetworkPolicy, CompiledRule[]>();
    for (const compiled of solver.compiledRules) {
      if (compiled.policy.kind !== 'NetworkPolicy') continue;
      const model = compiled.policy.model as NetworkPolicy;
      const list = compiledOf.get(model);
      if (list) list.push(compiled);
      else compiledOf.set(model, [compiled]);
    }
    const externalPeers = lazyExternalPeers(solver);
    const classGroups = new Map<BitSet, ClassGroup>();
    const classGroupOf = (matched: BitSet): ClassGroup => {
      let group = classGroups.get(matched);
      if (!group) classGroups.set(matched, (group = classGroup(solver, matched)));
      return group;
    };
    // Narrow policies first, and later definitions before earlier ones: of two policies that cover
    // each other, the namespace-wide or earlier one is kept and the other reported.
    const candidates = graph.policies
      .map((policy, index) => ({ policy, index, classes: selected.get(policy) }))
      .filter((candidate): candidate is { policy: NetworkPolicy; index: number; classes: Record<Direction, PodClass[]> } => candidate.classes !== undefined)
      .sort((a, b) => Number(selectsEverything(a.policy.podSelector)) - Number(selectsEverything(b.policy.podSelector))
        || a.classes.ingress.length + a.classes.egress.length - b.classes.ingress.length - b.classes.egress.length
        || b.index - a.index);
    // Each policy is judged against the ones not yet found shadowed, so that removing every
    // reported policy together still changes nothing.
    const removed = new Set<NetworkPolicy>();
    const reports: { index: number; report: RuleReport }[] = [];
    for (const { policy, index, classes } of candidates) {
      const coverers = coveringPolicies(solver, policy, classes, compiledOf.get(policy) ?? [], removed, externalPeers, policyListOf, classGroupOf);
      if (!coverers || !elsewhereCovered(policy, classes, compiledOf.get(policy) ?? [], removed)) continue;
      removed.add(policy);
      const names = [...coverers].map((other) => other.name).sort();
      reports.push({ index, report: {
        messageId: 'shadowed',
        data: { policy: `${policy.namespace}/${policy.name}`, others: names.join(', ') },
        object: policy.source,
        path: ['metadata', 'name'],
        related: [...coverers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((other) => ({ object: other.object, path: ['metadata', 'name'], message: 'already allows the same traffic' })),
      } });
    }
    // In manifest order, whatever order the policies were judged in.
    return reports.sort((a, b) => a.index - b.index).map((entry) => entry.report);
  },
});

/**
 * Returns the policies that together allow everything `policy` allows, for every class it selects
 * in every direction it affects; undefined when `policy` changes some verdict or cannot be judged.
 */
function coveringPolicies(
  solver: ReachabilitySolver,
  policy: NetworkPolicy,
  classes: Readonly<Record<Direction, readonly PodClass[]>>,
  ownRules: readonly CompiledRule[],
  removed: ReadonlySet<NetworkPolicy>,
  externalPeers: (direction: Direction) => readonly Peer[],
  policyListOf: Readonly<Record<Direction, Int32Array>>,
  classGroupOf: (matched: BitSet) => ClassGroup,
): Set<CompiledPolicy> | undefined {
  const coverers = new Set<CompiledPolicy>();
  const contributing = new Set<CompiledRule>();
  for (const direction of DIRECTIONS) {
    if (classes[direction].length === 0) continue;
    // A policy without rules for a direction it affects denies it (a default deny): it isolates, so it matters.
    if ((direction === 'ingress' ? policy.ingress : policy.egress).length === 0) return undefined;
    // The policy's own rules are the same for every class it selects, and so are the peers they
    // match: only those can gain anything from the policy.
    const own = ownRules.filter((rule) => rule.direction === direction);
    const matchesAddresses = own.some((rule) => rule.matchesEveryPeer || rule.addressRanges[4].length > 0 || rule.addressRanges[6].length > 0);
    let peers: OwnRulePeers | undefined;
    const peersOfOwnRules = (): OwnRulePeers => {
      if (peers) return peers;
      // One own rule's classes are often a bitset other policies' rules share (the same peer):
      // its classes and their relations to other rules are then worked out once for all of them.
      let matched = own.length === 1 ? own[0].classes : undefined;
      if (!matched) {
        matched = new BitSet(solver.classes.length);
        for (const rule of own) matched.addAll(rule.classes);
      }
      peers = { ...classGroupOf(matched), otherPeers: [ANY_POD, ...(matchesAddresses ? externalPeers(direction) : [])] };
      return peers;
    };
    const ownNamesPorts = own.some((rule) => rule.namedPorts.length > 0);
    // Classes isolated by the same policies have the same other rules, so they get the same
    // judgement (on ingress a named port resolves on the selected class, so then each class is
    // judged on its own): judge one of each.
    const byPolicyList = new Map<number, { others: readonly CompiledRule[]; perClass: boolean; judged: Map<number, Judgement> }>();
    for (const podClass of classes[direction]) {
      const listId = policyListOf[direction][podClass.index];
      let sameList = byPolicyList.get(listId);
      if (!sameList) {
        const stillIsolated = solver.isolatingPolicies(podClass, direction).some((other) => other.model !== policy && !removed.has(other.model as NetworkPolicy));
        if (!stillIsolated) return undefined;
        // The allow rules of the policies evaluated together with it (the same stage: NetworkPolicy,
        // or a plugin's one repository); tiers before and after decide the same way with or without it.
        const stage = ownRules[0]?.policy.stage;
        const others = solver.rulesFor(podClass, direction).filter((rule) => rule.policy.stage === stage && rule.action === 'allow'
          && rule.policy.model !== policy && !removed.has(rule.policy.model as NetworkPolicy));
        const perClass = direction === 'ingress' && (ownNamesPorts || others.some((rule) => rule.namedPorts.length > 0));
        byPolicyList.set(listId, (sameList = { others, perClass, judged: new Map() }));
      }
      const key = sameList.perClass ? podClass.index : -1;
      let judgement = sameList.judged.get(key);
      if (!judgement) {
        judgement = judge(solver, direction, podClass, own, sameList.others, peersOfOwnRules());
        sameList.judged.set(key, judgement);
      }
      if (!judgement) return undefined;
      for (const rule of judgement.contributing) contributing.add(rule);
      for (const other of judgement.coverers) coverers.add(other);
    }
  }
  // A rule that allows nothing k8snet can see (a selector matching no pod in the manifests) may
  // well allow something in the cluster: no claim about such a policy.
  if (ownRules.some((rule) => !contributing.has(rule)) || coverers.size === 0) return undefined;
  return coverers;
}

/**
 * Whether what a policy's rules may allow to pods of namespaces made outside the manifests (a
 * namespaceSelector k8snet cannot fully judge) is surely allowed by other rules of the same pods:
 * for each such peer, every class it selects has another rule (of a policy not found shadowed) with
 * a peer asking no more than it (its namespaceSelector's and podSelector's requirements a subset of
 * the peer's) on ports covering the own rule's.
 */
function elsewhereCoverage(graph: ResourceGraph, solver: ReachabilitySolver) {
  return (policy: NetworkPolicy, classes: Readonly<Record<Direction, readonly PodClass[]>>, ownRules: readonly CompiledRule[], removed: ReadonlySet<NetworkPolicy>): boolean => {
    for (const own of ownRules) {
      for (const peer of peersOf(own)) {
        if (!peer.namespaceSelector || isAnyPodPeer(peer) || !mayMatchUnknownNamespaces(peer.namespaceSelector, graph)) continue;
        // Allow rules of other NetworkPolicies of the same pods: those whose selectors can be compared with this peer's.
        const covered = classes[own.direction].every((podClass) => solver.rulesFor(podClass, own.direction)
          .some((other) => other.policy.kind === 'NetworkPolicy' && other.action === 'allow' && other.policy.model !== policy
            && !removed.has(other.policy.model as NetworkPolicy) && coversPeer(other, own, peer)));
        if (!covered) return false;
      }
    }
    return true;
  };
}

/** The peers of a NetworkPolicy rule as written (none when it matches every peer). */
function peersOf(rule: CompiledRule): readonly PolicyPeer[] {
  return (rule.model as PolicyRule).peers ?? [];
}

/** A peer of any namespace and any pod: judged with the pseudo-peer ANY_POD, like every other rule. */
function isAnyPodPeer(peer: PolicyPeer): boolean {
  return peer.namespaceSelector !== undefined && selectsEverything(peer.namespaceSelector) && (peer.podSelector === undefined || selectsEverything(peer.podSelector));
}

/** True when `other` allows at least what `own` allows to whatever `peer` matches, judged on the selectors as written. */
function coversPeer(other: CompiledRule, own: CompiledRule, peer: PolicyPeer): boolean {
  const portsCovered = other.numericPorts.covers(own.numericPorts)
    && own.namedPorts.every((named) => other.numericPorts === ConnectionSet.ALL
      || other.namedPorts.some((candidate) => candidate.name === named.name && candidate.protocol === named.protocol));
  if (!portsCovered) return false;
  if (other.matchesEveryPeer) return true;
  return peersOf(other).some((candidate) => candidate.namespaceSelector !== undefined
    && asksNoMore(candidate.namespaceSelector, peer.namespaceSelector)
    && (candidate.podSelector === undefined || asksNoMore(candidate.podSelector, peer.podSelector)));
}

/** True when every requirement of `broader` is one of `narrower`'s: what `narrower` matches, `broader` matches. */
function asksNoMore(broader: LabelSelector, narrower: LabelSelector | undefined): boolean {
  const key = (requirement: LabelSelector['requirements'][number]) => `${requirement.key}\u0000${requirement.operator}\u0000${[...requirement.values].sort().join('\u0000')}`;
  const own = new Set((narrower?.requirements ?? []).map(key));
  return broader.requirements.every((requirement) => own.has(key(requirement)));
}

/** What judging one selected class found: the own rules that allowed something and the policies covering them; undefined when not covered. */
type Judgement = { readonly contributing: readonly CompiledRule[]; readonly coverers: readonly CompiledPolicy[] } | undefined;

/** How a rule matches a set of peer classes. */
type Relation = 'all' | 'none' | 'some';

/** Peer classes (those a bitset holds), with how each rule matches them, worked out on demand and remembered. */
interface ClassGroup {
  readonly members: BitSet;
  readonly classPeers: readonly PodClass[];
  readonly relationTo: (rule: CompiledRule) => Relation;
}

/** The peers a policy's own rules for one direction match: classes, then the pseudo-peers (any pod, address ranges). */
interface OwnRulePeers extends ClassGroup {
  readonly otherPeers: readonly Peer[];
}

function classGroup(solver: ReachabilitySolver, matched: BitSet): ClassGroup {
  const classPeers: PodClass[] = [];
  for (const index of matched.members()) classPeers.push(solver.classes[index]);
  // Whether a rule matches all, none or some of these classes: the classes a policy selects share
  // most of the other rules they are judged against, and policies share peers. For a class, the
  // rule's peers match exactly when its bitset holds the class (see ReachabilitySolver.ruleMatches).
  const relations = new Map<CompiledRule, Relation>();
  return {
    members: matched,
    classPeers,
    relationTo: (rule) => {
      let relation = relations.get(rule);
      if (relation === undefined) relations.set(rule, (relation = matched.relationTo(rule.classes)));
      return relation;
    },
  };
}

/** Judges one selected class: does every connection the own rules allow towards some peer have other rules allowing it too? */
function judge(
  solver: ReachabilitySolver,
  direction: Direction,
  podClass: PodClass,
  own: readonly CompiledRule[],
  others: readonly CompiledRule[],
  peers: OwnRulePeers,
): Judgement {
  const contributing = new Set<CompiledRule>();
  const coverers = new Set<CompiledPolicy>();
  const relevant = [...own, ...others];
  // Peer classes matched by the same rules get the same answer, unless a named port makes it
  // depend on the destination class (egress): judge one of each. Usually every rule matches all
  // of the classes or none: one class stands for them all.
  const dependsOnDestination = direction === 'egress' && relevant.some((rule) => rule.namedPorts.length > 0);
  const { members, classPeers, otherPeers, relationTo } = peers;
  const representatives = dependsOnDestination ? classPeers
    : classPeers.length === 0 ? []
      : relevant.every((rule) => relationTo(rule) !== 'some') ? [classPeers[0]]
        : oneOfEachMatch(solver, members, relevant);
  for (const peer of [...representatives, ...otherPeers]) {
    const destination = direction === 'ingress' ? podClass : 'index' in peer ? peer : undefined;
    let allowed = ConnectionSet.EMPTY;
    for (const rule of own) {
      if (!solver.ruleMatches(rule, peer)) continue;
      const ports = solver.portsTowards(rule, destination);
      if (ports.isEmpty()) continue;
      contributing.add(rule);
      allowed = allowed.union(ports);
    }
    if (allowed.isEmpty()) continue;
    let covered = ConnectionSet.EMPTY;
    for (const rule of others) {
      if (!solver.ruleMatches(rule, peer)) continue;
      const ports = solver.portsTowards(rule, destination);
      if (ports.intersect(allowed).isEmpty()) continue;
      coverers.add(rule.policy);
      covered = covered.union(ports);
    }
    if (!covered.covers(allowed)) return undefined;
  }
  return { contributing: [...contributing], coverers: [...coverers] };
}

/**
 * One peer class of each group that the rules match alike (every rule matches all of a group or
 * none of it), found by splitting the peers (a non-empty bitset) rule by rule: the smallest class
 * of each group. Most peers of a large cluster fall in a handful of groups, and the groups are
 * bitsets, so a rule that splits nothing costs a pass over a few words per group.
 */
function oneOfEachMatch(solver: ReachabilitySolver, peers: BitSet, rules: readonly CompiledRule[]): PodClass[] {
  let groups: BitSet[] = [peers];
  for (const rule of rules) {
    const next: BitSet[] = [];
    for (const group of groups) {
      if (group.relationTo(rule.classes) !== 'some') {
        next.push(group);
        continue;
      }
      next.push(group.split(rule.classes, true), group.split(rule.classes, false));
    }
    groups = next;
  }
  return groups.map((group) => solver.classes[group.first()]);
}

/**
 * The external peers of each direction: the pieces the rules' address ranges cut each family's
 * address space into (each piece lies wholly inside or outside every ipBlock), computed on first use.
 */
function lazyExternalPeers(solver: ReachabilitySolver): (direction: Direction) => readonly Peer[] {
  const cache = new Map<Direction, readonly Peer[]>();
  return (direction) => {
    let peers = cache.get(direction);
    if (!peers) {
      peers = FAMILIES.flatMap((family) => partitionSpace(family, solver.addressRangeLists(direction, family)).map((range) => ({ family, range })));
      cache.set(direction, peers);
    }
    return peers;
  };
}
