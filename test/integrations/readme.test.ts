/**
 * README.md's "In CI and pre-commit" section: every snippet in it is read from the README here
 * and run, so that it cannot drift from the hooks and the action. The pre-commit configuration's
 * hooks (and the `args` the text suggests) run on a staged change of a sample repository; the
 * workflow's action step runs on a pull request and on a push to the default branch; the table of
 * inputs is action.yml's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { REPOSITORY } from '../repository-copy.js';
import { actionDefinition } from './action-runner.js';
import { checkoutChanges, createActionFixture, step, workspaceOf, type ActionFixture } from './action-fixture.js';
import { declaredHooks, runHook, type HookChoice } from './pre-commit-runner.js';
import { createSampleRepository, openExternalIngress } from './sample-repository.js';

const readme = fs.readFileSync(path.join(REPOSITORY, 'README.md'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
/** The project's home on GitHub, from package.json: owner/name. */
const GITHUB_REPOSITORY = /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(packageJson.repository.url)![1];
const K8SNET = [process.execPath, path.join(REPOSITORY, 'bin', 'k8snet.js')];

/** The section, from its heading to the next heading of its level or above. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const level = /^#+/.exec(heading)![0].length;
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

const SECTION = section('### In CI and pre-commit');
/** The section's fenced code blocks: language and text. */
const SNIPPETS = [...SECTION.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ language: match[1], text: match[2] }));

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-readme-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('README, In CI and pre-commit', () => {
  it('has two snippets, the pre-commit configuration and a workflow, both YAML; this test runs both', () => {
    expect(SNIPPETS.map((snippet) => snippet.language)).toEqual(['yaml', 'yaml']);
    expect(SNIPPETS[0].text).toMatch(/^repos:/);
    expect(SNIPPETS[1].text).toMatch(/^name: k8snet\non:/);
  });
});

describe('the README\'s .pre-commit-config.yaml', () => {
  const config = load(SNIPPETS[0]?.text ?? '') as { repos: { repo: string; rev: string; hooks: HookChoice[] }[] };
  let repositories = 0;

  /** The sample repository with the change that opens shop/web staged. */
  function stagedChange(): string {
    const repository = path.join(folder, `pre-commit-${++repositories}`);
    createSampleRepository(repository);
    openExternalIngress(repository);
    return repository;
  }

  it('names this repository at this version, and hooks it declares', () => {
    expect(config.repos).toHaveLength(1);
    expect(config.repos[0].repo).toBe(`https://github.com/${GITHUB_REPOSITORY}`);
    expect(config.repos[0].rev).toBe(`v${packageJson.version}`);
    expect(config.repos[0].hooks.map((hook) => hook.id)).toEqual(declaredHooks().map((hook) => hook.id));
  });

  it('runs its hooks on a staged change: the lint reports, the diff blocks what opens the cluster', () => {
    const repository = stagedChange();
    const results = Object.fromEntries(config.repos[0].hooks.map((hook) => [hook.id, runHook(hook, repository, K8SNET)]));
    const lint = results['k8snet-lint'];
    const diff = results['k8snet-diff'];
    if (lint.skipped || diff.skipped) throw new Error('a hook was skipped');
    expect(lint.stdout).toContain('peer-selects-nothing');
    // The change isolates shop/web for egress without DNS: an error it causes, on the Deployment.
    expect(lint.stdout).toContain('egress-blocks-dns');
    expect(lint.status).toBe(1);
    expect(diff.stderr).toContain('the change trips --fail-on added-external-ingress');
    expect(diff.status).toBe(1);
  });

  it('runs the hooks with the args the text suggests', () => {
    const suggested = [...SECTION.matchAll(/`args: (\[[^\]]*\])`/g)].map((match) => load(match[1]) as string[]);
    expect(suggested).toEqual([['--fail-on', 'warning'], ['--fail-on', 'added-any']]);
    const repository = stagedChange();
    // The staged change has a warning: with --fail-on warning the lint fails the commit.
    const lint = runHook({ id: 'k8snet-lint', args: suggested[0] }, repository, K8SNET);
    if (lint.skipped) throw new Error('k8snet-lint was skipped');
    expect(lint.command).toEqual([...K8SNET, 'lint', '--new-from-rev', 'HEAD', '.', '--fail-on', 'warning']);
    expect(lint.status).toBe(1);
    const diff = runHook({ id: 'k8snet-diff', args: suggested[1] }, repository, K8SNET);
    if (diff.skipped) throw new Error('k8snet-diff was skipped');
    expect(diff.stderr).toContain('the change trips --fail-on added-any');
    expect(diff.status).toBe(1);
  });
});

describe('the README\'s workflow', () => {
  interface Workflow {
    on: { pull_request: null; push: { branches: string[] } };
    permissions: Record<string, string>;
    jobs: Record<string, { 'runs-on': string; steps: { uses?: string; with?: Record<string, string> }[] }>;
  }
  const workflow = load(SNIPPETS[1]?.text ?? '') as Workflow;
  const steps = Object.values(workflow.jobs ?? {})[0]?.steps ?? [];
  const k8snetStep = steps.find((entry) => entry.uses?.startsWith(`${GITHUB_REPOSITORY}@`));
  let fixture: ActionFixture;

  beforeAll(async () => {
    fixture = await createActionFixture(path.join(folder, 'workflow'));
  });
  afterAll(() => fixture.close());

  it('runs on pull requests and pushes to the default branch, with the permissions the action needs, this version of it after a checkout', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
    expect(steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
    expect(k8snetStep?.uses).toBe(`${GITHUB_REPOSITORY}@v${packageJson.version}`);
    for (const input of Object.keys(k8snetStep?.with ?? {})) expect(Object.keys(actionDefinition().inputs)).toContain(input);
  });

  it('on a pull request: fails on the opening change, the diff in the summary, the findings uploaded', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: k8snetStep!.with });
    expect(run.summary).toContain('✖ fails --fail-on added-external-ingress');
    expect(run.summary).toContain('| + | `0.0.0.0-255.255.255.255[External]` | `shop/web[Deployment]` |');
    expect(step(run, 'upload').ran).toBe(true);
    expect(run.failed).toBe(true);
    expect(checkoutChanges(workspaceOf(run))).toBe('');
  });

  it('on the default branch: passes, no diff, the findings uploaded', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPush({ with: k8snetStep!.with });
    expect(step(run, 'diff').ran).toBe(false);
    expect(step(run, 'upload').ran).toBe(true);
    expect(run.outputs.findings).toBe('2');
    expect(run.failed).toBe(false);
  });
});

describe('the README\'s table of inputs and its outputs', () => {
  it('are action.yml\'s, with their defaults', () => {
    const action = actionDefinition();
    const rows = [...SECTION.matchAll(/^\| `([a-z-]+)` \| ([^|]*) \|/gm)].map((match) => [match[1], match[2].trim()]);
    expect(rows.map(([name]) => name)).toEqual(Object.keys(action.inputs));
    for (const [name, documented] of rows) {
      const value = String(action.inputs[name].default ?? '');
      if (value === '') expect(documented).toMatch(/^\(none\)$|pull request's base/);
      else if (value === '${{ github.token }}') expect(documented).toBe('`github.token`');
      else expect(documented).toBe(`\`${value}\``);
    }
    for (const output of Object.keys(action.outputs)) expect(SECTION).toContain(`\`${output}\``);
  });
});
