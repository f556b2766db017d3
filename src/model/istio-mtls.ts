import type { FieldPath } from '../load/path.js';
import type { Labels } from './label-selector.js';
import type { ClientTlsMode, DestinationRule, MtlsMode, PeerAuthentication } from './istio.js';
import type { IstioSettings } from './istio-settings.js';

/** The mTLS mode a workload port accepts, and which PeerAuthentication (and field) decides it. */
export interface EffectiveMtls {
  /** Never UNSET: PERMISSIVE when no policy says otherwise. */
  readonly mode: Exclude<MtlsMode, 'UNSET'>;
  /** The policy whose mode counts; undefined for Istio's default (PERMISSIVE). */
  readonly decidedBy?: PeerAuthentication;
  /** The field of `decidedBy` that sets the mode (`spec.mtls.mode`, `spec.portLevelMtls.8080`). */
  readonly path?: FieldPath;
  /** Policies of the same scope that Istio ignores because an older one wins. */
  readonly ignored: readonly PeerAuthentication[];
}

/**
 * Resolves the mTLS mode of a workload's port as istiod does (concepts/security "Peer
 * authentication", reference PeerAuthentication): the narrowest policy wins, workload-specific
 * (a selector matching the pod's labels, in its namespace), then namespace-wide (no selector,
 * in its namespace), then mesh-wide (no selector, in the root namespace); UNSET inherits from
 * the next wider one, and PERMISSIVE is the default at the top. A workload policy's
 * `portLevelMtls` entry for the port (the container port, not the Service port) overrides its
 * own mode, and UNSET there inherits as well. Where several policies share a scope, Istio keeps
 * the oldest (creationTimestamp; k8snet falls back on the name when the manifests give none).
 *
 * `policies` are every PeerAuthentication of the graph (the builder already dropped those with
 * a selector in the root namespace, which Istio ignores).
 */
export function resolveMtls(namespace: string, labels: Labels, port: number | undefined, policies: readonly PeerAuthentication[], settings: IstioSettings): EffectiveMtls {
  const ignored: PeerAuthentication[] = [];
  const oldest = (candidates: PeerAuthentication[]): PeerAuthentication | undefined => {
    if (candidates.length === 0) return undefined;
    const sorted = [...candidates].sort(olderFirst);
    ignored.push(...sorted.slice(1));
    return sorted[0];
  };
  const workload = oldest(policies.filter((policy) => policy.namespace === namespace && policy.scope === 'selector'
    && Object.entries(policy.selector ?? {}).every(([key, value]) => labels[key] === value)));
  const namespaceWide = namespace === settings.rootNamespace ? undefined : oldest(policies.filter((policy) => policy.namespace === namespace && policy.scope === 'namespace'));
  const meshWide = oldest(policies.filter((policy) => policy.scope === 'mesh'));
  const chain: { policy: PeerAuthentication; mode: MtlsMode; path: FieldPath }[] = [];
  if (workload) {
    const portSetting = port === undefined ? undefined : workload.portLevelMtls.find((entry) => entry.port === port);
    if (portSetting) chain.push({ policy: workload, mode: portSetting.mode, path: portSetting.path });
    chain.push({ policy: workload, mode: workload.mode, path: workload.modePath });
  }
  if (namespaceWide) chain.push({ policy: namespaceWide, mode: namespaceWide.mode, path: namespaceWide.modePath });
  if (meshWide) chain.push({ policy: meshWide, mode: meshWide.mode, path: meshWide.modePath });
  const decided = chain.find((entry) => entry.mode !== 'UNSET');
  if (!decided) return { mode: 'PERMISSIVE', ignored };
  return { mode: decided.mode as Exclude<MtlsMode, 'UNSET'>, decidedBy: decided.policy, path: decided.path, ignored };
}

function olderFirst(a: PeerAuthentication, b: PeerAuthentication): number {
  if (a.createdAt !== undefined && b.createdAt !== undefined && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.createdAt !== undefined && b.createdAt === undefined) return -1;
  if (a.createdAt === undefined && b.createdAt !== undefined) return 1;
  const left = `${a.namespace}/${a.name}`;
  const right = `${b.namespace}/${b.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The TLS a client's sidecar uses towards a host and port, and which DestinationRule says so. */
export interface ClientTls {
  /** `auto`: no DestinationRule TLS setting, so auto mTLS sends mTLS to pods with a proxy and plaintext to others. */
  readonly mode: ClientTlsMode | 'auto';
  readonly decidedBy?: DestinationRule;
  readonly path?: FieldPath;
}

/**
 * The TLS mode a client sidecar of `clientNamespace` uses for a Service host (its FQDN) and port
 * (the Service port), from the DestinationRules of the graph: a rule for the exact host (short
 * names resolved in the rule's namespace) in the client's namespace wins, then one in the host's
 * own namespace, then one in the root namespace (DestinationRule lookup order); its
 * `portLevelSettings` for the port wins over its `trafficPolicy.tls`. Rules limited by
 * `exportTo` or `workloadSelector` are not modelled (taken as visible to every client). Without
 * a setting, auto mTLS decides.
 */
export function resolveClientTls(host: string, hostNamespace: string, port: number | undefined, clientNamespace: string, rules: readonly DestinationRule[], settings: IstioSettings): ClientTls {
  const matching = rules.filter((rule) => expandHost(rule.host, rule.namespace, settings.clusterDomain) === host);
  const order = [clientNamespace, hostNamespace, settings.rootNamespace];
  for (const namespace of order) {
    const rule = matching.find((candidate) => candidate.namespace === namespace);
    if (!rule) continue;
    const portSetting = port === undefined ? undefined : rule.portTls.find((entry) => entry.port === port);
    if (portSetting) return { mode: portSetting.mode, decidedBy: rule, path: portSetting.path };
    if (rule.tlsMode) return { mode: rule.tlsMode, decidedBy: rule, path: ['spec', 'trafficPolicy', 'tls', 'mode'] };
    return { mode: 'auto', decidedBy: rule };
  }
  return { mode: 'auto' };
}

/**
 * Expands a host as istiod does (pilot/pkg/model ResolveShortnameToFQDN): a name without a dot
 * is a Service of the object's namespace (`reviews` → `reviews.<ns>.svc.<cluster domain>`);
 * names with a dot, `*` and IP addresses are kept.
 */
export function expandHost(host: string, namespace: string, clusterDomain: string): string {
  if (host === '*' || host.includes('.') || host.includes(':')) return host;
  return `${host}.${namespace}.svc.${clusterDomain}`;
}
