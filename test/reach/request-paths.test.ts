import { describe, expect, it } from '@jest/globals';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import { requestPaths } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatPathsDot, formatPathsMermaid } from '../../src/report/path-graph.js';

const hops = requestPaths(new ReachabilitySolver(analyzePaths(['fixtures/demo']).graph));

describe('request paths (k8snet graph)', () => {
  it('follows clients → Ingress → Service → workload, with the policy that admits the ingress controller', () => {
    const chain = hops.filter((hop) => ['clients', 'ingress:shop-frontend/shop', 'svc:shop-frontend/storefront'].includes(hop.from.id));
    expect(chain.map((hop) => `${hop.from.id} -> ${hop.to.id}`)).toEqual(expect.arrayContaining([
      'clients -> ingress:shop-frontend/shop',
      'ingress:shop-frontend/shop -> svc:shop-frontend/storefront',
      'svc:shop-frontend/storefront -> shop-frontend/storefront[Deployment]',
    ]));
    const last = chain.find((hop) => hop.to.id === 'shop-frontend/storefront[Deployment]')!;
    expect(last.verdict?.state).toBe('allowed');
    expect(last.verdict?.by.join(' ')).toMatch(/allow-from-ingress-nginx ingress\[0\] \(fixtures\/demo\/shop-frontend\/networkpolicies\.yaml:\d+\)/);
  });

  it('marks workloads no policy isolates as open and internal Services with the policies that decide', () => {
    expect(hops.find((hop) => hop.to.id === 'monitoring/grafana[Deployment]')?.verdict?.state).toBe('open');
    expect(hops.find((hop) => hop.to.id === 'shop-data/postgres[StatefulSet]')?.verdict).toMatchObject({ state: 'isolated' });
  });

  it('draws DOT with one cluster per namespace and one edge per pair of nodes', () => {
    const dot = formatPathsDot(hops);
    expect(dot).toMatch(/^digraph request_paths \{/);
    const namespaces = new Set(hops.flatMap((hop) => [hop.from, hop.to]).flatMap((node) => (node.type === 'workload' ? [node.workload.namespace] : [])));
    expect((dot.match(/subgraph cluster_\d+ \{/g) ?? []).length).toBeGreaterThanOrEqual(namespaces.size);
    const pairs = new Set(hops.map((hop) => `${hop.from.id}\u0000${hop.to.id}`));
    expect((dot.match(/^ {2}n\d+ -> n\d+ /gm) ?? []).length).toBe(pairs.size);
  });

  it('draws Mermaid that GitHub renders: a flowchart, namespaces as subgraphs, styled links', () => {
    const mermaid = formatPathsMermaid(hops);
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid).toMatch(/subgraph ns\d+\["shop-frontend"\]/);
    expect((mermaid.match(/linkStyle \d+ stroke:/g) ?? []).length).toBe((mermaid.match(/ -(?:-|\.-)>\|/g) ?? []).length);
  });

  it('an ingress controller outside the manifests that a rule admits only from its namespace and labels: may be allowed, not blocked', () => {
    const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    const policy = (from: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [${from}], ports: [{port: http}]}]
`;
    const controller = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec:
      containers: [{name: controller, image: registry.k8s.io/ingress-nginx/controller:v1.11.2}]
`;
    const fromController = '{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}, podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}}';
    const hopInto = (text: string) => requestPaths(new ReachabilitySolver(analyzeTexts([{ path: 'app.yaml', text }]).graph)).find((hop) => hop.from.id === 'svc:shop/web' && hop.to.id === 'shop/web[Deployment]')!;
    const unknown = hopInto(app + policy(fromController));
    expect(unknown.verdict).toMatchObject({ state: 'depends', notes: ['the ingress controller is not in the manifests', 'only rules that select some namespaces or labels admit it: whether it is among them, k8snet cannot tell'] });
    expect(unknown.verdict?.by.join(' ')).toMatch(/^web-ingress ingress\[0\] \(app\.yaml:\d+\)$/);
    expect(formatPathsMermaid([unknown])).toMatch(/-\.->\|"TCP 8080<br\/>may be allowed by web-ingress/);
    // A verdict that names no rule (decided where no policy isolates, or by a kind without rule names) reads its state alone.
    // An open side that policies select without closing names them.
    expect(formatPathsMermaid([{ ...unknown, verdict: { state: 'open', by: ['security.blocklist'] } }])).toContain('TCP 8080<br/>not isolated: security.blocklist leaves the rest open"');
    for (const [state, text] of [['allowed', 'allowed'], ['isolated', 'isolated'], ['depends', 'may be allowed']] as const) {
      const drawn = formatPathsMermaid([{ ...unknown, verdict: { state, by: [] } }]);
      expect(drawn).toContain(`TCP 8080<br/>${text}"`);
      expect(drawn).not.toMatch(/ by "|policies: "/);
    }
    // The controller in the manifests decides; an ipBlock alone can admit no pod.
    expect(hopInto(app + policy(fromController) + controller).verdict?.state).toBe('allowed');
    expect(hopInto(app + policy('{ipBlock: {cidr: 10.0.0.0/8}}')).verdict?.state).toBe('blocked');
  });

  it('focuses on one workload, and collapses crowded namespaces into one node', () => {
    const focused = formatPathsDot(hops, { focus: 'shop-frontend/storefront' });
    expect(focused).toContain('storefront [Deployment]');
    expect(focused).not.toContain('postgres');
    expect(focused).toContain('clients outside the cluster');
    const collapsed = formatPathsDot(hops, { maxNodesPerNamespace: 1 });
    expect(collapsed).toMatch(/namespace shop-backend \(\d+ objects\)/);
    expect(collapsed).not.toContain('catalog [Deployment]');
  });
});
