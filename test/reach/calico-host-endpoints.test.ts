/**
 * Calico HostEndpoints as peers and subjects (src/reach/calico-host-endpoints.ts): a host
 * endpoint's own side is evaluated over the GlobalNetworkPolicies selecting it (tiers, order,
 * Pass, defaultAction), then its profiles, then denied; Felix's failsafe ports are open first;
 * pods' rules see it by its expectedIPs; what is not evaluated is said.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { parseAddress } from '../../src/model/cidr.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { CalicoHostEndpointSolver, hostEndpointsOfNode, type CalicoEndpointPeer } from '../../src/reach/calico-host-endpoints.js';
import { calicoHostEndpointAddressCaveats } from '../../src/reach/calico-caveats.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { answerReach, parsePortQuery, resolveEndpoint } from '../../src/reach/query.js';

const BASE = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {nodeName: node-a, containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {nodeName: node-b, containers: [{name: api, image: api}]}
status: {podIP: 10.0.1.2}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-a-eth0, labels: {role: worker}}
spec: {node: node-a, interfaceName: eth0, expectedIPs: [192.168.0.10], ports: [{name: kubelet, port: 10250, protocol: TCP}]}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-b-all, labels: {role: edge}}
spec: {node: node-b, interfaceName: "*", expectedIPs: [192.168.0.20], profiles: [projectcalico-default-allow]}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node-c-eth1, labels: {role: worker}}
spec: {node: node-c, interfaceName: eth1}
`;

function hostsOf(policies: string): CalicoHostEndpointSolver {
  const analysis = analyzeTexts([{ path: 'base.yaml', text: BASE }, { path: 'policies.yaml', text: policies }]);
  expect(analysis.inputFindings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
  return new CalicoHostEndpointSolver(new ReachabilitySolver(analysis.graph));
}

function peer(hosts: CalicoHostEndpointSolver, name: string): CalicoEndpointPeer {
  const graph = hosts.solver.graph;
  const endpoint = graph.calico.hostEndpoints.find((candidate) => candidate.name === name);
  if (endpoint) return { hostEndpoint: endpoint };
  const pod = graph.pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === name);
  if (pod) return { podClass: hosts.solver.classOf(pod) };
  const address = parseAddress(name)!;
  return { family: address.family, range: { first: address.value, last: address.value } };
}

function between(hosts: CalicoHostEndpointSolver, source: string, destination: string): string {
  const allowed = hosts.between(peer(hosts, source), peer(hosts, destination)).allowed;
  return allowed.isEmpty() ? 'nothing' : allowed.describe();
}

function caveats(hosts: CalicoHostEndpointSolver, source: string, destination: string): string {
  return hosts.between(peer(hosts, source), peer(hosts, destination)).caveats.join('\n');
}

const FAILSAFE_IN = 'TCP 22,179,2379-2380,5473,6443,6666-6667; UDP 68';
const FAILSAFE_OUT = 'TCP 179,2379-2380,5473,6443,6666-6667; UDP 53,67';

describe('Calico host endpoints without policy', () => {
  const hosts = hostsOf('');

  it('deny what the failsafe ports do not open, unless a profile allows', () => {
    expect(between(hosts, 'shop/api', 'node-a-eth0')).toBe(FAILSAFE_IN);
    expect(between(hosts, '203.0.113.9', 'node-a-eth0')).toBe(FAILSAFE_IN);
    expect(between(hosts, 'node-a-eth0', '203.0.113.9')).toBe(FAILSAFE_OUT);
    // projectcalico-default-allow: "allow-all semantics instead of deny-all in the absence of policy".
    expect(between(hosts, 'shop/web', 'node-b-all')).toBe('all ports and protocols');
    expect(between(hosts, 'node-b-all', '203.0.113.9')).toBe('all ports and protocols');
  });

  it('say that the failsafe ports are Felix defaults a FelixConfiguration may change', () => {
    expect(caveats(hosts, '203.0.113.9', 'node-a-eth0')).toMatch(/failsafe ports \(inbound: TCP\/22, UDP\/68/);
    expect(caveats(hosts, 'shop/web', 'node-b-all')).not.toMatch(/failsafe/);
  });

  it('take the failsafe ports a FelixConfiguration states: none, some, from one net only, per node', () => {
    const felix = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
    const off = hostsOf(felix('default', '{failsafeInboundHostPorts: [], failsafeOutboundHostPorts: []}'));
    expect(between(off, '203.0.113.9', 'node-a-eth0')).toBe('nothing');
    expect(between(off, 'node-a-eth0', '203.0.113.9')).toBe('nothing');
    const some = hostsOf(felix('default', '{failsafeInboundHostPorts: [{protocol: TCP, port: 22, net: 192.168.0.0/24}, {protocol: UDP, port: 68}]}'));
    expect(between(some, '203.0.113.9', 'node-a-eth0')).toBe('UDP 68');
    expect(between(some, '192.168.0.20', 'node-a-eth0')).toBe('TCP 22; UDP 68');
    // Outbound is not stated: Felix's defaults.
    expect(between(some, 'node-a-eth0', '203.0.113.9')).toBe(FAILSAFE_OUT);
    expect(caveats(some, '192.168.0.20', 'node-a-eth0')).toContain('The failsafe ports of FelixConfiguration default (failsafeInboundHostPorts: TCP/22 from 192.168.0.0/24, UDP/68) are open at host endpoint node-a-eth0 whatever the policy (calico-node\'s FELIX_FAILSAFEINBOUNDHOSTPORTS environment variable, where set, overrides them).');
    // A node's own configuration (node.<name>) comes before the default.
    const perNode = hostsOf(`${felix('default', '{failsafeInboundHostPorts: []}')}---\n${felix('node.node-a', '{failsafeInboundHostPorts: [{protocol: TCP, port: 22}]}')}`);
    expect(between(perNode, '203.0.113.9', 'node-a-eth0')).toBe('TCP 22');
    expect(between(perNode, '203.0.113.9', 'node-c-eth1')).toBe('nothing');
  });

  it('say the failsafe ports only where they change the answer on the ports asked, policy or not', () => {
    const asked = (port: number) => hosts.between(peer(hosts, '203.0.113.9'), peer(hosts, 'node-a-eth0'), { asked: ConnectionSet.ofPorts('TCP', port) }).caveats.join('\n');
    expect(asked(22)).toMatch(/failsafe ports \(inbound/);
    expect(asked(10250)).not.toMatch(/failsafe/);
  });

  it('leave pods open: their side towards a host endpoint is their own policies\' answer for its address', () => {
    expect(between(hosts, 'node-b-all', 'shop/web')).toBe('all ports and protocols');
  });

  it('make answers about an address say when it is a host endpoint\'s, whose policy they do not evaluate', () => {
    const graph = hosts.solver.graph;
    const range = (text: string) => ({ first: parseAddress(text)!.value, last: parseAddress(text)!.value });
    expect(calicoHostEndpointAddressCaveats(graph, 4, range('192.168.0.10'), 'destination')).toEqual([
      expect.stringMatching(/^The destination address 192\.168\.0\.10 is Calico host endpoint node-a-eth0 \(node node-a\)/),
    ]);
    expect(calicoHostEndpointAddressCaveats(graph, 4, range('192.168.0.11'), 'destination')).toEqual([]);
  });

  it('find the host endpoints of a node by name', () => {
    const graph = hosts.solver.graph;
    expect(hostEndpointsOfNode(graph, 'node-a').map((endpoint) => endpoint.name)).toEqual(['node-a-eth0']);
    expect(hostEndpointsOfNode(graph, 'node-z')).toEqual([]);
  });
});

describe('Calico host endpoints with policy', () => {
  const hosts = hostsOf(`apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform.workers}
spec:
  tier: platform
  order: 10
  selector: role == 'worker'
  ingress:
  - action: Deny
    source: {nets: [203.0.113.0/24]}
  - action: Pass
    protocol: TCP
    destination: {ports: [kubelet]}
  - action: Allow
    protocol: TCP
    source: {selector: app == 'web'}
    destination: {ports: [9100]}
  egress:
  - action: Allow
    destination: {selector: app == 'api'}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: default.kubelet}
spec:
  order: 1
  selector: role == 'worker'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {nets: [10.0.0.0/16]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.web, namespace: shop}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    source: {selector: role == 'edge', namespaceSelector: global()}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.api, namespace: shop}
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
  - action: Allow
    source: {selector: role == 'worker', namespaceSelector: global()}
`);

  it('evaluate the tiers on the host endpoint: first match, Pass to the next tier, failsafe ports first', () => {
    // web → node-a: platform tier allows TCP 9100 from app=web, passes TCP 10250 (named port kubelet on the
    // endpoint) to the default tier, whose policy allows TCP from 10.0.0.0/16; the rest of platform is its default deny.
    expect(between(hosts, 'shop/web', 'node-a-eth0')).toBe('TCP 22,179,2379-2380,5473,6443,6666-6667,9100,10250; UDP 68');
    // From 203.0.113.9 the Deny decides everything after the failsafe ports.
    expect(between(hosts, '203.0.113.9', 'node-a-eth0')).toBe(FAILSAFE_IN);
  });

  it('explain the host endpoint\'s side by the rules that decided it, failsafe rules and Pass included', () => {
    const answer = hosts.between(peer(hosts, 'shop/web'), peer(hosts, 'node-a-eth0'), { explain: true });
    const ingress = answer.sides!.find((side) => side.direction === 'ingress')!;
    expect(ingress.trace.decisions.map((decision) => `${decision.rule.source.policyLabel} ${decision.rule.source.ruleLabel} ${decision.rule.action}: ${decision.ports.describe()}`)).toEqual([
      'failsafe ports of host endpoint node-a-eth0 failsafeInboundHostPorts allow: TCP 22,179,2379-2380,5473,6443,6666-6667; UDP 68',
      'platform.workers ingress[1] pass: TCP 10250',
      'platform.workers ingress[2] allow: TCP 9100',
      'default.kubelet ingress[0] allow: TCP 10250',
    ]);
    expect(answer.sides!.find((side) => side.direction === 'egress')!.allowed.describe()).toBe('all ports and protocols');
  });

  it('never apply a namespaced NetworkPolicy to a host endpoint', () => {
    expect(between(hosts, 'node-a-eth0', 'shop/api')).toBe('all ports and protocols');
  });

  it('let pods\' rules select a host endpoint by labels through its expectedIPs', () => {
    // default.web admits role=edge (node-b-all at 192.168.0.20), not role=worker.
    expect(between(hosts, 'node-b-all', 'shop/web')).toBe('all ports and protocols');
    expect(between(hosts, 'node-a-eth0', 'shop/web')).toBe('nothing');
  });

  it('match no label selector for a host endpoint without expectedIPs, and say so', () => {
    // node-c-eth1 has role=worker but no address: default.api's selector cannot match its traffic.
    expect(between(hosts, 'node-c-eth1', 'shop/api')).toBe('nothing');
    expect(caveats(hosts, 'node-c-eth1', 'shop/api')).toMatch(/node-c-eth1 has no expectedIPs/);
  });

  it('say which interface the answer assumes and when both ends share a node', () => {
    expect(caveats(hosts, 'shop/api', 'node-a-eth0')).toMatch(/polices interface eth0 of node node-a only/);
    expect(caveats(hosts, 'shop/web', 'node-a-eth0')).toMatch(/same node \(node-a\)/);
    expect(caveats(hosts, 'shop/web', 'node-b-all')).not.toMatch(/interface/);
  });
});

describe('Calico host endpoint policies k8snet does not evaluate', () => {
  const hosts = hostsOf(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: raw}
spec:
  selector: role == 'worker'
  doNotTrack: true
  applyOnForward: true
  ingress: [{action: Deny}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: forward}
spec:
  selector: role == 'edge'
  applyOnForward: true
  ingress: [{action: Allow, protocol: TCP}]
`);

  it('leave doNotTrack and preDNAT policies out, and name them', () => {
    expect(between(hosts, 'shop/api', 'node-a-eth0')).toBe(FAILSAFE_IN);
    expect(caveats(hosts, 'shop/api', 'node-a-eth0')).toMatch(/GlobalNetworkPolicy raw \(doNotTrack\) selects host endpoint node-a-eth0/);
  });

  it('evaluate applyOnForward policies for the host\'s own traffic and say forwarded traffic is not', () => {
    expect(between(hosts, '203.0.113.9', 'node-b-all')).toBe('TCP 1-65535; UDP 68');
    expect(caveats(hosts, '203.0.113.9', 'node-b-all')).toMatch(/forward \(applyOnForward\) also applies to traffic forwarded/);
  });
});

describe('a hostNetwork pod is its node: the node\'s host endpoints police it', () => {
  const exporter = (nodeName: string | undefined) => `apiVersion: v1
kind: Pod
metadata: {name: exporter, namespace: shop, labels: {app: exporter}}
spec: {hostNetwork: true, ${nodeName ? `nodeName: ${nodeName}, ` : ''}containers: [{name: exporter, image: exporter, ports: [{containerPort: 9100}]}]}
`;
  const workers = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: workers-ingress}
spec:
  selector: role == 'worker'
  types: [Ingress]
  ingress: [{action: Allow, protocol: TCP, source: {nets: [192.168.0.0/24]}, destination: {ports: [9100]}}]
`;
  const ask = (texts: string[], source: string, destination: string) => {
    const analysis = analyzeTexts([{ path: 'base.yaml', text: BASE }, ...texts.map((text, index) => ({ path: `t${index}.yaml`, text }))]);
    return answerReach(new ReachabilitySolver(analysis.graph), resolveEndpoint(analysis.graph, source), resolveEndpoint(analysis.graph, destination), parsePortQuery('9100'));
  };

  it('answers through the host endpoint of the node it runs on: its policies, then Calico\'s default deny', () => {
    const fromOutside = ask([exporter('node-a'), workers], 'ip:203.0.113.7', 'shop/exporter');
    expect(fromOutside.reachable).toBe('none');
    expect(fromOutside.pairs.map((pair) => pair.destination.label)).toEqual(['shop/exporter on node-a (host endpoint node-a-eth0, interface eth0)']);
    const fromNodes = ask([exporter('node-a'), workers], 'ip:192.168.0.20', 'shop/exporter');
    expect(fromNodes.reachable).toBe('all');
    // A pod's IP is not in the workers' nets: the host endpoint's default denies it.
    expect(ask([exporter('node-a'), workers], 'shop/web', 'shop/exporter').reachable).toBe('none');
  });

  it('on a node without a host endpoint Calico applies no host policy: answered as before, and said', () => {
    const elsewhere = ask([exporter('node-d'), workers], 'ip:203.0.113.7', 'shop/exporter');
    expect(elsewhere.reachable).toBe('all');
    expect(elsewhere.pairs.map((pair) => pair.destination.label)).toEqual(['shop/exporter']);
    // Where the pod runs is not known: per host endpoint, and the nodes without one.
    const unknown = ask([exporter(undefined), workers], 'ip:203.0.113.7', 'shop/exporter');
    expect(unknown.pairs.map((pair) => `${pair.destination.label}: ${pair.allowed.isEmpty() ? 'denied' : 'allowed'}`)).toEqual([
      'shop/exporter on node-a (host endpoint node-a-eth0, interface eth0): denied',
      'shop/exporter on node-b (host endpoint node-b-all, every interface): allowed',
      'shop/exporter on node-c (host endpoint node-c-eth1, interface eth1): denied',
      'shop/exporter (on nodes without a Calico host endpoint): allowed',
    ]);
    expect(unknown.reachable).toBe('some');
  });
});
