/**
 * What k8snet needs to know about an Istio installation that its manifests rarely show (the
 * mesh configuration lives in istiod's ConfigMap and install values), with Istio's defaults.
 * Users state them in `.k8snet.yaml` under `istio:`.
 */
export interface IstioSettings {
  /**
   * `meshConfig.rootNamespace`: policies here apply mesh-wide (AuthorizationPolicy,
   * PeerAuthentication, RequestAuthentication, Sidecar without a selector). `istio-system` by default.
   */
  readonly rootNamespace: string;
  /** `meshConfig.trustDomain`: the first part of every principal. `cluster.local` by default. */
  readonly trustDomain: string;
  /** `meshConfig.trustDomainAliases`: other trust domains principals are accepted for. */
  readonly trustDomainAliases: readonly string[];
  /**
   * `values.sidecarInjectorWebhook.enableNamespacesByDefault`: inject pods of namespaces that
   * have no injection label. False by default.
   */
  readonly enableNamespacesByDefault: boolean;
  /**
   * istiod's `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`: an Istio Gateway's selector matches pods of its
   * own namespace only. False by default: pods of every namespace.
   */
  readonly scopeGatewayToNamespace: boolean;
  /**
   * Take every pod (host-networked ones aside) as running a sidecar, whatever the labels say:
   * for manifests whose pods were injected at deploy time by means they do not show, and for
   * comparing with tools that assume a full mesh (np-guard's NCA). False by default.
   */
  readonly assumeSidecars: boolean;
  /** `meshConfig.outboundTrafficPolicy.mode`: what sidecars do with hosts outside the registry. ALLOW_ANY by default. */
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The cluster's DNS domain, which short Service names expand into (`reviews` → `reviews.<ns>.svc.cluster.local`). */
  readonly clusterDomain: string;
}

/** Istio's defaults. */
export const DEFAULT_ISTIO_SETTINGS: IstioSettings = Object.freeze({
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  trustDomainAliases: Object.freeze([]) as readonly string[],
  enableNamespacesByDefault: false,
  scopeGatewayToNamespace: false,
  assumeSidecars: false,
  outboundTrafficPolicy: 'ALLOW_ANY',
  clusterDomain: 'cluster.local',
});

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** JSON schema of `.k8snet.yaml` `istio:`. */
export const ISTIO_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rootNamespace: { type: 'string', pattern: DNS_LABEL },
    trustDomain: { type: 'string', minLength: 1 },
    trustDomainAliases: { type: 'array', items: { type: 'string', minLength: 1 } },
    enableNamespacesByDefault: { type: 'boolean' },
    scopeGatewayToNamespace: { type: 'boolean' },
    assumeSidecars: { type: 'boolean' },
    outboundTrafficPolicy: { enum: ['ALLOW_ANY', 'REGISTRY_ONLY'] },
    clusterDomain: { type: 'string', minLength: 1 },
  },
} as const;

/** The settings `.k8snet.yaml` `istio:` states (already validated against {@link ISTIO_CONFIG_SCHEMA}), over the defaults. */
export function resolveIstioSettings(raw: Partial<IstioSettings> | undefined): IstioSettings {
  return Object.freeze({ ...DEFAULT_ISTIO_SETTINGS, ...(raw ?? {}) });
}
