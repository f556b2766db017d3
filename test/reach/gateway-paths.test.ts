import { describe, expect, it } from '@jest/globals';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import { matrixEdges } from '../../src/reach/matrix.js';
import { requestPaths, type PathHop } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatPathsDot, formatPathsMermaid } from '../../src/report/path-graph.js';
import { parseDot, parseMermaid } from '../report/graph-syntax.js';

const demo = requestPaths(new ReachabilitySolver(analyzePaths(['fixtures/gateway-demo']).graph));

function hopsOf(text: string): PathHop[] {
  return requestPaths(new ReachabilitySolver(analyzeTexts([{ path: 'paths.yaml', text }]).graph));
}

function chain(hops: readonly PathHop[]): string[] {
  return hops.map((hop) => `${hop.from.id} -> ${hop.to.id}`);
}

/** A Gateway whose pods are not in the manifests, a route to shop/web, and web's Deployment and Service. */
const UNKNOWN_DATA_PLANE = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: infra}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: eg, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
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

const POLICY = (from: string) => `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [${from}], ports: [{port: 8080}]}]
`;

describe('request paths through Gateways', () => {
  it('draws clients → listener → route → Service → workload, judged for the Gateway\'s pods', () => {
    expect(chain(demo)).toEqual(expect.arrayContaining([
      'clients -> listener:infra/public/https',
      'listener:infra/public/https -> httproute:shop/storefront',
      'httproute:shop/storefront -> svc:shop/frontend',
      'svc:shop/frontend -> shop/frontend[Deployment]',
    ]));
    const last = demo.find((hop) => hop.from.id === 'svc:shop/frontend' && hop.to.id === 'shop/frontend[Deployment]')!;
    expect(last.verdict).toMatchObject({ state: 'allowed', source: 'Gateway infra/public' });
    expect(last.verdict?.by.join(' ')).toMatch(/^frontend-ingress ingress\[0\] \(fixtures\/gateway-demo\/shop\/networkpolicies\.yaml:\d+\)$/);
    expect(demo.find((hop) => hop.to.id === 'listener:infra/public/https')?.label).toBe('HTTPS 443 *.shop.example.com');
    expect(demo.find((hop) => hop.to.id === 'httproute:shop/storefront')?.label).toBe('www.shop.example.com');
  });

  it('draws a redirect route as the end of its path', () => {
    expect(demo.find((hop) => hop.to.id === 'httproute:infra/https-redirect')?.label).toBe('* (redirects to https)');
    expect(demo.some((hop) => hop.from.id === 'httproute:infra/https-redirect')).toBe(false);
  });

  it('judges a Gateway whose pods the manifests do not hold as a pod of unknown namespace and labels, and says so', () => {
    const fromInfra = hopsOf(UNKNOWN_DATA_PLANE + POLICY('{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: infra}}}'));
    const last = fromInfra.find((hop) => hop.to.id === 'shop/web[Deployment]' && hop.verdict?.source)!;
    // A rule admitting the Gateway's own namespace may admit its pods: not known, so said, not "blocked".
    expect(last.verdict).toMatchObject({
      state: 'depends', source: 'Gateway infra/eg',
      notes: ['its pods are not in the manifests: judged as any pod', 'only rules that select some namespaces or labels admit it: whether it is among them, k8snet cannot tell'],
    });
    const fromAddresses = hopsOf(UNKNOWN_DATA_PLANE + POLICY('{ipBlock: {cidr: 192.0.2.0/24}}'));
    expect(fromAddresses.find((hop) => hop.to.id === 'shop/web[Deployment]' && hop.verdict?.source)?.verdict).toMatchObject({ state: 'blocked', notes: ['its pods are not in the manifests: judged as any pod'] });
    const fromAnyNamespace = hopsOf(UNKNOWN_DATA_PLANE + POLICY('{namespaceSelector: {}}'));
    expect(fromAnyNamespace.find((hop) => hop.to.id === 'shop/web[Deployment]' && hop.verdict?.source)?.verdict?.state).toBe('allowed');
  });

  it('stops at a backend of another namespace that no ReferenceGrant permits, and at a backend of weight 0', () => {
    const text = UNKNOWN_DATA_PLANE.replace('namespace: shop}\nspec:\n  parentRefs', 'namespace: front}\nspec:\n  parentRefs')
      .replace('backendRefs: [{name: web, port: 80}]', 'backendRefs: [{name: web, namespace: shop, port: 80}]');
    const refused = hopsOf(text);
    expect(refused.find((hop) => hop.from.id === 'httproute:front/web')?.label).toBe('80/TCP refused: no ReferenceGrant in shop');
    expect(refused.some((hop) => hop.verdict?.source === 'Gateway infra/eg')).toBe(false);
    const granted = hopsOf(`${text}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: front, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: front}]
  to: [{group: "", kind: Service, name: web}]`);
    expect(granted.find((hop) => hop.from.id === 'httproute:front/web')?.label).toBe('80/TCP');
    expect(granted.some((hop) => hop.verdict?.source === 'Gateway infra/eg')).toBe(true);
    const weightless = hopsOf(UNKNOWN_DATA_PLANE.replace('{name: web, port: 80}', '{name: web, port: 80, weight: 0}'));
    expect(weightless.find((hop) => hop.from.id === 'httproute:shop/web')?.label).toBe('80/TCP weight 0: no traffic');
  });

  it('does not draw an Istio waypoint as a way into the cluster', () => {
    const hops = hopsOf(`${UNKNOWN_DATA_PLANE.replace('gatewayClassName: eg', 'gatewayClassName: istio-waypoint')}`);
    expect(hops.some((hop) => hop.to.type === 'listener')).toBe(false);
  });

  it('shows in the matrix what a Gateway without pods in the manifests exposes, as {ingress-controller}', () => {
    const solver = new ReachabilitySolver(analyzeTexts([{ path: 'paths.yaml', text: UNKNOWN_DATA_PLANE + POLICY('{namespaceSelector: {}}') }]).graph);
    const fromController = [...matrixEdges(solver)].filter((edge) => edge.source.type === 'ingress-controller');
    expect(fromController.map((edge) => `${edge.destination.id} ${edge.connections.toString()}`)).toEqual(['shop/web[Deployment] TCP 8080']);
    // The demo's Gateway runs pods of its own: they are a workload of the matrix, not {ingress-controller}.
    const demoSolver = new ReachabilitySolver(analyzePaths(['fixtures/gateway-demo']).graph);
    expect([...matrixEdges(demoSolver)].some((edge) => edge.source.type === 'ingress-controller')).toBe(false);
    expect([...matrixEdges(demoSolver)].some((edge) => edge.source.id === 'infra/public-istio[Deployment]' && edge.destination.id === 'shop/frontend[Deployment]')).toBe(true);
  });
});

describe('the graph of the Gateway example (fixtures/gateway-demo)', () => {
  it('renders DOT that parses: every edge between declared nodes, namespaces as labelled clusters', () => {
    const dot = parseDot(formatPathsDot(demo));
    expect(dot.name).toBe('request_paths');
    const labels = [...dot.nodes.values()].map((attributes) => attributes.label);
    expect(labels).toEqual(expect.arrayContaining([
      'clients outside the cluster',
      'Gateway public listener https (HTTPS 443)',
      'HTTPRoute storefront',
      'Service frontend',
      'frontend [Deployment]',
      'load balancer of Service frontend-external (TCP 80)',
      'NodePort of Service ingress-nginx-controller on every node (one allocated for TCP 80, one allocated for TCP 443)',
      'hostPort of ingress-nginx-controller on its node (TCP 80, TCP 443)',
    ]));
    for (const edge of dot.edges) {
      expect(dot.nodes.has(edge.from)).toBe(true);
      expect(dot.nodes.has(edge.to)).toBe(true);
      expect(edge.attributes.color).toMatch(/^(darkgreen|darkorange|grey40|red|steelblue|black)$/);
    }
    expect(dot.clusters.map((cluster) => cluster.label).sort()).toEqual(['infra', 'ingress-nginx', 'shop']);
    const idOf = (label: string) => [...dot.nodes].find(([, attributes]) => attributes.label === label)![0];
    const gatewayEdge = dot.edges.find((edge) => edge.from === idOf('Service frontend') && edge.to === idOf('frontend [Deployment]'))!;
    expect(gatewayEdge.attributes).toMatchObject({ color: 'darkgreen' });
    expect(gatewayEdge.attributes.label).toMatch(/^TCP 8080\nfrom Gateway infra\/public: allowed by frontend-ingress ingress\[0\]/);
    // One drawn edge per pair of nodes.
    const pairs = new Set(demo.map((hop) => `${hop.from.id}\u0000${hop.to.id}`));
    expect(dot.edges.length).toBe(pairs.size);
  });

  it('renders Mermaid that parses: subgraphs per namespace, one link style per edge', () => {
    const mermaid = parseMermaid(formatPathsMermaid(demo));
    expect(mermaid.subgraphs.map((subgraph) => subgraph.label).sort()).toEqual(['infra', 'ingress-nginx', 'shop']);
    for (const edge of mermaid.edges) {
      expect(mermaid.nodes.has(edge.from)).toBe(true);
      expect(mermaid.nodes.has(edge.to)).toBe(true);
    }
    expect([...mermaid.linkStyles.keys()]).toEqual(mermaid.edges.map((_, index) => index));
    expect([...mermaid.nodes.values()]).toContain('Gateway public listener https (HTTPS 443)');
  });

  it('focuses on a workload behind a Gateway, back to the clients', () => {
    const focused = parseDot(formatPathsDot(demo, { focus: 'shop/frontend' }));
    const labels = [...focused.nodes.values()].map((attributes) => attributes.label);
    expect(labels).toEqual(expect.arrayContaining(['clients outside the cluster', 'Gateway public listener https (HTTPS 443)', 'HTTPRoute storefront', 'Service frontend']));
    expect(labels).not.toContain('productcatalogservice [Deployment]');
  });

  it('rejects text that is not DOT or Mermaid (the parsers can fail)', () => {
    expect(() => parseDot('digraph g { n0 [label="unterminated]; }')).toThrow(SyntaxError);
    expect(() => parseDot('digraph g { n0 -> ; }')).toThrow(SyntaxError);
    expect(() => parseMermaid('flowchart LR\n  n0["a "quoted" label"]')).toThrow(SyntaxError);
    expect(() => parseMermaid('flowchart LR\n  subgraph ns0["x"]\n')).toThrow(SyntaxError);
  });
});
