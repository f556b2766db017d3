import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import type { Finding } from '../../src/finding.js';
import { printCalicoSelector } from '../../src/model/calico-selector.js';

function analyze(text: string, path = 'calico.yaml') {
  return analyzeTexts([{ path, text }]);
}

/** `line:column ruleId severity: message` of every finding but the pending-evaluation notes. */
function findingsOf(text: string, path = 'calico.yaml'): string[] {
  return analyze(text, path).inputFindings.map((finding: Finding) => `${finding.location?.line}:${finding.location?.column} ${finding.ruleId} ${finding.severity}: ${finding.message}`);
}

const POLICY_HEAD = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: p
spec:
`;

describe('Calico objects in the graph', () => {
  const text = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 300
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.deny-egress
spec:
  tier: security
  order: 10
  selector: all()
  namespaceSelector: projectcalico.org/name != 'kube-system'
  egress:
    - action: Deny
      protocol: TCP
      destination:
        selector: role == 'blocked'
        ports: [443, "8000:8080", https]
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  selector: app == 'web'
  ingress:
    - action: Allow
      protocol: 6
      icmp: null
      source:
        serviceAccounts:
          names: [frontend]
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: partners
  namespace: shop
  labels:
    role: partner
spec:
  nets: [198.51.100.0/24, 203.0.113.7]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: blocked
  labels:
    role: blocked
spec:
  nets: ["2001:db8::/32"]
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node-1-eth0
  labels:
    role: ingress-node
spec:
  node: node-1
  interfaceName: eth0
  expectedIPs: [10.0.0.1]
  profiles: [projectcalico-default-allow]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  stagedAction: Set
  types: [Ingress]
`;

  it('reads every kind with Calico\'s defaults and reports nothing', () => {
    const analysis = analyze(text);
    expect(analysis.inputFindings).toEqual([]);
    const calico = analysis.graph.calico;
    // A Calico NetworkPolicy is not a Kubernetes NetworkPolicy.
    expect(analysis.graph.policies).toEqual([]);
    expect(calico.policies.map((policy) => `${policy.kind} ${policy.namespace ?? ''}/${policy.name} ${policy.tier} ${policy.order}`)).toEqual([
      'NetworkPolicy shop/allow-web default undefined',
      'GlobalNetworkPolicy /security.deny-egress security 10',
    ].sort((a, b) => (a.split(' ')[1] < b.split(' ')[1] ? -1 : 1)));
    const [gnp] = calico.policies.filter((policy) => policy.kind === 'GlobalNetworkPolicy');
    // types default from the rules present: only egress rules, so Egress.
    expect(gnp.types).toEqual({ ingress: false, egress: true, stated: false });
    expect(gnp.egress[0].destination.ports).toEqual([
      { from: 443, to: 443, path: ['spec', 'egress', 0, 'destination', 'ports', 0] },
      { from: 8000, to: 8080, path: ['spec', 'egress', 0, 'destination', 'ports', 1] },
      { name: 'https', path: ['spec', 'egress', 0, 'destination', 'ports', 2] },
    ]);
    expect(gnp.egress[0].protocol).toMatchObject({ number: 6, text: 'TCP' });
    expect(gnp.egress[1].action).toBe('Pass');
    const [np] = calico.policies.filter((policy) => policy.kind === 'NetworkPolicy');
    expect(np.types).toEqual({ ingress: true, egress: false, stated: false });
    expect(np.ingress[0].protocol).toMatchObject({ number: 6, text: '6' });
    expect(np.ingress[0].source.serviceAccounts?.names).toEqual(['frontend']);
    expect(printCalicoSelector(np.selector!.root)).toBe('app == "web"');
    // Built-in tiers join the declared one, sorted by order.
    expect(calico.tiers.map((tier) => `${tier.name}:${tier.order}:${tier.defaultAction}:${tier.builtIn}`)).toEqual([
      'security:300:Pass:false', 'kube-admin:1000:Pass:true', 'default:1000000:Deny:true', 'kube-baseline:10000000:Pass:true',
    ]);
    expect(calico.networkSets.map((set) => `${set.kind} ${set.nets.map((net) => net.cidr.text).join(',')}`)).toEqual([
      'GlobalNetworkSet 2001:db8::/32', 'NetworkSet 198.51.100.0/24,203.0.113.7/32',
    ]);
    expect(calico.hostEndpoints[0]).toMatchObject({ name: 'node-1-eth0', node: 'node-1', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'], profiles: ['projectcalico-default-allow'] });
    expect(calico.stagedPolicies.map((policy) => `${policy.kind} ${policy.stagedAction}`)).toEqual(['StagedNetworkPolicy Set']);
    // Calico objects are not "unknown kinds".
    expect(analysis.graph.otherObjects.filter((object) => object.apiVersion.startsWith('projectcalico.org'))).toEqual([]);
  });

  it('reads the crd.projectcalico.org form: the default tier prefix, the stored metadata and types as Felix reads them', () => {
    const analysis = analyze(`apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata:
  name: default.allow-web
  namespace: shop
spec:
  tier: default
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkSet
metadata:
  name: partners
  annotations:
    projectcalico.org/metadata: '{"creationTimestamp":null,"labels":{"role":"partner"}}'
spec:
  nets: [198.51.100.0/24]
---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata:
  name: default.written-by-hand
spec:
  selector: all()
  ingress:
    - action: Deny
`);
    const [policy, handWritten] = ['allow-web', 'written-by-hand'].map((name) => analysis.graph.calico.policies.find((candidate) => candidate.policyName === name)!);
    expect(policy).toMatchObject({ apiGroup: 'crd.projectcalico.org', name: 'default.allow-web', policyName: 'allow-web', tier: 'default' });
    expect(analysis.graph.calico.networkSets[0].labels).toEqual({ role: 'partner' });
    // Without types Felix applies a stored policy to both directions.
    expect(handWritten.types).toEqual({ ingress: true, egress: true, stated: false });
    expect(analysis.inputFindings.map((finding) => `${finding.severity} ${finding.message}`)).toEqual([
      expect.stringMatching(/^warning GlobalNetworkPolicy default.written-by-hand: spec.types is not set on this crd.projectcalico.org object: .*both ingress and egress/),
    ]);
  });
});

describe('Calico validation: findings at the field, the object left out', () => {
  it('points at the column inside a selector, however it is quoted', () => {
    const cases: [string, string, string][] = [
      ["  selector: app == 'web' && tier = 'front'\n", '6:34', "expected '=='"],
      ["  selector: \"app == 'web' && tier = 'front'\"\n", '6:35', "expected '=='"],
      ["  selector: 'app == ''web'' && tier = ''front'''\n", '6:37', "expected '=='"],
    ];
    for (const [line, position, message] of cases) {
      const findings = findingsOf(`${POLICY_HEAD}${line}`);
      expect(findings).toEqual([expect.stringContaining(`${position} calico-selector-invalid error`)]);
      expect(findings[0]).toContain(message);
      expect(analyze(`${POLICY_HEAD}${line}`).graph.calico.policies).toEqual([]);
    }
    // A block scalar keeps its line breaks, which Calico refuses; the finding points at the field.
    expect(findingsOf(`${POLICY_HEAD}  selector: |\n    app == 'a' &&\n    tier == 'b'\n`)).toEqual([
      expect.stringMatching(/^6:3 calico-selector-invalid error: .*spec.selector "app == 'a' &&\\ntier == 'b'\\n" does not parse at column 14 of the selector: unexpected characters: a line break/),
    ]);
    // JSON: the value after the key and colon.
    const json = JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'p' }, spec: { selector: "has(a) && b in {'x'" } }, null, 2);
    expect(findingsOf(json, 'policy.json')).toEqual([expect.stringMatching(/^8:37 calico-selector-invalid error: .*column 20 of the selector: expected '}' or a quoted string in the set, found end of selector/)]);
  });

  it.each([
    ['ports without a protocol that has them', `  ingress:\n    - action: Allow\n      protocol: ICMP\n      destination:\n        ports: [80]\n`, /destination.ports needs protocol TCP, UDP or SCTP on the rule, not ICMP/],
    ['icmp without protocol ICMP', `  ingress:\n    - action: Allow\n      protocol: TCP\n      icmp: {type: 8}\n`, /icmp needs protocol ICMP or ICMPv6 on the rule, not TCP/],
    ['an ICMP code without a type', `  ingress:\n    - action: Allow\n      protocol: ICMP\n      icmp: {code: 0}\n`, /an ICMP code needs an ICMP type/],
    ['ipVersion 6 with ICMP', `  ingress:\n    - action: Allow\n      protocol: ICMP\n      ipVersion: 6\n`, /ipVersion must be 4 with protocol ICMP/],
    ['a protocol name in lower case', `  ingress:\n    - action: Allow\n      protocol: udp\n`, /names are case-sensitive: write UDP/],
    ['a protocol number out of range', `  ingress:\n    - action: Allow\n      protocol: "300"\n`, /protocol number 300 must be from 1 to 255/],
    ['IPv4 and IPv6 in one rule', `  ingress:\n    - action: Allow\n      source:\n        nets: [10.0.0.0/8]\n      destination:\n        notNets: ["fd00::/8"]\n`, /mixes IPv4 and IPv6/],
    ['a CIDR of the wrong family for ipVersion', `  ingress:\n    - action: Allow\n      ipVersion: 6\n      source:\n        nets: [10.0.0.0/8]\n`, /10.0.0.0\/8 is an IPv4 CIDR in a rule with ipVersion 6/],
    ['a malformed CIDR', `  ingress:\n    - action: Allow\n      source:\n        nets: [10.0.0.0/33]\n`, /prefix length '33'/],
    ['a port range upside down', `  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: ["90:80"]\n`, /port range 90:80 starts above its end/],
    ['port 0', `  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: ["0"]\n`, /port 0 must be from 1 to 65535/],
    ['global() in the policy selector', `  selector: global()\n`, /uses global\(\), which Calico allows only in a rule's namespaceSelector/],
    ['global() combined in a namespaceSelector', `  ingress:\n    - action: Allow\n      source:\n        namespaceSelector: global() || has(team)\n`, /combines global\(\) with other selectors/],
    ['a service with a selector', `  egress:\n    - action: Allow\n      destination:\n        services: {name: kubernetes, namespace: default}\n        selector: has(a)\n`, /services cannot be combined with selector or notSelector/],
    ['a service without a namespace in a GlobalNetworkPolicy', `  egress:\n    - action: Allow\n      destination:\n        services: {name: kube-dns}\n`, /services needs a namespace in a GlobalNetworkPolicy/],
    ['a service as an egress source', `  egress:\n    - action: Allow\n      source:\n        services: {name: web, namespace: shop}\n`, /services is not allowed in the source of an egress rule/],
    ['ports with a destination service', `  egress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        services: {name: web, namespace: shop}\n        ports: [80]\n`, /a destination service brings its own ports/],
    ['http in a Deny rule', `  ingress:\n    - action: Deny\n      http: {methods: [GET]}\n`, /http match criteria are only valid in Allow rules, not Deny/],
    ['http in an egress rule', `  egress:\n    - action: Allow\n      http: {methods: [GET]}\n`, /http match criteria are not allowed in egress rules/],
    ['http with UDP', `  ingress:\n    - action: Allow\n      protocol: UDP\n      http: {paths: [{exact: /x}]}\n`, /must have protocol TCP or none, not UDP/],
    ['a type listed twice', `  types: [Ingress, Ingress]\n`, /'Ingress' type specified more than once/],
    ['preDNAT with egress rules', `  preDNAT: true\n  applyOnForward: true\n  egress:\n    - action: Allow\n`, /a preDNAT policy cannot have egress rules/],
    ['doNotTrack without applyOnForward', `  doNotTrack: true\n`, /applyOnForward must be true when preDNAT or doNotTrack is true/],
    ['an unknown performance hint', `  performanceHints: [Fast]\n`, /performance hint 'Fast'/],
  ])('%s', (_name, spec, message) => {
    const findings = findingsOf(`${POLICY_HEAD}${spec}`);
    expect(findings.some((finding) => message.test(finding) && / error: /.test(finding))).toBe(true);
    expect(analyze(`${POLICY_HEAD}${spec}`).graph.calico.policies).toEqual([]);
  });

  it('refuses names that do not fit the kind and warns about a missing tier prefix', () => {
    const named = (kind: string, name: string, extra = '') => `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n${extra}  selector: all()\n`;
    expect(findingsOf(named('NetworkPolicy', 'a.b.c'))).toEqual([expect.stringMatching(/^4:3 input-invalid-value error: .*at most one '\.'/)]);
    expect(findingsOf(named('GlobalNetworkPolicy', 'Web'))).toEqual([expect.stringMatching(/name 'Web' must be lower case/)]);
    expect(findingsOf(named('NetworkPolicy', 'knp.default.web'))).toEqual([]);
    const unprefixed = analyze(named('NetworkPolicy', 'allow', '  tier: security\n'));
    expect(unprefixed.inputFindings.map((finding) => finding.severity)).toEqual(['warning']);
    expect(unprefixed.inputFindings[0].message).toMatch(/does not start with its tier's name \('security\.'\), which Calico 3.29 and 3.30 require/);
    // A warning keeps the policy.
    expect(unprefixed.graph.calico.policies).toHaveLength(1);
  });

  it('warns where Calico does not validate: notICMP without ICMP, a port "range" with a dash', () => {
    const findings = findingsOf(`${POLICY_HEAD}  ingress:\n    - action: Allow\n      protocol: TCP\n      notICMP: {type: 8}\n      destination:\n        ports: ["8080-8090"]\n`).sort();
    expect(findings).toEqual([
      expect.stringMatching(/^11:17 input-invalid-value warning: .*'8080-8090' is read as a port name, not a range \(.*'8080:8090'\)/),
      expect.stringMatching(/^9:7 input-invalid-value warning: .*notICMP without protocol ICMP or ICMPv6/),
    ]);
  });

  it('checks network sets, host endpoints and tiers', () => {
    expect(findingsOf(`apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: s
  namespace: shop
  labels:
    projectcalico.org/namespace: other
spec:
  nets: [10.0.0.0/8, not-a-cidr]
`)).toEqual([
      expect.stringMatching(/^7:5 input-invalid-value error: NetworkSet shop\/s: projectcalico.org\/namespace is not a valid label name here/),
      expect.stringMatching(/^9:22 invalid-cidr error: NetworkSet shop\/s: 'not-a-cidr' is neither a CIDR nor an IP address/),
    ]);
    expect(findingsOf(`apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: h
spec:
  node: n1
`)).toEqual([expect.stringMatching(/needs interfaceName or expectedIPs/)]);
    const tiers = analyze(`apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: default
spec:
  order: 5
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: a.b
spec:
  order: 1
`);
    expect(tiers.inputFindings.map((finding) => `${finding.severity}: ${finding.message}`)).toEqual([
      expect.stringMatching(/^warning: Tier default: the default tier is Calico's own, with order 1000000 and defaultAction Deny/),
      expect.stringMatching(/^error: Tier a.b: tier name 'a.b' must be lower case letters, digits and '-' \(no '.'\)/),
    ]);
    expect(tiers.graph.calico.tiers.map((tier) => `${tier.name}:${tier.order}`)).toEqual(['kube-admin:1000', 'default:1000000', 'kube-baseline:10000000']);
  });

  it('leaves out a policy whose schema is wrong, with one finding', () => {
    const analysis = analyze(`${POLICY_HEAD}  ingress:\n    - action: Accept\n`);
    expect(analysis.inputFindings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([
      expect.stringMatching(/^input-schema: GlobalNetworkPolicy p: spec.ingress\[0\].action must be one of Allow, Deny, Log, Pass.*leaves it out/),
    ]);
    expect(analysis.graph.calico.policies).toEqual([]);
  });
});
