import type { Finding } from '../finding.js';
import { sortFindings, type LintResult } from './summary.js';

function escapeXml(text: string): string {
  // XML 1.0 allows no control characters but tab, newline and carriage return, even escaped.
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Formats findings as JUnit XML: one test suite per file, one failing test case per finding. */
export function formatJunit(result: LintResult): string {
  const byFile = new Map<string, Finding[]>();
  for (const finding of sortFindings(result.findings)) {
    const file = finding.location?.file ?? '(no file)';
    byFile.set(file, [...(byFile.get(file) ?? []), finding]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="k8snet" tests="${result.findings.length}" failures="${result.findings.length}">`];
  for (const [file, findings] of byFile) {
    lines.push(`  <testsuite name="${escapeXml(file)}" tests="${findings.length}" failures="${findings.length}" errors="0">`);
    for (const finding of findings) {
      const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : file;
      lines.push(`    <testcase classname="${escapeXml(finding.ruleId)}" name="${escapeXml(`${where} ${finding.ruleId}`)}">`);
      lines.push(`      <failure type="${finding.severity}" message="${escapeXml(finding.message)}">${escapeXml(`${where}: ${finding.message}${finding.fix ? `\nFix: ${finding.fix}` : ''}`)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
