/**
 * Issue 18 at the command line: arguments that were taken as something else (`--port 1-100`,
 * `-n ''`, a git revision that is an option), .k8snet.yaml and standard input that could block
 * or exhaust memory, and a diff gate that let a new internet-facing workload through.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { BIN, ROOT, expectNoStackTrace, k8snet } from './run-cli.js';
import { readManifestsAtRevision } from '../../src/load/git.js';

const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-hardening-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
function tree(files: Record<string, string>): string {
  const root = path.join(TEMP, `t${counter++}`);
  fs.mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

function mkfifo(target: string): boolean {
  try {
    execFileSync('mkfifo', [target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const DEMO = path.join(ROOT, 'fixtures', 'demo');
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const DEPLOYMENT = (name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: main, image: app}]}}
`;
const DENY_ALL = '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}\n';

describe('arguments', () => {
  it.each([
    [['--port', '1-100'], "'1-100' is a range"],
    [['--port', '0x50'], "'0x50' reads as a number written in another notation"],
    [['--port', '1e3'], "'1e3' reads as a number written in another notation"],
    [['--port', ''], "'' is neither a port number"],
  ])('can-reach %j is a usage error', (flags, message) => {
    const run = k8snet(['can-reach', 'shop-frontend/storefront', 'shop-backend/cart', DEMO, ...flags]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it.each([[''], ['Shop'], ['a'.repeat(64)], ['-x']])('-n %j is a usage error', (namespace) => {
    const run = k8snet(['-n', namespace, 'lint', DEMO]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a namespace name is 1-63 characters');
  });

  it('diff --git refuses a revision that starts with -, which git would read as an option', () => {
    const repository = tree({ 'manifests/a.yaml': NAMESPACE });
    execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: repository });
    execFileSync('git', ['add', '.'], { cwd: repository });
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'one'], { cwd: repository });
    const written = path.join(repository, 'written-by-git');
    for (const range of [`--output=${written}..HEAD`, `HEAD..--output=${written}`]) {
      const run = k8snet(['diff', '--git', range, 'manifests'], { cwd: repository });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`'--output=${written}' is not a revision (a revision cannot start with '-')`);
      expectNoStackTrace(run);
    }
    expect(fs.existsSync(written)).toBe(false);
  });
});

describe('diff --git and a blob over the size limit', () => {
  it('lists it with its size from git and does not read it', () => {
    const repository = tree({ 'manifests/a.yaml': NAMESPACE, 'manifests/big.yaml': '' });
    fs.truncateSync(path.join(repository, 'manifests', 'big.yaml'), 65 * 1024 * 1024);
    execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: repository });
    execFileSync('git', ['add', '.'], { cwd: repository });
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'one'], { cwd: repository });
    const files = readManifestsAtRevision('HEAD', 'manifests', repository);
    expect(files).toEqual([{ path: 'HEAD:manifests/a.yaml', text: Buffer.from(NAMESPACE) }, { path: 'HEAD:manifests/big.yaml', tooLarge: 65 * 1024 * 1024 }]);
    const run = k8snet(['diff', '--git', 'HEAD..', 'manifests'], { cwd: repository });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('HEAD:manifests/big.yaml is 65 MiB, larger than the 64 MiB limit; it was not read.');
  });
});

describe('.k8snet.yaml that is not a plain file', () => {
  it('a FIFO is refused at once, not opened', () => {
    const root = tree({ 'a.yaml': NAMESPACE });
    if (!mkfifo(path.join(root, '.k8snet.yaml'))) return;
    const run = k8snet(['lint', 'a.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`k8snet: ${path.join(root, '.k8snet.yaml')}: a FIFO (named pipe), not a regular file; it should be k8snet's configuration file\n`);
  });

  it('a symbolic link to /dev/zero is refused, not read', () => {
    if (!fs.existsSync('/dev/zero')) return;
    const root = tree({ 'a.yaml': NAMESPACE });
    fs.symlinkSync('/dev/zero', path.join(root, '.k8snet.yaml'));
    const run = k8snet(['lint', 'a.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.k8snet.yaml: a character device, not a regular file');
  });

  it('a folder named .k8snet.yaml gets a plain message, not EISDIR', () => {
    const root = tree({ 'a.yaml': NAMESPACE, '.k8snet.yaml/x': '' });
    const run = k8snet(['lint', 'a.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`k8snet: ${path.join(root, '.k8snet.yaml')}: is a folder, not a file; it should be k8snet's configuration file\n`);
  });

  it('a file over the size limit is refused before it is read', () => {
    const root = tree({ 'a.yaml': NAMESPACE, '.k8snet.yaml': '' });
    fs.truncateSync(path.join(root, '.k8snet.yaml'), 65 * 1024 * 1024);
    const run = k8snet(['lint', 'a.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.k8snet.yaml: larger than the 64 MiB limit');
  });

  it('a second YAML document is an error that names it, not settings silently ignored', () => {
    const root = tree({ 'a.yaml': NAMESPACE, '.k8snet.yaml': 'rules:\n  namespace-no-default-deny-ingress: off\n---\nignore: ["a.yaml"]\n' });
    const run = k8snet(['lint', 'a.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`k8snet: ${path.join(root, '.k8snet.yaml')}:4:1: document 2 of the configuration would be ignored: k8snet reads one document; merge its settings into the first\n`);
    // An empty document after the settings (a trailing ---) is no second document.
    fs.writeFileSync(path.join(root, '.k8snet.yaml'), 'rules:\n  namespace-no-default-deny-ingress: off\n---\n');
    expect(k8snet(['lint', 'a.yaml'], { cwd: root }).stderr).toBe('');
  });

  it('an ignore glob that backtracks as a regular expression (46 bytes) does not hang the run', () => {
    const root = tree({ [`${'a'.repeat(60)}/${'a'.repeat(30)}.yaml`]: NAMESPACE + DEPLOYMENT('web'), '.k8snet.yaml': `ignore: ["${'**a'.repeat(15)}b"]\n` });
    const run = k8snet(['lint', '.'], { cwd: root });
    expectNoStackTrace(run);
    expect(run.stdout).toContain('namespace-no-default-deny-ingress');
  });
});

describe('paths and standard input that never end', () => {
  it('a FIFO given as a path is refused at once', () => {
    const root = tree({});
    if (!mkfifo(path.join(root, 'pipe.yaml'))) return;
    const run = k8snet(['lint', 'pipe.yaml'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('pipe.yaml: a FIFO (named pipe), not a regular file');
  });

  it('lint - < /dev/zero stops at the size limit', () => {
    if (!fs.existsSync('/dev/zero')) return;
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      const run = spawnSync(process.execPath, [BIN, 'lint', '-'], { stdio: [zero, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' } });
      expect(run.status).toBe(2);
      expect(run.stdout).toContain('<stdin> is larger than the 64 MiB limit');
    } finally {
      fs.closeSync(zero);
    }
  });

  it('a file over the limit redirected to standard input is refused by its size, unread', () => {
    const big = path.join(tree({}), 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 100 * 1024 * 1024);
    const input = fs.openSync(big, 'r');
    try {
      const run = spawnSync(process.execPath, [BIN, 'lint', '-'], { stdio: [input, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' } });
      expect(run.status).toBe(2);
      expect(run.stdout).toContain('<stdin> is 100 MiB, larger than the 64 MiB limit');
    } finally {
      fs.closeSync(input);
    }
  });
});

describe('diff --fail-on', () => {
  it('trips added-external-ingress for a brand-new internet-facing workload (it exited 0)', () => {
    const before = tree({ 'm.yaml': NAMESPACE + DEPLOYMENT('web') + DENY_ALL });
    const after = tree({ 'm.yaml': NAMESPACE + DEPLOYMENT('web') + DENY_ALL + DEPLOYMENT('admin') });
    const run = k8snet(['diff', before, after, '--fail-on', 'added-external-ingress', '-f', 'csv']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the change trips --fail-on added-external-ingress');
    expect(run.stdout).toContain('added,0.0.0.0-255.255.255.255[External],shop/admin[Deployment],,All Connections,workload shop/admin[Deployment] added');
  });
});
