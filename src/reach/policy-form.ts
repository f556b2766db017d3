import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { AddressRange, IpFamily } from '../model/cidr.js';
import type { ContainerPort, Pod, Protocol } from '../model/types.js';
import type { BitSet } from './bitset.js';
import type { ConnectionSet } from './connection-set.js';
import { isWholeFamily } from './policies/ranges.js';

/** Traffic direction as a policy sees it from the endpoint it applies to. */
export type Direction = 'ingress' | 'egress';

/**
 * Pods that no policy can tell apart: same namespace, labels, container ports, host networking
 * and, where an address peer or a node peer tells them apart, same address and node. The solver
 * works on classes, so 10,000 replicas cost what one does.
 */
export interface PodClass {
  readonly index: number;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /**
   * True for hostNetwork pods when their traffic is taken as node traffic: no policy isolates
   * them and no pod or namespace selector matches them.
   */
  readonly outsidePolicy: boolean;
  readonly pods: readonly Pod[];
}

/** An address range outside the cluster, as the other side of a verdict. */
export interface AddressPeer {
  readonly family: IpFamily;
  readonly range: AddressRange;
}

/**
 * Something that is neither a pod class nor an address: a pod of unknown namespace and labels
 * (the ingress controller), and whatever later kinds need (a node, an entity such as Cilium's
 * `host`). A rule matches it when its `entities` name one of its tags.
 */
export interface EntityPeer {
  readonly entity: string;
  readonly tags: readonly string[];
  /** Where rules' address peers may match it (a node's addresses, the space a DNS name may resolve to). */
  readonly addresses?: EntityAddresses;
  /** The node whose host namespace it is, when policies that select nodes (host policies) may apply to it. */
  readonly node?: string;
}

/**
 * The addresses of an entity peer, for rules that name addresses: a rule's address peers match
 * the entity only when they contain all of them (a name outside the cluster may resolve to any
 * address of its ranges; rules containing only part of them are said, never counted).
 */
export interface EntityAddresses {
  /** Per family, sorted and disjoint; a family without ranges is not asked about. */
  readonly ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
  /**
   * True for addresses inside the cluster (a node's): only address peers whose `podAddressMatch`
   * is `always` or `nodes` match them; `plugin-dependent` ones are said, `never` ones do not match.
   */
  readonly inCluster: boolean;
}

/** A pod of unknown namespace and labels (the ingress controller): only rules admitting every pod match it. */
export const ANY_POD: EntityPeer = Object.freeze({ entity: 'any-pod', tags: Object.freeze(['any-pod']) });

/** The other side of a verdict: a pod class, an address range, or an entity. */
export type Peer = PodClass | AddressPeer | EntityPeer;

/** Returns true when `peer` is a pod class. */
export function isPodClass(peer: Peer): peer is PodClass {
  return (peer as PodClass).index !== undefined;
}

/** Returns true when `peer` is an address range. */
export function isAddressPeer(peer: Peer): peer is AddressPeer {
  return (peer as AddressPeer).range !== undefined;
}

/** Returns true when `peer` is an entity (not a pod class, not an address). */
export function isEntityPeer(peer: Peer): peer is EntityPeer {
  return (peer as EntityPeer).entity !== undefined;
}

/** What a rule does with the connections it matches. */
export type RuleAction =
  /** The connections are allowed at this enforcement point; later stages are not asked. */
  | 'allow'
  /** The connections are denied; later stages are not asked. */
  | 'deny'
  /** The rest of this stage is skipped for these connections: the next stage decides. */
  | 'pass'
  /** Recorded (Calico's Log) but not decided: later rules of the stage decide. */
  | 'log';

/**
 * How the rules of one stage combine for an endpoint the stage applies to:
 * - `first-match`: rules in rank order; for each connection the first rule that matches it
 *   decides (AdminNetworkPolicy, ClusterNetworkPolicy, Calico tiers, Istio's DENY-then-ALLOW);
 * - `deny-overrides`: every matching rule counts; a deny anywhere wins over any allow, allows add
 *   up (Kubernetes NetworkPolicy, Cilium's one policy repository).
 */
export type StageCombination = 'first-match' | 'deny-overrides';

/**
 * What a stage does with connections of an endpoint it applies to (some policy of the stage
 * selects the endpoint and isolates it) that no rule decided: deny them (NetworkPolicy, a Calico
 * tier with defaultAction Deny, Cilium's default deny, Istio's ALLOW policies), allow them, or
 * pass them to the next stage (admin tiers; a Calico tier with defaultAction Pass).
 */
export type UnmatchedAction = 'deny' | 'allow' | 'pass';

/**
 * One stage of an enforcement point: a tier of policies with one way of combining their rules.
 * Stages are evaluated in `order`; connections a stage passes (or that it leaves undecided for an
 * endpoint it does not isolate) go to the next one.
 */
export interface StageDefinition {
  /** Unique id: `admin`, `networkpolicy`, `baseline`, `calico:tier:security`... */
  readonly id: string;
  /** The enforcement point the stage belongs to. */
  readonly point: string;
  /** Position among the stages of its point; lower goes first. */
  readonly order: number;
  readonly combination: StageCombination;
  readonly unmatched: UnmatchedAction;
  /** How explanations name the stage: `Admin tier`, `NetworkPolicy`, `Baseline tier`. */
  readonly label: string;
  /**
   * For a first-match stage that isolates by its end (a Calico tier): what its end does to what
   * none of its rules matched, as answers say it. Without it, answers say only that no rule allows it.
   */
  readonly deniedAtEnd?: string;
}

/**
 * A place where traffic is checked, every one of which must allow a connection: the network
 * plugin (`cni`), a service mesh's proxies (`mesh`). Connections no stage of the point decides
 * get `unmatched` (allow: Kubernetes' default, Calico's profiles, a mesh without policies).
 */
export interface EnforcementPoint {
  readonly id: string;
  readonly label: string;
  readonly unmatched: 'allow' | 'deny';
}

/**
 * A condition above L4 that a rule adds and the analysis does not decide (HTTP methods and paths,
 * DNS names, TLS server names, identities): the L4 answer stands, and the restriction travels
 * with the verdict so that the answer says "further restricted at L7 by <rule>".
 */
export interface NamedRestriction {
  /** `L7`, `FQDN`, `identity`... */
  readonly layer: string;
  /** What it restricts to, in the user's words: `GET /public`, `*.example.com`. */
  readonly description: string;
  /**
   * What the restriction leaves to the running cluster for some of the policy's subject classes
   * (by class index): a Cilium toFQDNs rule's names whose addresses the DNS proxy never learns
   * for those pods. Said with answers about the peers concerned, and by lint.
   */
  readonly shortfallsBySubject?: ReadonlyMap<number, SubjectShortfall>;
}

/** What a restriction cannot do for one subject class (see NamedRestriction.shortfallsBySubject). */
export interface SubjectShortfall {
  /** The parts of the restriction concerned, as written: `api.github.com`, `*.example.com`. */
  readonly parts: readonly string[];
  /** Why, as a clause: `no DNS rule (toPorts[].rules.dns) of the policies selecting the pod sends its lookups through Cilium's DNS proxy`. */
  readonly because: string;
  /** The caveat an answer about a peer concerned carries. */
  readonly caveat: string;
  /** The entity tags of the peers concerned (`fqdn:api.github.com.`, `fqdn-pattern:*.example.com.`). */
  readonly peerTags: readonly string[];
}

/** Where a rule comes from, for explanations: kind, object, JSON path (hence file:line). */
export interface RuleSource {
  /** The kind as written: `NetworkPolicy`, `AdminNetworkPolicy`, `ClusterNetworkPolicy`. */
  readonly kind: string;
  /** The policy as people name it: `namespace/name`, or `name` for a cluster-scoped one. */
  readonly policyLabel: string;
  /** The rule as people name it: `ingress[0]`, or the rule's own name. */
  readonly ruleLabel: string;
  readonly object: ManifestObject;
  /** Path of the rule inside `object`. */
  readonly path: FieldPath;
  /** The action as the kind spells it: `Allow`, `Accept`, `Deny`, `Pass`. */
  readonly actionName: string;
  /** For a Pass rule: what it hands the connections to (`NetworkPolicy`, `the default (allowed)`). */
  readonly passTo?: string;
  /** Where the policy ranks, in words, when the kind has ranks: `Admin tier, priority 85`. */
  readonly rank?: string;
  /** Fields of the kind that JSON outputs add to the rule (`tier`, `priority`). */
  readonly details?: Readonly<Record<string, string | number>>;
  /** The rule's peers in kubectl terms, computed on demand (explanations only). */
  readonly describePeers: () => string;
}

/**
 * Whether an address peer of a rule matches pod addresses: `always` (the kind says so: the Network
 * Policy API's `networks`), `never`, `nodes` (node addresses, hostNetwork pods' included, but no
 * pod IP: Cilium's CIDR selectors under `policy-cidr-match-mode: nodes`), or `plugin-dependent`
 * (NetworkPolicy's ipBlock: Calico applies it to pod IPs, Cilium does not; not matched here, and
 * said in a caveat).
 */
export type PodAddressMatch = 'always' | 'never' | 'nodes' | 'plugin-dependent';

/** A rule in the common form: which peers, which connections, what action, where from. */
export interface CompiledRule {
  readonly policy: CompiledPolicy;
  readonly direction: Direction;
  readonly action: RuleAction;
  /** True when the rule matches every peer: every pod, every address, every entity. */
  readonly matchesEveryPeer: boolean;
  /**
   * The classes its pod peers match (for kinds whose address peers match pod IPs, also the
   * classes whose pods' addresses they contain). Shared with other rules of the same peers:
   * read it, never change it.
   */
  readonly classes: BitSet;
  /** The addresses its address peers match, per family, sorted and disjoint. */
  readonly addressRanges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
  readonly podAddressMatch: PodAddressMatch;
  /** Tags of entity peers it matches (`any-pod` for a peer admitting every pod of every namespace). */
  readonly entities: ReadonlySet<string>;
  /** Ports with a number, ICMP and other protocols: the same towards every destination. */
  readonly numericPorts: ConnectionSet;
  /** Named ports, resolved on each destination pod; without a protocol, any protocol of that name. */
  readonly namedPorts: readonly { readonly name: string; readonly protocol?: Protocol }[];
  /**
   * The source ports the rule matches, as `[from, to]` runs, when it names some (Calico's
   * `source.ports`); `numericPorts` is already limited to them, named ports are once resolved.
   */
  readonly sourcePorts?: readonly (readonly [number, number])[];
  /** Conditions above L4 that travel with what the rule allows. */
  readonly restrictions: readonly NamedRestriction[];
  /**
   * Peers the rule names that the analysis cannot place (domain names, without the addresses they
   * resolve to): matched by nothing here, and said in the answer (`the domain names a.io, b.io`).
   */
  readonly unmodelledPeers?: string;
  /**
   * Peers named relative to the node of the pod the rule applies to (Cilium's `host` and
   * `remote-node`): a hostNetwork pod is one or the other depending on where both run, which a
   * class does not tell. Not matched by class; said in answers about hostNetwork pods.
   */
  readonly nodeRelativePeers?: string;
  /**
   * Peers that select Nodes by their labels (the Network Policy API's `nodes`): a hostNetwork pod
   * matches when its Node's labels do; where the input does not give that Node, answers say so.
   */
  readonly nodeLabelPeers?: string;
  /** Position of the rule in its policy and direction (first-match order). */
  readonly position: number;
  readonly source: RuleSource;
  /** The kind's own model of the rule (a PolicyRule, an AdminRule...), for kind-specific lint rules. */
  readonly model: object;
}

/** What one policy does for one direction: the classes it applies to and its rules there. */
export interface PolicySide {
  readonly direction: Direction;
  /** The classes the policy applies to in this direction. */
  readonly subjects: BitSet;
  /**
   * True when the policy puts its subjects under the stage's `unmatched` action: a NetworkPolicy
   * with the direction in its policyTypes, a Cilium policy with rules (unless enableDefaultDeny
   * says otherwise). False for policies whose rules alone speak (admin tiers).
   */
  readonly isolates: boolean;
  readonly rules: readonly CompiledRule[];
  /**
   * Classes the policy's selector matches but that the plugin most likely leaves out
   * (hostNetwork pods under NetworkPolicy): said by lint, never evaluated.
   */
  readonly bypassed?: BitSet;
}

/** A policy of any kind in the common form. */
export interface CompiledPolicy {
  readonly kind: string;
  readonly name: string;
  /** The namespace of a namespaced policy. */
  readonly namespace?: string;
  /** `namespace/name` or `name`. */
  readonly label: string;
  readonly object: ManifestObject;
  /** The stage (tier) it belongs to. */
  readonly stage: string;
  /** Rank inside the stage, lower first (priority, order); ties broken by `name`. */
  readonly priority: number;
  readonly ingress?: PolicySide;
  readonly egress?: PolicySide;
  /** The kind's own model of the policy (a NetworkPolicy, an AdminNetworkPolicy...). */
  readonly model: object;
}

/**
 * True when a rule decides every connection with every peer: all ports and protocols, nothing left
 * to a layer above L4, and every peer - it says so, or it admits every pod and both whole address
 * families, which its kind matches against pod and node addresses too (`namespaces: {}` with
 * `networks: [0.0.0.0/0, ::/0]`). In rank order such a rule decides everything after it.
 */
export function decidesEveryConnection(rule: CompiledRule): boolean {
  if (rule.action === 'log' || !rule.numericPorts.isAll() || rule.namedPorts.length > 0 || rule.restrictions.length > 0) return false;
  return rule.matchesEveryPeer || (rule.entities.has(ANY_POD.entity) && rule.podAddressMatch === 'always'
    && isWholeFamily(rule.addressRanges[4]) && isWholeFamily(rule.addressRanges[6]));
}
