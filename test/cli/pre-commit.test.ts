import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { expectNoStackTrace, k8snet } from './run-cli.js';

interface Hook {
  id: string;
  entry: string;
  files: string;
  pass_filenames?: boolean;
  args?: string[];
}

const HOOKS = load(fs.readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Hook[];

/** Runs a hook as pre-commit does: entry split on spaces, then args, then the matching staged files. */
function runHook(id: string, staged: string[]) {
  const hook = HOOKS.find((candidate) => candidate.id === id)!;
  const [executable, ...entryArgs] = hook.entry.split(/\s+/);
  expect(executable).toBe('k8snet');
  const files = (hook.pass_filenames ?? true) ? staged.filter((file) => new RegExp(hook.files).test(file)) : [];
  return k8snet([...entryArgs, ...(hook.args ?? []), ...files]);
}

describe('.pre-commit-hooks.yaml', () => {
  it('declares k8snet-lint and k8snet-diff as node hooks on manifest files', () => {
    expect(HOOKS.map((hook) => hook.id)).toEqual(['k8snet-lint', 'k8snet-diff']);
    for (const hook of HOOKS) expect(new RegExp(hook.files).test('deploy/app.yaml')).toBe(true);
  });

  it('k8snet-lint checks only the staged files, resolving selectors against the whole repository', () => {
    const run = runHook('k8snet-lint', ['fixtures/demo/shop-backend/networkpolicies.yaml', 'README.md']);
    expectNoStackTrace(run);
    const files = run.stdout.split('\n').filter((line) => /^\S.*\.(ya?ml|json)$/.test(line));
    expect(files).toEqual(['fixtures/demo/shop-backend/networkpolicies.yaml']);
    // Knowing the workloads of other files is what lets it see that the podSelector matches no pod.
    expect(run.stdout).toContain('policy-selects-nothing');
    expect(run.stdout).toContain('did you mean app=catalog?');
    expect(run.status).toBe(0);
  });

  it('k8snet-lint fails the commit on an error in a staged file', () => {
    const run = runHook('k8snet-lint', ['fixtures/demo/shop-backend/checkout.json']);
    expect(run.stdout).toContain('egress-blocks-dns');
    expect(run.status).toBe(1);
  });
});
