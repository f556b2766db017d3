/**
 * Cilium's entities (`fromEntities`/`toEntities`): names for peers without labels of their own.
 * Meanings from the policy documentation (Layer 3 Policies, "Entities based") and the selectors
 * each entity stands for (cilium/cilium `pkg/policy/api/entity.go`, `InitEntities`).
 */

/** The entities the CiliumNetworkPolicy CRD accepts. */
export type CiliumEntity =
  | 'all' | 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'health' | 'init' | 'unmanaged' | 'none';

/**
 * The kinds of peer an analysis of manifests meets, as Cilium classifies them:
 * - `pod`: a pod Cilium manages in this cluster (every non-hostNetwork pod of the manifests);
 * - `host`: the node the subject endpoint runs on, including its hostNetwork pods;
 * - `remote-node`: any other node, including its hostNetwork pods;
 * - `kube-apiserver`: the API server (an address outside the cluster, or a node that runs it);
 * - `world`: an address outside the cluster;
 * - `health`, `init`, `ingress`, `unmanaged`: Cilium's own endpoints and pods it does not manage.
 */
export type CiliumPeerKind = 'pod' | 'host' | 'remote-node' | 'kube-apiserver' | 'world' | 'health' | 'init' | 'ingress' | 'unmanaged';

/** What each entity matches, by peer kind, with its meaning in the docs' words. */
export const CILIUM_ENTITIES: Readonly<Record<CiliumEntity, { readonly matches: readonly CiliumPeerKind[]; readonly meaning: string }>> = {
  all: {
    matches: ['pod', 'host', 'remote-node', 'kube-apiserver', 'world', 'health', 'init', 'ingress', 'unmanaged'],
    meaning: 'every peer: all clusters and the world',
  },
  world: {
    matches: ['world'],
    meaning: 'every address outside the cluster (the same as 0.0.0.0/0 and ::/0; never a pod or a node)',
  },
  // InitEntities: host, remote-node, init, ingress, health, unmanaged, kube-apiserver and every
  // endpoint labelled io.cilium.k8s.policy.cluster=<this cluster>, i.e. every pod of the cluster.
  cluster: {
    matches: ['pod', 'host', 'remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged'],
    meaning: 'everything inside the cluster: its pods, its nodes (host and remote-node), the kube-apiserver, and Cilium\'s init, health, ingress and unmanaged endpoints',
  },
  host: { matches: ['host'], meaning: 'the local node, including its hostNetwork pods' },
  'remote-node': { matches: ['remote-node'], meaning: 'every other node, including its hostNetwork pods' },
  'kube-apiserver': { matches: ['kube-apiserver'], meaning: 'the Kubernetes API server, inside or outside the cluster' },
  ingress: { matches: ['ingress'], meaning: 'the Cilium Envoy proxy that handles Ingress and Gateway traffic' },
  health: { matches: ['health'], meaning: 'Cilium\'s health-check endpoints, one per node' },
  init: { matches: ['init'], meaning: 'endpoints whose identity is not resolved yet' },
  unmanaged: { matches: ['unmanaged'], meaning: 'pods Cilium does not manage (part of the cluster)' },
  none: { matches: [], meaning: 'nothing' },
};

/** Returns true for a name the CRD accepts as an entity. */
export function isCiliumEntity(name: string): name is CiliumEntity {
  return Object.hasOwn(CILIUM_ENTITIES, name);
}

/** Returns true when `entity` matches a peer of kind `peer`. */
export function entityMatches(entity: CiliumEntity, peer: CiliumPeerKind): boolean {
  return CILIUM_ENTITIES[entity].matches.includes(peer);
}
