/**
 * `can-reach` with a node (`node:NAME`) or a DNS name outside the cluster (`fqdn:NAME`) as one end,
 * through the command line (stdout and exit code), under Cilium and under plain Kubernetes
 * (fixtures/entity-endpoints): the same endpoints under any plugin, each answered as its plugin
 * decides, and what k8snet cannot know said.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT, expectNoStackTrace, k8snet, type Run } from './run-cli.js';

const CILIUM = path.join(ROOT, 'fixtures', 'entity-endpoints', 'cilium');
const KUBERNETES = path.join(ROOT, 'fixtures', 'entity-endpoints', 'kubernetes');

function canReach(args: string[], folder: string): Run {
  const run = k8snet(['can-reach', ...args, folder]);
  expectNoStackTrace(run);
  expect(run.stderr).toBe('');
  return run;
}

describe('node:NAME and fqdn:NAME under Cilium', () => {
  it('a node is the host of the pods on it and a remote node of the others', () => {
    const own = canReach(['shop/client', 'node:node-1', '--port', '10250'], CILIUM);
    expect(own.status).toBe(0);
    expect(own.stdout).toMatch(/REACHABLE: shop\/client\[Deployment\] → node:node-1 on 10250\/TCP/);
    expect(own.stdout).toMatch(/shop\/client-egress egress\[0\]\.toPorts\[0\] \(.*policies\.yaml:14\) allows TCP 10250 to toEntities host\./);
    const other = canReach(['shop/client', 'node:node-2', '--port', '10250'], CILIUM);
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/NOT REACHABLE/);
    // The client's egress allows SSH to other nodes, but node-2's host policy admits only other nodes and the agent.
    const ssh = canReach(['shop/client', 'node:node-2', '--port', '22'], CILIUM);
    expect(ssh.status).toBe(1);
    expect(ssh.stdout).toMatch(/allows TCP 22 to toEntities remote-node/);
    expect(ssh.stdout).toMatch(/Ingress of node:node-2: isolated by ingress-nodes \(.*policies\.yaml:46\)\.\n\s+No ingress rule of these policies allows TCP 22 from the other side: denied\./);
    const agent = canReach(['shop/agent', 'node:node-2', '--port', '22'], CILIUM);
    expect(agent.status).toBe(0);
    expect(agent.stdout).toMatch(/ingress-nodes ingress\[1\] \(.*policies\.yaml:52\) allows all ports and protocols from fromEndpoints app=agent/);
    // node-1 is no ingress node: its host namespace is open.
    expect(canReach(['shop/server', 'node:node-1', '--port', '22'], CILIUM).status).toBe(0);
  });

  it('without the host firewall shown on, host policies are named and left out', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-entities-'));
    try {
      fs.copyFileSync(path.join(CILIUM, 'policies.yaml'), path.join(folder, 'policies.yaml'));
      fs.copyFileSync(path.join(KUBERNETES, 'cluster.yaml'), path.join(folder, 'cluster.yaml'));
      const run = canReach(['shop/client', 'node:node-2', '--port', '22'], folder);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/caveat: CiliumClusterwideNetworkPolicy ingress-nodes \(.*policies\.yaml:46\) selects node:node-2 for ingress \(a host policy\); Cilium enforces host policies only with the host firewall on \(enable-host-firewall in cilium-config\), which the manifests do not show/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a node as the source: the local host gets in, other nodes by rule', () => {
    const local = canReach(['node:node-2', 'shop/server', '--port', '8080'], CILIUM);
    expect(local.status).toBe(0);
    expect(local.stdout).toMatch(/Ingress of shop\/server\[Deployment\]: traffic from the node it runs on, allowed whatever the policies say/);
    expect(local.stdout).toMatch(/note: .*Cilium allows traffic from the local host into its endpoints unless the agent runs with allow-localhost=policy/);
    const remote = canReach(['node:node-1', 'shop/server', '--port', '9090', '--format', 'json'], CILIUM);
    expect(remote.status).toBe(1);
    const answer = JSON.parse(remote.stdout) as { reachable: string; pairs: { source: string; egress: { unrestrictedBecause: string } }[] };
    expect(answer.reachable).toBe('none');
    expect(answer.pairs.map((pair) => [pair.source, pair.egress.unrestrictedBecause])).toEqual([['node:node-1', 'node']]);
  });

  it('a DaemonSet runs on the node and elsewhere: one answer per case', () => {
    const run = canReach(['shop/agent', 'node:node-1', '--port', '22'], CILIUM);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/shop\/agent\[DaemonSet\] → node:node-1: allowed: TCP 22/);
  });

  it('a name is the world entity plus the toFQDNs rules naming it, with the FQDN restriction named', () => {
    const named = canReach(['shop/client', 'fqdn:api.github.com', '--port', '443'], CILIUM);
    expect(named.status).toBe(0);
    expect(named.stdout).toMatch(/further restricted at FQDN by shop\/client-egress egress\[2\]\.toPorts\[0\]/);
    // A CIDR rule may hold the name's address or not: said, not counted - when it concerns the port asked.
    expect(named.stdout).not.toMatch(/toCIDR 203\.0\.113\.0\/24/);
    const onItsPort = canReach(['shop/client', 'fqdn:api.github.com', '--port', '8443'], CILIUM);
    expect(onItsPort.stdout).toMatch(/caveat: .*\(toCIDR 203\.0\.113\.0\/24\) names some addresses outside the cluster: if fqdn:api\.github\.com resolves to one of them, that rule would allow TCP 8443/);
    const pattern = canReach(['shop/client', 'fqdn:raw.githubusercontent.com', '--port', '443'], CILIUM);
    expect(pattern.status).toBe(0);
    const other = canReach(['shop/client', 'fqdn:example.org', '--port', '443'], CILIUM);
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/note: k8snet does not resolve example\.org/);
  });
});

describe('node:NAME and fqdn:NAME under plain Kubernetes', () => {
  it('a node is reached through the Network Policy API nodes peer, and an ipBlock on its address is said', () => {
    const admin = canReach(['shop/client', 'node:node-2', '--port', '443'], KUBERNETES);
    expect(admin.status).toBe(0);
    expect(admin.stdout).toMatch(/AdminNetworkPolicy to-ingress-nodes rule "ingress-nodes" \(.*policies\.yaml:48\) allows TCP 443/);
    const denied = canReach(['shop/client', 'node:node-2', '--port', '8443'], KUBERNETES);
    expect(denied.status).toBe(1);
    // The pod's own node: Kubernetes lets it through whatever the policies say.
    const own = canReach(['shop/client', 'node:node-1', '--port', '10250'], KUBERNETES);
    expect(own.status).toBe(0);
    expect(own.stdout).toMatch(/traffic to the node it runs on, allowed whatever the policies say/);
  });

  it('an ipBlock naming a node address depends on the plugin: said, not counted', () => {
    const run = canReach(['shop/client', 'node:node-2', '--port', '10250'], KUBERNETES);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/caveat: Depends on the network plugin: NetworkPolicy shop\/client-egress rule "egress\[1\]" \(ipBlock 10\.0\.0\.12\/32\) reaches a node only through its addresses; plugins that apply ipBlock to node addresses would allow TCP 10250 for node:node-2\./);
  });

  it('a name outside the cluster is matched only by a block holding every public address', () => {
    const run = canReach(['shop/client', 'fqdn:api.github.com', '--port', '443'], KUBERNETES);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/allows TCP 443 to ipBlock 0\.0\.0\.0\/0 except 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16/);
    const partial = canReach(['shop/client', 'fqdn:api.github.com', '--port', '22'], KUBERNETES);
    expect(partial.status).toBe(1);
    expect(partial.stdout).toMatch(/caveat: NetworkPolicy shop\/client-egress rule "egress\[2\]" \(ipBlock 140\.82\.112\.0\/20\) names some addresses outside the cluster: if fqdn:api\.github\.com resolves to one of them, that rule would allow TCP 22/);
  });

  it('refuses what it cannot answer, with exit code 2', () => {
    const unknown = k8snet(['can-reach', 'shop/client', 'node:node-3', KUBERNETES]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no node node-3 in the manifests \(nodes: node-1, node-2\)/);
    const noPod = k8snet(['can-reach', 'node:node-1', 'fqdn:example.org', KUBERNETES]);
    expect(noPod.status).toBe(2);
    expect(noPod.stderr).toMatch(/neither node:node-1 nor fqdn:example\.org is a pod/);
    const badName = k8snet(['can-reach', 'shop/client', 'fqdn:not a name', KUBERNETES]);
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/is not a DNS name/);
  });
});

describe('fqdn:NAME under Istio', () => {
  const ISTIO = path.join(ROOT, 'fixtures', 'entity-endpoints', 'istio');

  it('a REGISTRY_ONLY Sidecar lets the proxy out to a name a ServiceEntry host covers (wildcards too), and to no other', () => {
    const wiki = canReach(['shop/web', 'fqdn:en.wikipedia.org', '--port', '443'], ISTIO);
    expect(wiki.status).toBe(0);
    expect(wiki.stdout).toMatch(/Sidecar shop\/default \(Istio Sidecar egress\) rule "egress hosts \.\/\*, istio-system\/\*: ServiceEntry shop\/wiki host \*\.wikipedia\.org" \(.*mesh\.yaml:\d+\) allows TCP 443/);
    const other = canReach(['shop/web', 'fqdn:example.com', '--port', '443'], ISTIO);
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/Egress of shop\/web\[Deployment\]: isolated by shop\/default \(.*mesh\.yaml:\d+\)\.\n\s+No egress rule of these policies allows TCP 443 to the other side: denied\./);
    // The ServiceEntry opens 443 only.
    expect(canReach(['shop/web', 'fqdn:en.wikipedia.org', '--port', '80'], ISTIO).status).toBe(1);
  });
});

describe('node:NAME under Calico', () => {
  const CALICO = path.join(ROOT, 'fixtures', 'entity-endpoints', 'calico');

  it('a node with a host endpoint answers through the endpoint\'s policies and the pod\'s, citing the deciding rules', () => {
    const kubelet = canReach(['shop/api', 'node:node-1', '--port', '10250'], CALICO);
    expect(kubelet.status).toBe(0);
    expect(kubelet.stdout).toMatch(/REACHABLE: shop\/api\[Pod\] → node:node-1 on 10250\/TCP/);
    expect(kubelet.stdout).toMatch(/Ingress of node:node-1 \(host endpoint node-1-eth0, interface eth0\): Calico GlobalNetworkPolicy platform\.workers \(tier platform, order 10\) rule "ingress\[0\]" \(.*policies\.yaml:15\) allows TCP 10250\./);
    // shop/web is no source the workers' policy admits: the host endpoint's default deny decides.
    const denied = canReach(['shop/web', 'node:node-1', '--port', '10250'], CALICO);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/NOT REACHABLE/);
    expect(denied.stdout).toMatch(/Ingress of node:node-1 \(host endpoint node-1-eth0, interface eth0\): isolated by platform\.workers \(.*policies\.yaml:9\), Calico's default for host endpoint node-1-eth0 \(what no failsafe rule, policy or profile allows is denied\) \(.*cluster\.yaml:47\)\.\n\s+No ingress rule of these policies allows TCP 10250 from the other side: denied\./);
    expect(denied.stdout).toMatch(/caveat: Host endpoint node-1-eth0 polices interface eth0 of node node-1 only/);
    // The failsafe ports are said only where they change the answer: not on 10250.
    expect(denied.stdout).not.toMatch(/caveat: Felix's default failsafe ports/);
  });

  it('Felix\'s failsafe ports are open at a host endpoint whatever the policy, and said to be defaults', () => {
    const ssh = canReach(['shop/web', 'node:node-1', '--port', '22'], CALICO);
    expect(ssh.status).toBe(0);
    expect(ssh.stdout).toMatch(/rule "failsafeInboundHostPorts" \(.*cluster\.yaml:45\) allows TCP 22,179/);
    expect(ssh.stdout).toMatch(/caveat: Felix's default failsafe ports \(inbound: TCP\/22/);
  });

  it('from a node, the host endpoint\'s egress and the pod\'s ingress (matching the endpoint\'s expectedIPs) both decide', () => {
    const web = canReach(['node:node-1', 'shop/web', '--port', '8080'], CALICO);
    expect(web.status).toBe(0);
    expect(web.stdout).toMatch(/Egress of node:node-1 \(host endpoint node-1-eth0, interface eth0\): Calico GlobalNetworkPolicy platform\.workers .* rule "egress\[0\]" \(.*policies\.yaml:20\) allows TCP 8080\./);
    expect(web.stdout).toMatch(/Ingress of shop\/web: NetworkPolicy shop\/web-from-nodes rule "ingress\[0\]" \(.*policies\.yaml:32\) allows TCP 8080\./);
    const api = canReach(['node:node-1', 'shop/api', '--port', '8080'], CALICO);
    expect(api.status).toBe(1);
    expect(api.stdout).toMatch(/Egress of node:node-1 .*: isolated by platform\.workers .*\n\s+No egress rule of these policies allows TCP 8080 to the other side: denied\./);
  });

  it('a node with several host endpoints is answered per endpoint, and says why', () => {
    const run = canReach(['node:node-2', 'shop/web', '--port', '8080'], CALICO);
    // eth0 (a worker, 192.168.0.12) is admitted by shop/web; eth1 (10.10.0.12, allow-all profile) is not.
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/PARTLY REACHABLE: node:node-2 → shop\/web\[Pod\] on 8080\/TCP/);
    expect(run.stdout).toMatch(/note: Node node-2 has 2 Calico host endpoints \(node-2-eth0, interface eth0, node-2-eth1, interface eth1\): Calico polices a connection at the host endpoint of the interface it passes through/);
    expect(run.stdout).toMatch(/node:node-2 \(host endpoint node-2-eth0, interface eth0\) → shop\/web: allowed: TCP 8080/);
    expect(run.stdout).toMatch(/node:node-2 \(host endpoint node-2-eth1, interface eth1\) → shop\/web: denied/);
    expect(run.stdout).toMatch(/Calico Profile projectcalico-default-allow \(profile 1 of the host endpoint\) rule "profiles\[0\]"/);
    const json = JSON.parse(k8snet(['can-reach', 'node:node-2', 'shop/web', '--port', '8080', CALICO, '--format', 'json']).stdout);
    expect(json.pairs.map((pair: { source: string; allowed: string }) => [pair.source, pair.allowed])).toEqual([
      ['node:node-2 (host endpoint node-2-eth0, interface eth0)', 'TCP 8080'],
      ['node:node-2 (host endpoint node-2-eth1, interface eth1)', 'No Connections'],
    ]);
  });

  it('a node without a host endpoint keeps its open side, and says Calico does not police its host then', () => {
    const run = canReach(['shop/web', 'node:node-3', '--port', '10250'], CALICO);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Ingress of node:node-3: a node's host namespace, to which no policy of pods applies\./);
    expect(run.stdout).toMatch(/caveat: The input holds no Calico HostEndpoint for node node-3: Calico polices a host only through its host endpoints/);
    // Not said under another plugin.
    const kubernetes = canReach(['node:node-1', 'shop/server', '--port', '8080'], KUBERNETES);
    expect(kubernetes.stdout).not.toMatch(/HostEndpoint/);
  });
});

describe('kube-apiserver', () => {
  const APISERVER = path.join(ROOT, 'fixtures', 'entity-endpoints', 'apiserver');
  const withConfig = (config: string) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-apiserver-'));
    fs.copyFileSync(path.join(APISERVER, 'cluster.yaml'), path.join(folder, 'cluster.yaml'));
    fs.writeFileSync(path.join(folder, '.k8snet.yaml'), config);
    return folder;
  };
  const ask = (args: string[], cwd: string) => {
    const run = k8snet(['can-reach', ...args, '.'], { cwd });
    expectNoStackTrace(run);
    return run;
  };

  it('is reached by address, which the manifests do not give: an ipBlock holding the control plane is said, not counted', () => {
    const run = canReach(['ops/operator', 'kube-apiserver', '--port', '6443'], APISERVER);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/note: The manifests do not give the API server's addresses/);
    expect(run.stdout).toMatch(/note: Pods reach it through Service default\/kubernetes, port 443, forwarded to the API server's own port, which policies see: 6443 on kubeadm/);
    expect(run.stdout).toMatch(/caveat: Depends on the network plugin: NetworkPolicy ops\/operator-to-apiserver rule "egress\[0\]" \(ipBlock 10\.0\.0\.0\/24\) reaches the API server only through its addresses/);
    // The rule is about 6443: asked about 443, nothing to say.
    expect(canReach(['ops/operator', 'kube-apiserver', '--port', '443'], APISERVER).stdout).not.toMatch(/caveat:/);
  });

  it('with its address and port stated: Calico applies the ipBlock; the kubernetes Service and its ClusterIP stand for it, 443 forwarded', () => {
    const folder = withConfig('cluster:\n  cni: calico\n  serviceCIDR: 10.96.0.0/12\n  apiServer:\n    addresses: [10.0.0.10]\n    port: 6443\n');
    try {
      expect(ask(['ops/operator', 'kube-apiserver', '--port', '6443'], folder).status).toBe(0);
      expect(ask(['ops/report', 'kube-apiserver', '--port', '6443'], folder).status).toBe(1);
      const service = ask(['ops/operator', 'svc:default/kubernetes', '--port', '443'], folder);
      expect(service.status).toBe(0);
      expect(service.stdout).toMatch(/→ svc:default\/kubernetes \(kube-apiserver\): allowed: TCP 6443 \(service port 443\/TCP of svc:default\/kubernetes → 6443\)/);
      const clusterIp = ask(['ops/operator', 'ip:10.96.0.1', '--port', '443'], folder);
      expect(clusterIp.status).toBe(0);
      expect(clusterIp.stdout).toMatch(/ip:10\.96\.0\.1 \(ClusterIP of svc:default\/kubernetes: kube-apiserver\)/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('asked on 443 without its port stated, says what 6443 would answer when it differs', () => {
    const folder = withConfig('cluster:\n  cni: calico\n  apiServer:\n    addresses: [10.0.0.10]\n');
    try {
      const run = ask(['ops/operator', 'svc:default/kubernetes', '--port', '443'], folder);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/caveat: The API server's own port is not stated \(cluster\.apiServer\.port in \.k8snet\.yaml\): where it listens on 6443 \(kubeadm, kind and k3s clusters\), policies see 6443, which they allow\./);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('under Cilium, its entity decides: an ipBlock does not select it, toEntities kube-apiserver does', () => {
    const folder = withConfig('cluster:\n  cni: cilium\n');
    try {
      expect(ask(['ops/operator', 'kube-apiserver', '--port', '6443'], folder).status).toBe(1);
      fs.writeFileSync(path.join(folder, 'cilium.yaml'), `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: report-to-apiserver, namespace: ops}
spec:
  endpointSelector: {matchLabels: {app: report}}
  egress: [{toEntities: [kube-apiserver], toPorts: [{ports: [{port: "6443", protocol: TCP}]}]}]
`);
      const allowed = ask(['ops/report', 'kube-apiserver', '--port', '6443'], folder);
      expect(allowed.status).toBe(0);
      expect(allowed.stdout).toMatch(/allows TCP 6443 to toEntities kube-apiserver/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses an address .k8snet.yaml states that is none', () => {
    const folder = withConfig('cluster:\n  apiServer:\n    addresses: [10.0.0.300]\n');
    try {
      const run = k8snet(['can-reach', 'ops/operator', 'kube-apiserver', '.'], { cwd: folder });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/cluster\.apiServer\.addresses: '10\.0\.0\.300' is not an IP address or a CIDR/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
