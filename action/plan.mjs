// The GitHub Action's first step (action.yml): decides what the run does, from the inputs and the
// event, and writes it to the step's outputs:
//   reports        a new folder under RUNNER_TEMP for the reports (nothing goes into the checkout)
//   sarif-file     where the SARIF report goes
//   new-from-rev   the revision whose findings are not reported (the pull request's base by default)
//   diff-base      the revision connectivity is compared with (the pull request's base by default)
//   upload-sarif   true when the SARIF report can go to code scanning
// The paths to lint go to `reports/paths`, NUL-separated, for the later steps. Revisions missing
// from a shallow checkout are fetched. Plain Node.js, no dependency: it runs before anything else.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;

/** Writes a workflow command (notice, warning, error) to the log. */
function annotate(level, message) {
  process.stdout.write(`::${level} title=k8snet::${message.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')}\n`);
}

/** Appends a step output (single-line values). */
function output(name, value) {
  fs.appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

/** Fails the step with an error annotation. */
function fail(message) {
  annotate('error', message);
  process.exit(1);
}

/** The event that started the workflow, as GitHub wrote it (empty when there is none). */
function readEvent() {
  try {
    return JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8'));
  } catch {
    return {};
  }
}

/** The base commit of the pull request (or merge queue entry) the event is about, if any. */
function pullRequestBase(event) {
  return event.pull_request?.base?.sha ?? event.merge_group?.base_sha ?? '';
}

/** Returns whether a pull request event comes from a fork, whose token GitHub makes read-only. */
function isFromFork(event) {
  const name = env.GITHUB_EVENT_NAME ?? '';
  if (!event.pull_request || !name.startsWith('pull_request') || name === 'pull_request_target') return false;
  // A deleted fork has no head repository.
  return event.pull_request.head?.repo?.full_name !== env.GITHUB_REPOSITORY;
}

/** An input revision: empty means the default, `none` means no revision. */
function revisionInput(value, fallback) {
  const text = (value ?? '').trim();
  if (text === 'none') return '';
  return text === '' ? fallback : text;
}

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function hasCommit(revision) {
  try {
    git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `revision` is in the checkout: actions/checkout fetches one commit by default, so
 * a pull request's base is usually missing; one more commit, fetched by its id, is enough.
 */
function ensureCommit(revision, input) {
  if (hasCommit(revision)) return;
  process.stdout.write(`Fetching ${revision} (${input}) from origin\n`);
  try {
    git(['fetch', '--no-tags', '--quiet', '--depth=1', 'origin', revision]);
  } catch (error) {
    fail(`${input}: ${revision} is not in the checkout and could not be fetched (${String(error.stderr ?? error.message).trim().split('\n')[0]}). Check out with fetch-depth: 0, or set ${input}: none.`);
  }
  if (!hasCommit(revision)) fail(`${input}: ${revision} is not a commit of this repository. Set ${input} to a revision of it, or none.`);
}

/**
 * Asks GitHub whether the token may upload to code scanning, without uploading anything: an
 * upload with no content is refused as invalid (422) when it is permitted, and as forbidden
 * (403) when the token lacks security-events: write or code scanning is off. GitHub offers no
 * other way to read a token's permissions. Returns why not, or undefined when it may (or when
 * the answer is unclear: the upload step then tries and reports).
 */
async function whyNoUpload(token) {
  if (!token) return 'no token was given';
  const url = `${env.GITHUB_API_URL ?? 'https://api.github.com'}/repos/${env.GITHUB_REPOSITORY}/code-scanning/sarifs`;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json', 'x-github-api-version': '2022-11-28' },
      body: '{}',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    return undefined;
  }
  if (response.status !== 401 && response.status !== 403 && response.status !== 404) return undefined;
  const message = String((await response.json().catch(() => ({}))).message ?? '');
  if (/not accessible by integration/i.test(message)) return 'the token lacks the security-events: write permission (add it to the job\'s permissions)';
  if (/advanced security|code scanning is not enabled/i.test(message)) return `code scanning is not available for this repository (${message})`;
  return `GitHub refused the token for code scanning (${response.status}${message ? `: ${message}` : ''})`;
}

const event = readEvent();
const base = pullRequestBase(event);
const workspace = env.GITHUB_WORKSPACE ?? process.cwd();

const reports = fs.mkdtempSync(path.join(env.RUNNER_TEMP ?? fail('RUNNER_TEMP is not set'), 'k8snet-'));
const paths = (env.INPUT_PATHS ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
for (const target of paths) {
  if (!fs.existsSync(path.resolve(workspace, target))) fail(`paths: ${target} does not exist in ${workspace}`);
}
fs.writeFileSync(path.join(reports, 'paths'), (paths.length > 0 ? paths : ['.']).map((target) => `${target}\0`).join(''));

const newFromRev = revisionInput(env.INPUT_NEW_FROM_REV, base);
const diffBase = revisionInput(env.INPUT_DIFF_BASE, base);
if (newFromRev) ensureCommit(newFromRev, 'new-from-rev');
if (diffBase && diffBase !== newFromRev) ensureCommit(diffBase, 'diff-base');

let upload = (env.INPUT_UPLOAD_SARIF ?? 'true').trim().toLowerCase();
if (upload !== 'true' && upload !== 'false') fail(`upload-sarif: ${upload} is neither true nor false`);
if (upload === 'true') {
  const reason = isFromFork(event) ? 'this pull request comes from a fork, whose token GitHub makes read-only' : await whyNoUpload(env.INPUT_TOKEN);
  if (reason) {
    annotate('notice', `Findings not uploaded to code scanning: ${reason}. They are in the log and the job summary; set upload-sarif: false to skip the upload without this notice.`);
    upload = 'false';
  }
}

output('reports', reports);
output('sarif-file', path.join(reports, 'k8snet.sarif'));
output('new-from-rev', newFromRev);
output('diff-base', diffBase);
output('upload-sarif', upload);
