/**
 * The CLI on a folder whose file names and manifests hold hostile sequences (issue 18,
 * injection): standard output and standard error carry no control, line-separator or bidi
 * character but k8snet's own newlines, so nothing reaches a terminal or a GitHub log raw.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-hostile-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

const NAME = 'x\n::error file=a::pwned\u001b]0;title\u0007\u001b[31m\u202egnp';
const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: "10.0.0.0/8\\n::error::cidr"}}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: web}]}}
---
apiVersion: example.com/v1
kind: "Widget\\n::warning::kind\\u001b[2J"
metadata: {name: w, namespace: shop}
`;
fs.writeFileSync(path.join(folder, `${NAME}.yaml`), POLICY);

const RAW = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;

function expectInert(text: string): void {
  for (const line of text.split('\n')) {
    expect(line).not.toMatch(RAW);
    expect(line.startsWith('::')).toBe(false);
  }
}

describe('hostile file names, kinds and values', () => {
  it.each([
    ['lint', ['lint', folder]],
    ['lint --verbose', ['lint', folder, '--verbose']],
    ['inspect', ['inspect', folder]],
    ['matrix', ['matrix', folder]],
    ['matrix -f md', ['matrix', folder, '-f', 'md']],
    ['explain', ['explain', 'shop/web', folder]],
    ['can-reach', ['can-reach', 'shop/web', 'shop/web', folder]],
    ['graph', ['graph', folder]],
    ['ipam', ['ipam', folder]],
    ['diff', ['diff', folder, folder]],
  ])('%s writes them escaped', (_name, args) => {
    const run = k8snet(args);
    expectNoStackTrace(run);
    expectInert(run.stdout);
    expectInert(run.stderr);
    expect(`${run.stdout}${run.stderr}`).toContain('x\\n::error file=a::pwned\\x1B]0;title\\x07\\x1B[31m\\u202Egnp.yaml');
  });

  it('lint -f github writes one workflow command per finding, each on its line', () => {
    const run = k8snet(['lint', folder, '-f', 'github']);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) /);
    expect(run.stdout).toContain('/x%0A%3A%3Aerror file=a%3A%3Apwned');
  });

  it('a hostile argument is escaped in the error message', () => {
    const run = k8snet(['explain', 'shop/\u001b[31mweb\n::error::x', folder]);
    expect(run.status).toBe(2);
    expectInert(run.stderr);
    expect(run.stderr).toContain('shop/\\x1B[31mweb\\n::error::x');
  });
});
