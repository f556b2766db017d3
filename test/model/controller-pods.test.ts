/**
 * The pods controllers make: the labels they add (known values, and values computed at run time),
 * StatefulSet ordinals told apart when a selector names them, given Pods taking their ordinal's
 * place, Indexed Jobs, and pod classes that stay one per template however many replicas.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import type { ResourceGraph } from '../../src/model/graph.js';

function graphOf(...documents: string[]): ResourceGraph {
  const analysis = analyzeTexts([{ path: 'test.yaml', text: documents.join('---\n') }]);
  expect(analysis.inputFindings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return analysis.graph;
}

function statefulSet(name: string, replicas: number, extra = ''): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}, namespace: argocd}
spec:
  replicas: ${replicas}
  serviceName: ${name}
  selector: {matchLabels: {app: ${name}}}
${extra}  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: redis, image: redis, ports: [{name: redis, containerPort: 6379}]}]}
`;
}

function podService(name: string, podName: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: argocd}
spec:
  selector: {app: redis-ha, statefulset.kubernetes.io/pod-name: ${podName}}
  ports: [{port: 6379, targetPort: redis}]
`;
}

describe('StatefulSet ordinals', () => {
  it('keeps one pod standing for every replica when no selector tells the ordinals apart', () => {
    const graph = graphOf(statefulSet('redis-ha', 3));
    const workload = graph.workload('argocd/redis-ha[StatefulSet]')!;
    expect(workload.pods.map((pod) => pod.name)).toEqual(['redis-ha']);
    expect(workload.pods[0].ordinal).toBeUndefined();
    expect(workload.pods[0].labels).toEqual({ app: 'redis-ha', 'controller-revision-hash': '<generated>' });
  });

  it('makes a pod per ordinal, with the pod-name and pod-index labels, when a Service selects one by name', () => {
    const graph = graphOf(statefulSet('redis-ha', 3), podService('redis-ha-announce-0', 'redis-ha-0'), podService('redis-ha-announce-2', 'redis-ha-2'));
    const workload = graph.workload('argocd/redis-ha[StatefulSet]')!;
    expect(workload.pods.map((pod) => `${pod.name} #${pod.ordinal} ${pod.labels['statefulset.kubernetes.io/pod-name']} ${pod.labels['apps.kubernetes.io/pod-index']}`)).toEqual([
      'redis-ha-0 #0 redis-ha-0 0', 'redis-ha-1 #1 redis-ha-1 1', 'redis-ha-2 #2 redis-ha-2 2',
    ]);
    // The Service of one ordinal selects that pod only.
    const announce0 = graph.service('argocd', 'redis-ha-announce-0')!;
    expect(graph.podsWithLabels(announce0.selector!, 'argocd').map((pod) => pod.name)).toEqual(['redis-ha-0']);
    const announce2 = graph.service('argocd', 'redis-ha-announce-2')!;
    expect(graph.podsWithLabels(announce2.selector!, 'argocd').map((pod) => pod.name)).toEqual(['redis-ha-2']);
  });

  it('tells ordinals apart for a NetworkPolicy selector on apps.kubernetes.io/pod-index, from spec.ordinals.start', () => {
    const graph = graphOf(statefulSet('db', 2, '  ordinals: {start: 5}\n'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary, namespace: argocd}
spec:
  podSelector: {matchExpressions: [{key: apps.kubernetes.io/pod-index, operator: In, values: ["5"]}]}
  ingress: [{}]
`);
    const workload = graph.workload('argocd/db[StatefulSet]')!;
    expect(workload.pods.map((pod) => pod.name)).toEqual(['db-5', 'db-6']);
    expect(graph.policiesSelecting(workload.pods[0]).map((policy) => policy.name)).toEqual(['primary']);
    expect(graph.policiesSelecting(workload.pods[1])).toEqual([]);
  });

  it('lets a given Pod take the place of its ordinal (its own labels and podIP), the other ordinals coming from the template', () => {
    const graph = graphOf(statefulSet('web', 3), `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: argocd
  labels: {app: web, role: leader}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, controller: true}]
spec: {containers: [{name: web, image: web}]}
status: {podIP: 10.244.1.7}
`);
    const workload = graph.workload('argocd/web[StatefulSet]')!;
    expect(workload.pods.map((pod) => `${pod.name} #${pod.ordinal} ${pod.podIP ?? '-'} ${pod.templatePath.length > 0 ? 'template' : 'given'}`)).toEqual([
      'web-0 #0 - template', 'web-1 #1 10.244.1.7 given', 'web-2 #2 - template',
    ]);
    expect(workload.pods[1].labels).toEqual({ app: 'web', role: 'leader' });
  });

  it('gives ordinals the addresses a pod-IP list names, each its own pod (a conformance case\'s pod-ips file)', () => {
    const analysis = analyzeTexts([{ path: 'test.yaml', text: statefulSet('db', 2) }], {
      podIPs: new Map([['argocd/db-0', '10.244.1.10'], ['argocd/db-1', '10.244.2.10']]),
    });
    const workload = analysis.graph.workload('argocd/db[StatefulSet]')!;
    expect(workload.pods.map((pod) => `${pod.name} ${pod.podIP}`)).toEqual(['db-0 10.244.1.10', 'db-1 10.244.2.10']);
  });

  it('keeps the ordinals no selector names in one pod class, so 10,000 replicas cost what one does', () => {
    const graph = graphOf(statefulSet('redis-ha', 10_000), podService('redis-ha-announce-0', 'redis-ha-0'));
    const workload = graph.workload('argocd/redis-ha[StatefulSet]')!;
    expect(workload.pods).toHaveLength(10_000);
    const solver = new ReachabilitySolver(graph);
    expect(new Set(workload.pods.map((pod) => solver.classOf(pod))).size).toBe(2);
    expect(solver.classOf(workload.pods[0])).not.toBe(solver.classOf(workload.pods[1]));
    expect(solver.classOf(workload.pods[1])).toBe(solver.classOf(workload.pods[9_999]));
  });
});

describe('Jobs', () => {
  const job = (extra: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: shard, namespace: batch}
spec:
${extra}  template:
    metadata: {labels: {app: shard}}
    spec: {restartPolicy: Never, containers: [{name: c, image: c}]}
`;

  it('gives Indexed Jobs a pod per completion index when a selector names the index', () => {
    const graph = graphOf(job('  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n'), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: coordinator, namespace: batch}
spec:
  podSelector: {matchLabels: {batch.kubernetes.io/job-completion-index: "0"}}
  ingress: [{}]
`);
    const pods = graph.workload('batch/shard[Job]')!.pods;
    expect(pods.map((pod) => `${pod.name} ${pod.labels['batch.kubernetes.io/job-completion-index']} ${pod.labels['job-name']}`)).toEqual([
      'shard-0 0 shard', 'shard-1 1 shard', 'shard-2 2 shard',
    ]);
    expect(graph.policiesSelecting(pods[0]).map((policy) => policy.name)).toEqual(['coordinator']);
    expect(graph.policiesSelecting(pods[2])).toEqual([]);
  });

  it('adds no Job labels when the Job brings its own selector (manualSelector)', () => {
    const graph = graphOf(job('  manualSelector: true\n  selector: {matchLabels: {app: shard}}\n'));
    expect(graph.workload('batch/shard[Job]')!.pods[0].labels).toEqual({ app: 'shard' });
  });
});
