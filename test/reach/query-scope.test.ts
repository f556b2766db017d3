/**
 * The scoped load of `can-reach` (src/reach/query-scope.ts): files that mention neither endpoint's
 * namespace, an admin policy nor Calico are not parsed. The answer must be the same as from every file:
 * checked for every ordered pair of workloads in the demo and in each np-guard corpus case.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { analyzePaths } from '../../src/pipeline.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';
import { endpointNamespace, relevantFilesFor } from '../../src/reach/query-scope.js';
import { formatReachJson } from '../../src/report/reach-text.js';
import { optionalShared } from '../shared-folder.js';

// The demo, and each np-guard corpus case when ../shared is there.
const CORPUS = optionalShared('conformance/np-guard');
const SETS = [
  path.resolve('fixtures', 'demo'),
  // Calico's GlobalNetworkPolicies name no namespace and apply to every one (their caveats are part of the answer).
  path.resolve('fixtures', 'calico-demo'),
  ...(CORPUS ? fs.readdirSync(CORPUS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(CORPUS, entry.name)) : []),
];

/** Answers every ordered pair of workloads (at most `limit`), from every file and from the scoped load. */
function comparePairs(folder: string, limit: number): { compared: number; scoped: number } {
  const full = analyzePaths([folder]);
  const workloads = full.graph.workloads.filter((workload) => workload.namespace !== full.graph.defaultNamespace);
  let compared = 0;
  let scoped = 0;
  for (const source of workloads) {
    for (const destination of workloads) {
      if (compared >= limit) return { compared, scoped };
      const [from, to] = [`${source.namespace}/${source.kind}/${source.name}`, `${destination.namespace}/${destination.kind}/${destination.name}`];
      const namespaces = [from, to].map((text) => endpointNamespace(text, full.graph.defaultNamespace)!);
      const isRelevant = relevantFilesFor(namespaces, full.graph.defaultNamespace)!;
      const partial = analyzePaths([folder], { isRelevant });
      if (partial.unparsedFiles.length > 0) scoped++;
      const answer = (analysis: typeof full) => formatReachJson(answerReach(
        new ReachabilitySolver(analysis.graph), resolveEndpoint(analysis.graph, from), resolveEndpoint(analysis.graph, to), undefined,
      ));
      expect([from, to, answer(partial)]).toEqual([from, to, answer(full)]);
      compared++;
    }
  }
  return { compared, scoped };
}

describe('can-reach from the files its question can depend on', () => {
  it('answers exactly as from every file, for every pair of workloads of the demo and the corpus', () => {
    let compared = 0;
    let scoped = 0;
    for (const folder of SETS) {
      const result = comparePairs(folder, 400);
      compared += result.compared;
      scoped += result.scoped;
    }
    // The demo alone has 100 pairs; the corpus brings the count above a thousand.
    expect(compared).toBeGreaterThan(CORPUS ? 1000 : 90);
    // The comparison means something only if many questions really were answered from fewer files.
    expect(scoped).toBeGreaterThan(compared / 10);
  });
});

describe('relevantFilesFor', () => {
  const isRelevant = relevantFilesFor(['shop', 'payments'], 'default')!;
  const relevant = (text: string | Buffer) => isRelevant(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));

  it('keeps files that name a namespace of the question, an admin policy or Calico', () => {
    expect(relevant('metadata:\n  namespace: shop\n')).toBe(true);
    expect(relevant('kind: Namespace\nmetadata: {name: payments}\n')).toBe(true);
    expect(relevant('kind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n')).toBe(true);
    // Cluster-wide Cilium policies and the CIDR groups their rules name hold no namespace either.
    expect(relevant('kind: CiliumClusterwideNetworkPolicy\nmetadata: {name: lockdown}\n')).toBe(true);
    expect(relevant('kind: CiliumCIDRGroup\nmetadata: {name: external}\n')).toBe(true);
    expect(relevant('apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: default-deny}\n')).toBe(true);
    expect(relevant('apiVersion: crd.projectcalico.org/v1\nkind: Tier\nmetadata: {name: security}\n')).toBe(true);
    // The mesh's root namespace: its default Sidecar configures every namespace's proxies.
    expect(relevant('apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\n')).toBe(true);
    expect(relevant('kind: Deployment\nmetadata: {name: web, namespace: blog}\n')).toBe(false);
  });

  it('keeps files that could spell a name some other way: escapes, line-joined strings, UTF-16, binary', () => {
    expect(relevant('metadata: {namespace: "s\\x68op"}\n')).toBe(true);
    expect(relevant('{"metadata": {"namespace": "\\u0073hop"}}')).toBe(true);
    expect(relevant('metadata:\n  namespace: "sh\\\n    op"\n')).toBe(true);
    expect(relevant(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('k\0i\0n\0d\0', 'latin1')]))).toBe(true);
    expect(relevant(Buffer.from([0x00, 0x01, 0x02]))).toBe(true);
    expect(relevant('data: {pattern: "a\\\\d+"}\n')).toBe(false);
  });

  it('scopes nothing when a namespace is the default one, which objects without a namespace fall into', () => {
    expect(relevantFilesFor(['shop', 'default'], 'default')).toBeUndefined();
    expect(relevantFilesFor([], 'default')).toBeUndefined();
  });

  it('reads the namespace of each form of endpoint', () => {
    expect(endpointNamespace('shop/web', 'default')).toBe('shop');
    expect(endpointNamespace('shop/Deployment/web', 'default')).toBe('shop');
    expect(endpointNamespace('shop/app=web,tier=fe', 'default')).toBe('shop');
    expect(endpointNamespace('svc:shop/cart', 'default')).toBe('shop');
    expect(endpointNamespace('svc:cart', 'prod')).toBe('prod');
    expect(endpointNamespace('web', 'prod')).toBe('prod');
    expect(endpointNamespace('internet', 'default')).toBeUndefined();
    expect(endpointNamespace('ip:10.0.0.1', 'default')).toBeUndefined();
    // Entities live in no namespace: the other end's namespace, cluster-wide policies and Nodes decide.
    expect(endpointNamespace('node:worker-1', 'default')).toBeUndefined();
    expect(endpointNamespace('fqdn:api.example.com', 'default')).toBeUndefined();
  });
});
