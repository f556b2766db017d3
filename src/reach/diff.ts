import { locateField } from '../load/manifest-object.js';
import type { Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { matrixEdges, type MatrixEdge, type MatrixPeer } from './matrix.js';
import type { ReachabilitySolver } from './solver.js';

/** A connection a change opens, closes or alters between two peers present on both sides. */
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
 * each. Workloads that exist on one side only are reported as such, and their connections are
 * left out rather than listed one by one.
 */
export function diffConnectivity(before: ReachabilitySolver, after: ReachabilitySolver): ConnectivityDiff {
  const beforeIds = new Set(before.graph.workloads.map((workload) => workload.id));
  const afterIds = new Set(after.graph.workloads.map((workload) => workload.id));
  const onBothSides = (peer: MatrixPeer) => peer.type !== 'workload' || (beforeIds.has(peer.id) && afterIds.has(peer.id));
  const key = (source: MatrixPeer, destination: MatrixPeer) => `${source.id}\u0000${destination.id}`;
  const old = new Map<string, MatrixEdge>();
  for (const edge of matrixEdges(before, { alsoCutBy: after })) {
    if (onBothSides(edge.source) && onBothSides(edge.destination)) old.set(key(edge.source, edge.destination), edge);
  }
  const changes: ConnectionChange[] = [];
  for (const edge of matrixEdges(after, { alsoCutBy: before })) {
    if (!onBothSides(edge.source) || !onBothSides(edge.destination)) continue;
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
    });
  }
  // What is left of the old matrix is closed entirely by the change.
  for (const edge of old.values()) {
    changes.push({
      change: 'removed', source: edge.source, destination: edge.destination, before: edge.connections, after: ConnectionSet.EMPTY,
      allowedBy: [], deniedBy: [...denyingPolicies(after, edge.source, edge.destination), ...denyingRules(after, edge.source, edge.destination, edge.connections)],
    });
  }
  changes.sort((a, b) => compare(a.source.id, b.source.id) || compare(a.destination.id, b.destination.id));
  return {
    addedWorkloads: after.graph.workloads.filter((workload) => !beforeIds.has(workload.id)),
    removedWorkloads: before.graph.workloads.filter((workload) => !afterIds.has(workload.id)),
    changes,
  };
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
      const location = locateField(policy.object.origin, ['metadata', 'name']);
      names.push(`${direction} isolated by ${policy.label} (${location.file}:${location.line})`);
    }
  }
  return names;
}

/** Names the new side's ranked rules (cluster-wide tiers) that deny some of `lost` between two peers. */
function denyingRules(solver: ReachabilitySolver, source: MatrixPeer, destination: MatrixPeer, lost: ConnectionSet): string[] {
  const peerOf = (peer: MatrixPeer) => (peer.type === 'workload'
    ? solver.graph.workload(peer.id) && solver.classOf(solver.graph.workload(peer.id)!.pods[0])
    : peer.type === 'external' ? { family: peer.family, range: peer.range } : undefined);
  const from = peerOf(source);
  const to = peerOf(destination);
  if (!from || !to) return [];
  const verdict = solver.explain(from, to);
  const rules: string[] = [];
  for (const side of [verdict.egress, verdict.ingress]) {
    for (const decision of side.decisions) {
      if (decision.rule.action !== 'deny' || decision.ports.intersect(lost).isEmpty()) continue;
      const { source: rule } = decision.rule;
      const location = locateField(rule.object.origin, rule.path);
      rules.push(`${side.direction} denied by ${rule.kind} ${rule.policyLabel} "${rule.ruleLabel}" (${location.file}:${location.line})`);
    }
  }
  return rules;
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
