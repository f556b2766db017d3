/**
 * The pre-commit hooks (.pre-commit-hooks.yaml), run on a staged change in a repository shaped
 * like a user's, the way pre-commit runs them (test/integrations/pre-commit-runner.ts), with this
 * repository's CLI. test/integrations/pre-commit-install.test.ts installs them as pre-commit does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace } from '../cli/run-cli.js';
import { REPOSITORY, commitEverything, git } from '../repository-copy.js';
import { declaredHooks, runHook, type HookRun } from './pre-commit-runner.js';
import { changeNonManifests, createSampleRepository, openExternalIngress } from './sample-repository.js';

const K8SNET = [process.execPath, path.join(REPOSITORY, 'bin', 'k8snet.js')];
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-hooks-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
let repositories = 0;

/** A new sample repository in its own folder. */
function sampleRepository(options: { nonManifests?: boolean } = {}): string {
  const repository = path.join(folder, `repository-${++repositories}`);
  createSampleRepository(repository, options);
  return repository;
}

/** The result of a hook that ran (fails the test when it was skipped). */
function ran(run: HookRun): Exclude<HookRun, { skipped: true }> {
  expect(run.skipped).toBe(false);
  if (run.skipped) throw new Error('skipped');
  expectNoStackTrace(run);
  return run;
}

describe('.pre-commit-hooks.yaml', () => {
  it('declares k8snet-lint and k8snet-diff as node hooks of the package\'s k8snet, on YAML and JSON files', () => {
    const hooks = declaredHooks();
    expect(hooks.map((hook) => hook.id)).toEqual(['k8snet-lint', 'k8snet-diff']);
    const bin = (JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
    for (const hook of hooks) {
      expect(hook.language).toBe('node');
      expect(Object.keys(bin)).toContain(hook.entry.split(' ')[0]);
      for (const file of ['deploy/app.yaml', 'deploy/app.yml', 'deploy/app.json']) expect(new RegExp(hook.files!).test(file)).toBe(true);
      expect(new RegExp(hook.files!).test('README.md')).toBe(false);
    }
  });
});

describe('k8snet-lint', () => {
  it('lints the staged manifests with every manifest of the repository as context', () => {
    // The demo without shop-backend's policies, which the commit adds: their podSelector matches
    // no pod, which only the workloads of other files can show, with the label they do carry.
    const repository = path.join(folder, 'demo');
    fs.cpSync(path.join(REPOSITORY, 'fixtures', 'demo'), repository, { recursive: true });
    const policies = fs.readFileSync(path.join(repository, 'shop-backend', 'networkpolicies.yaml'));
    fs.rmSync(path.join(repository, 'shop-backend', 'networkpolicies.yaml'));
    commitEverything(repository, 'demo without shop-backend policies');
    fs.writeFileSync(path.join(repository, 'shop-backend', 'networkpolicies.yaml'), policies);
    git(repository, ['add', '--all']);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    const files = run.stdout.split('\n').filter((line) => /^\S.*\.(ya?ml|json)$/.test(line));
    expect(files).toEqual(['shop-backend/networkpolicies.yaml']);
    expect(run.stdout).toContain('policy-selects-nothing');
    expect(run.stdout).toContain('did you mean app=catalog?');
    expect(run.status).toBe(0);
  });

  it('fails the commit on an error in a staged file', () => {
    const repository = sampleRepository();
    fs.copyFileSync(path.join(REPOSITORY, 'fixtures', 'demo', 'shop-backend', 'checkout.json'), path.join(repository, 'deploy', 'checkout.json'));
    git(repository, ['add', 'deploy/checkout.json']);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    expect(run.stdout).toContain('egress-blocks-dns');
    expect(run.status).toBe(1);
  });

  it('reports what the staged change causes, in files it does not touch, and nothing it did not cause', () => {
    const repository = sampleRepository();
    openExternalIngress(repository);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    // The new egress policy isolates shop/web without DNS: the error is on the Deployment.
    expect(run.stdout).toMatch(/deploy\/shop\.yaml\n(?:.*\n)*?\s+19:7\s+error\s+shop\/web\[Deployment\] is isolated for egress and cannot reach cluster DNS/);
    expect(run.stdout).toContain('peer-selects-nothing');
    expect(run.status).toBe(1);
  });

  it('runs on every commit (always_run), and passes one that stages no YAML or JSON file; k8snet-diff is skipped', () => {
    const repository = sampleRepository();
    fs.appendFileSync(path.join(repository, 'README.md'), 'More words.\n');
    git(repository, ['add', 'README.md']);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    expect(run.stdout).toContain('no problems');
    expect(run.status).toBe(0);
    expect(runHook({ id: 'k8snet-diff' }, repository, K8SNET).skipped).toBe(true);
  });

  it('judges a commit that only deletes a manifest: the policy that allowed DNS, gone, is an error on the untouched Deployment', () => {
    const repository = sampleRepository();
    openExternalIngress(repository);
    // shop/web's egress is isolated by web-egress; a policy of its own lets it reach the cluster DNS.
    fs.writeFileSync(path.join(repository, 'deploy', 'dns.yaml'), [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: web-dns, namespace: shop}',
      'spec:', '  podSelector: {matchLabels: {app: web}}', '  policyTypes: [Egress]', '  egress:',
      '  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]', '',
    ].join('\n'));
    git(repository, ['add', '.']);
    git(repository, ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'open web, with DNS']);
    git(repository, ['rm', '-q', 'deploy/dns.yaml']);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    expect(run.stdout).toMatch(/deploy\/shop\.yaml\n(?:.*\n)*?\s+19:7\s+error\s+shop\/web\[Deployment\] is isolated for egress and cannot reach cluster DNS/);
    expect(run.status).toBe(1);
  });

  it('passes a commit that touches only files that are not manifests (.pre-commit-config.yaml, package.json)', () => {
    const repository = sampleRepository({ nonManifests: true });
    changeNonManifests(repository);
    const run = ran(runHook({ id: 'k8snet-lint' }, repository, K8SNET));
    // Nothing is new; what HEAD already had is counted on standard error, and the non-manifests are skipped.
    expect(run.stdout).toContain('no problems');
    expect(run.stderr).not.toMatch(/input error|error:/);
    expect(run.status).toBe(0);
  });
});

describe('k8snet-diff', () => {
  it('blocks a staged change that opens connectivity from outside the cluster, naming the rule that opens it', () => {
    const repository = sampleRepository();
    openExternalIngress(repository);
    const run = ran(runHook({ id: 'k8snet-diff' }, repository, K8SNET));
    expect(run.stdout).toMatch(/^\+ 0\.0\.0\.0-255\.255\.255\.255\[External\] => shop\/web\[Deployment\] : TCP 8080$/m);
    expect(run.stdout).toContain('deploy/public.yaml:10');
    expect(run.stderr).toContain('the change trips --fail-on added-external-ingress');
    expect(run.status).toBe(1);
  });

  it('passes a staged change that opens nothing from outside', () => {
    const repository = sampleRepository();
    fs.appendFileSync(path.join(repository, 'deploy', 'policies.yaml'), fs.readFileSync(path.join(repository, 'deploy', 'policies.yaml'), 'utf8').replace(/^apiVersion[\s\S]*?^---\n/m, '---\n').replace('web-from-shop', 'web-from-shop-too'));
    git(repository, ['add', 'deploy/policies.yaml']);
    const run = ran(runHook({ id: 'k8snet-diff' }, repository, K8SNET));
    expect(run.status).toBe(0);
  });

  it('passes a commit that touches only files that are not manifests, in a repository that has them', () => {
    const repository = sampleRepository({ nonManifests: true });
    changeNonManifests(repository);
    const run = ran(runHook({ id: 'k8snet-diff' }, repository, K8SNET));
    expect(run.status).toBe(0);
  });

  it('blocks the opening change in a repository that has .pre-commit-config.yaml and package.json, with no input error', () => {
    const repository = sampleRepository({ nonManifests: true });
    openExternalIngress(repository);
    const run = ran(runHook({ id: 'k8snet-diff' }, repository, K8SNET));
    expect(run.stderr).not.toMatch(/input error/);
    expect(run.status).toBe(1);
  });
});
