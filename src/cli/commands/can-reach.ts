import { QueryError, answerReach, parsePortQuery, resolveEndpoint, type ConnectionQuery, type ReachAnswer } from '../../reach/query.js';
import { endpointNamespace, isScopable, relevantFilesFor } from '../../reach/query-scope.js';
import type { Analysis } from '../../pipeline.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { loadCommandConfig, loadCommandInput, reportInputFindings, type CommandInput } from './shared.js';
import { escapeText } from '../../report/escape/text.js';
import type { LintConfig } from '../../lint/config.js';
import { networkPluginOf } from '../../model/network-plugin.js';

/** Options of `k8snet can-reach`. */
export interface CanReachOptions {
  readonly port?: string;
  readonly format: 'text' | 'json';
  readonly hostNetworkPods: HostNetworkMode;
  /** Parse every file, not only those the question can depend on (and report all their problems). */
  readonly allFiles?: boolean;
  readonly config?: string;
  readonly verbose?: boolean;
}

/** Runs `k8snet can-reach`: exit 0 when reachable (for every pod asked about), 1 when not, 2 on errors. */
export async function runCanReach(source: string, destination: string, paths: string[], options: CanReachOptions, global: GlobalOptions): Promise<number> {
  const port = parsePort(options.port);
  const namespaces = [source, destination].map((text) => endpointNamespace(text, global.namespace)).filter((name): name is string => name !== undefined);
  const isRelevant = options.allFiles || !isScopable([source, destination]) ? undefined : relevantFilesFor(namespaces, global.namespace);
  const config = loadCommandConfig(options.config);
  let input: CommandInput = loadCommandInput(paths, global, config, isRelevant ? { isRelevant } : {});
  let analysis = input.analysis;
  let answer = tryAnswer(analysis, source, destination, port, options, config);
  if (!answer && analysis.unparsedFiles.length > 0) {
    // An endpoint the scoped load cannot resolve: a typo deserves suggestions from every file.
    input = loadCommandInput(paths, global, config);
    analysis = input.analysis;
    answer = tryAnswer(analysis, source, destination, port, options, config);
  }
  reportInputFindings(input.inputFindings, global, analysis.skipped, options.verbose);
  answer ??= answerOrThrow(analysis, source, destination, port, options, config);
  if (analysis.unparsedFiles.length > 0 && global.debug) {
    const { neitherNor } = await import('../../report/reach-text.js');
    process.stderr.write(`${escapeText(`k8snet: not parsed (they mention ${neitherNor(namespaces)}):`)}\n${analysis.unparsedFiles.map((file) => `  ${escapeText(file)}\n`).join('')}`);
  }
  const scope = { filesRead: analysis.files.length, filesParsed: analysis.files.length - analysis.unparsedFiles.length, namespaces };
  const { formatReachJson, formatReachText } = await import('../../report/reach-text.js');
  if (options.format === 'json') process.stdout.write(formatReachJson(answer, scope));
  else process.stdout.write(formatReachText(answer, await (await import('../../report/paint.js')).loadPaint(global.color), scope));
  if (hasInputErrors(input.inputFindings)) return EXIT_USAGE;
  return answer.reachable === 'none' ? EXIT_FINDINGS : EXIT_OK;
}

function parsePort(text: string | undefined): ConnectionQuery | undefined {
  try {
    // `--port ''` is a mistake to report, not a request for every port.
    return text === undefined ? undefined : parsePortQuery(text);
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(error.message);
    throw error;
  }
}

/** Answers, or returns undefined when an endpoint cannot be resolved. */
function tryAnswer(analysis: Analysis, source: string, destination: string, port: ConnectionQuery | undefined, options: CanReachOptions, config: LintConfig): ReachAnswer | undefined {
  try {
    return answerOrThrow(analysis, source, destination, port, options, config);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

function answerOrThrow(analysis: Analysis, source: string, destination: string, port: ConnectionQuery | undefined, options: CanReachOptions, config: LintConfig): ReachAnswer {
  const plugin = networkPluginOf(analysis.graph, config.cluster.cni);
  const solver = new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods, plugin, podCIDRs: config.cluster.podCIDR });
  const dns = config.cluster.dns;
  try {
    // `dns` is where the configuration says cluster DNS runs (cluster.dnsSelector), as egress-blocks-dns reads it.
    const endpointOptions = { solver, dns, apiServer: config.cluster.apiServer, serviceCIDR: config.cluster.serviceCIDR };
    return answerReach(solver, resolveEndpoint(analysis.graph, source, endpointOptions), resolveEndpoint(analysis.graph, destination, endpointOptions), port,
      plugin);
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(error.message);
    throw error;
  }
}
