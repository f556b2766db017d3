/**
 * `can-reach` endpoints beyond ns/name (src/reach/query.ts): label selectors whose keys have a
 * prefix, `ip:` of a Service's ClusterIP or a pod's IP, `dns` for cluster DNS, and the text report
 * saying each distinct reason once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { answerReach, parsePortQuery, QueryError, resolveEndpoint, type ReachAnswer } from '../../src/reach/query.js';
import { formatReachText } from '../../src/report/reach-text.js';
import { PLAIN } from '../../src/report/paint.js';
import { k8snet } from '../cli/run-cli.js';

const FRONTEND = `apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: frontend}}
  template:
    metadata: {labels: {app.kubernetes.io/name: frontend, app.kubernetes.io/part-of: shop}}
    spec: {containers: [{name: main, image: frontend}]}
`;
const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: main, image: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: postgres}]}
status: {podIP: 10.244.1.7}
`;
// frontend may reach DNS on UDP only, and web on 8080; nothing else.
const FRONTEND_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: frontend}}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{port: 53, protocol: UDP}]
    - to: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}]
`;
const COREDNS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      containers:
        - name: coredns
          image: coredns/coredns:1.11.1
          ports: [{name: dns, containerPort: 1053, protocol: UDP}, {name: dns-tcp, containerPort: 1053, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: dns}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: dns-tcp}]
`;

function setup(...texts: string[]) {
  const { graph } = analyzeTexts([{ path: 'x.yaml', text: texts.join('---\n') }]);
  const solver = new ReachabilitySolver(graph);
  const ask = (source: string, destination: string, port?: string): ReachAnswer => answerReach(
    solver,
    resolveEndpoint(graph, source, { solver }),
    resolveEndpoint(graph, destination, { solver }),
    port === undefined ? undefined : parsePortQuery(port),
  );
  return { graph, solver, ask };
}

describe('label selectors with prefixed keys', () => {
  const { graph } = setup(FRONTEND, WEB);

  it('ns/app.kubernetes.io/name=x names the pods with that label, keys with a / included', () => {
    const endpoint = resolveEndpoint(graph, 'shop/app.kubernetes.io/name=frontend');
    expect(endpoint).toMatchObject({ type: 'pods', label: 'shop/{app.kubernetes.io/name=frontend}' });
    expect(endpoint.type === 'pods' && endpoint.pods.map((pod) => pod.workloadId)).toEqual(['shop/frontend[Deployment]']);
    const both = resolveEndpoint(graph, 'shop/app.kubernetes.io/name=frontend,app.kubernetes.io/part-of=shop');
    expect(both.type === 'pods' && both.pods).toHaveLength(1);
  });

  it('says which labels no pod has, and refuses a list with an empty key', () => {
    expect(() => resolveEndpoint(graph, 'shop/app.kubernetes.io/name=back')).toThrow('no pod in namespace shop has the labels app.kubernetes.io/name=back');
    expect(() => resolveEndpoint(graph, 'shop/=x')).toThrow(QueryError);
    // ns/name and ns/Kind/name are still workloads.
    expect(resolveEndpoint(graph, 'shop/Deployment/web')).toMatchObject({ type: 'pods', label: 'shop/web[Deployment]' });
  });
});

describe('ip: of an address the manifests give out', () => {
  const { graph, ask } = setup(FRONTEND, WEB, FRONTEND_EGRESS);

  it('a Service\'s ClusterIP answers for that Service, its port resolved on the endpoint pods', () => {
    expect(resolveEndpoint(graph, 'ip:10.96.0.20')).toMatchObject({ type: 'service', label: 'ip:10.96.0.20 (ClusterIP of svc:shop/web)' });
    const answer = ask('shop/frontend', 'ip:10.96.0.20', '80');
    expect(answer.reachable).toBe('all');
    expect(answer.pairs.map((pair) => pair.via)).toEqual(['service port 80/TCP → http = 8080']);
  });

  it('a pod\'s status.podIP answers for that pod; any other address is outside the cluster', () => {
    expect(resolveEndpoint(graph, 'ip:10.244.1.7')).toMatchObject({ type: 'pods', label: 'ip:10.244.1.7 (pod shop/db-0)' });
    expect(resolveEndpoint(graph, 'ip:10.96.0.21')).toMatchObject({ type: 'address', label: '10.96.0.21' });
  });
});

describe('dns', () => {
  it('without DNS in the manifests: a DNS pod as the cluster runs it, asked on UDP and TCP 53', () => {
    const { ask } = setup(FRONTEND, WEB, FRONTEND_EGRESS);
    const answer = ask('shop/frontend', 'dns');
    expect(answer.destination.label).toBe('cluster DNS (kube-system pods k8s-app=kube-dns)');
    expect(answer.notes[0]).toMatch(/^No pod of the manifests matches kube-system pods k8s-app=kube-dns, so this answers for a DNS pod .* asked on UDP 53 and TCP 53\.$/);
    expect(answer.reachable).toBe('some');
    expect(answer.pairs.map((pair) => `${pair.destination.label}: ${pair.allowed.describe()}`)).toEqual(['kube-system/cluster-dns: UDP 53']);
    expect(ask('shop/frontend', 'dns', '53/UDP').reachable).toBe('all');
    expect(ask('shop/frontend', 'dns', '53/TCP').reachable).toBe('none');
  });

  it('with CoreDNS and its Service in the manifests: through the Service port 53, resolved to the pods\' targetPort', () => {
    const { ask } = setup(FRONTEND, WEB, FRONTEND_EGRESS.replace('port: 53, protocol: UDP', 'port: 1053, protocol: UDP'), COREDNS);
    const answer = ask('shop/frontend', 'dns');
    expect(answer.notes[0]).toBe('Cluster DNS is kube-system pods k8s-app=kube-dns behind svc:kube-system/kube-dns; asked on UDP 53 and TCP 53.');
    expect(answer.pairs.map((pair) => `${pair.destination.label} ${pair.asked.describe()} (${pair.via})`))
      .toEqual(['kube-system/coredns[Deployment] TCP 1053; UDP 1053 (service port 53/UDP → dns = 1053, service port 53/TCP → dns-tcp = 1053)']);
    expect(answer.pairs[0].allowed.describe()).toBe('UDP 1053');
    expect(answer.reachable).toBe('some');
  });
});

describe('the text report', () => {
  it('says a reason once for every address range it holds for, naming them all in one heading', () => {
    const { ask } = setup(FRONTEND, WEB, FRONTEND_EGRESS);
    const answer = ask('shop/frontend', 'internet', '443');
    expect(answer.pairs.length).toBeGreaterThan(1);
    const text = formatReachText(answer, PLAIN);
    expect(text.match(/isolated by shop\/frontend-egress/g)).toHaveLength(1);
    const heading = text.split('\n').find((line) => line.startsWith('shop/frontend[Deployment] → '))!;
    for (const pair of answer.pairs) expect(heading).toContain(pair.destination.label);
    expect(heading).toMatch(/: denied$/);
  });
});

describe('k8snet can-reach with these endpoints', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-endpoints-'));
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
  fs.writeFileSync(path.join(folder, 'shop.yaml'), [FRONTEND, WEB, FRONTEND_EGRESS].join('---\n'));
  fs.writeFileSync(path.join(folder, 'dns.yaml'), COREDNS);
  // A file of another namespace: the scoped load leaves it unparsed, but `ip:` reads every file.
  fs.writeFileSync(path.join(folder, 'other.yaml'), WEB.replace(/shop/g, 'other').replace('10.96.0.20', '10.96.0.30').replace('10.244.1.7', '10.244.2.7'));

  it('reads a prefixed label selector, dns (its namespace parsed) and a ClusterIP of a file the namespaces do not name', () => {
    expect(k8snet(['can-reach', 'shop/app.kubernetes.io/name=frontend', 'svc:shop/web', '--port', '80', folder]).status).toBe(0);
    // The policy allows UDP 53, but this CoreDNS listens on 1053 behind its Service: policies see the pod's port.
    const dns = k8snet(['can-reach', 'shop/frontend', 'dns', folder]);
    expect(dns.stdout).toMatch(/^✖ NOT REACHABLE: shop\/frontend\[Deployment\] → cluster DNS \(kube-system pods k8s-app=kube-dns\)/);
    expect(dns.stdout).toContain('(service port 53/UDP → dns = 1053, service port 53/TCP → dns-tcp = 1053)');
    expect(dns.stdout).toContain('svc:kube-system/kube-dns');
    expect(dns.stdout).toContain('the other 1 mentions neither shop nor kube-system nor a cluster-wide policy, so it cannot change this answer');
    const clusterIp = k8snet(['can-reach', 'shop/frontend', 'ip:10.96.0.30', '--port', '80', folder]);
    expect(clusterIp.stdout).toContain('ip:10.96.0.30 (ClusterIP of svc:other/web)');
    expect(clusterIp.status).toBe(1);
  });
});
