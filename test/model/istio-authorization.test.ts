import { describe, expect, it } from '@jest/globals';
import {
  evaluateAuthorization, matchRule, policySelectsPod, principalMatches, usesHttpOnlyFields, type MeshIdentity, type MeshRequest,
} from '../../src/model/istio-authorization.js';
import { matchesIstioValue } from '../../src/model/istio-values.js';
import { expandHost, resolveClientTls, resolveMtls } from '../../src/model/istio-mtls.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { parseAddress } from '../../src/model/cidr.js';
import { analyzeTexts } from '../../src/pipeline.js';

const settings = DEFAULT_ISTIO_SETTINGS;

/** The AuthorizationPolicies of a YAML text, in input order. */
function policies(text: string) {
  const analysis = analyzeTexts([{ path: 'policies.yaml', text }]);
  expect(analysis.inputFindings).toEqual([]);
  const byName = new Map(analysis.graph.istio.authorizationPolicies.map((policy) => [policy.name, policy]));
  return [...text.matchAll(/name: ([\w-]+), namespace/g)].map((match) => byName.get(match[1])!).filter(Boolean);
}

const productpage: MeshIdentity = { namespace: 'bookinfo', serviceAccount: 'bookinfo-productpage', principal: 'cluster.local/ns/bookinfo/sa/bookinfo-productpage' };
const sleep: MeshIdentity = { namespace: 'foo', serviceAccount: 'sleep', principal: 'cluster.local/ns/foo/sa/sleep' };
const request = (overrides: Partial<MeshRequest>): MeshRequest => ({ identity: productpage, port: 9080, reading: 'http', ...overrides });
const address = (text: string) => parseAddress(text)!;

describe('matchesIstioValue (exact, prefix, suffix, presence)', () => {
  it.each([
    ['abc', 'abc', true], ['abc', 'abcd', false], ['abc*', 'abcd', true], ['abc*', 'abc', true], ['*abc', 'xabc', true], ['*abc', 'abcx', false],
    ['*', 'anything', true], ['*', '', false], ['*', undefined, false], ['abc', undefined, false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(matchesIstioValue(pattern, value)).toBe(expected);
  });
});

describe('principalMatches (trust domains)', () => {
  it('takes cluster.local and the aliases as the local trust domain, and ignores other trust domains', () => {
    const corp = { ...settings, trustDomain: 'corp.example', trustDomainAliases: ['old.example'] };
    const principal = 'corp.example/ns/foo/sa/sleep';
    expect(principalMatches('corp.example/ns/foo/sa/sleep', principal, corp)).toBe(true);
    expect(principalMatches('cluster.local/ns/foo/sa/sleep', principal, corp)).toBe(true);
    expect(principalMatches('old.example/ns/foo/sa/sleep', principal, corp)).toBe(true);
    expect(principalMatches('other.example/ns/foo/sa/sleep', principal, corp)).toBe(false);
    expect(principalMatches('*/ns/foo/sa/sleep', principal, corp)).toBe(true);
    expect(principalMatches('cluster.local/ns/foo/*', principal, corp)).toBe(true);
    expect(principalMatches('*', principal, corp)).toBe(true);
  });
});

describe('policySelectsPod (scope)', () => {
  const [meshWide, namespaceWide, rootSelector, selector] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-wide, namespace: istio-system}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: namespace-wide, namespace: foo}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: root-selector, namespace: istio-system}
spec: {selector: {matchLabels: {version: v1}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: selector, namespace: bar}
spec: {selector: {matchLabels: {app: httpbin}}}
`);

  it('applies a root-namespace policy to every namespace, a namespace policy to its own, a selector within its namespace (any, from the root)', () => {
    expect(policySelectsPod(meshWide, 'anywhere', {}, settings)).toBe(true);
    expect(policySelectsPod(namespaceWide, 'foo', {}, settings)).toBe(true);
    expect(policySelectsPod(namespaceWide, 'bar', {}, settings)).toBe(false);
    expect(policySelectsPod(rootSelector, 'bar', { version: 'v1', app: 'x' }, settings)).toBe(true);
    expect(policySelectsPod(rootSelector, 'bar', { version: 'v2' }, settings)).toBe(false);
    expect(policySelectsPod(selector, 'bar', { app: 'httpbin', version: 'v1' }, settings)).toBe(true);
    expect(policySelectsPod(selector, 'foo', { app: 'httpbin' }, settings)).toBe(false);
  });
});

describe('evaluateAuthorization (reference/config/security/authorization-policy, concepts/security)', () => {
  it('allows everything without ALLOW policies, and nothing with the allow-nothing policy', () => {
    expect(evaluateAuthorization([], request({}), settings)).toMatchObject({ verdict: 'allow', reason: 'no ALLOW policy applies' });
    const [allowNothing] = policies('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: foo}\nspec: {}\n');
    expect(evaluateAuthorization([allowNothing], request({}), settings)).toMatchObject({ verdict: 'deny', reason: 'ALLOW policies apply and none matches' });
  });

  it('allows everything with rules: [{}], and lets a DENY rules: [{}] win over it', () => {
    const [allowAll, denyAll] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: foo}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: foo}
spec: {action: DENY, rules: [{}]}
`);
    expect(evaluateAuthorization([allowAll], request({}), settings).verdict).toBe('allow');
    expect(evaluateAuthorization([allowAll, denyAll], request({}), settings)).toMatchObject({ verdict: 'deny', reason: 'denied by DENY policy foo/deny-all' });
  });

  it('decides nothing with AUDIT and dry-run policies', () => {
    const [audit, dryRun] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: audit, namespace: foo}
spec: {action: AUDIT, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: dry, namespace: foo, annotations: {istio.io/dry-run: "true"}}
spec: {action: DENY, rules: [{}]}
`);
    expect(evaluateAuthorization([audit, dryRun], request({}), settings).verdict).toBe('allow');
  });

  describe('the bookinfo viewer: GET from productpage\'s service account', () => {
    const [viewer] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewer, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules:
    - from: [{source: {principals: ["cluster.local/ns/bookinfo/sa/bookinfo-productpage"]}}]
      to: [{operation: {methods: ["GET"]}}]
`);

    it('allows productpage at L4, restricted at L7 to GET', () => {
      const verdict = evaluateAuthorization([viewer], request({}), settings);
      expect(verdict).toMatchObject({ verdict: 'allow', restrictions: ['only methods GET (bookinfo/reviews-viewer)'] });
      expect(verdict.reason).toBe('allowed at L4 by ALLOW policy bookinfo/reviews-viewer, further restricted above L4');
    });

    it('denies another identity, and a plaintext client (no identity)', () => {
      expect(evaluateAuthorization([viewer], request({ identity: sleep }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([viewer], request({ identity: undefined }), settings).verdict).toBe('deny');
    });

    it('on a TCP port, ignores the rule that uses an HTTP-only field, so nothing is allowed', () => {
      expect(evaluateAuthorization([viewer], request({ reading: 'tcp' }), settings).verdict).toBe('deny');
    });

    it('where the protocol is sniffed, allows only HTTP GET', () => {
      const verdict = evaluateAuthorization([viewer], request({ reading: 'detect' }), settings);
      expect(verdict.verdict).toBe('allow');
      expect(verdict.restrictions[0]).toContain('if the connection speaks HTTP: methods GET');
    });
  });

  describe('authz-tcp: DENY rules with HTTP-only fields on TCP ports', () => {
    const [denyGet, denyGetOn9000] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-get, namespace: foo}
spec:
  action: DENY
  rules: [{to: [{operation: {methods: ["GET"]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-get-9000, namespace: foo}
spec:
  action: DENY
  rules: [{to: [{operation: {methods: ["GET"], ports: ["9000"]}}]}]
`);

    it('denies every TCP connection when the rule has only HTTP fields', () => {
      expect(evaluateAuthorization([denyGet], request({ reading: 'tcp', port: 9000 }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([denyGet], request({ reading: 'tcp', port: 9001 }), settings).verdict).toBe('deny');
    });

    it('denies only the rule\'s ports when it names some', () => {
      expect(evaluateAuthorization([denyGetOn9000], request({ reading: 'tcp', port: 9000 }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([denyGetOn9000], request({ reading: 'tcp', port: 9001 }), settings).verdict).toBe('allow');
    });

    it('on an HTTP port, denies only GET requests: allowed at L4 with the denial said', () => {
      const verdict = evaluateAuthorization([denyGet], request({ reading: 'http' }), settings);
      expect(verdict).toMatchObject({ verdict: 'allow', restrictions: ['denied by foo/deny-get for methods GET'] });
    });

    it('sees the HTTP-only fields of a rule', () => {
      expect(usesHttpOnlyFields(denyGet.rules![0])).toBe(true);
    });
  });

  describe('plaintext traffic and the mTLS-only fields (ISTIO-SECURITY-2021-004)', () => {
    const [allowNotFoo, denyFoo, denyPlaintext] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-ns-not-foo, namespace: bar}
spec:
  rules: [{from: [{source: {notNamespaces: ["foo"]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-foo, namespace: bar}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: ["foo"]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-plaintext, namespace: bar}
spec:
  action: DENY
  rules: [{from: [{source: {notPrincipals: ["*"]}}]}]
`);

    it('lets a plaintext request from foo through notNamespaces, and past a DENY on namespaces', () => {
      expect(evaluateAuthorization([allowNotFoo], request({ identity: sleep }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([allowNotFoo], request({ identity: undefined }), settings).verdict).toBe('allow');
      expect(evaluateAuthorization([denyFoo], request({ identity: sleep }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([denyFoo], request({ identity: undefined }), settings).verdict).toBe('allow');
    });

    it('denies exactly the plaintext requests with notPrincipals: ["*"]', () => {
      expect(evaluateAuthorization([denyPlaintext], request({ identity: undefined }), settings).verdict).toBe('deny');
      expect(evaluateAuthorization([denyPlaintext], request({ identity: sleep }), settings).verdict).toBe('allow');
    });
  });

  describe('addresses, ports and conditions (NCA istio-test1-policy2)', () => {
    const [testAllow] = policies(`apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: test-allow, namespace: default}
spec:
  action: ALLOW
  selector: {matchLabels: {app: skydive}}
  rules:
  - from:
    - source: {notNamespaces: ["vendor-system"]}
    - source: {ipBlocks: ["1.2.3.0/24", "2.2.2.2", "3.3.3.3"], notIpBlocks: ["3.3.3.3"]}
    to:
    - operation: {ports: ["26257", "30", "40", "50"], notPorts: ["40"]}
    when:
    - key: destination.port
      notValues: ["26257"]
`);
    const kubeSystem: MeshIdentity = { namespace: 'kube-system', serviceAccount: 'default', principal: 'cluster.local/ns/kube-system/sa/default' };
    const vendor: MeshIdentity = { namespace: 'vendor-system', serviceAccount: 'default', principal: 'cluster.local/ns/vendor-system/sa/default' };

    it.each([
      ['kube-system on 30', { identity: kubeSystem, port: 30 }, 'allow'],
      ['kube-system on 40 (notPorts)', { identity: kubeSystem, port: 40 }, 'deny'],
      ['kube-system on 26257 (the condition)', { identity: kubeSystem, port: 26257 }, 'deny'],
      ['vendor-system (pod address 10.1.0.5) on 30', { identity: vendor, sourceAddress: address('10.1.0.5'), port: 30 }, 'deny'],
      ['1.2.3.4 (no identity) on 50', { identity: undefined, sourceAddress: address('1.2.3.4'), port: 50 }, 'allow'],
      ['3.3.3.3 on 50 (notIpBlocks), plaintext so notNamespaces matches', { identity: undefined, sourceAddress: address('3.3.3.3'), port: 50 }, 'allow'],
      ['vendor-system from 3.3.3.3 on 50', { identity: vendor, sourceAddress: address('3.3.3.3'), port: 50 }, 'deny'],
    ] as const)('%s: %s', (_, overrides, expected) => {
      expect(evaluateAuthorization([testAllow], request({ ...overrides, reading: 'tcp' }), settings).verdict).toBe(expected);
    });

    it('says what it cannot know: the address of a source the manifests do not give', () => {
      const verdict = evaluateAuthorization([testAllow], request({ identity: vendor, port: 50, reading: 'tcp' }), settings);
      expect(verdict.verdict).toBe('unknown');
      expect(verdict.unknowns).toEqual(['ALLOW policy default/test-allow depends on the source address']);
    });
  });

  it('says a CUSTOM policy decides through its provider, not modelled', () => {
    const [custom] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istio-ingressgateway}}
  action: CUSTOM
  provider: {name: my-custom-authz}
  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
`);
    const verdict = evaluateAuthorization([custom], request({}), settings);
    expect(verdict.verdict).toBe('allow');
    expect(verdict.restrictions).toEqual(['requests matching CUSTOM policy istio-system/ext-authz are decided by its external authorizer my-custom-authz']);
  });

  it('matches a rule only when a source, an operation and every condition match', () => {
    const [policy] = policies(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: two-sources, namespace: foo}
spec:
  rules:
    - from: [{source: {namespaces: ["dev"]}}, {source: {principals: ["cluster.local/ns/foo/sa/sleep"]}}]
      when: [{key: source.namespace, values: ["foo"]}, {key: destination.port, values: ["8000"]}]
`);
    const rule = policy.rules![0];
    expect(matchRule(rule, 'ALLOW', request({ identity: sleep, port: 8000, reading: 'tcp' }), settings).matches).toBe('yes');
    expect(matchRule(rule, 'ALLOW', request({ identity: sleep, port: 8001, reading: 'tcp' }), settings).matches).toBe('no');
    expect(matchRule(rule, 'ALLOW', request({ identity: productpage, port: 8000, reading: 'tcp' }), settings).matches).toBe('no');
  });
});

describe('resolveMtls (PeerAuthentication: workload, then namespace, then mesh; UNSET inherits; port level)', () => {
  const { graph } = analyzeTexts([{ path: 'pa.yaml', text: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: legacy}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: finance, namespace: legacy}
spec:
  selector: {matchLabels: {app: finance}}
  mtls: {mode: UNSET}
  portLevelMtls: {"8080": {mode: DISABLE}, "9090": {mode: UNSET}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: older, namespace: shop, creationTimestamp: "2023-01-01T00:00:00Z"}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: newer, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec: {mtls: {mode: STRICT}}
` }]);
  const all = graph.istio.peerAuthentications;

  it.each([
    ['a namespace without policy inherits the mesh-wide STRICT', 'bookinfo', {}, 9080, 'STRICT', 'istio-system/default'],
    ['a namespace-wide PERMISSIVE wins over the mesh', 'legacy', { app: 'web' }, 80, 'PERMISSIVE', 'legacy/default'],
    ['a workload UNSET inherits the namespace', 'legacy', { app: 'finance' }, 80, 'PERMISSIVE', 'legacy/default'],
    ['its port-level DISABLE wins for that container port', 'legacy', { app: 'finance' }, 8080, 'DISABLE', 'legacy/finance'],
    ['its port-level UNSET inherits', 'legacy', { app: 'finance' }, 9090, 'PERMISSIVE', 'legacy/default'],
    ['of two namespace-wide policies the oldest wins', 'shop', {}, 80, 'DISABLE', 'shop/older'],
  ])('%s', (_, namespace, labels, port, mode, decidedBy) => {
    const effective = resolveMtls(namespace, labels, port, all, settings);
    expect(effective.mode).toBe(mode);
    expect(`${effective.decidedBy?.namespace}/${effective.decidedBy?.name}`).toBe(decidedBy);
  });

  it('is PERMISSIVE without any policy, and names the ignored newer policy', () => {
    expect(resolveMtls('shop', {}, 80, [], settings)).toEqual({ mode: 'PERMISSIVE', ignored: [] });
    expect(resolveMtls('shop', {}, 80, all, settings).ignored.map((policy) => policy.name)).toEqual(['newer']);
  });
});

describe('resolveClientTls and expandHost (DestinationRule TLS, short names)', () => {
  it('expands short names in the object\'s namespace and keeps FQDNs', () => {
    expect(expandHost('reviews', 'bookinfo', 'cluster.local')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(expandHost('reviews.bookinfo.svc.cluster.local', 'other', 'cluster.local')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(expandHost('*', 'bookinfo', 'cluster.local')).toBe('*');
  });

  it('takes the client namespace\'s rule first, then the host\'s, then the root\'s; port settings win', () => {
    const { graph } = analyzeTexts([{ path: 'dr.yaml', text: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings: [{port: {number: 9443}, tls: {mode: SIMPLE}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-plain, namespace: legacy}
spec:
  host: reviews.bookinfo.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
` }]);
    const rules = graph.istio.destinationRules;
    const host = 'reviews.bookinfo.svc.cluster.local';
    expect(resolveClientTls(host, 'bookinfo', 9080, 'bookinfo', rules, settings)).toMatchObject({ mode: 'ISTIO_MUTUAL' });
    expect(resolveClientTls(host, 'bookinfo', 9443, 'bookinfo', rules, settings)).toMatchObject({ mode: 'SIMPLE' });
    expect(resolveClientTls(host, 'bookinfo', 9080, 'legacy', rules, settings)).toMatchObject({ mode: 'DISABLE' });
    expect(resolveClientTls('ratings.bookinfo.svc.cluster.local', 'bookinfo', 9080, 'legacy', rules, settings)).toEqual({ mode: 'auto' });
  });
});
