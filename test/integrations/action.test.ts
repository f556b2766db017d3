/**
 * The GitHub Action (action.yml), its steps run in order by test/integrations/action-runner.ts
 * on checkouts shaped like actions/checkout's (one commit deep, cloned from an `origin`), with a
 * fake GitHub API for the code scanning permission check (test/integrations/action-fixture.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../repository-copy.js';
import { actionDefinition, readOutputFile, shouldRun } from './action-runner.js';
import { REPOSITORY_NAME, checkoutChanges, createActionFixture, step, workspaceOf, type ActionFixture } from './action-fixture.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-action-'));
let fixture: ActionFixture;
let base: string;
let head: string;

beforeAll(async () => {
  fixture = await createActionFixture(folder);
  ({ base, head } = fixture);
});

afterAll(async () => {
  await fixture.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('action.yml', () => {
  it('is a composite action whose outputs and inputs are all documented', () => {
    const action = actionDefinition();
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['paths', 'fail-on', 'format', 'upload-sarif', 'sarif-category', 'new-from-rev', 'diff-base', 'diff-fail-on', 'token']);
    expect(Object.keys(action.outputs)).toEqual(['findings', 'errors', 'sarif-file']);
    for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)]) expect(entry.description.length).toBeGreaterThan(20);
  });

  it('on a pull request: annotations in the log, counts, worst findings and the connectivity diff in the summary, outputs; fails on the findings and the diff gate', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: { paths: 'deploy', 'diff-fail-on': 'added-external-ingress' } });
    expect(run.steps.filter((entry) => entry.ran).map((entry) => entry.id ?? entry.name)).toEqual(['node', 'plan', 'lint', 'diff', 'summary', 'upload', 'Result']);
    // The base was not in the one-commit checkout: the plan fetched it.
    expect(step(run, 'plan').stdout).toMatch(new RegExp(`^Fetching ${base} \\((new-from-rev|diff-base)\\) from origin$`, 'm'));
    expect(step(run, 'plan').outputs['diff-base']).toBe(base);

    // The log: one annotation per finding, on its line.
    expect(step(run, 'lint').stdout).toMatch(/^::error file=deploy\/shop\.yaml,line=19,col=7,.*title=k8snet egress-blocks-dns::shop\/web\[Deployment\] is isolated for egress/m);
    expect(step(run, 'lint').stdout).toMatch(/^::warning file=deploy\/public\.yaml,line=26,.*peer-selects-nothing/m);
    expect(step(run, 'lint').outputs.status).toBe('1');
    expect(step(run, 'diff').outputs.status).toBe('1');

    // The summary: counts and verdict, the worst finding first, linked to its line, and the diff.
    // new-from-rev is the pull request's base: only what the change causes is counted and listed.
    expect(run.summary).toContain('**1 error, 1 warning, 1 info** in 4 files, new since');
    expect(run.summary).toContain('✖ fails (--fail-on error)');
    const rows = run.summary.split('\n').filter((line) => /^\| (error|warning|info) \|/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(`| error | egress-blocks-dns | [deploy/shop.yaml:19](https://github.com/${REPOSITORY_NAME}/blob/${head}/deploy/shop.yaml#L19) | shop/web[Deployment] is isolated for egress and cannot reach cluster DNS (kube-system pods k8s-app=kube-dns) on TCP 53 and UDP 53; name lookups will fail. |`);
    expect(run.summary).toContain(`### Connectivity against ${base.slice(0, 7)}`);
    expect(run.summary).toMatch(/^\| \+ \| `0\.0\.0\.0-255\.255\.255\.255\[External\]` \| `shop\/web\[Deployment\]` \|  \| TCP 8080 \| `shop\/web-from-anywhere ingress\[0\] \(deploy\/public\.yaml:10\)` \|$/m);
    expect(run.summary).toContain('✖ fails --fail-on added-external-ingress');

    // SARIF for code scanning, under RUNNER_TEMP; uploaded with the token.
    const sarifFile = run.outputs['sarif-file'];
    expect(sarifFile.startsWith(`${run.runnerTemp}${path.sep}`)).toBe(true);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(3);
    expect(step(run, 'upload').with).toEqual({ sarif_file: sarifFile, category: 'k8snet', token: 'fake-token' });
    expect(fixture.api.requests).toEqual([{ method: 'POST', url: `/repos/${REPOSITORY_NAME}/code-scanning/sarifs`, authorization: 'Bearer fake-token' }]);

    expect(run.outputs.findings).toBe('3');
    expect(run.outputs.errors).toBe('1');
    expect(step(run, 'Result').stdout).toContain('::error title=k8snet::Findings at or above error');
    expect(step(run, 'Result').stdout).toContain('::error title=k8snet::The change trips diff-fail-on (added-external-ingress)');
    expect(run.failed).toBe(true);
    expect(checkoutChanges(workspaceOf(run))).toBe('');
  });

  it('on the default branch: every finding, no diff, an upload; passes below the failing severity', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPush({ with: { paths: 'deploy' } });
    expect(step(run, 'plan').outputs['diff-base']).toBe('');
    expect(step(run, 'plan').outputs['new-from-rev']).toBe('');
    expect(step(run, 'diff').ran).toBe(false);
    expect(step(run, 'upload').ran).toBe(true);
    expect(run.summary).toContain('**0 errors, 1 warning, 1 info** in 3 files: ✔ passes');
    expect(run.summary).not.toContain('Connectivity');
    expect(run.outputs).toEqual({ findings: '2', errors: '0', 'sarif-file': expect.stringContaining(run.runnerTemp) });
    expect(run.failed).toBe(false);
    expect(checkoutChanges(workspaceOf(run))).toBe('');
  });

  it('fail-on warning fails on the warning; format stylish prints the stylish report', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPush({ with: { paths: 'deploy', 'fail-on': 'warning', format: 'stylish', 'upload-sarif': 'false' } });
    expect(step(run, 'lint').stdout).toMatch(/^deploy\/legacy\.yaml\n\s+7:3\s+warning\s+NetworkPolicy shop\/old-admin selects no pod/m);
    expect(run.summary).toContain('✖ fails (--fail-on warning)');
    expect(run.failed).toBe(true);
  });

  it('skips the upload with a notice on a pull request from a fork, without asking GitHub', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ event: fixture.pullRequestEvent({ fork: 'someone/deploy' }), with: { paths: 'deploy' }, stopAfter: 'plan' });
    expect(step(run, 'plan').stdout).toContain('::notice title=k8snet::Findings not uploaded to code scanning: this pull request comes from a fork, whose token GitHub makes read-only.');
    expect(step(run, 'plan').outputs['upload-sarif']).toBe('false');
    expect(fixture.api.requests).toEqual([]);
  });

  it('skips the upload with a notice naming the permission when the token lacks security-events: write', async () => {
    fixture.resetApi(403, 'Resource not accessible by integration');
    const run = await fixture.runOnPush({ with: { paths: 'deploy/shop.yaml' } });
    expect(step(run, 'plan').stdout).toContain('::notice title=k8snet::Findings not uploaded to code scanning: the token lacks the security-events: write permission (add it to the job\'s permissions).');
    expect(step(run, 'upload').ran).toBe(false);
    expect(run.failed).toBe(false);
  });

  it('skips the upload with a notice where code scanning is not available', async () => {
    fixture.resetApi(403, 'Advanced Security must be enabled for this repository to use code scanning.');
    const run = await fixture.runOnPush({ with: { paths: 'deploy' }, stopAfter: 'plan' });
    expect(step(run, 'plan').stdout).toContain('::notice title=k8snet::Findings not uploaded to code scanning: code scanning is not available for this repository (Advanced Security must be enabled');
    expect(step(run, 'plan').outputs['upload-sarif']).toBe('false');
  });

  it('upload-sarif false: no upload, no question to GitHub, no notice; the SARIF report is still written for the job', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPush({ with: { paths: 'deploy', 'upload-sarif': 'false' } });
    expect(fixture.api.requests).toEqual([]);
    expect(step(run, 'plan').stdout).not.toContain('::notice');
    expect(step(run, 'upload').ran).toBe(false);
    expect(fs.existsSync(run.outputs['sarif-file'])).toBe(true);
  });

  it('a failed upload is a warning, not a failure of the job', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPush({ with: { paths: 'deploy' }, usesOutcomes: { upload: 'failure' } });
    expect(step(run, 'Report a failed upload').stdout).toContain('::warning title=k8snet::The upload of the findings to code scanning failed');
    expect(run.failed).toBe(false);
  });

  it('lints several paths, one per line, and diffs each', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: { paths: 'deploy/shop.yaml\n\n  deploy/public.yaml  \n', 'upload-sarif': 'false' } });
    // Without deploy/policies.yaml, shop has no policy for ingress selecting all its pods: a warning more.
    expect(run.summary).toContain('**1 error, 2 warnings, 1 info** in 2 files');
    expect(run.summary).toContain('#### deploy/shop.yaml');
    expect(run.summary).toContain('#### deploy/public.yaml');
    // Without diff-fail-on the diff informs and does not fail the job; the findings do.
    expect(step(run, 'diff').outputs.status).toBe('0');
    expect(step(run, 'Result').stdout).not.toContain('diff-fail-on');
  });

  it('new-from-rev and diff-base none: every finding and no diff on a pull request', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: { paths: 'deploy', 'new-from-rev': 'none', 'diff-base': 'none', 'upload-sarif': 'false' } });
    expect(step(run, 'plan').outputs['new-from-rev']).toBe('');
    expect(step(run, 'diff').ran).toBe(false);
    expect(run.summary).toContain('old-admin');
  });

  it('fails the plan with the way out when the base revision cannot be had', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: { paths: 'deploy', 'diff-base': 'f'.repeat(40) } });
    expect(step(run, 'plan').outcome).toBe('failure');
    expect(step(run, 'plan').stdout).toContain(`::error title=k8snet::diff-base: ${'f'.repeat(40)} is not in the checkout and could not be fetched`);
    expect(step(run, 'plan').stdout).toContain('Check out with fetch-depth: 0, or set diff-base: none.');
    expect(step(run, 'lint').ran).toBe(false);
    expect(run.failed).toBe(true);
  });

  // switch to it() once --new-from-rev lands (h-lint) and LINT_HAS_NEW_FROM_REV is deleted from action/plan.mjs
  it('on a pull request, reports only the findings the pull request adds (new-from-rev: its base)', async () => {
    fixture.resetApi();
    const run = await fixture.runOnPullRequest({ with: { paths: 'deploy', 'upload-sarif': 'false' } });
    expect(step(run, 'plan').outputs['new-from-rev']).toBe(base);
    expect(step(run, 'lint').stdout).toContain('egress-blocks-dns');
    expect(step(run, 'lint').stdout).not.toContain('old-admin');
    expect(run.summary).toContain(`, new since ${base.slice(0, 7)}`);
    expect(run.summary).not.toContain('old-admin');
  });
});

describe('the Node.js the action runs on', () => {
  it('is the runner\'s when it is 20 or later; setup-node runs only when it is older or missing', () => {
    const action = actionDefinition();
    const check = action.runs.steps.find((entry) => entry.id === 'node')!;
    const setup = action.runs.steps.find((entry) => entry.uses?.startsWith('actions/setup-node@'))!;
    expect(setup.with).toEqual({ 'node-version': 20 });
    const script = path.join(folder, 'check-node.sh');
    fs.writeFileSync(script, check.run!);
    const outcomes: Record<string, boolean> = {};
    for (const [name, fakeNode] of Object.entries({ 'node 18': '#!/bin/sh\nexit 1\n', 'no node': undefined, 'this node': 'real' })) {
      const bin = path.join(folder, `bin-${name.replace(' ', '-')}`);
      fs.mkdirSync(bin, { recursive: true });
      if (fakeNode === 'real') fs.symlinkSync(process.execPath, path.join(bin, 'node'));
      else if (fakeNode) fs.writeFileSync(path.join(bin, 'node'), fakeNode, { mode: 0o755 });
      const output = path.join(bin, 'output');
      fs.writeFileSync(output, '');
      // PATH holds only the fake node and the shell's own tools.
      const result = run('/bin/bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { env: { PATH: `${bin}:/usr/bin/env-free`, GITHUB_OUTPUT: output } });
      expect(result.status).toBe(0);
      const steps = { node: { outputs: readOutputFile(fs.readFileSync(output, 'utf8')), outcome: 'success', conclusion: 'success' } };
      outcomes[name] = shouldRun(setup.if, { inputs: {}, github: {}, steps, failed: false });
    }
    expect(outcomes).toEqual({ 'node 18': true, 'no node': true, 'this node': false });
  });
});
