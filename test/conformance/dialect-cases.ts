/**
 * Pieces for running the policy-dialect conformance corpus (../shared/conformance/dialects; its
 * README says what every file means): finding the corpus, reading a case's files, turning the
 * workloads upstream deploys into the concrete pods its pairs name, and answering a pair the way
 * `can-reach` does. The ClusterNetworkPolicy test uses them; the Cilium (expected.json pairs) and
 * NCA (connectivity maps) tests can use the same loading and answering.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { analyzeTexts, type Analysis } from '../../src/pipeline.js';
import { answerReach, parsePortQuery, type Endpoint, type ReachAnswer } from '../../src/reach/query.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../src/reach/solver.js';

/** The corpus beside the repository, or undefined when it is not there (the tests then skip, as np-guard's do). */
export function dialectsRoot(): string | undefined {
  const root = path.resolve(process.cwd(), '..', 'shared', 'conformance', 'dialects');
  return fs.existsSync(path.join(root, 'README.md')) ? root : undefined;
}

/** The case folders of one dialect (`clusternetworkpolicy`, `cilium`, ...), sorted; none without the corpus. */
export function listCases(dialect: string): string[] {
  const root = dialectsRoot();
  if (!root || !fs.existsSync(path.join(root, dialect))) return [];
  return fs.readdirSync(path.join(root, dialect))
    .filter((name) => !name.startsWith('_') && fs.existsSync(path.join(root, dialect, name, 'expected.json')))
    .sort();
}

/** A file of the corpus as the loader takes it: a path (for file:line in answers) and its text. */
export interface CaseText {
  readonly path: string;
  readonly text: string;
}

/** Reads a file of a case folder. */
export function readCaseText(caseDir: string, relative: string): CaseText {
  const file = path.join(caseDir, relative);
  return { path: file, text: fs.readFileSync(file, 'utf8') };
}

/** Parses a multi-document YAML text into plain objects, skipping empty documents. */
export function parseDocuments(text: string): Record<string, any>[] {
  return (loadAll(text) as unknown[]).filter((document): document is Record<string, any> => document !== null && typeof document === 'object');
}

/** Where the pods of a case's StatefulSets run and which addresses they have, as the harness assumes. */
export interface PodPlacement {
  /** `namespace/pod` → pod IP (a host-network pod's is its node's). */
  readonly podIps: Readonly<Record<string, string>>;
  /** Node name for each host-network pod, and the Nodes to add (name, labels, InternalIP). */
  readonly nodes: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly address?: string }[];
  readonly nodeOfPod: Readonly<Record<string, string>>;
}

/**
 * Replaces each StatefulSet by the concrete Pods it runs (`<name>-0`, `<name>-1`, ... as upstream
 * names them), owned by it so that they stay one workload, with the assumed IPs and nodes; every
 * other document is kept as it is. Returns the YAML text of the result.
 */
export function expandStatefulSets(documents: readonly Record<string, any>[], placement: PodPlacement): string {
  const output: Record<string, any>[] = [];
  for (const document of documents) {
    if (document.kind !== 'StatefulSet') {
      output.push(document);
      continue;
    }
    output.push(document);
    const namespace = document.metadata?.namespace ?? 'default';
    const replicas = typeof document.spec?.replicas === 'number' ? document.spec.replicas : 1;
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const name = `${document.metadata.name}-${ordinal}`;
      const key = `${namespace}/${name}`;
      const template = document.spec?.template ?? {};
      const nodeName = placement.nodeOfPod[key];
      output.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: document.metadata.name, controller: true }],
        },
        spec: { ...(template.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
        ...(placement.podIps[key] ? { status: { podIP: placement.podIps[key] } } : {}),
      });
    }
  }
  for (const node of placement.nodes) {
    output.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, labels: node.labels },
      ...(node.address ? { status: { addresses: [{ type: 'InternalIP', address: node.address }] } } : {}),
    });
  }
  return output.map((document) => dump(document, { lineWidth: -1 })).join('---\n');
}

/** A pod of the analysis, named `namespace/name`, as a `can-reach` endpoint. */
export function podEndpoint(analysis: Analysis, key: string): Endpoint {
  const pod = analysis.graph.pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === key);
  if (!pod) throw new Error(`no pod ${key} in the case's manifests`);
  return { type: 'pods', label: key, pods: [pod] };
}

/** Loads the texts of a case the way the CLI loads files. */
export function analyzeCase(texts: readonly CaseText[]): Analysis {
  return analyzeTexts(texts.map((text) => ({ path: text.path, text: text.text })));
}

/** Answers one pair as `can-reach FROM TO --port PORT` does: allow when every asked connection is allowed, drop when none is. */
export function answerPair(solver: ReachabilitySolver, from: Endpoint, to: Endpoint, port: string): { verdict: 'allow' | 'drop' | 'partly'; answer: ReachAnswer } {
  const answer = answerReach(solver, from, to, parsePortQuery(port));
  return { verdict: answer.reachable === 'all' ? 'allow' : answer.reachable === 'none' ? 'drop' : 'partly', answer };
}

/** Builds the solver of an analysis, in the given hostNetwork mode (node by default, as the CLI). */
export function solverOf(analysis: Analysis, hostNetworkPods: HostNetworkMode = 'node'): ReachabilitySolver {
  return new ReachabilitySolver(analysis.graph, { hostNetworkPods });
}
