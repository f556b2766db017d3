import type { Finding } from '../finding.js';
import { sortFindings, type LintResult } from './summary.js';

function record(finding: Finding): Record<string, unknown> {
  return {
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
  };
}

/**
 * Formats findings as k8snet's stable JSON document (schema in README.md): one flat record
 * per finding with 1-based positions, then the summary counts, the findings counted but not
 * listed (`omitted`, only when there are some) and the files skipped as not manifests.
 */
export function formatJson(result: LintResult): string {
  return [...streamJson(result)].join('');
}

/** Returns `value` as JSON indented by 2 spaces, each line after the first shifted right by `indent` spaces. */
export function indentedJson(value: unknown, indent: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${' '.repeat(indent)}`);
}

/**
 * The text of {@link formatJson}, a finding at a time, byte for byte what `JSON.stringify(document,
 * null, 2)` gives: a million findings would be a string longer than V8 allows. Findings not
 * listed (too many of one rule in one file) are counted under `omitted`, present only then.
 */
export function* streamJson(result: LintResult): Generator<string> {
  const findings = sortFindings(result.findings);
  if (findings.length === 0) {
    yield '{\n  "findings": [],\n';
  } else {
    yield '{\n  "findings": [\n';
    for (let index = 0; index < findings.length; index++) {
      yield `    ${indentedJson(record(findings[index]), 4)}${index === findings.length - 1 ? '\n' : ',\n'}`;
    }
    yield '  ],\n';
  }
  const omitted = result.omitted ?? [];
  const notManifests = (result.notManifests ?? []).map((file) => ({ file: file.path, reason: file.reason }));
  yield `  "summary": ${indentedJson({ ...result.summary, notManifests: notManifests.length }, 2)},\n`;
  if (omitted.length > 0) yield `  "omitted": ${indentedJson(omitted.map(({ file, ruleId, severity, count }) => ({ file: file ?? null, ruleId, severity, count })), 2)},\n`;
  yield `  "notManifests": ${indentedJson(notManifests, 2)}\n}\n`;
}
