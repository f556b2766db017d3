import fs from 'node:fs';
import path from 'node:path';
import { analyzePaths, type Analysis, type ModelOptions } from '../../pipeline.js';
import { CONFIG_FILE_NAMES, ConfigError, findConfigFile, globMatcher, loadConfig, type LintConfig } from '../../lint/config.js';
import type { LoadOptions, SkippedFile } from '../../load/index.js';
import { readStandardInput } from '../io.js';
import { UsageError, type GlobalOptions } from '../context.js';
import type { Finding } from '../../finding.js';
import { countOf, formatCount, verbFor } from '../../model/plural.js';
import { ProgressLine, canShowProgress } from '../progress.js';
import { escapeText } from '../../report/escape/text.js';
import { DEFAULT_MAX_REPEATS, capRepeats, describeOmitted } from '../../report/summary.js';

/**
 * Reads the configuration a command runs with: `--config FILE`, or the nearest `.k8snet.yaml`
 * from the current folder up, or the defaults. Every command reads it, so its ignore globs and
 * settings mean the same in `lint`, `matrix` and `diff`. A broken configuration is a usage error.
 */
export function loadCommandConfig(file: string | undefined): LintConfig {
  try {
    return loadConfig(findConfigFile(file, process.cwd()));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** What a command reads: the graph of the manifests and its input problems as configured. */
export interface CommandInput {
  readonly analysis: Analysis;
  /** Loader and graph findings after the configuration: levels applied, findings in ignored files left out. */
  readonly inputFindings: readonly Finding[];
  /** Input findings hidden by the configuration. */
  readonly suppressed: number;
}

/** Options of {@link loadCommandInput}. */
export interface CommandInputOptions {
  /** Decides from a file's bytes whether it can matter (see LoadOptions.isRelevant). */
  readonly isRelevant?: (bytes: Buffer) => boolean;
  /**
   * The paths the user asked about, when more are loaded (lint's --context): a folder among them
   * that holds no manifest is an error. Defaults to `paths`; none for diff, where a side may be empty.
   */
  readonly requireManifestsIn?: readonly string[];
  /** Told how far the reading got (files read and parsed), for a long run on a terminal. */
  readonly progress?: ProgressLine;
}

/** What the configuration tells the graph: operators' kinds of workloads (`workloads:`) and namespaces made elsewhere (`namespaces:`). */
export function modelOptionsOf(config: LintConfig): ModelOptions {
  return { workloadDeclarations: config.workloads, namespaceDeclarations: config.namespaces, istio: config.istio };
}

/**
 * Loads the manifests at `paths` and builds their graph with the configuration applied, the one
 * way every command does: `workloads:` and `namespaces:` shape the graph, rule levels and `ignore:`
 * globs the input findings. Refuses a folder that holds no manifest at all (ESLint's "no files
 * matching the pattern").
 */
export function loadCommandInput(paths: readonly string[], global: GlobalOptions, config: LintConfig, options: CommandInputOptions = {}): CommandInput {
  const analysis = analyzePaths(paths, {
    readStdin: readStandardInput,
    defaultNamespace: global.namespace,
    ...(options.isRelevant ? { isRelevant: options.isRelevant } : {}),
    ...(options.progress ? { onProgress: progressReporter(options.progress) } : {}),
    ...modelOptionsOf(config),
  });
  const isIgnored = globMatcher(config.ignore);
  requireManifests(options.requireManifestsIn ?? paths, analysis, isIgnored);
  for (const note of unreadConfigNotes(options.requireManifestsIn ?? paths, config)) process.stderr.write(`${escapeText(note)}\n`);
  const { shown, suppressed } = configureInputFindings(analysis.inputFindings, config, isIgnored);
  return { analysis, inputFindings: shown, suppressed };
}

/**
 * A note for each k8snet configuration in a folder given that is not the one in use: the
 * configuration is found from the current folder upwards (or given with --config), so one in a
 * folder checked from its parent is otherwise silently not read.
 */
export function unreadConfigNotes(paths: readonly string[], config: Pick<LintConfig, 'file'>): string[] {
  const inUse = config.file === undefined ? undefined : path.resolve(config.file);
  const notes: string[] = [];
  for (const given of new Set(paths)) {
    if (given === '-' || !isFolder(given)) continue;
    const unread = CONFIG_FILE_NAMES.map((name) => path.join(given, name)).find((candidate) => path.resolve(candidate) !== inUse && fs.existsSync(candidate));
    if (unread === undefined) continue;
    const reads = config.file === undefined ? 'no .k8snet.yaml is found from the current folder upwards, so the defaults apply'
      : `k8snet reads ${config.file}, found from the current folder upwards or given with --config`;
    notes.push(`note: ${unread} is not read: ${reads}; run k8snet in ${given} or pass --config ${unread}.`);
  }
  return notes;
}


/**
 * Applies the configuration to the loader's findings: a rule id configured `off` hides them,
 * another level replaces their severity, and findings in files matched by `ignore:` are hidden,
 * whatever their severity (the objects of those files are still read).
 */
export function configureInputFindings(findings: readonly Finding[], config: LintConfig, isIgnored: (file: string) => boolean): { shown: Finding[]; suppressed: number } {
  const shown: Finding[] = [];
  let suppressed = 0;
  for (const finding of findings) {
    const level = config.rules[finding.ruleId]?.level;
    if (level === 'off' || (finding.location && isIgnored(finding.location.file))) {
      suppressed++;
      continue;
    }
    shown.push(level ? { ...finding, severity: level } : finding);
  }
  return { shown, suppressed };
}

/**
 * The rule chosen for paths that hold no manifest, after ESLint's: a folder given on the command
 * line (or `.`, the default) in which no file is a manifest (none at all, only files that are not
 * manifests, or only files the configuration ignores) is a usage error, so a mistyped path or a
 * wrong working folder does not pass as "no problems". A file given by name never is: pre-commit
 * passes the changed files, which may all be CI or Helm files (`k8snet lint --context . a.yaml`),
 * and they are skipped with the summary line.
 */
export function requireManifests(paths: readonly string[], analysis: Analysis, isIgnored: (file: string) => boolean): void {
  for (const given of paths) {
    if (given === '-' || !isFolder(given)) continue;
    const root = path.resolve(given);
    const under = (file: string) => {
      const resolved = path.resolve(file);
      return resolved === root || resolved.startsWith(`${root}${path.sep}`);
    };
    const manifests = analysis.files.filter(under);
    if (manifests.some((file) => !isIgnored(file))) continue;
    const skipped = analysis.skipped.filter((file) => under(file.path)).length;
    const reasons = [
      ...(skipped > 0 ? [`the ${countOf(skipped, 'file')} there ${verbFor(skipped, 'is not a Kubernetes manifest', 'are not Kubernetes manifests')}`] : []),
      ...(manifests.length > 0 ? [`${countOf(manifests.length, 'manifest')} ${verbFor(manifests.length, 'is', 'are')} ignored by the configuration's ignore globs`] : []),
    ];
    const hint = analysis.skipped.some((file) => under(file.path) && file.reason.startsWith('Helm chart template'))
      ? '; for a Helm chart, lint what it renders: helm template CHART | k8snet lint -'
      : '';
    throw new UsageError(`no manifests found in ${given}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}${hint}`);
  }
}

function isFolder(given: string): boolean {
  try {
    return fs.statSync(given).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The one line that says which files were skipped because they are not Kubernetes manifests
 * (kustomize, Helm, CI configuration...), or with `verbose` the list of them and why; empty when
 * there are none.
 */
export function describeSkippedFiles(skipped: readonly SkippedFile[], verbose: boolean): string {
  if (skipped.length === 0) return '';
  const head = `${countOf(skipped.length, 'file')} ${verbFor(skipped.length, 'is not a Kubernetes manifest', 'are not Kubernetes manifests')}: skipped`;
  const note = kustomizeNote(skipped);
  if (!verbose) return `${head}; --verbose lists ${skipped.length === 1 ? 'it' : 'them'}\n${note}`;
  // File names come from the file system: escaped, so none can start a line of its own.
  return `${head}:\n${skipped.map((file) => `  ${escapeText(`${file.path}: ${file.reason}`)}\n`).join('')}${note}`;
}

/**
 * Kustomizations are read as written: the files they name are read as they are, without the
 * namespace, patches and prefixes an overlay applies (a base's objects land in the default
 * namespace). Said once, with the command that reads what a kustomization applies: an overlay's
 * when there is one.
 */
function kustomizeNote(skipped: readonly SkippedFile[]): string {
  const kustomizations = skipped.filter((file) => file.reason === 'kustomize configuration').map((file) => file.path);
  if (kustomizations.length === 0) return '';
  const example = kustomizations.find((file) => /(^|[\\/])overlays[\\/]/.test(file)) ?? kustomizations[0];
  const folder = example.replace(/[\\/][^\\/]*$/, '') || '.';
  return escapeText(`note: kustomize files are read as written, without the namespace and patches a kustomization applies; to check what it applies: kustomize build ${folder} | k8snet lint -`) + '\n';
}

/** Turns the loader's progress reports into the progress line's text. */
function progressReporter(progress: ProgressLine): NonNullable<LoadOptions['onProgress']> {
  return ({ read, parsed, total }) => progress.update(() => `k8snet: ${formatCount(read)} of ${countOf(total, 'file')} read, ${formatCount(parsed)} parsed`);
}

/** A progress line on standard error when it is a terminal outside CI (see canShowProgress), else one that draws nothing. */
export function progressLine(): ProgressLine {
  return new ProgressLine(canShowProgress(process.stderr, process.env) ? (text) => process.stderr.write(text) : undefined);
}

/**
 * Formats one finding on one line, compiler style: `file:line:col: severity: message [rule]`,
 * with control characters escaped (a file name or a value quoted in the message could otherwise
 * end the line, and start a GitHub workflow command on the next one).
 */
export function formatFindingLine(finding: Finding): string {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}: ` : '';
  return escapeText(`${where}${finding.severity}: ${finding.message} [${finding.ruleId}]`);
}

/**
 * Prints the input problems of a non-lint command on standard error (infos only with --debug),
 * so that an answer is never silently based on a partial reading of the manifests, and the line
 * about files that are not manifests.
 */
export function reportInputFindings(findings: readonly Finding[], global: GlobalOptions, skipped: readonly SkippedFile[] = [], verbose = false): void {
  const shown = findings.filter((finding) => finding.severity !== 'info' || global.debug);
  // As in lint's reports: 200,000 broken documents make 100 lines and a count, not 200,000 lines.
  const { listed, omitted } = capRepeats(shown, DEFAULT_MAX_REPEATS);
  for (const finding of listed) process.stderr.write(`${formatFindingLine(finding)}\n`);
  for (const entry of omitted) process.stderr.write(`${escapeText(`${entry.file ?? ''}: ${describeOmitted(entry, false)}`)}\n`);
  process.stderr.write(describeSkippedFiles(skipped, verbose));
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    process.stderr.write(`k8snet: ${countOf(errors, 'input error')}: the objects concerned are left out of this answer.\n`);
  }
}
