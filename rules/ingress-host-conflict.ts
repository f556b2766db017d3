import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import type { Ingress } from '../src/model/types.js';

type Raw = Record<string, any>;

/** The annotation ingress controllers read when spec.ingressClassName is missing (deprecated, still common). */
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** The IngressClass annotation that makes a class the default for Ingresses that name none. */
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** ingress-nginx canaries duplicate a host and path on purpose, to split its traffic. */
const CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';
/** Classes whose controllers give each Ingress a load balancer of its own, so Ingresses never share a host. */
const LOAD_BALANCER_PER_INGRESS: ReadonlySet<string> = new Set(['gce', 'gce-internal', 'alb']);
/** AWS ALB Ingresses share a load balancer only within an IngressGroup. */
const ALB_GROUP_ANNOTATION = 'alb.ingress.kubernetes.io/group.name';

/** One host and path an Ingress routes, where it is written, and where it goes. */
interface Route {
  readonly ingress: Ingress;
  /** What two Ingresses must share to conflict: load balancer, host, pathType and path (or the default backend). */
  readonly key: string;
  readonly isDefaultBackend: boolean;
  readonly host?: string;
  readonly path: string;
  readonly pathType: string;
  readonly backend: string;
  readonly fieldPath: NonNullable<RuleReport['path']>;
}

/** Flags a host and path that two Ingresses of the same class both route. */
export default defineRule({
  id: 'ingress-host-conflict',
  category: 'exposure',
  severity: 'warning',
  description: 'Two Ingresses of the same ingress class route the same host and path (or both set a default backend).',
  rationale: 'The controller merges the Ingresses of its class into one configuration, and for a host and path claimed twice it keeps '
    + 'one backend by its own tie-breaking (often the oldest Ingress): traffic may go to the wrong Service, and moves when an Ingress '
    + 'is re-created.',
  fix: 'Route each host and path from one Ingress: remove the duplicate, give it another host or path, or put it in another ingress class. '
    + 'For a deliberate traffic split use the controller\'s canary mechanism.',
  messages: {
    conflict: 'Path {{path}} ({{pathType}}) of {{host}} is also routed by Ingress {{other}} of {{ingressClass}}, so which backend serves it depends on the ingress controller.',
    defaultBackendConflict: 'Ingress {{other}} of {{ingressClass}} also sets a default backend, so which one receives unmatched requests depends on the ingress controller.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const defaultClass = defaultIngressClass(graph);
    const firstClaims = new Map<string, Route>();
    for (const ingress of graph.ingresses) {
      if (ingress.kind !== 'Ingress') continue;
      const value = ingress.source.value as Raw;
      const annotations: Raw = value.metadata?.annotations ?? {};
      if (String(annotations[CANARY_ANNOTATION]).toLowerCase() === 'true') continue;
      const className = ingress.className ?? (typeof annotations[CLASS_ANNOTATION] === 'string' ? annotations[CLASS_ANNOTATION] : defaultClass);
      const group = loadBalancerGroup(ingress, className, annotations);
      const ingressClass = className ? `ingress class ${className}` : 'the default ingress class';
      const claimedHere = new Set<string>();
      for (const route of routesOf(ingress, group)) {
        if (claimedHere.has(route.key)) continue;
        claimedHere.add(route.key);
        const earlier = firstClaims.get(route.key);
        if (!earlier) {
          firstClaims.set(route.key, route);
          continue;
        }
        // The same Service and port from the same namespace: a duplicate, but no traffic goes astray.
        if (earlier.ingress.namespace === ingress.namespace && earlier.backend === route.backend) continue;
        const other = `${earlier.ingress.namespace}/${earlier.ingress.name}`;
        reports.push({
          messageId: route.isDefaultBackend ? 'defaultBackendConflict' : 'conflict',
          data: { path: route.path, pathType: route.pathType, host: route.host ? `host ${route.host}` : 'any host', other, ingressClass },
          object: ingress.source,
          path: route.fieldPath,
          related: [{ object: earlier.ingress.source, path: earlier.fieldPath, message: 'first routed by' }],
        });
      }
    }
    return reports;
  },
});

/**
 * Returns what Ingresses must share to be served together: their class, except for classes whose
 * controller gives each Ingress its own load balancer (each Ingress alone, or its ALB IngressGroup).
 */
function loadBalancerGroup(ingress: Ingress, className: string | undefined, annotations: Raw): string {
  if (!className || !LOAD_BALANCER_PER_INGRESS.has(className)) return className ?? '';
  if (className === 'alb' && typeof annotations[ALB_GROUP_ANNOTATION] === 'string') return `alb\u0000group\u0000${annotations[ALB_GROUP_ANNOTATION]}`;
  return `${className}\u0000${ingress.namespace}/${ingress.name}`;
}

/** Returns the name of the IngressClass marked as default, when exactly one is. */
function defaultIngressClass(graph: ResourceGraph): string | undefined {
  const defaults = graph.otherObjects.filter((object) => object.kind === 'IngressClass'
    && String((object.value.metadata as Raw | undefined)?.annotations?.[DEFAULT_CLASS_ANNOTATION]).toLowerCase() === 'true');
  return defaults.length === 1 ? defaults[0].name : undefined;
}

/** Lists the hosts and paths an Ingress routes, each with its conflict key, plus its default backend. */
function routesOf(ingress: Ingress, group: string): Route[] {
  const spec: Raw = (ingress.source.value as Raw).spec ?? {};
  const routes: Route[] = [];
  const defaultBackend = spec.defaultBackend ?? spec.backend;
  if (defaultBackend && typeof defaultBackend === 'object') {
    routes.push({
      ingress, key: `${group}\u0001default`, isDefaultBackend: true, path: '', pathType: '', backend: JSON.stringify(defaultBackend),
      fieldPath: ['spec', spec.defaultBackend ? 'defaultBackend' : 'backend'],
    });
  }
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: Raw | null, ruleIndex: number) => {
    const host = typeof rule?.host === 'string' && rule.host !== '' ? rule.host.toLowerCase() : undefined;
    const paths = rule?.http?.paths;
    (Array.isArray(paths) ? paths : []).forEach((entry: Raw | null, pathIndex: number) => {
      // pathType is required in networking.k8s.io/v1; extensions/v1beta1 defaulted it to ImplementationSpecific.
      const pathType = typeof entry?.pathType === 'string' ? entry.pathType : 'ImplementationSpecific';
      const path = typeof entry?.path === 'string' && entry.path !== '' ? entry.path : '/';
      // Prefix matches path elements, so /api and /api/ are the same prefix (HTTPIngressPath docs).
      const matched = pathType === 'Prefix' && path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
      routes.push({
        ingress,
        key: `${group}\u0001${host ?? '*'}\u0001${pathType}\u0001${matched}`,
        isDefaultBackend: false,
        ...(host !== undefined ? { host } : {}),
        path,
        pathType,
        backend: JSON.stringify(entry?.backend ?? null),
        fieldPath: ['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex],
      });
    });
  });
  return routes;
}
