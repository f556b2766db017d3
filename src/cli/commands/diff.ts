import { GitError, readManifestsAtRevision } from '../../load/git.js';
import { analyzePaths, analyzeTexts, type Analysis } from '../../pipeline.js';
import { changesTripping, diffConnectivity, type DiffGate } from '../../reach/diff.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { notEvaluatedDiffNotes } from '../../reach/not-evaluated.js';
import { networkPluginOf } from '../../model/network-plugin.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput, readStandardInput } from '../io.js';
import { configureInputFindings, loadCommandConfig, modelOptionsOf, reportInputFindings, unreadConfigNotes } from './shared.js';
import { escapeText } from '../../report/escape/text.js';
import { globMatcher } from '../../lint/config.js';

/** Options of `k8snet diff`. */
export interface DiffOptions {
  readonly format: 'txt' | 'json' | 'md' | 'csv' | 'dot' | 'mermaid';
  readonly output?: string;
  readonly failOn: DiffGate[];
  readonly hostNetworkPods: HostNetworkMode;
  readonly git?: string;
  readonly config?: string;
  readonly verbose?: boolean;
}

/**
 * Runs `k8snet diff OLD NEW` (or `--git REV1..REV2 PATH`): the connections the change opens,
 * closes or alters; exit 1 when a --fail-on gate trips.
 */
export async function runDiff(given: string | undefined, second: string | undefined, options: DiffOptions, global: GlobalOptions): Promise<number> {
  if (given === undefined && !options.git) throw new UsageError('give OLD and NEW, or --git REV1..REV2 [PATH]');
  // With --git, the folder compared is the current one unless a PATH is given.
  const first = given ?? '.';
  // The same configuration as every command, for both sides: its view of operators and namespaces
  // (`workloads:`, `namespaces:`) shapes both graphs, its ignore globs and levels the input findings.
  // (A side without manifests is no error here: it is what a change that adds or removes a folder compares.)
  const config = loadCommandConfig(options.config);
  const model = modelOptionsOf(config);
  let before: Analysis;
  let after: Analysis;
  if (options.git) {
    const [from, to] = options.git.split('..');
    if (!from || to === undefined) throw new UsageError(`--git ${options.git}: expected REV1..REV2 (or REV.. for the working tree), e.g. origin/main..HEAD`);
    if (second !== undefined) throw new UsageError('with --git, give one PATH (the manifests folder or file)');
    const atRevision = (revision: string) => {
      try {
        return analyzeTexts(readManifestsAtRevision(revision, first, process.cwd()), { defaultNamespace: global.namespace, ...model });
      } catch (error) {
        if (error instanceof GitError) throw new UsageError(`--git ${revision}: ${error.message}`);
        throw error;
      }
    };
    before = atRevision(from);
    // `REV..` compares with the files as they are now (what pre-commit stages).
    after = to === '' ? analyzePaths([first], { defaultNamespace: global.namespace, ...model }) : atRevision(to);
  } else {
    if (second === undefined) throw new UsageError('give OLD and NEW, or --git REV1..REV2 PATH');
    if (first === '-' && second === '-') throw new UsageError('only one of OLD and NEW can be standard input');
    const analyze = (target: string) => analyzePaths([target], { readStdin: readStandardInput, defaultNamespace: global.namespace, ...model });
    before = analyze(first);
    after = analyze(second);
  }
  const isIgnored = globMatcher(config.ignore);
  if (!options.git) for (const note of unreadConfigNotes([first, second!], config)) process.stderr.write(`${escapeText(note)}\n`);
  const inputFindings = configureInputFindings([...before.inputFindings, ...after.inputFindings], config, isIgnored).shown;
  // A file both revisions hold is one file (`REV:path` on each side): listed once, by its path.
  const revisions = options.git ? options.git.split('..').filter((revision) => revision !== '') : [];
  const unprefixed = (file: { path: string }) => {
    const revision = revisions.find((candidate) => file.path.startsWith(`${candidate}:`));
    return revision === undefined ? file.path : file.path.slice(revision.length + 1);
  };
  const skipped = [...new Map([...before.skipped, ...after.skipped].map((file) => [unprefixed(file), { ...file, path: unprefixed(file) }])).values()];
  reportInputFindings(inputFindings, global, skipped, options.verbose);
  const solverOptions = { hostNetworkPods: options.hostNetworkPods };
  const diff = diffConnectivity(
    new ReachabilitySolver(before.graph, { ...solverOptions, plugin: networkPluginOf(before.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR }),
    new ReachabilitySolver(after.graph, { ...solverOptions, plugin: networkPluginOf(after.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR }),
    { clusterDns: config.cluster.dns },
  );
  for (const note of notEvaluatedDiffNotes(before.graph, after.graph, networkPluginOf(after.graph, config.cluster.cni))) process.stderr.write(`note: ${note}\n`);
  const formats = await import('../../report/diff-formats.js');
  const text = options.format === 'json' ? formats.formatDiffJson(diff)
    : options.format === 'md' ? formats.formatDiffMarkdown(diff)
      : options.format === 'csv' ? formats.formatDiffCsv(diff)
        : options.format === 'dot' ? formats.formatDiffDot(diff)
          : options.format === 'mermaid' ? formats.formatDiffMermaid(diff) : formats.formatDiffText(diff);
  const { sink, close } = openOutput(options.output);
  sink.push(text);
  await close();
  if (hasInputErrors(inputFindings)) return EXIT_USAGE;
  const tripped = options.failOn.filter((gate) => changesTripping(diff, gate).length > 0);
  if (tripped.length > 0) {
    process.stderr.write(`k8snet: the change trips --fail-on ${tripped.join(', ')}\n`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}
