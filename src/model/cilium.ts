/**
 * The model of Cilium's policy kinds (cilium.io/v2 CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy) and of CiliumCIDRGroup, read with Cilium's defaults applied.
 * Every field keeps its path, so findings and explanations point at file:line. How each field maps
 * onto the common policy form is in docs/cilium.md.
 */
import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { AddressRange, IpFamily } from './cidr.js';
import type { CiliumEntity } from './cilium-entities.js';
import type { CiliumLabel, CiliumSelector, ScopedSelector } from './cilium-labels.js';

export { CILIUM_API_GROUP } from '../load/cilium-kinds.js';

/** The two policy kinds. */
export type CiliumPolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/** A CIDR with its address ranges (an address alone, as `toCIDR` allows, is a /32 or /128). */
export interface CiliumCidr {
  readonly text: string;
  readonly family: IpFamily;
  readonly range: AddressRange;
}

/**
 * A `fromCIDRSet`/`toCIDRSet` entry: a CIDR, or the CIDRs of CiliumCIDRGroups named
 * (`cidrGroupRef`) or selected by labels (`cidrGroupSelector`), less the `except` CIDRs.
 */
export interface CiliumCidrRule {
  readonly cidr?: CiliumCidr;
  readonly cidrGroupRef?: string;
  readonly cidrGroupSelector?: CiliumSelector;
  readonly except: readonly CiliumCidr[];
  readonly path: FieldPath;
}

/**
 * A `toServices` entry: a Service by name (`k8sService`) and/or Services by their labels
 * (`k8sServiceSelector`), in `namespace` when one is written. Every part written must match.
 */
export interface CiliumServicePeer {
  readonly name?: string;
  readonly selector?: CiliumSelector;
  readonly namespace?: string;
  readonly path: FieldPath;
}

/** A `toFQDNs` entry (or a DNS rule): an exact name or a pattern, lower-case with the trailing dot Cilium adds. */
export interface CiliumFqdnSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
  readonly path: FieldPath;
}

/** A toFQDNs or DNS rule entry as people write it: the name or pattern without the trailing dot Cilium adds. */
export function fqdnText(fqdn: CiliumFqdnSelector): string {
  const text = fqdn.matchName ?? fqdn.matchPattern ?? '';
  // A pattern of stars alone is kept as written (`**.`): Cilium adds no dot to it.
  return text.length > 1 && text.endsWith('.') && !/^\*+\.$/.test(text) ? text.slice(0, -1) : text;
}

/** A peer endpoint selector with the namespace scoping Cilium applies. */
export interface CiliumEndpointPeer extends ScopedSelector {
  readonly path: FieldPath;
}

/** The peers of a rule, by field. A field left out is absent; `fromEndpoints: []` is kept (it selects nothing). */
export interface CiliumPeers {
  readonly endpoints?: readonly CiliumEndpointPeer[];
  /** `fromRequires`/`toRequires` (removed in Cilium 1.19): conditions on every peer of the subject, granting nothing. */
  readonly requires?: readonly CiliumEndpointPeer[];
  readonly entities?: readonly { readonly entity: CiliumEntity; readonly path: FieldPath }[];
  /** `fromCIDR`/`toCIDR`. */
  readonly cidrs?: readonly (CiliumCidr & { readonly path: FieldPath })[];
  /** `fromCIDRSet`/`toCIDRSet`. */
  readonly cidrSets?: readonly CiliumCidrRule[];
  /** `toServices` (egress only). */
  readonly services?: readonly CiliumServicePeer[];
  /** `toFQDNs` (egress allow rules only). */
  readonly fqdns?: readonly CiliumFqdnSelector[];
  /** `fromNodes`/`toNodes`: nodes by their labels (needs `enable-node-selector-labels`). */
  readonly nodes?: readonly { readonly selector: CiliumSelector; readonly path: FieldPath }[];
  /** `fromGroups`/`toGroups` (cloud security groups): said, not modelled. */
  readonly groups?: readonly { readonly provider: string; readonly path: FieldPath }[];
}

/** The protocols a port entry may name. `ANY` is TCP, UDP and SCTP. */
export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY' | 'VRRP' | 'IGMP';

/** A port entry: a number (0 = every port) with an optional end, or a container port name. */
export interface CiliumPort {
  readonly protocol: CiliumProtocol;
  readonly port: number | string;
  readonly endPort?: number;
  readonly path: FieldPath;
}

/** The L7 rules of a port rule: one protocol's rules, as written, with a summary for answers. */
export interface CiliumL7Rules {
  readonly protocol: 'http' | 'kafka' | 'dns' | 'l7proto';
  /** For `l7proto`, the protocol's name. */
  readonly name?: string;
  /** One line per rule as people read it: `GET /public`, `produce topic orders`, `*.example.com`. */
  readonly summaries: readonly string[];
  /** DNS rules, for the DNS proxy (`toFQDNs` learns names through them). */
  readonly dns?: readonly CiliumFqdnSelector[];
  readonly path: FieldPath;
}

/** A `toPorts` entry. */
export interface CiliumPortRule {
  /** Empty when `ports` is left out: every port of TCP, UDP and SCTP. */
  readonly ports: readonly CiliumPort[];
  readonly rules?: CiliumL7Rules;
  /** TLS SNI values the connection must present. */
  readonly serverNames: readonly string[];
  readonly terminatingTLS: boolean;
  readonly originatingTLS: boolean;
  /** A custom Envoy listener the traffic is redirected to. */
  readonly listener?: { readonly name: string; readonly envoyConfigKind: string; readonly envoyConfigName: string };
  readonly path: FieldPath;
}

/** An ICMP type of an `icmps` entry (every code of the type). */
export interface CiliumIcmpType {
  readonly family: IpFamily;
  readonly type: number;
  /** The name written (`EchoRequest`), when a name was. */
  readonly name?: string;
  readonly path: FieldPath;
}

/** The mutual authentication a rule asks for. */
export type CiliumAuthenticationMode = 'disabled' | 'required' | 'test-always-fail';

/** One ingress, ingressDeny, egress or egressDeny rule. */
export interface CiliumPeerRule {
  readonly direction: 'ingress' | 'egress';
  /** `deny` for ingressDeny and egressDeny. */
  readonly action: 'allow' | 'deny';
  readonly peers: CiliumPeers;
  /**
   * True when the rule names no peer but limits ports or ICMP: Cilium reads the missing peers as
   * every peer ("nil FromEndpoints is implicitly treated as a wildcard selector if ToPorts are
   * also specified"). A rule with neither peers nor ports nor ICMP allows nothing.
   */
  readonly everyPeer: boolean;
  readonly toPorts: readonly CiliumPortRule[];
  readonly icmps: readonly CiliumIcmpType[];
  readonly authentication?: { readonly mode: CiliumAuthenticationMode; readonly path: FieldPath };
  readonly path: FieldPath;
}

/** What a rule applies to: pods (`endpointSelector`) or nodes (`nodeSelector`, a host policy). */
export type CiliumSubject =
  | { readonly kind: 'endpoints'; readonly written: CiliumSelector; readonly effective: CiliumSelector; readonly path: FieldPath }
  | { readonly kind: 'nodes'; readonly selector: CiliumSelector; readonly path: FieldPath };

/** One rule of a policy (`spec`, or an entry of `specs`): Cilium imports each as a rule of its own. */
export interface CiliumRule {
  readonly subject: CiliumSubject;
  readonly ingress: readonly CiliumPeerRule[];
  readonly ingressDeny: readonly CiliumPeerRule[];
  readonly egress: readonly CiliumPeerRule[];
  readonly egressDeny: readonly CiliumPeerRule[];
  /**
   * Whether selecting an endpoint puts it into default deny, per direction: `enableDefaultDeny`,
   * or (not stated) true when the rule has allow or deny rules in that direction (`Rule.Sanitize`).
   */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
  /** Which of the two `enableDefaultDeny` stated. */
  readonly defaultDenyStated: { readonly ingress: boolean; readonly egress: boolean };
  readonly labels: readonly CiliumLabel[];
  readonly description?: string;
  readonly path: FieldPath;
}

/** A CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy. */
export interface CiliumPolicy {
  readonly kind: CiliumPolicyKind;
  readonly name: string;
  /** The namespace of a CiliumNetworkPolicy; undefined for a cluster-wide one. */
  readonly namespace?: string;
  /** `namespace/name`, or `name` for a cluster-wide policy. */
  readonly label: string;
  /** `spec` first, then each entry of `specs`. */
  readonly rules: readonly CiliumRule[];
  readonly source: ManifestObject;
}

/** A CiliumCIDRGroup: named CIDRs that CIDR rules refer to by name or labels. */
export interface CiliumCidrGroup {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cidrs: readonly CiliumCidr[];
  readonly source: ManifestObject;
}

/** Where the cluster name of the `io.cilium.k8s.policy.cluster` label comes from. */
export interface CiliumClusterName {
  readonly name: string;
  /** The `cilium-config` ConfigMap stating `cluster-name`; undefined when Cilium's default applies. */
  readonly statedIn?: ManifestObject;
}

/**
 * What the `cilium-config` ConfigMap of the manifests says about policy enforcement; every field
 * undefined when the manifests hold no such ConfigMap (the agent's configuration is then unknown).
 */
export interface CiliumAgentConfig {
  /** `enable-host-firewall`: host policies (nodeSelector) are enforced only when true; Cilium's default is false. */
  readonly hostFirewall?: boolean;
  /** `enable-policy`: `default` (endpoints selected by a rule are isolated), `always` (every endpoint), `never` (none). */
  readonly enablePolicy?: 'default' | 'always' | 'never';
  /** `allow-localhost`: `policy` makes traffic from the local host subject to policy; otherwise it is always allowed in. */
  readonly allowLocalhost?: string;
  /**
   * `policy-cidr-match-mode` holds `nodes`: CIDR selectors (CIDR rules, CIDR sets, NetworkPolicy
   * ipBlocks) also select nodes' addresses (hosts, hostNetwork pods); by default (empty) they match
   * no in-cluster entity, neither pods nor nodes.
   */
  readonly cidrMatchNodes?: boolean;
  /**
   * `labels` (identity-relevant labels), as written: a custom label filter, which k8snet does not
   * model; identities are built with Cilium's default filter (isIdentityLabelKey) and answers say so.
   */
  readonly identityLabels?: string;
  /** The ConfigMap read. */
  readonly statedIn?: ManifestObject;
}

/** The Cilium objects of the manifests. */
export interface CiliumObjects {
  readonly policies: readonly CiliumPolicy[];
  readonly cidrGroups: readonly CiliumCidrGroup[];
  readonly clusterName: CiliumClusterName;
  /** The agent's configuration as the manifests state it; undefined or empty when they do not. */
  readonly agentConfig?: CiliumAgentConfig;
}
