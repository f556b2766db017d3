import { QueryError, answerReach, parsePortQuery, resolveEndpoint } from '../../reach/query.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { loadAnalysis, reportInputFindings } from './shared.js';

/** Options of `k8snet can-reach`. */
export interface CanReachOptions {
  readonly port?: string;
  readonly format: 'text' | 'json';
  readonly hostNetworkPods: HostNetworkMode;
}

/** Runs `k8snet can-reach`: exit 0 when reachable (for every pod asked about), 1 when not, 2 on errors. */
export async function runCanReach(source: string, destination: string, paths: string[], options: CanReachOptions, global: GlobalOptions): Promise<number> {
  const analysis = loadAnalysis(paths, global);
  reportInputFindings(analysis.inputFindings, global);
  const solver = new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods });
  let answer;
  try {
    const port = options.port ? parsePortQuery(options.port) : undefined;
    answer = answerReach(solver, resolveEndpoint(analysis.graph, source), resolveEndpoint(analysis.graph, destination), port);
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(error.message);
    throw error;
  }
  const { formatReachJson, formatReachText } = await import('../../report/reach-text.js');
  process.stdout.write(options.format === 'json' ? formatReachJson(answer) : formatReachText(answer, global.color));
  if (hasInputErrors(analysis.inputFindings)) return EXIT_USAGE;
  return answer.reachable === 'none' ? EXIT_FINDINGS : EXIT_OK;
}
