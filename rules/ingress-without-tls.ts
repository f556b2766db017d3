import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { Ingress } from '../src/model/types.js';

/**
 * Annotations by which controllers terminate TLS without `spec.tls` (AWS ALB, GKE, Azure
 * Application Gateway, Traefik), or refuse plain HTTP (GCE): such an Ingress is not plain HTTP.
 */
const TLS_ANNOTATIONS: readonly { readonly key: string; readonly isTls: (value: string) => boolean }[] = [
  { key: 'alb.ingress.kubernetes.io/certificate-arn', isTls: (value) => value.trim() !== '' },
  { key: 'alb.ingress.kubernetes.io/listen-ports', isTls: (value) => value.toUpperCase().includes('HTTPS') },
  { key: 'networking.gke.io/managed-certificates', isTls: (value) => value.trim() !== '' },
  { key: 'ingress.gcp.kubernetes.io/pre-shared-cert', isTls: (value) => value.trim() !== '' },
  { key: 'kubernetes.io/ingress.allow-http', isTls: (value) => value.toLowerCase() === 'false' },
  { key: 'appgw.ingress.kubernetes.io/appgw-ssl-certificate', isTls: (value) => value.trim() !== '' },
  { key: 'traefik.ingress.kubernetes.io/router.tls', isTls: (value) => value.toLowerCase() === 'true' },
];

type Raw = Record<string, any>;

/** Flags Ingress hosts (and OpenShift Routes) served over plain HTTP. */
export default defineRule({
  id: 'ingress-without-tls',
  category: 'exposure',
  severity: 'warning',
  description: 'An Ingress host is not covered by spec.tls, or an OpenShift Route has no spec.tls or lets plain HTTP through.',
  rationale: 'A host served without TLS sends cookies, tokens and passwords in clear text across every network between the client and '
    + 'the ingress controller, and lets anyone on the path change the responses.',
  fix: 'Add the host to an entry of spec.tls with a certificate Secret (cert-manager can issue it), or give the Route a tls section with '
    + 'insecureEdgeTerminationPolicy: Redirect.',
  messages: {
    noTls: 'Ingress {{ingress}} has no tls section, so host {{host}} is served over plain HTTP.',
    noTlsAnyHost: 'Ingress {{ingress}} has no tls section, so {{rule}}, which names no host, serves every host name over plain HTTP.',
    hostNotCovered: 'Host {{host}} is in no spec.tls[].hosts of Ingress {{ingress}}, so it is served over plain HTTP.',
    routeNoTls: 'Route {{route}} has no spec.tls, so {{host}} is served over plain HTTP.',
    routeAllowsHttp: 'Route {{route}} sets insecureEdgeTerminationPolicy: Allow, so {{host}} is served over plain HTTP as well as HTTPS.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const ingress of graph.ingresses) {
      if (ingress.kind === 'Route') reports.push(...checkRoute(ingress));
      else reports.push(...checkIngress(ingress));
    }
    return reports;
  },
});

function checkIngress(ingress: Ingress): RuleReport[] {
  const value = ingress.source.value as Raw;
  const annotations: Raw = value.metadata?.annotations ?? {};
  if (TLS_ANNOTATIONS.some(({ key, isTls }) => typeof annotations[key] === 'string' && isTls(annotations[key]))) return [];
  const rules: unknown[] = Array.isArray(value.spec?.rules) ? value.spec.rules : [];
  const name = `${ingress.namespace}/${ingress.name}`;
  const reports: RuleReport[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const host = (rule as Raw | null)?.host;
    if (typeof host !== 'string' || host === '') {
      // A tls entry without hosts covers the controller's default (wildcard) host (IngressTLS docs);
      // with tls entries that all name hosts, what a host-less rule serves is up to the controller.
      if (ingress.tls.length === 0 && !seen.has('')) {
        reports.push({ messageId: 'noTlsAnyHost', data: { ingress: name, rule: `spec.rules[${index}]` }, object: ingress.source, path: ['spec', 'rules', index] });
      }
      seen.add('');
      return;
    }
    const lowered = host.toLowerCase();
    if (seen.has(lowered)) return;
    seen.add(lowered);
    if (ingress.tls.length === 0) {
      reports.push({ messageId: 'noTls', data: { ingress: name, host }, object: ingress.source, path: ['spec', 'rules', index, 'host'] });
    } else if (!ingress.tls.some((tls) => tls.hosts.some((pattern) => coversHost(String(pattern), lowered)))) {
      reports.push({ messageId: 'hostNotCovered', data: { ingress: name, host }, object: ingress.source, path: ['spec', 'rules', index, 'host'] });
    }
  });
  return reports;
}

/** Returns true when a tls host covers `host`: the same name, or a wildcard `*.example.com` for exactly one more label. */
export function coversHost(pattern: string, host: string): boolean {
  const wanted = pattern.toLowerCase();
  if (wanted === host) return true;
  if (!wanted.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && !host.startsWith('*') && host.slice(dot) === wanted.slice(1);
}

function checkRoute(route: Ingress): RuleReport[] {
  const spec: Raw = (route.source.value as Raw).spec ?? {};
  const name = `${route.namespace}/${route.name}`;
  const host = typeof spec.host === 'string' && spec.host !== '' ? `host ${spec.host}` : 'its generated host';
  if (!spec.tls || typeof spec.tls !== 'object') {
    return [{ messageId: 'routeNoTls', data: { route: name, host }, object: route.source, path: ['spec', 'host'] }];
  }
  if (String(spec.tls.insecureEdgeTerminationPolicy ?? '').toLowerCase() === 'allow') {
    return [{ messageId: 'routeAllowsHttp', data: { route: name, host }, object: route.source, path: ['spec', 'tls', 'insecureEdgeTerminationPolicy'] }];
  }
  return [];
}
