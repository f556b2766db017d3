/**
 * Calico objects through the CLI, as users meet them: the example repository fixtures/calico-demo
 * (tiers, GlobalNetworkPolicies, network sets, host endpoints beside Kubernetes NetworkPolicies),
 * answers that evaluate Calico's policies and cite the deciding rule, and caveats for what is left out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const DEMO = 'fixtures/calico-demo';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-calico-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A folder of its own for one test, removed with the others at the end. */
const newFolder = () => fs.mkdtempSync(path.join(scratch, 'case-'));

/** Two pods of namespace blog, a and b, that the inline policies below are about. */
const BLOG_PODS = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: blog, labels: {app: a}}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: blog, labels: {app: b}}
spec: {containers: [{name: b, image: b}]}
---
`;

describe('k8snet on a Calico repository', () => {
  it('lint reads every Calico kind, reports no input problem, and counts Calico policies in the isolation rules', () => {
    const run = k8snet(['lint', DEMO, '--format', 'json']);
    expectNoStackTrace(run);
    expect(run.status).toBe(0);
    const findings = JSON.parse(run.stdout).findings as { ruleId: string; severity: string; message: string }[];
    expect(findings.filter((finding) => finding.ruleId.startsWith('input-') || finding.ruleId.endsWith('-invalid'))).toEqual([]);
    expect(findings.filter((finding) => finding.ruleId.endsWith('-not-evaluated'))).toEqual([]);
    // The GlobalNetworkPolicy default-deny isolates shop and monitoring; ingress-nginx is left out of it on purpose.
    const isolation = findings.filter((finding) => finding.ruleId.startsWith('namespace-no-default-deny') || finding.ruleId === 'workload-not-isolated');
    // Its egress meets only security.block-threat-feed, which denies the threat feed and passes the rest on: open.
    expect(isolation.map((finding) => finding.message)).toEqual([
      'Namespace ingress-nginx has no default deny for Egress, only 1 Calico GlobalNetworkPolicy leaving open what their rules do not deny, so its pods may connect to any pod or address not denied there.',
      expect.stringMatching(/^Namespace ingress-nginx runs 1 workload but has no NetworkPolicy for Ingress/),
    ]);
  });

  it('can-reach evaluates Calico policies and cites the deciding rule, its tier and order', () => {
    const allowed = k8snet(['can-reach', 'monitoring/prometheus', 'shop/api', '--port', '9090/TCP', DEMO]);
    expectNoStackTrace(allowed);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/REACHABLE: monitoring\/prometheus\[Deployment\] → shop\/api\[Deployment\] on 9090\/TCP/);
    expect(allowed.stdout).toContain('Calico GlobalNetworkPolicy security.block-threat-feed (tier security, order 100) rule "egress[1]" (fixtures/calico-demo/calico/security.yaml:16) passes all ports and protocols on to the next tier with a policy for the endpoint (of kube-admin, default, kube-baseline');
    expect(allowed.stdout).toContain('Calico NetworkPolicy monitoring/prometheus-egress (tier default, order 600) rule "egress[0]" (fixtures/calico-demo/calico/shop.yaml:86) allows TCP 9090.');
    expect(allowed.stdout).toContain('Calico GlobalNetworkPolicy allow-prometheus (tier default, order 600) rule "ingress[0]" (fixtures/calico-demo/calico/shop.yaml:68) allows TCP 9090.');
    expect(allowed.stdout).not.toMatch(/caveat|does not evaluate/);
    // shop/web has no egress rule towards shop/api: the default tier's end denies it.
    const denied = k8snet(['can-reach', 'shop/web', 'shop/api', '--port', '8080/TCP', DEMO]);
    expect(denied.status).toBe(1);
    // security.block-threat-feed ends in a Pass for everything: it isolates nothing, default-deny does.
    expect(denied.stdout).toMatch(/Egress of shop\/web\[Deployment\]: isolated by default-deny \(/);
    expect(denied.stdout).toContain('Calico tier default: its policy selecting shop/web[Deployment] (default-deny) has no egress rule that matches this destination on TCP 8080, '
      + 'so the tier\'s end denies it; later tiers and the profiles are not reached.');
    expect(denied.stdout).not.toMatch(/No egress rule of these policies/);
    expect(denied.stdout).toContain('Calico NetworkPolicy shop/web-to-api (tier default, order 500) rule "ingress[0]" (fixtures/calico-demo/calico/shop.yaml:11) allows TCP 8080.');
    const json = JSON.parse(k8snet(['can-reach', 'monitoring/prometheus', 'shop/api', '--port', '9090/TCP', DEMO, '--format', 'json']).stdout);
    expect(JSON.stringify(json)).toContain('"tier":"default"');
  });

  it('explain lists the Calico tiers and rules that apply to a pod', () => {
    const run = k8snet(['explain', 'shop/db', DEMO]);
    expect(run.stdout).toMatch(/ingress: Calico tier default: Calico NetworkPolicy shop\/db-ingress \(fixtures\/calico-demo\/calico\/shop.yaml:43\)/);
    expect(run.stdout).toMatch(/egress: Calico tier security: Calico GlobalNetworkPolicy security.block-threat-feed/);
    expect(run.stdout).not.toMatch(/so all ingress is allowed|not evaluated/);
  });

  it('inspect counts the Calico objects', () => {
    const counts = JSON.parse(k8snet(['inspect', DEMO, '--format', 'json']).stdout).counts;
    expect(counts).toMatchObject({ calicoPolicies: 8, calicoStagedPolicies: 0, calicoTiers: 1, calicoNetworkSets: 2, calicoHostEndpoints: 2, networkPolicies: 1 });
    expect(JSON.parse(k8snet(['inspect', 'fixtures/demo', '--format', 'json']).stdout).counts.calicoPolicies).toBeUndefined();
  });

  it('matrix answers with the Calico policies, without a note', () => {
    const run = k8snet(['matrix', DEMO]);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/Calico/);
    expect(run.stdout).toContain('shop/api[Deployment] => shop/db[StatefulSet] : TCP 5432');
    expect(run.stdout).toContain('shop/api[Deployment] => 192.0.2.0-192.0.2.15[External] : TCP 443');
    expect(run.stdout).toContain('ingress-nginx/ingress-nginx-controller[Deployment] => shop/web[Deployment] : TCP 8080');
    expect(run.stdout).not.toContain('shop/web[Deployment] => shop/api[Deployment]');
  });

  it('diff shows what a change to a Calico policy changes', () => {
    const folder = newFolder();
    fs.cpSync(DEMO, path.join(folder, 'before'), { recursive: true });
    fs.cpSync(DEMO, path.join(folder, 'after'), { recursive: true });
    const file = path.join(folder, 'after', 'calico', 'shop.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('ports: [5432]', 'ports: [5433]'));
    const run = k8snet(['diff', path.join(folder, 'before'), path.join(folder, 'after')]);
    expectNoStackTrace(run);
    expect(run.stdout).toMatch(/^- shop\/api\[Deployment\] => shop\/db\[StatefulSet\] : TCP 5432$/m);
    expect(run.stderr).not.toMatch(/Calico/);
  });

  it('names the tier whose end denies a connection that a later tier would allow', () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${BLOG_PODS}apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform.metrics}
spec:
  tier: platform
  selector: app == 'b'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: {ports: [9090]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: a-to-b, namespace: blog}
spec:
  selector: app == 'b'
  ingress:
    - action: Allow
      protocol: TCP
      source: {selector: app == 'a'}
      destination: {ports: [8080]}
`);
    const run = k8snet(['can-reach', 'blog/a', 'blog/b', '--port', '8080/TCP', folder]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Calico tier platform: its policy selecting blog/b (platform.metrics) has no ingress rule that matches this source on TCP 8080, '
      + 'so the tier\'s end denies it; later tiers and the profiles are not reached.');
    expect(run.stdout).not.toMatch(/No ingress rule of these policies/);
    const json = JSON.parse(k8snet(['can-reach', 'blog/a', 'blog/b', '--port', '8080/TCP', folder, '--format', 'json']).stdout);
    // The side's verdict covers every port: all the tier leaves to its end, 8080 among it.
    expect(json.pairs[0].ingress.tierEnds).toEqual([{ tier: 'Calico tier platform', policies: ['platform.metrics'], denies: 'SCTP 1-65535,TCP 1-9089,9091-65535,UDP 1-65535' }]);
  });

  it('names a Calico rule it leaves out in the caveats of the answers it concerns', () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${BLOG_PODS}apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: low-ports, namespace: blog}
spec:
  selector: app == 'b'
  ingress:
    - action: Deny
      protocol: UDP
      source: {ports: [client-port]}
`);
    const run = k8snet(['can-reach', 'blog/a', 'blog/b', '--port', '53/UDP', folder]);
    expect(run.stdout).toContain('caveat: Calico NetworkPolicy blog/low-ports rule ingress[0] (Deny), which applies to the destination, has named source ports client-port, which k8snet does not evaluate: this answer leaves the rule out, and Calico would deny what it matches.');
  });

  it('answers a port allowed from some source ports only with those source ports and the rules that decide them', () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${BLOG_PODS}apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: low-ports, namespace: blog}
spec:
  selector: app == 'b'
  ingress:
    - action: Deny
      protocol: UDP
      source: {ports: ["1:1023"]}
    - action: Allow
      protocol: UDP
      destination: {ports: [53]}
`);
    const run = k8snet(['can-reach', 'blog/a', 'blog/b', '--port', '53/UDP', folder]);
    expectNoStackTrace(run);
    expect(run.stdout).toContain('PARTLY REACHABLE: blog/a[Pod] → blog/b[Pod] on 53/UDP (from some source ports only)');
    expect(run.stdout).toContain('allowed: UDP 53 from source ports 1024-65535');
    expect(run.stdout).toMatch(/rule "ingress\[0\]" \(.*all\.yaml:\d+\) denies UDP 1-65535 from source ports 1-1023\./);
    const matrix = k8snet(['matrix', folder]);
    expect(matrix.stdout).toMatch(/^blog\/a\[Pod\] => blog\/b\[Pod\] : UDP 53 \(source ports 1024-65535\)$/m);
  });

  it('says what DNS allowed from some source ports means for lookups, and lint agrees', () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${BLOG_PODS}apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: dns, namespace: blog}
spec:
  selector: app == 'a'
  types: [Egress]
  egress:
    - {action: Allow, protocol: UDP, source: {ports: ["1024:65535"]}, destination: {ports: [53]}}
    - {action: Allow, protocol: TCP, source: {ports: ["1024:65535"]}, destination: {ports: [53]}}
`);
    const answer = k8snet(['can-reach', 'blog/a', 'dns', folder]);
    expectNoStackTrace(answer);
    expect(answer.stdout).toContain('(from some source ports only)');
    expect(answer.stdout).toContain('note: Resolvers send each query from an ephemeral source port (32768-60999, Linux\'s default range): the policies allow DNS from all of them, so lookups work.');
    const lint = k8snet(['lint', '--format', 'json', folder]);
    expect((JSON.parse(lint.stdout) as { findings: { ruleId: string }[] }).findings.map((finding) => finding.ruleId)).not.toContain('egress-blocks-dns');
  });

  it('answers about pods no Calico policy applies to without a caveat', () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${BLOG_PODS}apiVersion: projectcalico.org/v3
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
    const folder = newFolder();
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

describe('Calico selectors that single out a StatefulSet pod by its ordinal labels', () => {
  const STATEFUL = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: data}
spec:
  serviceName: redis
  replicas: 3
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec: {containers: [{name: redis, image: redis, ports: [{name: redis, containerPort: 6379}]}]}
`;
  const run = (policy: string, args: string[]) => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, '.k8snet.yaml'), 'cluster:\n  cni: calico\n');
    fs.writeFileSync(path.join(folder, 'all.yaml'), `${STATEFUL}---\n${policy}`);
    const result = k8snet([...args, folder], { cwd: folder });
    expectNoStackTrace(result);
    return result;
  };

  it('a policy whose selector names one pod isolates that pod only', () => {
    const policy = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: redis-2-closed, namespace: data}
spec:
  selector: statefulset.kubernetes.io/pod-name == 'redis-2'
  types: [Ingress]
`;
    expect(run(policy, ['can-reach', 'data/redis-0', 'data/redis-2', '--port', '6379']).status).toBe(1);
    expect(run(policy, ['can-reach', 'data/redis-0', 'data/redis-1', '--port', '6379']).status).toBe(0);
    // explain shows the pod's own ordinal labels, not those of the pod its class was made from.
    expect(run(policy, ['explain', 'data/redis-1']).stdout).toMatch(/pod redis-1 with labels .*statefulset\.kubernetes\.io\/pod-name=redis-1/);
  });

  it('a rule whose source selector names one pod (or a prefix of names) admits that pod only', () => {
    const policy = (selector: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-primary, namespace: data}
spec:
  selector: app == 'redis'
  ingress:
    - action: Allow
      protocol: TCP
      source: {selector: "${selector}"}
      destination: {ports: [6379]}
`;
    expect(run(policy("statefulset.kubernetes.io/pod-name == 'redis-0'"), ['can-reach', 'data/redis-0', 'data/redis-2', '--port', '6379']).status).toBe(0);
    expect(run(policy("statefulset.kubernetes.io/pod-name == 'redis-0'"), ['can-reach', 'data/redis-1', 'data/redis-2', '--port', '6379']).status).toBe(1);
    expect(run(policy("statefulset.kubernetes.io/pod-name ends with '-1'"), ['can-reach', 'data/redis-1', 'data/redis-2', '--port', '6379']).status).toBe(0);
    expect(run(policy("statefulset.kubernetes.io/pod-name ends with '-1'"), ['can-reach', 'data/redis-0', 'data/redis-2', '--port', '6379']).status).toBe(1);
  });
});
