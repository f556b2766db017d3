import type { Severity } from '../finding.js';
import { workflowCommandData, workflowCommandProperty } from './escape/github.js';
import { describeOmitted, sortFindings, type LintResult } from './summary.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Formats findings as GitHub Actions workflow commands, which annotate the changed lines. */
export function formatGithub(result: LintResult): string {
  return [...streamGithub(result)].join('');
}

/** The text of {@link formatGithub}, a command per finding; findings not listed are counted in one notice per rule and file. */
export function* streamGithub(result: LintResult): Generator<string> {
  for (const finding of sortFindings(result.findings)) {
    const properties: string[] = [];
    if (finding.location) {
      properties.push(`file=${workflowCommandProperty(finding.location.file)}`, `line=${finding.location.line}`, `col=${finding.location.column}`);
      if (finding.location.endLine !== finding.location.line) properties.push(`endLine=${finding.location.endLine}`);
      else properties.push(`endColumn=${finding.location.endColumn}`);
    }
    properties.push(`title=${workflowCommandProperty(`k8snet ${finding.ruleId}`)}`);
    const fix = finding.fix ? `\nFix: ${finding.fix}` : '';
    yield `::${COMMAND[finding.severity]} ${properties.join(',')}::${workflowCommandData(`${finding.message}${fix}`)}\n`;
  }
  for (const omitted of result.omitted ?? []) {
    const file = omitted.file === undefined ? '' : `file=${workflowCommandProperty(omitted.file)},`;
    yield `::notice ${file}title=${workflowCommandProperty(`k8snet ${omitted.ruleId}`)}::${workflowCommandData(describeOmitted(omitted))}\n`;
  }
}
