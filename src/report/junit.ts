import type { Finding } from '../finding.js';
import { sortFindings, type LintResult } from './summary.js';

function escapeXml(text: string): string {
  // XML 1.0 allows no control characters but tab, newline and carriage return, even escaped.
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The test case of a file without findings, and of a run without files: Jenkins' junit step rejects a report with no test case. */
const PASSING_CASE = 'k8snet';

/**
 * Formats findings as JUnit XML, as ESLint's junit formatter does: one test suite per file read,
 * one test case per finding, failing for errors and warnings; an info is a passing case that says
 * what it found in `system-out`. A file without findings holds one passing case, so a clean run
 * is a report of passed tests (Jenkins' junit step and GitLab show it; an empty one fails Jenkins).
 */
export function formatJunit(result: LintResult): string {
  const byFile = new Map<string, Finding[]>();
  for (const file of [...(result.files ?? [])].sort()) byFile.set(file, []);
  for (const finding of sortFindings(result.findings)) {
    const file = finding.location?.file ?? '(no file)';
    byFile.set(file, [...(byFile.get(file) ?? []), finding]);
  }
  if (byFile.size === 0) byFile.set(PASSING_CASE, []);
  const sorted = [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const isFailure = (finding: Finding) => finding.severity !== 'info';
  const tests = sorted.reduce((sum, [, findings]) => sum + Math.max(findings.length, 1), 0);
  const failures = result.findings.filter(isFailure).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="k8snet" tests="${tests}" failures="${failures}">`];
  for (const [file, findings] of sorted) {
    lines.push(`  <testsuite name="${escapeXml(file)}" tests="${Math.max(findings.length, 1)}" failures="${findings.filter(isFailure).length}" errors="0">`);
    if (findings.length === 0) lines.push(`    <testcase classname="${PASSING_CASE}" name="${escapeXml(file)}"/>`);
    for (const finding of findings) {
      const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : file;
      const text = escapeXml(`${where}: ${finding.message}${finding.fix ? `\nFix: ${finding.fix}` : ''}`);
      lines.push(`    <testcase classname="${escapeXml(finding.ruleId)}" name="${escapeXml(`${where} ${finding.ruleId}`)}">`);
      lines.push(isFailure(finding)
        ? `      <failure type="${finding.severity}" message="${escapeXml(finding.message)}">${text}</failure>`
        : `      <system-out>${text}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
