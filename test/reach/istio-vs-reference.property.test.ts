/**
 * The solver's answers with Istio's policies against the brute-force Istio reference
 * (istio-reference.ts, written from the docs, sharing no code with src/): random meshes of
 * injected and plain namespaces, pods with service accounts and addresses, AuthorizationPolicies
 * and PeerAuthentications, every pod and a few addresses to every pod on a few TCP ports.
 */
import { describe, expect, it } from '@jest/globals';
import { loadTexts } from '../../src/load/index.js';
import { buildGraph } from '../../src/model/build-graph.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { istioReferenceAllows, type IstioRefCluster } from './istio-reference.js';

type Obj = Record<string, any>;

function generator(seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const some = <T>(values: readonly T[], most = 2): T[] => [...new Set(Array.from({ length: 1 + Math.floor(random() * most) }, () => pick(values)))];
  return { random, pick, some };
}

const NAMESPACES = ['shop', 'pay', 'legacy'];
const ACCOUNTS = ['web', 'api', 'default'];
const PORTS = [80, 8080, 9090];

function randomCluster(seed: number): IstioRefCluster {
  const { random, pick, some } = generator(seed);
  const namespaces = NAMESPACES.map((name) => ({
    apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: name === 'legacy' ? {} : { 'istio-injection': pick(['enabled', 'enabled', 'disabled']) } },
  }));
  const pods = Array.from({ length: 2 + Math.floor(random() * 4) }, (_, index) => {
    const labels: Obj = { app: pick(['web', 'api', 'db']) };
    if (random() < 0.15) labels['sidecar.istio.io/inject'] = 'false';
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `pod${index}`, namespace: pick(NAMESPACES), labels },
      spec: { serviceAccountName: pick(ACCOUNTS), containers: [{ name: 'c', image: 'i', ports: PORTS.map((port) => ({ containerPort: port })) }] },
      status: { podIP: `10.0.${index}.${1 + index}` },
    };
  });
  const source = (): Obj => pick<() => Obj>([
    () => ({ principals: some([`cluster.local/ns/${pick(NAMESPACES)}/sa/${pick(ACCOUNTS)}`, '*', 'cluster.local/ns/shop/*'] as const) }),
    () => ({ notPrincipals: ['*'] }),
    () => ({ namespaces: some([...NAMESPACES, 'sh*', '*'] as const) }),
    () => ({ notNamespaces: some(NAMESPACES) }),
    () => ({ ipBlocks: some(['10.0.0.0/16', '10.0.1.0/24', '192.0.2.0/24', '203.0.113.7']) }),
    () => ({ notIpBlocks: some(['10.0.2.0/24', '192.0.2.0/24']) }),
    () => ({ requestPrincipals: ['*'] }),
    () => ({ namespaces: [pick(NAMESPACES)], ipBlocks: ['10.0.0.0/8'] }),
  ])();
  const operation = (): Obj => pick<() => Obj>([
    () => ({ ports: some(PORTS.map(String)) }),
    () => ({ notPorts: some(PORTS.map(String)) }),
    () => ({ methods: ['GET'] }),
    () => ({ paths: ['/api'], ports: [String(pick(PORTS))] }),
  ])();
  const condition = (): Obj => pick<() => Obj>([
    () => ({ key: 'destination.port', values: some(PORTS.map(String)) }),
    () => ({ key: 'source.namespace', notValues: [pick(NAMESPACES)] }),
    () => ({ key: 'source.ip', values: ['10.0.0.0/16'] }),
    () => ({ key: 'request.headers[x-team]', values: ['a'] }),
  ])();
  const rule = (): Obj => ({
    ...(random() < 0.6 ? { from: Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({ source: source() })) } : {}),
    ...(random() < 0.6 ? { to: Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({ operation: operation() })) } : {}),
    ...(random() < 0.3 ? { when: [condition()] } : {}),
  });
  const authorizationPolicies = Array.from({ length: Math.floor(random() * 4) }, (_, index) => {
    const action = pick(['ALLOW', 'ALLOW', 'DENY', 'AUDIT']);
    const namespace = pick([...NAMESPACES, 'istio-system']);
    const spec: Obj = { action };
    if (random() < 0.6) spec.selector = { matchLabels: { app: pick(['web', 'api', 'db']) } };
    if (action === 'DENY' || random() < 0.85) spec.rules = Array.from({ length: 1 + Math.floor(random() * 2) }, rule);
    return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `ap${index}`, namespace, ...(random() < 0.1 ? { annotations: { 'istio.io/dry-run': 'true' } } : {}) }, spec };
  });
  const peerAuthentications = Array.from({ length: Math.floor(random() * 3) }, (_, index) => {
    const namespace = pick([...NAMESPACES, 'istio-system']);
    const spec: Obj = { mtls: { mode: pick(['STRICT', 'PERMISSIVE', 'UNSET', 'DISABLE']) } };
    if (namespace !== 'istio-system' && random() < 0.5) {
      spec.selector = { matchLabels: { app: pick(['web', 'api', 'db']) } };
      if (random() < 0.5) spec.portLevelMtls = { [String(pick(PORTS))]: { mode: pick(['STRICT', 'PERMISSIVE']) } };
    }
    return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: `pa${index}`, namespace }, spec };
  });
  return { namespaces, pods, authorizationPolicies, peerAuthentications, rootNamespace: 'istio-system' };
}

describe('the solver agrees with the Istio reference (property)', () => {
  it('on 300 random meshes: every pod and three addresses to every pod, TCP 80, 8080, 9090', () => {
    let compared = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const cluster = randomCluster(seed);
      const objects = [...cluster.namespaces, ...cluster.pods, ...cluster.authorizationPolicies, ...cluster.peerAuthentications];
      const text = objects.map((object) => JSON.stringify(object)).join('\n---\n');
      const loaded = loadTexts([{ path: 'mesh.yaml', text }]);
      // Objects istiod refuses (and k8snet with it) are not part of the comparison.
      const kept = new Set(loaded.objects.map((object) => `${object.kind}/${object.namespace}/${object.name}`));
      const graph = buildGraph(loaded.objects, { istio: DEFAULT_ISTIO_SETTINGS });
      const solver = new ReachabilitySolver(graph);
      const reference: IstioRefCluster = {
        ...cluster,
        authorizationPolicies: cluster.authorizationPolicies.filter((policy) => graph.istio.authorizationPolicies.some((modelled) => modelled.name === policy.metadata.name && modelled.namespace === policy.metadata.namespace)),
        peerAuthentications: cluster.peerAuthentications.filter((policy) => kept.has(`PeerAuthentication/${policy.metadata.namespace}/${policy.metadata.name}`)
          && graph.istio.peerAuthentications.some((modelled) => modelled.name === policy.metadata.name && modelled.namespace === policy.metadata.namespace)),
      };
      for (const destination of graph.pods) {
        const sources = [
          ...graph.pods.filter((pod) => pod !== destination).map((pod) => ({ peer: { pod: `${pod.namespace}/${pod.name}` }, allowed: (port: number) => solver.podToPod(pod, destination).contains('TCP', port) })),
          ...['10.0.1.9', '192.0.2.5', '203.0.113.7'].map((ip) => ({ peer: { ip }, allowed: (port: number) => solver.addressToPod(ip, destination).contains('TCP', port) })),
        ];
        for (const { peer, allowed } of sources) {
          for (const port of PORTS) {
            const expected = istioReferenceAllows(reference, peer, { pod: `${destination.namespace}/${destination.name}` }, port);
            compared++;
            if (allowed(port) !== expected) {
              throw new Error(`seed ${seed}: ${'pod' in peer ? peer.pod : peer.ip} → ${destination.namespace}/${destination.name} TCP ${port}: solver ${allowed(port)}, reference ${expected}\n${text}`);
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10000);
  });
});
