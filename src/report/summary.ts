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
