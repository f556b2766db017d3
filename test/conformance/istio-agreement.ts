/**
 * Answers every pair of an NCA Istio or multilayer case with k8snet's solver and compares the
 * answers with NCA's expected connectivity map (nca_derived_pairs.txt) on the L4 projection:
 * per ordered pair of peers (workloads of the case, and the address ranges the map names) and
 * per section (TCP connections, and all other protocols), the connections k8snet allows against
 * those the map lists (none when the map has no line for the pair). L7 criteria of an expected
 * line (methods, paths, hosts) are projected away: the L4 answer must allow the line's ports,
 * and k8snet's answer must name a restriction above L4 for the pair.
 */
import { buildGraph } from '../../src/model/build-graph.js';
import { loadTexts } from '../../src/load/index.js';
import { formatAddress, parseAddress } from '../../src/model/cidr.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { ReachabilitySolver, type PodClass } from '../../src/reach/solver.js';
import type { SideTrace } from '../../src/reach/evaluator.js';
import { dnsNamePeer } from '../../src/reach/policies/istio-egress.js';
import type { Protocol } from '../../src/model/types.js';
import { configInputs, keepsObject, type NcaCase, type NcaConfig, type NcaConnectionSpec, type NcaEdge, type NcaPeer } from './nca-cases.js';

/** The two sections of an Istio map; a map without sections has one, `all`. */
export type Section = 'TCP' | 'non-TCP' | 'all';

/** One compared pair: its key, what NCA expects, what k8snet answers, and whether they agree. */
export interface ComparedPair {
  /** `config | source => destination | section`. */
  readonly key: string;
  readonly expected: string;
  readonly answered: string;
  readonly agrees: boolean;
  /** Why the pair cannot be compared (a DNS-name peer, a peer k8snet does not build), when it cannot. */
  readonly inexpressible?: string;
  /** For an expected line with L7 criteria that k8snet allows at L4: whether the answer names a restriction above L4. */
  readonly restrictionNamed?: boolean;
}

const TCP = ConnectionSet.ofProtocol('TCP');
const UNIVERSE: Readonly<Record<Section, ConnectionSet>> = { TCP, 'non-TCP': ConnectionSet.ALL.subtract(TCP), all: ConnectionSet.ALL };

/** NCA's model of the cases: every pod in the mesh, the mesh's root namespace `istio-config`. */
export const NCA_ISTIO_SETTINGS = { ...DEFAULT_ISTIO_SETTINGS, rootNamespace: 'istio-config', assumeSidecars: true };

type Peer = { readonly label: string; readonly podClass: PodClass } | { readonly label: string; readonly family: 4 | 6; readonly first: bigint; readonly last: bigint }
  | { readonly label: string; readonly dnsName: string };

/** Compares every pair of every configuration of a case. */
export function compareCase(ncaCase: NcaCase): ComparedPair[] {
  const results: ComparedPair[] = [];
  const blocks = ncaCase.blocks ?? (ncaCase.configs.length === 1 ? [ncaCase.edges] : undefined);
  if (blocks) {
    ncaCase.configs.forEach((config, index) => results.push(...compareConfig([config], blocks[index] ?? [], config.name)));
  } else {
    // Several configurations whose blocks the file does not delimit: their union against the union of answers.
    results.push(...compareConfig(ncaCase.configs, ncaCase.edges, ncaCase.configs.map((config) => config.name).join('+')));
  }
  return results;
}

function compareConfig(configs: readonly NcaConfig[], edges: readonly NcaEdge[], configName: string): ComparedPair[] {
  const solvers = configs.map((config) => {
    const loaded = loadTexts(configInputs(config).map(withPortListsRepaired));
    const graph = buildGraph(loaded.objects.filter((object) => keepsObject(config, object)), { istio: NCA_ISTIO_SETTINGS });
    return new ReachabilitySolver(graph, { hostNetworkPods: 'pod' });
  });
  const sectioned = edges.some((edge) => edge.section !== undefined);
  const sections: Section[] = sectioned ? ['TCP', 'non-TCP'] : ['all'];
  const expected = new Map<string, { connections: ConnectionSet; l7: boolean; inexpressible?: string }>();
  // NCA's lines name address ranges that overlap (0.0.0.0-255.255.255.255 in one section, 1.2.3.0/24
  // in another): the pairs are compared on the pieces all of them cut the address space into.
  const pieces = addressPieces(edges);
  const namePeers = new Set<string>();
  for (const edge of edges) {
    for (const peer of [edge.source, edge.destination]) if (peer.type === 'name') namePeers.add(peerLabel(peer));
    const section: Section = edge.section ?? 'all';
    const converted = connectionsOf(edge, section);
    const sourceLabels = edge.source.type === 'addresses' ? piecesOf(pieces, edge.source) : [peerLabel(edge.source)];
    const destinationLabels = edge.destination.type === 'addresses' ? piecesOf(pieces, edge.destination) : [peerLabel(edge.destination)];
    for (const sourceLabel of sourceLabels) {
      for (const destinationLabel of destinationLabels) {
        const key = `${sourceLabel} => ${destinationLabel} | ${section}`;
        const previous = expected.get(key);
        expected.set(key, {
          connections: (previous?.connections ?? ConnectionSet.EMPTY).union(converted.connections),
          l7: (previous?.l7 ?? false) || converted.l7,
          ...(converted.inexpressible || previous?.inexpressible ? { inexpressible: converted.inexpressible ?? previous?.inexpressible } : {}),
        });
      }
    }
  }
  // Peers: the workloads of the first configuration (the topology is the same in all), the address pieces.
  const graph = solvers[0].graph;
  const workloads: Peer[] = graph.workloads.filter((workload) => workload.pods.length > 0)
    .map((workload) => ({ label: ncaWorkloadLabel(workload.id), podClass: solvers[0].classOf(workload.pods[0]) }));
  const addresses: Peer[] = pieces;
  // NCA's DNS-name peers (ServiceEntry hosts) are destinations of Istio's layer only: compared
  // from workloads, in the TCP section (NCA's non-TCP sections never name them).
  const dnsNames: Peer[] = [...namePeers].sort().map((name) => ({ label: name, dnsName: name }));
  const peers = [...workloads, ...addresses, ...dnsNames];
  const results: ComparedPair[] = [];
  for (const source of peers) {
    for (const destination of peers) {
      if (source === destination || (!('podClass' in source) && !('podClass' in destination))) continue;
      if ('dnsName' in source || ('dnsName' in destination && !('podClass' in source))) continue;
      let answered = ConnectionSet.EMPTY;
      let restricted = false;
      for (const solver of solvers) {
        const answer = answerPeers(solver, source, destination);
        answered = answered.union(answer.allowed);
        restricted ||= answer.restricted;
      }
      for (const section of sections) {
        if ('dnsName' in destination && section === 'non-TCP') continue;
        const key = `${source.label} => ${destination.label} | ${section}`;
        const want = expected.get(key);
        expected.delete(key);
        const got = answered.intersect(UNIVERSE[section]);
        const wantSet = want?.connections ?? ConnectionSet.EMPTY;
        results.push({
          key: `${configName} | ${key}`,
          expected: describe(wantSet),
          answered: describe(got),
          agrees: got.equals(wantSet) && !want?.inexpressible && (!want?.l7 || restricted),
          ...(want?.inexpressible ? { inexpressible: want.inexpressible } : {}),
          ...(want?.l7 ? { restrictionNamed: restricted } : {}),
        });
      }
    }
  }
  // Lines whose peers k8snet has no place for (DNS names of ServiceEntries, workloads it does not build).
  for (const [key, want] of expected) {
    const names = [...namePeers].filter((name) => key.startsWith(`${name} =>`) || key.includes(`=> ${name} |`));
    results.push({
      key: `${configName} | ${key}`, expected: describe(want.connections), answered: 'no such peer', agrees: false,
      inexpressible: names.length > 0 ? `DNS-name peer ${names.join(', ')}` : 'peer not among the workloads k8snet builds',
    });
  }
  return results;
}

type AddressPiece = Extract<Peer, { family: 4 | 6 }>;

/** The pieces the address ranges of a map's lines cut each address family into (only families the map names). */
function addressPieces(edges: readonly NcaEdge[]): AddressPiece[] {
  const pieces: AddressPiece[] = [];
  for (const family of [4, 6] as const) {
    const ranges = edges.flatMap((edge) => [edge.source, edge.destination])
      .filter((peer): peer is NcaPeer & { type: 'addresses' } => peer.type === 'addresses' && peer.family === family)
      .map((peer) => ({ first: parseAddress(peer.first)!.value, last: parseAddress(peer.last)!.value }));
    if (ranges.length === 0) continue;
    const top = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const cuts = new Set<bigint>();
    for (const range of ranges) {
      cuts.add(range.first);
      if (range.last < top) cuts.add(range.last + 1n);
    }
    const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    starts.forEach((first, index) => {
      const last = index + 1 < starts.length ? starts[index + 1] - 1n : top;
      // Only pieces some line covers: the rest of the space is no peer of the map.
      if (!ranges.some((range) => range.first <= first && last <= range.last)) return;
      const label = first === last ? formatAddress(first, family) : `${formatAddress(first, family)}-${formatAddress(last, family)}`;
      pieces.push({ label, family, first, last });
    });
  }
  return pieces;
}

/** The labels of the pieces inside an address peer of a line. */
function piecesOf(pieces: readonly AddressPiece[], peer: NcaPeer & { type: 'addresses' }): string[] {
  const first = parseAddress(peer.first)!.value;
  const last = parseAddress(peer.last)!.value;
  return pieces.filter((piece) => piece.family === peer.family && first <= piece.first && piece.last <= last).map((piece) => piece.label);
}

function answerPeers(solver: ReachabilitySolver, source: Peer, destination: Peer): { allowed: ConnectionSet; restricted: boolean } {
  if ('podClass' in source && 'dnsName' in destination) {
    // A DNS name has no ingress side: what the source's egress (every enforcement point) lets out.
    const trace: SideTrace = { decisions: [], contributions: [] };
    const allowed = solver.evaluator.sideAllowed('egress', source.podClass, dnsNamePeer(destination.dnsName), trace);
    return { allowed, restricted: solver.evaluator.restrictionsOf(trace, allowed).length > 0 };
  }
  if ('podClass' in source && 'podClass' in destination) {
    const verdict = solver.explain(source.podClass, destination.podClass);
    return { allowed: verdict.allowed, restricted: verdict.ingress.restrictions.length + verdict.egress.restrictions.length > 0 };
  }
  if ('podClass' in destination) {
    const range = source as Extract<Peer, { family: 4 | 6 }>;
    const verdict = solver.explain({ family: range.family, range: { first: range.first, last: range.last } }, destination.podClass);
    return { allowed: verdict.allowed, restricted: verdict.ingress.restrictions.length > 0 };
  }
  const range = destination as Extract<Peer, { family: 4 | 6 }>;
  const verdict = solver.explain((source as Extract<Peer, { podClass: PodClass }>).podClass, { family: range.family, range: { first: range.first, last: range.last } });
  return { allowed: verdict.allowed, restricted: verdict.egress.restrictions.length > 0 };
}

/**
 * NCA's recorded pod lists write `ports: {}` where a container has none; the API server (and
 * k8snet's loader) refuses that, while NCA reads it as no ports. The test hands such files over
 * with `ports: []`, so that their pods are part of the case as they are of NCA's.
 */
function withPortListsRepaired(input: { path: string; text: string }): { path: string; text: string } {
  if (!input.path.endsWith('.json') || !/"ports":\s*\{\s*\}/.test(input.text)) return input;
  return { path: input.path, text: input.text.replace(/"ports":(\s*)\{(\s*)\}/g, '"ports":$1[$2]') };
}

/** NCA names a workload `ns/name[Kind]`; k8snet's ids are the same, bare pods included (`[Pod]`). */
function ncaWorkloadLabel(id: string): string {
  return id;
}

function peerLabel(peer: NcaPeer): string {
  switch (peer.type) {
    case 'workload': return `${peer.namespace}/${peer.name}[${peer.kind}]`;
    case 'pod': return `${peer.namespace}/${peer.name}`;
    case 'addresses': return peer.first === peer.last ? peer.first : `${peer.first}-${peer.last}`;
    case 'name': return peer.name;
  }
}

/** The L4 connections of an edge within its section; whether it had L7 criteria; what k8snet cannot express. */
function connectionsOf(edge: NcaEdge, section: Section): { connections: ConnectionSet; l7: boolean; inexpressible?: string } {
  const universe = UNIVERSE[section];
  const { connections } = edge;
  if (connections.type === 'all') return { connections: universe, l7: false };
  const spec = connections.spec;
  const destinations = specSet(spec, section).intersect(universe);
  // Source ports (`src_ports:80-100`) limit the TCP, UDP and SCTP connections of the spec.
  const set = spec.srcPorts ? destinations.fromSourcePorts(spec.srcPorts) : destinations;
  const l7 = spec.methods !== undefined || spec.paths !== undefined || spec.hosts !== undefined;
  if (connections.type === 'all-but') {
    // `All but {methods: GET}` at L4 is everything; only port criteria take connections away.
    const l4Only = spec.dstPorts !== undefined || spec.protocols !== undefined || spec.srcPorts !== undefined;
    return { connections: l4Only ? universe.subtract(set) : universe, l7 };
  }
  return { connections: set, l7 };
}

const PORT_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function specSet(spec: NcaConnectionSpec, section: Section): ConnectionSet {
  const protocols = spec.protocols ?? (section === 'TCP' ? ['TCP'] : undefined);
  let base = ConnectionSet.EMPTY;
  if (protocols === undefined) {
    base = UNIVERSE[section];
  } else {
    for (const protocol of protocols) {
      const upper = protocol.toUpperCase();
      if ((PORT_PROTOCOLS as readonly string[]).includes(upper)) base = base.union(ConnectionSet.ofProtocol(upper as Protocol));
      else if (upper === 'ICMP') base = base.union(ConnectionSet.ofIcmp('ICMP'));
      else if (upper === 'ICMPV6') base = base.union(ConnectionSet.ofIcmp('ICMPv6'));
      else {
        const number = ConnectionSet.protocolNumberOf(protocol);
        if (number !== undefined) base = base.union(ConnectionSet.ofProtocolNumber(number));
      }
    }
  }
  if (spec.dstPorts === undefined) return base;
  let ports = ConnectionSet.EMPTY;
  for (const protocol of PORT_PROTOCOLS) {
    for (const [from, to] of spec.dstPorts) ports = ports.union(ConnectionSet.ofPorts(protocol, from, to));
  }
  return base.intersect(ports);
}

function describe(set: ConnectionSet): string {
  return set.isEmpty() ? 'nothing' : set.describe();
}
