import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { compareRoutePrecedence, defaultRouteKinds, intersectHostnames, type GatewayRoute } from '../../src/model/gateway-api.js';

/** Builds the graph of one YAML text. */
function analyze(text: string) {
  return analyzeTexts([{ path: 'gateway.yaml', text }]);
}

describe('intersectHostnames (Gateway API concepts/hostnames examples)', () => {
  it.each([
    ['www.example.com', 'www.example.com', 'www.example.com'],
    ['*.example.com', 'www.example.com', 'www.example.com'],
    ['*.example.com', 'sub.domain.example.com', 'sub.domain.example.com'],
    ['www.example.com', '*.example.com', 'www.example.com'],
    ['sub.domain.example.com', '*.example.com', 'sub.domain.example.com'],
    ['*.example.com', '*.example.com', '*.example.com'],
    ['*.com', '*.example.com', '*.example.com'],
    ['*', 'www.example.com', 'www.example.com'],
    ['*', '*', '*'],
    [undefined, 'www.example.com', 'www.example.com'],
  ])('listener %s and route %s intersect in %s', (listener, route, expected) => {
    expect(intersectHostnames(listener, route)).toBe(expected);
    expect(intersectHostnames(route, listener)).toBe(expected);
  });

  it.each([
    ['www.example.com', 'foo.example.com'],
    ['*.example.com', 'example.com'],
    ['*.example.com', 'www.example.org'],
    ['*.example.com', '*.example.org'],
    ['test.example.com', 'test.example.net'],
  ])('%s and %s do not intersect', (a, b) => {
    expect(intersectHostnames(a, b)).toBeUndefined();
    expect(intersectHostnames(b, a)).toBeUndefined();
  });
});

describe('defaultRouteKinds', () => {
  it('follows the listener protocol, and leaves an implementation protocol to the implementation', () => {
    expect(defaultRouteKinds('HTTP')).toEqual(['HTTPRoute', 'GRPCRoute']);
    expect(defaultRouteKinds('HTTPS')).toEqual(['HTTPRoute', 'GRPCRoute']);
    expect(defaultRouteKinds('TLS')).toEqual(['TLSRoute', 'TCPRoute']);
    expect(defaultRouteKinds('TCP')).toEqual(['TCPRoute']);
    expect(defaultRouteKinds('UDP')).toEqual(['UDPRoute']);
    expect(defaultRouteKinds('example.com/quic')).toBeUndefined();
  });
});

describe('compareRoutePrecedence', () => {
  const route = (namespace: string, name: string, creationTimestamp?: string) => ({ namespace, name, ...(creationTimestamp ? { creationTimestamp } : {}) }) as GatewayRoute;

  it('gives the oldest route precedence, then the first by namespace/name', () => {
    expect(compareRoutePrecedence(route('a', 'z', '2024-01-01T00:00:00Z'), route('a', 'a', '2025-01-01T00:00:00Z'))).toBeLessThan(0);
    expect(compareRoutePrecedence(route('a', 'z', '2024-01-01T00:00:00Z'), route('a', 'a', '2024-01-01T00:00:00Z'))).toBeGreaterThan(0);
    expect(compareRoutePrecedence(route('foo', 'bar'), route('foo', 'baz'))).toBeLessThan(0);
    // With one timestamp missing, only the name order is known.
    expect(compareRoutePrecedence(route('b', 'x', '2020-01-01T00:00:00Z'), route('a', 'x'))).toBeGreaterThan(0);
  });
});

describe('buildGatewayApiObjects', () => {
  const objects = analyze(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra, annotations: {a: "1"}}
spec:
  gatewayClassName: istio
  infrastructure: {annotations: {a: "2", b: "3"}}
  listeners:
    - {name: http, port: 80, protocol: HTTP}
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.example.com"
      tls: {certificateRefs: [{name: tls}]}
      allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}, kinds: [{kind: HTTPRoute}]}
  addresses: [{value: 203.0.113.9}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: https}]
  rules:
    - backendRefs: [{name: web, port: 80}, {name: web-canary, namespace: canary, port: 80, weight: 0}]
    - matches: [{path: {type: PathPrefix, value: /api/}, method: GET, headers: [{name: X-Version, value: "2"}]}]
      backendRefs: [{name: api, port: 8080}]
    - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: cart, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules: [{backendRefs: [{name: cart, port: 7070}]}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: shop, namespace: canary}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service}]
`).graph.gatewayApi;

  it('applies the defaults of listeners: allowedRoutes from Same, TLS mode Terminate, certificates in the Gateway namespace', () => {
    const gateway = objects.gateway('infra', 'public')!;
    expect(gateway.className).toBe('istio');
    expect(gateway.listeners[0]).toMatchObject({ name: 'http', port: 80, protocol: 'HTTP', allowedNamespaces: { from: 'Same' } });
    expect(gateway.listeners[0].allowedKinds).toBeUndefined();
    expect(gateway.listeners[1]).toMatchObject({
      hostname: '*.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', namespace: 'infra', name: 'tls' }] },
      allowedNamespaces: { from: 'Selector', selector: { text: 'team=shop' } },
      allowedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
    });
    // infrastructure.annotations win over the Gateway's own; an address without type is an IPAddress.
    expect(gateway.annotations).toEqual({ a: '2', b: '3' });
    expect(gateway.addresses).toEqual([{ type: 'IPAddress', value: '203.0.113.9', path: ['spec', 'addresses', 0] }]);
  });

  it('applies the defaults of references and rules: a Gateway parent, a core Service backend of weight 1, a PathPrefix / match', () => {
    const route = objects.routes.find((candidate) => candidate.name === 'web')!;
    expect(route.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'public', sectionName: 'https', path: ['spec', 'parentRefs', 0] }]);
    expect(route.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', namespace: 'shop', name: 'web', port: 80, weight: 1, path: ['spec', 'rules', 0, 'backendRefs', 0] },
      { group: '', kind: 'Service', namespace: 'canary', name: 'web-canary', port: 80, weight: 0, path: ['spec', 'rules', 0, 'backendRefs', 1] },
    ]);
    expect(route.rules[0].matches.map((match) => match.description)).toEqual(['PathPrefix /']);
    expect(route.rules[1].matches[0].description).toBe('GET PathPrefix /api/ with 1 header match');
    expect(route.rules[2].redirectsToHttps).toBe(true);
    expect(route.rules[0].redirectsToHttps).toBe(false);
  });

  it('gives equal keys to matches that take the same requests: a trailing / of a prefix and header name case do not count', () => {
    const graph = analyze(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
spec:
  rules:
    - matches:
        - {path: {type: PathPrefix, value: /api/}, headers: [{name: X-Version, value: "2"}]}
        - {path: {value: /api}, headers: [{name: x-version, value: "2"}]}
        - {path: {type: Exact, value: /api}}
        - {path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: "3"}]}
`).graph;
    const keys = graph.gatewayApi.routes[0].rules[0].matches.map((match) => match.key);
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(3);
  });

  it('matches every gRPC call when a GRPCRoute rule has no matches', () => {
    const route = objects.routes.find((candidate) => candidate.kind === 'GRPCRoute')!;
    expect(route.rules[0].matches.map((match) => match.description)).toEqual(['every gRPC method']);
  });

  it('reads ReferenceGrants and answers whether a reference is permitted', () => {
    expect(objects.permitsReference({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }, { group: '', kind: 'Service', namespace: 'canary', name: 'web-canary' })).toBe(true);
    expect(objects.permitsReference({ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'shop' }, { group: '', kind: 'Service', namespace: 'canary', name: 'web-canary' })).toBe(false);
    expect(objects.permitsReference({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'blog' }, { group: '', kind: 'Service', namespace: 'canary', name: 'web-canary' })).toBe(false);
    expect(objects.permitsReference({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }, { group: '', kind: 'Service', namespace: 'shop', name: 'any' })).toBe(true);
  });
});

describe('loading Gateway API objects', () => {
  it('leaves out, with a finding at the field, what the API server rejects', () => {
    const analysis = analyze(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: no-port, namespace: shop}
spec:
  rules: [{backendRefs: [{name: web}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-host, namespace: shop}
spec:
  hostnames: [Shop.Example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: twice, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}, {name: http, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: bad-selector, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
    - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchExpressions: [{key: team, operator: Equals, values: [a]}]}}}}
`);
    expect(analysis.graph.gatewayApi.routes).toEqual([]);
    expect(analysis.graph.gatewayApi.gateways).toEqual([]);
    const findings = analysis.inputFindings.filter((finding) => finding.ruleId === 'input-invalid-value');
    expect(findings.map((finding) => [finding.location?.line, finding.path, finding.message])).toEqual([
      [6, 'spec.rules[0].backendRefs[0]', expect.stringMatching(/^HTTPRoute shop\/no-port: spec\.rules\[0\]\.backendRefs\[0\] names Service web without a port.*leaves it out\.$/)],
      [12, 'spec.hostnames[0]', expect.stringContaining('hostname "Shop.Example.com" is not a lowercase DNS name')],
      [19, 'spec.listeners[1].name', expect.stringContaining('listener name http is used twice')],
      [27, 'spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].operator', expect.stringContaining('Gateway infra/bad-selector')],
    ]);
  });

  it('validates Gateway API objects with their own schemas, not an Istio Gateway, which is Istio\'s', () => {
    const analysis = analyze(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-gw, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: eighty, protocol: HTTP}]
`);
    expect(analysis.inputFindings.map((finding) => [finding.ruleId, finding.location?.line])).toEqual([
      ['input-schema', 14],
    ]);
    // The API server refuses the Gateway with a port of the wrong type: left out, like every modelled kind's object;
    // the Istio Gateway is Istio's, modelled as such.
    expect(analysis.graph.gatewayApi.gateways).toEqual([]);
    expect(analysis.graph.istio.gateways.map((gateway) => gateway.name)).toEqual(['istio-gw']);
    expect(analysis.graph.otherObjects).toEqual([]);
  });

  it('does not model a version the API does not serve, and says so', () => {
    const analysis = analyze(`
apiVersion: gateway.networking.k8s.io/v1alpha1
kind: HTTPRoute
metadata: {name: old}
spec: {rules: [{backendRefs: [{name: web}]}]}
`);
    expect(analysis.graph.gatewayApi.routes).toEqual([]);
    expect(analysis.inputFindings.map((finding) => finding.message)).toEqual([expect.stringMatching(/^Kind HTTPRoute of gateway\.networking\.k8s\.io \(v1alpha1\) is not a kind k8snet models/)]);
  });

  it('suggests the Gateway API kind for a misspelt one', () => {
    const analysis = analyze('apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: {name: web}\n');
    expect(analysis.inputFindings.map((finding) => finding.message)).toEqual([expect.stringContaining('did you mean HTTPRoute?')]);
  });
});
