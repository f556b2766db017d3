/**
 * Pods that controllers and operators make, through the command line as users meet them: a
 * kube-prometheus-like monitoring stack (fixtures/operators/kube-prometheus), argo-cd's HA Redis
 * addressed by pod name (fixtures/operators/argocd-redis-ha), and `.k8snet.yaml` `workloads:` and
 * `namespaces:` read by every command.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT, expectNoStackTrace, k8snet } from './run-cli.js';

const KUBE_PROMETHEUS = path.join(ROOT, 'fixtures', 'operators', 'kube-prometheus');
const REDIS_HA = path.join(ROOT, 'fixtures', 'operators', 'argocd-redis-ha');
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-operators-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

interface JsonFinding { readonly ruleId: string; readonly file: string; readonly line: number; readonly message: string }

function lintJson(cwd: string): JsonFinding[] {
  const run = k8snet(['lint', '.', '-f', 'json'], { cwd });
  expectNoStackTrace(run);
  expect(run.status).toBe(0);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

describe('kube-prometheus', () => {
  it('lint raises no false alarm about the pods of the Prometheus and Alertmanager custom resources', () => {
    const findings = lintJson(KUBE_PROMETHEUS);
    // Before, 12 warnings said the policies, peers and Services for those pods select nothing.
    expect(findings.filter((finding) => /selects-nothing|unknown-label/.test(finding.ruleId))).toEqual([]);
    // Prometheus and Alertmanager are known kinds; ServiceMonitor is not (it runs no pods).
    expect(findings.filter((finding) => finding.ruleId === 'input-unknown-kind').map((finding) => finding.file)).toEqual(['prometheus-serviceMonitor.yaml']);
  });

  it('can-reach: grafana reaches prometheus-k8s on 9090 through the ingress rule that names it', () => {
    const run = k8snet(['can-reach', 'monitoring/grafana', 'svc:monitoring/prometheus-k8s', '--port', '9090', '.'], { cwd: KUBE_PROMETHEUS });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^✔ REACHABLE: monitoring\/grafana\[Deployment\] → svc:monitoring\/prometheus-k8s on 9090\/TCP/);
    expect(run.stdout).toContain('monitoring/prometheus-k8s ingress[2] (prometheus-networkPolicy.yaml:32) allows TCP 9090 from podSelector app.kubernetes.io/name=grafana.');
    // And kube-state-metrics, which no rule names, does not.
    const denied = k8snet(['can-reach', 'monitoring/kube-state-metrics', 'monitoring/prometheus-k8s-0', '--port', '9090', '.'], { cwd: KUBE_PROMETHEUS });
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/^✖ NOT REACHABLE: monitoring\/kube-state-metrics\[Deployment\] → monitoring\/prometheus-k8s-0 on 9090\/TCP/);
  });

  it('diff reports policy fixes that concern only the operator\'s pods (the Alertmanager mesh, Prometheus replicas)', () => {
    const before = path.join(TEMP, 'kube-prometheus-before');
    fs.cpSync(KUBE_PROMETHEUS, before, { recursive: true });
    const alertmanager = path.join(before, 'alertmanager-networkPolicy.yaml');
    const mesh = '  - from:\n    - podSelector:\n        matchLabels:\n          app.kubernetes.io/name: alertmanager\n    ports:\n'
      + '    - port: 9094\n      protocol: TCP\n    - port: 9094\n      protocol: UDP\n';
    const withMesh = fs.readFileSync(alertmanager, 'utf8');
    expect(withMesh).toContain(mesh);
    fs.writeFileSync(alertmanager, withMesh.replace(mesh, ''));
    const prometheus = path.join(before, 'prometheus-networkPolicy.yaml');
    fs.writeFileSync(prometheus, fs.readFileSync(prometheus, 'utf8').replace('    - port: 8080\n      protocol: TCP\n', ''));
    const run = k8snet(['diff', before, KUBE_PROMETHEUS]);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const changes = run.stdout.split('\n').filter((line) => /^[+~-] /.test(line));
    expect(changes).toEqual([
      '+ monitoring/alertmanager-main[StatefulSet] => monitoring/alertmanager-main[StatefulSet] : TCP 9094,UDP 9094',
      '~ monitoring/prometheus-k8s[StatefulSet] => monitoring/prometheus-k8s[StatefulSet] : TCP 9090 -> TCP 8080,9090',
    ]);
    expect(k8snet(['diff', KUBE_PROMETHEUS, KUBE_PROMETHEUS]).stdout).toMatch(/^No change in connectivity\./);
  });
});

describe('a StatefulSet addressed by pod name (argo-cd HA Redis)', () => {
  it('answers for one ordinal, its announce Service, and the StatefulSet as a whole', () => {
    const zero = k8snet(['can-reach', 'argocd/redis-backup', 'argocd/argocd-redis-ha-server-0', '--port', '6379', '.'], { cwd: REDIS_HA });
    expect(zero.status).toBe(0);
    expect(zero.stdout).toContain('argocd/backup-to-redis-0 ingress[0] (network-policies.yaml:45) allows TCP 6379');
    const one = k8snet(['can-reach', 'argocd/redis-backup', 'svc:argocd/argocd-redis-ha-announce-1', '--port', '6379', '.'], { cwd: REDIS_HA });
    expect(one.status).toBe(1);
    expect(one.stdout).toContain('argocd/redis-backup[CronJob] → argocd/argocd-redis-ha-server-1: denied');
    const all = k8snet(['can-reach', 'argocd/redis-backup', 'argocd/argocd-redis-ha-server', '--port', '6379', '.'], { cwd: REDIS_HA });
    expect(all.stdout).toMatch(/^◐ PARTLY REACHABLE/);
    // explain lists the ordinals, each with what isolates it.
    const explain = k8snet(['explain', 'argocd/argocd-redis-ha-server', '.'], { cwd: REDIS_HA });
    expect(explain.stdout.split('\n').filter((line) => /^  pods? /.test(line)).map((line) => line.replace(/ with labels .*/, ''))).toEqual([
      '  pod argocd-redis-ha-server-0', '  pod argocd-redis-ha-server-1', '  pod argocd-redis-ha-server-2',
    ]);
    expect(explain.stdout).toContain('  ingress: isolated by 2 policies\n    argocd/argocd-redis-ha-server-network-policy (network-policies.yaml:4)');
    const matrix = k8snet(['matrix', '.'], { cwd: REDIS_HA });
    // A matrix line is per workload: some pod of the source reaches some pod of the destination.
    expect(matrix.stdout).toContain('argocd/redis-backup[CronJob] => argocd/argocd-redis-ha-server[StatefulSet] : TCP 6379\n');
  });

  it('explains one ordinal with its own connections, as can-reach answers them, its siblings peers of their own', () => {
    const connectionsOf = (stdout: string, heading: RegExp) => {
      const lines = stdout.split('\n');
      const start = lines.findIndex((line) => heading.test(line));
      const end = lines.findIndex((line, index) => index > start && !line.startsWith('    '));
      return lines.slice(start + 1, end === -1 ? undefined : end).map((line) => line.trim());
    };
    // Only ordinal 0 admits the backup job (backup-to-redis-0 selects it by its pod-name label).
    const zero = k8snet(['explain', 'argocd/argocd-redis-ha-server-0', '.'], { cwd: REDIS_HA });
    expect(zero.status).toBe(0);
    expect(connectionsOf(zero.stdout, /can be reached from/)).toEqual([
      'argocd/argocd-redis-ha-haproxy[Deployment] : TCP 6379,26379',
      'argocd/argocd-redis-ha-server-1[StatefulSet pod] : TCP 6379,26379',
      'argocd/argocd-redis-ha-server-2[StatefulSet pod] : TCP 6379,26379',
      'argocd/redis-backup[CronJob] : TCP 6379',
    ]);
    const one = k8snet(['explain', 'argocd/argocd-redis-ha-server-1', '.'], { cwd: REDIS_HA });
    expect(connectionsOf(one.stdout, /can be reached from/)).toEqual([
      'argocd/argocd-redis-ha-haproxy[Deployment] : TCP 6379,26379',
      'argocd/argocd-redis-ha-server-0[StatefulSet pod] : TCP 6379,26379',
      'argocd/argocd-redis-ha-server-2[StatefulSet pod] : TCP 6379,26379',
    ]);
    expect(k8snet(['can-reach', 'argocd/redis-backup', 'argocd/argocd-redis-ha-server-1', '--port', '6379', '.'], { cwd: REDIS_HA }).status).toBe(1);
    expect(connectionsOf(one.stdout, /can reach/)).toContain('argocd/argocd-redis-ha-server-0[StatefulSet pod] : TCP 6379,26379');
    // The StatefulSet as a whole stays one peer, as in the matrix, with what its replicas open to each other.
    const all = k8snet(['explain', 'argocd/argocd-redis-ha-server', '--format', 'json', '.'], { cwd: REDIS_HA });
    expect(JSON.parse(all.stdout).allowedIn).toEqual([
      { from: 'argocd/argocd-redis-ha-server[StatefulSet] (between its replicas)', connections: 'TCP 6379,26379' },
      { from: 'argocd/argocd-redis-ha-haproxy[Deployment]', connections: 'TCP 6379,26379' },
      { from: 'argocd/redis-backup[CronJob]', connections: 'TCP 6379' },
    ]);
  });

  it('finds an ordinal by name when one pod stands for every replica, and refuses an ordinal beyond them', () => {
    const dir = path.join(TEMP, 'plain-statefulset');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(REDIS_HA, 'redis-ha-statefulset.yaml'), path.join(dir, 'statefulset.yaml'));
    const found = k8snet(['can-reach', 'argocd/argocd-redis-ha-server-2', 'argocd/argocd-redis-ha-server-0', '.'], { cwd: dir });
    expect(found.status).toBe(0);
    expect(found.stdout).toMatch(/^✔ REACHABLE: argocd\/argocd-redis-ha-server-2 → argocd\/argocd-redis-ha-server-0/);
    const beyond = k8snet(['can-reach', 'argocd/argocd-redis-ha-server-3', 'argocd/argocd-redis-ha-server-0', '.'], { cwd: dir });
    expect(beyond.status).toBe(2);
    expect(beyond.stderr).toMatch(/no pod argocd\/argocd-redis-ha-server-3: StatefulSet argocd\/argocd-redis-ha-server has 3 replicas \(argocd-redis-ha-server-0 to argocd-redis-ha-server-2\)/);
  });
});

describe('.k8snet.yaml is read by every command', () => {
  const manifests = `apiVersion: databases.example.com/v1
kind: Cache
metadata: {name: sessions, namespace: shop}
spec: {size: 2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}], ports: [{port: 6379}]}]
`;
  const configText = `workloads:
  - apiVersion: databases.example.com/v1
    kind: Cache
    name: cache-{name}
    replicas: spec.size
    labels: {app: cache}
    ports: [{name: redis, containerPort: 6379}]
namespaces:
  shop: {team: shop}
`;

  it('can-reach, matrix and explain see the declared kind\'s pods and the declared namespace labels', () => {
    const dir = path.join(TEMP, 'declared');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifests.yaml'), manifests);
    fs.writeFileSync(path.join(dir, '.k8snet.yaml'), configText);
    const reach = k8snet(['can-reach', 'shop/web', 'shop/cache-sessions-1', '--port', '6379', 'manifests.yaml'], { cwd: dir });
    expectNoStackTrace(reach);
    expect(reach.status).toBe(0);
    expect(reach.stdout).toContain('shop/cache ingress[0] (manifests.yaml:20) allows TCP 6379 from namespaceSelector team=shop.');
    expect(k8snet(['matrix', 'manifests.yaml'], { cwd: dir }).stdout).toContain('shop/web[Deployment] => shop/cache-sessions[StatefulSet] : TCP 6379');
    const explain = k8snet(['explain', 'shop/Cache/sessions', 'manifests.yaml'], { cwd: dir });
    expect(explain.status).toBe(2);
    expect(k8snet(['explain', 'shop/cache-sessions', 'manifests.yaml'], { cwd: dir }).stdout).toMatch(/^shop\/cache-sessions\[StatefulSet\]/);
    const lint = k8snet(['lint', 'manifests.yaml', '-f', 'json'], { cwd: dir });
    expect((JSON.parse(lint.stdout) as { findings: JsonFinding[] }).findings.map((finding) => finding.ruleId)).not.toContain('input-unknown-kind');
    // Without the configuration the kind is unknown and the policy selects nothing.
    const bare = path.join(TEMP, 'bare');
    fs.mkdirSync(bare);
    fs.writeFileSync(path.join(bare, 'manifests.yaml'), manifests);
    const without = k8snet(['can-reach', 'shop/web', 'shop/cache-sessions-1', 'manifests.yaml'], { cwd: bare });
    expect(without.status).toBe(2);
  });

  it('--config FILE gives every command its workloads: and namespaces:, wherever the command runs', () => {
    const dir = path.join(TEMP, 'config-elsewhere');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifests.yaml'), manifests);
    fs.writeFileSync(path.join(dir, 'without-policy.yaml'), manifests.slice(0, manifests.lastIndexOf('---\n')));
    const config = path.join(TEMP, 'declared.k8snet.yaml');
    fs.writeFileSync(config, configText);
    const run = (args: string[]) => {
      const result = k8snet([...args, '--config', config], { cwd: dir });
      expectNoStackTrace(result);
      return result;
    };
    expect(run(['can-reach', 'shop/web', 'shop/cache-sessions-1', '--port', '6379', 'manifests.yaml']).status).toBe(0);
    expect(run(['matrix', 'manifests.yaml']).stdout).toContain('shop/web[Deployment] => shop/cache-sessions[StatefulSet] : TCP 6379');
    expect(run(['explain', 'shop/cache-sessions', 'manifests.yaml']).stdout).toMatch(/^shop\/cache-sessions\[StatefulSet\]/);
    const inspect = JSON.parse(run(['inspect', 'manifests.yaml', '-f', 'json']).stdout) as { workloads: { id: string }[]; namespaces: { name: string; labels: Record<string, string> }[] };
    expect(inspect.workloads.map((workload) => workload.id)).toContain('shop/cache-sessions[StatefulSet]');
    expect(inspect.namespaces.find((namespace) => namespace.name === 'shop')?.labels.team).toBe('shop');
    // Both sides of a diff are read with it: removing the policy opens the declared pods.
    expect(run(['diff', 'manifests.yaml', 'without-policy.yaml']).stdout).toContain('shop/cache-sessions[StatefulSet]');
    expect(k8snet(['diff', 'manifests.yaml', 'without-policy.yaml'], { cwd: dir }).stdout).not.toContain('cache-sessions');
  });

  it('an invalid .k8snet.yaml stops any command with its file, line and column', () => {
    const dir = path.join(TEMP, 'invalid');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifests.yaml'), manifests);
    fs.writeFileSync(path.join(dir, '.k8snet.yaml'), 'namespaces:\n  Shop: {team: shop}\n');
    for (const args of [['matrix', 'manifests.yaml'], ['can-reach', 'shop/web', 'shop/web', 'manifests.yaml'], ['diff', 'manifests.yaml', 'manifests.yaml']]) {
      const run = k8snet(args, { cwd: dir });
      expectNoStackTrace(run);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/\.k8snet\.yaml:2:3: namespaces: 'Shop' is not a namespace name/);
    }
  });
});
