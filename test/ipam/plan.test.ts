/**
 * The address plan (src/ipam/plan.ts): where each fact (pod ranges, Service ranges, node mask
 * sizes, node count, maxPods, node-port range, Calico pools, node ranges and addresses) comes
 * from — flags, `.k8snet.yaml`, kubeadm, kind, kubelet, Node, ServiceCIDR, Calico and Cilium
 * objects, Kubernetes' defaults — which source wins and which it overrides, where each source
 * points, and the facts that cannot be read, which are reported and never thrown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildAddressPlan, KUBERNETES_DEFAULTS, type AddressPlan, type Candidate, type Fact, type PlanRange } from '../../src/ipam/plan.js';
import { loadConfig, resolveConfig, withClusterOverrides, type ClusterOverrides, type LintConfig } from '../../src/lint/config.js';
import { analyzeTexts } from '../../src/pipeline.js';

const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-ipam-plan-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
/** A configuration read from a real `.k8snet.yaml`, so stated facts carry their object and path. */
function configFile(text: string): LintConfig {
  const file = path.join(TEMP, `c${counter++}`, '.k8snet.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return loadConfig(file);
}

/** The plan of some manifest texts, with the given `cluster:` settings and command-line overrides. */
function planOf(manifests: string | readonly string[], options: { cluster?: Record<string, unknown>; overrides?: ClusterOverrides; config?: LintConfig } = {}): AddressPlan {
  const texts = (typeof manifests === 'string' ? [manifests] : manifests).map((text, index) => ({ path: `cluster-${index}.yaml`, text }));
  const { graph } = analyzeTexts(texts);
  const base = options.config ?? resolveConfig(options.cluster ? { cluster: options.cluster } : {}, undefined);
  return buildAddressPlan(graph, withClusterOverrides(base, options.overrides ?? {}).cluster);
}

const texts = (ranges: readonly PlanRange[] | undefined): string[] | undefined => ranges?.map((range) => range.cidr.text);
/** Each overridden candidate as `description=value`, in order. */
const overridden = <T>(fact: Fact<T> | undefined, show: (value: T) => string = String): string[] =>
  (fact?.overridden ?? []).map((candidate: Candidate<T>) => `${candidate.source.description}=${show(candidate.value)}`);
const rangeText = (ranges: readonly PlanRange[]): string => ranges.map((range) => range.cidr.text).join(',');

const KUBEADM_V1BETA3 = `
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking:
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/16
controllerManager:
  extraArgs:
    node-cidr-mask-size: "25"
apiServer:
  extraArgs:
    service-node-port-range: 30000-30999
`;

const KUBEADM_V1BETA4 = `
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
networking:
  podSubnet: 10.244.0.0/20,fd00:10:244::/56
  serviceSubnet: 10.96.0.0/24,fd00:10:96::/112
controllerManager:
  extraArgs:
    - name: allocate-node-cidrs
      value: "true"
    - name: node-cidr-mask-size-ipv4
      value: "26"
    - name: node-cidr-mask-size-ipv6
      value: "80"
apiServer:
  extraArgs:
    - name: service-node-port-range
      value: "31000-31099"
`;

const KIND = (networking: string, nodes = ''): string => `
apiVersion: kind.x-k8s.io/v1alpha4
kind: Cluster
${networking ? `networking:\n${networking}` : ''}
${nodes}
`;

const node = (name: string, body: string): string => `
apiVersion: v1
kind: Node
metadata:
  name: ${name}
${body}
`;

const CILIUM_CONFIG = (data: string): string => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: cilium-config
  namespace: kube-system
data:
${data}
`;

describe('buildAddressPlan with no facts at all', () => {
  const plan = planOf('');

  it('knows no pod range, Service range or node count', () => {
    expect(plan.podRanges).toBeUndefined();
    expect(plan.serviceRanges).toBeUndefined();
    expect(plan.nodes).toBeUndefined();
    expect(plan.maxNodes).toBeUndefined();
    expect(plan.calicoPools).toEqual([]);
    expect(plan.nodeRanges).toEqual([]);
    expect(plan.nodeAddresses).toEqual([]);
    expect(plan.invalid).toEqual([]);
  });

  it("falls back to Kubernetes' defaults, saying so and pointing at nothing", () => {
    expect(plan.nodeMaskSize[4]).toEqual({ value: 24, source: { kind: 'default', description: "kube-controller-manager's default --node-cidr-mask-size-ipv4" }, overridden: [] });
    expect(plan.nodeMaskSize[6]).toEqual({ value: 64, source: { kind: 'default', description: "kube-controller-manager's default --node-cidr-mask-size-ipv6" }, overridden: [] });
    expect(plan.maxPodsPerNode).toEqual({ value: 110, source: { kind: 'default', description: "kubelet's default maxPods" }, overridden: [] });
    expect(plan.nodePortRange).toEqual({ value: { from: 30000, to: 32767 }, source: { kind: 'default', description: "kube-apiserver's default --service-node-port-range" }, overridden: [] });
  });

  it("states Kubernetes' documented defaults", () => {
    expect(KUBERNETES_DEFAULTS).toEqual({
      nodeMaskSize: { 4: 24, 6: 64 }, maxPodsPerNode: 110, nodePortRange: { from: 30000, to: 32767 }, kubeadmServiceSubnet: '10.96.0.0/12',
    });
  });
});

describe('kubeadm ClusterConfiguration', () => {
  it('gives the pod and Service range, the node mask size and the node-port range (v1beta3 extraArgs map)', () => {
    const plan = planOf(KUBEADM_V1BETA3);
    expect(texts(plan.podRanges?.value)).toEqual(['10.244.0.0/16']);
    expect(plan.podRanges?.source).toMatchObject({ kind: 'manifest', description: 'ClusterConfiguration networking.podSubnet', path: ['networking', 'podSubnet'] });
    expect(plan.podRanges?.source.object?.kind).toBe('ClusterConfiguration');
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/16']);
    expect(plan.serviceRanges?.source).toMatchObject({ kind: 'manifest', description: 'ClusterConfiguration networking.serviceSubnet', path: ['networking', 'serviceSubnet'] });
    expect(plan.nodeMaskSize[4].value).toBe(25);
    expect(plan.nodeMaskSize[4].source).toMatchObject({
      kind: 'manifest', description: 'ClusterConfiguration controllerManager.extraArgs.node-cidr-mask-size', path: ['controllerManager', 'extraArgs', 'node-cidr-mask-size'],
    });
    // kube-controller-manager's default still disagrees, and loses.
    expect(overridden(plan.nodeMaskSize[4])).toEqual(["kube-controller-manager's default --node-cidr-mask-size-ipv4=24"]);
    expect(plan.nodeMaskSize[6].value).toBe(64);
    expect(plan.nodePortRange.value).toEqual({ from: 30000, to: 30999 });
    expect(plan.nodePortRange.source).toMatchObject({
      description: 'ClusterConfiguration apiServer.extraArgs.service-node-port-range', path: ['apiServer', 'extraArgs', 'service-node-port-range'],
    });
    expect(plan.invalid).toEqual([]);
  });

  it('reads v1beta4 extraArgs lists, pointing at the value of the entry', () => {
    const plan = planOf(KUBEADM_V1BETA4);
    expect(texts(plan.podRanges?.value)).toEqual(['10.244.0.0/20', 'fd00:10:244::/56']);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/24', 'fd00:10:96::/112']);
    expect(plan.nodeMaskSize[4]).toMatchObject({ value: 26, source: { path: ['controllerManager', 'extraArgs', 1, 'value'], description: 'ClusterConfiguration controllerManager.extraArgs[1].value' } });
    expect(plan.nodeMaskSize[6]).toMatchObject({ value: 80, source: { path: ['controllerManager', 'extraArgs', 2, 'value'] } });
    expect(plan.nodePortRange).toMatchObject({ value: { from: 31000, to: 31099 }, source: { path: ['apiServer', 'extraArgs', 0, 'value'] } });
    expect(plan.invalid).toEqual([]);
  });

  it("falls back to kubeadm's default Service subnet 10.96.0.0/12, pointing at the configuration", () => {
    const plan = planOf(`
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
networking:
  podSubnet: 192.168.0.0/16
`);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/12']);
    expect(plan.serviceRanges?.source).toMatchObject({
      kind: 'default', description: "kubeadm's default for ClusterConfiguration, which sets no networking.serviceSubnet", path: [],
    });
    expect(plan.serviceRanges?.source.object?.kind).toBe('ClusterConfiguration');
    expect(texts(plan.podRanges?.value)).toEqual(['192.168.0.0/16']);
  });

  it('applies a plain node-cidr-mask-size to the family of a single-stack IPv6 podSubnet', () => {
    const plan = planOf(`
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking:
  podSubnet: fd00:10:244::/56
  serviceSubnet: fd00:10:96::/112
controllerManager:
  extraArgs:
    node-cidr-mask-size: "72"
`);
    expect(plan.nodeMaskSize[6]).toMatchObject({ value: 72, source: { path: ['controllerManager', 'extraArgs', 'node-cidr-mask-size'] } });
    expect(plan.nodeMaskSize[4]).toMatchObject({ value: 24, source: { kind: 'default' } });
    expect(plan.invalid).toEqual([]);
  });
});

describe('kind Cluster', () => {
  it('defaults an IPv4 cluster (no networking at all) to 10.244.0.0/16 and 10.96.0.0/16 on one node', () => {
    const plan = planOf(KIND(''));
    expect(texts(plan.podRanges?.value)).toEqual(['10.244.0.0/16']);
    expect(plan.podRanges?.source).toMatchObject({ kind: 'default', description: "kind's default for Cluster, which sets no networking.podSubnet", path: [] });
    expect(plan.podRanges?.source.object?.kind).toBe('Cluster');
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/16']);
    expect(plan.serviceRanges?.source.description).toBe("kind's default for Cluster, which sets no networking.serviceSubnet");
    expect(plan.nodes).toMatchObject({ value: 1, source: { kind: 'default', description: "kind's single node for Cluster, which lists no nodes" } });
  });

  it('defaults an IPv6 cluster to fd00:10:244::/56 and fd00:10:96::/112', () => {
    const plan = planOf(KIND('  ipFamily: ipv6'));
    expect(texts(plan.podRanges?.value)).toEqual(['fd00:10:244::/56']);
    expect(texts(plan.serviceRanges?.value)).toEqual(['fd00:10:96::/112']);
  });

  it('defaults a dual-stack cluster to both pairs, IPv4 first', () => {
    const plan = planOf(KIND('  ipFamily: dual'));
    expect(texts(plan.podRanges?.value)).toEqual(['10.244.0.0/16', 'fd00:10:244::/56']);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/16', 'fd00:10:96::/112']);
    expect(plan.invalid).toEqual([]);
  });

  it('takes explicit subnets over the defaults and counts the nodes it lists', () => {
    const plan = planOf(KIND('  podSubnet: 10.240.0.0/14\n  serviceSubnet: 10.100.0.0/20', 'nodes:\n  - role: control-plane\n  - role: worker\n  - role: worker'));
    expect(texts(plan.podRanges?.value)).toEqual(['10.240.0.0/14']);
    expect(plan.podRanges?.source).toMatchObject({ kind: 'manifest', description: 'Cluster networking.podSubnet', path: ['networking', 'podSubnet'] });
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.100.0.0/20']);
    expect(plan.serviceRanges?.source.path).toEqual(['networking', 'serviceSubnet']);
    expect(plan.nodes).toMatchObject({ value: 3, source: { kind: 'manifest', description: 'Cluster nodes', path: ['nodes'] } });
  });
});

describe('KubeletConfiguration', () => {
  it('gives maxPods, pointing at the field', () => {
    const plan = planOf('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 250\n');
    expect(plan.maxPodsPerNode).toMatchObject({ value: 250, source: { kind: 'manifest', description: 'KubeletConfiguration maxPods', path: ['maxPods'] } });
    expect(overridden(plan.maxPodsPerNode)).toEqual(["kubelet's default maxPods=110"]);
  });

  it("gives kubelet's default 110 when it sets none, pointing at the configuration", () => {
    const plan = planOf('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n');
    expect(plan.maxPodsPerNode).toMatchObject({ value: 110, source: { kind: 'default', description: "kubelet's default maxPods for KubeletConfiguration, which sets none", path: [] }, overridden: [] });
    expect(plan.maxPodsPerNode.source.object?.kind).toBe('KubeletConfiguration');
  });
});

describe('Node objects', () => {
  const nodes = [
    node('worker-1', `spec:
  podCIDR: 10.244.0.0/25
  podCIDRs: [10.244.0.0/25, fd00:10:244::/64]
status:
  capacity: {cpu: "8", pods: "110"}
  addresses:
    - {type: Hostname, address: worker-1}
    - {type: InternalIP, address: 192.168.10.11}
    - {type: InternalIP, address: "fd00:192:168::11"}
    - {type: ExternalIP, address: 203.0.113.11}
    - {type: InternalDNS, address: worker-1.internal}`),
    node('worker-2', `spec:
  podCIDR: 10.244.0.128/25
status:
  capacity: {pods: "64"}
  addresses:
    - {type: InternalIP, address: 192.168.10.12}`),
    node('worker-3', 'spec: {}\nstatus:\n  capacity: {pods: "80"}'),
  ];
  const plan = planOf(nodes);

  it('gives each node range, once even when podCIDR repeats podCIDRs[0]', () => {
    expect(plan.nodeRanges.map((range) => `${range.nodeName} ${range.cidr.text} ${range.source.description}`)).toEqual([
      'worker-1 10.244.0.0/25 Node worker-1 spec.podCIDRs[0]',
      'worker-1 fd00:10:244::/64 Node worker-1 spec.podCIDRs[1]',
      'worker-2 10.244.0.128/25 Node worker-2 spec.podCIDR',
    ]);
    expect(plan.nodeRanges[2].source.path).toEqual(['spec', 'podCIDR']);
  });

  it("takes the node mask size from the nodes' ranges when they all agree", () => {
    expect(plan.nodeMaskSize[4]).toMatchObject({ value: 25, source: { description: 'Node worker-1 spec.podCIDRs[0]' } });
    expect(plan.nodeMaskSize[6]).toMatchObject({ value: 64, source: { description: 'Node worker-1 spec.podCIDRs[1]' }, overridden: [] });
  });

  it('takes the smallest status.capacity.pods as maxPods', () => {
    expect(plan.maxPodsPerNode).toMatchObject({ value: 64, source: { kind: 'manifest', description: 'Node worker-2 status.capacity.pods', path: ['status', 'capacity', 'pods'] } });
  });

  it('counts the Node objects', () => {
    expect(plan.nodes).toMatchObject({ value: 3, source: { kind: 'manifest', description: 'the 3 Node objects', path: [] } });
  });

  it('keeps InternalIP and ExternalIP addresses of either family, and nothing else', () => {
    expect(plan.nodeAddresses.map((entry) => `${entry.nodeName} ${entry.address.text} ${entry.source.description}`)).toEqual([
      'worker-1 192.168.10.11 Node worker-1 status.addresses[1].address',
      'worker-1 fd00:192:168::11 Node worker-1 status.addresses[2].address',
      'worker-1 203.0.113.11 Node worker-1 status.addresses[3].address',
      'worker-2 192.168.10.12 Node worker-2 status.addresses[0].address',
    ]);
  });

  it('leaves the node mask size to the default when the nodes disagree', () => {
    const mixed = planOf([node('a', 'spec:\n  podCIDR: 10.244.0.0/24'), node('b', 'spec:\n  podCIDR: 10.244.1.0/25')]);
    expect(mixed.nodeMaskSize[4]).toMatchObject({ value: 24, source: { kind: 'default' } });
  });
});

describe('ServiceCIDR objects', () => {
  it('give the Service ranges, several objects adding up', () => {
    const plan = planOf(`
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata:
  name: kubernetes
spec:
  cidrs: [10.96.0.0/16, "fd00:10:96::/112"]
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata:
  name: extra
spec:
  cidrs: [10.97.0.0/24]
`);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.96.0.0/16', 'fd00:10:96::/112', '10.97.0.0/24']);
    expect(plan.serviceRanges?.value.map((range) => range.source.description)).toEqual([
      'ServiceCIDR kubernetes spec.cidrs[0]', 'ServiceCIDR kubernetes spec.cidrs[1]', 'ServiceCIDR extra spec.cidrs[0]',
    ]);
    expect(plan.serviceRanges?.source.path).toEqual(['spec', 'cidrs', 0]);
    expect(plan.invalid).toEqual([]);
  });
});

describe('Calico IPPools', () => {
  const plan = planOf(`
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata:
  name: v1-default
spec:
  cidr: 192.168.0.0/16
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: v3-small-blocks
spec:
  cidr: 10.200.0.0/20
  blockSize: 28
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: v6
spec:
  cidr: fd00:192:168::/108
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: retired
spec:
  cidr: 172.16.0.0/16
  disabled: true
`);

  it('reads v1 and v3 pools, with the default block sizes /26 and /122', () => {
    expect(plan.calicoPools.map((pool) => `${pool.name} ${pool.cidr.text} /${pool.blockSize}${pool.disabled ? ' disabled' : ''}`)).toEqual([
      'v1-default 192.168.0.0/16 /26',
      'v3-small-blocks 10.200.0.0/20 /28',
      'v6 fd00:192:168::/108 /122',
      'retired 172.16.0.0/16 /26 disabled',
    ]);
    expect(plan.calicoPools[0].source).toMatchObject({ description: 'IPPool v1-default spec.cidr', path: ['spec', 'cidr'] });
    expect(plan.invalid).toEqual([]);
  });

  it('does not take the pools as the cluster pod range', () => {
    expect(plan.podRanges).toBeUndefined();
  });

  it('gives a Calico cluster without IPPools calico-ipam\'s default pool over the pod range, in /26 blocks', () => {
    const calico = planOf('', { cluster: { cni: 'calico', podCIDR: '10.244.0.0/16' } });
    expect(calico.calicoPools.map((pool) => `${pool.name} ${pool.cidr.text} /${pool.blockSize}`)).toEqual(['default-ipv4-ippool 10.244.0.0/16 /26']);
    expect(calico.calicoPools[0].source.description).toMatch(/^calico-ipam's default pool over the pod range/);
    // Another plugin carves the pod range by kube-controller-manager's node mask.
    expect(planOf('', { cluster: { cni: 'flannel', podCIDR: '10.244.0.0/16' } }).calicoPools).toEqual([]);
  });

  const installation = `
apiVersion: operator.tigera.io/v1
kind: Installation
metadata:
  name: default
spec:
  calicoNetwork:
    ipPools:
      - cidr: 10.244.0.0/16
        blockSize: 27
        encapsulation: VXLANCrossSubnet
      - name: v6-pool
        cidr: fd00:10:244::/108
`;

  it('reads the pools of the Tigera operator\'s Installation (the operator makes them into IPPools)', () => {
    const operator = planOf(installation);
    expect(operator.calicoPools.map((pool) => `${pool.name} ${pool.cidr.text} /${pool.blockSize}`)).toEqual([
      'default-ipv4-ippool 10.244.0.0/16 /27',
      'v6-pool fd00:10:244::/108 /122',
    ]);
    expect(operator.calicoPools[0].source).toMatchObject({ path: ['spec', 'calicoNetwork', 'ipPools', 0, 'cidr'] });
    // With IPPools: both (the operator made its pools into IPPools of those names, each counted once).
    const both = planOf([installation, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: main}\nspec: {cidr: 192.168.0.0/16}\n']);
    expect(both.calicoPools.map((pool) => pool.name)).toEqual(['main', 'default-ipv4-ippool', 'v6-pool']);
    const same = planOf([installation, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 10.244.0.0/16, blockSize: 26}\n']);
    expect(same.calicoPools.map((pool) => `${pool.name} /${pool.blockSize}`)).toEqual(['default-ipv4-ippool /26', 'v6-pool /122']);
  });
});

describe('Cilium', () => {
  it('reads CiliumNode pod ranges and counts the CiliumNodes', () => {
    const plan = planOf(`
apiVersion: cilium.io/v2
kind: CiliumNode
metadata:
  name: node-a
spec:
  ipam:
    podCIDRs: [10.0.1.0/24, "fd00:0:0:1::/96"]
---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata:
  name: node-b
spec:
  ipam:
    podCIDRs: [10.0.2.0/24]
`);
    expect(plan.nodeRanges.map((range) => `${range.nodeName} ${range.cidr.text} ${range.source.description}`)).toEqual([
      'node-a 10.0.1.0/24 CiliumNode node-a spec.ipam.podCIDRs[0]',
      'node-a fd00:0:0:1::/96 CiliumNode node-a spec.ipam.podCIDRs[1]',
      'node-b 10.0.2.0/24 CiliumNode node-b spec.ipam.podCIDRs[0]',
    ]);
    expect(plan.nodes).toMatchObject({ value: 2, source: { description: 'the 2 CiliumNode objects' } });
    expect(plan.nodeMaskSize[4].value).toBe(24);
    expect(plan.nodeMaskSize[6]).toMatchObject({ value: 96, source: { description: 'CiliumNode node-a spec.ipam.podCIDRs[1]' } });
  });

  it("reads cilium-config's cluster pool and mask sizes", () => {
    const plan = planOf(CILIUM_CONFIG(`  ipam: cluster-pool
  cluster-pool-ipv4-cidr: 10.0.0.0/8
  cluster-pool-ipv4-mask-size: "26"
  cluster-pool-ipv6-cidr: fd02::/104
  cluster-pool-ipv6-mask-size: "120"`));
    expect(texts(plan.podRanges?.value)).toEqual(['10.0.0.0/8', 'fd02::/104']);
    expect(plan.podRanges?.source).toMatchObject({ kind: 'manifest', description: 'ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-cidr', path: ['data', 'cluster-pool-ipv4-cidr'] });
    expect(plan.podRanges?.value[1].source.path).toEqual(['data', 'cluster-pool-ipv6-cidr']);
    expect(plan.nodeMaskSize[4]).toMatchObject({ value: 26, source: { path: ['data', 'cluster-pool-ipv4-mask-size'] } });
    expect(plan.nodeMaskSize[6]).toMatchObject({ value: 120, source: { path: ['data', 'cluster-pool-ipv6-mask-size'] } });
  });

  it('takes cluster-pool IPAM as the default mode when data.ipam is missing', () => {
    const plan = planOf(CILIUM_CONFIG('  cluster-pool-ipv4-cidr: 10.0.0.0/8'));
    expect(texts(plan.podRanges?.value)).toEqual(['10.0.0.0/8']);
  });

  it("ignores the cluster pool when IPAM mode is 'kubernetes' (the nodes' podCIDRs rule)", () => {
    const plan = planOf(CILIUM_CONFIG(`  ipam: kubernetes
  cluster-pool-ipv4-cidr: 10.0.0.0/8
  cluster-pool-ipv4-mask-size: "26"`));
    expect(plan.podRanges).toBeUndefined();
    expect(plan.nodeMaskSize[4]).toMatchObject({ value: 24, source: { kind: 'default' } });
  });
});

describe('precedence: flag > .k8snet.yaml > manifests > defaults', () => {
  const everySource = [
    KUBEADM_V1BETA3,
    KIND('  podSubnet: 10.250.0.0/16\n  serviceSubnet: 10.251.0.0/16', 'nodes:\n  - role: control-plane\n  - role: worker'),
    CILIUM_CONFIG('  cluster-pool-ipv4-cidr: 10.0.0.0/8\n  cluster-pool-ipv4-mask-size: "27"'),
  ];

  it('orders pod ranges cilium (the allocator when its cluster pool is on) > kubeadm > kind, listing the losers that disagree', () => {
    const plan = planOf(everySource);
    expect(texts(plan.podRanges?.value)).toEqual(['10.0.0.0/8']);
    expect(overridden(plan.podRanges, rangeText)).toEqual([
      'ClusterConfiguration networking.podSubnet=10.244.0.0/16',
      'Cluster networking.podSubnet=10.250.0.0/16',
    ]);
    const withoutCilium = planOf(everySource.filter((text) => !text.includes('cilium-config')));
    expect(texts(withoutCilium.podRanges?.value)).toEqual(['10.244.0.0/16']);
    const withoutKubeadm = planOf(everySource.slice(1).filter((text) => !text.includes('cilium-config')));
    expect(texts(withoutKubeadm.podRanges?.value)).toEqual(['10.250.0.0/16']);
  });

  it('puts .k8snet.yaml over the manifests', () => {
    const plan = planOf(everySource, { cluster: { podCIDR: '10.32.0.0/12', serviceCIDR: '10.64.0.0/16' } });
    expect(texts(plan.podRanges?.value)).toEqual(['10.32.0.0/12']);
    expect(plan.podRanges?.source).toEqual({ kind: 'config', description: '.k8snet.yaml cluster.podCIDR' });
    expect(overridden(plan.podRanges, rangeText)).toEqual([
      'ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-cidr=10.0.0.0/8',
      'ClusterConfiguration networking.podSubnet=10.244.0.0/16',
      'Cluster networking.podSubnet=10.250.0.0/16',
    ]);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.64.0.0/16']);
    expect(overridden(plan.serviceRanges, rangeText)).toEqual(['ClusterConfiguration networking.serviceSubnet=10.96.0.0/16', 'Cluster networking.serviceSubnet=10.251.0.0/16']);
  });

  it('puts a flag over everything, listing the .k8snet.yaml value it replaced first among the losers', () => {
    const plan = planOf(everySource, { cluster: { podCIDR: '10.32.0.0/12' }, overrides: { podCIDR: ['10.8.0.0/13'], serviceCIDR: ['10.16.0.0/16'] } });
    expect(texts(plan.podRanges?.value)).toEqual(['10.8.0.0/13']);
    expect(plan.podRanges?.source).toEqual({ kind: 'flag', description: '--pod-cidr' });
    expect(overridden(plan.podRanges, rangeText)).toEqual([
      '.k8snet.yaml cluster.podCIDR=10.32.0.0/12',
      'ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-cidr=10.0.0.0/8',
      'ClusterConfiguration networking.podSubnet=10.244.0.0/16',
      'Cluster networking.podSubnet=10.250.0.0/16',
    ]);
    expect(plan.serviceRanges?.source).toEqual({ kind: 'flag', description: '--service-cidr' });
  });

  it('does not list a losing source that says the same as the winner', () => {
    const plan = planOf(everySource, { cluster: { podCIDR: '10.244.0.0/16' } });
    expect(plan.podRanges?.source.kind).toBe('config');
    expect(overridden(plan.podRanges, rangeText)).toEqual(['ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-cidr=10.0.0.0/8', 'Cluster networking.podSubnet=10.250.0.0/16']);
  });

  it('puts ServiceCIDR objects over kubeadm and kind for the Service range', () => {
    const plan = planOf([...everySource, 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: kubernetes\nspec:\n  cidrs: [10.99.0.0/16]\n']);
    expect(texts(plan.serviceRanges?.value)).toEqual(['10.99.0.0/16']);
    expect(overridden(plan.serviceRanges, rangeText)).toEqual(['ClusterConfiguration networking.serviceSubnet=10.96.0.0/16', 'Cluster networking.serviceSubnet=10.251.0.0/16']);
  });

  it('orders mask sizes .k8snet.yaml > kubeadm > cilium > node ranges > default', () => {
    const nodes = [node('n1', 'spec:\n  podCIDR: 10.244.0.0/28')];
    const all = planOf([...everySource, ...nodes], { cluster: { nodeCIDRMaskSize: { ipv4: 23, ipv6: 96 } } });
    expect(all.nodeMaskSize[4]).toMatchObject({ value: 23, source: { kind: 'config', description: '.k8snet.yaml cluster.nodeCIDRMaskSize' } });
    expect(overridden(all.nodeMaskSize[4])).toEqual([
      'ClusterConfiguration controllerManager.extraArgs.node-cidr-mask-size=25',
      'ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-mask-size=27',
      'Node n1 spec.podCIDR=28',
      "kube-controller-manager's default --node-cidr-mask-size-ipv4=24",
    ]);
    expect(all.nodeMaskSize[6]).toMatchObject({ value: 96, overridden: [{ value: 64 }] });
    expect(planOf([...everySource, ...nodes]).nodeMaskSize[4].value).toBe(25);
    expect(planOf([...everySource.slice(1), ...nodes]).nodeMaskSize[4].value).toBe(27);
    expect(planOf(nodes).nodeMaskSize[4].value).toBe(28);
  });

  it('reads one number as an IPv4 mask size up to 32 and an IPv6 one above', () => {
    expect(planOf('', { cluster: { nodeCIDRMaskSize: 26 } }).nodeMaskSize).toMatchObject({ 4: { value: 26, source: { kind: 'config' } }, 6: { value: 64, source: { kind: 'default' } } });
    expect(planOf('', { cluster: { nodeCIDRMaskSize: 80 } }).nodeMaskSize).toMatchObject({ 4: { value: 24, source: { kind: 'default' } }, 6: { value: 80, source: { kind: 'config' } } });
  });

  it('orders node counts flag > .k8snet.yaml > Node objects > CiliumNodes > kind', () => {
    const manifests = [
      ...everySource,
      node('n1', 'spec: {}'), node('n2', 'spec: {}'), node('n3', 'spec: {}'), node('n4', 'spec: {}'),
      'apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: n1\nspec: {}\n',
    ];
    const stated = planOf(manifests, { cluster: { nodes: 10 } });
    expect(stated.nodes).toMatchObject({ value: 10, source: { kind: 'config', description: '.k8snet.yaml cluster.nodes' } });
    expect(overridden(stated.nodes)).toEqual(['the 4 Node objects=4', 'the one CiliumNode object=1', 'Cluster nodes=2']);
    const flagged = planOf(manifests, { cluster: { nodes: 10 }, overrides: { nodes: 40 } });
    expect(flagged.nodes).toMatchObject({ value: 40, source: { kind: 'flag', description: '--nodes' } });
    expect(overridden(flagged.nodes)).toEqual(['.k8snet.yaml cluster.nodes=10', 'the 4 Node objects=4', 'the one CiliumNode object=1', 'Cluster nodes=2']);
    // A flag that repeats the configuration does not list it.
    expect(overridden(planOf(manifests, { cluster: { nodes: 10 }, overrides: { nodes: 10 } }).nodes)[0]).toBe('the 4 Node objects=4');
    expect(planOf(manifests).nodes?.value).toBe(4);
    expect(planOf(manifests.filter((text) => !text.includes('kind: Node'))).nodes?.value).toBe(1);
    expect(planOf(everySource).nodes?.value).toBe(2);
  });

  it('orders maxPods flag > .k8snet.yaml > KubeletConfiguration > Node capacity > default', () => {
    const manifests = ['apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 200\n', node('n1', 'status:\n  capacity: {pods: "150"}')];
    const flagged = planOf(manifests, { cluster: { maxPodsPerNode: 60 }, overrides: { maxPodsPerNode: 30 } });
    expect(flagged.maxPodsPerNode).toMatchObject({ value: 30, source: { kind: 'flag', description: '--max-pods' } });
    expect(overridden(flagged.maxPodsPerNode)).toEqual(['.k8snet.yaml cluster.maxPodsPerNode=60', 'KubeletConfiguration maxPods=200', 'Node n1 status.capacity.pods=150', "kubelet's default maxPods=110"]);
    expect(planOf(manifests, { cluster: { maxPodsPerNode: 60 } }).maxPodsPerNode).toMatchObject({ value: 60, source: { kind: 'config' } });
    expect(planOf(manifests).maxPodsPerNode.value).toBe(200);
    expect(planOf(manifests.slice(1)).maxPodsPerNode.value).toBe(150);
  });

  it('orders the node-port range .k8snet.yaml > kubeadm > default', () => {
    const plan = planOf(KUBEADM_V1BETA3, { cluster: { nodePortRange: '20000-22767' } });
    expect(plan.nodePortRange).toMatchObject({ value: { from: 20000, to: 22767 }, source: { kind: 'config', description: '.k8snet.yaml cluster.nodePortRange' } });
    expect(overridden(plan.nodePortRange, (range) => `${range.from}-${range.to}`)).toEqual([
      'ClusterConfiguration apiServer.extraArgs.service-node-port-range=30000-30999',
      "kube-apiserver's default --service-node-port-range=30000-32767",
    ]);
  });

  it('states maxNodes only when the user does', () => {
    expect(planOf(everySource).maxNodes).toBeUndefined();
    expect(planOf('', { cluster: { maxNodes: 500 } }).maxNodes).toEqual({ value: 500, source: { kind: 'config', description: '.k8snet.yaml cluster.maxNodes' }, overridden: [] });
    expect(planOf('', { overrides: { maxNodes: 50 } }).maxNodes).toEqual({ value: 50, source: { kind: 'flag', description: '--max-nodes' }, overridden: [] });
    expect(overridden(planOf('', { cluster: { maxNodes: 500 }, overrides: { maxNodes: 50 } }).maxNodes)).toEqual(['.k8snet.yaml cluster.maxNodes=500']);
  });
});

describe('sources stated in a .k8snet.yaml file', () => {
  it('point into the file, at each entry of a dual-stack pair', () => {
    const config = configFile('cluster:\n  podCIDR: [10.244.0.0/16, "fd00:10:244::/56"]\n  serviceCIDR: 10.96.0.0/16\n  maxPodsPerNode: 64\n');
    const plan = planOf(KUBEADM_V1BETA3, { config });
    expect(plan.podRanges?.source).toMatchObject({ kind: 'config', description: '.k8snet.yaml cluster.podCIDR', path: ['cluster', 'podCIDR'] });
    expect(plan.podRanges?.source.object?.kind).toBe('K8snetConfiguration');
    expect(plan.podRanges?.value.map((range) => range.source.path)).toEqual([['cluster', 'podCIDR', 0], ['cluster', 'podCIDR', 1]]);
    expect(plan.podRanges?.value[1].source.description).toBe('.k8snet.yaml cluster.podCIDR[1]');
    expect(plan.serviceRanges?.value[0].source.path).toEqual(['cluster', 'serviceCIDR']);
    expect(plan.maxPodsPerNode.source).toMatchObject({ kind: 'config', path: ['cluster', 'maxPodsPerNode'] });
    // Agreeing with kubeadm's IPv4 range is not enough: the pair is a different value.
    expect(overridden(plan.podRanges, rangeText)).toEqual(['ClusterConfiguration networking.podSubnet=10.244.0.0/16']);
  });
});

describe('address families', () => {
  it('builds an IPv4-only plan', () => {
    const plan = planOf(KUBEADM_V1BETA3);
    expect(plan.podRanges?.value.map((range) => range.cidr.family)).toEqual([4]);
    expect(plan.serviceRanges?.value.map((range) => range.cidr.family)).toEqual([4]);
  });

  it('builds an IPv6-only plan', () => {
    const plan = planOf(KIND('  ipFamily: ipv6\n  podSubnet: fd00:1::/48'));
    expect(plan.podRanges?.value.map((range) => `${range.cidr.family} ${range.cidr.text}`)).toEqual(['6 fd00:1::/48']);
    expect(plan.serviceRanges?.value.map((range) => range.cidr.family)).toEqual([6]);
  });

  it('builds a dual-stack plan in the order written, IPv6 first when it comes first', () => {
    const plan = planOf(KIND('  ipFamily: dual\n  podSubnet: "fd00:1::/56,10.1.0.0/16"\n  serviceSubnet: "fd00:2::/112,10.2.0.0/16"'));
    expect(texts(plan.podRanges?.value)).toEqual(['fd00:1::/56', '10.1.0.0/16']);
    expect(plan.serviceRanges?.value.map((range) => range.cidr.family)).toEqual([6, 4]);
    expect(plan.invalid).toEqual([]);
  });
});

describe('facts that cannot be read', () => {
  /** Each invalid fact as `description | fact`. */
  const invalid = (plan: AddressPlan): string[] => plan.invalid.map((entry) => `${entry.source.description} | ${entry.fact}`);

  it('reports a malformed CIDR and leaves the range to the next source', () => {
    const plan = planOf([
      'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/33\n  serviceSubnet: 10.96.0.0/12\n',
      KIND('  podSubnet: 10.250.0.0/16'),
    ]);
    expect(invalid(plan)).toEqual(['ClusterConfiguration networking.podSubnet | pod range']);
    expect(plan.invalid[0].problem).toMatch(/prefix length '33'/);
    expect(plan.invalid[0].source.path).toEqual(['networking', 'podSubnet']);
    expect(texts(plan.podRanges?.value)).toEqual(['10.250.0.0/16']);
  });

  it('reports two IPv4 ranges in one podSubnet', () => {
    const plan = planOf('apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16,10.245.0.0/16\n');
    expect(invalid(plan)).toEqual(['ClusterConfiguration networking.podSubnet | pod range']);
    expect(plan.invalid[0].problem).toMatch(/second IPv4 pod range/);
    expect(plan.podRanges).toBeUndefined();
  });

  it('reports a podSubnet that is not text', () => {
    const plan = planOf('apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: [10.244.0.0/16]\n');
    expect(invalid(plan)).toEqual(['ClusterConfiguration networking.podSubnet | pod range']);
    expect(plan.podRanges).toBeUndefined();
  });

  it('reports Calico block sizes out of range or larger than the pool, and a pool without cidr', () => {
    const pool = (name: string, spec: string): string => `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: ${name}\nspec:\n${spec}\n---\n`;
    const plan = planOf(
      pool('too-big', '  cidr: 10.0.0.0/16\n  blockSize: 19')
      + pool('too-small-v6', '  cidr: fd00::/100\n  blockSize: 129')
      + pool('larger-than-pool', '  cidr: 10.1.0.0/27\n  blockSize: 26')
      + pool('no-cidr', '  blockSize: 26')
      + pool('bad-cidr', '  cidr: 10.2.0.0/40')
      + pool('good', '  cidr: 10.3.0.0/16\n  blockSize: 32'),
    );
    expect(invalid(plan)).toEqual([
      'IPPool too-big spec.blockSize | Calico blockSize',
      'IPPool too-small-v6 spec.blockSize | Calico blockSize',
      'IPPool larger-than-pool spec.blockSize | Calico blockSize',
      'IPPool no-cidr spec.cidr | Calico pool range',
      'IPPool bad-cidr spec.cidr | Calico pool range',
    ]);
    expect(plan.invalid[0].problem).toBe('19 is outside 20-32');
    expect(plan.invalid[1].problem).toBe('129 is outside 116-128');
    expect(plan.invalid[2].problem).toBe('blocks of /26 are larger than the pool 10.1.0.0/27');
    expect(plan.invalid[3].problem).toBe('the pool has no spec.cidr');
    expect(plan.calicoPools.map((entry) => `${entry.name} /${entry.blockSize}`)).toEqual(['good /32']);
  });

  it('reads the node-port range as kube-apiserver does: FROM-TO, FROM+COUNT or one port', () => {
    const range = (value: string) => planOf(`apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    service-node-port-range: "${value}"\n`).nodePortRange.value;
    expect(range('30000-30099')).toEqual({ from: 30000, to: 30099 });
    expect(range('30000+99')).toEqual({ from: 30000, to: 30099 });
    expect(range('30000')).toEqual({ from: 30000, to: 30000 });
  });

  it('reports a node-port range that is not within 1-65535 or not a range', () => {
    for (const value of ['32767-30000', 'thirty-thousand', '30000-70000', '0-100', '65000+1000']) {
      const plan = planOf(`apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    service-node-port-range: "${value}"\n`);
      expect(invalid(plan)).toEqual(['ClusterConfiguration apiServer.extraArgs.service-node-port-range | node-port range']);
      expect(plan.invalid[0].problem).toContain(`'${value}'`);
      expect(plan.nodePortRange.source.kind).toBe('default');
    }
  });

  it('reports a maxPods that is not a whole number, and falls back to the default', () => {
    for (const value of ['lots', '0', '2.5', '-3']) {
      const plan = planOf(`apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: ${value}\n`);
      expect(invalid(plan)).toEqual(['KubeletConfiguration maxPods | maxPods']);
      expect(plan.maxPodsPerNode).toMatchObject({ value: 110, source: { description: "kubelet's default maxPods" } });
    }
  });

  it('reports node-cidr-mask-size with a dual-stack podSubnet, which kube-controller-manager refuses, and applies it to neither family', () => {
    const plan = planOf(`
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking:
  podSubnet: 10.244.0.0/16,fd00:10:244::/56
controllerManager:
  extraArgs:
    node-cidr-mask-size: "25"
`);
    expect(invalid(plan)).toEqual(['ClusterConfiguration controllerManager.extraArgs.node-cidr-mask-size | node CIDR mask size']);
    expect(plan.invalid[0].source.path).toEqual(['controllerManager', 'extraArgs', 'node-cidr-mask-size']);
    expect(plan.nodeMaskSize[4].source.kind).toBe('default');
    expect(plan.nodeMaskSize[6].source.kind).toBe('default');
  });

  it('reports node mask sizes beyond the family and malformed node ranges', () => {
    const plan = planOf([
      `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-cidr-mask-size-ipv4: "33"\n    node-cidr-mask-size-ipv6: "wide"\n`,
      node('n1', 'spec:\n  podCIDRs: [10.244.0.0/24, 10.244.300.0/24]'),
      'apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: c1\nspec:\n  ipam:\n    podCIDRs: [not-a-cidr]\n',
    ]);
    expect(invalid(plan)).toEqual([
      'ClusterConfiguration controllerManager.extraArgs.node-cidr-mask-size-ipv4 | node CIDR mask size',
      'ClusterConfiguration controllerManager.extraArgs.node-cidr-mask-size-ipv6 | node CIDR mask size',
      'Node n1 spec.podCIDRs[1] | pod range of node n1',
      'CiliumNode c1 spec.ipam.podCIDRs[0] | pod range of CiliumNode c1',
    ]);
    expect(plan.nodeRanges.map((range) => range.cidr.text)).toEqual(['10.244.0.0/24']);
  });

  it('never throws on fields of the wrong shape', () => {
    const manifests = [
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking: 7\ncontrollerManager:\n  extraArgs: "node-cidr-mask-size=24"\napiServer:\n  extraArgs: [null, 3, {name: service-node-port-range}]\n',
      'apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  ipFamily: ipv5\nnodes: {role: worker}\n',
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: {many: true}\n',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec: [1, 2]\n',
      'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: s\nspec:\n  cidrs: [null, 5]\n',
      CILIUM_CONFIG('  cluster-pool-ipv4-cidr: ""\n  cluster-pool-ipv4-mask-size: big'),
      'apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: c\nspec:\n  ipam: {podCIDRs: 3}\n',
      node('worker', 'spec:\n  podCIDRs: [7]\nstatus:\n  capacity: {pods: many}\n  addresses: [null, {type: InternalIP, address: 5}, {type: InternalIP, address: not-an-ip}]'),
    ];
    let plan: AddressPlan | undefined;
    expect(() => {
      plan = planOf(manifests);
    }).not.toThrow();
    // The Node's wrong types are refused when it is loaded (as the API server refuses it), so the
    // plan never sees it.
    expect(analyzeTexts([{ path: 'node.yaml', text: manifests[manifests.length - 1] }]).inputFindings.map((finding) => `${finding.ruleId} ${finding.path}`)).toEqual([
      'input-schema spec.podCIDRs[0]', 'input-schema status.addresses[0]', 'input-schema status.addresses[1].address',
    ]);
    // kind's unknown ipFamily falls back to its IPv4 defaults.
    expect(texts(plan!.podRanges?.value)).toEqual(['10.244.0.0/16']);
    expect(invalid(plan!)).toEqual([
      'ServiceCIDR s spec.cidrs[0] | Service range',
      'ConfigMap kube-system/cilium-config data.cluster-pool-ipv4-mask-size | node CIDR mask size',
      'KubeletConfiguration maxPods | maxPods',
      'ClusterConfiguration apiServer.extraArgs[2].value | node-port range',
      'IPPool p spec.cidr | Calico pool range',
    ]);
    expect(plan!.nodeAddresses).toEqual([]);
    expect(plan!.maxPodsPerNode.value).toBe(110);
    expect(plan!.nodePortRange.source.kind).toBe('default');
  });
});
