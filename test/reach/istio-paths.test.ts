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
    const last = demo.find((hop) => hop.from.id === 'svc:bookinfo/productpage' && hop.verdict?.source)!;
    expect(last.verdict).toMatchObject({ state: 'open', source: 'Istio Gateway bookinfo/bookinfo-gateway' });
    expect(last.verdict?.notes).toEqual([
      'Istio AuthorizationPolicies bookinfo/allow-nothing, bookinfo/productpage-viewer apply, not yet evaluated',
      'mTLS only (STRICT, istio-system/default): plaintext senders refused, not yet evaluated',
    ]);
  });

  it('says on every hop into a meshed workload that Istio policies apply and are not evaluated, but not STRICT on a gateway', () => {
    const details = demo.find((hop) => hop.to.id === 'bookinfo/details-v1[Deployment]')!;
    expect(details.verdict?.notes).toEqual(expect.arrayContaining([expect.stringContaining('bookinfo/details-viewer apply, not yet evaluated')]));
    const gateway = demo.filter((hop) => hop.to.id === 'istio-system/istio-ingressgateway[Deployment]');
    expect(gateway.length).toBeGreaterThan(0);
    for (const hop of gateway) expect(hop.verdict?.notes?.some((note) => note.includes('STRICT')) ?? false).toBe(false);
  });

  it('judges a gateway whose proxies the manifests do not hold as any pod, and stops at a destination outside the cluster', () => {
    const hops = hopsOf(APP);
    const last = hops.find((hop) => hop.to.id === 'shop/web[Deployment]' && hop.verdict?.source)!;
    expect(last.verdict).toMatchObject({ source: 'Istio Gateway shop/public', notes: ['its proxies are not in the manifests: judged as any pod'] });
    expect(hops.filter((hop) => hop.from.id === 'virtualservice:shop/web').map((hop) => hop.to.id)).toEqual(['svc:shop/web']);
  });

  it('draws nothing for a VirtualService no server takes', () => {
    const hops = hopsOf(APP.replace('hosts: ["shop.example.com"]\n  gateways', 'hosts: ["other.example.com"]\n  gateways'));
    expect(hops.some((hop) => hop.to.type === 'virtual-service')).toBe(false);
    expect(hops.some((hop) => hop.to.type === 'istio-server')).toBe(false);
  });
});

describe('the graph of the Istio example (fixtures/istio-demo)', () => {
  it('renders DOT that parses, with the Istio nodes in their namespaces', () => {
    const dot = parseDot(formatPathsDot(demo));
    const labels = [...dot.nodes.values()].map((attributes) => attributes.label);
    expect(labels).toEqual(expect.arrayContaining([
      'Istio Gateway bookinfo-gateway server http (HTTP 8080)',
      'VirtualService bookinfo',
      'Service productpage',
      'productpage-v1 [Deployment]',
      'load balancer of Service istio-ingressgateway (TCP 80, TCP 443)',
    ]));
    for (const edge of dot.edges) {
      expect(dot.nodes.has(edge.from)).toBe(true);
      expect(dot.nodes.has(edge.to)).toBe(true);
    }
  });

  it('renders Mermaid that parses, every edge between declared nodes', () => {
    const mermaid = parseMermaid(formatPathsMermaid(demo));
    expect([...mermaid.nodes.values()]).toEqual(expect.arrayContaining(['Istio Gateway bookinfo-gateway server http (HTTP 8080)', 'VirtualService bookinfo']));
    expect(mermaid.subgraphs.map((subgraph) => subgraph.label)).toEqual(expect.arrayContaining(['bookinfo', 'istio-system']));
    for (const edge of mermaid.edges) {
      expect(mermaid.nodes.has(edge.from)).toBe(true);
      expect(mermaid.nodes.has(edge.to)).toBe(true);
    }
  });
});

describe('can-reach says what Istio decides and k8snet does not evaluate yet', () => {
  const solver = new ReachabilitySolver(demoGraph);

  it('names the AuthorizationPolicies and the STRICT mTLS a plaintext client meets', () => {
    const answer = answerReach(solver, resolveEndpoint(demoGraph, 'legacy/report-generator'), resolveEndpoint(demoGraph, 'svc:bookinfo/productpage'), { protocol: 'TCP', port: 9080 });
    expect(answer.notes).toEqual([
      'Istio AuthorizationPolicies bookinfo/allow-nothing, bookinfo/productpage-viewer apply to bookinfo/productpage-v1; PeerAuthentication istio-system/default makes them accept only mTLS, and legacy/report-generator (no Istio proxy) sends plaintext, which they refuse. k8snet does not evaluate Istio policies yet: this answer covers NetworkPolicy and the admin policies only.',
    ]);
  });

  it('leaves the STRICT part out for a client with a sidecar, and says nothing for workloads outside the mesh', () => {
    const inMesh = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/reviews-v1'), resolveEndpoint(demoGraph, 'bookinfo/ratings-v1'));
    expect(inMesh.notes).toEqual([expect.stringMatching(/^Istio AuthorizationPolicies bookinfo\/allow-nothing, bookinfo\/ratings-viewer apply to bookinfo\/ratings-v1\. k8snet/)]);
    const outside = answerReach(solver, resolveEndpoint(demoGraph, 'bookinfo/reviews-v1'), resolveEndpoint(demoGraph, 'legacy/report-generator'));
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
  ] as const)('port %i reads as %s (%s)', (port, reading) => {
    expect(portReading(graph, pod, port)).toBe(reading);
  });

  it('reads every port as TCP for ztunnel', () => {
    expect(portReading(graph, pod, 9090, true)).toBe('tcp');
  });
});
