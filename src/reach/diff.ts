import { locateField } from '../load/manifest-object.js';
import { formatPath } from '../load/path.js';
import type { Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { matrixEdges, type MatrixEdge, type MatrixPeer } from './matrix.js';
import type { ReachabilitySolver } from './solver.js';

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
export function diffConnectivity(before: ReachabilitySolver, after: ReachabilitySolver): ConnectivityDiff {
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
      allowedBy: allowingRules(after, edge.source, edge.destination, edge.connections.subtract(previous)),
      ...withWorkloadsOnOneSide(onOneSide(edge, beforeIds)),
    });
  }
  // What is left of the old matrix is closed entirely by the change.
  for (const edge of old.values()) {
    const gone = onOneSide(edge, afterIds);
    changes.push({
      change: 'removed', source: edge.source, destination: edge.destination, before: edge.connections, after: ConnectionSet.EMPTY,
      // A connection of a removed workload closes with it, whatever the policies say.
      allowedBy: [], deniedBy: gone.length > 0 ? [] : denyingPolicies(after, edge.source, edge.destination),
      ...withWorkloadsOnOneSide(gone),
    });
  }
  changes.sort((a, b) => compare(a.source.id, b.source.id) || compare(a.destination.id, b.destination.id));
  return {
    addedWorkloads: after.graph.workloads.filter((workload) => !beforeIds.has(workload.id)),
    removedWorkloads: before.graph.workloads.filter((workload) => !afterIds.has(workload.id)),
    changes,
  };
}

function withWorkloadsOnOneSide(ids: readonly string[]): Pick<ConnectionChange, 'workloadsOnOneSide'> {
  return ids.length > 0 ? { workloadsOnOneSide: ids } : {};
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names the new side's policies (file:line) that isolate either end of a connection it no longer allows. */
function denyingPolicies(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer): string[] {
  const classOf = (peer: MatrixPeer) => {
    if (peer.type !== 'workload') return undefined;
    const workload = solver.graph.workload(peer.id);
    return workload ? solver.classOf(workload.pods[0]) : undefined;
  };
  const names: string[] = [];
  for (const [peer, direction] of [[classOf(source), 'egress'], [classOf(destination), 'ingress']] as const) {
    if (!peer) continue;
    for (const policy of solver.isolatingPolicies(peer, direction)) {
      const location = locateField(policy.source.origin, ['metadata', 'name']);
      names.push(`${direction} isolated by ${policy.namespace}/${policy.name} (${location.file}:${location.line})`);
    }
  }
  return names;
}

/** Names the new side's rules (policy, rule, file:line) that allow some of `gained` between two peers. */
function allowingRules(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer, gained: ConnectionSet): string[] {
  const peerOf = (peer: MatrixPeer) => (peer.type === 'workload'
    ? solver.classOf(peer.workload.pods[0])
    : peer.type === 'external' ? { family: peer.family, range: peer.range } : undefined);
  const from = peerOf(source);
  const to = peerOf(destination);
  if (!from || !to) return [];
  const verdict = solver.explain(from, to);
  const rules: string[] = [];
  for (const side of [verdict.egress, verdict.ingress]) {
    if (side.unrestrictedBecause === 'not-isolated') rules.push(`${side.direction === 'egress' ? 'source' : 'destination'} not isolated for ${side.direction}`);
    for (const contribution of side.contributions) {
      if (contribution.allowed.intersect(gained).isEmpty()) continue;
      const policy = contribution.rule.policy;
      const location = locateField(policy.source.origin, contribution.rule.rule.path);
      rules.push(`${policy.namespace}/${policy.name} ${formatPath(contribution.rule.rule.path.slice(1))} (${location.file}:${location.line})`);
    }
    for (const decision of side.adminDecisions) {
      if (decision.rule.action !== 'Allow' || decision.ports.intersect(gained).isEmpty()) continue;
      const location = locateField(decision.policy.source.origin, decision.rule.path);
      rules.push(`${decision.policy.kind} ${decision.policy.name} "${decision.rule.name}" (${location.file}:${location.line})`);
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
