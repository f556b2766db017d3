import type { IpFamily, AddressRange } from '../model/cidr.js';
import type { Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { exposedPorts } from './exposure.js';
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
}

/** The pseudo-peer for traffic arriving through an Ingress controller or Route. */
export const INGRESS_CONTROLLER_ID = '{ingress-controller}';

function compareIds(a: MatrixPeer, b: MatrixPeer): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Yields every allowed connection between workloads, external address ranges and the ingress
 * controller, in np-guard's order (bytewise by source, then destination), without self-pairs
 * and without pairs that allow nothing. A generator, so that huge matrices stream.
 */
export function* matrixEdges(solver: ReachabilitySolver, options: MatrixOptions = {}): Generator<MatrixEdge> {
  const graph = solver.graph;
  const workloads: MatrixPeer[] = graph.workloads.map((workload) => ({ type: 'workload', id: workload.id, workload }));
  const cuts = (direction: 'ingress' | 'egress', family: IpFamily) => [
    ...solver.addressRangeLists(direction, family),
    ...(options.alsoCutBy?.addressRangeLists(direction, family) ?? []),
  ];
  const sourceExternals = externalPeers(cuts('ingress', 4), cuts('ingress', 6));
  const destinationExternals = externalPeers(cuts('egress', 4), cuts('egress', 6));
  const sources = [...workloads, ...sourceExternals];
  const includeController = options.ingressController ?? true;
  const exposure = includeController ? ingressControllerConnections(solver) : new Map<string, ConnectionSet>();
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
  for (const source of sources) {
    const sourceClasses = classesOf.get(source);
    // With a focus, a source other than the focused workload only has its edge towards it.
    const [from, to] = focus && source.id !== focus ? (focusIndex === -1 ? [0, 0] : [focusIndex, focusIndex + 1]) : [0, destinations.length];
    for (let index = from; index < to; index++) {
      const destination = destinations[index];
      if (source === destination) continue;
      const classesOfDestination = destinationClasses[index];
      let connections = ConnectionSet.EMPTY;
      if (sourceClasses && classesOfDestination) {
        if (sourceClasses.length === 1 && classesOfDestination.length === 1) {
          connections = solver.classToClass(sourceClasses[0], classesOfDestination[0]);
        } else {
          // A workload whose pods differ is connected where any of its pods is.
          for (const sourceClass of sourceClasses) {
            for (const destinationClass of classesOfDestination) {
              connections = connections.union(solver.classToClass(sourceClass, destinationClass));
            }
          }
        }
      } else if (source.type === 'ingress-controller') {
        connections = exposure.get(destination.id) ?? ConnectionSet.EMPTY;
      } else if (source.type === 'external' && classesOfDestination) {
        for (const destinationClass of classesOfDestination) {
          connections = connections.union(solver.rangeToClass(source.family, source.range, destinationClass));
        }
      } else if (sourceClasses && destination.type === 'external') {
        for (const sourceClass of sourceClasses) {
          connections = connections.union(solver.classToRange(sourceClass, destination.family, destination.range));
        }
      }
      if (connections !== ConnectionSet.EMPTY) yield { source, destination, connections };
    }
  }
}

function resolveFocus(workloads: readonly MatrixPeer[], focus: string): string {
  const exact = workloads.find((peer) => peer.id === focus);
  if (exact) return exact.id;
  const byName = workloads.filter((peer) => peer.type === 'workload' && `${peer.workload.namespace}/${peer.workload.name}` === focus);
  return byName.length > 0 ? byName[0].id : focus;
}

/**
 * The external peers of one side: the IPv4 space (and the IPv6 space, when some rule names
 * IPv6 addresses) partitioned at the boundaries of that side's ipBlocks and networks, given per
 * family.
 */
export function externalPeers(ipv4: readonly (readonly AddressRange[])[], ipv6: readonly (readonly AddressRange[])[]): MatrixPeer[] {
  const peers: MatrixPeer[] = [];
  for (const [family, lists] of [[4, ipv4], [6, ipv6]] as const) {
    // IPv4 is always listed (np-guard's format); IPv6 only when some rule names IPv6 addresses.
    if (family === 6 && lists.length === 0) continue;
    for (const range of partitionSpace(family, lists)) {
      peers.push({ type: 'external', id: `${formatRange(range, family)}[External]`, family, range });
    }
  }
  return peers;
}

/**
 * Ports each workload receives from the ingress controller: what Ingresses and Routes expose
 * through Services, limited by the workload's ingress policies. The controller runs in some
 * namespace with labels the manifests do not show, so only rules admitting pods of every
 * namespace (or every peer) admit it.
 */
function ingressControllerConnections(solver: ReachabilitySolver): Map<string, ConnectionSet> {
  const result = new Map<string, ConnectionSet>();
  for (const exposed of exposedPorts(solver.graph)) {
    const connections = exposed.ports.intersect(solver.ingressFromAnyPod(solver.classOf(exposed.pod)));
    if (connections.isEmpty()) continue;
    const id = exposed.pod.workloadId;
    result.set(id, (result.get(id) ?? ConnectionSet.EMPTY).union(connections));
  }
  return result;
}
