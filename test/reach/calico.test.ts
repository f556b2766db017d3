/**
 * Calico's policies through the one evaluator (src/reach/policies/calico.ts): tiers in order,
 * first match within a tier by policy order then name, Pass to the next tier, the tiers'
 * defaultAction, Kubernetes NetworkPolicies in the default tier at order 1000, the profiles'
 * allow at the end, and every rule field the common form holds; what it does not hold is said.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { calicoUnmodelledCaveats } from '../../src/reach/calico-caveats.js';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: payments}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api, tier: back}}
spec: {serviceAccountName: api, containers: [{name: api, image: api, ports: [{name: http, containerPort: 9000}]}]}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db, tier: back}}
spec: {containers: [{name: db, image: db}]}
status: {podIP: 10.0.1.3}
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: ops, labels: {app: probe}}
spec: {containers: [{name: probe, image: probe}]}
status: {podIP: 10.0.2.1}
`;

function solverOf(policies: string): ReachabilitySolver {
  const analysis = analyzeTexts([{ path: 'pods.yaml', text: PODS }, { path: 'policies.yaml', text: policies }]);
  expect(analysis.inputFindings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
  return new ReachabilitySolver(analysis.graph);
}

function between(solver: ReachabilitySolver, source: string, destination: string): string {
  const pod = (name: string) => solver.graph.pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === name)!;
  const allowed = solver.podToPod(pod(source), pod(destination));
  return allowed.isEmpty() ? 'nothing' : allowed.describe();
}

describe('Calico tiers, order and actions', () => {
  const tiers = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.quarantine}
spec:
  tier: security
  order: 10
  selector: app == 'db'
  types: [Ingress]
  ingress:
    - action: Deny
      source: {selector: app == 'web'}
    - action: Pass
      protocol: TCP
`;

  it('denies in an earlier tier, passes TCP on to the next, and denies the rest at the end of the tier (defaultAction Deny)', () => {
    const solver = solverOf(tiers);
    expect(between(solver, 'shop/web', 'shop/db')).toBe('nothing');
    // Passed on: no later tier applies to db, so its profile (kns.shop: allow) decides.
    expect(between(solver, 'shop/api', 'shop/db')).toBe('TCP 1-65535');
    expect(between(solver, 'shop/db', 'shop/api')).toBe('all ports and protocols');
  });

  it('lets a tier with defaultAction Pass hand what it leaves to the next tier', () => {
    const solver = solverOf(tiers.replace('spec: {order: 100}', 'spec: {order: 100, defaultAction: Pass}'));
    expect(between(solver, 'shop/api', 'shop/db')).toBe('all ports and protocols');
  });

  it('orders the policies of a tier by order, then by namespace/name when the orders tie', () => {
    const policies = (denyOrder: string, allowOrder: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: b-deny, namespace: shop}
spec:
  ${denyOrder}
  selector: app == 'api'
  ingress: [{action: Deny, source: {selector: app == 'web'}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: a-allow, namespace: shop}
spec:
  ${allowOrder}
  selector: app == 'api'
  ingress: [{action: Allow}]
`;
    expect(between(solverOf(policies('order: 10', 'order: 20')), 'shop/web', 'shop/api')).toBe('nothing');
    expect(between(solverOf(policies('order: 20', 'order: 10')), 'shop/web', 'shop/api')).toBe('all ports and protocols');
    // Same order: a-allow sorts before b-deny.
    expect(between(solverOf(policies('order: 10', 'order: 10')), 'shop/web', 'shop/api')).toBe('all ports and protocols');
    // No order is +Inf: after every ordered policy.
    expect(between(solverOf(policies('order: 10', '')), 'shop/web', 'shop/api')).toBe('nothing');
  });

  it('places Kubernetes NetworkPolicies in the default tier at order 1000, between Calico policies', () => {
    const policies = (order: number, action: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: probes}
spec:
  order: ${order}
  selector: app == 'api'
  ingress: [{action: ${action}, source: {selector: app == 'probe', namespaceSelector: all()}}, {action: Deny, source: {selector: app == 'web'}}]
`;
    // A Calico Allow after the Kubernetes policy still allows: the Kubernetes policy not matching does not deny by itself.
    expect(between(solverOf(policies(2000, 'Allow')), 'ops/probe', 'shop/api')).toBe('all ports and protocols');
    // Its Deny comes after the Kubernetes policy allowed web.
    expect(between(solverOf(policies(2000, 'Allow')), 'shop/web', 'shop/api')).toBe('all ports and protocols');
    // Before it (order 500), the Calico Deny wins.
    expect(between(solverOf(policies(500, 'Allow')), 'shop/web', 'shop/api')).toBe('nothing');
    expect(between(solverOf(policies(500, 'Log')), 'ops/probe', 'shop/api')).toBe('nothing');
  });

  it('isolates only the directions of the policy\'s types, and leaves doNotTrack policies to host endpoints', () => {
    const egressOnly = solverOf(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: lock, namespace: shop}
spec:
  selector: app == 'web'
  types: [Egress]
`);
    expect(between(egressOnly, 'shop/web', 'shop/api')).toBe('nothing');
    expect(between(egressOnly, 'shop/api', 'shop/web')).toBe('all ports and protocols');
    const untracked = solverOf(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: raw}
spec:
  doNotTrack: true
  applyOnForward: true
  selector: all()
  types: [Ingress]
`);
    expect(between(untracked, 'shop/web', 'shop/api')).toBe('all ports and protocols');
  });
});

describe('Calico rule fields', () => {
  const one = (rule: string, selector = "app == 'api'") => solverOf(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: rule, namespace: shop}
spec:
  selector: ${selector}
  types: [Ingress]
  ingress:
${rule}
`);

  it('reads protocols by name and number, notProtocol, ICMP type and code, ports, ranges, notPorts and named ports', () => {
    expect(between(one('    - {action: Allow, notProtocol: UDPLite}'), 'shop/web', 'shop/api'))
      .toBe(ConnectionSet.ALL.subtract(ConnectionSet.ofProtocolNumber(136)).describe());
    expect(between(one('    - {action: Allow, protocol: 47}'), 'shop/web', 'shop/api')).toBe('GRE');
    expect(between(one('    - {action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}'), 'shop/web', 'shop/api')).toBe('ICMP 8/0');
    expect(between(one('    - {action: Allow, protocol: TCP, destination: {ports: [80, "8000:8100"], notPorts: [8050]}}'), 'shop/web', 'shop/api'))
      .toBe('TCP 80,8000-8049,8051-8100');
    expect(between(one('    - {action: Allow, protocol: TCP, destination: {ports: [80, http]}}'), 'shop/web', 'shop/api')).toBe('TCP 80,9000');
    // Named ports with notPorts are not evaluated: the rule is left out (and said).
    expect(between(one('    - {action: Allow, protocol: TCP, destination: {ports: [http], notPorts: [9000]}}'), 'shop/web', 'shop/api')).toBe('nothing');
  });

  it('matches peers by selector, notSelector, namespaceSelector, service accounts and nets on pod addresses', () => {
    expect(between(one("    - {action: Allow, source: {selector: app == 'web'}}"), 'ops/probe', 'shop/api')).toBe('nothing');
    expect(between(one("    - {action: Allow, source: {notSelector: app == 'web'}}"), 'shop/db', 'shop/api')).toBe('all ports and protocols');
    // A lone notSelector in a namespaced policy keeps to the policy's namespace.
    expect(between(one("    - {action: Allow, source: {notSelector: app == 'web'}}"), 'ops/probe', 'shop/api')).toBe('nothing');
    expect(between(one('    - {action: Allow, source: {namespaceSelector: all()}}'), 'ops/probe', 'shop/api')).toBe('all ports and protocols');
    expect(between(one("    - {action: Allow, source: {serviceAccounts: {names: [api]}}}", "app == 'db'"), 'shop/api', 'shop/db')).toBe('all ports and protocols');
    expect(between(one("    - {action: Allow, source: {serviceAccounts: {names: [api]}}}", "app == 'db'"), 'shop/web', 'shop/db')).toBe('nothing');
    const nets = one('    - {action: Allow, source: {nets: [10.0.2.0/24]}}');
    expect(between(nets, 'ops/probe', 'shop/api')).toBe('all ports and protocols');
    expect(between(nets, 'shop/web', 'shop/api')).toBe('nothing');
    expect(nets.addressToPod('10.0.2.200', nets.graph.pods.find((pod) => pod.name === 'api')!).isAll()).toBe(true);
    expect(nets.addressToPod('192.0.2.1', nets.graph.pods.find((pod) => pod.name === 'api')!).isEmpty()).toBe(true);
  });

  it('matches the addresses of the network sets a selector names', () => {
    const solver = solverOf(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {partner: 'true'}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: partners-only}
spec:
  selector: app == 'api'
  types: [Egress]
  egress: [{action: Allow, destination: {selector: partner == 'true'}}]
`);
    const api = solver.graph.pods.find((pod) => pod.name === 'api')!;
    expect(solver.podToAddress(api, '198.51.100.7').isAll()).toBe(true);
    expect(solver.podToAddress(api, '198.51.101.7').isEmpty()).toBe(true);
  });

  it('applies a rule whose destination selector picks some of the policy\'s pods to those pods only', () => {
    const solver = one("    - {action: Deny, destination: {selector: tier == 'back'}}\n    - {action: Allow}", 'all()');
    expect(between(solver, 'ops/probe', 'shop/api')).toBe('nothing');
    expect(between(solver, 'ops/probe', 'shop/web')).toBe('all ports and protocols');
  });

  it('evaluates source ports exactly, whatever the action: a Deny of low source ports leaves the others to the rules after it', () => {
    const deny = one("    - {action: Deny, protocol: UDP, source: {ports: ['1:1023'], notPorts: [53]}}\n    - {action: Allow, protocol: UDP}");
    const web = deny.classOf(deny.graph.pods.find((pod) => pod.name === 'web')!);
    const api = deny.classOf(deny.graph.pods.find((pod) => pod.name === 'api')!);
    const allowed = deny.classToClass(web, api);
    expect(allowed.sourcePortsOf('UDP', 53)).toEqual([[53, 53], [1024, 65535]]);
    expect(allowed.contains('TCP', 80)).toBe(false);
    expect(allowed.describe()).toBe('UDP 1-65535 from source ports 53,1024-65535');
    expect(calicoUnmodelledCaveats(deny.graph, deny.graph.pods.filter((pod) => pod.name === 'api'), 'the destination')).toEqual([]);
    // An Allow of high source ports: the low ones fall to the tier's default (deny).
    const allow = one("    - {action: Allow, protocol: UDP, source: {ports: ['1024:65535']}, destination: {ports: [53]}}");
    expect(allow.classToClass(web, api).describe()).toBe('UDP 53 from source ports 1024-65535');
  });

  it('names HTTP as a restriction of an Allow rule, and leaves out (and says) a rule with named source ports', () => {
    const allow = one("    - {action: Allow, protocol: TCP, http: {methods: [GET]}}");
    const web = allow.classOf(allow.graph.pods.find((pod) => pod.name === 'web')!);
    const api = allow.classOf(allow.graph.pods.find((pod) => pod.name === 'api')!);
    const verdict = allow.explain(web, api);
    expect(verdict.allowed.describe()).toBe('TCP 1-65535');
    expect(verdict.ingress.restrictions.map((restriction) => `${restriction.layer}: ${restriction.description}`)).toEqual(['L7: HTTP GET']);
    const deny = one("    - {action: Deny, protocol: UDP, source: {ports: [client]}}\n    - {action: Allow}");
    expect(between(deny, 'shop/web', 'shop/api')).toBe('all ports and protocols');
    expect(calicoUnmodelledCaveats(deny.graph, deny.graph.pods.filter((pod) => pod.name === 'api'), 'the destination')).toEqual([
      'Calico NetworkPolicy shop/rule rule ingress[0] (Deny), which applies to the destination, has named source ports client, which k8snet does not evaluate: '
        + 'this answer leaves the rule out, and Calico would deny what it matches.',
    ]);
  });
});

describe('Calico profiles of the input', () => {
  // An exported Profile for namespace shop (kns.shop): only TCP 8080 in, nothing out; ops keeps
  // the profile Calico makes (allow all). Profiles come after every tier; no match in any denies.
  const profiles = `apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: kns.shop}
spec:
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: pass-all}
spec:
  selector: app == 'db'
  ingress: [{action: Pass}]
  egress: [{action: Pass}]
`;

  it('evaluates the pods\' profiles after the tiers, in order, denying what none allows', () => {
    const solver = solverOf(profiles);
    // shop pods: ingress only TCP 8080 (kns.shop), egress nothing (kns.shop has no egress rule, ksa.shop.* none).
    expect(between(solver, 'ops/probe', 'shop/web')).toBe('TCP 8080');
    expect(between(solver, 'shop/web', 'ops/probe')).toBe('nothing');
    // A Pass reaches the profiles too.
    expect(between(solver, 'ops/probe', 'shop/db')).toBe('TCP 8080');
    // ops pods have no profile of the input: Calico's kns.ops allows everything.
    expect(between(solver, 'ops/probe', 'ops/probe')).toBe('all ports and protocols');
  });

  it('cites the profile rule that allowed', () => {
    const solver = solverOf(profiles);
    const probe = solver.classOf(solver.graph.pods.find((pod) => pod.name === 'probe')!);
    const web = solver.classOf(solver.graph.pods.find((pod) => pod.name === 'web')!);
    const verdict = solver.explain(probe, web);
    expect(verdict.ingress.decisions.map((decision) => `${decision.rule.source.kind} ${decision.rule.source.policyLabel} ${decision.rule.source.ruleLabel}`))
      .toEqual(['Calico Profile kns.shop ingress[0]']);
  });
});

describe.each([20, 34])('a policy of %i peers with a rule each, beyond the signatures held as bits', (PEERS) => {
  // Each peer denied on its own port by a rule of its own (then two more rules): the evaluator
  // remembers answers by which rules match a peer, numbered past 16 rules.
  const pods = Array.from({ length: PEERS }, (_, index) => `apiVersion: v1
kind: Pod
metadata: {name: c${index}, namespace: shop, labels: {app: c${index}, group: ${index % 2 === 0 ? 'even' : 'odd'}}}
spec: {containers: [{name: c, image: c}]}
`);
  const rules = Array.from({ length: PEERS }, (_, index) => `    - {action: Deny, protocol: TCP, source: {selector: app == 'c${index}'}, destination: {ports: [${1000 + index}]}}`);
  const text = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{name: http, containerPort: 9000}]}]}
---
${pods.join('---\n')}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: many, namespace: shop}
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
${rules.join('\n')}
    - {action: Deny, protocol: TCP, source: {selector: group == 'odd'}, destination: {ports: [http]}}
    - {action: Allow}
`;

  it('answers each peer by its own rules, named ports included', () => {
    const analysis = analyzeTexts([{ path: 'all.yaml', text }]);
    const solver = new ReachabilitySolver(analysis.graph);
    const api = solver.classOf(analysis.graph.pods.find((pod) => pod.name === 'api')!);
    for (let index = 0; index < PEERS; index++) {
      const peer = solver.classOf(analysis.graph.pods.find((pod) => pod.name === `c${index}`)!);
      const allowed = solver.classToClass(peer, api);
      for (let other = 0; other < PEERS; other++) expect(`c${index} ${1000 + other}: ${allowed.contains('TCP', 1000 + other)}`).toBe(`c${index} ${1000 + other}: ${other !== index}`);
      expect(`c${index} 9000: ${allowed.contains('TCP', 9000)}`).toBe(`c${index} 9000: ${index % 2 === 0}`);
      expect(allowed.contains('UDP', 1000 + index)).toBe(true);
    }
  });
});

describe('answers remembered by peer signature', () => {
  it('resolve a named port on each destination: two pods of one plan whose http ports differ', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop, labels: {app: a, role: server}}
spec: {containers: [{name: a, image: a, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: shop, labels: {app: b, role: server}}
spec: {containers: [{name: b, image: b, ports: [{name: http, containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: shop, labels: {app: other}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: servers, namespace: shop}
spec:
  selector: role == 'server'
  types: [Ingress]
  ingress:
    - {action: Deny, protocol: TCP, source: {selector: app == 'other'}}
    - {action: Allow, protocol: TCP, destination: {ports: [http]}}
`;
    const analysis = analyzeTexts([{ path: 'all.yaml', text }]);
    const solver = new ReachabilitySolver(analysis.graph);
    const classOf = (name: string) => solver.classOf(analysis.graph.pods.find((pod) => pod.name === name)!);
    // Asked in an order where a memo keyed by the peer's signature alone would answer b with a's port.
    for (const [source, destination, expected] of [['client', 'a', 'TCP 8080'], ['client', 'b', 'TCP 9090'], ['other', 'a', 'nothing'], ['other', 'b', 'nothing'], ['client', 'a', 'TCP 8080']] as const) {
      const allowed = solver.classToClass(classOf(source), classOf(destination));
      expect(`${source} -> ${destination}: ${allowed.isEmpty() ? 'nothing' : allowed.describe()}`).toBe(`${source} -> ${destination}: ${expected}`);
    }
  });
});

describe('addresses of pods the manifests give none for: the IPPools say where they lie', () => {
  const pods = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{containerPort: 9000}]}]}
`;
  const pool = (cidr: string) => `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool}\nspec: {cidr: ${cidr}}\n`;
  const apiIngress = (rule: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: api-ingress}
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
${rule}
`;
  const webToApi = (...texts: string[]) => {
    const analysis = analyzeTexts([{ path: 'pods.yaml', text: pods }, ...texts.map((text, index) => ({ path: `p${index}.yaml`, text }))]);
    expect(analysis.inputFindings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
    const solver = new ReachabilitySolver(analysis.graph);
    const pod = (name: string) => solver.graph.pods.find((candidate) => candidate.name === name)!;
    const verdict = solver.explain(solver.classOf(pod('web')), solver.classOf(pod('api')));
    return { allowed: verdict.allowed.isEmpty() ? 'nothing' : verdict.allowed.describe(), caveats: verdict.caveats.join('\n') };
  };

  it('nets holding every pool match the pod; nets outside every pool do not; partly, it is said', () => {
    const allowPods = apiIngress('    - {action: Allow, source: {nets: [100.64.0.0/10]}}');
    expect(webToApi(pool('100.64.0.0/16'), allowPods)).toEqual({ allowed: 'all ports and protocols', caveats: '' });
    expect(webToApi(pool('10.244.0.0/16'), allowPods)).toEqual({ allowed: 'nothing', caveats: '' });
    const partly = webToApi(pool('100.0.0.0/8'), allowPods);
    expect(partly.allowed).toBe('nothing');
    expect(partly.caveats).toContain('matches pod IPs, and the manifests do not give the source pod\'s');
  });

  it('without IPPools, the pools of the Tigera operator\'s Installation say where pod IPs lie; neither is an unknown kind', () => {
    const installation = 'apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\nspec:\n  calicoNetwork:\n    ipPools: [{cidr: 100.64.0.0/16}]\n';
    expect(webToApi(installation, apiIngress('    - {action: Allow, source: {nets: [100.64.0.0/10]}}'))).toEqual({ allowed: 'all ports and protocols', caveats: '' });
    const analysis = analyzeTexts([{ path: 'facts.yaml', text: `${installation}---\n${pool('10.244.0.0/16')}` }]);
    expect(analysis.inputFindings.map((finding) => finding.ruleId)).not.toContain('input-unknown-kind');
  });

  it('notNets holding every pool exclude the pod', () => {
    const notPods = apiIngress('    - {action: Allow, source: {selector: all(), notNets: [10.244.0.0/16]}}');
    expect(webToApi(pool('10.244.0.0/16'), notPods).allowed).toBe('nothing');
    expect(webToApi(pool('100.64.0.0/16'), notPods).allowed).toBe('all ports and protocols');
  });

  it('a NetworkPolicy ipBlock matches pod IPs under Calico: an except holding the pool leaves them out', () => {
    // A Calico policy of other pods: the answers are Calico's (its tiers, NetworkPolicies in the default tier).
    const calicoPresent = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: batch-egress}
spec:
  selector: app == 'batch'
  types: [Egress]
  egress: [{action: Allow}]
`;
    const fromOutside = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-outside, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]
`;
    expect(webToApi(pool('10.244.0.0/16'), calicoPresent, fromOutside)).toEqual({ allowed: 'nothing', caveats: '' });
    expect(webToApi(pool('100.64.0.0/16'), calicoPresent, fromOutside)).toEqual({ allowed: 'all ports and protocols', caveats: '' });
  });
});
