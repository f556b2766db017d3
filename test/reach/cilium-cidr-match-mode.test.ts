/**
 * Cilium's `policy-cidr-match-mode` (cilium-config): by default CIDR selectors (CIDR rules, CIDR
 * sets, NetworkPolicy ipBlocks) match no in-cluster entity, neither pods nor nodes; with `nodes`
 * they also select nodes' addresses, and so hostNetwork pods on those nodes (layer3.rst,
 * "Selecting nodes with CIDR / ipBlock"). The world entity never selects a node.
 */
import { describe, expect, it } from '@jest/globals';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { entityPeerOf, resolveEntityEndpoint, type EntityEndpoint } from '../../src/reach/entity-endpoints.js';
import { ciliumConfig, solveUnderCilium } from './cilium-cluster.js';

const CLUSTER = `
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 10.0.0.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 10.0.0.12}]}
---
apiVersion: v1
kind: Node
metadata: {name: n3}
status: {addresses: [{type: InternalIP, address: 10.9.0.13}]}
---
apiVersion: v1
kind: Node
metadata: {name: n4}
status: {addresses: [{type: InternalIP, address: 10.0.0.14}, {type: ExternalIP, address: 203.0.113.14}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pair-1, namespace: monitoring, labels: {app: pair}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: pair}]}
status: {podIP: 10.0.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: pair-2, namespace: monitoring, labels: {app: pair}}
spec: {nodeName: n3, hostNetwork: true, containers: [{name: c, image: pair}]}
status: {podIP: 10.9.0.13}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {nodeName: n3, containers: [{name: c, image: nginx}]}
status: {podIP: 10.0.0.50}
---
apiVersion: v1
kind: Pod
metadata: {name: exporter, namespace: monitoring, labels: {app: exporter}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: exporter}]}
status: {podIP: 10.0.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: far-exporter, namespace: monitoring, labels: {app: far-exporter}}
spec: {nodeName: n3, hostNetwork: true, containers: [{name: c, image: exporter}]}
status: {podIP: 10.9.0.13}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: c, image: agent}]}
`;

const CILIUM_POLICY = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromCIDR: [10.0.0.0/24]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
    - fromCIDRSet: [{cidr: 10.0.0.0/16, except: [10.0.0.12/32]}]
      toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
    - fromEntities: [world]
      toPorts: [{ports: [{port: "7070", protocol: TCP}]}]
`;

const NETWORK_POLICY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from: [{ipBlock: {cidr: 10.0.0.0/24}}]
      ports: [{port: 8080}]
`;

function solve(policy: string, mode: string | undefined) {
  const { graph, solver, pod } = solveUnderCilium({
    'cluster.yaml': CLUSTER, 'policy.yaml': policy, 'config.yaml': ciliumConfig(mode === undefined ? undefined : { 'policy-cidr-match-mode': mode }),
  });
  const web = solver.classOf(pod('web'));
  const node = (name: string) => entityPeerOf(resolveEntityEndpoint(graph, `node:${name}`) as EntityEndpoint, solver.compiledRules, 'remote');
  return {
    solver, graph,
    fromNode: (name: string) => solver.explain(node(name), web),
    fromPod: (name: string) => solver.explain(solver.classOf(pod(name)), web),
  };
}

const TCP8080 = ConnectionSet.ofPorts('TCP', 8080).describe();
const TCP8080_9090 = ConnectionSet.ofPorts('TCP', 8080).union(ConnectionSet.ofPorts('TCP', 9090)).describe();

describe('policy-cidr-match-mode', () => {
  it('is read from cilium-config as a list holding nodes', () => {
    expect(solve(CILIUM_POLICY, 'nodes').graph.cilium.agentConfig.cidrMatchNodes).toBe(true);
    expect(solve(CILIUM_POLICY, 'nodes,other').graph.cilium.agentConfig.cidrMatchNodes).toBe(true);
    expect(solve(CILIUM_POLICY, '').graph.cilium.agentConfig.cidrMatchNodes).toBeUndefined();
    expect(solve(CILIUM_POLICY, undefined).graph.cilium.agentConfig.cidrMatchNodes).toBeUndefined();
  });

  it('by default, a CIDR selects no node and no hostNetwork pod, even one whose address it holds', () => {
    const { fromNode, fromPod } = solve(CILIUM_POLICY, undefined);
    expect(fromNode('n1').allowed.isEmpty()).toBe(true);
    expect(fromPod('exporter').allowed.isEmpty()).toBe(true);
    // A pod address inside the CIDR is never selected, whatever the mode.
    expect(solve(CILIUM_POLICY, 'nodes').fromPod('web').allowed.isEmpty()).toBe(true);
  });

  it('with nodes, fromCIDR and fromCIDRSet (with except) select the nodes they hold and the hostNetwork pods on them; world selects none', () => {
    const { fromNode, fromPod } = solve(CILIUM_POLICY, 'nodes');
    // Both rules' CIDRs hold n1; the CIDR set's except leaves n2 to the first; the world entity selects no node.
    expect(fromNode('n1').allowed.describe()).toBe(TCP8080_9090);
    expect(fromNode('n2').allowed.describe()).toBe(TCP8080);
    expect(fromNode('n3').allowed.isEmpty()).toBe(true);
    expect(fromPod('exporter').allowed.describe()).toBe(TCP8080_9090);
    expect(fromPod('far-exporter').allowed.isEmpty()).toBe(true);
  });

  it('with nodes, a hostNetwork DaemonSet on nodes inside and outside the CIDR is not counted, and said', () => {
    const { fromPod } = solve(CILIUM_POLICY, 'nodes');
    const verdict = fromPod('agent');
    expect(verdict.allowed.isEmpty()).toBe(true);
    expect(verdict.caveats.join('\n')).toMatch(/rule "ingress\[0\]\.toPorts\[0\]" selects node addresses by CIDR \(policy-cidr-match-mode: nodes\), and the hostNetwork source has no address the manifests give: not counted here; where its node's address lies inside, that rule would allow TCP 8080/);
  });

  it('with nodes, pods of one class on nodes inside and outside, and a node with addresses inside and outside, are said, not counted', () => {
    const { fromPod, fromNode } = solve(CILIUM_POLICY, 'nodes');
    const pair = fromPod('pair-1');
    expect(pair.allowed.isEmpty()).toBe(true);
    expect(pair.caveats.join('\n')).toMatch(/rule "ingress\[0\]\.toPorts\[0\]" selects node addresses by CIDR \(policy-cidr-match-mode: nodes\), and the hostNetwork source runs on nodes both inside and outside those CIDRs: not counted here/);
    const n4 = fromNode('n4');
    expect(n4.allowed.isEmpty()).toBe(true);
    expect(n4.caveats.join('\n')).toMatch(/rule "ingress\[0\]\.toPorts\[0\]" \(fromCIDR 10\.0\.0\.0\/24\) selects node addresses by CIDR \(policy-cidr-match-mode: nodes\) and holds only some of node:n4's: where its traffic uses one of those, that rule would allow TCP 8080\./);
  });

  it('applies to NetworkPolicy ipBlocks under Cilium alike', () => {
    expect(solve(NETWORK_POLICY, undefined).fromNode('n1').allowed.isEmpty()).toBe(true);
    expect(solve(NETWORK_POLICY, undefined).fromPod('exporter').allowed.isEmpty()).toBe(true);
    const { fromNode, fromPod } = solve(NETWORK_POLICY, 'nodes');
    expect(fromNode('n1').allowed.describe()).toBe(TCP8080);
    expect(fromNode('n3').allowed.isEmpty()).toBe(true);
    expect(fromPod('exporter').allowed.describe()).toBe(TCP8080);
    expect(fromPod('web').allowed.isEmpty()).toBe(true);
  });
});
