import type { ManifestObject } from '../load/manifest-object.js';
import { formatPath, type FieldPath } from '../load/path.js';
import { modelledGroupKind } from '../load/kinds.js';
import { parseLabelSelector } from './label-selector.js';
import {
  GATEWAY_API_GROUP, type BackendReference, type Gateway, type GatewayApiObjects, type GatewayClass, type GatewayListener, type GatewayRoute,
  type GroupKindName, type ObjectReference, type ParentReference, type ReferenceGrant, type RouteKind, type RouteMatch, type RouteNamespaces,
  type RouteRule,
} from './gateway-api.js';

type Raw = Record<string, any>;

/** What the graph builder lends the Gateway API builder. */
export interface GatewayApiBuildContext {
  /** The object's namespace, or the default namespace when it names none. */
  namespaceOf(object: ManifestObject): string;
  /** Reports a value the API server rejects, at `path` of `object`; the object is then left out. */
  reject(object: ManifestObject, path: FieldPath, message: string): void;
}

/** Gateway API `Hostname`: lowercase DNS labels, the first of which may be the wildcard `*`; never an IP address. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IP_ADDRESS = /^[0-9.]+$|:/;

const ROUTE_KIND_NAMES: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/**
 * Reads the Gateway API objects (gateway.networking.k8s.io, the versions kinds.ts lists) with the
 * API's defaults applied. An object the API server would reject (an invalid hostname, a selector
 * with a bad operator, a Service backend without a port, two listeners of one name) is reported
 * and left out, as the cluster would never admit it.
 */
export function buildGatewayApiObjects(objects: readonly ManifestObject[], context: GatewayApiBuildContext): GatewayApiObjects {
  const gatewayClasses: GatewayClass[] = [];
  const gateways: Gateway[] = [];
  const routes: GatewayRoute[] = [];
  const referenceGrants: ReferenceGrant[] = [];
  for (const object of objects) {
    // Other groups' kinds of the same names (Istio's networking.istio.io Gateway) are not the Gateway API's.
    if (modelledGroupKind(object.apiVersion, object.kind)?.group !== GATEWAY_API_GROUP) continue;
    const reader = new ObjectReader(object, context);
    if (object.kind === 'GatewayClass') gatewayClasses.push(reader.gatewayClass());
    else if (object.kind === 'Gateway') reader.keep(reader.gateway(), gateways);
    else if (ROUTE_KIND_NAMES.has(object.kind)) reader.keep(reader.route(object.kind as RouteKind), routes);
    else if (object.kind === 'ReferenceGrant') reader.keep(reader.referenceGrant(), referenceGrants);
  }
  const byName = (a: { namespace?: string; name: string }, b: { namespace?: string; name: string }) => compareText(`${a.namespace ?? ''}/${a.name}`, `${b.namespace ?? ''}/${b.name}`);
  return {
    gatewayClasses: gatewayClasses.sort(byName),
    gateways: gateways.sort(byName),
    routes: routes.sort((a, b) => compareText(a.kind, b.kind) || byName(a, b)),
    referenceGrants: referenceGrants.sort(byName),
  };
}

/** Reads one object, collecting what the API server would reject. */
class ObjectReader {
  private readonly problems: { path: FieldPath; message: string }[] = [];
  private readonly namespace: string;
  private readonly spec: Raw;

  constructor(private readonly object: ManifestObject, private readonly context: GatewayApiBuildContext) {
    this.namespace = context.namespaceOf(object);
    const spec = object.value.spec;
    // A wrongly typed spec was reported by the schema check; what is left is read as far as it makes sense.
    this.spec = isMapping(spec) ? spec : {};
  }

  /** Adds `value` to `list` unless the object has a problem the API server rejects, which is reported instead. */
  keep<T>(value: T, list: T[]): void {
    if (this.problems.length === 0) {
      list.push(value);
      return;
    }
    const name = `${this.object.kind} ${this.namespace}/${this.object.name}`;
    for (const problem of this.problems) {
      this.context.reject(this.object, problem.path, `${name}: ${problem.message}; the API server rejects this object, so k8snet leaves it out.`);
    }
  }

  gatewayClass(): GatewayClass {
    const controllerName = this.spec.controllerName;
    return { name: this.object.name, ...(typeof controllerName === 'string' ? { controllerName } : {}), source: this.object };
  }

  gateway(): Gateway {
    const className = this.spec.gatewayClassName;
    if (typeof className !== 'string' || className === '') this.problems.push({ path: ['spec', 'gatewayClassName'], message: 'spec.gatewayClassName is required' });
    const listeners: GatewayListener[] = [];
    const names = new Set<string>();
    list(this.spec.listeners).forEach((raw, index) => {
      const path: FieldPath = ['spec', 'listeners', index];
      if (!isMapping(raw) || typeof raw.name !== 'string' || typeof raw.port !== 'number' || typeof raw.protocol !== 'string') return;
      if (names.has(raw.name)) this.problems.push({ path: [...path, 'name'], message: `listener name ${raw.name} is used twice; listener names must be unique within a Gateway` });
      names.add(raw.name);
      const hostname = this.hostname(raw.hostname, [...path, 'hostname']);
      const tls = isMapping(raw.tls) ? {
        mode: raw.tls.mode === 'Passthrough' ? 'Passthrough' as const : 'Terminate' as const,
        certificateRefs: list(raw.tls.certificateRefs).flatMap((reference, refIndex) => (isMapping(reference) && typeof reference.name === 'string'
          ? [this.reference(reference, [...path, 'tls', 'certificateRefs', refIndex], { group: '', kind: 'Secret' })] : [])),
      } : undefined;
      const allowedRoutes: Raw = isMapping(raw.allowedRoutes) ? raw.allowedRoutes : {};
      const kinds: GroupKindName[] = list(allowedRoutes.kinds).flatMap((kind) => (isMapping(kind) && typeof kind.kind === 'string'
        ? [{ group: typeof kind.group === 'string' ? kind.group : GATEWAY_API_GROUP, kind: kind.kind }] : []));
      listeners.push({
        name: raw.name,
        port: raw.port,
        protocol: raw.protocol,
        ...(hostname !== undefined ? { hostname } : {}),
        ...(tls ? { tls } : {}),
        allowedNamespaces: this.routeNamespaces(allowedRoutes.namespaces, [...path, 'allowedRoutes', 'namespaces']),
        ...(kinds.length > 0 ? { allowedKinds: kinds } : {}),
        path,
      });
    });
    const status = isMapping(this.object.value.status) ? this.object.value.status : {};
    const addresses = [
      ...list(this.spec.addresses).map((address, index) => ({ address, path: ['spec', 'addresses', index] as FieldPath })),
      ...list(status.addresses).map((address, index) => ({ address, path: ['status', 'addresses', index] as FieldPath })),
    ].flatMap(({ address, path }) => (isMapping(address) && typeof address.value === 'string'
      // AddressType defaults to IPAddress.
      ? [{ type: typeof address.type === 'string' ? address.type : 'IPAddress', value: address.value, path }] : []));
    const infrastructure = isMapping(this.spec.infrastructure) ? this.spec.infrastructure : {};
    return {
      namespace: this.namespace,
      name: this.object.name,
      className: typeof className === 'string' ? className : '',
      listeners,
      addresses,
      annotations: { ...stringMap((this.object.value.metadata as Raw | undefined)?.annotations), ...stringMap(infrastructure.annotations) },
      source: this.object,
    };
  }

  route(kind: RouteKind): GatewayRoute {
    const parentRefs: ParentReference[] = list(this.spec.parentRefs).flatMap((raw, index) => {
      if (!isMapping(raw) || typeof raw.name !== 'string') return [];
      return [{
        ...this.reference(raw, ['spec', 'parentRefs', index], { group: GATEWAY_API_GROUP, kind: 'Gateway' }),
        ...(typeof raw.sectionName === 'string' ? { sectionName: raw.sectionName } : {}),
        ...(typeof raw.port === 'number' ? { port: raw.port } : {}),
      }];
    });
    const hostnames = kind === 'TCPRoute' || kind === 'UDPRoute' ? [] : list(this.spec.hostnames)
      .flatMap((raw, index) => { const hostname = this.hostname(raw, ['spec', 'hostnames', index]); return hostname !== undefined ? [hostname] : []; });
    const rules: RouteRule[] = list(this.spec.rules).map((raw, index) => this.rule(kind, isMapping(raw) ? raw : {}, ['spec', 'rules', index]));
    const creationTimestamp = (this.object.value.metadata as Raw | undefined)?.creationTimestamp;
    return {
      kind,
      namespace: this.namespace,
      name: this.object.name,
      parentRefs,
      hostnames: [...new Set(hostnames)],
      rules,
      ...(typeof creationTimestamp === 'string' && creationTimestamp !== '' ? { creationTimestamp } : {}),
      source: this.object,
    };
  }

  referenceGrant(): ReferenceGrant {
    const from = list(this.spec.from).flatMap((raw) => (isMapping(raw) && typeof raw.group === 'string' && typeof raw.kind === 'string' && typeof raw.namespace === 'string'
      ? [{ group: raw.group, kind: raw.kind, namespace: raw.namespace }] : []));
    const to = list(this.spec.to).flatMap((raw) => (isMapping(raw) && typeof raw.group === 'string' && typeof raw.kind === 'string'
      ? [{ group: raw.group, kind: raw.kind, ...(typeof raw.name === 'string' && raw.name !== '' ? { name: raw.name } : {}) }] : []));
    return { namespace: this.namespace, name: this.object.name, from, to, source: this.object };
  }

  private rule(kind: RouteKind, raw: Raw, path: FieldPath): RouteRule {
    const filters = list(raw.filters);
    const redirectsToHttps = filters.some((filter) => isMapping(filter) && filter.type === 'RequestRedirect'
      && isMapping(filter.requestRedirect) && String(filter.requestRedirect.scheme).toLowerCase() === 'https');
    const backendRefs: BackendReference[] = list(raw.backendRefs).flatMap((backend, index) => {
      const backendPath: FieldPath = [...path, 'backendRefs', index];
      if (!isMapping(backend) || typeof backend.name !== 'string') return [];
      const reference = this.reference(backend, backendPath, { group: '', kind: 'Service' });
      // CEL validation of BackendObjectReference: "Must have port for Service reference". A port of
      // the wrong type is the schema check's to report.
      if (reference.group === '' && reference.kind === 'Service' && (backend.port === undefined || backend.port === null)) {
        this.problems.push({ path: backendPath, message: `${formatPath(backendPath)} names Service ${reference.name} without a port, which a Service backend must have` });
      }
      const weight = typeof backend.weight === 'number' && Number.isInteger(backend.weight) && backend.weight >= 0 ? backend.weight : 1;
      return [{ ...reference, ...(typeof backend.port === 'number' ? { port: backend.port } : {}), weight }];
    });
    return { matches: this.matches(kind, raw.matches, path), backendRefs, redirectsToHttps, path };
  }

  /** The rule's matches with their defaults; one catch-all match when it has none. */
  private matches(kind: RouteKind, raw: unknown, rulePath: FieldPath): RouteMatch[] {
    const written = list(raw);
    if (kind !== 'HTTPRoute' && kind !== 'GRPCRoute') return [{ key: 'every connection', description: 'every connection', path: rulePath }];
    if (written.length === 0) {
      // No matches: HTTPRoute defaults to a PathPrefix match on "/"; GRPCRoute matches every request.
      return [kind === 'HTTPRoute' ? httpMatch({}, rulePath) : grpcMatch({}, rulePath)];
    }
    return written.map((match, index) => {
      const path: FieldPath = [...rulePath, 'matches', index];
      return kind === 'HTTPRoute' ? httpMatch(isMapping(match) ? match : {}, path) : grpcMatch(isMapping(match) ? match : {}, path);
    });
  }

  private reference(raw: Raw, path: FieldPath, defaults: GroupKindName): ObjectReference {
    return {
      group: typeof raw.group === 'string' ? raw.group : defaults.group,
      kind: typeof raw.kind === 'string' && raw.kind !== '' ? raw.kind : defaults.kind,
      namespace: typeof raw.namespace === 'string' && raw.namespace !== '' ? raw.namespace : this.namespace,
      name: raw.name,
      path,
    };
  }

  private hostname(raw: unknown, path: FieldPath): string | undefined {
    if (typeof raw !== 'string' || raw === '') return undefined;
    if (!HOSTNAME.test(raw) || IP_ADDRESS.test(raw)) {
      this.problems.push({ path, message: `hostname ${JSON.stringify(raw)} is not a lowercase DNS name (optionally starting with '*.'), which a hostname must be` });
    }
    return raw;
  }

  private routeNamespaces(raw: unknown, path: FieldPath): RouteNamespaces {
    if (!isMapping(raw)) return { from: 'Same' };
    if (raw.from === 'All') return { from: 'All' };
    if (raw.from !== 'Selector') return { from: 'Same' };
    const parsed = parseLabelSelector(raw.selector ?? undefined);
    for (const problem of parsed.problems) this.problems.push({ path: [...path, 'selector', ...problem.path], message: `${formatPath([...path, 'selector'])}: ${problem.message}` });
    // From: Selector without a selector selects no namespace (the selector "must be specified").
    return { from: 'Selector', selector: parsed.selector ?? { requirements: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [] }], text: '<none>' } };
  }
}

/** An HTTPRoute match with its defaults: path PathPrefix `/`, headers Exact (names case-insensitive), query parameters Exact. */
function httpMatch(raw: Raw, path: FieldPath): RouteMatch {
  const pathMatch: Raw = isMapping(raw.path) ? raw.path : {};
  const type = typeof pathMatch.type === 'string' ? pathMatch.type : 'PathPrefix';
  const value = typeof pathMatch.value === 'string' ? pathMatch.value : '/';
  // HTTPPathMatch: PathPrefix matches element by element and ignores a trailing `/`.
  const matched = type === 'PathPrefix' && value.length > 1 ? value.replace(/\/+$/, '') || '/' : value;
  const method = typeof raw.method === 'string' ? raw.method : undefined;
  const headers = conditions(raw.headers, true);
  const queryParams = conditions(raw.queryParams, false);
  const extra = [headers.length > 0 ? `${headers.length} header match${headers.length > 1 ? 'es' : ''}` : '',
    queryParams.length > 0 ? `${queryParams.length} query parameter match${queryParams.length > 1 ? 'es' : ''}` : ''].filter(Boolean);
  return {
    key: `http ${type} ${matched} method=${method ?? '*'} headers=${headers.join('&')} query=${queryParams.join('&')}`,
    description: `${method ? `${method} ` : ''}${type} ${value}${extra.length > 0 ? ` with ${extra.join(' and ')}` : ''}`,
    path,
  };
}

/** A GRPCRoute match with its defaults: method type Exact, any service and method when left out. */
function grpcMatch(raw: Raw, path: FieldPath): RouteMatch {
  const method: Raw = isMapping(raw.method) ? raw.method : {};
  const type = typeof method.type === 'string' ? method.type : 'Exact';
  const service = typeof method.service === 'string' && method.service !== '' ? method.service : '*';
  const name = typeof method.method === 'string' && method.method !== '' ? method.method : '*';
  const headers = conditions(raw.headers, true);
  return {
    key: `grpc ${type} ${service}/${name} headers=${headers.join('&')}`,
    description: `${service === '*' && name === '*' ? 'every gRPC method' : `gRPC ${service}/${name}`}${headers.length > 0 ? ` with ${headers.length} header match${headers.length > 1 ? 'es' : ''}` : ''}`,
    path,
  };
}

/** Header or query parameter conditions as sorted `type:name=value` texts; header names compare case-insensitively. */
function conditions(raw: unknown, caseInsensitiveNames: boolean): string[] {
  return list(raw).flatMap((entry) => {
    if (!isMapping(entry) || typeof entry.name !== 'string') return [];
    const name = caseInsensitiveNames ? entry.name.toLowerCase() : entry.name;
    return [`${typeof entry.type === 'string' ? entry.type : 'Exact'}:${name}=${String(entry.value ?? '')}`];
  }).sort();
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isMapping(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = String(entry);
  return result;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
