import { matrixEdges, matrixRows, type MatrixEdge } from '../../reach/matrix.js';
import { notEvaluatedNotes } from '../../reach/not-evaluated.js';
import { networkPluginOf } from '../../model/network-plugin.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput } from '../io.js';
import { loadCommandConfig, loadCommandInput, reportInputFindings } from './shared.js';
import { countOf, verbFor } from '../../model/plural.js';

/** Options of `k8snet matrix`. */
export interface MatrixCommandOptions {
  readonly format: 'txt' | 'json' | 'csv' | 'md' | 'dot' | 'mermaid';
  readonly output?: string;
  readonly focusWorkload?: string;
  readonly ingressController: boolean;
  readonly hostNetworkPods: HostNetworkMode;
  readonly config?: string;
  readonly verbose?: boolean;
}

async function formatterFor(format: Exclude<MatrixCommandOptions['format'], 'txt'>): Promise<(edges: Iterable<MatrixEdge>) => Generator<string>> {
  switch (format) {
    case 'json': return (await import('../../report/matrix-json.js')).formatMatrixJson;
    case 'csv': return (await import('../../report/matrix-csv.js')).formatMatrixCsv;
    case 'md': return (await import('../../report/matrix-md.js')).formatMatrixMarkdown;
    case 'dot': return (await import('../../report/matrix-graph.js')).formatMatrixDot;
    case 'mermaid': return (await import('../../report/matrix-graph.js')).formatMatrixMermaid;
  }
}

/** Runs `k8snet matrix`: streams every allowed connection in the chosen format. */
export async function runMatrix(paths: string[], options: MatrixCommandOptions, global: GlobalOptions): Promise<number> {
  const config = loadCommandConfig(options.config);
  const { analysis, inputFindings } = loadCommandInput(paths, global, config);
  reportInputFindings(inputFindings, global, analysis.skipped, options.verbose);
  if (options.focusWorkload && !analysis.graph.workloads.some((workload) =>
    workload.id === options.focusWorkload || `${workload.namespace}/${workload.name}` === options.focusWorkload)) {
    throw new UsageError(`--focus-workload ${options.focusWorkload}: no such workload in the manifests`);
  }
  const solver = new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods, plugin: networkPluginOf(analysis.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR });
  noteHostNetworkPods(solver);
  for (const note of notEvaluatedNotes(analysis.graph, networkPluginOf(analysis.graph, config.cluster.cni))) process.stderr.write(`note: ${note}\n`);
  for (const note of solver.layout.notes ?? []) process.stderr.write(`note: ${note}\n`);
  const matrixOptions = { focusWorkload: options.focusWorkload, ingressController: options.ingressController };
  const { sink, ready, close, abandon, takeBuffer } = openOutput(options.output);
  try {
    // Each time the sink writes, the disk gets a chance to catch up (a file is written meanwhile).
    if (options.format === 'txt') {
      // The default format, and the one huge matrices are written in: a row at a time.
      const { formatMatrixTxtBytes } = await import('../../report/matrix-txt.js');
      for (const chunk of formatMatrixTxtBytes(matrixRows(solver, matrixOptions), { takeBuffer })) if (sink.push(chunk)) await ready();
    } else {
      const format = await formatterFor(options.format);
      for (const chunk of format(matrixEdges(solver, matrixOptions))) if (sink.push(chunk)) await ready();
    }
  } catch (error) {
    abandon();
    throw error;
  }
  await close();
  return hasInputErrors(inputFindings) ? EXIT_USAGE : EXIT_OK;
}

/** Says on standard error when hostNetwork pods make the matrix depend on the network plugin. */
function noteHostNetworkPods(solver: ReachabilitySolver): void {
  const workloads = new Set(solver.classes.filter((podClass) => podClass.hostNetwork).flatMap((podClass) => podClass.pods.map((pod) => pod.workloadId)));
  if (workloads.size === 0 || !solver.graph.policies.length) return;
  const assumption = solver.hostNetworkMode === 'node'
    ? 'assumed node traffic, outside NetworkPolicy (most plugins); use --host-network-pods pod for plugins that apply policies to them'
    : 'assumed subject to policies like other pods; most plugins instead treat their traffic as node traffic (--host-network-pods node)';
  process.stderr.write(`note: ${countOf(workloads.size, 'workload')} ${verbFor(workloads.size, 'uses', 'use')} hostNetwork; their connections depend on the network plugin: ${assumption}.\n`);
}
