import { locateField } from '../load/manifest-object.js';
import type { Ingress, Service, Workload } from '../model/types.js';
import { ConnectionSet } from './connection-set.js';
import { endpointPods, resolveTargetPort, servicePortsOfBackend } from './exposure.js';
import { ANY_POD, type CompiledRule, type ReachabilitySolver } from './solver.js';
import type { SideTrace } from './evaluator.js';

/** A node of the request-path graph. */
export type PathNode =
  | { readonly type: 'clients'; readonly id: 'clients' }
  | { readonly type: 'ingress'; readonly id: string; readonly ingress: Ingress }
  | { readonly type: 'service'; readonly id: string; readonly service: Service }
  | { readonly type: 'workload'; readonly id: string; readonly workload: Workload };

/** One hop a request takes, with what it carries and whether policies let it through. */
export interface PathHop {
  readonly from: PathNode;
  readonly to: PathNode;
  /** Host and path, a port, or `TCP 8080`. */
  readonly label: string;
  /** For the hop into a workload: allowed (and by which rules), open (no policy), or blocked. */
  readonly verdict?: { readonly state: 'allowed' | 'open' | 'blocked' | 'isolated'; readonly by: readonly string[] };
}

/**
 * The paths requests take: clients outside the cluster → Ingress or Route → Service → workload,
 * and Service → workload for Services no Ingress fronts. The last hop says whether the
 * workload's ingress policies admit the sender: for exposed Services the ingress controller (its
 * workload when the manifests hold one, else a pod of unknown namespace and labels); for internal
 * Services only which policies isolate the workload, since the sender could be any pod.
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
    const key = `${hop.from.id}\u0000${hop.to.id}\u0000${hop.label}`;
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

function serviceHops(
  controllers: readonly Workload[],
  solver: ReachabilitySolver,
  from: PathNode,
  service: Service,
  ports: Service['ports'],
  throughIngress: boolean,
  workloadNode: (workload: Workload) => PathNode,
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
      verdict = { state: admitted.isEmpty() ? 'blocked' : 'allowed', by: [...by] };
    }
    hops.push({ from, to: workloadNode(workload), label: targetPorts.describe(), verdict });
  }
  return hops;
}
