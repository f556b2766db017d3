import type { Severity } from '../finding.js';
import { sortFindings, type LintResult } from './summary.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Formats findings as GitHub Actions workflow commands, which annotate the changed lines. */
export function formatGithub(result: LintResult): string {
  const lines = sortFindings(result.findings).map((finding) => {
    const properties: string[] = [];
    if (finding.location) {
      properties.push(`file=${escapeProperty(finding.location.file)}`, `line=${finding.location.line}`, `col=${finding.location.column}`);
      if (finding.location.endLine !== finding.location.line) properties.push(`endLine=${finding.location.endLine}`);
      else properties.push(`endColumn=${finding.location.endColumn}`);
    }
    properties.push(`title=${escapeProperty(`k8snet ${finding.ruleId}`)}`);
    const fix = finding.fix ? `\nFix: ${finding.fix}` : '';
    return `::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(`${finding.message}${fix}`)}`;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
