import { describe, expect, it } from '@jest/globals';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import { requestPaths, type PathHop } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatPathsDot } from '../../src/report/path-graph.js';
import { parseDot } from '../report/graph-syntax.js';

function hopsOf(text: string): PathHop[] {
  return requestPaths(new ReachabilitySolver(analyzeTexts([{ path: 'entries.yaml', text }]).graph));
}

function hop(hops: readonly PathHop[], from: string, to: string): PathHop | undefined {
  return hops.find((candidate) => candidate.from.id === from && candidate.to.id === to);
}

const demo = requestPaths(new ReachabilitySolver(analyzePaths(['fixtures/gateway-demo']).graph));

/** A LoadBalancer Service `web` with the given spec lines, its Deployment, and a policy admitting 198.51.100.0/24. */
function loadBalancer(specLines: string, policyFrom = '{ipBlock: {cidr: 198.51.100.0/24}}', annotations = '{}'): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, annotations: ${annotations}}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
${specLines}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [${policyFrom}], ports: [{port: 8080}]}]
`;
}

describe('entries that bypass Ingress', () => {
  it('draws microservices-demo\'s frontend-external: its load balancer\'s source range, judged with the client\'s address (Local)', () => {
    expect(hop(demo, 'clients', 'lb:shop/frontend-external')?.label).toBe('from 198.51.100.0/24');
    const last = hop(demo, 'lb:shop/frontend-external', 'shop/frontend[Deployment]')!;
    expect(last.label).toBe('TCP 8080');
    expect(last.verdict).toMatchObject({ state: 'allowed', notes: ['the pod sees the client\'s address (externalTrafficPolicy: Local)'] });
    expect(last.verdict?.by.join(' ')).toMatch(/^frontend-ingress ingress\[1\] \(fixtures\/gateway-demo\/shop\/networkpolicies\.yaml:\d+\)$/);
  });

  it('draws the NodePort a LoadBalancer Service also opens, which its source ranges do not guard: partly allowed', () => {
    expect(hop(demo, 'clients', 'nodeport:shop/frontend-external')?.label).toBe('from any address that reaches a node (loadBalancerSourceRanges do not guard NodePorts)');
    expect(hop(demo, 'nodeport:shop/frontend-external', 'shop/frontend[Deployment]')?.verdict).toMatchObject({
      state: 'partial',
      notes: ['admitted only from 198.51.100.0-198.51.100.255', 'the pod sees the client\'s address (externalTrafficPolicy: Local)'],
    });
  });

  it('draws ingress-nginx\'s kind variant: a NodePort on every node and hostPorts on its node, open without policies', () => {
    expect(hop(demo, 'nodeport:ingress-nginx/ingress-nginx-controller', 'ingress-nginx/ingress-nginx-controller[Deployment]')?.verdict)
      .toMatchObject({ state: 'open', notes: ['the pod sees a node\'s address (externalTrafficPolicy: Cluster)'] });
    const hostPort = hop(demo, 'hostport:ingress-nginx/ingress-nginx-controller[Deployment]', 'ingress-nginx/ingress-nginx-controller[Deployment]')!;
    expect(hostPort.label).toBe('TCP 80,443');
    expect(hostPort.verdict).toMatchObject({ state: 'open', notes: ['the pod sees the client\'s address; policies on hostPort traffic depend on the network plugin'] });
    expect(hop(demo, 'clients', 'hostport:ingress-nginx/ingress-nginx-controller[Deployment]')?.label).toBe('from any address that reaches its node');
  });

  it('draws ingress-nginx\'s cloud variant: a load balancer keeping client addresses, allowed from the office range only', () => {
    const hops = requestPaths(new ReachabilitySolver(analyzePaths(['fixtures/entries/ingress-nginx-cloud.yaml']).graph));
    expect(hop(hops, 'clients', 'lb:ingress-nginx/ingress-nginx-controller')?.label).toBe('from any address (no loadBalancerSourceRanges)');
    const last = hop(hops, 'lb:ingress-nginx/ingress-nginx-controller', 'ingress-nginx/ingress-nginx-controller[Deployment]')!;
    expect(last.label).toBe('TCP 80,443');
    expect(last.verdict).toMatchObject({ state: 'partial', notes: ['admitted only from 192.0.2.0-192.0.2.255', 'the pod sees the client\'s address (externalTrafficPolicy: Local)'] });
    expect(hops.some((candidate) => candidate.to.id.startsWith('hostport:'))).toBe(false);
  });

  it('judges a node\'s address under externalTrafficPolicy: Cluster, so a rule for the clients\' range admits it only if nodes are in it', () => {
    const hops = hopsOf(loadBalancer('  loadBalancerSourceRanges: [198.51.100.0/24]'));
    expect(hop(hops, 'lb:shop/web', 'shop/web[Deployment]')?.verdict).toMatchObject({
      state: 'partial',
      notes: ['admitted only if the node\'s address is in 198.51.100.0-198.51.100.255', 'the pod sees a node\'s address (externalTrafficPolicy: Cluster)'],
    });
  });

  it('is blocked when no rule admits addresses from outside the cluster, and allowed when one admits every address', () => {
    const blocked = hopsOf(loadBalancer('  externalTrafficPolicy: Local', '{namespaceSelector: {}}'));
    expect(hop(blocked, 'lb:shop/web', 'shop/web[Deployment]')?.verdict?.state).toBe('blocked');
    const allowed = hopsOf(loadBalancer('  externalTrafficPolicy: Local', '{ipBlock: {cidr: 0.0.0.0/0}}'));
    expect(hop(allowed, 'lb:shop/web', 'shop/web[Deployment]')?.verdict?.state).toBe('allowed');
  });

  it('reads the source-ranges annotation when the field is empty, and draws no NodePort when the Service asks for none', () => {
    const hops = hopsOf(loadBalancer('  externalTrafficPolicy: Local\n  allocateLoadBalancerNodePorts: false', undefined,
      '{service.beta.kubernetes.io/load-balancer-source-ranges: "198.51.100.0/25,198.51.100.128/25"}'));
    expect(hop(hops, 'clients', 'lb:shop/web')?.label).toBe('from 198.51.100.0/25, 198.51.100.128/25');
    expect(hop(hops, 'lb:shop/web', 'shop/web[Deployment]')?.verdict?.state).toBe('allowed');
    expect(hops.some((candidate) => candidate.to.id === 'nodeport:shop/web')).toBe(false);
  });

  it('says a hostNetwork pod is outside NetworkPolicy in most plugins', () => {
    const hops = hopsOf(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-exporter}}
  template:
    metadata: {labels: {app: node-exporter}}
    spec:
      hostNetwork: true
      containers: [{name: exporter, image: node-exporter, ports: [{containerPort: 9100, hostPort: 9100}]}]
`);
    expect(hop(hops, 'hostport:monitoring/node-exporter[DaemonSet]', 'monitoring/node-exporter[DaemonSet]')?.verdict)
      .toEqual({ state: 'open', by: [], notes: ['hostNetwork pod: outside NetworkPolicy in most plugins'] });
  });

  it('draws the entries as nodes of the DOT graph, the partial hop in orange', () => {
    const dot = parseDot(formatPathsDot(demo));
    const idOf = (label: string) => [...dot.nodes].find(([, attributes]) => attributes.label === label)?.[0];
    const nodePort = idOf('NodePort of Service frontend-external on every node (one allocated for TCP 80)')!;
    expect(nodePort).toBeDefined();
    const edge = dot.edges.find((candidate) => candidate.from === nodePort)!;
    expect(edge.attributes.color).toBe('darkorange');
    expect(edge.attributes.label).toMatch(/^TCP 8080\npartly allowed by frontend-ingress ingress\[1\] .*\nadmitted only from 198\.51\.100\.0-198\.51\.100\.255\n/);
  });
});

describe('entries under Cilium', () => {
  // Cilium's world lockdown: the internet is denied, every identity of the cluster (nodes included) allowed.
  const lockdown = `
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingressDeny: [{fromEntities: [world]}]
  ingress: [{fromEntities: [all]}]
`;

  it('judges a source rewritten to a node\'s address as the node\'s identity (remote-node), not world', () => {
    const cluster = hopsOf(`${loadBalancer('', '{podSelector: {}}')}${lockdown}`);
    const viaNode = hop(cluster, 'lb:shop/web', 'shop/web[Deployment]')!.verdict!;
    // Forwarded by another node it is allowed; landing on the backend's own node it keeps the client's address: denied.
    expect(viaNode.state).toBe('depends');
    expect(viaNode.notes?.[0]).toBe('forwarded by another node: allowed; landing on the backend\'s own node: blocked');
    expect(viaNode.notes?.[1]).toMatch(/^Cilium sees the node's identity \(remote-node\), not the client's \(world\), when the node forwards it to another/);
    // Where both agree, one answer.
    const open = hopsOf(`${loadBalancer('', '{podSelector: {}}')}${lockdown.replace('  ingressDeny: [{fromEntities: [world]}]\n', '')}`);
    expect(hop(open, 'lb:shop/web', 'shop/web[Deployment]')!.verdict!.state).toBe('allowed');
    // externalTrafficPolicy: Local keeps the client's address: world, denied.
    const local = hopsOf(`${loadBalancer('  externalTrafficPolicy: Local', '{podSelector: {}}')}${lockdown}`);
    expect(hop(local, 'lb:shop/web', 'shop/web[Deployment]')!.verdict!.state).toBe('blocked');
  });
});
