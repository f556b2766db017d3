import type { Finding, Severity } from '../finding.js';
import { xmlAttribute, xmlText } from './escape/xml.js';
import { describeOmitted, sortFindings, type LintResult, type OmittedFindings } from './summary.js';

/** The test case of a file without findings, and of a run without files: Jenkins' junit step rejects a report with no test case. */
const PASSING_CASE = 'k8snet';

/**
 * Formats findings as JUnit XML, as ESLint's junit formatter does: one test suite per file read,
 * one test case per finding, failing for errors and warnings; an info is a passing case that says
 * what it found in `system-out`, unless the run fails on infos (`--fail-on info`). A file without findings holds one passing case, so a clean run
 * is a report of passed tests (Jenkins' junit step and GitLab show it; an empty one fails Jenkins).
 */
export function formatJunit(result: LintResult, options: JunitOptions = {}): string {
  return [...streamJunit(result, options)].join('');
}

/** Options of {@link streamJunit}. */
export interface JunitOptions {
  /**
   * The run's failing severity (`--fail-on`): with `info`, infos fail too. Warnings always fail, as
   * in ESLint's formatter (CI systems show them), whatever the exit code.
   */
  readonly failOn?: Severity;
}

/**
 * The text of {@link formatJunit}, a test case at a time. Findings not listed (too many of one
 * rule in one file) are said in the suite's `system-out`.
 */
export function* streamJunit(result: LintResult, options: JunitOptions = {}): Generator<string> {
  const byFile = new Map<string, Finding[]>();
  for (const file of [...(result.files ?? [])].sort()) byFile.set(file, []);
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
  if (byFile.size === 0) byFile.set(PASSING_CASE, []);
  const sorted = [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const isFailure = (finding: Finding) => finding.severity !== 'info' || options.failOn === 'info';
  const tests = sorted.reduce((sum, [, findings]) => sum + Math.max(findings.length, 1), 0);
  const failures = result.findings.filter(isFailure).length;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="k8snet" tests="${tests}" failures="${failures}">\n`;
  for (const [file, findings] of sorted) {
    yield `  <testsuite name="${xmlAttribute(file)}" tests="${Math.max(findings.length, 1)}" failures="${findings.filter(isFailure).length}" errors="0">\n`;
    if (findings.length === 0) yield `    <testcase classname="${PASSING_CASE}" name="${xmlAttribute(file)}"/>\n`;
    for (const finding of findings) {
      const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}` : file;
      const text = xmlText(`${where}: ${finding.message}${finding.fix ? `\nFix: ${finding.fix}` : ''}`);
      yield `    <testcase classname="${xmlAttribute(finding.ruleId)}" name="${xmlAttribute(`${where} ${finding.ruleId}`)}">\n`
        + (isFailure(finding)
          ? `      <failure type="${finding.severity}" message="${xmlAttribute(finding.message)}">${text}</failure>\n`
          : `      <system-out>${text}</system-out>\n`)
        + '    </testcase>\n';
    }
    const omitted = omittedByFile.get(file);
    if (omitted) yield `    <system-out>${xmlText(omitted.map((entry) => describeOmitted(entry)).join('\n'))}</system-out>\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}
