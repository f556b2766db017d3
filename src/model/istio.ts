import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { AddressRange, IpFamily } from './cidr.js';
import type { Labels } from './label-selector.js';

export { ISTIO_NETWORKING_GROUP, ISTIO_SECURITY_GROUP } from '../load/istio-kinds.js';

/**
 * Where a policy written in a namespace applies (the scope rules of AuthorizationPolicy,
 * PeerAuthentication and RequestAuthentication):
 * - `mesh`: in the mesh's root namespace without a selector: every workload of every namespace;
 * - `namespace`: in another namespace without a selector: every workload of that namespace;
 * - `selector`: with a workload selector: the workloads of its namespace it matches, of every
 *   namespace when the policy is in the root namespace (AuthorizationPolicy only: a
 *   PeerAuthentication with a selector in the root namespace is ignored);
 * - `targetRefs`: attached to Gateways, Services or ServiceEntries of its namespace (waypoints
 *   and Gateway API gateways).
 */
export type IstioPolicyScope = 'mesh' | 'namespace' | 'selector' | 'targetRefs';

/** `istio.type.v1beta1.PolicyTargetReference`: a Gateway, Service, ServiceEntry or GatewayClass of the policy's namespace. */
export interface PolicyTargetReference {
  /** `''` for the core group (a Service). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly path: FieldPath;
}

/** The action of an AuthorizationPolicy (ALLOW when not written). */
export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/**
 * A list of values an Istio string field matches, as written: exact (`abc`), prefix (`abc*`),
 * suffix (`*abc`) or presence (`*`: any non-empty value). Undefined where the field is not set,
 * which matches anything (including an absent value).
 */
export type IstioValues = readonly string[];

/** An `ipBlocks`-style list: each entry an address or CIDR, parsed into ranges. */
export interface IstioAddressList {
  /** The entries as written (`10.0.0.0/8`, `203.0.113.4`). */
  readonly entries: readonly string[];
  /** Their union, per family, sorted and merged. */
  readonly ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>;
}

/** `rules[].from[].source`: who sends the request. Fields are ANDed; each list ORs its entries. */
export interface AuthorizationSource {
  /** Peer identities (`cluster.local/ns/<ns>/sa/<sa>`) from the peer certificate: mTLS only. */
  readonly principals?: IstioValues;
  readonly notPrincipals?: IstioValues;
  /** JWT identities (`<iss>/<sub>`): HTTP only, needs a RequestAuthentication. */
  readonly requestPrincipals?: IstioValues;
  readonly notRequestPrincipals?: IstioValues;
  /** Source namespaces, from the peer certificate: mTLS only. */
  readonly namespaces?: IstioValues;
  readonly notNamespaces?: IstioValues;
  /** The source address of the connection (`source.ip`). */
  readonly ipBlocks?: IstioAddressList;
  readonly notIpBlocks?: IstioAddressList;
  /** The client's address from X-Forwarded-For or the PROXY protocol (`remote.ip`). */
  readonly remoteIpBlocks?: IstioAddressList;
  readonly notRemoteIpBlocks?: IstioAddressList;
  /** Service accounts as `<namespace>/<name>`, from the peer certificate: mTLS only (recent releases; cannot be combined with principals or namespaces). */
  readonly serviceAccounts?: IstioValues;
  readonly notServiceAccounts?: IstioValues;
  readonly path: FieldPath;
}

/** `rules[].to[].operation`: what the request does. Fields are ANDed; each list ORs its entries. */
export interface AuthorizationOperation {
  /** HTTP Host / authority (case-insensitive): HTTP only. */
  readonly hosts?: IstioValues;
  readonly notHosts?: IstioValues;
  /** Destination ports of the connection (the workload's port, exact match only). */
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
  /** HTTP methods (`POST` for every gRPC call): HTTP only. */
  readonly methods?: IstioValues;
  readonly notMethods?: IstioValues;
  /** HTTP paths (normalised; `/package.Service/Method` for gRPC): HTTP only. */
  readonly paths?: IstioValues;
  readonly notPaths?: IstioValues;
  readonly path: FieldPath;
}

/** Whether a `when` key can be decided from a connection (L4), needs the HTTP request (L7), or is not a key Istio knows. */
export type ConditionLayer = 'l4' | 'l7' | 'unknown';

/** `rules[].when[]`: a condition on an Istio attribute. */
export interface AuthorizationCondition {
  readonly key: string;
  readonly values?: IstioValues;
  readonly notValues?: IstioValues;
  readonly layer: ConditionLayer;
  readonly path: FieldPath;
}

/**
 * A rule: it matches a request when at least one source, one operation and every condition
 * match; a list left out matches anything, so `{}` matches every request.
 */
export interface AuthorizationRule {
  /** Undefined when `from` is not written: any source. */
  readonly from?: readonly AuthorizationSource[];
  /** Undefined when `to` is not written: any operation. */
  readonly to?: readonly AuthorizationOperation[];
  readonly when: readonly AuthorizationCondition[];
  readonly path: FieldPath;
}

/** An AuthorizationPolicy (security.istio.io), read with the API's defaults. */
export interface AuthorizationPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly scope: IstioPolicyScope;
  /** `selector.matchLabels`, when a selector is written (an empty one selects every workload in scope). */
  readonly selector?: Labels;
  /** `targetRef` and `targetRefs` together, in that order. */
  readonly targetRefs: readonly PolicyTargetReference[];
  readonly action: AuthorizationAction;
  /** `provider.name` of a CUSTOM policy. */
  readonly provider?: string;
  /** Undefined when `rules` is not written: the policy matches nothing (an ALLOW policy then allows nothing). */
  readonly rules?: readonly AuthorizationRule[];
  /** `istio.io/dry-run: "true"`: evaluated and logged, never enforced. */
  readonly dryRun: boolean;
  /** `istio.io/rev` label: only the control plane of that revision applies it. */
  readonly revision?: string;
  readonly source: ManifestObject;
}

/** A PeerAuthentication mTLS mode. UNSET inherits from the enclosing scope (PERMISSIVE at the top). */
export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** A PeerAuthentication (security.istio.io). */
export interface PeerAuthentication {
  readonly namespace: string;
  readonly name: string;
  readonly scope: Exclude<IstioPolicyScope, 'targetRefs'>;
  readonly selector?: Labels;
  /** `mtls.mode`, UNSET when not written. */
  readonly mode: MtlsMode;
  readonly modePath: FieldPath;
  /** `portLevelMtls`: by the workload's (container) port, not the Service port. */
  readonly portLevelMtls: readonly { readonly port: number; readonly mode: MtlsMode; readonly path: FieldPath }[];
  /** metadata.creationTimestamp, when written: with several policies of one scope the oldest wins. */
  readonly createdAt?: string;
  readonly source: ManifestObject;
}

/** A RequestAuthentication (security.istio.io): JWT validation. Read for `requestPrincipals` and `request.auth.*` conditions; not modelled further. */
export interface RequestAuthentication {
  readonly namespace: string;
  readonly name: string;
  readonly scope: IstioPolicyScope;
  readonly selector?: Labels;
  readonly targetRefs: readonly PolicyTargetReference[];
  readonly issuers: readonly string[];
  readonly source: ManifestObject;
}

/**
 * A host of a Sidecar egress listener or an Istio Gateway server, `namespace/dnsName`: `*` any
 * namespace, `.` the object's own namespace, `~` none; a bare name means the name in any namespace.
 */
export interface NamespacedHost {
  readonly namespace: string;
  /** `*`, `*.example.com`, `reviews.default.svc.cluster.local`, `productpage`. */
  readonly dnsName: string;
  readonly text: string;
}

/** A Sidecar (networking.istio.io): what its workloads' proxies may reach and accept. */
export interface IstioSidecar {
  readonly namespace: string;
  readonly name: string;
  /** `workloadSelector.matchLabels`; undefined: every workload of the namespace (of the mesh, in the root namespace). */
  readonly workloadSelector?: Labels;
  readonly egress: readonly {
    readonly port?: { readonly number: number; readonly protocol?: string };
    readonly bind?: string;
    readonly hosts: readonly NamespacedHost[];
    readonly path: FieldPath;
  }[];
  readonly ingress: readonly {
    readonly port?: { readonly number: number; readonly protocol?: string };
    readonly defaultEndpoint?: string;
    readonly path: FieldPath;
  }[];
  /** `outboundTrafficPolicy.mode`; undefined: the mesh's (ALLOW_ANY by default). */
  readonly outboundTrafficPolicy?: 'REGISTRY_ONLY' | 'ALLOW_ANY';
  readonly source: ManifestObject;
}

/** A port of an Istio Gateway server or ServiceEntry. */
export interface IstioPort {
  readonly number: number;
  /** `HTTP`, `HTTPS`, `GRPC`, `HTTP2`, `MONGO`, `TCP`, `TLS`... (upper case). */
  readonly protocol: string;
  readonly name?: string;
  readonly targetPort?: number;
}

/** A server of an Istio Gateway: a port its proxies listen on, for some hosts. */
export interface IstioGatewayServer {
  readonly port: IstioPort;
  readonly hosts: readonly NamespacedHost[];
  readonly tls?: { readonly mode?: string; readonly httpsRedirect: boolean; readonly credentialName?: string };
  readonly name?: string;
  readonly path: FieldPath;
}

/** An Istio Gateway (networking.istio.io): listeners on the proxies its selector matches. */
export interface IstioGateway {
  readonly namespace: string;
  readonly name: string;
  /** Undefined when no selector is written: every workload (Istio's documented default). */
  readonly selector?: Labels;
  readonly servers: readonly IstioGatewayServer[];
  readonly source: ManifestObject;
}

/** A destination of a VirtualService route. */
export interface RouteDestination {
  /** As written: a short name (relative to the VirtualService's namespace), an FQDN, or a ServiceEntry host. */
  readonly host: string;
  readonly port?: number;
  readonly subset?: string;
  /** The share of the route's traffic (the only destination gets everything). */
  readonly weight: number;
  readonly path: FieldPath;
}

/** An HTTP, TCP or TLS route of a VirtualService. */
export interface VirtualServiceRoute {
  readonly protocol: 'http' | 'tcp' | 'tls';
  readonly name?: string;
  /** `uri prefix /api`, `port 8080`, `sni a.example.com`...: a short description of the matches, empty for a catch-all. */
  readonly matches: readonly string[];
  /** The ports the matches name (`match[].port`), empty when they name none. */
  readonly matchPorts: readonly number[];
  readonly destinations: readonly RouteDestination[];
  /** An HTTP route that answers itself (redirect or direct response). */
  readonly answersItself: boolean;
  readonly path: FieldPath;
}

/** A gateway reference of a VirtualService, resolved as istiod resolves it (`ns/name`, `name`, `name.ns.svc...`). */
export type VirtualServiceGateway =
  | { readonly type: 'mesh'; readonly path: FieldPath }
  | { readonly type: 'gateway'; readonly namespace: string; readonly name: string; readonly text: string; readonly path: FieldPath };

/** A VirtualService (networking.istio.io). */
export interface VirtualService {
  readonly namespace: string;
  readonly name: string;
  readonly hosts: readonly string[];
  /** The gateways it binds to; `mesh` (every sidecar) when none is written. */
  readonly gateways: readonly VirtualServiceGateway[];
  readonly routes: readonly VirtualServiceRoute[];
  /** `exportTo`; undefined: every namespace (the mesh default). */
  readonly exportTo?: readonly string[];
  readonly source: ManifestObject;
}

/** The TLS a client sidecar uses towards a destination (DestinationRule `trafficPolicy.tls.mode`). */
export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

/** A DestinationRule (networking.istio.io), read for what decides mTLS. */
export interface DestinationRule {
  readonly namespace: string;
  readonly name: string;
  readonly host: string;
  /** `trafficPolicy.tls.mode`; undefined: auto mTLS decides. */
  readonly tlsMode?: ClientTlsMode;
  readonly portTls: readonly { readonly port: number; readonly mode: ClientTlsMode; readonly path: FieldPath }[];
  readonly subsets: readonly { readonly name: string; readonly labels: Labels; readonly tlsMode?: ClientTlsMode; readonly path: FieldPath }[];
  readonly workloadSelector?: Labels;
  readonly exportTo?: readonly string[];
  readonly source: ManifestObject;
}

/** A ServiceEntry (networking.istio.io): a host added to the mesh's registry. */
export interface ServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly hosts: readonly string[];
  readonly addresses: readonly string[];
  readonly ports: readonly IstioPort[];
  readonly location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  readonly resolution: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';
  readonly endpointAddresses: readonly string[];
  readonly workloadSelector?: Labels;
  readonly exportTo?: readonly string[];
  readonly source: ManifestObject;
}

/** Every Istio object of a graph, as the builder reads them. */
export interface IstioObjects {
  readonly authorizationPolicies: readonly AuthorizationPolicy[];
  readonly peerAuthentications: readonly PeerAuthentication[];
  readonly requestAuthentications: readonly RequestAuthentication[];
  readonly sidecars: readonly IstioSidecar[];
  readonly gateways: readonly IstioGateway[];
  readonly virtualServices: readonly VirtualService[];
  readonly destinationRules: readonly DestinationRule[];
  readonly serviceEntries: readonly ServiceEntry[];
}

/** No Istio objects. */
export const NO_ISTIO_OBJECTS: IstioObjects = Object.freeze({
  authorizationPolicies: [], peerAuthentications: [], requestAuthentications: [], sidecars: [], gateways: [],
  virtualServices: [], destinationRules: [], serviceEntries: [],
});

/** Returns `namespace/name` of an Istio object. */
export function qualifiedIstioName(object: { readonly namespace: string; readonly name: string }): string {
  return `${object.namespace}/${object.name}`;
}
