import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const REPOSITORY = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-diff-git-'));
afterAll(() => fs.rmSync(REPOSITORY, { recursive: true, force: true }));

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd: REPOSITORY, encoding: 'utf8' });
}

const POLICY = (ports: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [${ports}]}]
`;
const WORKLOADS = ['web', 'client'].map((name) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: main, image: example/app}]}
`).join('---\n');

describe('k8snet diff --git REV1..REV2 PATH', () => {
  fs.mkdirSync(path.join(REPOSITORY, 'manifests'));
  fs.writeFileSync(path.join(REPOSITORY, 'manifests', 'workloads.yaml'), WORKLOADS);
  fs.writeFileSync(path.join(REPOSITORY, 'manifests', 'policy.yaml'), POLICY('{port: 8080}'));
  fs.writeFileSync(path.join(REPOSITORY, 'README.md'), 'not a manifest\n');
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  fs.writeFileSync(path.join(REPOSITORY, 'manifests', 'policy.yaml'), POLICY('{port: 8080}, {port: 22}'));
  git('commit', '-q', '-am', 'open ssh');
  // An uncommitted edit must not leak into the comparison of two commits.
  fs.writeFileSync(path.join(REPOSITORY, 'manifests', 'policy.yaml'), POLICY('{port: 9999}'));

  it('reads both revisions with git and reports what the second commit opened', () => {
    const run = k8snet(['diff', '--git', 'HEAD~1..HEAD', 'manifests', '--fail-on', 'added-any'], { cwd: REPOSITORY });
    expect(run.stdout).toContain('~ shop/client[Deployment] => shop/web[Deployment] : TCP 8080 -> TCP 22,8080');
    expect(run.stdout).toMatch(/allowed by shop\/web-ingress ingress\[0\] \(HEAD:manifests\/policy\.yaml:\d+\)/);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--fail-on added-any');
  });

  it('says plainly when a revision does not exist', () => {
    const run = k8snet(['diff', '--git', 'HEAD~1..no-such-branch', 'manifests'], { cwd: REPOSITORY });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^k8snet: --git no-such-branch: /);
    expectNoStackTrace(run);
  });

  it('REV.. compares a revision with the working tree', () => {
    const run = k8snet(['diff', '--git', 'HEAD..', 'manifests'], { cwd: REPOSITORY });
    expect(run.stdout).toContain('~ shop/client[Deployment] => shop/web[Deployment] : TCP 22,8080 -> TCP 9999');
    expect(run.status).toBe(0);
  });

  it('compares the current folder without a PATH, and counts a non-manifest file both revisions hold once', () => {
    fs.mkdirSync(path.join(REPOSITORY, 'settings'), { recursive: true });
    fs.writeFileSync(path.join(REPOSITORY, 'settings', 'values.yaml'), 'replicas: 2\n');
    git('add', 'settings');
    git('commit', '-q', '-m', 'settings');
    fs.writeFileSync(path.join(REPOSITORY, 'settings', 'values.yaml'), 'replicas: 3\n');
    git('commit', '-q', '-am', 'more replicas');
    const run = k8snet(['diff', '--git', 'HEAD~1..HEAD', '--verbose'], { cwd: REPOSITORY });
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^1 file is not a Kubernetes manifest: skipped:\n {2}settings\/values\.yaml: /m);
    const none = k8snet(['diff'], { cwd: REPOSITORY });
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('k8snet: give OLD and NEW, or --git REV1..REV2 [PATH]\n');
  });

  it('rejects a range without two revisions', () => {
    const run = k8snet(['diff', '--git', 'HEAD', 'manifests'], { cwd: REPOSITORY });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/expected REV1\.\.REV2/);
  });
});
