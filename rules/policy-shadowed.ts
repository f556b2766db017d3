import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { IpFamily } from '../src/model/cidr.js';
import { selectsEverything } from '../src/model/label-selector.js';
import type { NetworkPolicy } from '../src/model/types.js';
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
      const coverers = coveringPolicies(solver, policy, classes, compiledOf.get(policy) ?? [], removed, externalPeers);
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
): Set<NetworkPolicy> | undefined {
  const coverers = new Set<NetworkPolicy>();
  const contributing = new Set<CompiledRule>();
  for (const direction of DIRECTIONS) {
    if (classes[direction].length === 0) continue;
    // A policy without rules for a direction it affects denies it (a default deny): it isolates, so it matters.
    if ((direction === 'ingress' ? policy.ingress : policy.egress).length === 0) return undefined;
    for (const podClass of classes[direction]) {
      const stillIsolated = solver.isolatingPolicies(podClass, direction).some((other) => other !== policy && !removed.has(other));
      if (!stillIsolated) return undefined;
      const rules = solver.rulesFor(podClass, direction);
      const own = rules.filter((rule) => rule.policy === policy);
      const others = rules.filter((rule) => rule.policy !== policy && !removed.has(rule.policy));
      const matchesAddresses = own.some((rule) => rule.matchesEveryPeer || rule.addressRanges[4].length > 0 || rule.addressRanges[6].length > 0);
      // Only the classes the policy's own rules match can gain anything from it.
      const matchedClasses = new Set<number>();
      for (const rule of own) for (const index of rule.classes.members()) matchedClasses.add(index);
      const peers: Peer[] = [
        ...[...matchedClasses].map((index) => solver.classes[index]),
        ANY_POD,
        ...(matchesAddresses ? externalPeers(direction) : []),
      ];
      for (const peer of peers) {
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
    }
  }
  // A rule that allows nothing k8snet can see (a selector matching no pod in the manifests) may
  // well allow something in the cluster: no claim about such a policy.
  if (ownRules.some((rule) => !contributing.has(rule)) || coverers.size === 0) return undefined;
  return coverers;
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
