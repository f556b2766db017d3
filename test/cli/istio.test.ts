/**
 * Answers where two enforcement points meet: the network plugin's policies and Istio's proxies.
 * A connection one allows and the other refuses names the one that refuses it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { expectNoStackTrace, k8snet } from './run-cli.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-istio-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec: {serviceAccountName: frontend, containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: netshoot, namespace: infra}
spec:
  selector: {matchLabels: {app: netshoot}}
  template:
    metadata: {labels: {app: netshoot}}
    spec: {containers: [{name: netshoot, image: nicolaka/netshoot}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-infra, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: infra}}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: frontend-from-gateway, namespace: shop}
spec:
  selector: {matchLabels: {app: frontend}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/infra/sa/gateway]}}]}]
`;

describe('k8snet where the network plugin and Istio meet', () => {
  it('names Istio as what refuses a connection the NetworkPolicy allows', () => {
    fs.writeFileSync(path.join(scratch, 'all.yaml'), MANIFESTS);
    const run = k8snet(['can-reach', 'infra/netshoot', 'shop/frontend', '--port', '8080/TCP', scratch]);
    expectNoStackTrace(run);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/shop\/from-infra ingress\[0\] \(.*all\.yaml:\d+\) allows all ports and protocols from namespaceSelector kubernetes\.io\/metadata\.name=infra\./);
    expect(run.stdout).toContain('Istio: no ingress rule of shop/frontend-from-gateway allows TCP 8080 from the other side, so it denies it there.');
    expect(run.stdout).not.toMatch(/Network plugin: no ingress rule/);
  });

  it('explain lists an Istio rule whose sources are all outside the manifests, saying so', () => {
    fs.writeFileSync(path.join(scratch, 'all.yaml'), MANIFESTS);
    const run = k8snet(['explain', 'shop/frontend', scratch]);
    expectNoStackTrace(run);
    // The gateway's service account is in no manifest: the rule still admits it, in the cluster.
    expect(run.stdout).toMatch(/shop\/frontend-from-gateway rules\[0\] \(.*all\.yaml:\d+\): TCP 1-65535 from principals cluster\.local\/ns\/infra\/sa\/gateway \(no source in the manifests\)$/m);
  });
});
