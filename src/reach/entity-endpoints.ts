/**
 * Endpoints of `can-reach` that are neither pods nor addresses the manifests give: a node's host
 * namespace (`node:NAME`) and a DNS name outside the cluster (`fqdn:NAME`). They are endpoints
 * under every plugin; what each kind's rules make of them is in the common form's entity tags and
 * entity addresses (policy-form.ts), so the one evaluator answers for them as for any peer.
 *
 * Extension point: ENTITY_ENDPOINT_KINDS (a prefix and how to resolve the name after it) and
 * ENTITY_TAGGERS (tags a dialect adds to an entity from its compiled rules, as Cilium's toFQDNs
 * patterns do). Another kind of peer (a mesh's external hosts, a plugin's host endpoints) is one
 * entry in each, without touching can-reach.
 */
import { mergeRanges, parseAddress, parseCidr, type AddressRange, type IpFamily } from '../model/cidr.js';
import type { ResourceGraph } from '../model/graph.js';
import type { Pod } from '../model/types.js';
import { publicIpv4Ranges } from './ip-ranges.js';
import { ciliumFqdnPatternTags, fqdnTag, nodeTag } from './policies/cilium.js';
import { dnsNamePeer } from './policies/istio-egress.js';
import type { CompiledRule, EntityAddresses, EntityPeer } from './policy-form.js';

/** A `can-reach` argument naming an entity: what it is, and what the answer must say about it. */
export interface EntityEndpoint {
  readonly type: 'entity';
  /** The prefix without its colon: `node`, `fqdn`. */
  readonly kind: string;
  /** The name after the prefix, as written. */
  readonly name: string;
  readonly label: string;
  /**
   * `node`: a node of the cluster, seen by a pod as its own node (`host`) or another one
   * (`remote-node`); `external`: outside the cluster.
   */
  readonly placement: 'node' | 'external';
  /** Tags every rule's entity peers are matched against (the relation to a pod's node aside). */
  readonly tags: readonly string[];
  /** Where rules' address peers may match it. */
  readonly addresses: EntityAddresses;
  /** Sentences the answer carries about what k8snet knows of it. */
  readonly notes: readonly string[];
  /** A Service in front of it that forwards a port to another (the kubernetes Service: 443 to the API server's own port). */
  readonly forwards?: { readonly from: number; readonly to: number; readonly service: string };
  /** For a name: where the pods asking about it look it up (cluster DNS), when the question says. */
  readonly resolvedThrough?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
}

/** How one prefix of entity endpoints is resolved: an endpoint, or why the name is refused. */
export interface EntityEndpointKind {
  readonly prefix: string;
  readonly resolve: (graph: ResourceGraph, name: string) => EntityEndpoint | { readonly error: string };
}

/** Adds tags to an entity from the compiled rules (a dialect's patterns that match its name). */
export type EntityTagger = (endpoint: EntityEndpoint, rules: readonly CompiledRule[]) => readonly string[];

/** `node:NAME`: the host namespace of a node (hostNetwork pods included). */
const NODE_ENDPOINT: EntityEndpointKind = {
  prefix: 'node',
  resolve(graph, name) {
    const node = graph.nodes.find((candidate) => candidate.name === name);
    const notes: string[] = [];
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    if (node) {
      for (const text of node.addresses) {
        const address = parseAddress(text);
        if (address) ranges[address.family].push({ first: address.value, last: address.value });
      }
      for (const family of [4, 6] as const) ranges[family].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
      if (node.addresses.length === 0) notes.push(`Node ${name} states no addresses (status.addresses): rules that name addresses cannot be matched against it.`);
    } else {
      const known = knownNodeNames(graph);
      if (known.length > 0 && !known.includes(name)) {
        const close = known.filter((candidate) => candidate.includes(name) || name.includes(candidate)).slice(0, 3);
        return { error: `no node ${name} in the manifests (nodes: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''})${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}` };
      }
      notes.push(known.includes(name)
        ? `The manifests place pods on ${name} but hold no Node ${name}: its labels and addresses are unknown, so rules that select nodes by label or address cannot match it.`
        : `The manifests hold no Node ${name}: its labels and addresses are unknown, so rules that select nodes by label or address cannot match it, and which pods run on it is unknown.`);
    }
    return {
      type: 'entity', kind: 'node', name, label: `node:${name}`, placement: 'node',
      tags: [nodeTag(name)], addresses: { ranges, inCluster: true }, notes,
    };
  },
};

/** `fqdn:NAME`: a DNS name outside the cluster; k8snet does not resolve it. */
const FQDN_ENDPOINT: EntityEndpointKind = {
  prefix: 'fqdn',
  resolve(_graph, name) {
    const bare = name.endsWith('.') ? name.slice(0, -1) : name;
    if (!/^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$/.test(bare)) {
      return { error: `'${name}' is not a DNS name: write fqdn:api.example.com` };
    }
    return {
      type: 'entity', kind: 'fqdn', name, label: `fqdn:${name}`, placement: 'external',
      // `world`: everything outside the cluster, as rules that name it mean it.
      tags: ['world', fqdnTag(name)],
      addresses: { ranges: { 4: publicIpv4Ranges(), 6: [] }, inCluster: false },
      notes: [`k8snet does not resolve ${name}: answered for a public IPv4 address outside the cluster; rules that name only some addresses (ipBlock, CIDR) are said in caveats, not counted.`],
    };
  },
};

/** The API server's addresses and own port as `.k8snet.yaml` cluster.apiServer states them. */
export interface ApiServerFacts {
  readonly addresses?: readonly string[];
  readonly port?: number;
}

/** The text that names the API server as an endpoint of `can-reach`. */
export const API_SERVER_ENDPOINT = 'kube-apiserver';

/**
 * `kube-apiserver`: the Kubernetes API server. Pods reach it through Service default/kubernetes
 * (the first address of the Service range, port 443), which forwards to the API server's own
 * addresses and port - those are what policies see. Cilium's rules name it (the `kube-apiserver`
 * entity, and `cluster` and `all`, which hold it, wherever it runs); other kinds reach it only by
 * address: `cluster.apiServer.addresses` when stated, else unknown, and then rules naming addresses
 * are said in caveats, never counted. On the control-plane nodes or not, its address is a cluster
 * address rather than a pod's: NetworkPolicy ipBlocks match it as the plugin applies them to such
 * addresses (said), Calico's nets and the Network Policy API's networks as written.
 */
export function apiServerEndpoint(facts: ApiServerFacts = {}): EntityEndpoint {
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const text of facts.addresses ?? []) {
    const cidr = text.includes('/') ? parseCidr(text) : undefined;
    if (cidr && !('error' in cidr)) {
      ranges[cidr.family].push(cidr.range);
      continue;
    }
    const address = parseAddress(text);
    if (address) ranges[address.family].push({ first: address.value, last: address.value });
  }
  const stated = ranges[4].length + ranges[6].length > 0;
  const notes = [
    stated
      ? `The API server is at ${(facts.addresses ?? []).join(', ')} (cluster.apiServer.addresses in .k8snet.yaml).`
      : 'The manifests do not give the API server\'s addresses (cluster.apiServer.addresses in .k8snet.yaml states them): rules that name addresses are said in caveats, not counted; Cilium\'s kube-apiserver, cluster and all entities match it wherever it runs.',
    facts.port !== undefined
      ? `Pods reach it through Service default/kubernetes, port 443, forwarded to the API server's own port ${facts.port} (cluster.apiServer.port), which policies see.`
      : 'Pods reach it through Service default/kubernetes, port 443, forwarded to the API server\'s own port, which policies see: 6443 on kubeadm, kind and k3s clusters, 443 on GKE, EKS and AKS (cluster.apiServer.port in .k8snet.yaml states it); ask about that port.',
  ];
  return {
    type: 'entity', kind: API_SERVER_ENDPOINT, name: API_SERVER_ENDPOINT, label: API_SERVER_ENDPOINT, placement: 'external',
    tags: ['kube-apiserver'],
    addresses: { ranges: { 4: mergeRanges(ranges[4]), 6: mergeRanges(ranges[6]) }, inCluster: true },
    notes,
    ...(facts.port !== undefined ? { forwards: { from: 443, to: facts.port, service: 'default/kubernetes' } } : {}),
  };
}

/** Every prefix of entity endpoints `can-reach` accepts. */
export const ENTITY_ENDPOINT_KINDS: readonly EntityEndpointKind[] = [NODE_ENDPOINT, FQDN_ENDPOINT];

/** Every dialect's tagger of entities: Cilium's toFQDNs patterns, and the ServiceEntry hosts (wildcards too) that cover a name in Istio. */
export const ENTITY_TAGGERS: readonly EntityTagger[] = [
  (endpoint, rules) => (endpoint.kind === 'fqdn' ? ciliumFqdnPatternTags(endpoint.name, rules) : []),
  (endpoint) => (endpoint.kind === 'fqdn' ? dnsNamePeer(endpoint.name).tags : []),
];

/** Returns true when `text` starts with the prefix of an entity endpoint (`node:`, `fqdn:`). */
export function isEntityEndpointText(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && ENTITY_ENDPOINT_KINDS.some((kind) => kind.prefix === text.slice(0, colon));
}

/**
 * Resolves `PREFIX:NAME` when PREFIX is an entity endpoint's; undefined for any other text;
 * `{ error }` when the prefix is known and the name is refused.
 */
export function resolveEntityEndpoint(graph: ResourceGraph, text: string): EntityEndpoint | { readonly error: string } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = ENTITY_ENDPOINT_KINDS.find((candidate) => candidate.prefix === text.slice(0, colon));
  if (!kind) return undefined;
  const name = text.slice(colon + 1);
  if (name === '') return { error: `'${text}' names no ${kind.prefix}: write ${kind.prefix}:NAME` };
  return kind.resolve(graph, name);
}

/** Where a pod runs relative to a node: on it, elsewhere, or one of both (unknown, or a DaemonSet's pods on it and elsewhere). */
export type NodeRelation = 'local' | 'remote';

/**
 * The relations a pod may have to node `name`: one when its placement says, both when it does not
 * (no Nodes in the input, one of several admitted nodes) or when it runs on several (a DaemonSet).
 */
export function nodeRelations(pod: Pod, name: string): readonly NodeRelation[] {
  const placement = pod.scheduling?.placement;
  if (placement?.kind === 'node') return [placement.node === name ? 'local' : 'remote'];
  if (placement?.kind === 'nodes') {
    const includes = placement.nodes.includes(name);
    if (!includes) return ['remote'];
    return placement.nodes.length === 1 ? ['local'] : ['local', 'remote'];
  }
  return ['local', 'remote'];
}

/**
 * The entity peer an endpoint stands for towards a pod: a node is `host` to the pods on it and
 * `remote-node` to the others (`relation`); the taggers add what dialects' rules name of it.
 */
export function entityPeerOf(endpoint: EntityEndpoint, rules: readonly CompiledRule[], relation?: NodeRelation): EntityPeer {
  const tags = new Set(endpoint.tags);
  if (endpoint.placement === 'node' && relation) tags.add(relation === 'local' ? 'host' : 'remote-node');
  for (const tagger of ENTITY_TAGGERS) for (const tag of tagger(endpoint, rules)) tags.add(tag);
  return { entity: endpoint.label, tags: [...tags], addresses: endpoint.addresses, ...(endpoint.placement === 'node' ? { node: endpoint.name } : {}) };
}

/** The names of the nodes the input knows: its Nodes and the nodes pods are placed on. */
function knownNodeNames(graph: ResourceGraph): string[] {
  const names = new Set(graph.nodes.map((node) => node.name));
  for (const pod of graph.pods) {
    const placement = pod.scheduling?.placement;
    if (placement?.kind === 'node') names.add(placement.node);
  }
  return [...names].sort();
}
