import { valueAt } from '../load/path.js';
import type { ResourceGraph } from './graph.js';
import type { PortReading } from './istio-authorization.js';
import type { Pod, Service, ServicePort } from './types.js';

/** The protocols Istio reads as HTTP on a sidecar's inbound port (protocol selection: http, http2, grpc, grpc-web). */
const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'http2', 'grpc', 'grpc-web']);

/**
 * The protocols Istio knows from a Service port's `appProtocol`, or from its name's prefix
 * (`<protocol>[-<suffix>]`): appProtocol wins when both are written (ops/configuration/
 * traffic-management/protocol-selection). `https` and `tls` are TLS the sidecar does not
 * decrypt, so TCP to it; mongo, mysql and redis are TCP unless their experimental filters are on.
 */
const KNOWN_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp']);

/** The protocol Istio selects for a Service port: from appProtocol, else the name's prefix; undefined when neither names one (sniffed). */
export function selectedProtocol(service: Service, port: ServicePort): string | undefined {
  const raw = valueAt(service.source.value, port.path) as { appProtocol?: unknown } | undefined;
  const appProtocol = typeof raw?.appProtocol === 'string' ? raw.appProtocol.toLowerCase() : undefined;
  // Kubernetes' own appProtocol values (kubernetes.io/h2c, kubernetes.io/ws) are HTTP.
  if (appProtocol === 'kubernetes.io/h2c' || appProtocol === 'kubernetes.io/ws' || appProtocol === 'kubernetes.io/wss') return appProtocol.endsWith('wss') ? 'tls' : 'http';
  if (appProtocol !== undefined && KNOWN_PROTOCOLS.has(appProtocol)) return appProtocol;
  const prefix = port.name?.split('-')[0].toLowerCase();
  if (prefix !== undefined && KNOWN_PROTOCOLS.has(prefix)) return prefix;
  return undefined;
}

/**
 * How the destination's sidecar reads traffic to a container port: `http` when every Service
 * port that targets it declares an HTTP protocol, `tcp` when they all declare another one, and
 * `detect` (protocol sniffing) when none declares one, they disagree (istioctl analyze IST0116),
 * or no Service targets the port (the inbound passthrough chain sniffs too). Ambient pods'
 * ztunnel reads every port as TCP; say so with `ztunnel`.
 */
export function portReading(graph: ResourceGraph, pod: Pod, containerPort: number, ztunnel = false): PortReading {
  if (ztunnel) return 'tcp';
  const readings = new Set<PortReading>();
  for (const service of graph.servicesInNamespace(pod.namespace)) {
    if (!service.selector || !Object.entries(service.selector).every(([key, value]) => pod.labels[key] === value)) continue;
    for (const port of service.ports) {
      if (port.protocol !== 'TCP') continue;
      const target = typeof port.targetPort === 'number' ? port.targetPort : pod.ports.find((candidate) => candidate.name === port.targetPort)?.containerPort;
      if (target !== containerPort) continue;
      const protocol = selectedProtocol(service, port);
      readings.add(protocol === undefined ? 'detect' : HTTP_PROTOCOLS.has(protocol) ? 'http' : 'tcp');
    }
  }
  return readings.size === 1 ? [...readings][0] : 'detect';
}
