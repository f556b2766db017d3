import { notEvaluatedNotes } from '../../reach/not-evaluated.js';
import { networkPluginOf } from '../../model/network-plugin.js';
import { requestPaths } from '../../reach/request-paths.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput } from '../io.js';
import { loadCommandConfig, loadCommandInput, reportInputFindings } from './shared.js';

/** Options of `k8snet graph`. */
export interface GraphOptions {
  readonly format: 'mermaid' | 'dot';
  readonly output?: string;
  readonly focus?: string;
  readonly collapseAbove: number;
  readonly hostNetworkPods: HostNetworkMode;
  readonly config?: string;
  readonly verbose?: boolean;
}

/** Runs `k8snet graph`: the paths requests take into the cluster and to each workload (Ingresses, Gateways, load balancers, NodePorts, hostPorts), with the policies on each hop. */
export async function runGraph(paths: string[], options: GraphOptions, global: GlobalOptions): Promise<number> {
  const config = loadCommandConfig(options.config);
  const { analysis, inputFindings } = loadCommandInput(paths, global, config);
  reportInputFindings(inputFindings, global, analysis.skipped, options.verbose);
  const hops = requestPaths(new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods, plugin: networkPluginOf(analysis.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR }));
  for (const note of notEvaluatedNotes(analysis.graph, networkPluginOf(analysis.graph, config.cluster.cni))) process.stderr.write(`note: ${note}\n`);
  if (options.focus && !hops.some((hop) => hop.to.type === 'workload' && (hop.to.id === options.focus || `${hop.to.workload.namespace}/${hop.to.workload.name}` === options.focus))) {
    throw new UsageError(`--focus ${options.focus}: no Service, Ingress, Gateway route, load balancer, NodePort or hostPort leads to such a workload`);
  }
  const { formatPathsDot, formatPathsMermaid } = await import('../../report/path-graph.js');
  const graphOptions = { ...(options.focus ? { focus: options.focus } : {}), maxNodesPerNamespace: options.collapseAbove };
  const { sink, close } = openOutput(options.output);
  sink.push(options.format === 'dot' ? formatPathsDot(hops, graphOptions) : formatPathsMermaid(hops, graphOptions));
  await close();
  return hasInputErrors(inputFindings) ? EXIT_USAGE : EXIT_OK;
}
