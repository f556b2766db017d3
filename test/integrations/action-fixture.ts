/**
 * What the tests of the GitHub Action share: the sample repository pushed to a bare `origin`
 * (its base commit, and the head commit of a pull request that opens shop/web), checkouts shaped
 * like actions/checkout's (one commit deep), pull request and push events, and a fake GitHub API
 * for the code scanning permission check.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { git } from '../repository-copy.js';
import { runAction, type ActionRun, type ActionRunOptions, type StepRun } from './action-runner.js';
import { createSampleRepository, openExternalIngress } from './sample-repository.js';

/** The repository the fake events come from. */
export const REPOSITORY_NAME = 'shop/deploy';

/** What the fake API answers to the code scanning permission check, and what it was asked. */
export interface FakeApi {
  status: number;
  message: string;
  readonly requests: { method: string; url: string; authorization?: string }[];
  readonly url: string;
}

/** The sample repository's origin, checkouts of it, and runs of the action on them. */
export interface ActionFixture {
  readonly base: string;
  readonly head: string;
  readonly api: FakeApi;
  /** Answers the next permission checks with this status and message (422: permitted). */
  resetApi(status?: number, message?: string): void;
  /** A checkout as actions/checkout makes it: one commit deep, of `revision`. */
  checkout(revision: string): string;
  /** A pull request event from this repository (or from `fork`), from base to head. */
  pullRequestEvent(options?: { fork?: string }): Record<string, unknown>;
  runOnPullRequest(options?: Partial<ActionRunOptions>): Promise<ActionRun>;
  runOnPush(options?: Partial<ActionRunOptions>): Promise<ActionRun>;
  close(): Promise<void>;
}

/** Creates the fixture in `folder` (which the caller removes). */
export async function createActionFixture(folder: string): Promise<ActionFixture> {
  const requests: FakeApi['requests'] = [];
  const api = { status: 422, message: 'Invalid request.', requests, url: '' };
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    request.on('end', () => {
      response.writeHead(api.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: api.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const work = path.join(folder, 'work');
  const base = createSampleRepository(work);
  openExternalIngress(work);
  git(work, ['commit', '--quiet', '-m', 'open shop/web']);
  const head = git(work, ['rev-parse', 'HEAD']).trim();
  const origin = path.join(folder, 'origin.git');
  git(folder, ['clone', '--quiet', '--bare', work, origin]);

  let runs = 0;
  const checkout = (revision: string): string => {
    const workspace = path.join(folder, `run-${++runs}`, 'workspace');
    git(folder, ['clone', '--quiet', '--no-checkout', '--depth=1', `file://${origin}`, workspace]);
    git(workspace, ['fetch', '--quiet', '--depth=1', 'origin', revision]);
    git(workspace, ['checkout', '--quiet', '--detach', revision]);
    return workspace;
  };
  const pullRequestEvent = (options: { fork?: string } = {}): Record<string, unknown> => ({
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      base: { ref: 'main', sha: base, repo: { full_name: REPOSITORY_NAME } },
      head: { ref: 'open-web', sha: head, repo: { full_name: options.fork ?? REPOSITORY_NAME, fork: options.fork !== undefined } },
      merge_commit_sha: head,
    },
  });
  const runOn = (revision: string, eventName: string, event: Record<string, unknown>, options: Partial<ActionRunOptions>): Promise<ActionRun> => {
    const workspace = checkout(revision);
    return runAction({ workspace, runner: path.join(workspace, '..', 'runner'), eventName, event, repository: REPOSITORY_NAME, apiUrl: api.url, ...options });
  };
  return {
    base,
    head,
    api,
    resetApi(status = 422, message = 'Invalid request.') {
      api.status = status;
      api.message = message;
      requests.length = 0;
    },
    checkout,
    pullRequestEvent,
    runOnPullRequest: (options = {}) => runOn(head, 'pull_request', pullRequestEvent(), options),
    runOnPush: (options = {}) => runOn(base, 'push', { ref: 'refs/heads/main', after: base }, options),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A step of the run, by id or, for steps without one, by name. */
export function step(run: ActionRun, idOrName: string): StepRun {
  const found = run.steps.find((candidate) => candidate.id === idOrName) ?? run.steps.find((candidate) => candidate.name === idOrName);
  if (!found) throw new Error(`no step ${idOrName}`);
  return found;
}

/** The checkout the run worked in. */
export function workspaceOf(run: ActionRun): string {
  return path.join(run.runnerTemp, '..', '..', 'workspace');
}

/** Returns what git sees changed or added in a checkout (nothing, when the action wrote nothing into it). */
export function checkoutChanges(workspace: string): string {
  return git(workspace, ['status', '--porcelain', '--ignored', '--untracked-files=all']);
}
