import type { IstioSettings } from './istio-settings.js';
import type { IstioObjects, IstioSidecar, NamespacedHost, ServiceEntry } from './istio.js';
import type { Labels } from './label-selector.js';
import type { Pod, Service } from './types.js';

/*
 * What a sidecar's proxy can reach (docs/istio.md §8), as istiod computes a proxy's SidecarScope
 * (istio/istio pilot/pkg/model/sidecar.go: DefaultSidecarScopeForNamespace, ConvertToSidecarScope,
 * selectServices, matchingService; Sidecar reference):
 * - the Sidecar that applies to a workload: one of its namespace whose workloadSelector selects
 *   it, else its namespace's Sidecar without selector, else the root namespace's Sidecar without
 *   selector; none: the default scope, which imports every host exported to the namespace (`*\/*`);
 * - a Sidecar without egress listeners imports `*\/*`; each listener imports the Services and
 *   ServiceEntry hosts exported to the workload's namespace whose host is a subset of one of its
 *   hosts naming the host's own namespace or `*`; `.` is the workload's namespace (for the root namespace's default too: istiod
 *   resolves it against the namespace the scope is built for), `~` no namespace; a listener with a
 *   port imports only that Service port; the destinations of mesh-bound VirtualServices the hosts
 *   select are imported too;
 * - the outbound traffic policy: the Sidecar's own `outboundTrafficPolicy`, else the mesh's (the
 *   reference says "inherits … from the namespace-wide or the global default Sidecar"; istiod
 *   takes the mesh's, ConvertToSidecarScope, and that is what proxies run).
 * REGISTRY_ONLY: the proxy sends what no imported host covers to its black hole; ALLOW_ANY: it
 * passes it through to the address the application asked for (Sidecar reference,
 * OutboundTrafficPolicy.Mode; Istio's maintainers: a Sidecar's hosts under ALLOW_ANY do not block
 * traffic, istio/istio#17463, #41243).
 */

/** An egress listener of a scope: the hosts it imports, and the one Service port it imports them on (none: every port). */
export interface EgressListenerScope {
  readonly port?: number;
  readonly hosts: readonly NamespacedHost[];
}

/** A host a scope imports through a VirtualService bound to the mesh, on one Service port or (none) every port. */
export interface VirtualServiceImport {
  readonly namespace: string;
  readonly hostname: string;
  readonly port?: number;
  /** `namespace/name` of the VirtualService. */
  readonly virtualService: string;
}

/** What one workload's proxy imports and does with the rest. */
export interface SidecarScope {
  /** The Sidecar that applies; undefined: none does (the default scope, `*\/*`). */
  readonly sidecar?: IstioSidecar;
  /** The namespace the scope is built for (the workload's). */
  readonly namespace: string;
  readonly listeners: readonly EgressListenerScope[];
  /**
   * Destinations of the VirtualServices bound to the mesh that the listeners' hosts select
   * (ConvertToSidecarScope: "Infer more possible destinations from virtual services").
   */
  readonly virtualServiceImports: readonly VirtualServiceImport[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Where the outbound traffic policy comes from. */
  readonly outboundTrafficPolicyFrom: 'sidecar' | 'mesh';
}

const EVERY_HOST: readonly EgressListenerScope[] = [{ hosts: [{ namespace: '*', dnsName: '*', text: '*/*' }] }];

function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * The Sidecar that applies to a workload of `namespace` with `labels` (Sidecar reference: a
 * selecting Sidecar over the namespace's default, the root namespace's default for namespaces
 * without one). Several candidates of one kind are undefined behaviour in Istio; k8snet takes the
 * first by name, so that the answer does not depend on file order.
 */
export function sidecarFor(namespace: string, labels: Labels, istio: IstioObjects, settings: IstioSettings): IstioSidecar | undefined {
  if (istio.sidecars.length === 0) return undefined;
  const byName = (a: IstioSidecar, b: IstioSidecar) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const inNamespace = istio.sidecars.filter((sidecar) => sidecar.namespace === namespace).sort(byName);
  return inNamespace.find((sidecar) => sidecar.workloadSelector !== undefined && selects(sidecar.workloadSelector, labels))
    ?? inNamespace.find((sidecar) => sidecar.workloadSelector === undefined)
    ?? istio.sidecars.filter((sidecar) => sidecar.namespace === settings.rootNamespace && sidecar.workloadSelector === undefined).sort(byName)[0];
}

/** The scope of a workload's proxy (see the module comment). */
export function sidecarScopeOf(namespace: string, labels: Labels, istio: IstioObjects, settings: IstioSettings): SidecarScope {
  const sidecar = sidecarFor(namespace, labels, istio, settings);
  const outbound = sidecar?.outboundTrafficPolicy;
  const listeners: EgressListenerScope[] = !sidecar || sidecar.egress.length === 0 ? [...EVERY_HOST] : sidecar.egress.map((listener) => ({
    ...(listener.port ? { port: listener.port.number } : {}),
    // `.` means the namespace the scope is built for: the root namespace's default imports each workload's own.
    hosts: listener.hosts.map((host) => (host.text.startsWith('./') ? { ...host, namespace } : host)),
  }));
  return {
    ...(sidecar ? { sidecar } : {}),
    namespace,
    listeners,
    virtualServiceImports: sidecar ? virtualServiceImports(listeners, namespace, istio, settings) : [],
    outboundTrafficPolicy: outbound ?? settings.outboundTrafficPolicy,
    outboundTrafficPolicyFrom: outbound ? 'sidecar' : 'mesh',
  };
}

/**
 * The destinations of the VirtualServices bound to the mesh, exported to `namespace`, that a
 * listener's hosts select (sidecar.go SelectVirtualServices: a VirtualService host overlapping a
 * host naming its namespace or `*`), each on the listener's port. A destination is a Kubernetes
 * Service (`<name>.<ns>.svc.<domain>`, short names relative to the VirtualService) or a
 * ServiceEntry host (of the workload's namespace first, else the first namespace by name).
 */
function virtualServiceImports(listeners: readonly EgressListenerScope[], namespace: string, istio: IstioObjects, settings: IstioSettings): VirtualServiceImport[] {
  const imports: VirtualServiceImport[] = [];
  const meshBound = istio.virtualServices.filter((virtualService) => (virtualService.gateways.length === 0 || virtualService.gateways.some((gateway) => gateway.type === 'mesh'))
    && isExportedTo(virtualService.exportTo, virtualService.namespace, namespace));
  for (const listener of listeners) {
    for (const virtualService of meshBound) {
      const selecting = listener.hosts.filter((host) => host.namespace === virtualService.namespace || host.namespace === '*');
      const selected = virtualService.hosts.some((raw) => {
        const vsHost = expandShortHost(raw, virtualService.namespace, settings);
        return selecting.some((host) => isHostSubsetOf(vsHost, host.dnsName) || isHostSubsetOf(host.dnsName, vsHost));
      });
      if (!selected) continue;
      for (const route of virtualService.routes) {
        for (const destination of route.destinations) {
          const hostname = expandShortHost(destination.host, virtualService.namespace, settings);
          const hostNamespace = namespaceOfHost(hostname, namespace, istio, settings);
          if (hostNamespace === undefined) continue;
          imports.push({
            namespace: hostNamespace, hostname, ...(listener.port !== undefined ? { port: listener.port } : {}), virtualService: `${virtualService.namespace}/${virtualService.name}`,
          });
        }
      }
    }
  }
  return imports;
}

/** A short host (no dot) is a Service of `namespace` (istiod ResolveShortnameToFQDN). */
function expandShortHost(host: string, namespace: string, settings: IstioSettings): string {
  return host === '*' || host.includes('.') ? host : `${host}.${namespace}.svc.${settings.clusterDomain}`;
}

/** The namespace whose Service or ServiceEntry a destination host names: a Service's own, else a ServiceEntry's (the client's namespace first, else the first by name). */
function namespaceOfHost(hostname: string, clientNamespace: string, istio: IstioObjects, settings: IstioSettings): string | undefined {
  const suffix = `.svc.${settings.clusterDomain}`;
  if (hostname.endsWith(suffix)) {
    const parts = hostname.slice(0, -suffix.length).split('.');
    if (parts.length === 2) return parts[1];
  }
  const namespaces = [...new Set(istio.serviceEntries.filter((entry) => entry.hosts.includes(hostname) && isExportedTo(entry.exportTo, entry.namespace, clientNamespace))
    .map((entry) => entry.namespace))].sort();
  return namespaces.includes(clientNamespace) ? clientNamespace : namespaces[0];
}

/**
 * Returns true when host `name` is a subset of host `pattern` (istio pkg/config/host Name.SubsetOf):
 * `*` covers everything, `*.example.com` every name ending in `.example.com` (a wildcard only a
 * wildcard of the same or a longer suffix), any other name only itself.
 */
export function isHostSubsetOf(name: string, pattern: string): boolean {
  const host = name.toLowerCase();
  const of = pattern.toLowerCase();
  if (host.startsWith('*')) return of.startsWith('*') && host.slice(1).endsWith(of.slice(1));
  if (of.startsWith('*')) return host.endsWith(of.slice(1));
  return host === of;
}

/**
 * Returns true when the scope imports `hostname` of `hostNamespace` on Service port `port`, through
 * a VirtualService or (selectServices) a host naming the namespace, or `*\/…`, that the hostname is a subset of; older
 * istiod versions looked at `*\/…` only when no host named the namespace).
 */
export function importsHost(scope: SidecarScope, hostNamespace: string, hostname: string, port: number): boolean {
  if (scope.virtualServiceImports.some((entry) => entry.namespace === hostNamespace && entry.hostname === hostname && (entry.port === undefined || entry.port === port))) return true;
  return scope.listeners.some((listener) => {
    if (listener.port !== undefined && listener.port !== port) return false;
    return listener.hosts.some((host) => (host.namespace === hostNamespace || host.namespace === '*') && isHostSubsetOf(hostname, host.dnsName));
  });
}

/**
 * Returns true when the scope may import some Service of `namespace` (a host naming it or `*`
 * whose name covers its Services, or a VirtualService destination there): for destinations in
 * namespaces whose Services the manifests do not hold.
 */
export function mayImportFromNamespace(scope: SidecarScope, namespace: string, settings: IstioSettings): boolean {
  const domain = `.${namespace}.svc.${settings.clusterDomain}`;
  return scope.virtualServiceImports.some((entry) => entry.namespace === namespace)
    || scope.listeners.some((listener) => listener.hosts.some((host) => (host.namespace === namespace || host.namespace === '*')
      && (isHostSubsetOf(`*${domain}`, host.dnsName) || host.dnsName.toLowerCase().endsWith(domain))));
}

/** Returns true when an object exported to `exportTo` (undefined: every namespace) from `ownNamespace` is visible in `namespace`. */
export function isExportedTo(exportTo: readonly string[] | undefined, ownNamespace: string, namespace: string): boolean {
  if (exportTo === undefined || exportTo.length === 0) return true;
  return exportTo.some((entry) => entry === '*' || entry === namespace || (entry === '.' && ownNamespace === namespace));
}

/** A Service's `networking.istio.io/exportTo` annotation (comma-separated namespaces, `.`, `*`, `~`); undefined: every namespace. */
export function serviceExportTo(service: Service): readonly string[] | undefined {
  const metadata = service.source.value.metadata as { annotations?: Record<string, unknown> } | undefined;
  const value = metadata?.annotations?.['networking.istio.io/exportTo'];
  return typeof value === 'string' && value.trim() !== '' ? value.split(',').map((entry) => entry.trim()) : undefined;
}

/** The cluster-local host of a Service: `<name>.<namespace>.svc.<cluster domain>`. */
export function serviceHostname(service: Service, settings: IstioSettings): string {
  return `${service.name}.${service.namespace}.svc.${settings.clusterDomain}`;
}

/**
 * The TCP container ports of `pod` a proxy with `scope` reaches through a Service it imports (or,
 * with `scope` undefined, through any Service exported to `clientNamespace`): the target ports of
 * the Services selecting the pod whose port the scope imports.
 */
export function importedPodPorts(pod: Pod, services: readonly Service[], clientNamespace: string, scope: SidecarScope | undefined, settings: IstioSettings): Set<number> {
  const ports = new Set<number>();
  for (const service of services) {
    if (service.namespace !== pod.namespace || !service.selector || Object.keys(service.selector).length === 0 || !selects(service.selector, pod.labels)) continue;
    if (!isExportedTo(serviceExportTo(service), service.namespace, clientNamespace)) continue;
    const hostname = serviceHostname(service, settings);
    for (const port of service.ports) {
      if (port.protocol !== 'TCP') continue;
      if (scope && !importsHost(scope, service.namespace, hostname, port.port)) continue;
      const target = typeof port.targetPort === 'number' ? port.targetPort
        : pod.ports.find((candidate) => candidate.name === port.targetPort && candidate.protocol === 'TCP')?.containerPort;
      if (target !== undefined) ports.add(target);
    }
  }
  return ports;
}

/** A ServiceEntry host the scope imports, with the ServiceEntry and the ports it imports it on. */
export interface ImportedEntryHost {
  readonly host: string;
  readonly entry: ServiceEntry;
  readonly ports: readonly number[];
}

/** The ServiceEntry hosts exported to the scope's namespace that it imports, each with the ports imported. */
export function importedEntryHosts(scope: SidecarScope, istio: IstioObjects): ImportedEntryHost[] {
  const imported: ImportedEntryHost[] = [];
  for (const entry of istio.serviceEntries) {
    if (!isExportedTo(entry.exportTo, entry.namespace, scope.namespace)) continue;
    for (const host of entry.hosts) {
      const ports = entry.ports.map((port) => port.number).filter((port) => importsHost(scope, entry.namespace, host, port));
      if (ports.length > 0) imported.push({ host, entry, ports });
    }
  }
  return imported;
}
