import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { Labels } from './label-selector.js';
import type { Cidr } from './cidr.js';
import type { CalicoSelector } from './calico-selector.js';

/**
 * Calico's objects as the graph holds them (projectcalico.org/v3 and crd.projectcalico.org/v1),
 * read with Calico's defaults and validated as Calico's API server and validator do; see
 * docs/calico.md for the semantics of every field and where each decision comes from.
 */

/** What a Calico rule does with the packets it matches. */
export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/** The API group an object was written in. */
export type CalicoApiGroup = 'projectcalico.org' | 'crd.projectcalico.org';

/** A selector as written at a field: its parsed tree and the path of the field. */
export interface CalicoSelectorField extends CalicoSelector {
  readonly path: FieldPath;
}

/** The protocol names Calico accepts (projectcalico.org/v3 validator) and their numbers. */
export const CALICO_PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136,
};

/** A protocol of a rule: a name Calico knows or a number from 1 to 255. */
export interface CalicoProtocol {
  /** The IP protocol number (TCP 6, UDP 17, ICMP 1, ICMPv6 58, SCTP 132, UDPLite 136...). */
  readonly number: number;
  /** As written: `TCP`, `136`. */
  readonly text: string;
  readonly path: FieldPath;
}

/** An ICMP match (`icmp` or `notICMP`): a type, and a code only with a type. */
export interface CalicoIcmpMatch {
  readonly type?: number;
  readonly code?: number;
  readonly path: FieldPath;
}

/** A port entry of an entity rule: a number, an inclusive range, or a name resolved on the endpoint. */
export type CalicoPort =
  | { readonly from: number; readonly to: number; readonly path: FieldPath }
  | { readonly name: string; readonly path: FieldPath };

/** Returns true for a named port entry. */
export function isNamedCalicoPort(port: CalicoPort): port is { readonly name: string; readonly path: FieldPath } {
  return (port as { name?: string }).name !== undefined;
}

/** A CIDR of `nets` or `notNets`, parsed (an address without a prefix is a single address). */
export interface CalicoNet {
  readonly text: string;
  readonly cidr: Cidr;
  readonly path: FieldPath;
}

/**
 * The source or destination of a rule (EntityRule). Every field present must match; an entity
 * rule with no field matches every packet.
 */
export interface CalicoEntityRule {
  readonly nets: readonly CalicoNet[];
  readonly notNets: readonly CalicoNet[];
  readonly selector?: CalicoSelectorField;
  readonly notSelector?: CalicoSelectorField;
  readonly namespaceSelector?: CalicoSelectorField;
  readonly serviceAccounts?: { readonly names: readonly string[]; readonly selector?: CalicoSelectorField; readonly path: FieldPath };
  /** A Kubernetes Service: its endpoints' addresses (and, as a destination, their ports). */
  readonly services?: { readonly name: string; readonly namespace?: string; readonly path: FieldPath };
  readonly ports: readonly CalicoPort[];
  readonly notPorts: readonly CalicoPort[];
  readonly path: FieldPath;
}

/** HTTP match criteria (application layer policy): kept to be said, never evaluated. */
export interface CalicoHttpMatch {
  readonly methods: readonly string[];
  readonly paths: readonly { readonly exact?: string; readonly prefix?: string }[];
  readonly path: FieldPath;
}

/** One rule of a Calico policy or profile. */
export interface CalicoRule {
  readonly action: CalicoAction;
  readonly protocol?: CalicoProtocol;
  readonly notProtocol?: CalicoProtocol;
  readonly icmp?: CalicoIcmpMatch;
  readonly notICMP?: CalicoIcmpMatch;
  readonly ipVersion?: 4 | 6;
  readonly source: CalicoEntityRule;
  readonly destination: CalicoEntityRule;
  readonly http?: CalicoHttpMatch;
  /** `metadata.annotations` of the rule: informative only. */
  readonly annotations: Labels;
  readonly direction: 'ingress' | 'egress';
  /** Position in its direction's list. */
  readonly index: number;
  readonly path: FieldPath;
}

/** The policy kinds Calico enforces, and their staged forms, which it does not. */
export type CalicoPolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

/** What a staged policy would do once committed (`spec.stagedAction`, default `Set`). */
export type CalicoStagedAction = 'Set' | 'Delete' | 'Learn' | 'Ignore';

/**
 * A Calico NetworkPolicy (namespaced) or GlobalNetworkPolicy, or a staged form of one. Selectors
 * are kept as written; src/model/calico-endpoints.ts derives what they select as Calico does.
 */
export interface CalicoPolicy {
  readonly kind: CalicoPolicyKind;
  readonly apiGroup: CalicoApiGroup;
  /** `metadata.name` as written (crd.projectcalico.org objects of the default tier often read `default.<name>`). */
  readonly name: string;
  /** The name Calico orders ties by and prints: `metadata.name`, less the `default.` storage prefix of crd.projectcalico.org objects. */
  readonly policyName: string;
  /** The namespace of a (Staged)NetworkPolicy. */
  readonly namespace?: string;
  /** `spec.tier`, `default` when unset. */
  readonly tier: string;
  /** `spec.order`; undefined means after every policy with an order (Felix sorts it as +Inf). */
  readonly order?: number;
  /** `spec.selector`; undefined when unset or empty, which means `all()`. */
  readonly selector?: CalicoSelectorField;
  /** GlobalNetworkPolicy `spec.namespaceSelector`. */
  readonly namespaceSelector?: CalicoSelectorField;
  readonly serviceAccountSelector?: CalicoSelectorField;
  /** Effective `types`: as written, or defaulted from the rules present. */
  readonly types: { readonly ingress: boolean; readonly egress: boolean; readonly stated: boolean };
  readonly ingress: readonly CalicoRule[];
  readonly egress: readonly CalicoRule[];
  /** Host-endpoint options of a GlobalNetworkPolicy. */
  readonly doNotTrack: boolean;
  readonly preDNAT: boolean;
  readonly applyOnForward: boolean;
  /** Hints that never change enforcement (`AssumeNeededOnEveryNode`). */
  readonly performanceHints: readonly string[];
  /** For a staged kind: the action it is staged with. */
  readonly stagedAction?: CalicoStagedAction;
  readonly source: ManifestObject;
}

/** A StagedKubernetesNetworkPolicy: a Kubernetes NetworkPolicy spec Calico reports on but does not enforce. */
export interface CalicoStagedKubernetesPolicy {
  readonly kind: 'StagedKubernetesNetworkPolicy';
  readonly name: string;
  readonly namespace: string;
  readonly stagedAction: CalicoStagedAction;
  readonly source: ManifestObject;
}

/** A Tier: its order among tiers and what happens to packets its policies leave undecided. */
export interface CalicoTier {
  readonly name: string;
  /** `spec.order`; undefined sorts after every ordered tier (the highest order). */
  readonly order?: number;
  readonly defaultAction: 'Deny' | 'Pass';
  /** True for a tier Calico creates itself (default, kube-admin, kube-baseline) when the manifests do not declare it. */
  readonly builtIn: boolean;
  readonly source?: ManifestObject;
}

/** A NetworkSet (namespaced) or GlobalNetworkSet: labelled addresses that rule selectors match. */
export interface CalicoNetworkSet {
  readonly kind: 'NetworkSet' | 'GlobalNetworkSet';
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Labels;
  readonly nets: readonly CalicoNet[];
  readonly source: ManifestObject;
}

/** A named port of an endpoint (HostEndpoint or WorkloadEndpoint `spec.ports`). */
export interface CalicoEndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: CalicoProtocol;
}

/** A HostEndpoint: interfaces of a node that Calico polices. */
export interface CalicoHostEndpoint {
  readonly name: string;
  readonly node: string;
  /** `*` for every interface of the node; undefined when the endpoint is found by its expectedIPs. */
  readonly interfaceName?: string;
  readonly expectedIPs: readonly string[];
  readonly labels: Labels;
  readonly profiles: readonly string[];
  readonly ports: readonly CalicoEndpointPort[];
  readonly source: ManifestObject;
}

/** A Profile: labels applied to the endpoints that name it, and rules evaluated after every tier. */
export interface CalicoProfile {
  readonly name: string;
  readonly labelsToApply: Labels;
  readonly ingress: readonly CalicoRule[];
  readonly egress: readonly CalicoRule[];
  readonly source: ManifestObject;
}

/** A WorkloadEndpoint as exported from a cluster (Calico makes one per Pod). */
export interface CalicoWorkloadEndpoint {
  readonly name: string;
  readonly namespace: string;
  /** The Pod it stands for (`spec.pod`), when Kubernetes orchestrates it. */
  readonly pod?: string;
  readonly node?: string;
  readonly orchestrator?: string;
  readonly serviceAccountName?: string;
  /** Labels as exported: the pod's plus `projectcalico.org/namespace`, `/orchestrator`, `/serviceaccount`. */
  readonly labels: Labels;
  /** `spec.ipNetworks`: single-address CIDRs. */
  readonly ipNetworks: readonly CalicoNet[];
  readonly profiles: readonly string[];
  readonly ports: readonly CalicoEndpointPort[];
  readonly source: ManifestObject;
}

/** Every Calico object of a graph. */
export interface CalicoObjects {
  /** Enforced policies: NetworkPolicies and GlobalNetworkPolicies. */
  readonly policies: readonly CalicoPolicy[];
  /** Staged policies of every kind: reported, not enforced. */
  readonly stagedPolicies: readonly (CalicoPolicy | CalicoStagedKubernetesPolicy)[];
  /** Tiers the manifests declare, plus the built-in ones they do not, sorted as Calico sorts them. */
  readonly tiers: readonly CalicoTier[];
  readonly networkSets: readonly CalicoNetworkSet[];
  readonly hostEndpoints: readonly CalicoHostEndpoint[];
  readonly profiles: readonly CalicoProfile[];
  readonly workloadEndpoints: readonly CalicoWorkloadEndpoint[];
}

/** No Calico objects at all. */
export const NO_CALICO_OBJECTS: CalicoObjects = Object.freeze({
  policies: [], stagedPolicies: [], tiers: [], networkSets: [], hostEndpoints: [], profiles: [], workloadEndpoints: [],
});

/** The tier Calico places policies without `spec.tier`, and Kubernetes NetworkPolicies, in. */
export const DEFAULT_TIER = 'default';

/**
 * The tiers Calico creates itself (libcalico-go `ensureTierExists`; api `KubeAdminTierOrder` 1,000,
 * `DefaultTierOrder` 1,000,000, `KubeBaselineTierOrder` 10,000,000): `kube-admin` and
 * `kube-baseline` hold the Network Policy API's cluster policies (Admin and Baseline tiers) and
 * pass what they leave undecided; the default tier denies it.
 */
export const BUILT_IN_TIERS: readonly Omit<CalicoTier, 'source'>[] = [
  { name: 'kube-admin', order: 1_000, defaultAction: 'Pass', builtIn: true },
  { name: DEFAULT_TIER, order: 1_000_000, defaultAction: 'Deny', builtIn: true },
  { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass', builtIn: true },
];

/** The order Calico gives every Kubernetes NetworkPolicy it converts (`knp.default.<name>`, default tier). */
export const KUBERNETES_POLICY_ORDER = 1000;

/** Returns `namespace/name` for a namespaced policy, `name` for a global one. */
export function calicoPolicyLabel(policy: { readonly namespace?: string; readonly name: string }): string {
  return policy.namespace !== undefined ? `${policy.namespace}/${policy.name}` : policy.name;
}
