import type { ManifestObject } from '../load/manifest-object.js';
import { ISTIO_KIND_DEFINITIONS, ISTIO_NETWORKING_GROUP } from '../load/istio-kinds.js';
import { modelledKindOf } from '../load/kinds.js';
import type { FieldPath } from '../load/path.js';
import { mergeRanges, parseAddress, parseCidr, type AddressRange, type IpFamily } from './cidr.js';
import {
  type AuthorizationAction, type AuthorizationCondition, type AuthorizationOperation, type AuthorizationPolicy, type AuthorizationRule,
  type AuthorizationSource, type ClientTlsMode, type DestinationRule, type IstioAddressList, type IstioGateway, type IstioGatewayServer,
  type IstioObjects, type IstioPolicyScope, type IstioPort, type IstioSidecar, type MtlsMode, type NamespacedHost, type PeerAuthentication,
  type PolicyTargetReference, type RequestAuthentication, type RouteDestination, type ServiceEntry, type VirtualService, type VirtualServiceGateway,
  type VirtualServiceRoute,
} from './istio.js';
import type { IstioSettings } from './istio-settings.js';
import { conditionLayer } from './istio-values.js';
import type { Labels } from './label-selector.js';

type Raw = Record<string, any>;

/** What the graph builder lends the Istio builder. */
export interface IstioBuildContext {
  readonly settings: IstioSettings;
  /** The object's namespace, or the default namespace when it names none. */
  namespaceOf(object: ManifestObject): string;
  /** Reports a value istiod's validation refuses, at `path` of `object`; the object is then left out. */
  reject(object: ManifestObject, path: FieldPath, message: string): void;
  /** Reports something istiod accepts but warns about, or ignores; the object is kept unless said otherwise. */
  warn(object: ManifestObject, path: FieldPath, message: string): void;
}

/** The target kinds istiod accepts in `targetRef(s)` (validation.go `allowedTargetRefs`), as `group/kind`. */
const ALLOWED_TARGET_KINDS: ReadonlySet<string> = new Set([
  '/Service', `${ISTIO_NETWORKING_GROUP}/ServiceEntry`, 'gateway.networking.k8s.io/Gateway', 'gateway.networking.k8s.io/GatewayClass',
]);

/** Protocols istiod knows for a Gateway server or ServiceEntry port (protocol.Parse; case-insensitive). */
const PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'MONGO', 'MYSQL', 'REDIS', 'TCP', 'TLS', 'UDP', 'HBONE']);

/** Source fields that need the peer's mTLS identity, which CUSTOM policies cannot use (validation.go). */
const IDENTITY_SOURCE_FIELDS = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'] as const;

const STRING_SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts'] as const;
const ADDRESS_SOURCE_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const STRING_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

/** The registry ids of the Istio kinds. */
export const ISTIO_KIND_IDS: ReadonlySet<string> = new Set(ISTIO_KIND_DEFINITIONS.map((definition) => definition.id));

/**
 * Reads the Istio objects (security.istio.io and networking.istio.io, the versions istio-kinds.ts
 * lists) with the API's defaults applied. What istiod's validating webhook refuses (validation.go:
 * a DENY or CUSTOM policy without rules, an empty `from`, a bad address, a port out of range, a
 * selector with a wildcard...) is reported and the object left out, as the cluster never admits
 * it; what it accepts with a warning is reported and kept.
 */
export function buildIstioObjects(objects: readonly ManifestObject[], context: IstioBuildContext): IstioObjects {
  const result = {
    authorizationPolicies: [] as AuthorizationPolicy[],
    peerAuthentications: [] as PeerAuthentication[],
    requestAuthentications: [] as RequestAuthentication[],
    sidecars: [] as IstioSidecar[],
    gateways: [] as IstioGateway[],
    virtualServices: [] as VirtualService[],
    destinationRules: [] as DestinationRule[],
    serviceEntries: [] as ServiceEntry[],
  };
  for (const object of objects) {
    // By the kind registry's id: the Gateway API's Gateway, or a version Istio does not serve, is another kind.
    const kind = modelledKindOf(object);
    if (kind === undefined || !ISTIO_KIND_IDS.has(kind)) continue;
    const reader = new IstioReader(object, context);
    switch (kind) {
      case 'AuthorizationPolicy': reader.keep(reader.authorizationPolicy(), result.authorizationPolicies); break;
      case 'PeerAuthentication': {
        const policy = reader.peerAuthentication();
        // "PeerAuthentication policies with workload selectors are ignored when deployed in the root namespace."
        if (policy.scope === 'selector' && policy.namespace === context.settings.rootNamespace) {
          context.warn(object, ['spec', 'selector'], `PeerAuthentication ${policy.namespace}/${policy.name} has a workload selector in the root namespace ${policy.namespace}, where Istio ignores such policies; k8snet leaves it out.`);
        } else reader.keep(policy, result.peerAuthentications);
        break;
      }
      case 'RequestAuthentication': reader.keep(reader.requestAuthentication(), result.requestAuthentications); break;
      case 'IstioGateway': reader.keep(reader.gateway(), result.gateways); break;
      case 'VirtualService': reader.keep(reader.virtualService(), result.virtualServices); break;
      case 'DestinationRule': reader.keep(reader.destinationRule(), result.destinationRules); break;
      case 'ServiceEntry': reader.keep(reader.serviceEntry(), result.serviceEntries); break;
      case 'Sidecar': reader.keep(reader.sidecar(), result.sidecars); break;
      default: break;
    }
  }
  const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`);
  return {
    authorizationPolicies: result.authorizationPolicies.sort(byName),
    peerAuthentications: result.peerAuthentications.sort(byName),
    requestAuthentications: result.requestAuthentications.sort(byName),
    sidecars: result.sidecars.sort(byName),
    gateways: result.gateways.sort(byName),
    virtualServices: result.virtualServices.sort(byName),
    destinationRules: result.destinationRules.sort(byName),
    serviceEntries: result.serviceEntries.sort(byName),
  };
}

/** Reads one object, collecting what istiod refuses. */
class IstioReader {
  private readonly problems: { path: FieldPath; message: string }[] = [];
  private readonly namespace: string;
  private readonly spec: Raw;
  private readonly label: string;

  constructor(private readonly object: ManifestObject, private readonly context: IstioBuildContext) {
    this.namespace = context.namespaceOf(object);
    const spec = object.value.spec;
    // A wrongly typed spec was reported by the schema check; what is left is read as far as it makes sense.
    this.spec = isMapping(spec) ? spec : {};
    this.label = `${object.kind} ${this.namespace}/${object.name}`;
  }

  /** Adds `value` to `list` unless istiod refuses the object, which is reported instead. */
  keep<T>(value: T, list: T[]): void {
    if (this.problems.length === 0) {
      list.push(value);
      return;
    }
    for (const problem of this.problems) {
      this.context.reject(this.object, problem.path, `${this.label}: ${problem.message}; istiod's validation refuses this object, so k8snet leaves it out.`);
    }
  }

  private refuse(path: FieldPath, message: string): void {
    this.problems.push({ path, message });
  }

  private warn(path: FieldPath, message: string): void {
    this.context.warn(this.object, path, `${this.label}: ${message}.`);
  }

  authorizationPolicy(): AuthorizationPolicy {
    const spec = this.spec;
    const selector = this.workloadSelector(spec.selector, ['spec', 'selector']);
    const targetRefs = this.targetRefs();
    const action: AuthorizationAction = ['DENY', 'AUDIT', 'CUSTOM'].includes(spec.action) ? spec.action : 'ALLOW';
    const hasRules = Array.isArray(spec.rules);
    const provider = isMapping(spec.provider) && typeof spec.provider.name === 'string' && spec.provider.name !== '' ? spec.provider.name : undefined;
    if (action === 'CUSTOM') {
      if (!hasRules) this.refuse(['spec'], 'a CUSTOM policy without rules is never triggered (add rules: [{}] to trigger it for every request)');
      else if (!provider) this.refuse(['spec', 'provider'], 'a CUSTOM policy needs provider.name');
    } else if (spec.provider != null) {
      this.refuse(['spec', 'provider'], `provider is only for the CUSTOM action, not ${action}`);
    }
    if (action === 'DENY' && !hasRules) this.refuse(['spec'], 'a DENY policy without rules is never triggered (add rules: [{}] to deny every request)');
    const rules = hasRules ? (spec.rules as unknown[]).map((raw, index) => this.authorizationRule(raw, ['spec', 'rules', index], action)) : undefined;
    const metadata = (this.object.value.metadata ?? {}) as Raw;
    const annotations = stringMap(metadata.annotations);
    const labels = stringMap(metadata.labels);
    return {
      namespace: this.namespace,
      name: this.object.name,
      scope: this.scopeOf(selector, targetRefs),
      ...(selector ? { selector } : {}),
      targetRefs,
      action,
      ...(provider ? { provider } : {}),
      ...(rules ? { rules } : {}),
      dryRun: annotations['istio.io/dry-run'] === 'true',
      ...(labels['istio.io/rev'] ? { revision: labels['istio.io/rev'] } : {}),
      source: this.object,
    };
  }

  private authorizationRule(raw: unknown, path: FieldPath, action: AuthorizationAction): AuthorizationRule {
    if (!isMapping(raw)) {
      // `rules: [null]` (a `-` with nothing after it): istiod refuses a nil rule; `{}` is the catch-all.
      if (raw === null) this.refuse(path, 'a rule must not be empty (null); write {} for a rule that matches every request');
      return { when: [], path };
    }
    let from: AuthorizationSource[] | undefined;
    if (raw.from != null) {
      if (!Array.isArray(raw.from) || raw.from.length === 0) this.refuse([...path, 'from'], '`from` must not be empty; leave it out to match any source');
      from = list(raw.from).map((entry, index) => this.authorizationSource(entry, [...path, 'from', index], action));
    }
    let to: AuthorizationOperation[] | undefined;
    if (raw.to != null) {
      if (!Array.isArray(raw.to) || raw.to.length === 0) this.refuse([...path, 'to'], '`to` must not be empty; leave it out to match any operation');
      to = list(raw.to).map((entry, index) => this.authorizationOperation(entry, [...path, 'to', index]));
    }
    const when = list(raw.when).map((entry, index) => this.condition(entry, [...path, 'when', index], action));
    return { ...(from ? { from } : {}), ...(to ? { to } : {}), when, path };
  }

  private authorizationSource(raw: unknown, path: FieldPath, action: AuthorizationAction): AuthorizationSource {
    const source = isMapping(raw) ? raw.source : undefined;
    if (!isMapping(source)) {
      this.refuse(isMapping(raw) ? [...path, 'source'] : path, '`from` entries need a source');
      return { path };
    }
    const sourcePath = [...path, 'source'];
    const result: Record<string, unknown> = { path: sourcePath };
    const fields = this.readFields(source, STRING_SOURCE_FIELDS, sourcePath, result, (value, at, field) => this.stringValues(value, at, field))
      + this.readFields(source, ADDRESS_SOURCE_FIELDS, sourcePath, result, (value, at) => this.addressList(value, at));
    if (fields === 0) this.refuse(sourcePath, '`from.source` must not be empty; leave `from` out to match any source');
    const identity = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((field) => result[field] !== undefined);
    if (identity && (result.serviceAccounts !== undefined || result.notServiceAccounts !== undefined)) {
      this.refuse(sourcePath, 'serviceAccounts cannot be combined with namespaces or principals in one source');
    }
    for (const field of ['serviceAccounts', 'notServiceAccounts'] as const) {
      (result[field] as string[] | undefined)?.forEach((value, index) => {
        // CheckServiceAccount: `<namespace>/<name>`, no wildcard.
        if (!/^[^/*]+\/[^/*]+$/.test(value)) this.refuse([...sourcePath, field, index], `${field} entry '${value}' must be <namespace>/<service account>, without wildcards`);
      });
    }
    if (action === 'CUSTOM') {
      for (const field of IDENTITY_SOURCE_FIELDS) {
        if (result[field] !== undefined) this.refuse([...sourcePath, field], `${field} is not supported with the CUSTOM action`);
      }
    }
    return result as unknown as AuthorizationSource;
  }

  private authorizationOperation(raw: unknown, path: FieldPath): AuthorizationOperation {
    const operation = isMapping(raw) ? raw.operation : undefined;
    if (!isMapping(operation)) {
      this.refuse(isMapping(raw) ? [...path, 'operation'] : path, '`to` entries need an operation');
      return { path };
    }
    const operationPath = [...path, 'operation'];
    const result: Record<string, unknown> = { path: operationPath };
    const fields = this.readFields(operation, STRING_OPERATION_FIELDS, operationPath, result, (value, at, field) => this.stringValues(value, at, field))
      + this.readFields(operation, ['ports', 'notPorts'] as const, operationPath, result, (value, at, field) => this.ports(value, at, field));
    if (fields === 0) this.refuse(operationPath, '`to.operation` must not be empty; leave `to` out to match any operation');
    return result as unknown as AuthorizationOperation;
  }

  /**
   * Reads `fields` of a source or an operation with `read`, each at its path, into `result` (the
   * ones given only); returns how many were given.
   */
  private readFields<Field extends string>(
    entry: Raw, fields: readonly Field[], path: FieldPath, result: Record<string, unknown>, read: (raw: unknown, path: FieldPath, field: Field) => unknown,
  ): number {
    let given = 0;
    for (const field of fields) {
      const value = read(entry[field], [...path, field], field);
      if (value) {
        result[field] = value;
        given++;
      }
    }
    return given;
  }

  private condition(raw: unknown, path: FieldPath, action: AuthorizationAction): AuthorizationCondition {
    if (!isMapping(raw) || typeof raw.key !== 'string' || raw.key === '') {
      this.refuse(isMapping(raw) ? [...path, 'key'] : path, 'a `when` condition needs a key');
      return { key: '', layer: 'unknown', path };
    }
    const key = raw.key;
    const values = this.stringValues(raw.values, [...path, 'values'], 'values');
    const notValues = this.stringValues(raw.notValues, [...path, 'notValues'], 'notValues');
    if (!values && !notValues) this.refuse(path, `condition ${key} needs values or notValues`);
    const layer = conditionLayer(key);
    if (layer === 'unknown') {
      this.warn([...path, 'key'], `'${key}' is not a condition key Istio documents (reference/config/security/conditions); istiod refuses or ignores it, and k8snet cannot evaluate it`);
    }
    for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
      list?.forEach((value, index) => {
        const at: FieldPath = [...path, field, index];
        if (key === 'destination.port' && !isPortText(value)) this.refuse(at, `destination.port value '${value}' must be a port number from 0 to 65535`);
        if ((key === 'source.ip' || key === 'destination.ip' || key === 'remote.ip') && !parseAddressEntry(value)) {
          this.refuse(at, `${key} value '${value}' must be an IP address or a CIDR`);
        }
      });
    }
    if (action === 'CUSTOM' && (key === 'source.namespace' || key === 'source.serviceAccount' || key === 'source.principal' || key.startsWith('request.auth.'))) {
      this.refuse([...path, 'key'], `${key} is not supported with the CUSTOM action`);
    }
    return { key, ...(values ? { values } : {}), ...(notValues ? { notValues } : {}), layer, path };
  }

  /** A list of strings; istiod refuses an empty string in it (CheckEmptyValues). Undefined when not written or empty. */
  private stringValues(raw: unknown, path: FieldPath, field: string): string[] | undefined {
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    const values: string[] = [];
    raw.forEach((value, index) => {
      if (typeof value !== 'string') return;
      if (value === '') this.refuse([...path, index], `${field} must not hold an empty string`);
      else values.push(value);
    });
    return values;
  }

  /** An `ipBlocks`-style list: addresses (`203.0.113.4`) and CIDRs; istiod refuses anything else (ValidateIPs). */
  private addressList(raw: unknown, path: FieldPath): IstioAddressList | undefined {
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    const entries: string[] = [];
    const byFamily: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    raw.forEach((value, index) => {
      if (typeof value !== 'string') return;
      const parsed = parseAddressEntry(value);
      if (!parsed) {
        this.refuse([...path, index], `'${value}' is not an IP address or a CIDR`);
        return;
      }
      entries.push(value);
      byFamily[parsed.family].push(parsed.range);
    });
    return { entries, ranges: { 4: mergeRanges(byFamily[4]), 6: mergeRanges(byFamily[6]) } };
  }

  /** `ports`/`notPorts`: strings of port numbers (ValidatePorts: 0 to 65535). */
  private ports(raw: unknown, path: FieldPath, field: string): number[] | undefined {
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    const ports: number[] = [];
    raw.forEach((value, index) => {
      if (typeof value !== 'string') return;
      if (!isPortText(value)) this.refuse([...path, index], `${field} entry '${value}' must be a port number from 0 to 65535`);
      else ports.push(Number(value));
    });
    return ports;
  }

  /**
   * `selector.matchLabels` (istio.type.v1beta1.WorkloadSelector), or `workloadSelector.labels`
   * (networking's WorkloadSelector, of Sidecar and ServiceEntry): istiod refuses an empty key and
   * wildcards; a selector without labels selects like no selector, with a warning.
   */
  private workloadSelector(raw: unknown, path: FieldPath, field: 'matchLabels' | 'labels' = 'matchLabels'): Labels | undefined {
    if (!isMapping(raw)) return undefined;
    const labels = stringMap(raw[field]);
    for (const [key, value] of Object.entries(labels)) {
      if (key === '') this.refuse([...path, field], 'an empty label key is not supported in a workload selector');
      if (key.includes('*') || value.includes('*')) this.refuse([...path, field, key], `wildcards are not supported in a workload selector (${key}=${value})`);
    }
    if (Object.keys(labels).length === 0) {
      this.warn(path, 'its workload selector has no labels, so it applies as if there were no selector');
      return undefined;
    }
    return labels;
  }

  /** `targetRef` and `targetRefs`: only one of them, or a selector, may be set; kinds istiod accepts, no namespace. */
  private targetRefs(): PolicyTargetReference[] {
    const spec = this.spec;
    const written: { raw: Raw; path: FieldPath }[] = [
      ...(isMapping(spec.targetRef) ? [{ raw: spec.targetRef, path: ['spec', 'targetRef'] as FieldPath }] : []),
      ...list(spec.targetRefs).flatMap((raw, index) => (isMapping(raw) ? [{ raw, path: ['spec', 'targetRefs', index] as FieldPath }] : [])),
    ];
    const kindsSet = [spec.selector != null, spec.targetRef != null, Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0].filter(Boolean).length;
    if (kindsSet > 1) this.refuse(['spec'], 'only one of selector, targetRef and targetRefs may be set');
    return written.flatMap(({ raw, path }) => {
      const group = typeof raw.group === 'string' ? raw.group : '';
      const kind = typeof raw.kind === 'string' ? raw.kind : '';
      const name = typeof raw.name === 'string' ? raw.name : '';
      if (name === '') this.refuse([...path, 'name'], 'a target reference needs a name');
      if (typeof raw.namespace === 'string' && raw.namespace !== '') this.refuse([...path, 'namespace'], 'a target reference must not name a namespace (cross-namespace references are not supported)');
      // The core group may be written `core` or left empty.
      const canonicalGroup = group === 'core' ? '' : group;
      if (!ALLOWED_TARGET_KINDS.has(`${canonicalGroup}/${kind}`)) {
        this.refuse([...path, 'kind'], `a target reference must be a Service, a ServiceEntry (networking.istio.io), or a Gateway or GatewayClass (gateway.networking.k8s.io), not ${group === '' ? '' : `${group}/`}${kind}`);
      }
      return [{ group: canonicalGroup, kind, name, path }];
    });
  }

  private scopeOf(selector: Labels | undefined, targetRefs: readonly PolicyTargetReference[]): IstioPolicyScope {
    if (targetRefs.length > 0) return 'targetRefs';
    if (selector) return 'selector';
    return this.namespace === this.context.settings.rootNamespace ? 'mesh' : 'namespace';
  }

  peerAuthentication(): PeerAuthentication {
    const spec = this.spec;
    const selector = this.workloadSelector(spec.selector, ['spec', 'selector']);
    const portLevelMtls: { port: number; mode: MtlsMode; path: FieldPath }[] = [];
    if (spec.portLevelMtls != null) {
      const entries = isMapping(spec.portLevelMtls) ? Object.entries(spec.portLevelMtls) : [];
      if (entries.length === 0) this.refuse(['spec', 'portLevelMtls'], 'portLevelMtls, when written, must hold at least one port');
      else if (!selector) this.refuse(['spec', 'portLevelMtls'], 'a mesh-wide or namespace-wide PeerAuthentication (no selector) cannot have portLevelMtls');
      for (const [key, value] of entries) {
        const path: FieldPath = ['spec', 'portLevelMtls', key];
        if (!/^\d+$/.test(key) || Number(key) < 1 || Number(key) > 65535) {
          this.refuse(path, `portLevelMtls key '${key}' must be a port number from 1 to 65535`);
          continue;
        }
        portLevelMtls.push({ port: Number(key), mode: mtlsMode(isMapping(value) ? value.mode : undefined), path });
      }
    }
    const createdAt = ((this.object.value.metadata ?? {}) as Raw).creationTimestamp;
    return {
      namespace: this.namespace,
      name: this.object.name,
      scope: selector ? 'selector' : this.namespace === this.context.settings.rootNamespace ? 'mesh' : 'namespace',
      ...(selector ? { selector } : {}),
      mode: mtlsMode(isMapping(spec.mtls) ? spec.mtls.mode : undefined),
      modePath: isMapping(spec.mtls) ? ['spec', 'mtls', 'mode'] : ['spec'],
      portLevelMtls: portLevelMtls.sort((a, b) => a.port - b.port),
      ...(typeof createdAt === 'string' ? { createdAt } : {}),
      source: this.object,
    };
  }

  requestAuthentication(): RequestAuthentication {
    const spec = this.spec;
    const selector = this.workloadSelector(spec.selector, ['spec', 'selector']);
    const targetRefs = this.targetRefs();
    const issuers: string[] = [];
    list(spec.jwtRules).forEach((rule, index) => {
      if (!isMapping(rule)) return;
      const issuer = typeof rule.issuer === 'string' ? rule.issuer : '';
      const jwksUri = typeof rule.jwksUri === 'string' ? rule.jwksUri : '';
      if (issuer === '' && jwksUri === '') this.refuse(['spec', 'jwtRules', index], 'a JWT rule needs an issuer or a jwksUri');
      if (issuer !== '') issuers.push(issuer);
    });
    return {
      namespace: this.namespace,
      name: this.object.name,
      scope: this.scopeOf(selector, targetRefs),
      ...(selector ? { selector } : {}),
      targetRefs,
      issuers,
      source: this.object,
    };
  }

  sidecar(): IstioSidecar {
    const spec = this.spec;
    const workloadSelector = this.workloadSelector(spec.workloadSelector, ['spec', 'workloadSelector'], 'labels');
    if (list(spec.egress).length === 0 && list(spec.ingress).length === 0 && spec.outboundTrafficPolicy == null && spec.inboundConnectionPool == null) {
      this.refuse(['spec'], 'a Sidecar needs egress, ingress or outboundTrafficPolicy');
    }
    const egress = list(spec.egress).flatMap((raw, index) => {
      if (!isMapping(raw)) return [];
      const path: FieldPath = ['spec', 'egress', index];
      const hosts = list(raw.hosts).flatMap((host, hostIndex) => {
        if (typeof host !== 'string') return [];
        const parsed = namespacedHost(host, this.namespace, false);
        if (!parsed) {
          this.refuse([...path, 'hosts', hostIndex], `egress host '${host}' must be namespace/dnsName (namespace: a name, '*', '.' or '~')`);
          return [];
        }
        return [parsed];
      });
      if (hosts.length === 0 && list(raw.hosts).length === 0) this.refuse([...path, 'hosts'], 'an egress listener needs at least one host');
      const port = isMapping(raw.port) && typeof raw.port.number === 'number'
        ? { number: raw.port.number, ...(typeof raw.port.protocol === 'string' ? { protocol: raw.port.protocol.toUpperCase() } : {}) } : undefined;
      return [{ ...(port ? { port } : {}), ...(typeof raw.bind === 'string' ? { bind: raw.bind } : {}), hosts, path }];
    });
    const ingress = list(spec.ingress).flatMap((raw, index) => {
      if (!isMapping(raw)) return [];
      const path: FieldPath = ['spec', 'ingress', index];
      const port = isMapping(raw.port) && typeof raw.port.number === 'number'
        ? { number: raw.port.number, ...(typeof raw.port.protocol === 'string' ? { protocol: raw.port.protocol.toUpperCase() } : {}) } : undefined;
      if (!port) this.refuse([...path, 'port'], 'an ingress listener needs a port');
      return [{ ...(port ? { port } : {}), ...(typeof raw.defaultEndpoint === 'string' ? { defaultEndpoint: raw.defaultEndpoint } : {}), path }];
    });
    const mode = isMapping(spec.outboundTrafficPolicy) ? spec.outboundTrafficPolicy.mode : undefined;
    return {
      namespace: this.namespace,
      name: this.object.name,
      ...(workloadSelector ? { workloadSelector } : {}),
      egress,
      ingress,
      ...(mode === 'REGISTRY_ONLY' || mode === 'ALLOW_ANY' ? { outboundTrafficPolicy: mode } : {}),
      source: this.object,
    };
  }

  gateway(): IstioGateway {
    const spec = this.spec;
    const servers: IstioGatewayServer[] = [];
    if (list(spec.servers).length === 0) this.refuse(['spec', 'servers'], 'a Gateway needs at least one server');
    list(spec.servers).forEach((raw, index) => {
      if (!isMapping(raw)) return;
      const path: FieldPath = ['spec', 'servers', index];
      const port = this.istioPort(raw.port, [...path, 'port']);
      const hosts = list(raw.hosts).flatMap((host, hostIndex) => {
        if (typeof host !== 'string') return [];
        const parsed = namespacedHost(host, this.namespace, true);
        if (!parsed) {
          this.refuse([...path, 'hosts', hostIndex], `host '${host}' must be dnsName or namespace/dnsName`);
          return [];
        }
        return [parsed];
      });
      if (list(raw.hosts).length === 0) this.refuse([...path, 'hosts'], 'a server needs at least one host');
      const tls = isMapping(raw.tls) ? {
        ...(typeof raw.tls.mode === 'string' ? { mode: raw.tls.mode } : {}),
        httpsRedirect: raw.tls.httpsRedirect === true,
        ...(typeof raw.tls.credentialName === 'string' ? { credentialName: raw.tls.credentialName } : {}),
      } : undefined;
      if (port) servers.push({ port, hosts, ...(tls ? { tls } : {}), ...(typeof raw.name === 'string' ? { name: raw.name } : {}), path });
    });
    // Gateway.selector is a plain label map (not a WorkloadSelector); no selector: every workload.
    const selector = isMapping(spec.selector) ? stringMap(spec.selector) : undefined;
    return {
      namespace: this.namespace,
      name: this.object.name,
      ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
      servers,
      source: this.object,
    };
  }

  /** A networking Port: number 1 to 65535 and a protocol istiod knows. Undefined when unusable. */
  private istioPort(raw: unknown, path: FieldPath): IstioPort | undefined {
    if (!isMapping(raw)) {
      this.refuse(path, 'a port is required');
      return undefined;
    }
    const number = raw.number;
    if (typeof number !== 'number' || number < 1 || number > 65535) {
      this.refuse([...path, 'number'], 'port number must be from 1 to 65535');
      return undefined;
    }
    const protocol = typeof raw.protocol === 'string' ? raw.protocol.toUpperCase() : '';
    if (!PROTOCOLS.has(protocol)) {
      this.refuse([...path, 'protocol'], protocol === '' ? 'a port needs a protocol (HTTP, HTTPS, GRPC, HTTP2, TCP, TLS...)' : `unknown protocol '${raw.protocol}'`);
    }
    return {
      number,
      protocol,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
      ...(typeof raw.targetPort === 'number' ? { targetPort: raw.targetPort } : {}),
    };
  }

  virtualService(): VirtualService {
    const spec = this.spec;
    const hosts = list(spec.hosts).filter((host): host is string => typeof host === 'string');
    const gateways: VirtualServiceGateway[] = list(spec.gateways).flatMap((raw, index): VirtualServiceGateway[] => {
      if (typeof raw !== 'string') return [];
      const path: FieldPath = ['spec', 'gateways', index];
      if (raw === 'mesh') return [{ type: 'mesh' as const, path }];
      const resolved = resolveGatewayName(raw, this.namespace);
      return [{ type: 'gateway' as const, namespace: resolved.namespace, name: resolved.name, text: raw, path }];
    });
    const boundToMesh = gateways.length === 0 || gateways.some((gateway) => gateway.type === 'mesh');
    const isDelegate = hosts.length === 0;
    if (isDelegate && gateways.length > 0) this.refuse(['spec', 'gateways'], 'a delegate VirtualService (without hosts) must not name gateways');
    if (boundToMesh && hosts.includes('*')) this.refuse(['spec', 'hosts', hosts.indexOf('*')], 'the wildcard host * is not allowed for a VirtualService bound to the mesh');
    if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) {
      this.refuse(['spec'], 'a VirtualService needs http, tcp or tls routes');
    }
    const routes: VirtualServiceRoute[] = [];
    for (const protocol of ['http', 'tcp', 'tls'] as const) {
      list(spec[protocol]).forEach((raw, index) => {
        const path: FieldPath = ['spec', protocol, index];
        if (!isMapping(raw)) {
          if (raw === null) this.refuse(path, `${protocol} route may not be null`);
          return;
        }
        routes.push(this.route(raw, protocol, path));
      });
    }
    const exportTo = list(spec.exportTo).filter((entry): entry is string => typeof entry === 'string');
    return {
      namespace: this.namespace,
      name: this.object.name,
      hosts,
      gateways: gateways.length > 0 ? gateways : [{ type: 'mesh', path: ['spec'] }],
      routes,
      ...(exportTo.length > 0 ? { exportTo } : {}),
      source: this.object,
    };
  }

  private route(raw: Raw, protocol: 'http' | 'tcp' | 'tls', path: FieldPath): VirtualServiceRoute {
    const destinations: RouteDestination[] = [];
    const rawDestinations = list(raw.route);
    rawDestinations.forEach((entry, index) => {
      if (!isMapping(entry) || !isMapping(entry.destination)) {
        this.refuse([...path, 'route', index], 'a route entry needs a destination');
        return;
      }
      const destination = entry.destination;
      const destinationPath: FieldPath = [...path, 'route', index, 'destination'];
      if (typeof destination.host !== 'string' || destination.host === '') {
        this.refuse([...destinationPath, 'host'], 'a destination needs a host');
        return;
      }
      const port = isMapping(destination.port) && typeof destination.port.number === 'number' ? destination.port.number : undefined;
      destinations.push({
        host: destination.host,
        ...(port !== undefined ? { port } : {}),
        ...(typeof destination.subset === 'string' && destination.subset !== '' ? { subset: destination.subset } : {}),
        // A lone destination gets all the traffic; weights of several are shares (missing = 0).
        weight: typeof entry.weight === 'number' ? entry.weight : rawDestinations.length === 1 ? 100 : 0,
        path: destinationPath,
      });
    });
    const answersItself = protocol === 'http' && (raw.redirect != null || raw.directResponse != null);
    if (protocol === 'http' && rawDestinations.length === 0 && !answersItself && raw.delegate == null) {
      this.refuse(path, 'an HTTP route needs route destinations, a redirect, a directResponse or a delegate');
    }
    if (protocol !== 'http' && rawDestinations.length === 0) this.refuse([...path, 'route'], `a ${protocol} route needs at least one destination`);
    const matches = list(raw.match).filter(isMapping);
    const matchPorts = matches.flatMap((match) => (typeof match.port === 'number' ? [match.port] : []));
    return {
      protocol,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
      matches: matches.map((match) => describeMatch(match, protocol)).filter((text) => text !== ''),
      matchPorts,
      destinations,
      answersItself,
      path,
    };
  }

  destinationRule(): DestinationRule {
    const spec = this.spec;
    const host = typeof spec.host === 'string' ? spec.host : '';
    if (host === '') this.refuse(['spec', 'host'], 'a DestinationRule needs a host');
    const policy = tlsOf(spec.trafficPolicy, ['spec', 'trafficPolicy']);
    const subsets = list(spec.subsets).flatMap((raw, index) => {
      if (!isMapping(raw) || typeof raw.name !== 'string' || raw.name === '') {
        this.refuse(['spec', 'subsets', index, 'name'], 'a subset needs a name');
        return [];
      }
      const subsetPolicy = tlsOf(raw.trafficPolicy, ['spec', 'subsets', index, 'trafficPolicy']);
      return [{ name: raw.name, labels: stringMap(raw.labels), ...(subsetPolicy.mode ? { tlsMode: subsetPolicy.mode } : {}), path: ['spec', 'subsets', index] as FieldPath }];
    });
    const names = new Set<string>();
    subsets.forEach((subset) => {
      if (names.has(subset.name)) this.refuse([...subset.path, 'name'], `subset name ${subset.name} is used twice`);
      names.add(subset.name);
    });
    const workloadSelector = this.workloadSelector(spec.workloadSelector, ['spec', 'workloadSelector']);
    const exportTo = list(spec.exportTo).filter((entry): entry is string => typeof entry === 'string');
    return {
      namespace: this.namespace,
      name: this.object.name,
      host,
      ...(policy.mode ? { tlsMode: policy.mode } : {}),
      portTls: policy.ports,
      subsets,
      ...(workloadSelector ? { workloadSelector } : {}),
      ...(exportTo.length > 0 ? { exportTo } : {}),
      source: this.object,
    };
  }

  serviceEntry(): ServiceEntry {
    const spec = this.spec;
    const hosts = list(spec.hosts).filter((host): host is string => typeof host === 'string');
    if (hosts.length === 0) this.refuse(['spec', 'hosts'], 'a ServiceEntry needs at least one host');
    hosts.forEach((host, index) => {
      if (host === '*') this.refuse(['spec', 'hosts', index], 'the host * is not allowed in a ServiceEntry');
    });
    const addresses = list(spec.addresses).filter((address): address is string => typeof address === 'string');
    addresses.forEach((address, index) => {
      if (!parseAddressEntry(address)) this.refuse(['spec', 'addresses', index], `'${address}' is not an IP address or a CIDR`);
    });
    const ports = list(spec.ports).flatMap((raw, index) => {
      const port = this.istioPort(raw, ['spec', 'ports', index]);
      return port ? [port] : [];
    });
    const resolution = ['STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'].includes(spec.resolution) ? spec.resolution : 'NONE';
    const endpoints = list(spec.endpoints).filter(isMapping);
    const workloadSelector = this.workloadSelector(spec.workloadSelector, ['spec', 'workloadSelector'], 'labels');
    if (endpoints.length > 0 && workloadSelector) this.refuse(['spec', 'workloadSelector'], 'only one of endpoints and workloadSelector may be set');
    const exportTo = list(spec.exportTo).filter((entry): entry is string => typeof entry === 'string');
    return {
      namespace: this.namespace,
      name: this.object.name,
      hosts,
      addresses,
      ports,
      location: spec.location === 'MESH_INTERNAL' ? 'MESH_INTERNAL' : 'MESH_EXTERNAL',
      resolution,
      endpointAddresses: endpoints.flatMap((endpoint) => (typeof endpoint.address === 'string' ? [endpoint.address] : [])),
      ...(workloadSelector ? { workloadSelector } : {}),
      ...(exportTo.length > 0 ? { exportTo } : {}),
      source: this.object,
    };
  }
}

function tlsOf(raw: unknown, path: FieldPath): { mode?: ClientTlsMode; ports: { port: number; mode: ClientTlsMode; path: FieldPath }[] } {
  if (!isMapping(raw)) return { ports: [] };
  const mode = clientTlsMode(isMapping(raw.tls) ? raw.tls.mode : undefined);
  const ports = list(raw.portLevelSettings).flatMap((setting, index) => {
    if (!isMapping(setting) || !isMapping(setting.port) || typeof setting.port.number !== 'number') return [];
    const portMode = clientTlsMode(isMapping(setting.tls) ? setting.tls.mode : undefined);
    return portMode ? [{ port: setting.port.number, mode: portMode, path: [...path, 'portLevelSettings', index] as FieldPath }] : [];
  });
  return { ...(mode ? { mode } : {}), ports };
}

function clientTlsMode(value: unknown): ClientTlsMode | undefined {
  return value === 'DISABLE' || value === 'SIMPLE' || value === 'MUTUAL' || value === 'ISTIO_MUTUAL' ? value : undefined;
}

function mtlsMode(value: unknown): MtlsMode {
  return value === 'DISABLE' || value === 'PERMISSIVE' || value === 'STRICT' ? value : 'UNSET';
}

/** A short description of a VirtualService match: `uri prefix /api`, `port 8080`, `sni *.example.com`. */
function describeMatch(match: Raw, protocol: 'http' | 'tcp' | 'tls'): string {
  const parts: string[] = [];
  for (const field of ['uri', 'method', 'authority', 'scheme']) {
    const value = match[field];
    if (!isMapping(value)) continue;
    for (const kind of ['exact', 'prefix', 'regex']) {
      if (typeof value[kind] === 'string') parts.push(`${field} ${kind} ${value[kind]}`);
    }
  }
  if (isMapping(match.headers)) parts.push(`headers ${Object.keys(match.headers).join(', ')}`);
  if (protocol === 'tls' && Array.isArray(match.sniHosts)) parts.push(`sni ${match.sniHosts.join(', ')}`);
  if (Array.isArray(match.destinationSubnets)) parts.push(`to ${match.destinationSubnets.join(', ')}`);
  if (typeof match.port === 'number') parts.push(`port ${match.port}`);
  if (Array.isArray(match.gateways)) parts.push(`via ${match.gateways.join(', ')}`);
  return parts.join(' ');
}

/**
 * Resolves a VirtualService's gateway reference as istiod does (pilot/pkg/model/config.go
 * resolveGatewayName): `ns/name`; `./name` and a bare `name` in the VirtualService's namespace;
 * the legacy `name.ns[.svc.cluster.local]` as `ns/name`.
 */
export function resolveGatewayName(reference: string, namespace: string): { namespace: string; name: string } {
  const slash = reference.indexOf('/');
  if (slash !== -1) {
    const prefix = reference.slice(0, slash);
    return { namespace: prefix === '.' ? namespace : prefix, name: reference.slice(slash + 1) };
  }
  const dot = reference.indexOf('.');
  if (dot === -1) return { namespace, name: reference };
  const rest = reference.slice(dot + 1);
  const nextDot = rest.indexOf('.');
  return { namespace: nextDot === -1 ? rest : rest.slice(0, nextDot), name: reference.slice(0, dot) };
}

/**
 * Parses a `namespace/dnsName` host of a Sidecar egress listener or a Gateway server: the
 * namespace may be a name, `*` (any), `.` (the object's own) or `~` (none); a Gateway host may
 * leave it out (any namespace). Undefined when the form is wrong.
 */
export function namespacedHost(text: string, ownNamespace: string, namespaceOptional: boolean): NamespacedHost | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) {
    if (!namespaceOptional || text === '') return undefined;
    return { namespace: '*', dnsName: text, text };
  }
  const namespace = text.slice(0, slash);
  const dnsName = text.slice(slash + 1);
  if (namespace === '' || dnsName === '' || dnsName.includes('/')) return undefined;
  return { namespace: namespace === '.' ? ownNamespace : namespace, dnsName, text };
}

/** An address (`203.0.113.4`, a /32 or /128) or a CIDR (`203.0.113.0/24`). */
function parseAddressEntry(text: string): { family: IpFamily; range: AddressRange } | undefined {
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    return 'error' in cidr ? undefined : { family: cidr.family, range: cidr.range };
  }
  const address = parseAddress(text);
  return address ? { family: address.family, range: { first: address.value, last: address.value } } : undefined;
}

function isPortText(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) <= 65535;
}

function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringMap(value: unknown): Labels {
  if (!isMapping(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') result[key] = entry;
  return result;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
