/**
 * The command line as users run it: `node bin/k8snet.js ...` in a child process, checking exit
 * codes, standard output and standard error. Runs the compiled and bundled CLI in dist/ (`npm run
 * build` first, as `npm test` does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT, expectNoStackTrace, k8snet } from './run-cli.js';

const COMPILED = path.join(ROOT, 'dist', 'k8snet.cjs');
const ANSI = /\u001b\[\d+(;\d+)*m/;




const MATRIX_LINE = /^(\S+) => (\S+) : (.+)$/;

it('runs the compiled CLI (build with `npm run build` first)', () => {
  expect(fs.existsSync(COMPILED)).toBe(true);
});

describe('help, version and usage errors', () => {
  it('--help exits 0 and lists every command', () => {
    const run = k8snet(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: k8snet /);
    for (const command of ['lint', 'can-reach', 'matrix', 'explain', 'diff', 'rules', 'inspect']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(run.stdout).toMatch(/--no-color/);
    expect(run.stdout).toMatch(/-n, --namespace <name>/);
    expect(run.stderr).toBe('');
  });

  it('<command> --help exits 0 and shows the command and its exit codes', () => {
    const run = k8snet(['lint', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: k8snet lint /);
    expect(run.stdout).toMatch(/Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors/);
  });

  it('--version prints the package version and exits 0', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = k8snet([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it('diff of two identical trees reports no change and exits 0; of missing paths exits 2 without a stack trace', () => {
    const same = k8snet(['diff', 'fixtures/demo', 'fixtures/demo', '--fail-on', 'added-any']);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^No change in connectivity\./);
    const missing = k8snet(['diff', 'no/such/a', 'no/such/b']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such file or folder/);
    expectNoStackTrace(missing);
  });

  it('an unknown global option or command exits 2 with a hint', () => {
    for (const args of [['--bogus'], ['frobnicate']]) {
      const run = k8snet(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/unknown (option '--bogus'|command 'frobnicate')/);
      expect(run.stderr).toMatch(/k8snet --help/);
      expectNoStackTrace(run);
    }
  });

  it('runs the command after global options however they are written (only that command is defined), with the same help and errors', () => {
    // A namespace that is also a command name must not be taken for the command.
    for (const globals of [['-n', 'lint'], ['--namespace', 'lint'], ['--namespace=lint'], ['-nlint'], ['--no-color', '--debug', '-n', 'lint']]) {
      const run = k8snet([...globals, 'rules']);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^ {2}policy-shadowed /m);
    }
    // Help and errors that name other commands see the whole program.
    const help = k8snet(['-n', 'shop', 'help']);
    expect(help.stdout).toMatch(/^ {2}can-reach \[options\] <src> <dst> \[paths\.\.\.\]/m);
    const mistyped = k8snet(['-n', 'shop', 'lnit']);
    expect(mistyped.status).toBe(2);
    expect(mistyped.stderr).toMatch(/Did you mean lint\?/);
    // The suggestion is on a line of its own, not after an escaped line break.
    const option = k8snet(['can-reach', 'a/b', 'c/d', '--confg', 'x.yaml', 'fixtures/demo']);
    expect(option.status).toBe(2);
    expect(option.stderr).toBe("error: unknown option '--confg'\n(Did you mean --config?)\n(run k8snet --help for usage)\n");
  });

  it('an invalid --max-warnings or unknown rule id exits 2 with a plain message', () => {
    const count = k8snet(['lint', '--max-warnings', 'abc', 'fixtures/demo']);
    expect(count.status).toBe(2);
    expect(count.stderr).toBe("k8snet: 'abc' is not a whole number\n");
    const rule = k8snet(['rules', 'no-such-rule']);
    expect(rule.status).toBe(2);
    expect(rule.stderr).toMatch(/^k8snet: no rule or check called 'no-such-rule'/);
  });

  // BUG (src/cli/main.ts, main): `program.exitOverride()` is called after buildProgram has
  // created the subcommands, and commander copies exitOverride to subcommands only when they
  // are created. Usage errors detected by a subcommand (unknown option, invalid choice, missing
  // argument) therefore end through commander's process.exit(1): exit code 1 ("findings")
  // instead of 2 ("usage error"), e.g. `k8snet lint --bogus x` exits 1.
  it('a usage error inside a command (unknown option, bad choice, missing argument) exits 2', () => {
    for (const args of [['lint', '--bogus', 'fixtures/demo'], ['lint', '--format', 'xml', 'fixtures/demo'], ['matrix', '--format', 'nope', 'fixtures/demo'], ['can-reach']]) {
      const run = k8snet(args);
      expect(run.stderr).toMatch(/^error: /);
      expect(run.status).toBe(2);
    }
  });
});

describe('lint', () => {
  const stylish = k8snet(['lint', 'fixtures/bad-input']);
  const lines = stylish.stdout.split('\n');
  const ROW = /^ {2}(\d+):(\d+) +(error|warning|info) {2,}(.+) {2}(\S+)$/;

  it('exits 2 on fixtures/bad-input (input errors) without a stack trace', () => {
    expect(stylish.status).toBe(2);
    expectNoStackTrace(stylish);
  });

  it('prints a header line per file, then `line:col  severity  message  rule-id` rows', () => {
    const headers = lines.filter((line) => /^fixtures\/bad-input\/\S+$/.test(line));
    expect(headers).toEqual(expect.arrayContaining([
      'fixtures/bad-input/binary.yaml',
      'fixtures/bad-input/broken-syntax.yaml',
      'fixtures/bad-input/empty.yaml',
      'fixtures/bad-input/helm-template.yaml',
      'fixtures/bad-input/invalid-selector.yaml',
      'fixtures/bad-input/json-array.json',
      'fixtures/bad-input/no-apiversion.yaml',
      'fixtures/bad-input/no-kind.yaml',
      'fixtures/bad-input/only-comments.yaml',
      'fixtures/bad-input/unknown-kind.yaml',
      'fixtures/bad-input/wrong-types.yaml',
    ]));
    expect(new Set(headers).size).toBe(headers.length);
    // A row belongs to the header above it.
    const rowsByFile = new Map<string, string[]>();
    let current = '';
    for (const line of lines) {
      if (headers.includes(line)) current = line;
      else if (ROW.test(line)) rowsByFile.set(current, [...(rowsByFile.get(current) ?? []), line]);
    }
    const row = (file: string, position: string, severity: string, ruleId: string) =>
      (rowsByFile.get(`fixtures/bad-input/${file}`) ?? []).find((line) => {
        const match = ROW.exec(line)!;
        return `${match[1]}:${match[2]}` === position && match[3] === severity && match[5] === ruleId;
      });
    expect(row('broken-syntax.yaml', '9:4', 'error', 'input-yaml-syntax')).toMatch(/YAML syntax error: bad indentation of a mapping entry\./);
    expect(row('helm-template.yaml', '2:1', 'error', 'input-helm-template')).toMatch(/unrendered Helm template/);
    expect(row('binary.yaml', '1:1', 'error', 'input-binary')).toBeDefined();
    expect(row('no-kind.yaml', '2:1', 'error', 'input-missing-kind')).toMatch(/Object 'no-kind' has no kind/);
    expect(row('invalid-selector.yaml', '12:9', 'error', 'selector-invalid')).toMatch(/operator 'Contains'/);
    expect(row('wrong-types.yaml', '21:3', 'error', 'input-schema')).toMatch(/spec\.podSelector must be a mapping/);
    expect(row('unknown-kind.yaml', '17:1', 'warning', 'input-unknown-kind')).toMatch(/did you mean Deployment\?/);
    expect(row('unknown-kind.yaml', '4:1', 'info', 'input-unknown-kind')).toBeDefined();
    expect(row('empty.yaml', '1:1', 'warning', 'input-empty')).toBeDefined();
    // The rows of one file are in line order.
    for (const rows of rowsByFile.values()) {
      const numbers = rows.map((line) => Number(ROW.exec(line)![1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
  });

  it('reports the duplicate Service on duplicate-b.yaml with the first definition under it', () => {
    const row = lines.find((line) => ROW.test(line) && ROW.exec(line)![5] === 'duplicate-object');
    expect(row).toMatch(/^ {2}5:3 +warning +.*duplicate-svc/);
    expect(lines[lines.indexOf('fixtures/bad-input/duplicate-b.yaml') + 1]).toBe(row);
    expect(stylish.stdout).toMatch(/^ +first definition: fixtures\/bad-input\/duplicate-a\.yaml:5:3$/m);
  });

  it('ends with a `✖ N problems (E errors, W warnings, I infos)` summary that adds up', () => {
    const summary = lines.filter((line) => line.startsWith('✖'));
    expect(summary).toHaveLength(1);
    const match = /^✖ (\d+) problems \((\d+) errors?, (\d+) warnings?, (\d+) infos?\)/.exec(summary[0]);
    expect(match).not.toBeNull();
    const [total, errors, warnings, infos] = match!.slice(1, 5).map(Number);
    expect(total).toBe(errors + warnings + infos);
    expect(errors).toBeGreaterThanOrEqual(12);
    const rows = lines.filter((line) => ROW.test(line));
    expect(rows).toHaveLength(total);
    expect(rows.filter((line) => ROW.exec(line)![3] === 'error')).toHaveLength(errors);
  });

  it('--format json prints a findings array and summary counts (fixtures/demo)', () => {
    const run = k8snet(['lint', '--format', 'json', 'fixtures/demo']);
    expectNoStackTrace(run);
    const report = JSON.parse(run.stdout) as {
      findings: { ruleId: string; severity: string; message: string; file: string | null; line: number | null; column: number | null }[];
      summary: { errors: number; warnings: number; infos: number; suppressed: number; files: number };
    };
    expect(Array.isArray(report.findings)).toBe(true);
    expect(report.summary.files).toBe(20);
    for (const severity of ['error', 'warning', 'info'] as const) {
      expect(report.summary[`${severity}s`]).toBe(report.findings.filter((finding) => finding.severity === severity).length);
    }
    for (const finding of report.findings) {
      expect(finding).toEqual(expect.objectContaining({ ruleId: expect.any(String), message: expect.any(String), file: expect.stringMatching(/^fixtures\/demo\//), line: expect.any(Number), column: expect.any(Number) }));
    }
    // The demo is valid input: its mistakes are lint findings, never input errors.
    expect(report.findings.filter((finding) => /^input-|^selector-invalid$|^duplicate-object$/.test(finding.ruleId))).toEqual([]);
    expect(run.status).toBe(report.summary.errors > 0 ? 1 : 0);
  });

  it('--format json on bad input is still valid JSON, with the loader findings', () => {
    const run = k8snet(['lint', '-f', 'json', 'fixtures/bad-input']);
    expect(run.status).toBe(2);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; file: string; line: number }[] };
    const syntax = report.findings.find((finding) => finding.ruleId === 'input-yaml-syntax');
    expect(syntax).toMatchObject({ file: 'fixtures/bad-input/broken-syntax.yaml', line: 9 });
  });

  it('exits 2 with input-unreadable for a missing path', () => {
    const run = k8snet(['lint', 'fixtures/no-such-folder']);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^fixtures\/no-such-folder$/m);
    expect(run.stdout).toMatch(/1:1 +error +fixtures\/no-such-folder: no such file or folder +input-unreadable/);
    expectNoStackTrace(run);
  });
});

describe('colour', () => {
  const args = ['lint', 'fixtures/bad-input/broken-syntax.yaml'];

  it('is off when output is not a terminal, and with NO_COLOR', () => {
    expect(k8snet(args, { env: { NO_COLOR: undefined } }).stdout).not.toMatch(ANSI);
    expect(k8snet(args).stdout).not.toMatch(ANSI);
  });

  it('is on with FORCE_COLOR=1, even with NO_COLOR set', () => {
    const forced = k8snet(args, { env: { FORCE_COLOR: '1' } });
    expect(forced.status).toBe(2);
    expect(forced.stdout).toMatch(ANSI);
    // Colour only decorates: without escapes the text is the plain report.
    expect(forced.stdout.replace(/\u001b\[\d+(;\d+)*m/g, '')).toBe(k8snet(args).stdout);
  });

  it('is off with --no-color, even with FORCE_COLOR=1, before or after the command', () => {
    expect(k8snet(['--no-color', ...args], { env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(ANSI);
    expect(k8snet(['lint', '--no-color', 'fixtures/bad-input/broken-syntax.yaml'], { env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(ANSI);
  });

  it('is off with FORCE_COLOR=0', () => {
    expect(k8snet(args, { env: { FORCE_COLOR: '0' } }).stdout).not.toMatch(ANSI);
  });
});

describe('inspect from standard input', () => {
  const list = fs.readFileSync(path.join(ROOT, 'fixtures', 'loader', 'list.yaml'));

  it('reads `-` from a pipe: cat list.yaml | k8snet inspect -', () => {
    const run = k8snet(['inspect', '-'], { input: list });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const counts = Object.fromEntries(run.stdout.trim().split('\n').map((line) => line.split(/\s+/)).map(([name, count]) => [name, Number(count)]));
    expect(counts).toMatchObject({ files: 1, namespaces: 1, workloads: 1, pods: 1, services: 1, networkPolicies: 1, ingresses: 0, nodes: 0, otherObjects: 0 });
  });

  it('shows the objects read from standard input in JSON', () => {
    const run = k8snet(['inspect', '--format', 'json', '-'], { input: list });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { namespaces: { name: string; declared: boolean }[]; workloads: { id: string; replicas: number }[]; inputFindings: unknown[] };
    expect(report.namespaces).toEqual([expect.objectContaining({ name: 'listed', declared: false })]);
    expect(report.workloads).toEqual([expect.objectContaining({ id: 'listed/api[Deployment]', replicas: 1 })]);
    expect(report.inputFindings).toEqual([]);
  });

  it('names standard input <stdin> in findings and exits 2 on its errors', () => {
    const run = k8snet(['inspect', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: indent\n' });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/<stdin>:5:\d+: error: YAML syntax error: .* \[input-yaml-syntax\]/);
    expectNoStackTrace(run);
  });

  it('puts objects without a namespace into --namespace', () => {
    const run = k8snet(['-n', 'team-a', 'inspect', '--format', 'json', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n' });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { workloads: { id: string }[] };
    expect(report.workloads.map((workload) => workload.id)).toEqual(['team-a/p[Pod]']);
  });
});

describe('matrix', () => {
  const run = k8snet(['matrix', 'fixtures/demo']);
  const lines = run.stdout.split('\n').filter((line) => line !== '');

  it('exits 0 and prints only `src => dst : connections` lines', () => {
    expect(run.status).toBe(0);
    expectNoStackTrace(run);
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).toMatch(MATRIX_LINE);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('shows the allowed connections of MISTAKES.md and leaves out the denied ones', () => {
    expect(lines).toEqual(expect.arrayContaining([
      'ingress-nginx/ingress-nginx-controller[Deployment] => shop-frontend/storefront[Deployment] : TCP 8080',
      'shop-backend/checkout[Deployment] => shop-backend/cart[Deployment] : TCP 9090',
      'shop-frontend/storefront[Deployment] => shop-backend/cart[Deployment] : TCP 9090',
      'shop-frontend/storefront[Deployment] => shop-backend/checkout[Deployment] : TCP 9090',
      'shop-backend/cart[Deployment] => kube-system/coredns[Deployment] : TCP 53,UDP 53',
      'monitoring/prometheus[Deployment] => shop-data/postgres[StatefulSet] : TCP 9187',
    ]));
    const pairs = lines.map((line) => { const match = MATRIX_LINE.exec(line)!; return `${match[1]} => ${match[2]}`; });
    for (const denied of [
      'shop-frontend/storefront[Deployment] => shop-backend/catalog[Deployment]',
      'shop-backend/catalog[Deployment] => shop-data/postgres[StatefulSet]',
      'shop-backend/checkout[Deployment] => shop-data/postgres[StatefulSet]',
      'shop-backend/cart[Deployment] => shop-data/redis[StatefulSet]',
      'shop-backend/checkout[Deployment] => kube-system/coredns[Deployment]',
      'shop-frontend/storefront[Deployment] => monitoring/grafana[Deployment]',
    ]) expect(pairs).not.toContain(denied);
  });
});

describe('can-reach on the demo (MISTAKES.md reachability table)', () => {
  const ask = (source: string, destination: string, port: string) => k8snet(['can-reach', source, destination, '--port', port, 'fixtures/demo']);

  it.each([
    ['ingress-nginx/ingress-nginx-controller', 'shop-frontend/storefront', '8080'],
    ['shop-backend/checkout', 'shop-backend/cart', '9090'],
    ['shop-backend/checkout', 'ip:203.0.113.10', '443'],
  ])('%s -> %s:%s is allowed: exit 0, REACHABLE', (source, destination, port) => {
    const run = ask(source, destination, port);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^✔ REACHABLE: /);
    expect(run.stdout).not.toMatch(/NOT REACHABLE/);
    expectNoStackTrace(run);
  });

  it.each([
    ['shop-frontend/storefront', 'shop-backend/catalog', '8080', 'mistake 2: the policy selects app=catlog'],
    ['shop-backend/cart', 'shop-data/redis', '6379', 'mistake 3: egress to a namespace label nobody has'],
    ['shop-backend/checkout', 'kube-system/coredns', '53/UDP', 'mistake 4: no DNS egress for checkout'],
    ['shop-backend/checkout', 'ip:203.0.113.70', '443', 'inside the ipBlock except'],
  ])('%s -> %s:%s is denied (%s): exit 1, NOT REACHABLE', (source, destination, port) => {
    const run = ask(source, destination, port);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^✖ NOT REACHABLE: /);
    expectNoStackTrace(run);
  });

  it('explains the verdict with the deciding policy and its file:line', () => {
    const run = ask('shop-frontend/storefront', 'shop-backend/catalog', '8080');
    expect(run.stdout).toMatch(/fixtures\/demo\/shop-backend\/networkpolicies\.yaml:\d+/);
    expect(run.stdout).toMatch(/shop-frontend\/allow-egress-to-backend/);
  });

  it('exits 2 for an endpoint that is not in the manifests', () => {
    const run = ask('shop-backend/nope', 'shop-backend/cart', '9090');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^k8snet: /m);
    expectNoStackTrace(run);
  });
});

describe('explain and the replicas of one workload', () => {
  const brokers = (ingressFromBrokers: boolean) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka, namespace: data}
spec:
  replicas: 3
  serviceName: kafka
  selector: {matchLabels: {app: kafka}}
  template:
    metadata: {labels: {app: kafka}}
    spec: {containers: [{name: kafka, image: kafka, ports: [{containerPort: 9092}, {containerPort: 9093}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: kafka, namespace: data}
spec:
  podSelector: {matchLabels: {app: kafka}}
  ingress: [${ingressFromBrokers ? '{from: [{podSelector: {matchLabels: {app: kafka}}}], ports: [{port: 9093}]}' : ''}]
`;

  it('lists what the replicas open to each other (the matrix has no line for a workload to itself), for one pod too', () => {
    for (const target of ['data/kafka', 'data/kafka-1']) {
      const run = k8snet(['explain', target, '-'], { input: brokers(true) });
      expectNoStackTrace(run);
      expect(run.stdout).toMatch(/can be reached from \(1\):\n {4}data\/kafka\[StatefulSet\] \(between its replicas\) : TCP 9093\n/);
      expect(run.stdout).toMatch(/can reach \(2\):\n {4}data\/kafka\[StatefulSet\] \(between its replicas\) : TCP 9093\n/);
    }
    const json = JSON.parse(k8snet(['explain', 'data/kafka', '-', '-f', 'json'], { input: brokers(true) }).stdout) as { allowedIn: { from: string; connections: string }[] };
    expect(json.allowedIn).toEqual([{ from: 'data/kafka[StatefulSet] (between its replicas)', connections: 'TCP 9093' }]);
    // Nothing between them: no line.
    expect(k8snet(['explain', 'data/kafka', '-'], { input: brokers(false) }).stdout).toMatch(/can be reached from \(0\):/);
  });
});

describe('explain and namespaces outside the manifests', () => {
  it('adds the pods of namespaces made elsewhere that a namespaceSelector admits to "can be reached from"', () => {
    const manifests = `apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}}]
    ports: [{port: 5432}]
`;
    const run = k8snet(['explain', 'prod/Pod/db', '-'], { input: manifests });
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/^ {4}\+ pods of namespaces outside the manifests matching env notin \(dev\): TCP 5432 \(prod\/db-in ingress\[0\] \(<stdin>:\d+\)\)$/m);
    const json = JSON.parse(k8snet(['explain', 'prod/Pod/db', '-', '-f', 'json'], { input: manifests }).stdout) as { allowedInFromOutside: string[]; allowedOutToOutside: string[] };
    expect(json.allowedInFromOutside).toHaveLength(1);
    expect(json.allowedOutToOutside).toEqual([]);
    // A policy of another kind on the same side decides too: named, as what may decide otherwise.
    const admin = `${manifests}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: admin-deny}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: prod}}}
  ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]
`;
    expect(k8snet(['explain', 'prod/Pod/db', '-'], { input: admin }).stdout).toMatch(/matching env notin \(dev\): TCP 5432 \(.*\), unless ClusterNetworkPolicy admin-deny decides otherwise$/m);
  });
});

describe('rules', () => {
  it('lists the input checks and documents one', () => {
    const list = k8snet(['rules']);
    expect(list.status).toBe(0);
    for (const id of ['input-yaml-syntax', 'input-helm-template', 'input-binary', 'input-schema', 'selector-invalid']) expect(list.stdout).toContain(id);
    const one = k8snet(['rules', 'input-helm-template']);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^input-helm-template \(input, error\)/);
    expect(one.stdout).toMatch(/helm template/);
  });
});
