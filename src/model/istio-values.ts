import type { ConditionLayer } from './istio.js';

/**
 * Returns true when an Istio string match `pattern` matches `value` (AuthorizationPolicy's
 * "Value matching"): `*` matches any non-empty value; `abc*` a prefix; `*abc` a suffix;
 * anything else exactly. An absent value (`undefined`, such as the principal of a plaintext
 * connection) matches nothing, not even `*`.
 */
export function matchesIstioValue(pattern: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/** Returns true when some pattern of `patterns` matches `value`. */
export function matchesAnyIstioValue(patterns: readonly string[], value: string | undefined): boolean {
  return patterns.some((pattern) => matchesIstioValue(pattern, value));
}

/**
 * The `when` keys Istio documents (reference/config/security/conditions), by whether k8snet can
 * decide them from the connection: `l4` for `source.ip`, `remote.ip` (the source address unless
 * a gateway trusts X-Forwarded-For hops), `destination.ip`, `destination.port` and the peer
 * identity keys (`source.namespace`, `source.principal`, `source.serviceAccount`, from the mTLS
 * certificate); `l7` for what only the request or the TLS handshake shows (`request.*`,
 * `connection.sni`) and for `experimental.envoy.filters.*` (a protocol filter's metadata), which
 * travel with an answer as named restrictions; `unknown` for any other key.
 */
export function conditionLayer(key: string): ConditionLayer {
  if (key.startsWith('request.headers[') || key === 'request.auth.principal' || key === 'request.auth.audiences'
    || key === 'request.auth.presenter' || key.startsWith('request.auth.claims[') || key === 'connection.sni') return 'l7';
  if (key === 'source.ip' || key === 'remote.ip' || key === 'source.namespace' || key === 'source.principal'
    || key === 'source.serviceAccount' || key === 'destination.ip' || key === 'destination.port') return 'l4';
  if (key.startsWith('experimental.envoy.filters.')) return 'l7';
  return 'unknown';
}

/**
 * Returns true for a condition key the conditions page marks "HTTP only": on a TCP (non-HTTP)
 * port an ALLOW rule using it matches nothing and a DENY rule ignores it (see docs/istio.md).
 */
export function isHttpOnlyCondition(key: string): boolean {
  return key.startsWith('request.');
}

/** The `when` keys that name the peer's identity, known only from its mTLS certificate. */
export function isIdentityCondition(key: string): boolean {
  return key === 'source.namespace' || key === 'source.principal' || key === 'source.serviceAccount';
}
