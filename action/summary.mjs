// The GitHub Action's summary step (action.yml): writes the job summary from the reports the
// lint and diff steps left under RUNNER_TEMP (k8snet lint's JSON report, k8snet diff's Markdown)
// and sets the outputs `findings` and `errors`. The summary gives the counts, the worst findings
// (linked to their lines) and the connectivity diff; the log holds every finding.
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
/** How many findings the summary lists; the rest are in the log and in code scanning. */
const LISTED_FINDINGS = 20;
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** Escapes text for a Markdown table cell (GitHub renders HTML in summaries: < as well). */
function cell(text) {
  return String(text ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The exit status a step recorded (an empty one: the step did not run). */
function status(value) {
  return value === undefined || value === '' ? undefined : Number(value);
}

/** A link to a finding's line in the commit the workflow runs on, when the file is in the workspace. */
function lineLink(finding) {
  if (!finding.file) return '';
  const where = `${finding.file}${finding.line ? `:${finding.line}` : ''}`;
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const relative = path.relative(workspace, path.resolve(workspace, finding.file)).split(path.sep).join('/');
  if (relative.startsWith('..') || !env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || !env.GITHUB_SHA) return cell(where);
  const url = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}/${relative.split('/').map(encodeURIComponent).join('/')}${finding.line ? `#L${finding.line}` : ''}`;
  return `[${cell(where)}](${url})`;
}

function shortRevision(revision) {
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}

const reports = env.REPORTS;
const lintStatus = status(env.LINT_STATUS);
const diffStatus = status(env.DIFF_STATUS);
const lines = ['## k8snet', ''];

let report;
try {
  report = JSON.parse(fs.readFileSync(path.join(reports, 'k8snet.json'), 'utf8'));
} catch {
  report = undefined;
}

if (!report) {
  lines.push(`✖ k8snet lint wrote no report (exit ${lintStatus ?? 'unknown'}): see the Lint step of the log.`, '');
} else {
  const { errors = 0, warnings = 0, infos = 0, files = 0 } = report.summary ?? {};
  const verdict = lintStatus === 0 ? '✔ passes' : lintStatus === 1 ? `✖ fails (--fail-on ${env.INPUT_FAIL_ON})` : `✖ fails (exit ${lintStatus}: input or usage errors)`;
  const scope = env.NEW_FROM_REV ? `, new since ${shortRevision(env.NEW_FROM_REV)}` : '';
  lines.push(`**${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}** in ${plural(files, 'file')}${scope}: ${verdict}`, '');
  const findings = [...(report.findings ?? [])].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3));
  if (findings.length > 0) {
    lines.push('| severity | rule | where | problem |', '|---|---|---|---|');
    for (const finding of findings.slice(0, LISTED_FINDINGS)) {
      lines.push(`| ${cell(finding.severity)} | ${cell(finding.ruleId)} | ${lineLink(finding)} | ${cell(finding.message)} |`);
    }
    if (findings.length > LISTED_FINDINGS) lines.push('', `and ${findings.length - LISTED_FINDINGS} more in the log.`);
    lines.push('');
  }
}

if (env.DIFF_BASE) {
  lines.push(`### Connectivity against ${shortRevision(env.DIFF_BASE)}`, '');
  let diff = '';
  try {
    diff = fs.readFileSync(path.join(reports, 'diff.md'), 'utf8').trim();
  } catch {
    // The step wrote nothing: its status says why.
  }
  // k8snet diff's own heading would repeat this one.
  lines.push(diff.replace(/^### Connectivity changes\n+/gm, '') || 'k8snet diff wrote nothing: see the Connectivity diff step of the log.', '');
  if (diffStatus === 1) lines.push(`✖ fails --fail-on ${(env.INPUT_DIFF_FAIL_ON ?? '').trim().split(/[\s,]+/).join(', ')}`, '');
  else if (diffStatus !== undefined && diffStatus !== 0) lines.push(`✖ k8snet diff failed (exit ${diffStatus}): see the Connectivity diff step of the log.`, '');
}

fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `${lines.join('\n')}\n`);
fs.appendFileSync(env.GITHUB_OUTPUT, `findings=${report?.findings?.length ?? ''}\nerrors=${report?.summary?.errors ?? ''}\n`);
