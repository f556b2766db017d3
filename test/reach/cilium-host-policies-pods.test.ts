/**
 * Cilium host policies (nodeSelector) for hostNetwork pods, and `enable-policy: always` on host
 * endpoints. Host policies "apply only to the host namespace, including host-networking pods" of
 * the nodes they select (host.rst), with the host firewall on: a hostNetwork class placed only on
 * selected nodes is their subject, one placed on none is not, one placed on both (a DaemonSet) is
 * said. `always` enforces policy on the host endpoint too, but only with the host firewall on
 * (repository.go: "if lbls.Has(labels.IDNameHost) && !option.Config.EnableHostFirewall").
 */
import { describe, expect, it } from '@jest/globals';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';
import { ciliumConfig, solveUnderCilium } from './cilium-cluster.js';

const CLUSTER = `
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {role: ingress}}
status: {addresses: [{type: InternalIP, address: 10.0.0.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 10.0.0.12}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {nodeName: n2, containers: [{name: c, image: curl}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {nodeName: n2, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: edge, namespace: edge, labels: {app: edge}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: envoy}]}
---
apiVersion: v1
kind: Pod
metadata: {name: worker-agent, namespace: edge, labels: {app: edge}}
spec: {nodeName: n2, hostNetwork: true, containers: [{name: c, image: envoy}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: c, image: agent}]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: ingress-nodes}
spec:
  nodeSelector: {matchLabels: {role: ingress}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "8443", protocol: TCP}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-out, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEntities: [all]
`;

function solve(data: Record<string, string> | undefined) {
  const { graph, plugin, solver } = solveUnderCilium({ 'cluster.yaml': CLUSTER, 'config.yaml': ciliumConfig(data) });
  const ask = (source: string, destination: string) => {
    const answer = answerReach(solver, resolveEndpoint(graph, source, { solver }), resolveEndpoint(graph, destination, { solver }), undefined, plugin);
    return {
      allowed: answer.pairs.map((pair) => (pair.allowed.isEmpty() ? 'nothing' : pair.allowed.describe())).join(' | '),
      caveats: answer.pairs.flatMap((pair) => pair.verdict.caveats).join('\n'),
      isolatedBy: answer.pairs.flatMap((pair) => [...pair.verdict.egress.isolatingPolicies, ...pair.verdict.ingress.isolatingPolicies].map((policy) => policy.label)).join(', '),
    };
  };
  return { ask };
}

const TCP8443 = ConnectionSet.ofPorts('TCP', 8443).describe();

describe('Cilium host policies for hostNetwork pods', () => {
  const { ask } = solve({ 'enable-host-firewall': 'true' });

  it('apply to a hostNetwork pod placed on a node they select, as to the node itself', () => {
    const edge = ask('shop/client', 'edge/edge');
    expect(edge.allowed).toBe(TCP8443);
    expect(edge.isolatedBy).toBe('shop/client-out, ingress-nodes');
    expect(edge.caveats).not.toMatch(/leaves (it|them) out/);
    expect(edge.caveats).toMatch(/The destination uses hostNetwork: Cilium treats its traffic as its node's, so the host policies selecting that node \(ingress-nodes\) decide its ingress here/);
    expect(ask('shop/web', 'edge/edge').allowed).toBe('nothing');
    // The node as an endpoint agrees.
    expect(ask('shop/client', 'node:n1').allowed).toBe(TCP8443);
  });

  it('do not apply to a hostNetwork pod placed on a node they do not select, and say nothing of it', () => {
    const worker = ask('shop/web', 'edge/worker-agent');
    expect(worker.allowed).toBe('all ports and protocols');
    expect(worker.caveats).not.toMatch(/host policy/);
  });

  it('are said, not applied, for a hostNetwork DaemonSet on selected and unselected nodes', () => {
    const agent = ask('shop/web', 'monitoring/agent');
    expect(agent.allowed).toBe('all ports and protocols');
    expect(agent.caveats).toMatch(/CiliumClusterwideNetworkPolicy ingress-nodes \(.*cluster\.yaml:\d+\) \(a host policy\) selects the node of monitoring\/agent\[DaemonSet\] \(hostNetwork\) on some of the nodes it may run on but not all/);
  });

  it('are not enforced without the host firewall, and said so for a pod on a node they select', () => {
    const off = solve({ 'enable-host-firewall': 'false' }).ask('shop/web', 'edge/edge');
    expect(off.allowed).toBe('all ports and protocols');
    expect(off.caveats).toMatch(/ingress-nodes .*\(a host policy\) may select the node of edge\/edge \(hostNetwork\) for ingress, but cilium-config \(config\.yaml:3\) does not set enable-host-firewall: "true", so Cilium does not enforce host policies/);
  });
});

describe('enable-policy: always and host endpoints', () => {
  it('with the host firewall on, puts every node and every hostNetwork pod into default deny', () => {
    const { ask } = solve({ 'enable-host-firewall': 'true', 'enable-policy': 'always' });
    const node = ask('shop/client', 'node:n2');
    expect(node.allowed).toBe('nothing');
    expect(node.isolatedBy).toMatch(/kube-system\/cilium-config \(enable-policy: always\)/);
    expect(ask('shop/client', 'edge/worker-agent').allowed).toBe('nothing');
    // What a host policy allows still gets through (the client's egress allows everything).
    expect(ask('shop/client', 'edge/edge').allowed).toBe(TCP8443);
    expect(ask('shop/client', 'node:n1').allowed).toBe(TCP8443);
  });

  it('without the host firewall, leaves nodes and hostNetwork pods alone', () => {
    const { ask } = solve({ 'enable-policy': 'always' });
    expect(ask('shop/client', 'node:n2').allowed).toBe('all ports and protocols');
    expect(ask('shop/client', 'edge/worker-agent').allowed).toBe('all ports and protocols');
    // Endpoints are in default deny: web's ingress admits nothing.
    expect(ask('shop/client', 'shop/web').allowed).toBe('nothing');
  });
});
