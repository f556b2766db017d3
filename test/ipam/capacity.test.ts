/**
 * Capacity, demand and headroom of the address plan (src/ipam/capacity.ts): the pods the
 * manifests ask for (replicas, HPAs, Jobs, DaemonSets, host-network pods left out), what a pod
 * range holds when cut into node blocks or Calico blocks, the ClusterIPs each Service range must
 * hand out per family, and the node ports NodePort and LoadBalancer Services claim.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeAddressPlan, type AddressPlanAnalysis, type PodRangeUsage } from '../../src/ipam/capacity.js';
import { resolveConfig } from '../../src/lint/config.js';
import { analyzeTexts } from '../../src/pipeline.js';

/** The analysis of some manifests with the given `.k8snet.yaml` `cluster:` settings. */
function analyze(text: string, cluster: Record<string, unknown> = {}): AddressPlanAnalysis {
  const { graph } = analyzeTexts([{ path: 'manifests.yaml', text }]);
  return analyzeAddressPlan(graph, resolveConfig({ cluster }, undefined).cluster);
}

const deployment = (name: string, extra = '', pod = '', namespace = 'default'): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${extra}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${pod}
      containers: [{name: main, image: nginx}]
---`;

const hpa = (name: string, target: string, maxReplicas: number, kind = 'Deployment', namespace = 'default'): string => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: ${kind}, name: ${target}}
  minReplicas: 1
  maxReplicas: ${maxReplicas}
---`;

const daemonSet = (name: string, pod = ''): string => `
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: kube-system
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${pod}
      containers: [{name: main, image: agent}]
---`;

const service = (name: string, spec: string, namespace = 'default'): string => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}
---`;

/** Each workload's demand as `id pods basis`. */
const demands = (analysis: AddressPlanAnalysis): string[] =>
  analysis.demand.workloads.map((entry) => `${entry.workload.id} ${entry.pods}${entry.perNode ? ' per node' : ''} (${entry.basis})`);

function usage(analysis: AddressPlanAnalysis, family: 4 | 6): PodRangeUsage {
  const found = analysis.podRanges.find((entry) => entry.family === family);
  if (!found) throw new Error(`no IPv${family} pod range usage`);
  return found;
}

describe('pod demand', () => {
  it('counts replicas, 1 when unset, and bare Pods', () => {
    const analysis = analyze(`${deployment('web', '  replicas: 3')}${deployment('api')}${deployment('paused', '  replicas: 0')}
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers: [{name: main, image: busybox}]
`);
    expect(demands(analysis)).toEqual([
      'default/api[Deployment] 1 (1 replica)',
      'default/debug[Pod] 1 (1 pod)',
      'default/paused[Deployment] 0 (0 replicas)',
      'default/web[Deployment] 3 (3 replicas)',
    ]);
    expect(analysis.demand.fixedPods).toBe(5);
    expect(analysis.demand.podsPerNode).toBe(0);
  });

  it("takes an HPA's maxReplicas when it allows more than the replicas, pointing at the HPA", () => {
    const analysis = analyze(`${deployment('web', '  replicas: 3')}${hpa('web-hpa', 'web', 20)}`);
    expect(demands(analysis)).toEqual(['default/web[Deployment] 20 (HPA web-hpa maxReplicas 20)']);
    expect(analysis.demand.workloads[0].object.kind).toBe('HorizontalPodAutoscaler');
    expect(analysis.demand.fixedPods).toBe(20);
  });

  it("keeps the replicas when they exceed the HPA's maxReplicas", () => {
    const analysis = analyze(`${deployment('web', '  replicas: 8')}${hpa('web-hpa', 'web', 5)}`);
    expect(demands(analysis)).toEqual(['default/web[Deployment] 8 (8 replicas)']);
    expect(analysis.demand.workloads[0].object.kind).toBe('Deployment');
  });

  it('applies an HPA only to the workload of the kind, name and namespace it targets', () => {
    const analysis = analyze([
      deployment('web', '  replicas: 2'),
      deployment('web', '  replicas: 2', '', 'staging'),
      hpa('other-namespace', 'web', 30, 'Deployment', 'production'),
      hpa('other-kind', 'web', 40, 'StatefulSet'),
      hpa('other-name', 'webb', 50),
      hpa('staging-web', 'web', 6, 'Deployment', 'staging'),
    ].join(''));
    expect(demands(analysis)).toEqual([
      'default/web[Deployment] 2 (2 replicas)',
      'staging/web[Deployment] 6 (HPA staging-web maxReplicas 6)',
    ]);
  });

  it('counts Job and CronJob parallelism, 1 when unset', () => {
    const analysis = analyze(`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  parallelism: 4
  template: {spec: {restartPolicy: Never, containers: [{name: main, image: migrate}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: main, image: once}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      parallelism: 3
      template: {spec: {restartPolicy: Never, containers: [{name: main, image: report}]}}
`);
    expect(demands(analysis)).toEqual([
      'default/migrate[Job] 4 (parallelism 4)',
      'default/once[Job] 1 (parallelism 1)',
      'default/report[CronJob] 3 (parallelism 3)',
    ]);
    expect(analysis.demand.fixedPods).toBe(8);
  });

  it('counts a DaemonSet as one pod on every node', () => {
    const analysis = analyze(`${daemonSet('log-agent')}${daemonSet('metrics')}${deployment('web', '  replicas: 2')}`);
    expect(demands(analysis)).toEqual([
      'default/web[Deployment] 2 (2 replicas)',
      'kube-system/log-agent[DaemonSet] 1 per node (1 per node)',
      'kube-system/metrics[DaemonSet] 1 per node (1 per node)',
    ]);
    expect(analysis.demand.fixedPods).toBe(2);
    expect(analysis.demand.podsPerNode).toBe(2);
  });

  it('leaves out host-network workloads, which take the node address', () => {
    const analysis = analyze(`${daemonSet('kube-proxy', '      hostNetwork: true')}${deployment('ingress', '  replicas: 2', '      hostNetwork: true')}${deployment('web', '  replicas: 2', '      hostNetwork: false')}`);
    expect(demands(analysis)).toEqual(['default/web[Deployment] 2 (2 replicas)']);
    expect(analysis.demand.hostNetworkWorkloads.map((workload) => workload.id)).toEqual(['default/ingress[Deployment]', 'kube-system/kube-proxy[DaemonSet]']);
    expect(analysis.demand.podsPerNode).toBe(0);
    expect(analysis.demand.fixedPods).toBe(2);
  });
});

describe('pod range usage with node blocks', () => {
  // 100 pods plus one DaemonSet pod on each node.
  const workloads = `${deployment('web', '  replicas: 100')}${daemonSet('agent')}`;

  it('holds min(nodes, blocks) × min(usable per block, maxPods) pods', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/20', nodes: 3 }), 4);
    expect(range).toMatchObject({
      family: 4, addresses: 4096n, blocks: 16n, podsPerNode: 110, nodesServed: 16n, nodesAssumed: 3n, nodesKnown: true,
      capacityPods: 330n, demandPods: 103n, headroomPods: 227n, headroomPercent: 68.7,
    });
    expect(range.ranges.map((entry) => entry.cidr.text)).toEqual(['10.244.0.0/20']);
    expect(range.carving).toMatchObject({ kind: 'node-blocks', blockPrefixLength: 24, addressesPerBlock: 256n, usablePerBlock: 254n });
  });

  it('caps the nodes at the blocks the range holds', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/20', nodes: 20 }), 4);
    expect(range).toMatchObject({ blocks: 16n, nodesAssumed: 20n, capacityPods: 1760n, demandPods: 120n, headroomPods: 1640n });
  });

  it('assumes every block has a node when the node count is unknown', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/20' }), 4);
    expect(range).toMatchObject({ nodesKnown: false, nodesAssumed: 16n, capacityPods: 1760n, demandPods: 116n, headroomPods: 1644n, headroomPercent: 93.4 });
  });

  it('limits pods per node by the usable block addresses when they are fewer than maxPods', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 26, nodes: 2 }), 4);
    expect(range.carving).toMatchObject({ kind: 'node-blocks', blockPrefixLength: 26, usablePerBlock: 62n });
    expect(range).toMatchObject({ blocks: 16n, podsPerNode: 62, capacityPods: 124n, demandPods: 102n, headroomPods: 22n, headroomPercent: 17.7 });
  });

  it('limits pods per node by maxPods when the block holds more', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/16', maxPodsPerNode: 30, nodes: 4 }), 4);
    expect(range).toMatchObject({ podsPerNode: 30, capacityPods: 120n, demandPods: 104n, headroomPods: 16n, headroomPercent: 13.3 });
  });

  it('reports negative headroom when demand exceeds capacity', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/24', nodes: 1, maxPodsPerNode: 50 }), 4);
    expect(range).toMatchObject({ blocks: 1n, capacityPods: 50n, demandPods: 101n, headroomPods: -51n, headroomPercent: -102 });
  });

  it('holds nothing when the node blocks are larger than the range', () => {
    const range = usage(analyze(workloads, { podCIDR: '10.244.0.0/25', nodes: 2 }), 4);
    expect(range).toMatchObject({ blocks: 0n, nodesServed: 0n, capacityPods: 0n, demandPods: 102n, headroomPods: -102n, headroomPercent: 0 });
  });

  it('has no usage without a pod range', () => {
    expect(analyze(workloads).podRanges).toEqual([]);
  });
});

describe('pod range usage with Calico pools', () => {
  const pools = `
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4}
spec:
  cidr: 10.10.0.0/24
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: retired}
spec:
  cidr: 10.20.0.0/16
  disabled: true
---
${deployment('web', '  replicas: 100')}`;

  it("limits pods by the enabled pools' addresses, since nodes borrow from each other's blocks", () => {
    const range = usage(analyze(pools, { nodes: 3 }), 4);
    expect(range.carving).toMatchObject({ kind: 'calico-blocks', blocksPerFullNode: 2n, addressesPerBlock: 64n });
    expect(range.carving.kind === 'calico-blocks' && range.carving.pools.map((pool) => pool.name)).toEqual(['default-ipv4']);
    // Every node can claim a block of its own (4 blocks), though a full node needs two.
    expect(range).toMatchObject({ addresses: 256n, blocks: 4n, podsPerNode: 110, nodesServed: 4n, nodesAssumed: 3n, capacityPods: 256n, demandPods: 100n, headroomPods: 156n, headroomPercent: 60.9 });
    expect(range.ranges).toEqual([]);
  });

  it('limits pods by nodes × maxPods when the pools hold more', () => {
    const range = usage(analyze(pools, { nodes: 2, maxPodsPerNode: 64 }), 4);
    expect(range).toMatchObject({ capacityPods: 128n, headroomPods: 28n });
    expect(range.carving).toMatchObject({ blocksPerFullNode: 1n });
  });

  it('assumes a node per block when the node count is unknown, so the addresses are the limit', () => {
    const range = usage(analyze(pools), 4);
    expect(range).toMatchObject({ nodesKnown: false, nodesServed: 4n, nodesAssumed: 4n, capacityPods: 256n });
  });

  it('never serves fewer nodes than blocks: a pool of one block smaller than maxPods still runs pods', () => {
    const range = usage(analyze(pools.replace('cidr: 10.10.0.0/24', 'cidr: 10.10.0.0/26')), 4);
    expect(range).toMatchObject({ blocks: 1n, nodesServed: 1n, capacityPods: 64n, demandPods: 100n });
  });

  it('reckons blocks per node with the smallest block of several pools', () => {
    const range = usage(analyze(`${pools}
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: small-blocks}
spec:
  cidr: 10.30.0.0/24
  blockSize: 28
`, { nodes: 3 }), 4);
    expect(range.carving).toMatchObject({ addressesPerBlock: 16n, blocksPerFullNode: 7n });
    expect(range).toMatchObject({ addresses: 512n, blocks: 20n, nodesServed: 20n, capacityPods: 330n });
  });

  it('ignores a family whose pools are all disabled', () => {
    const analysis = analyze(pools.replace('cidr: 10.10.0.0/24', 'cidr: 10.10.0.0/24\n  disabled: true'), { nodes: 3 });
    expect(analysis.podRanges).toEqual([]);
  });

  it('keeps the cluster pod range of the family alongside the pools', () => {
    const range = usage(analyze(pools, { podCIDR: '10.10.0.0/16', nodes: 3 }), 4);
    expect(range.carving.kind).toBe('calico-blocks');
    expect(range.ranges.map((entry) => entry.cidr.text)).toEqual(['10.10.0.0/16']);
    expect(range.addresses).toBe(256n);
  });
});

describe('dual-stack pod ranges', () => {
  it('gives one usage per family, each pod needing an address of both', () => {
    const analysis = analyze(`apiVersion: kind.x-k8s.io/v1alpha4
kind: Cluster
networking:
  ipFamily: dual
nodes: [{role: control-plane}, {role: worker}]
---
${deployment('web', '  replicas: 10')}${daemonSet('agent')}`);
    expect(analysis.podRanges.map((entry) => entry.family)).toEqual([4, 6]);
    expect(usage(analysis, 4)).toMatchObject({ blocks: 256n, nodesAssumed: 2n, podsPerNode: 110, capacityPods: 220n, demandPods: 12n, headroomPods: 208n });
    expect(usage(analysis, 6)).toMatchObject({ blocks: 256n, nodesAssumed: 2n, podsPerNode: 110, capacityPods: 220n, demandPods: 12n, headroomPods: 208n });
    expect(usage(analysis, 6).carving).toMatchObject({ blockPrefixLength: 64, usablePerBlock: (1n << 64n) - 1n });
  });
});

describe('Service range usage', () => {
  const services = [
    service('web', '  selector: {app: web}\n  ports: [{port: 80}]'),
    service('api', '  type: NodePort\n  selector: {app: api}\n  ports: [{port: 80}]'),
    service('lb', '  type: LoadBalancer\n  selector: {app: lb}\n  ports: [{port: 443}]'),
    service('db', '  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432}]'),
    service('external', '  type: ExternalName\n  externalName: db.example.com'),
  ].join('');

  it('counts a ClusterIP for every Service but headless and ExternalName ones, plus default/kubernetes', () => {
    const [range] = analyze(services, { serviceCIDR: '10.96.0.0/28' }).serviceRanges;
    expect(range).toMatchObject({ family: 4, addresses: 16n, reserved: 2n, usable: 14n, demand: 4, countsKubernetesService: true, headroom: 10n, headroomPercent: 71.4 });
    expect(range.services.map((entry) => entry.name)).toEqual(['web', 'api', 'lb']);
    expect(range.ranges.map((entry) => entry.cidr.text)).toEqual(['10.96.0.0/28']);
  });

  it('counts default/kubernetes once when the manifests define it', () => {
    const [range] = analyze(`${services}${service('kubernetes', '  ports: [{port: 443}]')}`, { serviceCIDR: '10.96.0.0/28' }).serviceRanges;
    expect(range).toMatchObject({ demand: 4, countsKubernetesService: false });
    expect(range.services.map((entry) => entry.name)).toEqual(['web', 'api', 'lb', 'kubernetes']);
  });

  it('does not take a kubernetes Service of another namespace for default/kubernetes', () => {
    const [range] = analyze(`${services}${service('kubernetes', '  ports: [{port: 443}]', 'tools')}`, { serviceCIDR: '10.96.0.0/28' }).serviceRanges;
    expect(range).toMatchObject({ demand: 5, countsKubernetesService: true });
  });

  it('goes negative when the Services outnumber the ClusterIPs', () => {
    const [range] = analyze(services, { serviceCIDR: '10.96.0.0/30' }).serviceRanges;
    expect(range).toMatchObject({ usable: 2n, demand: 4, headroom: -2n, headroomPercent: -100 });
  });

  it('adds up several ServiceCIDR ranges of one family', () => {
    const [range, ...rest] = analyze(`${services}
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: kubernetes}
spec:
  cidrs: [10.96.0.0/28]
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: extra}
spec:
  cidrs: [10.97.0.0/28]
`).serviceRanges;
    expect(rest).toEqual([]);
    expect(range.ranges.map((entry) => entry.cidr.text)).toEqual(['10.96.0.0/28', '10.97.0.0/28']);
    expect(range).toMatchObject({ family: 4, addresses: 32n, reserved: 4n, usable: 28n, demand: 4, headroom: 24n });
  });

  it('has no usage without a Service range', () => {
    expect(analyze(services).serviceRanges).toEqual([]);
  });

  describe('on a dual-stack cluster', () => {
    const dualServices = [
      service('single', '  selector: {app: a}\n  ports: [{port: 80}]'),
      service('prefer', '  ipFamilyPolicy: PreferDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('require', '  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv6, IPv4]\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('v6-only', '  ipFamilies: [IPv6]\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('fixed-v6', '  clusterIP: "fd00:10:96::10"\n  clusterIPs: ["fd00:10:96::10"]\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('fixed-v4', '  clusterIP: 10.96.0.10\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('fixed-both', '  clusterIP: 10.96.0.11\n  clusterIPs: [10.96.0.11, "fd00:10:96::11"]\n  ipFamilyPolicy: RequireDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('headless-dual', '  clusterIP: None\n  ipFamilyPolicy: PreferDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
    ].join('');

    it('takes one address per family for dual-stack policies, the primary family by default, and the family of explicit ClusterIPs', () => {
      const analysis = analyze(dualServices, { serviceCIDR: ['10.96.0.0/24', 'fd00:10:96::/112'] });
      const [v4, v6] = analysis.serviceRanges;
      expect(v4.family).toBe(4);
      expect(v4.services.map((entry) => entry.name)).toEqual(['single', 'prefer', 'require', 'fixed-v4', 'fixed-both']);
      expect(v4).toMatchObject({ usable: 254n, reserved: 2n, demand: 6, countsKubernetesService: true, headroom: 248n });
      expect(v6.family).toBe(6);
      expect(v6.services.map((entry) => entry.name)).toEqual(['prefer', 'require', 'v6-only', 'fixed-v6', 'fixed-both']);
      expect(v6).toMatchObject({ addresses: 65536n, usable: 65535n, reserved: 1n, demand: 5, countsKubernetesService: false, headroom: 65530n });
    });

    it('takes the first Service range as the primary family, for default Services and default/kubernetes', () => {
      const [v6, v4] = analyze(dualServices, { serviceCIDR: ['fd00:10:96::/112', '10.96.0.0/24'] }).serviceRanges;
      expect(v6).toMatchObject({ family: 6, demand: 7, countsKubernetesService: true });
      expect(v6.services.map((entry) => entry.name)).toEqual(['single', 'prefer', 'require', 'v6-only', 'fixed-v6', 'fixed-both']);
      expect(v4).toMatchObject({ family: 4, demand: 4, countsKubernetesService: false });
      expect(v4.services.map((entry) => entry.name)).toEqual(['prefer', 'require', 'fixed-v4', 'fixed-both']);
    });
  });

  it('takes an address of the other family too when a dual-stack policy names only one ClusterIP', () => {
    const analysis = analyze([
      service('prefer-fixed', '  clusterIP: 10.96.0.50\n  ipFamilyPolicy: PreferDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('require-fixed', '  clusterIP: "fd00:10:96::50"\n  clusterIPs: ["fd00:10:96::50"]\n  ipFamilyPolicy: RequireDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
      service('single-fixed', '  clusterIP: 10.96.0.51\n  ipFamilyPolicy: SingleStack\n  selector: {app: a}\n  ports: [{port: 80}]'),
    ].join(''), { serviceCIDR: ['10.96.0.0/24', 'fd00:10:96::/112'] });
    const [v4, v6] = analysis.serviceRanges;
    expect(v4.services.map((entry) => entry.name)).toEqual(['prefer-fixed', 'require-fixed', 'single-fixed']);
    expect(v6.services.map((entry) => entry.name)).toEqual(['prefer-fixed', 'require-fixed']);
  });

  it('takes no address for a headless Service written with both clusterIP and clusterIPs', () => {
    const [range] = analyze(service('headless', '  clusterIP: None\n  clusterIPs: [None]\n  selector: {app: a}\n  ports: [{port: 80}]'), { serviceCIDR: '10.96.0.0/24' }).serviceRanges;
    expect(range).toMatchObject({ demand: 1, services: [] });
  });

  it('takes a single address for PreferDualStack on a single-stack cluster', () => {
    const analysis = analyze(service('prefer', '  ipFamilyPolicy: PreferDualStack\n  selector: {app: a}\n  ports: [{port: 80}]'), { serviceCIDR: '10.96.0.0/24' });
    expect(analysis.serviceRanges).toHaveLength(1);
    expect(analysis.serviceRanges[0]).toMatchObject({ family: 4, demand: 2 });
  });
});

describe('node-port usage', () => {
  it('counts one node port per port of NodePort and LoadBalancer Services, none for ClusterIP ones', () => {
    const analysis = analyze([
      service('web', '  selector: {app: web}\n  ports: [{port: 80}]'),
      service('api', '  type: NodePort\n  selector: {app: api}\n  ports: [{name: http, port: 80}, {name: grpc, port: 9090}]'),
      service('lb', '  type: LoadBalancer\n  selector: {app: lb}\n  ports: [{port: 443, nodePort: 30443}]'),
    ].join(''));
    expect(analysis.nodePorts.services.map((entry) => `${entry.service.name} ${entry.ports}`)).toEqual(['api 2', 'lb 1']);
    expect(analysis.nodePorts).toMatchObject({ size: 2768, demand: 3, headroom: 2765, headroomPercent: 99.8 });
    expect(analysis.nodePorts.range.source.kind).toBe('default');
  });

  it('counts no node port for a LoadBalancer with allocateLoadBalancerNodePorts: false, unless it names one', () => {
    const analysis = analyze([
      service('lb-none', '  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  selector: {app: lb}\n  ports: [{name: a, port: 80}, {name: b, port: 443}]'),
      service('lb-named', '  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  selector: {app: lb}\n  ports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 443}]'),
      service('lb-default', '  type: LoadBalancer\n  selector: {app: lb}\n  ports: [{name: a, port: 80}, {name: b, port: 443}]'),
    ].join(''));
    expect(analysis.nodePorts.services.map((entry) => `${entry.service.name} ${entry.ports}`)).toEqual(['lb-named 1', 'lb-default 2']);
    expect(analysis.nodePorts.demand).toBe(3);
  });

  it('counts a nodePort shared by a TCP and a UDP port of one Service once', () => {
    const analysis = analyze(service('dns', '  type: NodePort\n  selector: {app: dns}\n  ports:\n    - {name: dns-udp, port: 53, protocol: UDP, nodePort: 30053}\n    - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}\n    - {name: metrics, port: 9153, protocol: TCP}'));
    expect(analysis.nodePorts.services.map((entry) => `${entry.service.name} ${entry.ports}`)).toEqual(['dns 2']);
  });

  it('gives ports with the same port number (53/TCP and 53/UDP) one allocated node port between them', () => {
    const analysis = analyze([
      service('dns', '  type: NodePort\n  selector: {app: dns}\n  ports:\n    - {name: dns-udp, port: 53, protocol: UDP}\n    - {name: dns-tcp, port: 53, protocol: TCP}'),
      service('dns-one-named', '  type: NodePort\n  selector: {app: dns}\n  ports:\n    - {name: dns-udp, port: 53, protocol: UDP}\n    - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}'),
    ].join(''));
    expect(analysis.nodePorts.services.map((entry) => `${entry.service.name} ${entry.ports}`)).toEqual(['dns 1', 'dns-one-named 1']);
  });

  it('allocates a node port for nodePort: 0, as for none', () => {
    const analysis = analyze(service('api', '  type: NodePort\n  selector: {app: api}\n  ports: [{name: a, port: 80, nodePort: 0}, {name: b, port: 81, nodePort: 0}]'));
    expect(analysis.nodePorts.demand).toBe(2);
  });

  it('counts the healthCheckNodePort of a LoadBalancer with externalTrafficPolicy: Local', () => {
    const analysis = analyze([
      service('local', '  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: a}\n  ports: [{port: 443}]'),
      service('local-named', '  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 32000\n  selector: {app: a}\n  ports: [{port: 443}]'),
      service('local-no-ports', '  type: LoadBalancer\n  externalTrafficPolicy: Local\n  allocateLoadBalancerNodePorts: false\n  selector: {app: a}\n  ports: [{port: 443}]'),
      service('cluster', '  type: LoadBalancer\n  externalTrafficPolicy: Cluster\n  selector: {app: a}\n  ports: [{port: 443}]'),
      service('nodeport-local', '  type: NodePort\n  externalTrafficPolicy: Local\n  selector: {app: a}\n  ports: [{port: 443}]'),
    ].join(''));
    expect(analysis.nodePorts.services.map((entry) => `${entry.service.name} ${entry.ports}`)).toEqual([
      'local 2', 'local-named 2', 'local-no-ports 1', 'cluster 1', 'nodeport-local 1',
    ]);
  });

  it('measures the configured node-port range', () => {
    const analysis = analyze(service('api', '  type: NodePort\n  selector: {app: api}\n  ports: [{name: a, port: 80}, {name: b, port: 81}, {name: c, port: 82}]'), { nodePortRange: '30000-30009' });
    expect(analysis.nodePorts).toMatchObject({ size: 10, demand: 3, headroom: 7, headroomPercent: 70 });
    expect(analysis.nodePorts.range.source.kind).toBe('config');
  });

  it('goes negative when the Services claim more ports than the range holds', () => {
    const analysis = analyze(service('api', '  type: NodePort\n  selector: {app: api}\n  ports: [{name: a, port: 80}, {name: b, port: 81}, {name: c, port: 82}]'), { nodePortRange: '30000-30001' });
    expect(analysis.nodePorts).toMatchObject({ size: 2, demand: 3, headroom: -1, headroomPercent: -50 });
  });
});
