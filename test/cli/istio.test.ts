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

describe('a denial at a second enforcement point after a rule in rank order allowed', () => {
  it('names the Istio Sidecar that drops egress the NetworkPolicy (ranked under Calico) allows', () => {
    const folder = fs.mkdtempSync(path.join(scratch, 'sidecar-'));
    fs.writeFileSync(path.join(folder, '.k8snet.yaml'), 'cluster:\n  cni: calico\n');
    fs.writeFileSync(path.join(folder, 'all.yaml'), `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: data}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Pod
metadata: {name: redis, namespace: data, labels: {app: redis}}
spec: {containers: [{name: redis, image: redis, ports: [{containerPort: 6379}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 6379}]}]
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.egress-blocklist}
spec:
  tier: security
  selector: all()
  types: [Egress]
  egress:
    - {action: Deny, destination: {nets: [203.0.113.0/24]}}
    - {action: Pass}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress: [{hosts: ["./*"]}]
`);
    const run = k8snet(['can-reach', 'shop/api', 'data/redis', '--port', '6379', folder], { cwd: folder });
    expectNoStackTrace(run);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/NetworkPolicy shop\/api-egress rule "egress\[0\]" \(.*all\.yaml:\d+\) allows TCP 6379\./);
    expect(run.stdout).toContain('Istio: no egress rule of shop/default allows TCP 6379 to the other side, so it denies it there.');
    expect(run.stdout).not.toMatch(/No egress rule of these policies/);
  });
});
