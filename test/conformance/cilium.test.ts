/**
 * The Cilium conformance cases (cilium-cli connectivity tests): every case is read, its inputs
 * load into the graph with every Cilium policy modelled, every endpoint of every pair is found in
 * the graph, and every pair is answered by the solver under Cilium's layout and compared with the
 * expected verdict (cilium-verdicts.ts). Pairs k8snet cannot express or disagrees on are listed in
 * KNOWN_DISAGREEMENTS with the reason, and each must still disagree, so no entry outlives its gap.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { describeWithShared } from '../shared-folder.js';
import { agrees, answerPair, caseSolver } from './cilium-verdicts.js';
import { CILIUM_CORPUS, CILIUM_TEST_NAMESPACE, ciliumIndexRows, listCiliumCases, loadCiliumCases, podNodesOf, readEndpoint, readPort } from './cilium-cases.js';

const cases = loadCiliumCases();
const present = listCiliumCases().length > 0;
const describeCorpus = present ? describe : describe.skip;

describe('reading endpoints and ports', () => {
  it.each([
    ['cilium-test/client', { kind: 'pod', namespace: 'cilium-test', workload: 'client' }],
    ['cilium-test/host-netns@node-2 (hostNetwork pod = host entity of node-2)', { kind: 'host', namespace: 'cilium-test', workload: 'host-netns', node: 'node-2' }],
    ['cilium-test/service/echo-same-node', { kind: 'service', namespace: 'cilium-test', name: 'echo-same-node' }],
    ['cidr:1.1.1.1/32 (world)', { kind: 'cidr', cidr: '1.1.1.1/32' }],
    ['fqdn:one.one.one.one (world)', { kind: 'fqdn', name: 'one.one.one.one' }],
    ['node:node-1 (InternalIP)', { kind: 'node', node: 'node-1', addressType: 'InternalIP' }],
  ])('%s', (text, endpoint) => {
    expect(readEndpoint(text)).toEqual(endpoint);
  });

  it('reads ports and refuses what it does not know', () => {
    expect(readPort('8080/TCP', undefined)).toEqual({ protocol: 'TCP', port: 8080 });
    expect(readPort('ICMP', 'echo-request')).toEqual({ protocol: 'ICMP', icmp: 'echo-request' });
    expect(() => readPort('53/UDP', undefined)).toThrow(/cannot read the port/);
    expect(() => readEndpoint('somewhere')).toThrow(/cannot read the endpoint/);
  });

  it('reads the stated nodes of the pods', () => {
    expect([...podNodesOf('two nodes; node-1: client, client2; node-2: client3')]).toEqual([
      ['cilium-test/client', 'node-1'], ['cilium-test/client2', 'node-1'], ['cilium-test/client3', 'node-2'],
    ]);
  });
});

describeCorpus(`the Cilium conformance cases (${CILIUM_CORPUS})`, () => {
  it('reads every case and pair the README and index.tsv count: 33 cases, 324 pairs', () => {
    expect(cases).toHaveLength(33);
    const pairs = cases.flatMap((entry) => entry.pairs);
    expect(pairs).toHaveLength(324);
    const byExpectation = Object.fromEntries(['allow', 'deny-l7-http', 'deny-l7-tls', 'drop'].map((value) => [value, pairs.filter((pair) => pair.expect === value).length]));
    expect(byExpectation).toEqual({ allow: 159, 'deny-l7-http': 5, 'deny-l7-tls': 6, drop: 154 });
    expect(cases.filter((entry) => entry.class === 'l7')).toHaveLength(8);
    const rows = ciliumIndexRows();
    expect([...rows.keys()].sort()).toEqual(cases.map((entry) => entry.name));
    for (const entry of cases) {
      expect({ case: entry.name, class: entry.class, pairs: entry.pairs.length, features: [...entry.features].sort() })
        .toEqual({ case: entry.name, class: rows.get(entry.name)!.class, pairs: rows.get(entry.name)!.assertedPairs, features: [...rows.get(entry.name)!.features].sort() });
    }
  });

  for (const entry of cases) {
    it(`${entry.name}: loads with every policy modelled and every endpoint found`, () => {
      const analysis = analyzeTexts(entry.files, { defaultNamespace: CILIUM_TEST_NAMESPACE, podNodes: entry.podNodes });
      expect(analysis.inputFindings.map((finding) => `${finding.location?.file}:${finding.location?.line} ${finding.message}`)).toEqual([]);
      const graph = analysis.graph;
      // Every policy document of the case is in the graph, Cilium's and Kubernetes' alike.
      const documents = entry.files.slice(2).flatMap((file) => [...file.text.matchAll(/^kind:\s*"?(\w+)"?/gm)].map((match) => match[1]));
      expect(graph.cilium.policies).toHaveLength(documents.filter((kind) => kind.startsWith('Cilium') && kind.endsWith('NetworkPolicy')).length);
      expect(graph.policies).toHaveLength(documents.filter((kind) => kind === 'NetworkPolicy').length);
      expect(graph.cilium.cidrGroups).toHaveLength(documents.filter((kind) => kind === 'CiliumCIDRGroup').length);
      for (const pair of entry.pairs) {
        for (const endpoint of [pair.from, pair.to]) {
          switch (endpoint.kind) {
            case 'pod': {
              const workload = graph.workload(`${endpoint.namespace}/${endpoint.workload}[Deployment]`);
              expect({ pair: pair.text, found: workload !== undefined }).toEqual({ pair: pair.text, found: true });
              // The stated node of the case places the pod.
              expect(workload!.pods[0].scheduling?.placement).toEqual({ kind: 'node', node: entry.podNodes.get(`${endpoint.namespace}/${endpoint.workload}`), reason: 'stated' });
              break;
            }
            case 'host': {
              const workload = graph.workload(`${endpoint.namespace}/${endpoint.workload}[DaemonSet]`);
              expect(workload?.pods[0].hostNetwork).toBe(true);
              expect(workload?.pods[0].scheduling?.placement).toEqual({ kind: 'nodes', nodes: ['node-1', 'node-2'], every: true });
              break;
            }
            case 'service':
              expect({ pair: pair.text, found: graph.service(endpoint.namespace, endpoint.name) !== undefined }).toEqual({ pair: pair.text, found: true });
              break;
            case 'node':
              expect({ pair: pair.text, found: graph.nodes.some((node) => node.name === endpoint.node) }).toEqual({ pair: pair.text, found: true });
              break;
            case 'cidr':
            case 'fqdn':
              break;
          }
        }
      }
    });
  }
});

/**
 * Pairs k8snet answers differently from Cilium, by `case | pair`, with the reason: none since host
 * policies (nodeSelector) are evaluated for node endpoints. The table stays, so that a gap found
 * later is listed with its reason rather than hidden.
 */
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {};

describeWithShared('the Cilium conformance verdicts', ['conformance/dialects'], () => {
  const all = loadCiliumCases();
  for (const entry of all) {
    it(`${entry.name}: every pair agrees with Cilium, or is a known disagreement`, () => {
      const solver = caseSolver(entry);
      const rows = entry.pairs.map((pair) => {
        const key = `${entry.name} | ${pair.text}`;
        const answer = answerPair(solver, pair);
        const agreement = agrees(pair.expect, answer);
        return { pair: pair.text, expect: pair.expect, agrees: agreement, known: key in KNOWN_DISAGREEMENTS, restrictions: answer.restrictions };
      });
      // A listed pair must still disagree, and every other pair agree.
      expect(rows.filter((row) => row.agrees === row.known)).toEqual([]);
    });
  }

  it('agrees on every pair but the known disagreements (324 of 324)', () => {
    const agreed: string[] = [];
    const disagreed: string[] = [];
    for (const entry of all) {
      const solver = caseSolver(entry);
      for (const pair of entry.pairs) (agrees(pair.expect, answerPair(solver, pair)) ? agreed : disagreed).push(`${entry.name} | ${pair.text}`);
    }
    expect(agreed.length + disagreed.length).toBe(324);
    expect(disagreed.sort()).toEqual(Object.keys(KNOWN_DISAGREEMENTS).sort());
    expect(agreed).toHaveLength(324);
  });

  it('names the L7 restriction on the pairs Cilium denies at L7, citing the deciding rule', () => {
    const entry = all.find((candidate) => candidate.name === 'echo-ingress-l7')!;
    const solver = caseSolver(entry);
    const denied = entry.pairs.filter((pair) => pair.expect === 'deny-l7-http');
    expect(denied.length).toBeGreaterThan(0);
    for (const pair of denied) {
      const answer = answerPair(solver, pair);
      expect(answer.allowedAtL4).toBe(true);
      expect(answer.restrictions.some((text) => /^L7 HTTP .*\(cilium-test\/echo-ingress-l7-http ingress\[0\]\.toPorts\[0\]\)$/.test(text))).toBe(true);
    }
  });
});
