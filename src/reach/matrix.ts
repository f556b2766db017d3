import type { IpFamily, AddressRange } from '../model/cidr.js';
import type { Pod, Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { exposedPorts } from './exposure.js';
import { gatewayExposedPorts } from './gateway-paths.js';
import { formatRange, partitionSpace } from './ip-ranges.js';
import type { PodClass, ReachabilitySolver } from './solver.js';

/** A node of the connectivity matrix. */
export type MatrixPeer =
  | { readonly type: 'workload'; readonly id: string; readonly workload: Workload }
  | { readonly type: 'external'; readonly id: string; readonly family: IpFamily; readonly range: AddressRange }
  | { readonly type: 'ingress-controller'; readonly id: string };

/** One allowed connection of the matrix. */
export interface MatrixEdge {
  readonly source: MatrixPeer;
  readonly destination: MatrixPeer;
  readonly connections: ConnectionSet;
}

/** Options of {@link matrixEdges}. */
export interface MatrixOptions {
  /** Only edges from or to this workload id (`ns/name[Kind]`) or `ns/name`. */
  readonly focusWorkload?: string;
  /** Include `{ingress-controller}` edges for what Ingresses and Routes expose (default true). */
  readonly ingressController?: boolean;
  /**
   * Another solver whose address ranges also cut the external peers: `diff` cuts both matrices
   * at the boundaries of both sides, so that their external peers are the same.
   */
  readonly alsoCutBy?: ReachabilitySolver;
  /**
   * The id of a workload whose pods are peers of their own, one per pod ({@link podPeerId}), and
   * connected to each other like any two peers: `explain` of one StatefulSet pod, whose
   * policies may treat it unlike its siblings (a selector on its pod-name label).
   */
  readonly podsAsPeers?: string;
}

/** The matrix id of one pod of `workload` when its pods are peers of their own: `ns/redis-0[StatefulSet pod]`. */
export function podPeerId(workload: Pick<Workload, 'kind'>, pod: Pick<Pod, 'namespace' | 'name'>): string {
  return `${pod.namespace}/${pod.name}[${workload.kind} pod]`;
}

/** The pseudo-peer for traffic arriving through an Ingress controller or Route. */
export const INGRESS_CONTROLLER_ID = '{ingress-controller}';

function compareIds(a: MatrixPeer, b: MatrixPeer): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A stretch of one source's row: an edge, or a run of consecutive destinations (indexes into
 * {@link MatrixRows.destinations}, `to` exclusive) that the source reaches with every connection
 * because neither side is isolated. Runs let a formatter write most of a large matrix without
 * looking at each pair.
 */
export type MatrixSegment = MatrixRowEdge | { readonly from: number; readonly to: number };

/** An edge of a row, with the index of its destination in {@link MatrixRows.destinations}. */
export interface MatrixRowEdge extends MatrixEdge {
  readonly destinationIndex: number;
}

/** One source's allowed connections, in destination order. */
export interface MatrixRow {
  readonly source: MatrixPeer;
  readonly segments: readonly MatrixSegment[];
}

/** The matrix by rows: the sorted destinations, and a row per source that reaches any. */
export interface MatrixRows {
  readonly destinations: readonly MatrixPeer[];
  readonly rows: Generator<MatrixRow>;
}

/**
 * Yields every allowed connection between workloads, external address ranges and the ingress
 * controller, in np-guard's order (bytewise by source, then destination), without self-pairs
 * and without pairs that allow nothing. A generator, so that huge matrices stream.
 */
export function* matrixEdges(solver: ReachabilitySolver, options: MatrixOptions = {}): Generator<MatrixEdge> {
  const { destinations, rows } = matrixRows(solver, options);
  for (const { source, segments } of rows) {
    for (const segment of segments) {
      if ('source' in segment) {
        yield segment;
        continue;
      }
      for (let index = segment.from; index < segment.to; index++) yield { source, destination: destinations[index], connections: ConnectionSet.ALL };
    }
  }
}

/** The same connections as {@link matrixEdges}, row by row, with runs of open pairs kept whole. */
export function matrixRows(solver: ReachabilitySolver, options: MatrixOptions = {}): MatrixRows {
  const graph = solver.graph;
  const workloads: MatrixPeer[] = graph.workloads.flatMap((workload): MatrixPeer[] => (workload.id === options.podsAsPeers
    ? workload.pods.map((pod) => {
      const id = podPeerId(workload, pod);
      return { type: 'workload', id, workload: { ...workload, id, name: pod.name, replicas: 1, pods: [pod] } };
    })
    : [{ type: 'workload', id: workload.id, workload }]));
  const cuts = (direction: 'ingress' | 'egress', family: IpFamily) => [
    ...solver.addressRangeLists(direction, family),
    ...(options.alsoCutBy?.addressRangeLists(direction, family) ?? []),
  ];
  // IPv6 on both sides when a rule of either direction names IPv6 addresses: rows one way only read as a one-way answer.
  const withIpv6 = cuts('ingress', 6).length > 0 || cuts('egress', 6).length > 0;
  const sourceExternals = externalPeers(cuts('ingress', 4), cuts('ingress', 6), withIpv6);
  const destinationExternals = externalPeers(cuts('egress', 4), cuts('egress', 6), withIpv6);
  const sources = [...workloads, ...sourceExternals];
  const includeController = options.ingressController ?? true;
  const split = options.podsAsPeers === undefined ? undefined : graph.workload(options.podsAsPeers);
  const peerIdOf = (pod: Pod): string => (split && pod.workloadId === split.id ? podPeerId(split, pod) : pod.workloadId);
  const exposure = includeController ? ingressControllerConnections(solver, peerIdOf) : new Map<string, ConnectionSet>();
  if (exposure.size > 0) sources.push({ type: 'ingress-controller', id: INGRESS_CONTROLLER_ID });
  const destinations = [...workloads, ...destinationExternals].sort(compareIds);
  sources.sort(compareIds);
  const focus = options.focusWorkload ? resolveFocus(workloads, options.focusWorkload) : undefined;
  // Each workload's distinct pod classes, computed once: most workloads have exactly one.
  const classesOf = new Map<MatrixPeer, PodClass[]>();
  for (const peer of workloads) {
    if (peer.type === 'workload') classesOf.set(peer, [...new Set(peer.workload.pods.map((pod) => solver.classOf(pod)))]);
  }
  const destinationClasses = destinations.map((destination) => classesOf.get(destination));
  const focusIndex = focus ? destinations.findIndex((destination) => destination.id === focus) : -1;
  // A source with a class open for egress reaches a destination with a class open for ingress on
  // every connection (classToClass of those two is ALL, and ALL absorbs the rest of the union),
  // and every external range too: traffic leaving the cluster meets only the source's egress, and
  // a class open for egress has no rule of any layer (classToRange is ALL).
  const openForIngress = destinations.map((destination, index) => destination.type === 'external'
    || (destinationClasses[index]?.some((podClass) => solver.isUnrestricted(podClass, 'ingress')) ?? false));
  const connectionsBetween = (source: MatrixPeer, sourceClasses: PodClass[] | undefined, index: number): ConnectionSet => {
    const destination = destinations[index];
    const classesOfDestination = destinationClasses[index];
    let connections = ConnectionSet.EMPTY;
    if (sourceClasses && classesOfDestination) {
      if (sourceClasses.length === 1 && classesOfDestination.length === 1) return solver.classToClass(sourceClasses[0], classesOfDestination[0]);
      // A workload whose pods differ is connected where any of its pods is.
      for (const sourceClass of sourceClasses) {
        for (const destinationClass of classesOfDestination) connections = connections.union(solver.classToClass(sourceClass, destinationClass));
      }
    } else if (source.type === 'ingress-controller') {
      connections = exposure.get(destination.id) ?? ConnectionSet.EMPTY;
    } else if (source.type === 'external' && classesOfDestination) {
      for (const destinationClass of classesOfDestination) connections = connections.union(solver.rangeToClass(source.family, source.range, destinationClass));
    } else if (sourceClasses && destination.type === 'external') {
      for (const sourceClass of sourceClasses) connections = connections.union(solver.classToRange(sourceClass, destination.family, destination.range));
    }
    return connections;
  };
  // Where each destination stands, computed once for all sources: the runs of destinations open
  // for ingress, the destinations of each class, the isolated and the external ones.
  const openRuns: { from: number; to: number }[] = [];
  for (let index = 0; index < destinations.length; index++) {
    if (!openForIngress[index]) continue;
    const last = openRuns[openRuns.length - 1];
    if (last && last.to === index) last.to = index + 1;
    else openRuns.push({ from: index, to: index + 1 });
  }
  const destinationsOfClass = new Map<number, number[]>();
  destinationClasses.forEach((classes, index) => {
    for (const podClass of classes ?? []) {
      const list = destinationsOfClass.get(podClass.index);
      if (list) list.push(index);
      else destinationsOfClass.set(podClass.index, [index]);
    }
  });
  // Isolated destinations the prefilter says nothing about (admin policies, or pods that differ):
  // every open source is judged against them.
  let alwaysJudged: number[] | undefined;
  const isolatedJudgedAlways = (): number[] => {
    const { unfiltered } = solver.ingressAdmitters();
    return (alwaysJudged ??= destinations.map((_, index) => index).filter((index) => {
      const classes = destinationClasses[index];
      return classes !== undefined && !openForIngress[index] && (classes.length !== 1 || unfiltered[classes[0].index] === 1);
    }));
  };
  const externals = destinations.map((_, index) => index).filter((index) => destinations[index].type === 'external');

  /** Every pair of the row, one at a time: the general case and the focused one. */
  const scannedRow = (source: MatrixPeer, sourceClasses: PodClass[] | undefined, from: number, to: number): MatrixSegment[] => {
    const openSource = sourceClasses?.some((podClass) => solver.isUnrestricted(podClass, 'egress')) ?? false;
    const segments: MatrixSegment[] = [];
    let runStart = -1;
    for (let index = from; index <= to; index++) {
      const inRun = index < to && source !== destinations[index] && openSource && openForIngress[index];
      if (inRun) {
        if (runStart === -1) runStart = index;
        continue;
      }
      if (runStart !== -1) segments.push({ from: runStart, to: index });
      runStart = -1;
      if (index === to || source === destinations[index]) continue;
      const connections = connectionsBetween(source, sourceClasses, index);
      if (connections !== ConnectionSet.EMPTY) segments.push({ source, destination: destinations[index], connections, destinationIndex: index });
    }
    return segments;
  };

  /**
   * The row of a workload with one pod class, visiting only destinations it may reach: runs of
   * open destinations when it is open for egress (plus the isolated ones whose ingress rules may
   * admit it), or the classes its egress rules match. Most pairs of a large cluster are ruled
   * out without looking at them.
   */
  // Scratch for sparseRow, reused by every row: a row visits thousands of destinations of a large
  // cluster, and sets or per-edge objects made for each would dominate the time (and the garbage).
  const visitedIn = new Int32Array(destinations.length);
  let visit = 0;
  const sparseRow = (source: MatrixPeer, sourceClass: PodClass, self: number): MatrixSegment[] | undefined => {
    visit++;
    // The destinations to judge, sorted: `judged` (all isolated ones judged always, when open), plus `extra`.
    let judged: readonly number[] = [];
    const extra: number[] = [];
    const add = (index: number) => {
      if (visitedIn[index] === visit) return;
      visitedIn[index] = visit;
      extra.push(index);
    };
    let runs: readonly { from: number; to: number }[] = [];
    // The external ranges: in the runs of a source open for egress, judged one by one otherwise.
    let outside: readonly number[] = externals;
    if (solver.isUnrestricted(sourceClass, 'egress')) {
      runs = openRuns;
      outside = [];
      // The isolated destinations whose ingress rules may admit this class, and those only the rules can tell about.
      judged = isolatedJudgedAlways();
      for (const index of judged) visitedIn[index] = visit;
      for (const podClass of solver.ingressAdmitters().admittedBy[sourceClass.index]) {
        for (const index of destinationsOfClass.get(podClass) ?? []) if (!openForIngress[index]) add(index);
      }
    } else {
      const candidates = solver.egressCandidates(sourceClass);
      if (!candidates) return undefined;
      for (const podClass of candidates) for (const index of destinationsOfClass.get(podClass) ?? []) add(index);
    }
    extra.sort((a, b) => a - b);
    // Judge `judged`, `extra` and the external destinations (three disjoint sorted lists) in
    // destination order, keeping the connected ones as parallel lists.
    const edgeIndexes: number[] = [];
    const edgeConnections: ConnectionSet[] = [];
    let a = 0;
    let b = 0;
    let c = 0;
    for (;;) {
      const next = Math.min(judged[a] ?? Infinity, extra[b] ?? Infinity, outside[c] ?? Infinity);
      if (next === Infinity) break;
      if (next === judged[a]) a++;
      else if (next === extra[b]) b++;
      else c++;
      if (next === self) continue;
      const connections = connectionsBetween(source, [sourceClass], next);
      if (connections === ConnectionSet.EMPTY) continue;
      edgeIndexes.push(next);
      edgeConnections.push(connections);
    }
    // Merge the runs (less the source itself) and the edges, in destination order.
    const segments: MatrixSegment[] = [];
    let edge = 0;
    const flushEdgesBefore = (limit: number) => {
      for (; edge < edgeIndexes.length && edgeIndexes[edge] < limit; edge++) {
        const index = edgeIndexes[edge];
        segments.push({ source, destination: destinations[index], connections: edgeConnections[edge], destinationIndex: index });
      }
    };
    for (const run of runs) {
      flushEdgesBefore(run.from);
      if (self >= run.from && self < run.to) {
        if (self > run.from) segments.push({ from: run.from, to: self });
        if (self + 1 < run.to) segments.push({ from: self + 1, to: run.to });
      } else segments.push(run);
    }
    flushEdgesBefore(Infinity);
    return segments;
  };

  const destinationIndex = new Map(destinations.map((destination, index) => [destination, index]));
  function* rows(): Generator<MatrixRow> {
    for (const source of sources) {
      const sourceClasses = classesOf.get(source);
      let segments: MatrixSegment[] | undefined;
      if (focus && source.id !== focus) {
        // With a focus, a source other than the focused workload only has its edge towards it.
        segments = focusIndex === -1 ? [] : scannedRow(source, sourceClasses, focusIndex, focusIndex + 1);
      } else if (sourceClasses?.length === 1) {
        segments = sparseRow(source, sourceClasses[0], destinationIndex.get(source) ?? -1);
      }
      segments ??= scannedRow(source, sourceClasses, 0, destinations.length);
      if (segments.length > 0) yield { source, segments };
    }
  }
  return { destinations, rows: rows() };
}

function resolveFocus(workloads: readonly MatrixPeer[], focus: string): string {
  const exact = workloads.find((peer) => peer.id === focus);
  if (exact) return exact.id;
  const byName = workloads.filter((peer) => peer.type === 'workload' && `${peer.workload.namespace}/${peer.workload.name}` === focus);
  return byName.length > 0 ? byName[0].id : focus;
}

/**
 * The external peers of one side: the IPv4 space (and the IPv6 space, when some rule names
 * IPv6 addresses: `withIpv6`, else when this side's do) partitioned at the boundaries of that
 * side's ipBlocks and networks, given per family.
 */
export function externalPeers(ipv4: readonly (readonly AddressRange[])[], ipv6: readonly (readonly AddressRange[])[], withIpv6 = ipv6.length > 0): MatrixPeer[] {
  const peers: MatrixPeer[] = [];
  for (const [family, lists] of [[4, ipv4], [6, ipv6]] as const) {
    // IPv4 is always listed (np-guard's format); IPv6 only when some rule names IPv6 addresses.
    if (family === 6 && !withIpv6) continue;
    for (const range of partitionSpace(family, lists)) {
      peers.push({ type: 'external', id: `${formatRange(range, family)}[External]`, family, range });
    }
  }
  return peers;
}

/**
 * Ports each workload (or pod peer, see podsAsPeers) receives from the ingress controller: what
 * Ingresses and Routes expose through Services, and what Gateway API routes expose through
 * Gateways whose pods the manifests do not hold, limited by the workload's ingress policies. The
 * controller runs in some namespace with labels the manifests do not show, so only rules
 * admitting pods of every namespace (or every peer) admit it.
 */
function ingressControllerConnections(solver: ReachabilitySolver, peerIdOf: (pod: Pod) => string): Map<string, ConnectionSet> {
  const result = new Map<string, ConnectionSet>();
  for (const exposed of [...exposedPorts(solver.graph), ...gatewayExposedPorts(solver.graph)]) {
    const connections = exposed.ports.intersect(solver.ingressFromAnyPod(solver.classOf(exposed.pod)));
    if (connections.isEmpty()) continue;
    const id = peerIdOf(exposed.pod);
    result.set(id, (result.get(id) ?? ConnectionSet.EMPTY).union(connections));
  }
  return result;
}
