/**
 * The event-level projection (src/load/projection.ts): fields k8snet never reads are left out of
 * the constructed values, by kind, for list items too, while every field keeps its position.
 */
import { describe, expect, it } from '@jest/globals';
import { loadTexts } from '../../src/load/index.js';
import { locateField } from '../../src/load/manifest-object.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  managedFields:
    - manager: kubectl
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          env: [{name: A, value: b}]
          ports: [{containerPort: 80}]
status:
  readyReplicas: 2
`;

function load(text: string) {
  return loadTexts([{ path: 'm.yaml', text }]);
}

describe('projection', () => {
  it('leaves out managedFields, status and container env of a Deployment, keeping their positions', () => {
    const [object] = load(DEPLOYMENT).objects;
    const value = object.value as { metadata: Record<string, unknown>; status?: unknown; spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    expect(value.metadata.managedFields).toBeUndefined();
    expect(value.status).toBeUndefined();
    expect(value.spec.template.spec.containers[0].env).toBeUndefined();
    expect(value.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80 }]);
    expect(locateField(object.origin, ['status', 'readyReplicas']).line).toBe(20);
    expect(locateField(object.origin, ['metadata', 'managedFields', 0]).line).toBe(7);
  });

  it('projects the items of a List by their own kind, and PodList items by the list\'s', () => {
    const list = `apiVersion: v1
kind: List
items:
${DEPLOYMENT.replace(/^/gm, '  ').replace(/^ {2}apiVersion/, '- apiVersion')}`;
    const [deployment] = load(list).objects;
    expect((deployment.value.metadata as Record<string, unknown>).managedFields).toBeUndefined();
    expect(deployment.value.status).toBeUndefined();
    expect(locateField(deployment.origin, ['status', 'readyReplicas']).line).toBe(23);
    const pods = load(`apiVersion: v1
kind: PodList
items:
  - metadata: {name: p, namespace: shop, managedFields: [{manager: kubelet}]}
    spec: {containers: [{name: c, image: i, env: [{name: A}]}]}
    status: {podIP: 10.0.0.5, conditions: [{type: Ready}]}
`).objects;
    expect(pods[0].kind).toBe('Pod');
    expect((pods[0].value.metadata as Record<string, unknown>).managedFields).toBeUndefined();
    expect(pods[0].value.status).toEqual({ podIP: '10.0.0.5' });
  });

  it('keeps only the identity of kinds k8snet does not read, and all of the kinds it reads facts from', () => {
    const [secret, kubeadm] = load(`apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop}
data: {password: c2VjcmV0}
---
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking: {podSubnet: 10.244.0.0/16}
`).objects;
    expect(secret.value).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' } });
    expect(kubeadm.value.networking).toEqual({ podSubnet: '10.244.0.0/16' });
  });

  it('keeps only the pod spec and container fields k8snet reads, with the positions of the rest', () => {
    const [object] = load(`apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  hostNetwork: true
  nodeName: n1
  securityContext: {runAsUser: 1000}
  serviceAccountName: sa
  containers:
    - name: c
      image: calico/node:v3.27
      securityContext: {privileged: true}
      imagePullPolicy: Always
      ports: [{name: http, containerPort: 8080}]
  initContainers:
    - {name: proxy, image: envoy, restartPolicy: Always, ports: [{containerPort: 15001}], stdin: true}
`).objects;
    const spec = object.value.spec as Record<string, unknown>;
    expect(spec).toEqual({
      hostNetwork: true,
      nodeName: 'n1',
      // Cilium's identities, Istio's and Calico's carry the service account.
      serviceAccountName: 'sa',
      containers: [{ name: 'c', image: 'calico/node:v3.27', ports: [{ name: 'http', containerPort: 8080 }] }],
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always', ports: [{ containerPort: 15001 }] }],
    });
    expect(locateField(object.origin, ['spec', 'containers', 0, 'securityContext']).line).toBe(12);
  });

  it('keeps the data of cilium-config only, the identity of every other ConfigMap', () => {
    const [appConfig, cilium] = load(`apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {application.yaml: "server: {port: 8080}"}
---
apiVersion: v1
kind: ConfigMap
metadata: {namespace: kube-system, name: cilium-config}
data: {ipam: cluster-pool, cluster-pool-ipv4-cidr: 10.0.0.0/8}
`).objects;
    expect(appConfig.value).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'shop' } });
    expect(cilium.value.data).toEqual({ 'ipam': 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.0.0.0/8' });
    expect(locateField(appConfig.origin, ['data', 'application.yaml']).line).toBe(4);
  });

  describe('keys written twice in fields left out are still reported, as construction would', () => {
    const syntaxErrors = (text: string, path = 'm.yaml') => loadTexts([{ path, text }]).findings
      .filter((finding) => finding.ruleId === 'input-duplicate-key')
      .map((finding) => `${finding.location?.line}: ${finding.message.replace(/;.*/, '')}`);

    it('inside a dropped field (ConfigMap data)', () => {
      expect(syntaxErrors('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata:\n  mode: a\n  mode: b\n'))
        .toEqual(["6: Key 'mode' is written twice in this mapping (first at line 5)"]);
    });

    it('a dropped field written twice in a kept mapping (a pod spec field)', () => {
      expect(syntaxErrors('apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  dnsPolicy: Default\n  containers: [{name: c, image: i}]\n  dnsPolicy: None\n'))
        .toEqual(["7: Key 'dnsPolicy' is written twice in this mapping (first at line 5)"]);
    });

    it('keys that differ in writing but construct to the same key, exactly as construction decides', () => {
      const secret = (data: string) => syntaxErrors(`apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\nstringData: ${data}\n`).length;
      // The same key: a number two ways, a quoted and a plain word, null two ways, an escape, and
      // YAML 1.1's booleans as kubectl reads them (`yes` and `on` are true).
      for (const data of ['{1: a, 0x1: b}', '{"1": a, 0x1: b}', '{a: 1, "a": 2}', '{~: a, null: b}', '{name: a, "na\\u006de": b}',
        '{true: a, "true": b}', '{False: a, "false": b}', '{NULL: a, "null": b}', '{yes: a, "true": b}', '{on: a, Y: b}', '{0755: a, "493": b}']) expect([data, secret(data)]).toEqual([data, 1]);
      // Different keys: "1.0" stays text while 1.0 reads as 1; "~" is text while ~ is null.
      for (const data of ['{"1.0": a, 1.0: b}', '{"~": a, ~: b}', '{ab: a, ba: b}', '{tRue: a, "true": b}']) expect([data, secret(data)]).toEqual([data, 0]);
      // Past the first sixteen keys, as in a large mapping.
      const many = Array.from({ length: 20 }, (_, index) => `k${index}: v`).join(', ');
      expect(secret(`{${many}}`)).toBe(0);
      expect(secret(`{${many}, k3: again}`)).toBe(1);
    });

    it('but not in JSON, which allows them (the last one wins), nor for distinct keys', () => {
      expect(syntaxErrors('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app", "namespace": "shop"}, "data": {"mode": "a", "mode": "b"}}', 'm.json')).toEqual([]);
      const loaded = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {mode: a, "1": x, 2: y}\n');
      expect(loaded.findings).toEqual([]);
      expect(loaded.objects[0].value.data).toBeUndefined();
    });
  });

  it('constructs everything when a kept field is an alias of an anchor in a dropped one', () => {
    const [object] = load(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
status: {selector: &labels {app: web}}
spec:
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`).objects;
    expect((object.value.spec as { selector: unknown }).selector).toEqual({ matchLabels: { app: 'web' } });
  });
});
