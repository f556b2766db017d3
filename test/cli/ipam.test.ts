/**
 * `k8snet ipam` and the address flags of `lint`, run as users run them: the bundled address-plan
 * example, JSON output, command-line facts over `.k8snet.yaml` over the manifests, exit codes, and
 * bad facts as usage errors with their place.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const EXAMPLE = path.join('fixtures', 'address-plan');
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-ipam-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
/** Writes files into a fresh folder and returns it. */
function folder(files: Record<string, string>): string {
  const root = path.join(TEMP, `t${counter++}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const DEPLOYMENT = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: main, image: example/${name}}]}
`;

describe('k8snet ipam on the bundled example', () => {
  const run = k8snet(['ipam', EXAMPLE]);

  it('prints each fact with the file and line it comes from', () => {
    expect(run.stdout).toMatch(/pod range\s+10\.244\.0\.0\/20\s+fixtures\/address-plan\/cluster\/kubeadm\.yaml:7:3 \(ClusterConfiguration networking\.podSubnet\)/);
    expect(run.stdout).toMatch(/nodes\s+3\s+fixtures\/address-plan\/cluster\/nodes\.yaml:\d+:\d+ \(the 3 Node objects\)/);
    expect(run.stdout).toMatch(/maxPods per node\s+110\s+fixtures\/address-plan\/cluster\/kubeadm\.yaml:20:1 \(KubeletConfiguration maxPods\)/);
    expect(run.stdout).toMatch(/node-port range\s+30000-30099\s+.*apiServer\.extraArgs\[0\]\.value/);
  });

  it('prints the pod range carved into node blocks, its capacity, the demand and the headroom', () => {
    const row = run.stdout.split('\n').find((line) => line.trimStart().startsWith('10.244.0.0/20'));
    expect(row?.split(/\s{2,}/).map((cell) => cell.trim()).filter(Boolean)).toEqual([
      '10.244.0.0/20', 'IPv4', '4,096', '16 node blocks of /24 (254 pods each, 110 with maxPods 110)', '16', '3', '327', '290', '37 (11.3%)',
    ]);
  });

  it('counts HPA maxReplicas, CronJob parallelism and DaemonSet pods per node, leaving hostNetwork pods out', () => {
    expect(run.stdout).toContain('284 pods + 2 DaemonSet pods per node from 6 workloads; 1 hostNetwork workload (1 pod per node) takes no pod address but counts against maxPods.');
    expect(run.stdout).toMatch(/shop\/storefront\[Deployment\]\s+180\s+HPA storefront maxReplicas 180/);
    expect(run.stdout).toMatch(/shop\/reindex\[CronJob\]\s+12\s+parallelism 12/);
  });

  it('lists the planted problems with their places, and exits 1 for the errors', () => {
    const problems = run.stdout.slice(run.stdout.indexOf('Problems'));
    expect(problems).toMatch(/cluster\/kubeadm\.yaml:7:3: warning: .*leaving 37 pods \(11\.3%\), under the 20% headroom\. \[pod-cidr-low-headroom\]/);
    expect(problems).toMatch(/hint: the limit here is maxPods per node, not addresses: the range has blocks for 16 nodes/);
    expect(problems).toMatch(/apps\/shop\.yaml:\d+:\d+: error: Service shop\/api asks for ClusterIP 10\.97\.0\.40, outside the Service range 10\.96\.0\.0\/24/);
    expect(problems).toMatch(/error: Service shop\/storefront asks for nodePort 30080, which Service platform\/dashboard also asks for/);
    expect(run.status).toBe(1);
    expectNoStackTrace(run);
  });

  it('gives the same plan as JSON, address counts as decimal strings', () => {
    const json = k8snet(['ipam', EXAMPLE, '--format', 'json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.facts.podRanges.value).toEqual(['10.244.0.0/20']);
    expect(report.facts.podRanges.source).toMatchObject({ kind: 'manifest', file: 'fixtures/address-plan/cluster/kubeadm.yaml', line: 7 });
    expect(report.podRanges[0]).toMatchObject({ family: 'IPv4', addresses: '4096', blocks: '16', capacityPods: '327', demandPods: '290', headroomPercent: 11.3 });
    expect(report.serviceRanges[0]).toMatchObject({ ranges: ['10.96.0.0/24'], usable: '254', services: 5, countsKubernetesService: true });
    expect(report.nodePorts).toMatchObject({ range: '30000-30099', ports: 100, claimed: 2 });
    expect(report.findings.map((finding: { ruleId: string }) => finding.ruleId).sort()).toEqual(['cluster-ip-outside-service-cidr', 'nodeport-duplicate', 'pod-cidr-low-headroom']);
  });
});

describe('address facts from the command line and .k8snet.yaml', () => {
  it('lets --nodes and --max-pods override the manifests, and says where each fact came from', () => {
    const run = k8snet(['ipam', EXAMPLE, '--nodes', '10', '--max-pods', '30', '--format', 'json']);
    const report = JSON.parse(run.stdout);
    expect(report.facts.nodes).toMatchObject({ value: 10, source: { kind: 'flag', description: '--nodes' } });
    expect(report.facts.nodes.overridden).toEqual([expect.objectContaining({ value: 3 })]);
    // 10 nodes of 30 pods, less kube-proxy's host-network pod on each: 290 pods for 284 + 2 × 10 DaemonSet pods.
    expect(report.podRanges[0]).toMatchObject({ nodes: '10', capacityPods: '290', demandPods: '304' });
    expect(report.findings.map((finding: { ruleId: string }) => finding.ruleId)).toContain('pod-cidr-exhausted');
  });

  it('takes the plan from .k8snet.yaml and points findings at its lines', () => {
    const root = folder({
      '.k8snet.yaml': 'cluster:\n  podCIDR: 10.244.0.0/24\n  nodeCIDRMaskSize: 26\n  nodes: 4\n',
      'apps/web.yaml': DEPLOYMENT('web', 300),
    });
    const run = k8snet(['lint', 'apps'], { cwd: root });
    expect(run.stdout).toContain('.k8snet.yaml');
    expect(run.stdout).toMatch(/2:3\s+error\s+The IPv4 pod range 10\.244\.0\.0\/24 gives 4 node blocks of \/26 \(62 pods each\); with 4 nodes it holds 248 pods, but the manifests ask for 300 pods, 52 more than fit\.\s+pod-cidr-exhausted/);
    expect(run.stdout).toMatch(/3:3\s+warning\s+Node blocks of \/26 \(\.k8snet\.yaml cluster\.nodeCIDRMaskSize\) hold 62 pod addresses, fewer than maxPods 110/);
    expect(run.status).toBe(1);
  });

  it('lets --pod-cidr win over .k8snet.yaml and records the value it replaced', () => {
    const root = folder({ '.k8snet.yaml': 'cluster:\n  podCIDR: 10.244.0.0/24\n', 'apps/web.yaml': DEPLOYMENT('web', 2) });
    const run = k8snet(['ipam', 'apps', '--pod-cidr', '10.0.0.0/16,fd00:10:244::/56', '--format', 'json'], { cwd: root });
    const report = JSON.parse(run.stdout);
    expect(report.facts.podRanges.value).toEqual(['10.0.0.0/16', 'fd00:10:244::/56']);
    expect(report.facts.podRanges.overridden[0]).toMatchObject({ value: ['10.244.0.0/24'], source: { kind: 'config', file: path.join(root, '.k8snet.yaml'), line: 2 } });
    expect(report.podRanges.map((usage: { family: string; blocks: string }) => [usage.family, usage.blocks])).toEqual([['IPv4', '256'], ['IPv6', '256']]);
    expect(run.status).toBe(0);
  });

  it('places a finding about flag-given facts in SARIF at the first manifest, as GitHub code scanning needs a location', () => {
    const root = folder({ 'apps/web.yaml': DEPLOYMENT('web', 2) });
    const run = k8snet(['lint', 'apps', '--pod-cidr', '10.96.0.0/16', '--service-cidr', '10.96.0.0/12', '--format', 'sarif'], { cwd: root });
    const results = JSON.parse(run.stdout).runs[0].results as { ruleId: string; locations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    const overlap = results.find((result) => result.ruleId === 'cidr-overlap');
    expect(overlap?.locations?.[0].physicalLocation.artifactLocation.uri).toBe('apps/web.yaml');
  });

  it('refuses a malformed --pod-cidr as a usage error, without a stack trace', () => {
    const run = k8snet(['ipam', EXAMPLE, '--pod-cidr', '10.244.0.0/33']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--pod-cidr: '10.244.0.0/33' has prefix length '33', outside 0-32 for IPv4");
    expectNoStackTrace(run);
  });

  it('refuses a malformed range in .k8snet.yaml with its file, line and column', () => {
    const root = folder({ '.k8snet.yaml': 'cluster:\n  serviceCIDR: 10.96.0.0/12/3\n', 'apps/web.yaml': DEPLOYMENT('web', 1) });
    const run = k8snet(['lint', 'apps'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/\.k8snet\.yaml:2:3: cluster\.serviceCIDR: '10\.96\.0\.0\/12\/3'/);
    expectNoStackTrace(run);
  });

  it('reports a malformed fact in the manifests as a finding and goes on with the rest', () => {
    const root = folder({
      'cluster.yaml': 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0\n',
      'apps/web.yaml': DEPLOYMENT('web', 2),
    });
    const run = k8snet(['ipam', '.', '--format', 'json'], { cwd: root });
    const report = JSON.parse(run.stdout);
    expect(report.facts.serviceRanges).toBeNull();
    expect(report.facts.podRanges.value).toEqual(['10.244.0.0/16']);
    expect(report.findings).toEqual([expect.objectContaining({
      ruleId: 'address-plan-invalid',
      message: "The Service range in ClusterConfiguration networking.serviceSubnet cannot be used: '10.96.0.0' is not a CIDR: it has no prefix length (write 10.96.0.0/32 for one address); k8snet leaves it out of the address plan.",
      location: expect.objectContaining({ file: 'cluster.yaml', line: 5 }),
    })]);
    expect(run.status).toBe(1);
  });
});

describe('bad counts and flags', () => {
  it('refuses counts the API server refuses, each at its field, and leaves the objects out', () => {
    const root = folder({
      'cluster.yaml': 'apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n',
      'apps.yaml': `${DEPLOYMENT('web', 2.5)}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 1e400
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch, namespace: shop}
spec:
  parallelism: -3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: batch, image: example/batch}]
---
${DEPLOYMENT('huge', 2147483648)}`,
    });
    const run = k8snet(['ipam', '.', '--format', 'json'], { cwd: root });
    expectNoStackTrace(run);
    const report = JSON.parse(run.stdout);
    expect(report.demand.workloads).toEqual([]);
    // 1e400 is too large for a float: kubectl's YAML reader keeps it as the string "1e400".
    expect(run.stderr.split('\n').filter((line) => line.includes('[input-schema]')).map((line) => line.replace(/:\d+: error: .*?: (\S+) must be (.*?), not (.*?);.*/, ' $1 | $2 | $3'))).toEqual([
      'apps.yaml:5 spec.replicas | an integer from 0 to 2147483647 | 2.5',
      'apps.yaml:16 spec.maxReplicas | an integer from 1 to 2147483647 | "1e400"',
      'apps.yaml:22 spec.parallelism | an integer from 0 to 2147483647 | -3',
      'apps.yaml:32 spec.replicas | an integer from 0 to 2147483647 | 2147483648',
    ]);
    expect(run.status).toBe(2);
  });

  it('survives objects of odd shapes: a Node whose podCIDRs is a mapping, a kind named constructor', () => {
    const root = folder({
      'odd.yaml': 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec:\n  podCIDRs: {a: 1}\n---\napiVersion: v1\nkind: constructor\nmetadata: {name: c, namespace: x}\n',
    });
    for (const command of ['ipam', 'lint', 'inspect']) {
      const run = k8snet([command, '.'], { cwd: root });
      expectNoStackTrace(run);
      expect(run.stdout + run.stderr).not.toContain('internal error');
    }
  });

  it('names the flag of a count that is not one', () => {
    for (const [flag, value] of [['--nodes', '-1'], ['--max-nodes', '1.5'], ['--max-pods', '0'], ['--nodes', '99999999999999999999']]) {
      const run = k8snet(['ipam', EXAMPLE, flag, value]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`${flag} ${value}: expected a whole number`);
    }
  });

  it('does not read a .k8snet.yaml in the scanned folder as a manifest', () => {
    const root = folder({ '.k8snet.yaml': 'cluster:\n  podCIDR: 10.244.0.0/24\n', 'apps/web.yaml': DEPLOYMENT('web', 2) });
    const run = k8snet(['lint', '.'], { cwd: root });
    expect(run.stdout).not.toContain('input-missing-kind');
    expect(run.status).toBe(0);
  });
});
