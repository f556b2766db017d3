import type { Finding, Severity } from '../finding.js';
import { sortFindings, type LintResult } from './summary.js';
import type { Paint } from './paint.js';
import { countOf } from '../model/plural.js';

/** Options of the stylish formatter. */
export interface StylishOptions {
  /** Colours: chalk, or PLAIN (see loadPaint). */
  readonly paint: Paint;
  /** Print each finding's why and fix under it. */
  readonly verbose?: boolean;
}

/**
 * Formats findings as ESLint's stylish formatter does: grouped by file, one row per finding
 * (`line:col  severity  message  rule-id`), and a summary line.
 */
export function formatStylish(result: LintResult, options: StylishOptions): string {
  const chalk = options.paint;
  const paint: Record<Severity, (text: string) => string> = { error: chalk.red, warning: chalk.yellow, info: chalk.blue };
  const byFile = new Map<string, Finding[]>();
  for (const finding of sortFindings(result.findings)) {
    const file = finding.location?.file ?? '(no file)';
    const group = byFile.get(file);
    if (group) group.push(finding);
    else byFile.set(file, [finding]);
  }
  const lines: string[] = [];
  for (const [file, findings] of byFile) {
    lines.push(chalk.underline(file));
    const positions = findings.map((finding) => (finding.location ? `${finding.location.line}:${finding.location.column}` : ''));
    const width = Math.max(...positions.map((position) => position.length));
    findings.forEach((finding, index) => {
      const severity = paint[finding.severity](finding.severity.padEnd(7));
      lines.push(`  ${chalk.dim(positions[index].padEnd(width))}  ${severity}  ${finding.message}  ${chalk.dim(finding.ruleId)}`);
      if (finding.hint) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`hint: ${finding.hint}`)}`);
      for (const related of finding.related ?? []) {
        lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`${related.message}: ${related.file}:${related.line}:${related.column}`)}`);
      }
      if (options.verbose) {
        if (finding.why) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`why: ${finding.why}`)}`);
        if (finding.fix) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`fix: ${finding.fix}`)}`);
      }
    });
    lines.push('');
  }
  const { errors, warnings, infos, suppressed } = result.summary;
  const total = errors + warnings + infos;
  const suppressedNote = suppressed > 0 ? `, ${suppressed} suppressed` : '';
  if (total === 0) {
    lines.push(chalk.green(`✔ no problems in ${countOf(result.summary.files, 'file')}${suppressedNote}`));
  } else {
    const counts = `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')}, ${countOf(infos, 'info')}`;
    const mark = errors > 0 ? chalk.red.bold('✖') : warnings > 0 ? chalk.yellow.bold('⚠') : chalk.blue.bold('ℹ');
    lines.push(`${mark} ${countOf(total, 'problem')} (${counts})${suppressedNote}`);
  }
  return `${lines.join('\n')}\n`;
}
