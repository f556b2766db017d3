import { describe, expect, it } from '@jest/globals';
import { namespacedHost, resolveGatewayName } from '../../src/model/build-istio.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { analyzeTexts } from '../../src/pipeline.js';

function analyze(text: string, istio = DEFAULT_ISTIO_SETTINGS) {
  return analyzeTexts([{ path: 'istio.yaml', text }], { istio });
}

/** The findings as `rule line path`, for compact expectations. */
function findings(text: string) {
  return analyze(text).inputFindings.map((finding) => `${finding.ruleId} ${finding.location?.line} ${finding.path}`);
}

describe('loading Istio objects', () => {
  it('models every Istio kind at every served version, none of them an unknown kind', () => {
    const kinds = [
      ['security.istio.io', ['v1', 'v1beta1'], 'AuthorizationPolicy', 'spec: {}'],
      ['security.istio.io', ['v1', 'v1beta1'], 'PeerAuthentication', 'spec: {mtls: {mode: STRICT}}'],
      ['security.istio.io', ['v1', 'v1beta1'], 'RequestAuthentication', 'spec: {jwtRules: [{issuer: "https://id.example.com"}]}'],
      ['networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'Gateway', 'spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}'],
      ['networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'VirtualService', 'spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}'],
      ['networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'DestinationRule', 'spec: {host: reviews}'],
      ['networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'ServiceEntry', 'spec: {hosts: [api.example.com], ports: [{number: 443, name: https, protocol: TLS}]}'],
      ['networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'Sidecar', 'spec: {egress: [{hosts: ["./*"]}]}'],
    ] as const;
    const documents = kinds.flatMap(([group, versions, kind, spec]) => versions.map((version, index) => `apiVersion: ${group}/${version}
kind: ${kind}
metadata: {name: ${kind.toLowerCase()}-${index}, namespace: shop}
${spec}`));
    const analysis = analyze(documents.join('\n---\n'));
    expect(analysis.inputFindings).toEqual([]);
    const istio = analysis.graph.istio;
    expect([istio.authorizationPolicies, istio.peerAuthentications, istio.requestAuthentications].map((list) => list.length)).toEqual([2, 2, 2]);
    expect([istio.gateways, istio.virtualServices, istio.destinationRules, istio.serviceEntries, istio.sidecars].map((list) => list.length)).toEqual([3, 3, 3, 3, 3]);
    expect(analysis.graph.otherObjects).toEqual([]);
  });

  it('keeps a version Istio does not serve an unknown kind', () => {
    const analysis = analyze('apiVersion: security.istio.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: old}\nspec: {}\n');
    expect(analysis.graph.istio.authorizationPolicies).toEqual([]);
    expect(analysis.inputFindings.map((finding) => finding.ruleId)).toEqual(['input-unknown-kind']);
  });

  it('reads an AuthorizationPolicy with its defaults: ALLOW, the scope from namespace and selector, no rules = matches nothing', () => {
    const { graph } = analyze(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-deny, namespace: istio-system}
spec:
  action: DENY
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: viewer
  namespace: shop
  annotations: {istio.io/dry-run: "true"}
spec:
  selector: {matchLabels: {app: reviews}}
  rules:
    - from: [{source: {principals: [cluster.local/ns/shop/sa/productpage], ipBlocks: [10.0.0.0/8, 192.0.2.7]}}]
      to: [{operation: {methods: [GET], ports: ["9080"], notPorts: ["15020"]}}]
      when: [{key: "request.headers[version]", values: [v1]}, {key: destination.port, notValues: ["9090"]}]
`);
    const [meshDeny, allowNothing, viewer] = [
      graph.istio.authorizationPolicies.find((policy) => policy.name === 'mesh-deny')!,
      graph.istio.authorizationPolicies.find((policy) => policy.name === 'allow-nothing')!,
      graph.istio.authorizationPolicies.find((policy) => policy.name === 'viewer')!,
    ];
    expect(allowNothing).toMatchObject({ action: 'ALLOW', scope: 'namespace', dryRun: false });
    expect(allowNothing.rules).toBeUndefined();
    expect(meshDeny).toMatchObject({ action: 'DENY', scope: 'mesh', rules: [{ when: [] }] });
    expect(meshDeny.rules![0].from).toBeUndefined();
    expect(viewer).toMatchObject({ scope: 'selector', selector: { app: 'reviews' }, dryRun: true });
    const rule = viewer.rules![0];
    expect(rule.from![0].principals).toEqual(['cluster.local/ns/shop/sa/productpage']);
    expect(rule.from![0].ipBlocks!.entries).toEqual(['10.0.0.0/8', '192.0.2.7']);
    expect(rule.from![0].ipBlocks!.ranges[4]).toEqual([{ first: 0x0a000000n, last: 0x0affffffn }, { first: 0xc0000207n, last: 0xc0000207n }]);
    expect(rule.to![0]).toMatchObject({ methods: ['GET'], ports: [9080], notPorts: [15020] });
    expect(rule.when.map((condition) => [condition.key, condition.layer])).toEqual([['request.headers[version]', 'l7'], ['destination.port', 'l4']]);
  });

  it('refuses what istiod\'s validation refuses, at the field, and leaves the policy out', () => {
    const text = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-without-rules, namespace: shop}
spec:
  action: DENY
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: custom-without-provider, namespace: shop}
spec:
  action: CUSTOM
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: bad-fields, namespace: shop}
spec:
  provider: {name: ext}
  rules:
    - from: []
    - from: [{source: {}}]
      to: [{operation: {ports: ["http"]}}]
    - from: [{source: {ipBlocks: [10.0.0.300]}}]
      when: [{key: source.ip}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: selector-and-target, namespace: shop}
spec:
  selector: {matchLabels: {app: "*"}}
  targetRefs: [{kind: Deployment, name: web, namespace: other}]
`;
    expect(findings(text)).toEqual([
      'input-invalid-value 4 spec',
      // No provider to point at: its nearest ancestor, spec.
      'input-invalid-value 10 spec.provider',
      'input-invalid-value 18 spec.provider',
      'input-invalid-value 20 spec.rules[0].from',
      'input-invalid-value 21 spec.rules[1].from[0].source',
      'input-invalid-value 22 spec.rules[1].to[0].operation.ports[0]',
      'input-invalid-value 23 spec.rules[2].from[0].source.ipBlocks[0]',
      'input-invalid-value 24 spec.rules[2].when[0]',
      'input-invalid-value 30 spec.selector.matchLabels.app',
      'input-invalid-value 29 spec',
      'input-invalid-value 31 spec.targetRefs[0].namespace',
      'input-invalid-value 31 spec.targetRefs[0].kind',
    ]);
    expect(analyze(text).graph.istio.authorizationPolicies).toEqual([]);
    expect(analyze(text).inputFindings[0].message).toBe('AuthorizationPolicy shop/deny-without-rules: a DENY policy without rules is never triggered (add rules: [{}] to deny every request); istiod\'s validation refuses this object, so k8snet leaves it out.');
  });

  it('leaves out a policy the API server refuses for a wrongly typed field (a port number where the CRD wants a string)', () => {
    const analysis = analyze(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: numbers, namespace: shop}
spec:
  rules: [{to: [{operation: {ports: [8080]}}]}]
`);
    expect(analysis.inputFindings.map((finding) => `${finding.ruleId} ${finding.path}`)).toEqual(['input-schema spec.rules[0].to[0].operation.ports[0]']);
    expect(analysis.inputFindings[0].message).toContain('the API server rejects this object, so k8snet leaves it out');
    expect(analysis.graph.istio.authorizationPolicies).toEqual([]);
  });

  it('warns where istiod accepts but ignores: a selector without labels, an unknown condition key, a root-namespace PeerAuthentication with a selector', () => {
    const analysis = analyze(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: empty-selector, namespace: shop}
spec:
  selector: {matchLabels: {}}
  rules: [{when: [{key: source.country, values: [FR]}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: istio-system}
spec:
  selector: {matchLabels: {app: db}}
  mtls: {mode: STRICT}
`);
    expect(analysis.inputFindings.map((finding) => `${finding.ruleId} ${finding.severity} ${finding.path}`)).toEqual([
      'input-istio-warning warning spec.selector',
      'input-istio-warning warning spec.rules[0].when[0].key',
      'input-istio-warning warning spec.selector',
    ]);
    expect(analysis.graph.istio.authorizationPolicies[0].scope).toBe('namespace');
    expect(analysis.graph.istio.peerAuthentications).toEqual([]);
  });

  it('reads PeerAuthentications: mode, port-level modes, and refuses port-level modes without a selector', () => {
    const analysis = analyze(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: shop, creationTimestamp: "2024-05-01T00:00:00Z"}
spec:
  selector: {matchLabels: {app: db}}
  portLevelMtls:
    "9187": {mode: DISABLE}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ports-without-selector, namespace: shop}
spec:
  portLevelMtls:
    "8080": {mode: DISABLE}
`);
    expect(analysis.inputFindings.map((finding) => `${finding.location?.line} ${finding.path}`)).toEqual(['18 spec.portLevelMtls']);
    const [meshWide, db] = [analysis.graph.istio.peerAuthentications.find((policy) => policy.name === 'default')!, analysis.graph.istio.peerAuthentications.find((policy) => policy.name === 'db')!];
    expect(meshWide).toMatchObject({ scope: 'mesh', mode: 'STRICT' });
    expect(db).toMatchObject({ scope: 'selector', mode: 'UNSET', portLevelMtls: [{ port: 9187, mode: 'DISABLE' }], createdAt: '2024-05-01T00:00:00Z' });
  });

  it('uses the configured root namespace for mesh-wide scope', () => {
    const analysis = analyze('apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: istio-config}\nspec: {}\n',
      { ...DEFAULT_ISTIO_SETTINGS, rootNamespace: 'istio-config' });
    expect(analysis.graph.istio.authorizationPolicies[0].scope).toBe('mesh');
  });

  it('reads Gateways and VirtualServices with their references resolved and their routes described', () => {
    const analysis = analyze(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: https}
      hosts: [shop/*.example.com, api.example.com]
      tls: {mode: SIMPLE, credentialName: shop-cert}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [www.example.com]
  gateways: [infra/public, mesh, ./local, legacy.infra.svc.cluster.local]
  http:
    - match: [{uri: {prefix: /api}}, {port: 8080}]
      route:
        - destination: {host: api, port: {number: 80}}
          weight: 90
        - destination: {host: api-canary}
          weight: 10
    - redirect: {uri: /}
  tcp:
    - route: [{destination: {host: db.data.svc.cluster.local, port: {number: 5432}}}]
`);
    expect(analysis.inputFindings).toEqual([]);
    const gateway = analysis.graph.istio.gateway('infra', 'public')!;
    expect(gateway.servers[0]).toMatchObject({ port: { number: 443, protocol: 'HTTPS' }, hosts: [{ namespace: 'shop', dnsName: '*.example.com' }, { namespace: '*', dnsName: 'api.example.com' }], tls: { mode: 'SIMPLE', credentialName: 'shop-cert', httpsRedirect: false } });
    const service = analysis.graph.istio.virtualServices[0];
    expect(service.gateways.map((entry) => (entry.type === 'mesh' ? 'mesh' : `${entry.namespace}/${entry.name}`))).toEqual(['infra/public', 'mesh', 'shop/local', 'infra/legacy']);
    expect(service.routes.map((route) => [route.protocol, route.matches, route.matchPorts, route.destinations.map((destination) => `${destination.host}:${destination.port ?? ''}@${destination.weight}`), route.answersItself])).toEqual([
      ['http', ['uri prefix /api', 'port 8080'], [8080], ['api:80@90', 'api-canary:@10'], false],
      ['http', [], [], [], true],
      ['tcp', [], [], ['db.data.svc.cluster.local:5432@100'], false],
    ]);
  });

  it('refuses a VirtualService bound to the mesh with the host *, and one without routes', () => {
    expect(findings(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: everything, namespace: shop}
spec:
  hosts: ["*"]
`)).toEqual(['input-invalid-value 5 spec.hosts[0]', 'input-invalid-value 4 spec']);
  });

  it('reads Sidecars (namespace/host egress), DestinationRules (TLS modes) and ServiceEntries', () => {
    const analysis = analyze(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*", "istio-system/*", "bare.example.com"]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: legacy, namespace: shop}
spec:
  host: legacy
  trafficPolicy:
    tls: {mode: DISABLE}
    portLevelSettings: [{port: {number: 8443}, tls: {mode: SIMPLE}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
`);
    expect(analysis.inputFindings.map((finding) => `${finding.location?.line} ${finding.path}`)).toEqual(['5 spec.egress[0].hosts[2]']);
    expect(analysis.graph.istio.sidecars).toEqual([]);
    expect(analysis.graph.istio.destinationRules[0]).toMatchObject({ host: 'legacy', tlsMode: 'DISABLE', portTls: [{ port: 8443, mode: 'SIMPLE', path: ['spec', 'trafficPolicy', 'portLevelSettings', 0] }] });
    expect(analysis.graph.istio.serviceEntries[0]).toMatchObject({ hosts: ['api.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, protocol: 'TLS' }] });
  });
});

describe('resolveGatewayName (pilot/pkg/model resolveGatewayName)', () => {
  it.each([
    ['public', 'shop', 'shop/public'],
    ['infra/public', 'shop', 'infra/public'],
    ['./public', 'shop', 'shop/public'],
    ['public.infra', 'shop', 'infra/public'],
    ['public.infra.svc.cluster.local', 'shop', 'infra/public'],
  ])('%s in namespace %s is %s', (reference, namespace, expected) => {
    const resolved = resolveGatewayName(reference, namespace);
    expect(`${resolved.namespace}/${resolved.name}`).toBe(expected);
  });
});

describe('namespacedHost', () => {
  it('reads namespace/dnsName with the special namespaces, and a bare name only where allowed', () => {
    expect(namespacedHost('./*', 'shop', false)).toEqual({ namespace: 'shop', dnsName: '*', text: './*' });
    expect(namespacedHost('*/api.example.com', 'shop', false)).toMatchObject({ namespace: '*', dnsName: 'api.example.com' });
    expect(namespacedHost('~/*', 'shop', false)).toMatchObject({ namespace: '~' });
    expect(namespacedHost('api.example.com', 'shop', false)).toBeUndefined();
    expect(namespacedHost('api.example.com', 'shop', true)).toMatchObject({ namespace: '*', dnsName: 'api.example.com' });
    expect(namespacedHost('a/b/c', 'shop', true)).toBeUndefined();
  });
});

describe('.k8snet.yaml defaults', () => {
  it('are Istio\'s', () => {
    expect(DEFAULT_ISTIO_SETTINGS).toMatchObject({ rootNamespace: 'istio-system', trustDomain: 'cluster.local', enableNamespacesByDefault: false, scopeGatewayToNamespace: false, assumeSidecars: false });
  });
});
