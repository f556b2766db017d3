/**
 * Installs this repository as pre-commit installs a `language: node` hook repository, with the
 * exact npm commands of each generation of pre-commit (pre_commit/languages/node.py), into
 * temporary prefixes, then runs the installed hooks on a staged change of a small repository.
 *
 * - pre-commit up to 4.6.0, in its clone of the hook repository:
 *     npm install --dev --prod --ignore-prepublish --no-progress --no-save
 *     npm pack                      (its whole standard output is taken as the tarball's name)
 *     npm install -g <tarball>
 * - pre-commit 4.6.1 and later:
 *     npm install --allow-git=root --install-links -g git+file://<clone>
 *
 * with pre-commit's environment (NPM_CONFIG_PREFIX and npm_config_prefix set to the hook's
 * environment, NPM_CONFIG_USERCONFIG unset, the environment's bin first on PATH). npm runs
 * offline (npm_config_offline): the first generation's `npm install` takes the devDependencies
 * from the npm cache `npm ci` filled; the package itself needs nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { commitEverything, copyRepository, git, run, type CommandResult } from '../repository-copy.js';
import { runHook } from './pre-commit-runner.js';
import { createSampleRepository, openExternalIngress } from './sample-repository.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-pre-commit-install-'));
const hookRepository = path.join(folder, 'hook-repository');
const packageJson = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { name: string; version: string };

beforeAll(() => {
  copyRepository(hookRepository);
  commitEverything(hookRepository, 'k8snet as it would be committed');
}, 120_000);

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/** pre-commit's environment for a node hook installed in `environment` (get_env_patch). */
function preCommitEnv(environment: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_VIRTUAL_ENV: environment,
    NPM_CONFIG_PREFIX: environment,
    npm_config_prefix: environment,
    NODE_PATH: path.join(environment, 'lib', 'node_modules'),
    PATH: `${path.join(environment, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    // The test must not need the network: what npm needs comes from its cache.
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.NPM_CONFIG_USERCONFIG;
  delete env.npm_config_userconfig;
  return env;
}

/** Runs npm as pre-commit's setup command does; fails the test with npm's output when it fails. */
function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): CommandResult {
  const result = run('npm', args, { cwd, env });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Checks what the installation left in `environment` and that its k8snet runs the hooks. */
function expectWorkingInstallation(environment: string): void {
  const installed = path.join(environment, 'lib', 'node_modules', packageJson.name);
  expect(fs.readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json', 'rules']);
  expect(fs.readdirSync(path.join(installed, 'dist')).sort()).toEqual(['k8snet.cjs', 'k8snet.sections']);
  // A real folder, not a link into npm's temporary clone, which npm deletes.
  expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
  const executable = path.join(environment, 'bin', 'k8snet');
  const version = run(executable, ['--version'], { env: preCommitEnv(environment) });
  expect(version.stdout.trim()).toBe(packageJson.version);

  const repository = path.join(environment, '..', `${path.basename(environment)}-repository`);
  createSampleRepository(repository);
  openExternalIngress(repository);
  const lint = runHook({ id: 'k8snet-lint' }, repository, [executable], preCommitEnv(environment));
  if (lint.skipped) throw new Error('k8snet-lint was skipped');
  expect(lint.stdout).toContain('peer-selects-nothing');
  // The one finding the sample repository already had at HEAD is counted, not shown.
  expect(lint.stderr).toBe('k8snet: 1 finding that HEAD already had is not shown (--new-from-rev).\n');
  const diff = runHook({ id: 'k8snet-diff' }, repository, [executable], preCommitEnv(environment));
  if (diff.skipped) throw new Error('k8snet-diff was skipped');
  expect(diff.stdout).toMatch(/^\+ 0\.0\.0\.0-255\.255\.255\.255\[External\] => shop\/web\[Deployment\] : TCP 8080$/m);
  expect(diff.stderr).toContain('the change trips --fail-on added-external-ingress');
  expect(diff.status).toBe(1);
}

describe('installed as pre-commit up to 4.6.0 installs it', () => {
  it('npm install, npm pack (whose output is the tarball\'s name alone), npm install -g the tarball: the hooks run', () => {
    // pre-commit works in its own clone; this one is the hook repository's.
    const clone = path.join(folder, 'clone-4.6.0');
    git(folder, ['clone', '--quiet', hookRepository, clone]);
    const environment = path.join(folder, 'node_env-4.6.0');
    const env = preCommitEnv(environment);
    npm(['install', '--dev', '--prod', '--ignore-prepublish', '--no-progress', '--no-save'], clone, env);
    const pack = npm(['pack'], clone, env);
    const tarball = pack.stdout.trim();
    expect(tarball).toBe(`${packageJson.name}-${packageJson.version}.tgz`);
    npm(['install', '-g', path.join(clone, tarball)], clone, env);
    expectWorkingInstallation(environment);
  }, 600_000);
});

describe('installed as pre-commit 4.6.1 and later installs it', () => {
  it('npm install --allow-git=root --install-links -g git+file://CLONE: the hooks run', () => {
    const clone = path.join(folder, 'clone-4.6.1');
    git(folder, ['clone', '--quiet', hookRepository, clone]);
    const environment = path.join(folder, 'node_env-4.6.1');
    npm(['install', '--allow-git=root', '--install-links', '-g', `git+file://${clone}`], clone, preCommitEnv(environment));
    expectWorkingInstallation(environment);
  }, 600_000);
});
