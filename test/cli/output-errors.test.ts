/**
 * What the CLI does when its output cannot be written (src/cli/main.ts) and when a run has
 * hundreds of thousands of findings (src/cli/commands/lint.ts): one line and exit 2 for a failed
 * write, a quiet stop for a reader that went away, and reports that stream.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { BIN, ROOT, expectNoStackTrace, k8snet } from './run-cli.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-output-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

const DEMO = path.join(ROOT, 'fixtures', 'demo');
const hasDevFull = fs.existsSync('/dev/full');

describe('a failed write to standard output', () => {
  it.each([
    ['lint', ['lint', DEMO]],
    ['lint -f json', ['lint', DEMO, '-f', 'json']],
    ['matrix', ['matrix', DEMO]],
    ['explain', ['explain', 'shop-frontend/storefront', DEMO]],
  ])('(%s > /dev/full) is one line on standard error and exit 2', (_name, args) => {
    if (!hasDevFull) return;
    const full = fs.openSync('/dev/full', 'w');
    try {
      const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^k8snet: writing to standard output failed \(ENOSPC\): the output is incomplete\n$/m);
      expectNoStackTrace({ status: run.status, stdout: '', stderr: run.stderr });
    } finally {
      fs.closeSync(full);
    }
  });
});

describe('a reader that closes the pipe early (k8snet matrix big | head)', () => {
  it('stops k8snet quietly', async () => {
    // 400 workloads without policies: 160,000 lines, far more than a pipe holds.
    const manifests = Array.from({ length: 400 }, (_unused, index) => [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: app${index}, namespace: big}`,
      `spec: {selector: {matchLabels: {app: a${index}}}, template: {metadata: {labels: {app: a${index}}}, spec: {containers: [{name: c, image: i}]}}}`,
    ].join('\n')).join('\n---\n');
    const file = path.join(folder, 'big.yaml');
    fs.writeFileSync(file, manifests);
    const child = spawn(process.execPath, [BIN, 'matrix', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => {
      stderr += String(data);
    });
    // Like `head -1`: read the first chunk and close the reading end.
    await new Promise<void>((resolve) => child.stdout.once('data', () => {
      child.stdout.destroy();
      resolve();
    }));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('hundreds of thousands of findings', () => {
  const file = path.join(folder, 'numbers.yaml');
  // One manifest first: a file of nothing but numbers is not a manifest at all (skipped).
  fs.writeFileSync(file, `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n${'--- 1\n'.repeat(200000)}`);

  it('are listed up to 100 per rule and file in stylish, the rest counted, and the summary counts them all', () => {
    const run = k8snet(['lint', file]);
    expectNoStackTrace(run);
    expect(run.status).toBe(2);
    expect(run.stdout.split('\n').filter((line) => line.includes('input-not-object'))).toHaveLength(101);
    expect(run.stdout).toContain('199,900 more input-not-object errors in this file are not listed');
    expect(run.stdout).toContain('✖ 200,000 problems (200,000 errors, 0 warnings, 0 infos)');
  });

  it('are all listed with --max-repeats 0, in JSON too', () => {
    const report = path.join(folder, 'report.json');
    const run = k8snet(['lint', file, '-f', 'json', '--max-repeats', '0', '-o', report]);
    expectNoStackTrace(run);
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(json.findings).toHaveLength(200000);
    expect(json.omitted).toBeUndefined();
  });
});
