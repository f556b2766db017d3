import type { Finding, Severity } from '../finding.js';
import { describeOmitted, sortFindings, type LintResult, type OmittedFindings } from './summary.js';
import { escapeText } from './escape/text.js';
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
  return [...streamStylish(result, options)].join('');
}

/**
 * The text of {@link formatStylish}, a finding at a time, so that hundreds of thousands of
 * findings are written as they are formatted. Names, messages and file names are written with
 * control characters escaped (escapeText): they come from the manifests and the file system.
 */
export function* streamStylish(result: LintResult, options: StylishOptions): Generator<string> {
  const chalk = options.paint;
  const paint: Record<Severity, (text: string) => string> = { error: chalk.red, warning: chalk.yellow, info: chalk.blue };
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
  for (const [file, findings] of byFile) {
    yield `${chalk.underline(escapeText(file))}\n`;
    const positions = findings.map((finding) => (finding.location ? `${finding.location.line}:${finding.location.column}` : ''));
    // A loop, not Math.max(...positions): a spread of 200,000 arguments overflows the stack.
    let width = 0;
    for (const position of positions) width = Math.max(width, position.length);
    for (let index = 0; index < findings.length; index++) {
      const finding = findings[index];
      const lines: string[] = [];
      const severity = paint[finding.severity](finding.severity.padEnd(7));
      lines.push(`  ${chalk.dim(positions[index].padEnd(width))}  ${severity}  ${escapeText(finding.message)}  ${chalk.dim(finding.ruleId)}`);
      if (finding.hint) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`hint: ${escapeText(finding.hint)}`)}`);
      for (const related of finding.related ?? []) {
        lines.push(`  ${' '.repeat(width)}           ${chalk.dim(escapeText(`${related.message}: ${related.file}:${related.line}:${related.column}`))}`);
      }
      if (options.verbose) {
        if (finding.why) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`why: ${escapeText(finding.why)}`)}`);
        if (finding.fix) lines.push(`  ${' '.repeat(width)}           ${chalk.dim(`fix: ${escapeText(finding.fix)}`)}`);
      }
      yield `${lines.join('\n')}\n`;
    }
    for (const omitted of omittedByFile.get(file) ?? []) yield `  ${' '.repeat(width)}  ${chalk.dim(`… ${describeOmitted(omitted)}`)}\n`;
    yield '\n';
  }
  const { errors, warnings, infos, suppressed } = result.summary;
  const total = errors + warnings + infos;
  const suppressedNote = suppressed > 0 ? `, ${suppressed} suppressed` : '';
  if (total === 0) {
    yield `${chalk.green(`✔ no problems in ${countOf(result.summary.files, 'file')}${suppressedNote}`)}\n`;
  } else {
    const counts = `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')}, ${countOf(infos, 'info')}`;
    const mark = errors > 0 ? chalk.red.bold('✖') : warnings > 0 ? chalk.yellow.bold('⚠') : chalk.blue.bold('ℹ');
    yield `${mark} ${countOf(total, 'problem')} (${counts})${suppressedNote}\n`;
  }
}
