import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { describeWithShared } from '../shared-folder.js';
import {
  analyzeCase, answerPair, dialectsRoot, expandStatefulSets, listCases, parseDocuments, podEndpoint, readCaseText, solverOf, type PodPlacement,
} from './dialect-cases.js';

/*
 * The network-policy-api conformance tests for ClusterNetworkPolicy (policy.networking.k8s.io
 * v1alpha2), from ../shared/conformance/dialects/clusternetworkpolicy: for every pair a test
 * probes, in the policy state it was probed in, k8snet's can-reach answer must be the upstream
 * expectation (allow: the connection succeeds; drop: it times out).
 *
 * Per pair the inputs are, as the corpus README says: the rendered base manifests, the state's
 * policies (and its namespaces.yaml in place of the base's Namespaces of the same names), pod IPs
 * from pod-ips.assumed.json where the case has one. The harness also assumes what the upstream
 * kind cluster has and the manifests do not say: each StatefulSet's pods are `<name>-<ordinal>`;
 * the host-network `centaur` pods run on two Linux Nodes (kubernetes.io/os=linux), whose
 * InternalIPs are their pod IPs.
 */

const DIALECT = 'clusternetworkpolicy';
const cases = listCases(DIALECT);

/**
 * Pairs where k8snet and upstream disagree, with the reason; the test asserts that each still
 * disagrees, so an entry cannot outlive the gap it documents.
 */
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {};

interface CasePair {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly expect: 'allow' | 'drop';
  readonly state: string;
  readonly subtest: string;
}

/** The Nodes the upstream kind cluster runs the host-network pods on. */
function placementOf(caseDir: string, baseDocuments: readonly Record<string, any>[]): PodPlacement {
  const ipsFile = path.join(caseDir, 'pod-ips.assumed.json');
  const podIps: Record<string, string> = fs.existsSync(ipsFile) ? JSON.parse(fs.readFileSync(ipsFile, 'utf8')).pod_ips : {};
  const nodes: { name: string; labels: Record<string, string>; address?: string }[] = [];
  const nodeOfPod: Record<string, string> = {};
  for (const document of baseDocuments) {
    if (document.kind !== 'StatefulSet' || document.spec?.template?.spec?.hostNetwork !== true) continue;
    const namespace = document.metadata.namespace;
    for (let ordinal = 0; ordinal < (document.spec.replicas ?? 1); ordinal++) {
      const key = `${namespace}/${document.metadata.name}-${ordinal}`;
      const name = `kind-worker-${ordinal}`;
      nodeOfPod[key] = name;
      if (!nodes.some((node) => node.name === name)) {
        nodes.push({ name, labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name }, ...(podIps[key] ? { address: podIps[key] } : {}) });
      }
    }
  }
  return { podIps, nodes, nodeOfPod };
}

/** The texts of one state: base manifests (Namespaces replaced where the state relabels them) and the state's policies. */
function stateTexts(caseDir: string, state: string) {
  const base = readCaseText(caseDir, 'manifests-rendered/conformance/base/manifests.yaml');
  let documents = parseDocuments(base.text);
  const namespacesFile = path.join(caseDir, state, 'namespaces.yaml');
  if (fs.existsSync(namespacesFile)) {
    const replaced = parseDocuments(fs.readFileSync(namespacesFile, 'utf8'));
    const names = new Set(replaced.map((document) => document.metadata.name));
    documents = [...documents.filter((document) => !(document.kind === 'Namespace' && names.has(document.metadata.name))), ...replaced];
  }
  const workloads = { path: base.path, text: expandStatefulSets(documents, placementOf(caseDir, documents)) };
  return [workloads, readCaseText(caseDir, `${state}/policies.yaml`)];
}

// Skipped without ../shared (failing under CI), as np-guard's corpus is.
describeWithShared('ClusterNetworkPolicy conformance (network-policy-api)', ['conformance/dialects/clusternetworkpolicy'], () => {
  it('holds all 12 cases', () => {
    expect(cases.length).toBe(12);
  });

  describe.each(cases)('%s', (caseName) => {
    const caseDir = path.join(dialectsRoot()!, DIALECT, caseName);
    const expected = JSON.parse(fs.readFileSync(path.join(caseDir, 'expected.json'), 'utf8')) as { pairs: CasePair[] };
    const states = [...new Set(expected.pairs.map((pair) => pair.state))];

    it.each(states)('agrees on every pair probed in %s', (state) => {
      const analysis = analyzeCase(stateTexts(caseDir, state));
      // The corpus is valid input: any finding means the harness or the loader is wrong.
      expect(analysis.inputFindings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
      const solver = solverOf(analysis);
      const answers = expected.pairs.filter((pair) => pair.state === state).map((pair) => {
        const { verdict } = answerPair(solver, podEndpoint(analysis, pair.from), podEndpoint(analysis, pair.to), pair.port);
        return { pair: `${pair.from} -> ${pair.to} ${pair.port} (${pair.subtest})`, expected: pair.expect, actual: verdict };
      });
      const wrong = answers.filter((answer) => answer.actual !== answer.expected);
      const known = KNOWN_DISAGREEMENTS[`${caseName}/${state}`];
      if (known === undefined) expect(wrong).toEqual([]);
      else expect(wrong.length).toBeGreaterThan(0);
    });
  });
});
