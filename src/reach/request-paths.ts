import { locateField } from '../load/manifest-object.js';
import type { Gateway, GatewayListener, GatewayRoute } from '../model/gateway-api.js';
import type { Ingress, Service, Workload } from '../model/types.js';
import type { IstioGateway, IstioGatewayServer, VirtualService } from '../model/istio.js';
import { ConnectionSet } from './connection-set.js';
import { entryHops } from './entry-paths.js';
import { endpointPods, resolveTargetPort, servicePortsOfBackend } from './exposure.js';
import { gatewayHops } from './gateway-paths.js';
import { istioGatewayHops } from './istio-gateway-paths.js';
import { meshNotes } from './istio-caveats.js';
import { ANY_POD, type CompiledRule, type PodClass, type ReachabilitySolver } from './solver.js';
import type { SideTrace } from './evaluator.js';

/**
 * A way into the cluster that bypasses Ingress: a LoadBalancer Service's load balancer, a
 * Service's NodePort on every node, or a container's hostPort on its node.
 */
export interface ExternalEntry {
  readonly kind: 'LoadBalancer' | 'NodePort' | 'hostPort';
  readonly namespace: string;
  /** The Service, or for a hostPort the workload. */
  readonly name: string;
  /** What clients connect to: `TCP 80, TCP 443`, `NodePort TCP 30080`, `hostPort TCP 80`. */
  readonly ports: string;
}

/** A node of the request-path graph. */
export type PathNode =
  | { readonly type: 'clients'; readonly id: 'clients' }
  | { readonly type: 'ingress'; readonly id: string; readonly ingress: Ingress }
  | { readonly type: 'listener'; readonly id: string; readonly gateway: Gateway; readonly listener: GatewayListener }
  | { readonly type: 'route'; readonly id: string; readonly route: GatewayRoute }
  | { readonly type: 'istio-server'; readonly id: string; readonly gateway: IstioGateway; readonly server: IstioGatewayServer }
  | { readonly type: 'virtual-service'; readonly id: string; readonly virtualService: VirtualService }
  | { readonly type: 'entry'; readonly id: string; readonly entry: ExternalEntry }
  | { readonly type: 'service'; readonly id: string; readonly service: Service }
  | { readonly type: 'workload'; readonly id: string; readonly workload: Workload };

/**
 * Whether policies let a hop into a workload through: allowed (and by which rules), partial
 * (from some of the possible sources only), depends (on a sender the manifests do not show: an
 * ingress controller outside them that the rules admit only from some namespaces or labels),
 * open (no policy isolates it), isolated (an internal Service: the policies that decide, since
 * any pod may call), or blocked.
 */
export interface PathVerdict {
  readonly state: 'allowed' | 'partial' | 'depends' | 'open' | 'blocked' | 'isolated';
  readonly by: readonly string[];
  /** Who sends the traffic, when it is not the ingress controller: `Gateway infra/public`, `clients outside the cluster`. */
  readonly source?: string;
  /** What the answer depends on that the manifests do not show (source address rewriting, the network plugin). */
  readonly notes?: readonly string[];
}

/** One hop a request takes, with what it carries and whether policies let it through. */
export interface PathHop {
  readonly from: PathNode;
  readonly to: PathNode;
  /** Host and path, a port, or `TCP 8080`. */
  readonly label: string;
  /** For the hop into a workload: whether policies let it through. */
  readonly verdict?: PathVerdict;
}

/** What the request-path builders share: the node factories and the hop into a Service's endpoints. */
export interface PathContext {
  readonly solver: ReachabilitySolver;
  readonly clients: PathNode;
  serviceNode(service: Service): PathNode;
  workloadNode(workload: Workload): PathNode;
  /**
   * Hops from `from` (a Service node) into the Service's endpoint workloads on `ports`, judged for
   * traffic sent by `senders` (pods of unknown namespace and labels when empty).
   */
  serviceHops(senders: readonly Workload[], from: PathNode, service: Service, ports: Service['ports'], source?: string, notes?: readonly string[]): PathHop[];
}

/**
 * The paths requests take: clients outside the cluster → Ingress or Route → Service → workload;
 * clients → Gateway listener → route → Service → workload; clients → Istio Gateway server →
 * VirtualService → Service → workload; clients → load balancer, NodePort or
 * hostPort → workload; and Service → workload for Services nothing fronts. The last hop says
 * whether the workload's ingress policies admit the sender: for Ingresses the ingress controller
 * (its workload when the manifests hold one, else a pod of unknown namespace and labels); for
 * Gateways their data-plane pods (likewise); for entries that bypass Ingress the clients'
 * addresses; for internal Services only which policies isolate the workload, since the sender
 * could be any pod.
 */
export function requestPaths(solver: ReachabilitySolver): PathHop[] {
  const graph = solver.graph;
  const hops: PathHop[] = [];
  const clients: PathNode = { type: 'clients', id: 'clients' };
  const services = new Map<string, PathNode>();
  const serviceNode = (service: Service): PathNode => {
    const id = `svc:${service.namespace}/${service.name}`;
    let node = services.get(id);
    if (!node) services.set(id, (node = { type: 'service', id, service }));
    return node;
  };
  const workloadNode = (workload: Workload): PathNode => ({ type: 'workload', id: workload.id, workload });
  const exposed = new Set<Service>();
  const controllers = ingressControllers(solver);
  const seen = new Set<string>();
  const push = (hop: PathHop) => {
    // The same Service port reached through an Ingress and through a Gateway has two senders: two hops.
    const key = `${hop.from.id}\u0000${hop.to.id}\u0000${hop.label}\u0000${hop.verdict?.source ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    hops.push(hop);
  };
  for (const ingress of graph.ingresses) {
    const ingressNode: PathNode = { type: 'ingress', id: `${ingress.kind.toLowerCase()}:${ingress.namespace}/${ingress.name}`, ingress };
    for (const backend of ingress.backends) {
      push({ from: clients, to: ingressNode, label: `${backend.host ?? '*'}${backend.path ?? ''}` });
      const service = graph.service(ingress.namespace, backend.serviceName);
      if (!service) continue;
      exposed.add(service);
      const ports = servicePortsOfBackend(ingress, backend, service);
      push({ from: ingressNode, to: serviceNode(service), label: ports.map((port) => `${port.port}/${port.protocol}`).join(',') || 'no such port' });
      for (const hop of serviceHops(controllers, solver, serviceNode(service), service, ports, true, workloadNode)) push(hop);
    }
  }
  const context: PathContext = {
    solver,
    clients,
    serviceNode,
    workloadNode,
    serviceHops: (senders, from, service, ports, source, notes) => {
      exposed.add(service);
      return serviceHops(senders, solver, from, service, ports, true, workloadNode, source, notes);
    },
  };
  for (const hop of gatewayHops(context)) push(hop);
  for (const hop of istioGatewayHops(context)) push(hop);
  for (const hop of entryHops(context)) push(hop);
  for (const service of graph.services) {
    if (exposed.has(service) || !service.selector) continue;
    for (const hop of serviceHops(controllers, solver, serviceNode(service), service, service.ports, false, workloadNode)) push(hop);
  }
  return hops;
}

/** Workloads that look like an ingress controller (ingress-nginx, Traefik, HAProxy, Contour, Kong...). */
export function ingressControllers(solver: ReachabilitySolver): Workload[] {
  const names = /ingress-nginx|nginx-ingress|ingress-controller|traefik|haproxy-ingress|contour|kong|emissary|ambassador/;
  return solver.graph.workloads.filter((workload) => names.test(workload.name)
    || Object.values(workload.pods[0]?.labels ?? {}).some((value) => names.test(value)));
}

/**
 * What a hop says when only rules selecting some pods could admit a sender the manifests do not
 * hold: an Ingress's controller, or (after their own note) a Gateway's pods.
 */
const UNKNOWN_CONTROLLER_NOTE = 'the ingress controller is not in the manifests';
const SOME_PODS_NOTE = 'only rules that select some namespaces or labels admit it: whether it is among them, k8snet cannot tell';

/**
 * The allow rules of a workload's ingress, on some of `ports`, whose peers are pods of some
 * namespaces or labels (not addresses only): an ingress controller the manifests do not hold may
 * be among them.
 */
function rulesThatMayAdmitTheController(solver: ReachabilitySolver, podClass: PodClass, ports: ConnectionSet): CompiledRule[] {
  return solver.rulesFor(podClass, 'ingress').filter((rule) => rule.action === 'allow' && !rule.matchesEveryPeer
    && !solver.portsTowards(rule, podClass).intersect(ports).isEmpty()
    && (rule.addressRanges[4].length + rule.addressRanges[6].length === 0 || rule.classes.first() !== -1));
}

function serviceHops(
  controllers: readonly Workload[],
  solver: ReachabilitySolver,
  from: PathNode,
  service: Service,
  ports: Service['ports'],
  throughIngress: boolean,
  workloadNode: (workload: Workload) => PathNode,
  source?: string,
  notes?: readonly string[],
): PathHop[] {
  const hops: PathHop[] = [];
  const byWorkload = new Map<string, { workload: Workload; ports: ConnectionSet; pod: Workload['pods'][number] }>();
  for (const pod of endpointPods(solver.graph, service)) {
    const workload = solver.graph.workload(pod.workloadId);
    if (!workload) continue;
    let set = ConnectionSet.EMPTY;
    for (const port of ports) {
      const target = resolveTargetPort(port, pod);
      if (target !== undefined) set = set.union(ConnectionSet.ofPorts(port.protocol, target));
    }
    const entry = byWorkload.get(workload.id);
    byWorkload.set(workload.id, { workload, pod, ports: entry ? entry.ports.union(set) : set });
  }
  for (const { workload, pod, ports: targetPorts } of byWorkload.values()) {
    if (targetPorts.isEmpty()) continue;
    const podClass = solver.classOf(pod);
    let verdict: PathHop['verdict'];
    if (solver.isOpen(podClass, 'ingress')) {
      verdict = { state: 'open', by: [] };
    } else if (!throughIngress && solver.closingPolicies(podClass, 'ingress').length === 0) {
      // Policies apply but none closes the side (they deny some peers, or pass the rest on): open, naming them.
      verdict = { state: 'open', by: solver.policiesFor(podClass, 'ingress').map((policy) => policy.name) };
    } else if (!throughIngress) {
      // Any pod may call an internal Service: name the policies that decide, not a verdict.
      verdict = { state: 'isolated', by: solver.isolatingPolicies(podClass, 'ingress').map((policy) => policy.name) };
    } else {
      // The sender is the ingress controller: the one in the manifests when there is one,
      // otherwise a pod of unknown namespace and labels (as np-guard models it).
      const senders = controllers.map((controller) => solver.classOf(controller.pods[0]));
      let admitted = ConnectionSet.EMPTY;
      const by = new Set<string>();
      const describe = (rule: CompiledRule) => {
        const location = locateField(rule.source.object.origin, rule.source.path);
        return `${rule.policy.name} ${rule.source.ruleLabel} (${location.file}:${location.line})`;
      };
      if (senders.length > 0) {
        for (const sender of senders) {
          const verdictOfPair = solver.explain(sender, podClass);
          admitted = admitted.union(verdictOfPair.allowed.intersect(targetPorts));
          for (const contribution of verdictOfPair.ingress.contributions) {
            if (!contribution.allowed.intersect(targetPorts).isEmpty()) by.add(describe(contribution.rule));
          }
          for (const decision of verdictOfPair.ingress.decisions) {
            if (decision.rule.action === 'allow' && !decision.ports.intersect(targetPorts).isEmpty()) by.add(describe(decision.rule));
          }
        }
      } else {
        admitted = solver.ingressFromAnyPod(podClass).intersect(targetPorts);
        // The rules that admit a pod of any namespace, as the evaluation went: NetworkPolicy rules
        // that match it, admin rules that decided to allow some of the ports.
        const trace = { decisions: [], contributions: [] } as SideTrace;
        solver.evaluator.sideAllowed('ingress', podClass, ANY_POD, trace);
        for (const contribution of trace.contributions) if (!contribution.allowed.intersect(targetPorts).isEmpty()) by.add(describe(contribution.rule));
        for (const decision of trace.decisions) if (decision.rule.action === 'allow' && !decision.ports.intersect(targetPorts).isEmpty()) by.add(describe(decision.rule));
      }
      // A controller outside the manifests that no rule admits as "any pod" may still be one a rule
      // selects (namespace ingress-nginx, its labels): that is not known, so not "blocked".
      const maybe = senders.length === 0 && admitted.isEmpty() ? rulesThatMayAdmitTheController(solver, podClass, targetPorts) : [];
      verdict = maybe.length > 0
        ? { state: 'depends', by: maybe.map(describe), notes: [...(source === undefined ? [UNKNOWN_CONTROLLER_NOTE] : []), SOME_PODS_NOTE] }
        : { state: admitted.isEmpty() ? 'blocked' : 'allowed', by: [...by] };
    }
    // Istio's enforcement point is not evaluated yet: the hop says so where it applies.
    const allNotes = [...(notes ?? []), ...(verdict.notes ?? []), ...meshNotes(solver.graph, service)];
    if (source !== undefined || allNotes.length > 0) verdict = { ...verdict, ...(source !== undefined ? { source } : {}), ...(allNotes.length > 0 ? { notes: allNotes } : {}) };
    hops.push({ from, to: workloadNode(workload), label: targetPorts.describe(), verdict });
  }
  return hops;
}
