import { describe, expect, it } from '@jest/globals';
import { analyzePaths } from '../../src/pipeline.js';
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
