/**
 * Calico objects through the CLI, as users meet them: the example repository fixtures/calico-demo
 * (tiers, GlobalNetworkPolicies, network sets, host endpoints beside Kubernetes NetworkPolicies),
 * and answers that say plainly that Calico policies are read but not evaluated yet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const DEMO = 'fixtures/calico-demo';

describe('k8snet on a Calico repository', () => {
  it('lint reads every Calico kind, reports no input problem and says once that the policies are not evaluated', () => {
    const run = k8snet(['lint', DEMO, '--format', 'json']);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const findings = JSON.parse(run.stdout).findings as { ruleId: string; severity: string; message: string }[];
    expect(findings.filter((finding) => finding.ruleId.startsWith('input-') || finding.ruleId.endsWith('-invalid'))).toEqual([]);
    const pending = findings.filter((finding) => finding.ruleId === 'calico-policy-not-evaluated');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ severity: 'info' });
    expect(pending[0].message).toMatch(/^8 Calico policies \(GlobalNetworkPolicy allow-prometheus, GlobalNetworkPolicy default-deny, .* and 5 more\) apply to .*; k8snet does not evaluate Calico policies yet/);
  });

  it('can-reach answers with a caveat naming the Calico policies of each side', () => {
    const run = k8snet(['can-reach', 'shop/web', 'shop/api', '--port', '8080/TCP', DEMO]);
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/caveat: Calico GlobalNetworkPolicy allow-prometheus, GlobalNetworkPolicy default-deny, GlobalNetworkPolicy security.block-threat-feed apply to the source, and k8snet does not evaluate Calico policies yet/);
    expect(run.stdout).toMatch(/caveat: Calico .*NetworkPolicy shop\/web-to-api.* apply to the destination|caveat: Calico GlobalNetworkPolicy allow-prometheus, GlobalNetworkPolicy default-deny, GlobalNetworkPolicy security.block-threat-feed and 2 more apply to the destination/);
    const json = JSON.parse(k8snet(['can-reach', 'shop/web', 'shop/api', '--port', '8080/TCP', DEMO, '--format', 'json']).stdout);
    expect(JSON.stringify(json)).toContain('k8snet does not evaluate Calico policies yet');
  });

  it('explain does not claim a pod is open when Calico policies apply to it', () => {
    const run = k8snet(['explain', 'shop/db', DEMO]);
    expect(run.stdout).toMatch(/note: Calico GlobalNetworkPolicy allow-prometheus, GlobalNetworkPolicy default-deny/);
    expect(run.stdout).toMatch(/ingress: not isolated by Kubernetes policies; Calico policies apply to these pods and are not evaluated \(see the note\)/);
    expect(run.stdout).not.toMatch(/so all ingress is allowed/);
  });

  it('inspect counts the Calico objects', () => {
    const counts = JSON.parse(k8snet(['inspect', DEMO, '--format', 'json']).stdout).counts;
    expect(counts).toMatchObject({ calicoPolicies: 8, calicoStagedPolicies: 0, calicoTiers: 1, calicoNetworkSets: 2, calicoHostEndpoints: 2, networkPolicies: 1 });
    expect(JSON.parse(k8snet(['inspect', 'fixtures/demo', '--format', 'json']).stdout).counts.calicoPolicies).toBeUndefined();
  });

  it('matrix says on standard error that Calico policies are not evaluated', () => {
    const run = k8snet(['matrix', DEMO]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/note: 8 Calico policies are read but not evaluated yet; \d+ workloads they apply to may connect differently in the cluster\./);
    expect(k8snet(['graph', DEMO]).stderr).toMatch(/note: 8 Calico policies are read but not evaluated yet/);
  });

  it('diff says that Calico policies are left out, and which changed', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-calico-'));
    fs.cpSync(DEMO, path.join(folder, 'before'), { recursive: true });
    fs.cpSync(DEMO, path.join(folder, 'after'), { recursive: true });
    const file = path.join(folder, 'after', 'calico', 'default-deny.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('order: 2000', 'order: 400'));
    const run = k8snet(['diff', path.join(folder, 'before'), path.join(folder, 'after')]);
    expectNoStackTrace(run);
    expect(run.stderr).toMatch(/note: Calico policies are read but not evaluated yet, so this diff leaves them out; 1 of them changed \(GlobalNetworkPolicy default-deny\), and what that changes is not shown\./);
    const same = k8snet(['diff', path.join(folder, 'before'), path.join(folder, 'before')]);
    expect(same.stderr).toMatch(/none of them changed/);
  });

  it('answers about pods no Calico policy applies to without a caveat', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-calico-'));
    fs.writeFileSync(path.join(folder, 'all.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: blog, labels: {app: a}}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: blog, labels: {app: b}}
spec: {containers: [{name: b, image: b}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: shop-only, namespace: shop}
spec:
  ingress: [{action: Deny}]
`);
    const run = k8snet(['can-reach', 'blog/a', 'blog/b', folder]);
    expect(run.stdout).not.toMatch(/caveat/);
    expect(run.status).toBe(0);
  });

  it('reports a broken Calico selector at its column and exits 2, as for any object the API server refuses', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-calico-'));
    fs.writeFileSync(path.join(folder, 'policy.yaml'), `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: default-deny
spec:
  selector: projectcalico.org/namespace not in {'kube-system' 'calico-system'}
  types: [Ingress, Egress]
`);
    const run = k8snet(['lint', folder]);
    expectNoStackTrace(run);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/6:63\s+error\s+GlobalNetworkPolicy default-deny: spec.selector ".*" does not parse at column 51 of the selector: expected '}' or a quoted string in the set, found string; Calico rejects this policy, so k8snet leaves it out\.\s+calico-selector-invalid/);
  });
});
