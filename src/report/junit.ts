import type { Finding } from '../finding.js';
import { xmlAttribute, xmlText } from './escape/xml.js';
import { describeOmitted, sortFindings, type LintResult, type OmittedFindings } from './summary.js';

/** Formats findings as JUnit XML: one test suite per file, one failing test case per finding. */
export function formatJunit(result: LintResult): string {
  return [...streamJunit(result)].join('');
}

/**
 * The text of {@link formatJunit}, a test case at a time. Findings not listed (too many of one
 * rule in one file) are said in the suite's `system-out`.
 */
export function* streamJunit(result: LintResult): Generator<string> {
  const byFile = new Map<string, Finding[]>();
  for (const finding of sortFindings(result.findings)) {
    const file = finding.location?.file ?? '(no file)';
    const group = byFile.get(file);
    if (group) group.push(finding);
    else byFile.set(file, [finding]);
  }
  const omittedByFile = new Map<string, OmittedFindings[]>();
  for (const omitted of result.omitted ?? []) {
    const file = omitted.file ?? '(no file)';
    omittedByFile.set(file, [...(omittedByFile.get(file) ?? []), omitted]);
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="k8snet" tests="${result.findings.length}" failures="${result.findings.length}">\n`;
  for (const [file, findings] of byFile) {
    yield `  <testsuite name="${xmlAttribute(file)}" tests="${findings.length}" failures="${findings.length}" errors="0">\n`;
    for (const finding of findings) {
      const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : file;
      yield `    <testcase classname="${xmlAttribute(finding.ruleId)}" name="${xmlAttribute(`${where} ${finding.ruleId}`)}">\n`
        + `      <failure type="${finding.severity}" message="${xmlAttribute(finding.message)}">${xmlText(`${where}: ${finding.message}${finding.fix ? `\nFix: ${finding.fix}` : ''}`)}</failure>\n`
        + '    </testcase>\n';
    }
    const omitted = omittedByFile.get(file);
    if (omitted) yield `    <system-out>${xmlText(omitted.map((entry) => describeOmitted(entry)).join('\n'))}</system-out>\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}
