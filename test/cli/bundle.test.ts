/**
 * The bundled CLI (scripts/bundle.mjs) that bin/k8snet.js runs: it must behave like the modules
 * it was built from, find what they find by relative path (the precompiled validators), and keep
 * heavy packages off the paths that do not need them. Which packages a run loads is observed with
 * a preloaded hook on CommonJS loading, the way js-yaml, ajv and ip-num are loaded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT, k8snet } from './run-cli.js';

const LOADED_MARKER = 'k8snet-test-loaded-packages:';
let folder: string;
let hook: string;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-bundle-'));
  hook = path.join(folder, 'record-loads.cjs');
  fs.writeFileSync(hook, `
const Module = require('node:module');
const loaded = new Set();
const original = Module._load;
Module._load = function (request, ...rest) {
  for (const name of ['js-yaml', 'ajv', 'ip-num']) if (request === name) loaded.add(name);
  return original.call(this, request, ...rest);
};
process.on('exit', () => process.stderr.write('${LOADED_MARKER}' + JSON.stringify([...loaded].sort()) + '\\n'));
`);
});

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

function loadedPackages(stderr: string): string[] {
  const line = stderr.split('\n').find((text) => text.startsWith(LOADED_MARKER));
  expect(line).toBeDefined();
  return JSON.parse(line!.slice(LOADED_MARKER.length)) as string[];
}

describe('the bundled CLI', () => {
  it('is what bin/k8snet.js runs', () => {
    expect(fs.readFileSync(path.join(ROOT, 'bin', 'k8snet.js'), 'utf8')).toMatch(/from '\.\.\/dist\/src\/bundle\/main\.js'/);
    expect(fs.existsSync(path.join(ROOT, 'dist', 'src', 'bundle', 'main.js'))).toBe(true);
  });

  it('--version loads none of js-yaml, ajv and ip-num', () => {
    const run = k8snet(['--version'], { env: { NODE_OPTIONS: `--require ${hook}` } });
    expect(run.status).toBe(0);
    expect(loadedPackages(run.stderr)).toEqual([]);
  });

  it('validates with the precompiled validators: a schema error is reported and ajv is never loaded', () => {
    const manifest = path.join(folder, 'service.yaml');
    fs.writeFileSync(manifest, 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports:\n    - port: eighty\n');
    const run = k8snet(['lint', '--format', 'json', manifest], { env: { NODE_OPTIONS: `--require ${hook}` } });
    expect(run.status).toBe(2);
    const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; line: number }[] }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'input-schema', line: 6 }));
    expect(loadedPackages(run.stderr)).toEqual(['js-yaml']);
  });
});
