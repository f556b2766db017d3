/**
 * Cilium's policies through the command line, on the Star Wars demo (fixtures/cilium-demo): read and
 * checked by every command, reported when the cluster's plugin does not enforce them, and named in
 * every answer they would decide until they are evaluated (issue 19, second phase).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT, expectNoStackTrace, k8snet } from './run-cli.js';

const DEMO = path.join(ROOT, 'fixtures', 'cilium-demo');
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-cilium-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

interface JsonFinding { readonly ruleId: string; readonly file: string; readonly line: number; readonly message: string }

describe('the Star Wars demo', () => {
  it('inspect counts the Cilium policies, and nothing is an unknown kind', () => {
    const run = k8snet(['inspect', DEMO, '-f', 'json']);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { counts: Record<string, number>; inputFindings: { ruleId: string }[] };
    expect(report.counts).toMatchObject({ ciliumPolicies: 4, ciliumCidrGroups: 0, workloads: 3 });
    expect(report.inputFindings).toEqual([]);
  });

  it('lint names the L7 restriction and says once that the policies are not evaluated yet', () => {
    const run = k8snet(['lint', DEMO, '-f', 'json']);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.filter((finding) => finding.ruleId.startsWith('cilium-'));
    expect(findings.map((finding) => `${finding.ruleId} ${path.basename(finding.file)}:${finding.line}`)).toEqual([
      'cilium-l7-not-modelled l7-policy.yaml:22',
      'cilium-policy-not-evaluated world-lockdown.yaml:6',
    ]);
  });

  it('can-reach answers with a caveat naming the Cilium policies that select the destination', () => {
    const run = k8snet(['can-reach', 'default/xwing', 'svc:default/deathstar', '--port', '80', DEMO]);
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/caveat: CiliumClusterwideNetworkPolicy world-lockdown \(.*world-lockdown\.yaml:6\), CiliumNetworkPolicy default\/deathstar-empire-only \(.*l3-l4-policy\.yaml:5\) and 2 more select default\/deathstar\[Deployment\] for ingress; k8snet does not evaluate Cilium policies yet, so this answer leaves them out/);
    // The xwing itself is selected by no rule with egress: no caveat about its egress.
    expect(run.stdout).not.toMatch(/select default\/xwing/);
    const json = k8snet(['can-reach', 'default/xwing', 'svc:default/deathstar', '--port', '80', DEMO, '-f', 'json']);
    expect(JSON.stringify(JSON.parse(json.stdout))).toMatch(/does not evaluate Cilium policies yet/);
  });

  it('explain notes them for the pods they select', () => {
    const run = k8snet(['explain', 'default/deathstar', DEMO]);
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/note: .*select these pods for ingress; k8snet does not evaluate Cilium policies yet/);
  });

  it('on a cluster configured to run Calico, lint reports each Cilium policy and answers carry no caveat', () => {
    fs.writeFileSync(path.join(TEMP, '.k8snet.yaml'), 'cluster:\n  cni: calico\n');
    const lint = k8snet(['lint', DEMO, '-f', 'json'], { cwd: TEMP });
    expectNoStackTrace(lint);
    const findings = (JSON.parse(lint.stdout) as { findings: JsonFinding[] }).findings.filter((finding) => finding.ruleId.startsWith('cilium-'));
    expect(findings.map((finding) => finding.ruleId)).toEqual(Array(4).fill('cilium-policy-without-cilium'));
    expect(findings[0].message).toMatch(/is not enforced: the network plugin is Calico \(cluster\.cni\), which does not implement Cilium policies/);
    const reach = k8snet(['can-reach', 'default/xwing', 'svc:default/deathstar', '--port', '80', DEMO], { cwd: TEMP });
    expect(reach.stdout).not.toMatch(/caveat/);
  });

  it('refuses a misspelt cluster.cni with its position', () => {
    fs.writeFileSync(path.join(TEMP, '.k8snet.yaml'), 'cluster:\n  cni: cillium\n');
    const run = k8snet(['lint', DEMO], { cwd: TEMP });
    expectNoStackTrace(run);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/\.k8snet\.yaml:2:3: cluster\.cni: 'cillium' is not a network plugin k8snet knows; did you mean cilium\?/);
  });
});
