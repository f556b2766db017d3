/**
 * Istio's Sidecar egress and outboundTrafficPolicy at the client's proxy (src/model/istio-egress.ts,
 * src/reach/policies/istio-egress.ts): host matching row by row, which Sidecar applies, and the
 * answers the one evaluator gives with the egress stage in the mesh point.
 */
import { describe, expect, it } from '@jest/globals';
import { importsHost, isHostSubsetOf, sidecarScopeOf, type SidecarScope } from '../../src/model/istio-egress.js';
import type { ResourceGraph } from '../../src/model/graph.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { analyzeTexts, type AnalyzeOptions } from '../../src/pipeline.js';
import { meshCaveat } from '../../src/reach/istio-caveats.js';
import { dnsNamePeer } from '../../src/reach/policies/istio-egress.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import type { SideTrace } from '../../src/reach/evaluator.js';

function solve(text: string, options: AnalyzeOptions = {}): { graph: ResourceGraph; solver: ReachabilitySolver } {
  const analysis = analyzeTexts([{ path: 'mesh.yaml', text }], options);
  expect(analysis.inputFindings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return { graph: analysis.graph, solver: new ReachabilitySolver(analysis.graph) };
}

const pod = (name: string, namespace: string, port: number) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: ${port}}, {containerPort: 9000}]}]}
---
`;
const service = (name: string, namespace: string, port: number, targetPort: number) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: {app: ${name}}, ports: [{name: tcp, port: ${port}, targetPort: ${targetPort}}]}
---
`;

// shop (injected): web, api (Service api 80 → 8080), cart (Service cart 80 → 7070); ops (injected): tools (Service tools 80 → 3000).
const MESH = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {istio-injection: enabled}}
---
${pod('web', 'shop', 8080)}${pod('api', 'shop', 8080)}${pod('cart', 'shop', 7070)}${pod('tools', 'ops', 3000)}${service('api', 'shop', 80, 8080)}${service('cart', 'shop', 80, 7070)}${service('tools', 'ops', 80, 3000)}apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wiki, namespace: shop}
spec: {hosts: ["*.wikipedia.org"], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: NONE}
---
`;

const sidecar = (name: string, namespace: string, spec: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
---
`;

const byName = (graph: ResourceGraph, name: string) => graph.pods.find((candidate) => candidate.name === name)!;
const toName = (solver: ReachabilitySolver, graph: ResourceGraph, from: string, name: string) => {
  const trace: SideTrace = { decisions: [], contributions: [] };
  const allowed = solver.evaluator.sideAllowed('egress', solver.classOf(byName(graph, from)), dnsNamePeer(name), trace);
  return { allowed, restrictions: solver.evaluator.restrictionsOf(trace, allowed) };
};

describe('host matching (istio host.Name.SubsetOf, Sidecar egress hosts)', () => {
  it.each([
    ['a.example.com', 'a.example.com', true], ['a.example.com', '*.example.com', true], ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false], ['*.example.com', '*.example.com', true], ['*.a.example.com', '*.example.com', true],
    ['*.example.com', 'a.example.com', false], ['*.example.com', '*', true], ['A.Example.com', 'a.example.com', true], ['b.example.com', 'a.example.com', false],
  ])('%s is a subset of %s: %s', (name, pattern, expected) => {
    expect(isHostSubsetOf(name, pattern)).toBe(expected);
  });

  const scope = (hosts: string[], port?: number): SidecarScope => ({
    namespace: 'shop', outboundTrafficPolicy: 'ALLOW_ANY', outboundTrafficPolicyFrom: 'mesh', virtualServiceImports: [],
    listeners: [{ ...(port !== undefined ? { port } : {}), hosts: hosts.map((text) => ({ namespace: text.split('/')[0], dnsName: text.split('/')[1], text })) }],
  });
  it.each([
    [['shop/*'], 'shop', 'api.shop.svc.cluster.local', 80, true],
    [['shop/*'], 'ops', 'tools.ops.svc.cluster.local', 80, false],
    [['*/tools.ops.svc.cluster.local'], 'ops', 'tools.ops.svc.cluster.local', 80, true],
    // A host naming the namespace and a `*/` host both import (istiod: explicit first, then the wildcard namespace).
    [['shop/api.shop.svc.cluster.local', '*/www.example.com'], 'shop', 'www.example.com', 443, true],
    [['~/*'], 'shop', 'api.shop.svc.cluster.local', 80, false],
    [['*/en.wikipedia.org'], 'shop', '*.wikipedia.org', 443, false],
  ])('hosts %j import %s/%s:%d: %s', (hosts, namespace, hostname, port, expected) => {
    expect(importsHost(scope(hosts), namespace, hostname, port)).toBe(expected);
  });
  it('a listener with a port imports only that Service port', () => {
    expect(importsHost(scope(['shop/*'], 80), 'shop', 'api.shop.svc.cluster.local', 80)).toBe(true);
    expect(importsHost(scope(['shop/*'], 80), 'shop', 'api.shop.svc.cluster.local', 81)).toBe(false);
  });
});

describe('which Sidecar configures a proxy', () => {
  const text = MESH + sidecar('default', 'istio-system', '{egress: [{hosts: ["./*"]}]}') + sidecar('default', 'ops', '{egress: [{hosts: ["shop/*"]}], outboundTrafficPolicy: {mode: REGISTRY_ONLY}}')
    + sidecar('web', 'shop', '{workloadSelector: {labels: {app: web}}, egress: [{hosts: ["./api.shop.svc.cluster.local"]}]}');
  const { graph } = solve(text);
  const istio = graph.istio;
  it('a Sidecar selecting the workload wins over the namespace\'s and the root namespace\'s defaults', () => {
    expect(sidecarScopeOf('shop', { app: 'web' }, istio, istio.settings).sidecar?.name).toBe('web');
    expect(sidecarScopeOf('ops', { app: 'tools' }, istio, istio.settings).sidecar?.namespace).toBe('ops');
  });
  it('the root namespace\'s default applies where a namespace has none, its `.` meaning the workload\'s namespace', () => {
    const scope = sidecarScopeOf('shop', { app: 'api' }, istio, istio.settings);
    expect(scope.sidecar?.namespace).toBe('istio-system');
    expect(importsHost(scope, 'shop', 'cart.shop.svc.cluster.local', 80)).toBe(true);
    expect(importsHost(scope, 'istio-system', 'x.istio-system.svc.cluster.local', 80)).toBe(false);
  });
  it('the outbound traffic policy is the Sidecar\'s own, else the mesh\'s', () => {
    expect(sidecarScopeOf('ops', { app: 'tools' }, istio, istio.settings)).toMatchObject({ outboundTrafficPolicy: 'REGISTRY_ONLY', outboundTrafficPolicyFrom: 'sidecar' });
    expect(sidecarScopeOf('shop', { app: 'web' }, istio, istio.settings)).toMatchObject({ outboundTrafficPolicy: 'ALLOW_ANY', outboundTrafficPolicyFrom: 'mesh' });
  });
});

describe('the client\'s proxy at the mesh enforcement point', () => {
  it('ALLOW_ANY: what the Sidecar leaves out still passes, named where a Service fronts it; external addresses pass', () => {
    const { graph, solver } = solve(MESH + sidecar('web', 'shop', '{workloadSelector: {labels: {app: web}}, egress: [{hosts: ["./api.shop.svc.cluster.local"]}]}'));
    const [web, api, cart] = ['web', 'api', 'cart'].map((name) => byName(graph, name));
    expect(solver.podToPod(web, api).contains('TCP', 8080)).toBe(true);
    const toApi = solver.explain(solver.classOf(web), solver.classOf(api));
    expect(toApi.egress.restrictions).toEqual([]);
    const toCart = solver.explain(solver.classOf(web), solver.classOf(cart));
    expect(toCart.allowed.contains('TCP', 7070)).toBe(true);
    expect(toCart.egress.restrictions.map((restriction) => [restriction.layer, restriction.rule.source.policyLabel])).toEqual([['DNS', 'shop/web']]);
    expect(toCart.egress.restrictions[0].description).toMatch(/^the egress hosts of Sidecar shop\/web \(\.\/api\.shop\.svc\.cluster\.local\) do not import the Service in front of this port: the proxy passes/);
    expect(toCart.egress.restrictions[0].rule.source.ruleLabel).toBe('outboundTrafficPolicy ALLOW_ANY (the mesh\'s): passthrough');
    expect(solver.podToAddress(web, '203.0.113.5').contains('TCP', 443)).toBe(true);
    expect(toName(solver, graph, 'web', 'en.wikipedia.org').allowed.contains('TCP', 8443)).toBe(true);
    // Nothing said for sources the Sidecar does not configure.
    expect(solver.explain(solver.classOf(api), solver.classOf(cart)).egress.restrictions).toEqual([]);
  });

  it('ALLOW_ANY: the passthrough goes in plaintext, so a destination port under STRICT mTLS refuses it (istio/istio#41978)', () => {
    const strictCart = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart-strict, namespace: shop}
spec: {selector: {matchLabels: {app: cart}}, mtls: {mode: STRICT}}
---
`;
    const { graph, solver } = solve(MESH + strictCart + sidecar('web', 'shop', '{workloadSelector: {labels: {app: web}}, egress: [{hosts: ["./api.shop.svc.cluster.local"]}]}'));
    const [web, api, cart] = ['web', 'api', 'cart'].map((name) => byName(graph, name));
    const toCart = solver.explain(solver.classOf(web), solver.classOf(cart));
    expect(toCart.allowed.contains('TCP', 7070)).toBe(false);
    expect(toCart.egress.decisions.map((decision) => [decision.rule.action, decision.rule.source.ruleLabel]))
      .toContainEqual(['deny', 'outboundTrafficPolicy ALLOW_ANY (the mesh\'s): passthrough in plaintext, which the destination\'s STRICT mTLS refuses']);
    // Through the Service the Sidecar imports, mTLS: allowed; and a client without the Sidecar reaches cart by mTLS too.
    expect(solver.podToPod(web, api).contains('TCP', 8080)).toBe(true);
    expect(solver.podToPod(api, cart).contains('TCP', 7070)).toBe(true);
  });

  it('a Sidecar importing every host under ALLOW_ANY changes nothing', () => {
    const { graph } = solve(MESH + sidecar('default', 'shop', '{egress: [{hosts: ["*/*"]}]}'));
    const solver = new ReachabilitySolver(graph);
    expect(solver.evaluator.isOpen(solver.classOf(byName(graph, 'web')), 'egress')).toBe(true);
  });

  describe('REGISTRY_ONLY', () => {
    const { graph, solver } = solve(MESH + sidecar('web', 'shop', '{workloadSelector: {labels: {app: web}}, egress: [{hosts: ["./api.shop.svc.cluster.local", "*/*.wikipedia.org"]}], outboundTrafficPolicy: {mode: REGISTRY_ONLY}}'));
    const [web, api, cart, tools] = ['web', 'api', 'cart', 'tools'].map((name) => byName(graph, name));
    it('reaches imported Services on their target ports only', () => {
      expect(solver.podToPod(web, api).contains('TCP', 8080)).toBe(true);
      expect(solver.podToPod(web, api).contains('TCP', 9000)).toBe(false);
    });
    it('denies the rest at the proxy, citing the Sidecar; other protocols are not proxied', () => {
      const toCart = solver.explain(solver.classOf(web), solver.classOf(cart));
      expect(toCart.allowed.contains('TCP', 7070)).toBe(false);
      expect(toCart.allowed.contains('UDP', 7070)).toBe(true);
      expect(toCart.egress.isolatingPolicies.map((policy) => `${policy.kind} ${policy.label}`)).toEqual(['Sidecar shop/web']);
      expect(solver.podToPod(web, tools).contains('TCP', 3000)).toBe(false);
      expect(solver.podToAddress(web, '203.0.113.5').contains('TCP', 443)).toBe(false);
    });
    it('reaches the DNS names of imported ServiceEntry hosts on their ports', () => {
      expect(toName(solver, graph, 'web', 'en.wikipedia.org').allowed.describe()).toBe('everything but TCP 1-442,444-65535');
      expect(toName(solver, graph, 'web', '*.wikipedia.org').allowed.contains('TCP', 443)).toBe(true);
      expect(toName(solver, graph, 'web', 'example.com').allowed.contains('TCP', 443)).toBe(false);
    });
    it('leaves other sources alone', () => {
      expect(solver.podToPod(api, cart).contains('TCP', 7070)).toBe(true);
    });
  });

  it('a VirtualService bound to the mesh that the hosts select imports its destinations', () => {
    const registryOnly = sidecar('web', 'shop', '{workloadSelector: {labels: {app: web}}, egress: [{hosts: ["./api.shop.svc.cluster.local"]}], outboundTrafficPolicy: {mode: REGISTRY_ONLY}}');
    const routed = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec: {hosts: [api], http: [{route: [{destination: {host: cart}}]}]}
---
`;
    const without = solve(MESH + registryOnly);
    const withRoute = solve(MESH + registryOnly + routed);
    for (const [{ graph, solver }, expected] of [[without, false], [withRoute, true]] as const) {
      expect(solver.podToPod(byName(graph, 'web'), byName(graph, 'cart')).contains('TCP', 7070)).toBe(expected);
      expect(solver.podToPod(byName(graph, 'web'), byName(graph, 'tools')).contains('TCP', 3000)).toBe(false);
    }
  });

  it('towards a namespace whose Services the manifests do not hold, REGISTRY_ONLY is unknown where the hosts may import from it', () => {
    const dns = `apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 53, protocol: TCP}, {containerPort: 53, protocol: UDP}]}]}
---
`;
    const withHosts = (hosts: string) => solve(MESH + dns + sidecar('web', 'shop', `{workloadSelector: {labels: {app: web}}, egress: [{hosts: [${hosts}]}], outboundTrafficPolicy: {mode: REGISTRY_ONLY}}`));
    const importing = withHosts('"./*", "kube-system/*"');
    const verdict = importing.solver.explain(importing.solver.classOf(byName(importing.graph, 'web')), importing.solver.classOf(byName(importing.graph, 'dns')));
    expect(verdict.allowed.contains('TCP', 53)).toBe(true);
    expect(verdict.allowed.contains('TCP', 80)).toBe(false);
    expect(verdict.egress.restrictions.map((restriction) => restriction.layer)).toEqual(['unknown']);
    const notImporting = withHosts('"./*"');
    expect(notImporting.solver.podToPod(byName(notImporting.graph, 'web'), byName(notImporting.graph, 'dns')).contains('TCP', 53)).toBe(false);
  });

  it('the mesh\'s REGISTRY_ONLY where no Sidecar applies is said, not evaluated', () => {
    const { graph, solver } = solve(MESH, { istio: { ...DEFAULT_ISTIO_SETTINGS, outboundTrafficPolicy: 'REGISTRY_ONLY' } });
    const [web, cart] = ['web', 'cart'].map((name) => byName(graph, name));
    expect(solver.podToPod(web, cart).contains('TCP', 7070)).toBe(true);
    expect(meshCaveat(graph, [web], [cart])).toMatch(/^the mesh's outboundTrafficPolicy REGISTRY_ONLY \(\.k8snet\.yaml\) makes the source's proxy drop connections/);
  });
});

describe('DNS-name peers', () => {
  it('carry their name and every wildcard covering it', () => {
    expect(dnsNamePeer('En.Wikipedia.org.')).toEqual({ entity: 'fqdn:en.wikipedia.org', tags: ['fqdn:en.wikipedia.org', 'fqdn:*.wikipedia.org', 'fqdn:*.org', 'fqdn:*'] });
    expect(dnsNamePeer('*.wikipedia.org').tags).toEqual(['fqdn:*.wikipedia.org', 'fqdn:*.org', 'fqdn:*']);
  });
});
