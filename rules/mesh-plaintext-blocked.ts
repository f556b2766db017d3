import type { ManifestObject } from '../src/load/manifest-object.js';
import type { FieldPath } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { GATEWAY_API_GROUP } from '../src/model/gateway-api.js';
import { gatewayDataPlane, isMeshWaypoint } from '../src/model/gateway-data-plane.js';
import type { ClientTlsMode, DestinationRule } from '../src/model/istio.js';
import { istioMesh } from '../src/model/istio-mesh.js';
import { expandHost, resolveClientTls, resolveMtls } from '../src/model/istio-mtls.js';
import { listWorkloads } from '../src/model/suggest.js';
import type { Pod, Service, ServicePort, Workload } from '../src/model/types.js';
import { endpointPods, resolveTargetPort, servicePortsOfBackend } from '../src/reach/exposure.js';
import { ingressControllers } from '../src/reach/request-paths.js';

/** A Service port whose endpoints accept only mTLS: the endpoints, their container port and the policy that says so. */
interface StrictTarget {
  readonly pods: readonly Pod[];
  readonly port: number;
  readonly policy: string;
  readonly policySource: ManifestObject;
  readonly policyPath: FieldPath;
}

/**
 * Flags senders that can only speak plaintext to workloads whose PeerAuthentication is STRICT:
 * ingress controllers and Gateway proxies without an Istio proxy, clients outside the cluster
 * through LoadBalancer and NodePort Services, and sidecars told by a DestinationRule not to use
 * Istio mTLS. In-cluster clients without a sidecar that NetworkPolicy lets through are not judged
 * here (docs/istio.md, phase B).
 */
export default defineRule({
  id: 'mesh-plaintext-blocked',
  category: 'isolation',
  severity: 'error',
  description: 'A sender that speaks plaintext (no Istio proxy, clients outside the cluster, or a sidecar a DestinationRule tells not to use '
    + 'Istio mTLS) is routed to workloads whose PeerAuthentication is STRICT, which accept only mTLS.',
  rationale: 'Under STRICT mTLS a workload\'s sidecar (or ztunnel) refuses every connection that is not Istio mutual TLS: an ingress controller '
    + 'outside the mesh, a Gateway implementation without a sidecar, a NodePort or load balancer opened straight to the pods, or a client whose '
    + 'DestinationRule says tls mode DISABLE or SIMPLE gets its connections reset, with 503s or "connection reset by peer" and nothing in the '
    + 'manifests to say why (istioctl analyze IST0113 for the DestinationRule case). Senders whose mesh membership the manifests do not show '
    + '(a namespace made elsewhere) are not judged; in-cluster clients without a sidecar are judged once k8snet evaluates the mesh.',
  fix: 'Put the sender in the mesh (label its namespace istio-injection=enabled, or deploy the ingress through an Istio gateway), route '
    + 'external traffic through an Istio ingress gateway instead of a NodePort or load balancer on the workload, set the port to PERMISSIVE '
    + 'with portLevelMtls if plaintext must stay, or use tls mode ISTIO_MUTUAL (or no tls setting) in the DestinationRule.',
  messages: {
    ingress: '{{sender}} runs no Istio proxy, so it sends plaintext to {{targets}} port {{port}} through {{entry}}; PeerAuthentication {{policy}} makes that port STRICT (mTLS only), so these requests are refused.',
    gateway: 'The proxies of Gateway {{gateway}} ({{sender}}) are not in the mesh, so {{route}} sends plaintext to {{targets}} port {{port}}; PeerAuthentication {{policy}} makes that port STRICT (mTLS only), so these requests are refused.',
    external: 'Service {{service}} ({{type}}) lets clients outside the cluster connect straight to {{targets}} port {{port}}, in plaintext; PeerAuthentication {{policy}} makes that port STRICT (mTLS only), so their connections are refused.',
    destinationRule: 'DestinationRule {{rule}} makes sidecars use tls mode {{mode}} towards {{host}}, whose workloads {{targets}} accept only Istio mTLS on port {{port}} (PeerAuthentication {{policy}}, STRICT), so their requests are refused.',
  },
  check(graph, context) {
    const reports: RuleReport[] = [];
    const mesh = istioMesh(graph);
    if (!graph.istio.peerAuthentications.some((policy) => policy.mode === 'STRICT' || policy.portLevelMtls.some((entry) => entry.mode === 'STRICT'))) return [];
    const strictCache = new Map<string, StrictTarget[]>();
    const strictTargets = (service: Service, ports: readonly ServicePort[]): StrictTarget[] => {
      const key = `${service.namespace}/${service.name}|${ports.map((port) => port.port).join(',')}`;
      let targets = strictCache.get(key);
      if (!targets) strictCache.set(key, (targets = findStrictTargets(graph, service, ports)));
      return targets;
    };
    const inMeshKnownOutside = (workloads: readonly Workload[]): boolean => workloads.length > 0
      && workloads.every((workload) => workload.pods.every((pod) => mesh.membershipOf(pod).dataPlane === 'none' && mesh.isMembershipKnown(pod)));

    // Ingresses and OpenShift Routes, sent by the ingress controllers of the manifests.
    const controllers = graph.ingresses.length > 0 ? ingressControllers(context.solver) : [];
    if (inMeshKnownOutside(controllers)) {
      for (const ingress of graph.ingresses) {
        ingress.backends.forEach((backend) => {
          const service = graph.service(ingress.namespace, backend.serviceName);
          if (!service) return;
          for (const target of strictTargets(service, servicePortsOfBackend(ingress, backend, service))) {
            reports.push({
              messageId: 'ingress',
              data: { sender: listWorkloads(controllers.flatMap((workload) => workload.pods)), targets: listWorkloads(target.pods), port: target.port, entry: `${ingress.kind} ${ingress.namespace}/${ingress.name}`, policy: target.policy },
              object: ingress.source,
              path: backend.fieldPath,
              related: [{ object: target.policySource, path: target.policyPath, message: `PeerAuthentication ${target.policy}` }],
            });
          }
        });
      }
    }

    // Gateway API routes, sent by their Gateway's proxies when those are not Istio's.
    for (const route of graph.gatewayApi.routes) {
      for (const parentRef of route.parentRefs) {
        if (parentRef.group !== GATEWAY_API_GROUP || parentRef.kind !== 'Gateway') continue;
        const gateway = graph.gatewayApi.gateway(parentRef.namespace, parentRef.name);
        if (!gateway || isMeshWaypoint(gateway)) continue;
        const dataPlane = gatewayDataPlane(graph, gateway);
        const sender = dataPlane.type === 'workloads' && inMeshKnownOutside(dataPlane.workloads) ? listWorkloads(dataPlane.workloads.flatMap((workload) => workload.pods))
          : dataPlane.type === 'node-proxy' ? 'the Envoy of each node' : undefined;
        if (!sender) continue;
        for (const rule of route.rules) {
          for (const backend of rule.backendRefs) {
            if (backend.group !== '' || backend.kind !== 'Service' || backend.port === undefined) continue;
            const service = graph.service(backend.namespace, backend.name);
            if (!service) continue;
            for (const target of strictTargets(service, service.ports.filter((port) => port.port === backend.port))) {
              reports.push({
                messageId: 'gateway',
                data: { gateway: `${gateway.namespace}/${gateway.name}`, sender, route: `${route.kind} ${route.namespace}/${route.name}`, targets: listWorkloads(target.pods), port: target.port, policy: target.policy },
                object: route.source,
                path: backend.path,
                related: [{ object: target.policySource, path: target.policyPath, message: `PeerAuthentication ${target.policy}` }],
              });
            }
          }
        }
      }
    }

    // LoadBalancer and NodePort Services opened straight to meshed pods.
    for (const service of graph.services) {
      if (service.type !== 'LoadBalancer' && service.type !== 'NodePort') continue;
      for (const target of strictTargets(service, service.ports.filter((port) => port.protocol === 'TCP'))) {
        reports.push({
          messageId: 'external',
          data: { service: `${service.namespace}/${service.name}`, type: service.type, targets: listWorkloads(target.pods), port: target.port, policy: target.policy },
          object: service.source,
          path: ['spec', 'type'],
          related: [{ object: target.policySource, path: target.policyPath, message: `PeerAuthentication ${target.policy}` }],
        });
      }
    }

    // DestinationRules that make sidecars speak something else than Istio mTLS.
    for (const rule of graph.istio.destinationRules) reports.push(...destinationRuleReports(graph, rule, strictTargets));
    return reports;
  },
});

/** The endpoint pods of a Service's ports that run in the mesh and accept only mTLS on the target port, grouped by port and policy. */
function findStrictTargets(graph: ResourceGraph, service: Service, ports: readonly ServicePort[]): StrictTarget[] {
  const mesh = istioMesh(graph);
  const byKey = new Map<string, { pods: Pod[]; port: number; policy: string; policySource: ManifestObject; policyPath: FieldPath }>();
  for (const pod of endpointPods(graph, service)) {
    const dataPlane = mesh.membershipOf(pod).dataPlane;
    // An Istio gateway's listeners follow its Gateway servers, not PeerAuthentication.
    if (dataPlane !== 'sidecar' && dataPlane !== 'ambient') continue;
    for (const servicePort of ports) {
      if (servicePort.protocol !== 'TCP') continue;
      const port = resolveTargetPort(servicePort, pod);
      if (port === undefined) continue;
      const effective = resolveMtls(pod.namespace, pod.labels, port, graph.istio.peerAuthentications, graph.istio.settings);
      if (effective.mode !== 'STRICT' || !effective.decidedBy) continue;
      const policy = `${effective.decidedBy.namespace}/${effective.decidedBy.name}`;
      const key = `${port}|${policy}`;
      const entry = byKey.get(key);
      if (entry) entry.pods.push(pod);
      else byKey.set(key, { pods: [pod], port, policy, policySource: effective.decidedBy.source, policyPath: effective.path ?? ['spec'] });
    }
  }
  return [...byKey.values()];
}

const NOT_ISTIO_MTLS: ReadonlySet<ClientTlsMode | 'auto'> = new Set(['DISABLE', 'SIMPLE', 'MUTUAL']);

function destinationRuleReports(graph: ResourceGraph, rule: DestinationRule, strictTargets: (service: Service, ports: readonly ServicePort[]) => StrictTarget[]): RuleReport[] {
  const settings = graph.istio.settings;
  const fqdn = expandHost(rule.host, rule.namespace, settings.clusterDomain);
  const suffix = `.svc.${settings.clusterDomain}`;
  if (!fqdn.endsWith(suffix)) return [];
  const [name, namespace, ...rest] = fqdn.slice(0, -suffix.length).split('.');
  if (rest.length > 0 || namespace === undefined) return [];
  const service = graph.service(namespace, name);
  if (!service) return [];
  const reports: RuleReport[] = [];
  for (const servicePort of service.ports) {
    // As the rule's own namespace sees it (a client there); other namespaces may use their own rule.
    const tls = resolveClientTls(fqdn, namespace, servicePort.port, rule.namespace, [rule], settings);
    if (!NOT_ISTIO_MTLS.has(tls.mode) || tls.decidedBy !== rule) continue;
    for (const target of strictTargets(service, [servicePort])) {
      reports.push({
        messageId: 'destinationRule',
        data: { rule: `${rule.namespace}/${rule.name}`, mode: tls.mode, host: fqdn, targets: listWorkloads(target.pods), port: target.port, policy: target.policy },
        object: rule.source,
        path: tls.path ?? ['spec', 'host'],
        related: [{ object: target.policySource, path: target.policyPath, message: `PeerAuthentication ${target.policy}` }],
      });
    }
  }
  return reports;
}
