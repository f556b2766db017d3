/**
 * Cilium's policies through the command line, on the Star Wars demo (fixtures/cilium-demo): read and
 * checked by every command, reported when the cluster's plugin does not enforce them, and evaluated
 * under Cilium: answers cite the deciding Cilium rule and name the L7 restriction.
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

  it('lint names the L7 restriction, and the isolation rules count the Cilium policies', () => {
    const run = k8snet(['lint', DEMO, '-f', 'json']);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.filter((finding) => finding.ruleId.startsWith('cilium-'));
    expect(findings.map((finding) => `${finding.ruleId} ${path.basename(finding.file)}:${finding.line}`)).toEqual([
      'cilium-l7-not-modelled l7-policy.yaml:24',
    ]);
    const all = (JSON.parse(run.stdout) as { findings: JsonFinding[] & { related?: { message: string }[] }[] }).findings as (JsonFinding & { related?: { message: string }[] })[];
    // The deathstar and the tiefighter are isolated by Cilium policies; the xwing is selected only by
    // world-lockdown, which denies the world and leaves every pod free to connect: it alone is open.
    const open = all.filter((finding) => finding.ruleId === 'workload-not-isolated' || /namespace-no-default-deny-ingress/.test(finding.ruleId));
    expect(open.map((finding) => (finding.related ?? []).map((entry) => entry.message).filter((message) => message.startsWith('not isolated')))).toEqual([['not isolated: default/xwing[Pod]']]);
  });

  it('can-reach gives Cilium\'s answer, citing the deciding rule, with the L7 restriction named', () => {
    const denied = k8snet(['can-reach', 'default/xwing', 'svc:default/deathstar', '--port', '80', DEMO]);
    expectNoStackTrace(denied);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/NOT REACHABLE: default\/xwing\[Pod\] → svc:default\/deathstar on 80\/TCP/);
    expect(denied.stdout).toMatch(/isolated by default\/deathstar-empire-only \(.*l3-l4-policy\.yaml:5\)/);
    expect(denied.stdout).not.toMatch(/does not evaluate/);
    const allowed = k8snet(['can-reach', 'default/tiefighter', 'svc:default/deathstar', '--port', '80', DEMO]);
    expectNoStackTrace(allowed);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/default\/deathstar-empire-only ingress\[0\]\.toPorts\[0\] \(.*l3-l4-policy\.yaml:18\) allows TCP 80 from fromEndpoints org=empire in namespace default/);
    // deathstar-empire-only allows the same ships on TCP 80 at L4: Cilium wildcards the L7 rule for them.
    expect(allowed.stdout).not.toMatch(/further restricted/);
    // Not "no NetworkPolicy selects it": under Cilium its own policies isolate too.
    expect(allowed.stdout).toContain('Egress of default/tiefighter: not isolated — no policy isolates it for egress, so all egress is allowed.');
  });

  it('names the L7 restriction when no L3/L4 rule allows the same peers on the same port', () => {
    const files = ['app.yaml', 'l7-policy.yaml', 'default-deny.yaml'].map((file) => path.join(DEMO, file));
    const restricted = k8snet(['can-reach', 'default/tiefighter', 'svc:default/deathstar', '--port', '80', ...files]);
    expectNoStackTrace(restricted);
    expect(restricted.status).toBe(0);
    expect(restricted.stdout).toMatch(/further restricted at L7 by default\/deathstar-landing-only .*\(HTTP POST \/v1\/request-landing\)/);
    // An L3/L4 rule on another port leaves the L7 rule of port 80 in force.
    fs.writeFileSync(path.join(TEMP, 'other-port.yaml'), fs.readFileSync(path.join(DEMO, 'l3-l4-policy.yaml'), 'utf8').replace('port: "80"', 'port: "8080"'));
    const otherPort = k8snet(['can-reach', 'default/tiefighter', 'svc:default/deathstar', '--port', '80', ...files, path.join(TEMP, 'other-port.yaml')]);
    expect(otherPort.stdout).toMatch(/further restricted at L7 by default\/deathstar-landing-only/);
  });

  it('explain lists the Cilium rules that isolate the pods', () => {
    const run = k8snet(['explain', 'default/deathstar', DEMO]);
    expectNoStackTrace(run);
    // What a rule allows only above L4 is part of it.
    expect(run.stdout).toMatch(/default\/deathstar-landing-only ingress\[0\]\.toPorts\[0\] \(.*l7-policy\.yaml:\d+\): TCP 80 from fromEndpoints org=empire in namespace default, only at L7: HTTP POST \/v1\/request-landing/);
    expect(run.stdout).toMatch(/ingress: isolated by 3 policies/);
    expect(run.stdout).toMatch(/default\/empire-default-deny ingress\[0\] \(.*default-deny\.yaml:14\): nothing from no peer/);
    expect(run.stdout).not.toMatch(/does not evaluate/);
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

describe('explain on Cilium policies that do not isolate, or deny', () => {
  it('names a policy that selects without isolating (enableDefaultDeny: false), and says "denies" for deny rules', () => {
    const folder = fs.mkdtempSync(path.join(TEMP, 'explain-'));
    fs.writeFileSync(path.join(folder, 'all.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: legacy, labels: {app: batch}}
spec: {containers: [{name: b, image: b}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: batch-broad, namespace: legacy}
spec:
  endpointSelector: {matchLabels: {app: batch}}
  enableDefaultDeny: {ingress: false, egress: false}
  ingress: [{fromEntities: [cluster]}]
  egressDeny: [{toEntities: [world], toPorts: [{ports: [{port: "25", protocol: TCP}]}]}]
`);
    const run = k8snet(['explain', 'legacy/batch', folder]);
    expectNoStackTrace(run);
    expect(run.stdout).toContain('ingress: not isolated — legacy/batch-broad selects these pods without isolating them (enableDefaultDeny: false), so what no deny rule denies is allowed');
    expect(run.stdout).toMatch(/legacy\/batch-broad egressDeny\[0\]\.toPorts\[0\] \(.*all\.yaml:\d+\): denies TCP 25 to toEntities world/);
  });
});

describe('where an endpoint selector selects', () => {
  it('says "in namespace" for a namespaced policy and "in every namespace" for a cluster-wide one: `{}` reads <all> in both', () => {
    const folder = fs.mkdtempSync(path.join(TEMP, 'scope-'));
    fs.writeFileSync(path.join(folder, 'all.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: w, image: w}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: from-own-namespace, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{}]}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: from-every-namespace}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {role: monitor}}]}]
`);
    const run = k8snet(['explain', 'a/web', folder]);
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/a\/from-own-namespace ingress\[0\] \(.*all\.yaml:\d+\): all ports and protocols from fromEndpoints <all> in namespace a$/m);
    expect(run.stdout).toMatch(/from-every-namespace ingress\[0\] \(.*all\.yaml:\d+\): all ports and protocols from fromEndpoints role=monitor in every namespace$/m);
  });
});

describe('can-reach on a deny-only Cilium policy', () => {
  it('names the deny rule for its ports, and the isolation for the rest', () => {
    const folder = fs.mkdtempSync(path.join(TEMP, 'deny-only-'));
    fs.writeFileSync(path.join(folder, 'all.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: xwing, namespace: default, labels: {org: alliance}}
spec: {containers: [{name: x, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: tiefighter, namespace: default, labels: {org: empire}}
spec: {containers: [{name: t, image: t}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-alliance, namespace: default}
spec:
  endpointSelector: {matchLabels: {org: empire}}
  ingressDeny: [{fromEndpoints: [{matchLabels: {org: alliance}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]
`);
    const run = k8snet(['can-reach', 'default/xwing', 'default/tiefighter', folder]);
    expectNoStackTrace(run);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/default\/deny-alliance ingressDeny\[0\]\.toPorts\[0\] \(.*all\.yaml:\d+\) denies TCP 80, whatever allows it\.\n\s+No ingress rule of these policies allows the rest \(everything but TCP 80\) from the other side: denied\./);
  });
});

describe('a Service asked by name, where the DNS proxy sees the source\'s lookups', () => {
  it('says when the source\'s DNS rules refuse the Service\'s name, and not when they allow it', () => {
    const folder = fs.mkdtempSync(path.join(TEMP, 'lookups-'));
    const files = (pattern: string) => `apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: v1
kind: Pod
metadata: {name: checkout, namespace: payments, labels: {app: checkout}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ledger, namespace: payments, labels: {app: ledger}}
spec: {containers: [{name: l, image: l, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: payments}
spec: {selector: {app: ledger}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: checkout-egress, namespace: payments}
spec:
  endpointSelector: {matchLabels: {app: checkout}}
  egress:
    - toEndpoints: [{matchLabels: {app: ledger}}]
    - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "${pattern}"}]}}]
`;
    fs.writeFileSync(path.join(folder, 'all.yaml'), files('*.cluster.local'));
    const refused = k8snet(['can-reach', 'payments/checkout', 'svc:payments/ledger', '--port', '80', folder]);
    expectNoStackTrace(refused);
    expect(refused.stdout).toContain('caveat: The DNS rules (toPorts[].rules.dns) of the Cilium policies selecting payments/checkout allow looking up *.cluster.local, '
      + 'not ledger.payments.svc.cluster.local: Cilium\'s DNS proxy refuses that lookup');
    fs.writeFileSync(path.join(folder, 'all.yaml'), files('**.cluster.local'));
    expect(k8snet(['can-reach', 'payments/checkout', 'svc:payments/ledger', '--port', '80', folder]).stdout).not.toMatch(/DNS proxy refuses/);
  });
});

describe('cilium-config read by a can-reach that parses only the files its question needs', () => {
  it('parses the cilium-config ConfigMap wherever it is: it decides connections of every namespace', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-cilium-config-'));
    try {
      fs.writeFileSync(path.join(folder, 'pods.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop, labels: {app: a}}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: shop, labels: {app: b}}
spec: {containers: [{name: b, image: b}]}
`);
      fs.writeFileSync(path.join(folder, 'cilium.yaml'), `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-policy: always}
`);
      fs.writeFileSync(path.join(folder, '.k8snet.yaml'), 'cluster:\n  cni: cilium\n');
      const run = k8snet(['can-reach', 'shop/a', 'shop/b', '--port', '80', '.'], { cwd: folder });
      expectNoStackTrace(run);
      expect(run.stdout).toMatch(/NOT REACHABLE/);
      expect(run.stdout).toMatch(/cilium-config \(enable-policy: always\)/);
      expect(run.status).toBe(1);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
