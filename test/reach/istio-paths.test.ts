import { describe, expect, it } from '@jest/globals';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';
import { relevantFilesFor } from '../../src/reach/query-scope.js';
import { requestPaths, type PathHop } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatPathsDot, formatPathsMermaid } from '../../src/report/path-graph.js';
import { portReading } from '../../src/model/istio-protocol.js';
import { parseDot, parseMermaid } from '../report/graph-syntax.js';

const demoGraph = analyzePaths(['fixtures/istio-demo']).graph;
const demo = requestPaths(new ReachabilitySolver(demoGraph));

function hopsOf(text: string): PathHop[] {
  return requestPaths(new ReachabilitySolver(analyzeTexts([{ path: 'paths.yaml', text }]).graph));
}

function chain(hops: readonly PathHop[]): string[] {
  return hops.map((hop) => `${hop.from.id} -> ${hop.to.id}`);
}

/** An Istio Gateway and VirtualService to shop/web, whose gateway proxies the manifests do not hold. */
const APP = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: ["shop.example.com"]
  gateways: [public]
  http:
    - route: [{destination: {host: web, port: {number: 80}}}]
    - route: [{destination: {host: api.partner.example.com}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
`;

describe('request paths through Istio Gateways', () => {
  it('draws clients → server → VirtualService → Service → workload, judged for the gateway\'s proxies', () => {
    expect(chain(demo)).toEqual(expect.arrayContaining([
      'clients -> istio-server:bookinfo/bookinfo-gateway/8080/http',
      'istio-server:bookinfo/bookinfo-gateway/8080/http -> virtualservice:bookinfo/bookinfo',
      'virtualservice:bookinfo/bookinfo -> svc:bookinfo/productpage',
      'svc:bookinfo/productpage -> bookinfo/productpage-v1[Deployment]',
    ]));
    expect(demo.find((hop) => hop.to.id === 'istio-server:bookinfo/bookinfo-gateway/8080/http')?.label).toBe('HTTP 8080 bookinfo.example.com');
    // The gateway's proxies carry the principal productpage-viewer allows: Istio's verdict is on the hop.
    const last = demo.find((hop) => hop.from.id === 'svc:bookinfo/productpage' && hop.verdict?.source)!;
    expect(last.verdict).toMatchObject({ state: 'allowed', source: 'Istio Gateway bookinfo/bookinfo-gateway' });
    expect(last.verdict?.by).toEqual(expect.arrayContaining([expect.stringContaining('productpage-viewer rules[0] (fixtures/istio-demo/bookinfo/authorization.yaml:20)')]));
  });

  it('says nothing is left unevaluated on the hops: Istio\'s policies are part of every verdict', () => {
    for (const hop of demo) expect(hop.verdict?.notes?.filter((note) => /not (yet )?evaluated/.test(note)) ?? []).toEqual([]);
    const gateway = demo.filter((hop) => hop.to.id === 'istio-system/istio-ingressgateway[Deployment]');
    expect(gateway.length).toBeGreaterThan(0);
  });

});

describe('can-reach evaluates what Istio decides', () => {
  const solver = new ReachabilitySolver(demoGraph);

  it('denies a plaintext client at a STRICT workload, citing the PeerAuthentication', () => {
    const answer = answerReach(solver, resolveEndpoint(demoGraph, 'legacy/report-generator'), resolveEndpoint(demoGraph, 'svc:bookinfo/productpage'), { protocol: 'TCP', port: 9080 });
    expect(answer.reachable).toBe('none');
    expect(answer.notes).toEqual([]);
    const decisions = answer.pairs[0].verdict.ingress.decisions;
    expect(decisions.map((decision) => `${decision.rule.source.kind} ${decision.rule.source.policyLabel} ${decision.rule.action} ${decision.ports.describe()}`))
      .toEqual(['PeerAuthentication istio-system/default deny TCP 1-65535']);
  });

  it('allows a meshed client the ALLOW policy names at L4, with its methods as an L7 restriction; others are denied', () => {
    const allowed = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/reviews-v1'), resolveEndpoint(demoGraph, 'bookinfo/ratings-v1'), { protocol: 'TCP', port: 9080 });
    expect(allowed.reachable).toBe('all');
    expect(allowed.notes).toEqual([]);
    expect(allowed.pairs[0].verdict.ingress.restrictions.map((restriction) => `${restriction.layer} ${restriction.description} (${restriction.rule.source.policyLabel} ${restriction.rule.source.ruleLabel})`))
      .toContain('L7 methods GET (bookinfo/ratings-viewer rules[0])');
    const denied = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/details-v1'), resolveEndpoint(demoGraph, 'bookinfo/ratings-v1'), { protocol: 'TCP', port: 9080 });
    expect(denied.reachable).toBe('none');
    // UDP is not proxied: the mesh leaves it to the network plugin.
    const udp = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/details-v1'), resolveEndpoint(demoGraph, 'bookinfo/ratings-v1'), { protocol: 'UDP', port: 9080 });
    expect(udp.reachable).toBe('all');
    const outside = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/reviews-v1'), resolveEndpoint(demoGraph, 'legacy/report-generator'));
    expect(outside.reachable).toBe('all');
    expect(outside.notes).toEqual([]);
  });

  it('parses the files of Istio security policies even when they name neither namespace (the root namespace\'s apply everywhere)', () => {
    const relevant = relevantFilesFor(['legacy', 'bookinfo'], 'default')!;
    expect(relevant(Buffer.from('apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\n'))).toBe(true);
    expect(relevant(Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: istio-system}\n'))).toBe(false);
  });
});

describe('portReading (how the sidecar reads a port: Service port protocol selection)', () => {
  const graph = analyzeTexts([{ path: 'ports.yaml', text: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
    - {name: http-web, port: 80, targetPort: 8080}
    - {name: mongo, port: 27017}
    - {name: metrics, port: 9090, appProtocol: http}
    - {name: tcp-admin, port: 9443, appProtocol: grpc}
    - {port: 7000}
---
apiVersion: v1
kind: Service
metadata: {name: web-raw, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: tcp-web, port: 8081, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: web, ports: [{containerPort: 8080}, {containerPort: 27017}, {containerPort: 9090}, {containerPort: 9443}, {containerPort: 7000}, {containerPort: 5000}]}]
` }]).graph;
  const pod = graph.pods[0];

  it.each([
    [8080, 'detect', 'http-web and tcp-web disagree'],
    [27017, 'tcp', 'mongo by name'],
    [9090, 'http', 'appProtocol http'],
    [9443, 'http', 'appProtocol wins over the name'],
    [7000, 'detect', 'no protocol declared: sniffed'],
    [5000, 'detect', 'no Service targets it: the passthrough chain sniffs'],
  ] as const)('port %i reads as %s (%s)', (port, reading, _why) => {
    expect(portReading(graph, pod, port)).toBe(reading);
  });

  it('reads every port as TCP for ztunnel', () => {
    expect(portReading(graph, pod, 9090, true)).toBe('tcp');
  });
});
