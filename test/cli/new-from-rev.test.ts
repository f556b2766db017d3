/**
 * `k8snet lint --new-from-rev REV`, tried in temporary git repositories: only what the working tree
 * adds is reported, compared by fingerprint wherever it lands; a reformat adds nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-new-from-rev-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

function git(repository: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd: repository, encoding: 'utf8' });
}

/** A repository with `files` committed as its first commit. */
function repository(name: string, files: Record<string, string>): string {
  const folder = path.join(TEMP, name);
  fs.mkdirSync(folder);
  git(folder, 'init', '-q');
  write(folder, files);
  git(folder, 'add', '-A');
  git(folder, 'commit', '-q', '-m', 'base');
  return folder;
}

function write(folder: string, files: Record<string, string | null>): void {
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(folder, file);
    if (text === null) {
      fs.rmSync(full);
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
}

interface JsonFinding {
  ruleId: string;
  file: string;
  line: number;
  name: string | null;
  message: string;
}

function newFindings(folder: string, revision: string, ...paths: string[]): { status: number | null; findings: JsonFinding[]; stderr: string } {
  const run = k8snet(['lint', '--new-from-rev', revision, '--format', 'json', ...(paths.length > 0 ? paths : ['.'])], { cwd: folder });
  expectNoStackTrace(run);
  return { status: run.status, findings: JSON.parse(run.stdout).findings, stderr: run.stderr };
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: web:1
          ports:
            - name: http
              containerPort: 8080
`;

const DEFAULT_DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

const ALLOW_DNS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
`;

const WEB_INGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-ingress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - ports:
        - port: http
`;

describe('k8snet lint --new-from-rev', () => {
  it('reports egress-blocks-dns on the untouched Deployment when the change deletes the policy that allowed DNS', () => {
    const folder = repository('dns', { 'app/deploy.yaml': WEB, 'app/netpol.yaml': `${DEFAULT_DENY}---\n${ALLOW_DNS}`, 'app/web-ingress.yaml': WEB_INGRESS });
    expect(newFindings(folder, 'HEAD')).toMatchObject({ status: 0, findings: [] });
    write(folder, { 'app/netpol.yaml': DEFAULT_DENY });
    const { status, findings } = newFindings(folder, 'HEAD');
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.line}`)).toEqual(['egress-blocks-dns app/deploy.yaml:12']);
    expect(status).toBe(1);
    // Given only the changed file with the repository as context, the finding lands outside it and is still shown.
    const scoped = k8snet(['lint', '--new-from-rev', 'HEAD', '--context', '.', 'app/netpol.yaml', '-f', 'json'], { cwd: folder });
    expect(JSON.parse(scoped.stdout).findings.map((finding: JsonFinding) => finding.ruleId)).toEqual(['egress-blocks-dns']);
    // Committed, the finding is no longer new; what HEAD already had is counted on standard error.
    git(folder, 'commit', '-q', '-am', 'drop dns');
    const again = newFindings(folder, 'HEAD');
    expect(again).toMatchObject({ status: 0, findings: [] });
    expect(again.stderr).toContain("1 finding that HEAD already had is not shown");
    expect(newFindings(folder, 'HEAD~1').findings.map((finding) => finding.ruleId)).toEqual(['egress-blocks-dns']);
  });

  it('reports what a relabelled workload breaks: the policy that no longer selects it, and the workload left open', () => {
    const folder = repository('relabel', { 'deploy.yaml': WEB, 'policies.yaml': `${WEB_INGRESS}---\n${ALLOW_DNS}` });
    write(folder, { 'deploy.yaml': WEB.replace(/app: web$/gm, 'app: website') });
    const { findings } = newFindings(folder, 'HEAD');
    expect(findings.map((finding) => `${finding.ruleId} ${finding.name}`).sort()).toEqual([
      'policy-selects-nothing web-ingress',
      'workload-not-isolated web',
    ]);
    expect(findings.find((finding) => finding.ruleId === 'policy-selects-nothing')!.file).toBe('policies.yaml');
  });

  it('reports nothing new for a pure reformat: keys reordered, flow style, comments, objects moved to other files', () => {
    const files = { 'deploy.yaml': WEB, 'policies.yaml': `${WEB_INGRESS}---\n${DEFAULT_DENY}` };
    const folder = repository('reformat', files);
    const before = newFindings(folder, 'HEAD~0');
    expect(before.findings).toEqual([]);
    const plain = k8snet(['lint', '.', '-f', 'json'], { cwd: folder });
    // The base has findings of its own (DNS blocked, the web-ingress' every-source rule...): all must stay "known".
    expect(JSON.parse(plain.stdout).findings.length).toBeGreaterThan(0);
    write(folder, {
      'deploy.yaml': null,
      'policies.yaml': null,
      'k8s/a/default-deny.yaml': `# moved here\n${DEFAULT_DENY}`,
      'k8s/b/all.yaml': [
        'kind: NetworkPolicy',
        'apiVersion: networking.k8s.io/v1',
        'spec: {ingress: [{ports: [{port: http}]}], podSelector: {matchLabels: {app: web}}}',
        'metadata: {namespace: shop, name: web-ingress}',
        '---',
        `# the Deployment, with its keys in another order\n${WEB.replace('apiVersion: apps/v1\nkind: Deployment\n', 'kind: Deployment\napiVersion: apps/v1\n')}`,
      ].join('\n'),
    });
    const after = newFindings(folder, 'HEAD');
    expect(after).toMatchObject({ status: 0, findings: [] });
    // SARIF carries the same fingerprints before and after, so code scanning keeps the alerts.
    const sarifNow = JSON.parse(k8snet(['lint', '.', '-f', 'sarif'], { cwd: folder }).stdout);
    const printsOf = (sarif: { runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[] }) =>
      sarif.runs[0].results.map((result) => `${result.ruleId}:${result.partialFingerprints['k8snet/v1']}`).sort();
    git(folder, 'stash', '-q', '-u');
    const sarifBefore = JSON.parse(k8snet(['lint', '.', '-f', 'sarif'], { cwd: folder }).stdout);
    expect(printsOf(sarifNow)).toEqual(printsOf(sarifBefore));
    expect(printsOf(sarifNow).length).toBeGreaterThan(0);
  });

  it('treats a file that did not exist at REV as new, its findings with it (a new cause with its places listed under it)', () => {
    const folder = repository('added', { 'policies.yaml': ALLOW_DNS });
    write(folder, { 'team/deploy.yaml': WEB });
    const { findings } = newFindings(folder, 'HEAD');
    // The namespace had no pod before: its missing default deny is new, and lists the open workload.
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['namespace-no-default-deny-ingress team/deploy.yaml']);
    expect((findings[0] as unknown as { related: { message: string }[] }).related.map((related) => related.message)).toEqual(['not isolated: shop/web[Deployment]']);
  });

  it('annotates a Deployment added to an unprotected namespace on its own lines, the namespace finding being old', () => {
    const folder = repository('unprotected', { 'web.yaml': WEB, 'dns.yaml': ALLOW_DNS });
    expect(JSON.parse(k8snet(['lint', '.', '-f', 'json'], { cwd: folder }).stdout).findings.map((finding: JsonFinding) => finding.ruleId))
      .toContain('namespace-no-default-deny-ingress');
    write(folder, { 'worker.yaml': WEB.replace(/web/g, 'worker') });
    const { status, findings } = newFindings(folder, 'HEAD');
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.line}`)).toEqual(['workload-not-isolated worker.yaml:12']);
    expect(findings[0].message).toBe('shop/worker[Deployment] is not isolated for ingress: namespace shop has no NetworkPolicy for Ingress, so any pod or address can connect to it.');
    // A warning: the run fails on it only when asked to.
    expect(status).toBe(0);
    expect(k8snet(['lint', '--new-from-rev', 'HEAD', '--fail-on', 'warning', '.'], { cwd: folder }).status).toBe(1);
  });

  it('compares the same paths at REV: a sub-folder given on the command line is read there too', () => {
    const folder = repository('subfolder', { 'app/deploy.yaml': WEB, 'app/netpol.yaml': `${DEFAULT_DENY}---\n${ALLOW_DNS}`, 'other/noise.yaml': WEB.replace(/shop/g, 'other') });
    write(folder, { 'app/netpol.yaml': DEFAULT_DENY, 'other/noise.yaml': WEB.replace(/shop/g, 'elsewhere') });
    const { findings } = newFindings(path.join(folder, 'app'), 'HEAD', '.');
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['egress-blocks-dns deploy.yaml']);
  });

  it('is a usage error (exit 2) for a revision that does not exist, one starting with -, standard input, or outside a repository', () => {
    const folder = repository('errors', { 'deploy.yaml': WEB });
    const missing = k8snet(['lint', '--new-from-rev', 'no-such-branch', '.'], { cwd: folder });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('k8snet: --new-from-rev no-such-branch: no revision no-such-branch in this repository\n');
    const dash = k8snet(['lint', '--new-from-rev=--output=/tmp/x', '.'], { cwd: folder });
    expect(dash.status).toBe(2);
    expect(dash.stderr).toMatch(/cannot start with '-'/);
    const stdin = k8snet(['lint', '--new-from-rev', 'HEAD', '-'], { cwd: folder, input: WEB });
    expect(stdin.status).toBe(2);
    expect(stdin.stderr).toMatch(/standard input has no earlier revision/);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-not-a-repository-'));
    try {
      const run = k8snet(['lint', '--new-from-rev', 'HEAD', '.'], { cwd: outside });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^k8snet: --new-from-rev HEAD: .*not a git repository/i);
      expectNoStackTrace(run);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('says how to fetch a revision a shallow clone lacks', () => {
    const origin = repository('origin', { 'deploy.yaml': WEB });
    write(origin, { 'policies.yaml': ALLOW_DNS });
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'second');
    const clone = path.join(TEMP, 'shallow');
    git(TEMP, 'clone', '-q', '--depth', '1', `file://${origin}`, clone);
    const run = k8snet(['lint', '--new-from-rev', 'HEAD~1', '.'], { cwd: clone });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no revision HEAD~1 in this clone, which is shallow: fetch it first \(git fetch --unshallow/);
    expect(run.stderr).toMatch(/fetch-depth: 0/);
  });
});
