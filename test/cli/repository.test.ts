/**
 * A repository as users have them (fixtures/repository: kustomize, a Helm chart, CI and tool
 * files, other projects' kinds with Kubernetes' names, YAML only kubectl reads), through the CLI:
 * lint exits 0 or 1 by its findings, never 2 for those files; files that are not manifests are
 * skipped with one summary line; a folder without any manifest is an error, a file given by name
 * never is; every command reads .k8snet.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT, expectNoStackTrace, k8snet } from './run-cli.js';

const REPOSITORY = path.join(ROOT, 'fixtures', 'repository');

interface JsonReport {
  findings: { ruleId: string; severity: string; file: string; line: number; message: string; kind: string | null; name: string | null; related?: { file: string; message: string }[] }[];
  summary: { errors: number; warnings: number; infos: number; files: number; notManifests: number };
  notManifests: { file: string; reason: string }[];
}

const SKIPPED = [
  '.gitlab-ci.yml', '.pre-commit-config.yaml', 'charts/web/Chart.yaml', 'charts/web/templates/deployment.yaml', 'charts/web/templates/service.yaml',
  'charts/web/values-prod.yaml', 'charts/web/values.yaml', 'deploy/base/kustomization.yaml', 'deploy/overlays/prod/config/app.yaml',
  'deploy/overlays/prod/kustomization.yaml', 'deploy/overlays/prod/labels.yaml', 'deploy/overlays/prod/ports-patch.yaml', 'deploy/overlays/prod/replicas.yaml',
  'deploy/overlays/staging/kustomization.yaml', 'deploy/overlays/staging/replicas.yaml', 'deploy/overlays/staging/resources.yaml',
  'docker-compose.yml', 'istio/istio-operator.yaml', 'package.json', 'tsconfig.json',
];

describe('k8snet lint on a repository of manifests and the files beside them', () => {
  // From the repository's root, as a CI job runs it: its .k8snet.yaml applies.
  const run = k8snet(['lint', '.', '--format', 'json'], { cwd: REPOSITORY });
  const report = JSON.parse(run.stdout) as JsonReport;

  it('exits by its findings, never 2, with no input error', () => {
    expectNoStackTrace(run);
    expect([0, 1]).toContain(run.status);
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(report.findings.filter((finding) => finding.ruleId.startsWith('input-') && finding.severity !== 'info')).toEqual([]);
  });

  it('skips the files that are not manifests, lists them with the reason in JSON, and reports nothing in them', () => {
    expect(report.notManifests.map((file) => file.file).sort()).toEqual([...SKIPPED].sort());
    expect(report.summary.notManifests).toBe(SKIPPED.length);
    const reason = (file: string) => report.notManifests.find((entry) => entry.file === file)?.reason;
    expect(reason('deploy/overlays/prod/replicas.yaml')).toBe('kustomize patch or configuration named in deploy/overlays/prod/kustomization.yaml');
    // A kustomization with kind: Kustomization is read whole (not as an unknown kind's identity), so its patches are known too.
    expect(reason('deploy/overlays/staging/resources.yaml')).toBe('kustomize patch or configuration named in deploy/overlays/staging/kustomization.yaml');
    expect(reason('charts/web/templates/deployment.yaml')).toBe('Helm chart template (render it: helm template charts/web | k8snet lint -)');
    expect(reason('istio/istio-operator.yaml')).toBe('istioctl installation configuration');
    expect(report.findings.filter((finding) => SKIPPED.includes(finding.file))).toEqual([]);
    // JSON on standard output is the whole report: nothing on standard error.
    expect(run.stderr).toBe('');
  });

  it('reads the other projects\' kinds as other kinds, and the YAML only kubectl reads', () => {
    const unknown = report.findings.filter((finding) => finding.ruleId === 'input-unknown-kind').map((finding) => `${finding.file}: ${finding.message.slice(0, finding.message.indexOf(' is not'))}`);
    expect(unknown).toEqual([
      'knative/service.yaml: Kind Service of serving.knative.dev (v1)',
      'policies/antrea-policy.yaml: Kind NetworkPolicy of crd.antrea.io (v1beta1)',
    ]);
    // Calico's NetworkPolicy is modelled as Calico's, never as Kubernetes' own.
    expect(report.findings.filter((finding) => finding.file === 'policies/calico-policy.yaml')).toEqual([]);
    // The DaemonSet of go-yaml/flow-close-bracket.yaml is read (a workload of its own): it is open,
    // and listed under its namespace's default-deny finding (workload-not-isolated folds there).
    const namespaceFinding = report.findings.find((finding) => finding.ruleId === 'namespace-no-default-deny-ingress' && finding.name === 'shop');
    expect(namespaceFinding?.related).toContainEqual(expect.objectContaining({
      file: 'go-yaml/flow-close-bracket.yaml', message: 'not isolated: shop/spire-agent[DaemonSet]',
    }));
  });

  it('applies the repository\'s .k8snet.yaml', () => {
    expect(report.findings.some((finding) => finding.ruleId === 'namespace-no-default-deny-egress')).toBe(false);
  });

  it('says so when the repository\'s .k8snet.yaml is not read (linted from the folder above), for every command', () => {
    const parent = path.dirname(REPOSITORY);
    const note = 'note: repository/.k8snet.yaml is not read: no .k8snet.yaml is found from the current folder upwards, so the defaults apply; '
      + 'run k8snet in repository or pass --config repository/.k8snet.yaml.\n';
    for (const args of [['lint', 'repository'], ['inspect', 'repository'], ['matrix', 'repository'], ['diff', 'repository', 'repository']]) {
      const fromParent = k8snet(args, { cwd: parent });
      expect([args[0], fromParent.stderr]).toEqual([args[0], expect.stringContaining(note)]);
    }
    expect(k8snet(['lint', 'repository', '--config', 'repository/.k8snet.yaml'], { cwd: parent }).stderr).not.toContain('is not read');
  });

  it('says in one line on standard error how many files were skipped, and --verbose lists them', () => {
    const stylish = k8snet(['lint', '.'], { cwd: REPOSITORY });
    expect(stylish.stderr.split('\n')[0]).toBe(`${SKIPPED.length} files are not Kubernetes manifests: skipped; --verbose lists them`);
    // The repository holds kustomizations: how to lint what one applies, once.
    expect(stylish.stderr.split('\n').slice(1)).toEqual([expect.stringMatching(/^note: kustomize files are read as written, without the namespace and patches a kustomization applies; to check what it applies: kustomize build \S+ \| k8snet lint -$/), '']);
    const verbose = k8snet(['lint', '.', '--verbose'], { cwd: REPOSITORY });
    expect(verbose.stderr.split('\n')[0]).toBe(`${SKIPPED.length} files are not Kubernetes manifests: skipped:`);
    expect(verbose.stderr).toContain('  istio/istio-operator.yaml: istioctl installation configuration\n');
    expect(verbose.status).toBe(stylish.status);
  });

  it('prints the same line for every command that reads manifests', () => {
    for (const args of [['matrix', '.'], ['inspect', '.'], ['graph', '.'], ['ipam', '.'], ['explain', 'shop/web', '.'], ['can-reach', 'shop/web', 'shop/spire-agent', '.', '--all-files']]) {
      const command = k8snet(args, { cwd: REPOSITORY });
      expectNoStackTrace(command);
      expect([args[0], command.stderr]).toEqual([args[0], expect.stringContaining(`${SKIPPED.length} files are not Kubernetes manifests: skipped; --verbose lists them\n`)]);
      expect([args[0], command.status]).not.toEqual([args[0], 2]);
    }
  });
});

describe('the pre-commit hook on staged files that are not manifests', () => {
  it('passes when only non-manifests are staged while the context holds the manifests', () => {
    const run = k8snet(['lint', '--context', '.', '.pre-commit-config.yaml', 'package.json', '.github/workflows/ci.yaml', 'charts/web/values.yaml'], { cwd: REPOSITORY });
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('4 files are not Kubernetes manifests: skipped; --verbose lists them\n');
  });

  it('recognises a strategic-merge patch given alone by the kustomization beside it', () => {
    const run = k8snet(['lint', 'deploy/overlays/prod/replicas.yaml', '--verbose'], { cwd: REPOSITORY });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('1 file is not a Kubernetes manifest: skipped:\n  deploy/overlays/prod/replicas.yaml: kustomize patch or configuration named in deploy/overlays/prod/kustomization.yaml\n');
  });
});

describe('a folder that holds no manifest at all is an error (ESLint\'s rule); a file given never is', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-repository-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('names the folder and says why: nothing there, only non-manifests, a Helm chart', () => {
    fs.mkdirSync(path.join(temp, 'nothing'));
    const empty = k8snet(['lint', path.join(temp, 'nothing')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe(`k8snet: no manifests found in ${path.join(temp, 'nothing')}\n`);
    const chart = k8snet(['lint', 'charts/web'], { cwd: REPOSITORY });
    expect(chart.status).toBe(2);
    expect(chart.stderr).toBe('k8snet: no manifests found in charts/web (the 5 files there are not Kubernetes manifests); for a Helm chart, lint what it renders: helm template CHART | k8snet lint -\n');
    const hidden = k8snet(['matrix', '.github'], { cwd: REPOSITORY });
    expect(hidden.status).toBe(2);
    expect(hidden.stderr).toBe('k8snet: no manifests found in .github (the 1 file there is not a Kubernetes manifest)\n');
  });

  it('counts manifests the configuration ignores as none', () => {
    const config = path.join(temp, 'ignore-base.yaml');
    fs.writeFileSync(config, 'ignore:\n  - deploy/base/**\n');
    const run = k8snet(['lint', 'deploy/base', '--config', config], { cwd: REPOSITORY });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("k8snet: no manifests found in deploy/base (the 1 file there is not a Kubernetes manifest; 4 manifests are ignored by the configuration's ignore globs)\n");
  });

  it('never for files given by name, nor for the folders of --context', () => {
    expect(k8snet(['lint', 'package.json'], { cwd: REPOSITORY }).status).toBe(0);
    expect(k8snet(['lint', '--context', path.join(temp, 'nothing'), 'deploy/base/service.yaml'], { cwd: REPOSITORY }).status).toBe(0);
  });
});

describe('every command reads .k8snet.yaml: its ignore globs hide input findings, errors too', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-config-everywhere-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
  fs.mkdirSync(path.join(temp, 'app'));
  fs.mkdirSync(path.join(temp, 'generated'));
  fs.writeFileSync(path.join(temp, 'app', 'web.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  containers: [{name: web, image: web, ports: [{containerPort: 80}]}]\n');
  fs.writeFileSync(path.join(temp, 'generated', 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\nspec:\n  ports:\n    port: 80\n');
  const COMMANDS: readonly string[][] = [
    ['lint', '.'], ['matrix', '.'], ['inspect', '.'], ['graph', '.'], ['ipam', '.'], ['explain', 'shop/web', '.'],
    ['can-reach', 'shop/web', 'shop/web', '.', '--all-files'], ['diff', 'app', '.'],
  ];

  it.each(COMMANDS)('%s: the wrongly typed Service in an ignored folder is an error without the configuration, hidden with it', (...args) => {
    fs.rmSync(path.join(temp, '.k8snet.yaml'), { force: true });
    const without = k8snet(args, { cwd: temp });
    expectNoStackTrace(without);
    expect(without.status).toBe(2);
    expect(`${without.stdout}${without.stderr}`).toContain('spec.ports must be a list');
    fs.writeFileSync(path.join(temp, '.k8snet.yaml'), 'ignore:\n  - generated/**\n');
    const withConfig = k8snet(args, { cwd: temp });
    expect(withConfig.status).not.toBe(2);
    expect(`${withConfig.stdout}${withConfig.stderr}`).not.toContain('spec.ports must be a list');
  });

  it('and each takes --config', () => {
    const config = path.join(temp, 'elsewhere.yaml');
    fs.writeFileSync(config, 'ignore:\n  - generated/**\n');
    fs.rmSync(path.join(temp, '.k8snet.yaml'), { force: true });
    for (const args of COMMANDS) expect([args[0], k8snet([...args, '--config', config], { cwd: temp }).status]).not.toEqual([args[0], 2]);
  });
});
