import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { describeWithShared } from '../shared-folder.js';
import { analyzeTexts } from '../../src/pipeline.js';
import { placePod, sameNode, type PlacementNode } from '../../src/model/pod-placement.js';

const NODES: PlacementNode[] = [
  { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', zone: 'a', 'node-role.kubernetes.io/control-plane': '' } },
  { name: 'node-2', labels: { 'kubernetes.io/hostname': 'node-2', zone: 'b', gpu: '4' } },
  { name: 'node-3', labels: { 'kubernetes.io/hostname': 'node-3', zone: 'b', gpu: '8' } },
];

describe('placePod', () => {
  it('places a pod on its nodeName, a fact stated from elsewhere winning', () => {
    expect(placePod({ nodeName: 'node-9' }, NODES).placement).toEqual({ kind: 'node', node: 'node-9', reason: 'nodeName' });
    expect(placePod({ nodeName: 'node-9' }, NODES, { statedNode: 'node-1' }).placement).toEqual({ kind: 'node', node: 'node-1', reason: 'stated' });
  });

  it('matches nodeSelector and required node affinity against the Nodes of the input', () => {
    expect(placePod({ nodeSelector: { zone: 'a' } }, NODES).placement).toEqual({ kind: 'node', node: 'node-1', reason: 'constraints' });
    expect(placePod({ nodeSelector: { zone: 'b' } }, NODES).placement).toEqual({ kind: 'nodes', nodes: ['node-2', 'node-3'], every: false });
    const affinity = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
    expect(placePod(affinity([{ matchExpressions: [{ key: 'gpu', operator: 'Gt', values: ['4'] }] }]), NODES).placement).toMatchObject({ node: 'node-3' });
    expect(placePod(affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }]), NODES).placement).toMatchObject({ node: 'node-2' });
    // Terms are ORed; the expressions of one term are ANDed.
    expect(placePod(affinity([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }, { key: 'gpu', operator: 'Lt', values: ['5'] }] },
      { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] },
    ]), NODES).placement).toEqual({ kind: 'nodes', nodes: ['node-1', 'node-2'], every: false });
    expect(placePod(affinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a', 'b'] }] }]), NODES).placement).toEqual({ kind: 'nodes', nodes: [], every: false });
  });

  it('runs a DaemonSet\'s pods on every admitted node, and knows nothing without Nodes', () => {
    expect(placePod({ nodeSelector: { zone: 'b' } }, NODES, { daemonSet: true }).placement).toEqual({ kind: 'nodes', nodes: ['node-2', 'node-3'], every: true });
    expect(placePod({ nodeSelector: { zone: 'b' } }, []).placement).toEqual({ kind: 'unknown' });
  });

  it('reads required pod affinity and anti-affinity on the hostname only', () => {
    const scheduling = placePod({
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { name: 'client' } }, topologyKey: 'kubernetes.io/hostname' },
          { labelSelector: { matchLabels: { name: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' },
        ] },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { name: 'web' } }, namespaces: ['front'], topologyKey: 'kubernetes.io/hostname' }] },
      },
    }, []);
    expect(scheduling.sameNodeAs.map((term) => term.selector.text)).toEqual(['name=client']);
    expect(scheduling.otherNodeThan.map((term) => [term.selector.text, term.namespaces])).toEqual([['name=web', ['front']]]);
  });
});

// The topology is cilium-cli's, in ../shared: skipped without it, failing under CI.
describeWithShared('sameNode on the cilium-cli connectivity topology', ['conformance/dialects/cilium/_topology'], () => {
  it('tells from affinities which pods share client\'s node', () => {
    const topology = ['cilium-test-topology.yaml', 'assumed-cluster-infra.yaml']
      .map((file) => ({ path: file, text: fs.readFileSync(`../shared/conformance/dialects/cilium/_topology/${file}`, 'utf8') }));
    const graph = analyzeTexts(topology).graph;
    const pod = (name: string) => graph.pods.find((candidate) => candidate.name === name)!;
    expect(sameNode(pod('client'), pod('client2'))).toBe('same');
    expect(sameNode(pod('client'), pod('echo-same-node'))).toBe('same');
    expect(sameNode(pod('client'), pod('client3'))).toBe('different');
    expect(sameNode(pod('echo-other-node'), pod('client'))).toBe('different');
    // Two pods placed relative to client only: the manifests do not say.
    expect(sameNode(pod('client2'), pod('echo-same-node'))).toBe('unknown');
    // With the case's stated nodes, every pair is known.
    const stated = analyzeTexts(topology, { podNodes: new Map([['cilium-test/client2', 'node-1'], ['cilium-test/echo-same-node', 'node-1']]) }).graph;
    const placed = (name: string) => stated.pods.find((candidate) => candidate.name === name)!;
    expect(sameNode(placed('client2'), placed('echo-same-node'))).toBe('same');
    // The host-netns DaemonSet runs on both nodes.
    expect(placed('host-netns').scheduling?.placement).toEqual({ kind: 'nodes', nodes: ['node-1', 'node-2'], every: true });
  });
});
