import { locateField } from '../load/manifest-object.js';
import type { Workload } from '../model/types.js';
import { DNS_PORTS, findClusterDns, type ClusterDns, type DnsLocation } from './cluster-dns.js';
import { ConnectionSet } from './connection-set.js';
import { matrixEdges, type MatrixEdge, type MatrixPeer } from './matrix.js';
import type { AddressPeer, PairVerdict, PodClass, ReachabilitySolver } from './solver.js';

/**
 * A connection a change opens, closes or alters. The peers may be workloads the change adds or
 * removes (a new or renamed Deployment): their connections count as opened or closed like any.
 */
export interface ConnectionChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly source: MatrixPeer;
  readonly destination: MatrixPeer;
  readonly before: ConnectionSet;
  readonly after: ConnectionSet;
  /** The rules of the new side that allow the connection (file:line), for added and changed ones. */
  readonly allowedBy: readonly string[];
  /** For removed connections: the new side's isolation that now denies them (file:line). */
  readonly deniedBy?: readonly string[];
  /** The ids of the workloads at its ends that exist on one side only: added (for added connections) or removed (for removed ones). */
  readonly workloadsOnOneSide?: readonly string[];
}

/** Options of {@link diffConnectivity}. */
export interface DiffOptions {
  /** Where cluster DNS runs: each workload's lookups towards it are compared too when neither side holds its pods. */
  readonly clusterDns?: DnsLocation;
}

/** The result of comparing two sets of manifests. */
export interface ConnectivityDiff {
  readonly addedWorkloads: readonly Workload[];
  readonly removedWorkloads: readonly Workload[];
  readonly changes: readonly ConnectionChange[];
}

/**
 * Compares the connectivity of two sets of manifests at workload level. Both matrices are cut
 * at the external-address boundaries of both sides, so an address range means the same on
 * each. Workloads that exist on one side only are listed as added or removed, and their
 * connections as opened or closed: a new internet-facing workload (or one renamed, which is one
 * removed and one added) opens connections as surely as a widened policy does, and every
 * `--fail-on` gate counts them.
 */
export function diffConnectivity(before: ReachabilitySolver, after: ReachabilitySolver, options: DiffOptions = {}): ConnectivityDiff {
  const beforeIds = new Set(before.graph.workloads.map((workload) => workload.id));
  const afterIds = new Set(after.graph.workloads.map((workload) => workload.id));
  const onOneSide = (edge: MatrixEdge, ids: ReadonlySet<string>): string[] => [edge.source, edge.destination]
    .filter((peer) => peer.type === 'workload' && !ids.has(peer.id)).map((peer) => peer.id);
  const key = (source: MatrixPeer, destination: MatrixPeer) => `${source.id}\u0000${destination.id}`;
  const old = new Map<string, MatrixEdge>();
  for (const edge of matrixEdges(before, { alsoCutBy: after })) old.set(key(edge.source, edge.destination), edge);
  const changes: ConnectionChange[] = [];
  for (const edge of matrixEdges(after, { alsoCutBy: before })) {
    const id = key(edge.source, edge.destination);
    const previous = old.get(id)?.connections ?? ConnectionSet.EMPTY;
    old.delete(id);
    if (previous.equals(edge.connections)) continue;
    changes.push({
      change: previous.isEmpty() ? 'added' : 'changed',
      source: edge.source,
      destination: edge.destination,
      before: previous,
      after: edge.connections,
      ...reasonsOf(after, edge.source, edge.destination, previous, edge.connections),
      ...withWorkloadsOnOneSide(onOneSide(edge, beforeIds)),
    });
  }
  // What is left of the old matrix is closed entirely by the change.
  for (const edge of old.values()) {
    const gone = onOneSide(edge, afterIds);
    changes.push({
      change: 'removed', source: edge.source, destination: edge.destination, before: edge.connections, after: ConnectionSet.EMPTY,
      // A connection of a removed workload closes with it, whatever the policies say.
      allowedBy: [],
      deniedBy: gone.length > 0 ? [] : [...denyingPolicies(after, edge.source, edge.destination), ...denyingRules(after, edge.source, edge.destination, edge.connections)],
      ...withWorkloadsOnOneSide(gone),
    });
  }
  // The matrix leaves out a workload's connections to itself (np-guard's format); between the
  // replicas of one workload they are real traffic (an Alertmanager cluster's mesh, Prometheus
  // replicas scraping each other), so a change to them is a change.
  for (const workload of after.graph.workloads) {
    const earlier = before.graph.workload(workload.id);
    if (!earlier) continue;
    const previous = amongReplicas(before, earlier);
    const now = amongReplicas(after, workload);
    if (previous.equals(now)) continue;
    const peer: MatrixPeer = { type: 'workload', id: workload.id, workload };
    const change = previous.isEmpty() ? 'added' : now.isEmpty() ? 'removed' : 'changed';
    changes.push({ change, source: peer, destination: peer, before: previous, after: now, ...reasonsOf(after, peer, peer, previous, now) });
  }
  if (options.clusterDns) changes.push(...lookupChanges(before, after, options.clusterDns));
  changes.sort((a, b) => compare(a.source.id, b.source.id) || compare(a.destination.id, b.destination.id));
  return {
    addedWorkloads: after.graph.workloads.filter((workload) => !beforeIds.has(workload.id)),
    removedWorkloads: before.graph.workloads.filter((workload) => !afterIds.has(workload.id)),
    changes,
  };
}

/**
 * Each workload's lookups towards cluster DNS (UDP and TCP 53), before and after, when a side does
 * not hold the DNS pods: DNS is rarely among the manifests checked, yet a change that takes a pod's
 * lookups away breaks every connection it makes by name. Such a side answers towards a hypothetical
 * DNS pod (findClusterDns), as `can-reach X dns` does, the other towards its own DNS pods, under one
 * peer. Where both sides hold the DNS pods, the matrix compares them like any workload.
 */
function lookupChanges(before: ReachabilitySolver, after: ReachabilitySolver, location: DnsLocation): ConnectionChange[] {
  const dnsBefore = findClusterDns(before, location);
  const dnsAfter = findClusterDns(after, location);
  if (!dnsBefore.hypothetical && !dnsAfter.hypothetical) return [];
  // One peer for both sides; the rules that allow or deny are named from the new side's solver and DNS pods.
  const dnsPeer: MatrixPeer = { type: 'workload', id: `cluster DNS (${dnsAfter.description})`, workload: dnsAfter.solver.graph.workload(dnsAfter.pods[0].workloadId)! };
  const lookups = (dns: ClusterDns, workload: Workload) => {
    let connections = ConnectionSet.EMPTY;
    for (const pod of workload.pods) for (const dnsPod of dns.pods) connections = connections.union(dns.solver.podToPod(pod, dnsPod).intersect(DNS_PORTS));
    return connections;
  };
  // The DNS pods of a side that holds them ask nothing of themselves here.
  const dnsWorkloads = new Set([...dnsBefore.pods, ...dnsAfter.pods].map((pod) => pod.workloadId));
  const changes: ConnectionChange[] = [];
  const ids = new Set([...before.graph.workloads, ...after.graph.workloads].map((workload) => workload.id));
  for (const id of ids) {
    if (dnsWorkloads.has(id)) continue;
    const earlier = before.graph.workload(id);
    const now = after.graph.workload(id);
    const previous = earlier ? lookups(dnsBefore, earlier) : ConnectionSet.EMPTY;
    const current = now ? lookups(dnsAfter, now) : ConnectionSet.EMPTY;
    if (previous.equals(current)) continue;
    const source: MatrixPeer = { type: 'workload', id, workload: (now ?? earlier)! };
    const change = previous.isEmpty() ? 'added' : current.isEmpty() ? 'removed' : 'changed';
    const oneSide = !earlier || !now ? [id] : [];
    changes.push({
      change, source, destination: dnsPeer, before: previous, after: current,
      // A workload that is gone closes its lookups with it, whatever the policies say.
      ...(!now ? { allowedBy: [], deniedBy: [] } : reasonsOf(dnsAfter.solver, source, dnsPeer, previous, current)),
      ...withWorkloadsOnOneSide(oneSide),
    });
  }
  return changes;
}

/**
 * Why a connection changed, from the new side: the rules that allow what it gained, and the
 * isolation and rules that deny what it lost (a narrowing names what narrows it, not what allows).
 */
function reasonsOf(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer, before: ConnectionSet, after: ConnectionSet): Pick<ConnectionChange, 'allowedBy' | 'deniedBy'> {
  const gained = after.subtract(before);
  const lost = before.subtract(after);
  return {
    allowedBy: gained.isEmpty() ? [] : allowingRules(solver, source, destination, gained),
    ...(lost.isEmpty() ? {} : { deniedBy: [...denyingPolicies(solver, source, destination), ...denyingRules(solver, source, destination, lost)] }),
  };
}

function withWorkloadsOnOneSide(ids: readonly string[]): Pick<ConnectionChange, 'workloadsOnOneSide'> {
  return ids.length > 0 ? { workloadsOnOneSide: ids } : {};
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The connections between two different pods of one workload: from one replica of a template to
 * another (when it runs more than one), and between its pods of different classes (ordinals a
 * policy tells apart). A pod's traffic to itself never meets a policy and is not counted.
 */
function amongReplicas(solver: ReachabilitySolver, workload: Workload): ConnectionSet {
  const podsPerClass = new Map<PodClass, number>();
  for (const pod of workload.pods) {
    const podClass = solver.classOf(pod);
    // A template pod stands for every replica of its workload.
    const stands = workload.pods.length === 1 ? workload.replicas : 1;
    podsPerClass.set(podClass, (podsPerClass.get(podClass) ?? 0) + stands);
  }
  let connections = ConnectionSet.EMPTY;
  for (const [source, sources] of podsPerClass) {
    for (const [destination] of podsPerClass) {
      if (source === destination && sources < 2) continue;
      connections = connections.union(solver.classToClass(source, destination));
    }
  }
  return connections;
}

/** The distinct pod classes of a workload peer; none for another kind of peer. */
function classesOf(solver: ReachabilitySolver, peer: MatrixPeer): PodClass[] {
  if (peer.type !== 'workload') return [];
  // By the workload's own id: the cluster DNS peer is named for people, its hypothetical workload is in the solver's graph.
  const workload = solver.graph.workload(peer.workload.id);
  return workload ? [...new Set(workload.pods.map((pod) => solver.classOf(pod)))] : [];
}

/** Names the new side's policies (file:line) that isolate either end of a connection it no longer allows. */
function denyingPolicies(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer): string[] {
  const names = new Set<string>();
  // A workload whose pods differ (ordinals a policy singles out) is isolated by each class's policies.
  for (const [peer, direction] of [[source, 'egress'], [destination, 'ingress']] as const) {
    for (const podClass of classesOf(solver, peer)) {
      for (const policy of solver.isolatingPolicies(podClass, direction)) {
        const location = locateField(policy.object.origin, ['metadata', 'name']);
        names.add(`${direction} isolated by ${policy.label} (${location.file}:${location.line})`);
      }
    }
  }
  return [...names];
}

/** The peers of the solver a matrix peer stands for: every class of a workload whose pods differ, or an address range. */
function verdictPeersOf(solver: ReachabilitySolver, peer: MatrixPeer): (PodClass | AddressPeer)[] {
  return peer.type === 'workload'
    ? classesOf(solver, peer)
    : peer.type === 'external' ? [{ family: peer.family, range: peer.range }] : [];
}

/** Names the new side's ranked rules (cluster-wide tiers) that deny some of `lost` between two peers. */
function denyingRules(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer, lost: ConnectionSet): string[] {
  const rules = new Set<string>();
  for (const from of verdictPeersOf(solver, source)) {
    for (const to of verdictPeersOf(solver, destination)) {
      const verdict = solver.explain(from, to);
      for (const side of [verdict.egress, verdict.ingress]) {
        for (const decision of side.decisions) {
          if (decision.rule.action !== 'deny' || decision.ports.intersect(lost).isEmpty()) continue;
          const { source: rule } = decision.rule;
          const location = locateField(rule.object.origin, rule.path);
          rules.add(`${side.direction} denied by ${rule.kind} ${rule.policyLabel} "${rule.ruleLabel}" (${location.file}:${location.line})`);
        }
      }
    }
  }
  return [...rules];
}

/** Names the new side's rules (policy, rule, file:line) that allow some of `gained` between two peers. */
function allowingRules(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer, gained: ConnectionSet): string[] {
  // Every class of a workload whose pods differ: the connection may come from any pair of them.
  const rules = new Set<string>();
  for (const from of verdictPeersOf(solver, source)) {
    for (const to of verdictPeersOf(solver, destination)) {
      for (const rule of rulesAllowing(solver.explain(from, to), gained)) rules.add(rule);
    }
  }
  return [...rules];
}

/** The rules (file:line) of one pair's verdict that allow some of `gained`, or why a side allows everything. */
function rulesAllowing(verdict: PairVerdict, gained: ConnectionSet): string[] {
  const rules: string[] = [];
  for (const side of [verdict.egress, verdict.ingress]) {
    if (side.unrestrictedBecause === 'not-isolated') rules.push(`${side.direction === 'egress' ? 'source' : 'destination'} not isolated for ${side.direction}`);
    for (const contribution of side.contributions) {
      if (contribution.allowed.intersect(gained).isEmpty()) continue;
      const { source } = contribution.rule;
      const location = locateField(source.object.origin, source.path);
      rules.push(`${source.policyLabel} ${source.ruleLabel} (${location.file}:${location.line})`);
    }
    for (const decision of side.decisions) {
      if (decision.rule.action !== 'allow' || decision.ports.intersect(gained).isEmpty()) continue;
      const { source } = decision.rule;
      const location = locateField(source.object.origin, source.path);
      rules.push(`${source.kind} ${source.policyLabel} "${source.ruleLabel}" (${location.file}:${location.line})`);
    }
  }
  return rules;
}

/** What `--fail-on` can forbid. */
export type DiffGate = 'added-any' | 'added-external-ingress' | 'added-external-egress' | 'changed-any' | 'removed-any';

/** Returns the changes that trip a gate. */
export function changesTripping(diff: ConnectivityDiff, gate: DiffGate): ConnectionChange[] {
  const widened = (change: ConnectionChange) => !change.after.subtract(change.before).isEmpty();
  switch (gate) {
    case 'added-any':
      return diff.changes.filter(widened);
    case 'added-external-ingress':
      return diff.changes.filter((change) => widened(change) && change.source.type !== 'workload');
    case 'added-external-egress':
      return diff.changes.filter((change) => widened(change) && change.destination.type === 'external');
    case 'changed-any':
      return [...diff.changes];
    case 'removed-any':
      return diff.changes.filter((change) => !change.before.subtract(change.after).isEmpty());
  }
}
