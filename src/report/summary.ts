import type { Finding, Severity } from '../finding.js';

/** Counts of a run's findings, as every report format shows them. */
export interface FindingSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Findings hidden by `k8snet.io/ignore` annotations, ignored paths, and input checks set to `off` (rules set to `off` do not run). */
  readonly suppressed: number;
  /** Files read. */
  readonly files: number;
  /** Files skipped because they are not Kubernetes manifests (kustomize, Helm, CI configuration...). */
  readonly notManifests?: number;
}

/** What a report formatter receives: the findings of a run and its counts. */
export interface LintResult {
  readonly findings: readonly Finding[];
  readonly summary: FindingSummary;
  /** The files skipped because they are not Kubernetes manifests, and why. */
  readonly notManifests?: readonly { readonly path: string; readonly reason: string }[];
  /** The files read, for formats that list every file checked (JUnit's passing test cases). */
  readonly files?: readonly string[];
  /** Findings counted in the summary but not listed, because their rule repeats too often in one file (see {@link capRepeats}). */
  readonly omitted?: readonly OmittedFindings[];
}

/** Findings of one rule and severity in one file that are counted but not listed. */
export interface OmittedFindings {
  /** The file, or undefined for findings that name none. */
  readonly file: string | undefined;
  readonly ruleId: string;
  readonly severity: Severity;
  /** How many are not listed. */
  readonly count: number;
  /** How many of them are listed (the limit). */
  readonly listed: number;
}

/** How many findings of one rule and severity are listed per file by default (`lint --max-repeats`). */
export const DEFAULT_MAX_REPEATS = 100;

/**
 * Keeps the first `limit` findings (in `findings`' order) of each rule and severity in each file,
 * and counts the rest: findings are "repeats" of one another when they share file, rule and
 * severity, whatever objects they name. A file of 200,000 empty documents then lists 100 of them
 * and says how many more there are, instead of a report of hundreds of thousands of lines. A
 * `limit` of 0 keeps everything.
 */
export function capRepeats(findings: readonly Finding[], limit: number): { listed: Finding[]; omitted: OmittedFindings[] } {
  if (limit <= 0) return { listed: [...findings], omitted: [] };
  const seen = new Map<string, number>();
  const omitted = new Map<string, { file: string | undefined; ruleId: string; severity: Severity; count: number; listed: number }>();
  const listed: Finding[] = [];
  for (const finding of findings) {
    const file = finding.location?.file;
    const key = `${file ?? ''}\u0000${finding.ruleId}\u0000${finding.severity}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count <= limit) {
      listed.push(finding);
      continue;
    }
    const entry = omitted.get(key);
    if (entry) entry.count++;
    else omitted.set(key, { file, ruleId: finding.ruleId, severity: finding.severity, count: 1, listed: limit });
  }
  return { listed, omitted: [...omitted.values()] };
}

/**
 * One sentence on findings not listed: `199,900 more input-not-object errors in this file are not
 * listed: ...`, naming lint's --max-repeats unless `mentionFlag` is false (commands without it).
 */
export function describeOmitted(omitted: OmittedFindings, mentionFlag = true): string {
  const count = omitted.count.toLocaleString('en-US');
  const noun = omitted.severity === 'info' ? (omitted.count === 1 ? 'info' : 'infos') : `${omitted.severity}${omitted.count === 1 ? '' : 's'}`;
  return `${count} more ${omitted.ruleId} ${noun} ${omitted.file === undefined ? 'without a file' : 'in this file'} ${omitted.count === 1 ? 'is' : 'are'} not listed: `
    + `only the first ${omitted.listed} findings of one rule in one file are${mentionFlag ? ' (--max-repeats 0 lists them all)' : ''}.`;
}

/** Counts findings by severity. */
export function summarize(findings: readonly Finding[], files: number, suppressed = 0): FindingSummary {
  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), suppressed, files };
}

/** Orders findings by file, line and column; findings without a file come first. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const fileA = a.location?.file ?? '';
    const fileB = b.location?.file ?? '';
    if (fileA !== fileB) return fileA < fileB ? -1 : 1;
    return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0)
      || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
  });
}
