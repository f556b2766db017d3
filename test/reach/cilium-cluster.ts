/** Set-up shared by the Cilium reachability tests: the agent's ConfigMap and a solver under Cilium. */
import { expect } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';

/** A `cilium-config` ConfigMap with `data`, or no text when there is none. */
export function ciliumConfig(data: Record<string, string> | undefined): string {
  return data === undefined ? '' : `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: ${JSON.stringify(data)}
`;
}

/** Loads `texts` (they must load without errors) and builds the solver of a cluster whose plugin is Cilium. */
export function solveUnderCilium(texts: Record<string, string>) {
  const analysis = analyzeTexts(Object.entries(texts).map(([path, text]) => ({ path, text })), {});
  expect(analysis.inputFindings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
  const graph = analysis.graph;
  const plugin = networkPluginOf(graph, 'cilium');
  const solver = new ReachabilitySolver(graph, { plugin });
  const pod = (name: string) => graph.pods.find((candidate) => candidate.name === name)!;
  return { graph, plugin, solver, pod };
}
