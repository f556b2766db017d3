import type { ManifestObject } from '../load/manifest-object.js';
import { formatPath, type FieldPath } from '../load/path.js';
import { parseCidr } from './cidr.js';
import { parseLabelSelector, type LabelSelector } from './label-selector.js';
import type {
  ClusterNetworkPolicy, ClusterPolicyAction, ClusterPolicyPeer, ClusterPolicyProtocol, ClusterPolicyRule, NetworkCidr, Protocol,
} from './types.js';

type Raw = Record<string, any>;

/** A value the API server rejects, at a path of the object. */
export interface ClusterPolicyProblem {
  readonly path: FieldPath;
  readonly message: string;
}

const ACTIONS: readonly ClusterPolicyAction[] = ['Accept', 'Deny', 'Pass'];
const PROTOCOL_KEYS: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
/** The API's limit on rules per direction, peers per rule, protocols per rule and CIDRs per peer. */
const MAX_ITEMS = 25;

/**
 * Reads a ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) as the API server validates it
 * (clusternetworkpolicy_types.go): `tier` Admin or Baseline, `priority` 0-1000, `subject` with
 * exactly one of `namespaces` and `pods`, rules with `action` Accept, Deny or Pass and at least one
 * peer, each peer exactly one field (ingress: namespaces or pods; egress also networks, nodes and
 * domainNames, the last only in Accept rules), `protocols` entries with exactly one field, port
 * ranges with start below end, no named port towards networks, nodes or domain names. Returns the
 * policy, or the problems that make the API server reject it.
 */
export function readClusterNetworkPolicy(object: ManifestObject): { policy?: ClusterNetworkPolicy; problems: ClusterPolicyProblem[] } {
  const spec: Raw = (object.value.spec as Raw) ?? {};
  const problems: ClusterPolicyProblem[] = [];
  const problem = (path: FieldPath, message: string) => problems.push({ path, message });
  const selector = (raw: unknown, path: FieldPath): LabelSelector | undefined => {
    const parsed = parseLabelSelector(raw ?? {});
    for (const entry of parsed.problems) problem([...path, ...entry.path], `${formatPath(path)}: ${entry.message}`);
    return parsed.selector;
  };
  const tier = spec.tier;
  if (tier !== 'Admin' && tier !== 'Baseline') problem(['spec', 'tier'], `spec.tier must be Admin or Baseline, not ${JSON.stringify(tier)}`);
  const priority = spec.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 1000) {
    problem(['spec', 'priority'], `spec.priority must be a whole number from 0 to 1000, not ${JSON.stringify(priority)}`);
  }
  const subject = readSubject(spec.subject, selector, problem);
  const rules = (direction: 'ingress' | 'egress'): ClusterPolicyRule[] => {
    const raw = spec[direction];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      problem(['spec', direction], `spec.${direction} must be a list`);
      return [];
    }
    if (raw.length > MAX_ITEMS) problem(['spec', direction], `spec.${direction} has ${raw.length} rules; the API allows at most ${MAX_ITEMS}`);
    return raw.map((rule: Raw, index: number) => readRule(direction, rule ?? {}, ['spec', direction, index], selector, problem));
  };
  const ingress = rules('ingress');
  const egress = rules('egress');
  if (problems.length > 0 || !subject) return { problems };
  return { policy: { name: object.name, tier, priority, subject, ingress, egress, source: object }, problems };
}

function readSubject(
  raw: Raw | undefined,
  selector: (raw: unknown, path: FieldPath) => LabelSelector | undefined,
  problem: (path: FieldPath, message: string) => void,
): ClusterNetworkPolicy['subject'] | undefined {
  const fields = Object.keys(raw ?? {}).filter((key) => raw![key] !== undefined && raw![key] !== null);
  if (fields.length !== 1 || (fields[0] !== 'namespaces' && fields[0] !== 'pods')) {
    problem(['spec', 'subject'], 'spec.subject needs exactly one of namespaces and pods');
    return undefined;
  }
  if (fields[0] === 'namespaces') {
    const namespaceSelector = selector(raw!.namespaces, ['spec', 'subject', 'namespaces']);
    return namespaceSelector ? { namespaceSelector } : undefined;
  }
  const namespaceSelector = selector(raw!.pods.namespaceSelector, ['spec', 'subject', 'pods', 'namespaceSelector']);
  const podSelector = selector(raw!.pods.podSelector, ['spec', 'subject', 'pods', 'podSelector']);
  return namespaceSelector && podSelector ? { namespaceSelector, podSelector } : undefined;
}

function readRule(
  direction: 'ingress' | 'egress',
  rule: Raw,
  path: FieldPath,
  selector: (raw: unknown, path: FieldPath) => LabelSelector | undefined,
  problem: (path: FieldPath, message: string) => void,
): ClusterPolicyRule {
  const action = rule.action as ClusterPolicyAction;
  if (!ACTIONS.includes(action)) problem([...path, 'action'], `action must be one of ${ACTIONS.join(', ')}, not ${JSON.stringify(rule.action)}`);
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const rawPeers: unknown = rule[peerKey];
  // "This field must be defined and contain at least one item."
  if (!Array.isArray(rawPeers) || rawPeers.length === 0) problem([...path, peerKey], `${formatPath([...path, peerKey])} must list at least one peer`);
  else if (rawPeers.length > MAX_ITEMS) problem([...path, peerKey], `${formatPath([...path, peerKey])} has ${rawPeers.length} peers; the API allows at most ${MAX_ITEMS}`);
  const peers = (Array.isArray(rawPeers) ? rawPeers : []).map((peer: Raw, index: number) => readPeer(direction, action, peer ?? {}, [...path, peerKey, index], selector, problem));
  let protocols: ClusterPolicyProtocol[] | undefined;
  if (rule.protocols !== undefined && rule.protocols !== null) {
    if (!Array.isArray(rule.protocols) || rule.protocols.length === 0) problem([...path, 'protocols'], `${formatPath([...path, 'protocols'])} must list at least one protocol when given`);
    protocols = (Array.isArray(rule.protocols) ? rule.protocols : []).flatMap((entry: Raw, index: number) => readProtocol(entry ?? {}, [...path, 'protocols', index], problem));
    const namedPort = protocols.find((entry) => 'namedPort' in entry);
    if (namedPort && peers.some((peer) => peer.networks || peer.nodes || peer.domainNames)) {
      problem(namedPort.path, 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames');
    }
  }
  const name = typeof rule.name === 'string' && rule.name !== '' ? rule.name : `${direction}[${path[2]}]`;
  return { name, action, peers, ...(protocols ? { protocols } : {}), path };
}

function readPeer(
  direction: 'ingress' | 'egress',
  action: ClusterPolicyAction,
  peer: Raw,
  path: FieldPath,
  selector: (raw: unknown, path: FieldPath) => LabelSelector | undefined,
  problem: (path: FieldPath, message: string) => void,
): ClusterPolicyPeer {
  const allowed = direction === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'networks', 'nodes', 'domainNames'];
  const fields = Object.keys(peer).filter((key) => peer[key] !== undefined && peer[key] !== null);
  if (fields.length !== 1 || !allowed.includes(fields[0])) {
    problem(path, `${formatPath(path)} needs exactly one of ${allowed.join(', ')}`);
    return { path };
  }
  switch (fields[0]) {
    case 'namespaces':
      return { namespaceSelector: selector(peer.namespaces, [...path, 'namespaces']), path };
    case 'pods':
      return {
        namespaceSelector: selector(peer.pods.namespaceSelector, [...path, 'pods', 'namespaceSelector']),
        podSelector: selector(peer.pods.podSelector, [...path, 'pods', 'podSelector']),
        path,
      };
    case 'nodes':
      return { nodes: selector(peer.nodes, [...path, 'nodes']), path };
    case 'networks': {
      const texts: unknown[] = Array.isArray(peer.networks) ? peer.networks : [];
      if (texts.length === 0 || texts.length > MAX_ITEMS) problem([...path, 'networks'], `networks must list 1 to ${MAX_ITEMS} CIDRs`);
      const networks: NetworkCidr[] = texts.flatMap((text, index) => {
        const cidr = parseCidr(String(text));
        if ('error' in cidr) {
          problem([...path, 'networks', index], cidr.error);
          return [];
        }
        return [{ text: String(text), ranges: { family: cidr.family, ranges: [cidr.range] } }];
      });
      return { networks, path };
    }
    default: {
      // "DomainNames is only supported for Accept rules."
      if (action !== 'Accept') problem([...path, 'domainNames'], 'domainNames peers are only allowed in Accept rules');
      const names: unknown[] = Array.isArray(peer.domainNames) ? peer.domainNames : [];
      return { domainNames: names.map(String), path };
    }
  }
}

function readProtocol(entry: Raw, path: FieldPath, problem: (path: FieldPath, message: string) => void): ClusterPolicyProtocol[] {
  const fields = Object.keys(entry).filter((key) => entry[key] !== undefined && entry[key] !== null);
  if (fields.length !== 1 || !(fields[0] in PROTOCOL_KEYS || fields[0] === 'destinationNamedPort')) {
    problem(path, `${formatPath(path)} needs exactly one of tcp, udp, sctp and destinationNamedPort`);
    return [];
  }
  if (fields[0] === 'destinationNamedPort') return [{ namedPort: String(entry.destinationNamedPort), path }];
  const protocol = PROTOCOL_KEYS[fields[0]];
  const port = entry[fields[0]]?.destinationPort;
  // The protocol entries have MinProperties 1: `tcp: {}` is rejected.
  if (port === undefined || port === null) {
    problem([...path, fields[0]], `${fields[0]} needs destinationPort`);
    return [];
  }
  if (typeof port.number === 'number') return [{ protocol, from: port.number, to: port.number, path }];
  if (port.range) {
    const { start, end } = port.range;
    if (!(typeof start === 'number' && typeof end === 'number' && start < end)) {
      problem([...path, fields[0], 'destinationPort', 'range'], `range start ${JSON.stringify(start)} must be less than end ${JSON.stringify(end)}`);
      return [];
    }
    return [{ protocol, from: start, to: end, path }];
  }
  problem([...path, fields[0], 'destinationPort'], 'destinationPort needs number or range');
  return [];
}
