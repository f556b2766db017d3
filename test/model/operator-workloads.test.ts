/**
 * Pods that operators run for custom resources: prometheus-operator's Prometheus, Alertmanager and
 * ThanosRuler (the StatefulSets, labels, ports and Services it creates), kinds declared in
 * `.k8snet.yaml` `workloads:`, and namespaces declared in `namespaces:`.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts, type AnalyzeOptions } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { KIND_DEFINITIONS, identifyKind } from '../../src/load/kinds.js';
import { BUILT_IN_OPERATOR_KINDS } from '../../src/model/operator-workloads.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';
import type { ResourceGraph } from '../../src/model/graph.js';

function analysisOf(documents: string[], options: AnalyzeOptions = {}) {
  return analyzeTexts([{ path: 'test.yaml', text: documents.join('---\n') }], options);
}

function graphOf(documents: string[], options: AnalyzeOptions = {}): ResourceGraph {
  const analysis = analysisOf(documents, options);
  expect(analysis.inputFindings.filter((finding) => finding.severity !== 'info')).toEqual([]);
  return analysis.graph;
}

const PROMETHEUS = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  replicas: 2
  version: v2.54.1
  podMetadata:
    labels: {app.kubernetes.io/part-of: kube-prometheus, app.kubernetes.io/name: not-this-one}
`;

describe('prometheus-operator', () => {
  it('lists the same kinds in the kind registry and in the model', () => {
    // Each built-in operator kind is a kind of the registry (validated, its spec kept), and the
    // registry's kinds of an operator's group all have a description of their pods.
    // (The Gateway API's group is Kubernetes' own: only a Gateway of Istio's class makes pods.)
    for (const [group, kinds] of Object.entries(BUILT_IN_OPERATOR_KINDS)) {
      if (group !== 'gateway.networking.k8s.io') {
        expect(KIND_DEFINITIONS.filter((definition) => definition.group === group).map((definition) => definition.kind).sort()).toEqual(Object.keys(kinds).sort());
      }
      for (const kind of Object.keys(kinds)) expect(identifyKind(`${group}/v1`, kind).status).toBe('modelled');
    }
  });

  it('makes a Prometheus the StatefulSet prometheus-<name>, with the labels and ports the operator gives its pods', () => {
    const analysis = analysisOf([PROMETHEUS]);
    // The loader knows the kind: no "unknown kind" note.
    expect(analysis.inputFindings).toEqual([]);
    const workload = analysis.graph.workload('monitoring/prometheus-k8s[StatefulSet]')!;
    expect(workload).toMatchObject({ kind: 'StatefulSet', name: 'prometheus-k8s', replicas: 2, madeBy: { kind: 'Prometheus', name: 'k8s' } });
    const [pod] = workload.pods;
    expect(pod.labels).toEqual({
      // spec.podMetadata.labels, under the operator's own selector labels (which win).
      'app.kubernetes.io/part-of': 'kube-prometheus',
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/version': '2.54.1',
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      'app.kubernetes.io/instance': 'k8s',
      prometheus: 'k8s',
      'operator.prometheus.io/name': 'k8s',
      'operator.prometheus.io/shard': '0',
      // The StatefulSet controller's own.
      'controller-revision-hash': '<generated>',
    });
    expect(pod.ports).toEqual([
      { name: 'web', containerPort: 9090, protocol: 'TCP' },
      { name: 'reloader-web', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(pod.source.kind).toBe('Prometheus');
    // The governing Service prometheus-operated selects them.
    const operated = analysis.graph.service('monitoring', 'prometheus-operated')!;
    expect(operated).toMatchObject({ clusterIP: 'None', selector: { 'app.kubernetes.io/name': 'prometheus' }, createdBy: { kind: 'Prometheus', name: 'k8s' } });
    expect(operated.ports.map((port) => `${port.name} ${port.port}->${port.targetPort}/${port.protocol}`)).toEqual(['web 9090->web/TCP']);
    expect(analysis.graph.podsWithLabels(operated.selector!, 'monitoring')).toEqual([pod]);
  });

  it('adds the Thanos sidecar ports, a StatefulSet per shard, and drops ports bound to localhost', () => {
    const graph = graphOf([`apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: main, namespace: obs}
spec:
  shards: 2
  portName: http-web
  listenLocal: true
  thanos: {image: quay.io/thanos/thanos:v0.36.1, httpListenLocal: true}
  containers: [{name: oauth-proxy, ports: [{name: proxy, containerPort: 9091}]}]
`]);
    expect(graph.workloads.map((workload) => workload.id)).toEqual(['obs/prometheus-main-shard-1[StatefulSet]', 'obs/prometheus-main[StatefulSet]']);
    const shard1 = graph.workload('obs/prometheus-main-shard-1[StatefulSet]')!.pods[0];
    expect(shard1.labels['operator.prometheus.io/shard']).toBe('1');
    expect(shard1.labels['app.kubernetes.io/version']).toBe('<generated>');
    expect(shard1.ports).toEqual([{ name: 'grpc', containerPort: 10901, protocol: 'TCP' }, { name: 'proxy', containerPort: 9091, protocol: 'TCP' }]);
    expect(graph.service('obs', 'prometheus-operated')!.ports.map((port) => `${port.name} ${port.port}->${port.targetPort}`))
      .toEqual(['http-web 9090->http-web', 'grpc 10901->grpc']);
  });

  it('makes Alertmanager and ThanosRuler StatefulSets with their mesh, web and gRPC ports and governing Services', () => {
    const graph = graphOf([`apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec: {replicas: 3, podMetadata: {labels: {app.kubernetes.io/component: alert-router}}}
`, `apiVersion: monitoring.coreos.com/v1
kind: ThanosRuler
metadata: {name: rules, namespace: monitoring}
spec: {queryEndpoints: [thanos-query:9090]}
`]);
    const alertmanager = graph.workload('monitoring/alertmanager-main[StatefulSet]')!;
    expect(alertmanager.replicas).toBe(3);
    expect(alertmanager.pods[0].labels).toMatchObject({
      'app.kubernetes.io/component': 'alert-router', app: 'alertmanager', 'app.kubernetes.io/name': 'alertmanager', alertmanager: 'main', 'app.kubernetes.io/instance': 'main',
    });
    expect(alertmanager.pods[0].ports.map((port) => `${port.name} ${port.containerPort}/${port.protocol}`))
      .toEqual(['web 9093/TCP', 'mesh-tcp 9094/TCP', 'mesh-udp 9094/UDP', 'reloader-web 8080/TCP']);
    const ruler = graph.workload('monitoring/thanos-ruler-rules[StatefulSet]')!;
    expect(ruler.pods[0].labels).toMatchObject({ app: 'thanos-ruler', 'app.kubernetes.io/name': 'thanos-ruler', 'thanos-ruler': 'rules' });
    expect(ruler.pods[0].ports.map((port) => `${port.name} ${port.containerPort}`)).toEqual(['grpc 10901', 'web 10902', 'reloader-web 8080']);
    expect(graph.services.map((service) => service.name).sort()).toEqual(['alertmanager-operated', 'thanos-ruler-operated']);
    expect(graph.service('monitoring', 'alertmanager-operated')!.ports.map((port) => `${port.name} ${port.port}/${port.protocol}`))
      .toEqual(['web 9093/TCP', 'tcp-mesh 9094/TCP', 'udp-mesh 9094/UDP']);
  });

  it('takes the StatefulSet, its Pods and the Service from a cluster dump that holds them, rather than making its own', () => {
    const graph = graphOf([PROMETHEUS, `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: prometheus-k8s
  namespace: monitoring
  ownerReferences: [{apiVersion: monitoring.coreos.com/v1, kind: Prometheus, name: k8s, controller: true}]
spec:
  replicas: 2
  serviceName: prometheus-operated
  selector: {matchLabels: {app.kubernetes.io/name: prometheus}}
  template:
    metadata: {labels: {app.kubernetes.io/name: prometheus, from: dump}}
    spec: {containers: [{name: prometheus, image: p, ports: [{name: web, containerPort: 9090}]}]}
`, `apiVersion: v1
kind: Service
metadata: {name: prometheus-operated, namespace: monitoring}
spec: {clusterIP: None, selector: {app.kubernetes.io/name: prometheus}, ports: [{name: web, port: 9090, targetPort: web}]}
`]);
    expect(graph.workloads.map((workload) => workload.id)).toEqual(['monitoring/prometheus-k8s[StatefulSet]']);
    expect(graph.workloads[0].madeBy).toBeUndefined();
    expect(graph.workloads[0].pods[0].labels.from).toBe('dump');
    expect(graph.services.filter((service) => service.name === 'prometheus-operated').map((service) => service.createdBy)).toEqual([undefined]);
  });

  it('makes no pods for an object the API server refuses, nor for a version of the group the registry does not know', () => {
    const analysis = analysisOf([PROMETHEUS.replace('replicas: 2', 'replicas: "2"'), PROMETHEUS.replace('/v1', '/v1alpha1').replace('name: k8s', 'name: old')]);
    expect(analysis.graph.workloads).toEqual([]);
    expect(analysis.graph.service('monitoring', 'prometheus-operated')).toBeUndefined();
    expect(analysis.inputFindings.map((finding) => `${finding.ruleId} ${finding.path}`)).toEqual(['input-schema spec.replicas', 'input-unknown-kind kind']);
    expect(analysis.inputFindings[1].message).toMatch(/^Kind Prometheus of monitoring\.coreos\.com \(v1alpha1\) is not a kind k8snet models/);
  });
});

describe('istiod and the Gateway API', () => {
  const gateway = (className: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: ${className}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
${extra}`;

  it('makes a Gateway of class istio the Deployment <name>-istio: Istio proxies with the Gateway\'s name label, its service account, its listeners\' ports', () => {
    const analysis = analysisOf([gateway('istio', '  infrastructure:\n    labels: {team: edge}\n')]);
    const workload = analysis.graph.workload('edge/public-istio[Deployment]')!;
    expect(workload).toMatchObject({ kind: 'Deployment', name: 'public-istio', replicas: 1, madeBy: { kind: 'Gateway', name: 'public' } });
    const [pod] = workload.pods;
    expect(pod.labels).toMatchObject({ 'gateway.networking.k8s.io/gateway-name': 'public', 'gateway.istio.io/managed': 'istio.io-gateway-controller', team: 'edge' });
    expect(pod.serviceAccountName).toBe('public-istio');
    expect(pod.ports.map((port) => port.containerPort)).toEqual([15020, 15021, 15090, 80, 443]);
  });

  it('makes nothing for another class, nor for a Gateway that names its own Service (Istio\'s manual deployment)', () => {
    expect(analysisOf([gateway('cilium')]).graph.workloads).toEqual([]);
    expect(analysisOf([gateway('istio', '  addresses:\n  - {type: Hostname, value: ingress.istio-system.svc.cluster.local}\n')]).graph.workloads).toEqual([]);
  });
});

describe('.k8snet.yaml workloads:', () => {
  const REDIS = `apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata: {name: cache, namespace: shop}
spec:
  redis:
    replicas: 3
    podTemplate: {metadata: {labels: {tier: cache}}}
    customContainers: [{name: exporter, ports: [{name: metrics, containerPort: 9121}]}]
  sentinel: {replicas: 2}
`;
  const config = resolveConfig({
    workloads: [
      {
        apiVersion: 'databases.spotahome.com/v1', kind: 'RedisFailover', name: 'rfr-{name}', replicas: 'spec.redis.replicas',
        labelsFrom: 'spec.redis.podTemplate.metadata.labels',
        labels: { 'app.kubernetes.io/component': 'redis', 'redisfailovers.databases.spotahome.com/name': '{name}' },
        ports: [{ name: 'redis', containerPort: 6379 }], portsFrom: 'spec.redis.customContainers',
      },
      {
        apiVersion: 'databases.spotahome.com', kind: 'RedisFailover', controller: 'Deployment', name: 'rfs-{name}', replicas: 'spec.sentinel.replicas',
        labels: { 'app.kubernetes.io/component': 'sentinel' }, ports: [{ name: 'sentinel', containerPort: 26379 }],
      },
    ],
  }, undefined);
  const options: AnalyzeOptions = { workloadDeclarations: config.workloads };

  it('makes the declared controllers, reading labels, ports and replicas where the declaration says', () => {
    const analysis = analysisOf([REDIS], options);
    // Declared, so not an unknown kind.
    expect(analysis.inputFindings).toEqual([]);
    const redis = analysis.graph.workload('shop/rfr-cache[StatefulSet]')!;
    expect(redis).toMatchObject({ replicas: 3, madeBy: { kind: 'RedisFailover', name: 'cache' } });
    expect(redis.pods[0].labels).toEqual({
      tier: 'cache', 'app.kubernetes.io/component': 'redis', 'redisfailovers.databases.spotahome.com/name': 'cache', 'controller-revision-hash': '<generated>',
    });
    expect(redis.pods[0].ports.map((port) => `${port.name} ${port.containerPort}`)).toEqual(['redis 6379', 'metrics 9121']);
    // Findings about the pods' labels point into the object's pod template.
    expect(redis.pods[0].templatePath).toEqual(['spec', 'redis', 'podTemplate']);
    const sentinel = analysis.graph.workload('shop/rfs-cache[Deployment]')!;
    expect(sentinel.replicas).toBe(2);
    expect(sentinel.pods[0].labels).toEqual({ 'app.kubernetes.io/component': 'sentinel', 'pod-template-hash': '<generated>' });
  });

  it('gives the pods the service account the object or the declaration names (Calico serviceAccounts rules and Istio principals match it)', () => {
    // prometheus-operator runs the pods as spec.serviceAccountName.
    const prometheus = graphOf([`${PROMETHEUS}  serviceAccountName: prometheus-k8s\n`]).workload('monitoring/prometheus-k8s[StatefulSet]')!;
    expect(prometheus.pods.length).toBeGreaterThan(0);
    expect(prometheus.pods.every((pod) => pod.serviceAccountName === 'prometheus-k8s')).toBe(true);
    expect(graphOf([PROMETHEUS]).workload('monitoring/prometheus-k8s[StatefulSet]')!.pods[0].serviceAccountName).toBeUndefined();
    // A declared kind: a fixed name with placeholders (CloudNativePG runs a cluster's pods as the cluster's name), or a path.
    const declared = (declaration: object) => resolveConfig({
      workloads: [{ apiVersion: 'databases.spotahome.com/v1', kind: 'RedisFailover', name: 'rfr-{name}', replicas: 'spec.redis.replicas', ...declaration }],
    }, undefined);
    const fixed = analysisOf([REDIS], { workloadDeclarations: declared({ serviceAccountName: 'redis-{name}' }).workloads }).graph.workload('shop/rfr-cache[StatefulSet]')!;
    expect(fixed.pods[0].serviceAccountName).toBe('redis-cache');
    const fromPath = analysisOf([`${REDIS}  serviceAccount: {name: cache-sa}\n`], { workloadDeclarations: declared({ serviceAccountNameFrom: 'spec.serviceAccount.name' }).workloads })
      .graph.workload('shop/rfr-cache[StatefulSet]')!;
    expect(fromPath.pods[0].serviceAccountName).toBe('cache-sa');
  });

  it('leaves the kind unknown without the declaration', () => {
    const analysis = analysisOf([REDIS]);
    expect(analysis.graph.workloads).toEqual([]);
    expect(analysis.inputFindings.map((finding) => finding.ruleId)).toEqual(['input-unknown-kind']);
  });

  it('replaces the built-in description of a kind it declares', () => {
    const custom = resolveConfig({ workloads: [{ apiVersion: 'monitoring.coreos.com', kind: 'Prometheus', name: 'prom-{name}', labels: { app: 'prom' } }] }, undefined);
    const graph = graphOf([PROMETHEUS], { workloadDeclarations: custom.workloads });
    expect(graph.workloads.map((workload) => `${workload.id} ${JSON.stringify(workload.pods[0].labels)}`))
      .toEqual(['monitoring/prom-k8s[StatefulSet] {"app":"prom","controller-revision-hash":"<generated>"}']);
    expect(graph.service('monitoring', 'prometheus-operated')).toBeUndefined();
  });
});

describe('.k8snet.yaml namespaces:', () => {
  const documents = [`apiVersion: apps/v1
kind: Deployment
metadata: {name: notebook, namespace: alice}
spec:
  selector: {matchLabels: {app: notebook}}
  template:
    metadata: {labels: {app: notebook}}
    spec: {containers: [{name: nb, image: nb}]}
`, `apiVersion: apps/v1
kind: Deployment
metadata: {name: pipeline, namespace: kubeflow}
spec:
  selector: {matchLabels: {app: pipeline}}
  template:
    metadata: {labels: {app: pipeline}}
    spec: {containers: [{name: p, image: p, ports: [{containerPort: 8888}]}]}
`, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-profiles, namespace: kubeflow}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {app.kubernetes.io/part-of: kubeflow-profile}}}]}]
`];

  function reachable(options: AnalyzeOptions): string {
    const graph = graphOf(documents, options);
    const answer = answerReach(new ReachabilitySolver(graph), resolveEndpoint(graph, 'alice/notebook'), resolveEndpoint(graph, 'kubeflow/pipeline'), { protocol: 'TCP', port: 8888 });
    return answer.reachable;
  }

  it('gives a namespace the manifests only use the labels .k8snet.yaml declares, for selectors and the solver', () => {
    expect(reachable({})).toBe('none');
    const config = resolveConfig({ namespaces: { alice: { 'app.kubernetes.io/part-of': 'kubeflow-profile' }, bob: { 'app.kubernetes.io/part-of': 'kubeflow-profile' } } }, undefined);
    expect(reachable({ namespaceDeclarations: config.namespaces })).toBe('all');
    const graph = graphOf(documents, { namespaceDeclarations: config.namespaces });
    expect(graph.namespace('alice')).toMatchObject({ labels: { 'app.kubernetes.io/part-of': 'kubeflow-profile', 'kubernetes.io/metadata.name': 'alice' }, declaredIn: { path: ['namespaces', 'alice'] } });
    // bob runs nothing here but exists, with its labels.
    expect(graph.namespace('bob')?.labels['app.kubernetes.io/part-of']).toBe('kubeflow-profile');
  });

  it('lets a Namespace object of the manifests win over a declaration', () => {
    const config = resolveConfig({ namespaces: { alice: { 'app.kubernetes.io/part-of': 'kubeflow-profile' } } }, undefined);
    const graph = graphOf([...documents, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: alice, labels: {team: a}}\n'], { namespaceDeclarations: config.namespaces });
    expect(graph.namespace('alice')!.labels).toEqual({ team: 'a', 'kubernetes.io/metadata.name': 'alice' });
  });
});
