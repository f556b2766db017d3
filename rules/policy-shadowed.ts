import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { IpFamily } from '../src/model/cidr.js';
import { selectsEverything } from '../src/model/label-selector.js';
import type { NetworkPolicy } from '../src/model/types.js';
import { BitSet } from '../src/reach/bitset.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import { partitionSpace } from '../src/reach/ip-ranges.js';
import { ANY_POD, type CompiledRule, type Direction, type Peer, type PodClass, type ReachabilitySolver } from '../src/reach/solver.js';

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
    + '("we removed the monitoring policy, why is monitoring still allowed?") and hides which policy really grants the traffic.',
  fix: 'Delete the shadowed policy, or narrow the policies that cover it if they allow more than intended.',
  messages: {
    shadowed: 'NetworkPolicy {{policy}} is shadowed: everything it allows for the pods it selects is already allowed by {{others}}, so removing it would change no connection.',
  },
  check(graph, { solver }) {
    const selected = new Map<NetworkPolicy, Record<Direction, PodClass[]>>();
    for (const podClass of solver.classes) {
      for (const direction of DIRECTIONS) {
        for (const policy of solver.isolatingPolicies(podClass, direction)) {
          let entry = selected.get(policy);
          if (!entry) selected.set(policy, (entry = { ingress: [], egress: [] }));
          entry[direction].push(podClass);
        }
      }
    }
    const compiledOf = new Map<NetworkPolicy, CompiledRule[]>();
    for (const compiled of solver.compiledRules) {
      const list = compiledOf.get(compiled.policy);
      if (list) list.push(compiled);
      else compiledOf.set(compiled.policy, [compiled]);
    }
    const externalPeers = lazyExternalPeers(solver);
    const classGroups = new Map<BitSet, ClassGroup>();
    const classGroupOf = (matched: BitSet): ClassGroup => {
      let group = classGroups.get(matched);
      if (!group) classGroups.set(matched, (group = classGroup(solver, matched)));
      return group;
    };
    // A number per compiled rule, for the keys of classes that the same other rules select.
    const ruleIds = new Map(solver.compiledRules.map((rule, index) => [rule, index]));
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
      const coverers = coveringPolicies(solver, policy, classes, compiledOf.get(policy) ?? [], removed, externalPeers, ruleIds, classGroupOf);
      if (!coverers) continue;
      removed.add(policy);
      const names = [...coverers].map((other) => other.name).sort();
      reports.push({ index, report: {
        messageId: 'shadowed',
        data: { policy: `${policy.namespace}/${policy.name}`, others: names.join(', ') },
        object: policy.source,
        path: ['metadata', 'name'],
        related: [...coverers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((other) => ({ object: other.source, path: ['metadata', 'name'], message: 'already allows the same traffic' })),
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
  ruleIds: ReadonlyMap<CompiledRule, number>,
  classGroupOf: (matched: BitSet) => ClassGroup,
): Set<NetworkPolicy> | undefined {
  const coverers = new Set<NetworkPolicy>();
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
    // Classes the same other rules select get the same judgement (on ingress a named port resolves on
    // the selected class, so then each class is judged on its own): judge one of each.
    const judged = new Map<string, Judgement>();
    for (const podClass of classes[direction]) {
      const stillIsolated = solver.isolatingPolicies(podClass, direction).some((other) => other !== policy && !removed.has(other));
      if (!stillIsolated) return undefined;
      const others = solver.rulesFor(podClass, direction).filter((rule) => rule.policy !== policy && !removed.has(rule.policy));
      const perClass = direction === 'ingress' && (ownNamesPorts || others.some((rule) => rule.namedPorts.length > 0));
      const key = `${perClass ? podClass.index : ''}:${others.map((rule) => ruleIds.get(rule)).join(',')}`;
      let judgement = judged.get(key);
      if (!judgement) {
        judgement = judge(solver, direction, podClass, own, others, peersOfOwnRules());
        judged.set(key, judgement);
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

/** What judging one selected class found: the own rules that allowed something and the policies covering them; undefined when not covered. */
type Judgement = { readonly contributing: readonly CompiledRule[]; readonly coverers: readonly NetworkPolicy[] } | undefined;

/** How a rule matches a set of peer classes. */
type Relation = 'all' | 'none' | 'some';

/** Peer classes (those a bitset holds), with how each rule matches them, worked out on demand and remembered. */
interface ClassGroup {
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
  // most of the other rules they are judged against, and policies share peers.
  const relations = new Map<CompiledRule, Relation>();
  return {
    classPeers,
    relationTo: (rule) => {
      let relation = relations.get(rule);
      if (relation === undefined) relations.set(rule, (relation = relationOf(rule, classPeers)));
      return relation;
    },
  };
}

function relationOf(rule: CompiledRule, peers: readonly PodClass[]): Relation {
  // For a class, the rule's peers match exactly when its bitset holds the class (see ReachabilitySolver.ruleMatches).
  let matched = 0;
  for (const peer of peers) if (rule.classes.has(peer.index)) matched++;
  return matched === 0 ? 'none' : matched === peers.length ? 'all' : 'some';
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
  const coverers = new Set<NetworkPolicy>();
  const relevant = [...own, ...others];
  // Peer classes matched by the same rules get the same answer, unless a named port makes it
  // depend on the destination class (egress): judge one of each. Usually every rule matches all
  // of the classes or none: one class stands for them all.
  const dependsOnDestination = direction === 'egress' && relevant.some((rule) => rule.namedPorts.length > 0);
  const { classPeers, otherPeers, relationTo } = peers;
  const representatives = dependsOnDestination ? classPeers
    : classPeers.length === 0 ? []
      : relevant.every((rule) => relationTo(rule) !== 'some') ? [classPeers[0]]
        : oneOfEachMatch(classPeers, relevant);
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
 * none of it), found by splitting the peers rule by rule. Most peers of a large cluster fall in a
 * handful of groups, and a rule that splits nothing costs one membership test per peer.
 */
function oneOfEachMatch(peers: readonly PodClass[], rules: readonly CompiledRule[]): PodClass[] {
  let groups: (readonly PodClass[])[] = peers.length > 0 ? [peers] : [];
  for (const rule of rules) {
    const next: (readonly PodClass[])[] = [];
    for (const group of groups) {
      if (relationOf(rule, group) !== 'some') {
        next.push(group);
        continue;
      }
      next.push(group.filter((peer) => rule.classes.has(peer.index)), group.filter((peer) => !rule.classes.has(peer.index)));
    }
    groups = next;
  }
  return groups.map((group) => group[0]);
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
