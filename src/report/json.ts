import { sortFindings, type LintResult } from './summary.js';

/**
 * Formats findings as k8snet's stable JSON document (schema in README.md): one flat record
 * per finding with 1-based positions, then the summary counts.
 */
export function formatJson(result: LintResult): string {
  const findings = sortFindings(result.findings).map((finding) => ({
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    file: finding.location?.file ?? null,
    line: finding.location?.line ?? null,
    column: finding.location?.column ?? null,
    endLine: finding.location?.endLine ?? null,
    endColumn: finding.location?.endColumn ?? null,
    path: finding.path ?? null,
    kind: finding.object?.kind ?? null,
    namespace: finding.object?.namespace ?? null,
    name: finding.object?.name ?? null,
    why: finding.why ?? null,
    fix: finding.fix ?? null,
    hint: finding.hint ?? null,
    related: finding.related ?? [],
  }));
  const notManifests = (result.notManifests ?? []).map((file) => ({ file: file.path, reason: file.reason }));
  return `${JSON.stringify({ findings, summary: { ...result.summary, notManifests: notManifests.length }, notManifests }, null, 2)}\n`;
}
