import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { matchesCiliumSelector, podIdentity } from '../../src/model/cilium-labels.js';
import type { CiliumPolicy } from '../../src/model/cilium.js';

/** Builds the graph of one YAML text. */
function analyze(text: string) {
  return analyzeTexts([{ path: 'cilium.yaml', text }]);
}

/** The one policy a text holds, which must be read without findings. */
function policyOf(text: string): CiliumPolicy {
  const analysis = analyze(text);
  expect(analysis.inputFindings.map((finding) => finding.message)).toEqual([]);
  expect(analysis.graph.cilium.policies).toHaveLength(1);
  return analysis.graph.cilium.policies[0];
}

/** The findings of a text as `line: ruleId: message`. */
function findingsOf(text: string): string[] {
  return analyze(text).inputFindings.map((finding) => `${finding.location?.line}: ${finding.ruleId}: ${finding.message}`);
}

const CNP = (spec: string, name = 'p') => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: shop
spec:
${spec}`;

describe('loader', () => {
  it('no longer reports the Cilium kinds as unknown', () => {
    const analysis = analyze(`${CNP('  endpointSelector: {}\n  ingress: [{}]')}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: c}
spec: {endpointSelector: {}, egress: [{}]}
---
apiVersion: cilium.io/v2alpha1
kind: CiliumCIDRGroup
metadata: {name: g}
spec: {externalCIDRs: [10.0.0.0/8]}
`);
    expect(analysis.inputFindings).toEqual([]);
    expect(analysis.graph.cilium.policies.map((policy) => policy.label)).toEqual(['c', 'shop/p']);
    expect(analysis.graph.cilium.cidrGroups.map((group) => group.name)).toEqual(['g']);
    expect(analysis.graph.otherObjects).toEqual([]);
    // A CIDR group is cluster-scoped: it implies no namespace.
    expect(analysis.graph.namespaces.map((namespace) => namespace.name)).toEqual(['shop']);
  });

  it('leaves out a policy the API server rejects on its schema (an unquoted port, an unknown entity)', () => {
    expect(findingsOf(CNP('  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: 80'))).toEqual([
      '11: input-schema: CiliumNetworkPolicy shop/p: spec.ingress[0].toPorts[0].ports[0].port must be a string; quote it: "80"; the API server rejects this object, so k8snet leaves it out.',
    ]);
    expect(findingsOf(CNP('  endpointSelector: {}\n  egress:\n    - toEntities: [world-ipv4]'))[0]).toMatch(/toEntities\[0\] must be one of all, world, cluster/);
    expect(analyze(CNP('  endpointSelector: {}\n  egress:\n    - toEntities: [World]')).graph.cilium.policies).toEqual([]);
  });

  it('reads an unknown version of a Cilium kind as an unknown kind', () => {
    expect(findingsOf('apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec: {}\n')[0]).toMatch(/input-unknown-kind/);
  });
});

describe('policies and rules', () => {
  it('reads spec and each entry of specs as rules of their own, each scoped to the namespace', () => {
    const policy = policyOf(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{}]
specs:
  - endpointSelector: {}
    egress: [{}]
  - endpointSelector: {matchLabels: {app: db}}
    egressDeny: [{toEntities: [world]}]
`);
    expect(policy.rules.map((rule) => rule.path)).toEqual([['spec'], ['specs', 0], ['specs', 1]]);
    expect(policy.rules.map((rule) => rule.subject.kind === 'endpoints' && rule.subject.effective.text)).toEqual([
      'app=web,k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.kubernetes.pod.namespace=shop', 'app=db,k8s:io.kubernetes.pod.namespace=shop',
    ]);
    // Default deny follows the sections a rule has, deny sections included.
    expect(policy.rules.map((rule) => rule.defaultDeny)).toEqual([
      { ingress: true, egress: false }, { ingress: false, egress: true }, { ingress: false, egress: true },
    ]);
  });

  it('takes enableDefaultDeny as stated', () => {
    const [rule] = policyOf(CNP('  endpointSelector: {}\n  enableDefaultDeny: {egress: false}\n  egress:\n    - toEntities: [world]')).rules;
    expect(rule.defaultDeny).toEqual({ ingress: false, egress: false });
    expect(rule.defaultDenyStated).toEqual({ ingress: false, egress: true });
  });

  it('reads a rule without peers but with ports or ICMP as every peer, an empty rule as nothing, fromEndpoints: [] as nothing', () => {
    const [rule] = policyOf(CNP(`  endpointSelector: {}
  ingress:
    - {}
    - toPorts: [{ports: [{port: "80", protocol: TCP}]}]
    - icmps: [{fields: [{type: 8}]}]
    - fromEndpoints: []
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
    - fromEntities: []
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
    - fromEndpoints: [{}]`)).rules;
    expect(rule.ingress.map((peerRule) => peerRule.everyPeer)).toEqual([false, true, true, false, true, false]);
    expect(rule.ingress[3].peers.endpoints).toEqual([]);
    expect(rule.ingress[5].peers.endpoints?.[0].effective.text).toBe('k8s:io.kubernetes.pod.namespace=shop');
  });

  it('scopes peers of a cluster-wide policy to pods of every namespace unless they name a namespace or a reserved label', () => {
    const analysis = analyze(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: c}
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints: [{}, {matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system}}, {matchLabels: {"reserved:host": ""}}]
`);
    const [peerRule] = analysis.graph.cilium.policies[0].rules[0].ingress;
    expect(peerRule.peers.endpoints?.map((peer) => [peer.scope, peer.effective.text])).toEqual([
      ['every-namespace', 'k8s:io.kubernetes.pod.namespace'],
      ['named-namespace', 'k8s:io.kubernetes.pod.namespace=kube-system'],
      ['reserved', 'reserved:host='],
    ]);
    expect(analysis.graph.cilium.policies[0].rules[0].subject.kind === 'endpoints' && analysis.graph.cilium.policies[0].rules[0].subject.effective.text).toBe('<all>');
  });

  it('reads ports: numbers, names, ranges, ANY by default, octal and lower-cased names as the agent does', () => {
    const analysis = analyze(CNP(`  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - {port: "80", protocol: TCP}
            - {port: "4096", endPort: 8191, protocol: TCP}
            - {port: "53"}
            - {port: "HTTP-Alt"}
            - {port: "010", protocol: UDP}
            - {port: "9000", endPort: 8000, protocol: TCP}
            - {port: "0", protocol: SCTP}`));
    const ports = analysis.graph.cilium.policies[0].rules[0].ingress[0].toPorts[0].ports;
    expect(ports.map((port) => [port.protocol, port.port, port.endPort])).toEqual([
      ['TCP', 80, undefined], ['TCP', 4096, 8191], ['ANY', 53, undefined], ['ANY', 'http-alt', undefined], ['UDP', 8, undefined],
      ['TCP', 9000, undefined], ['SCTP', 0, undefined],
    ]);
    expect(analysis.inputFindings.map((finding) => `${finding.severity} ${finding.location?.line}: ${finding.message}`)).toEqual([
      'warning 15: CiliumNetworkPolicy shop/p: port "010" starts with 0, so Cilium reads it as octal: port 8.',
      'warning 16: CiliumNetworkPolicy shop/p: endPort 8000 is below port 9000, so only port 9000 is allowed.',
    ]);
  });

  it('reads ICMP types by number or by name of their family', () => {
    const [peerRule] = policyOf(CNP(`  endpointSelector: {}
  ingressDeny:
    - icmps:
        - fields:
            - {family: IPv4, type: 8}
            - {family: IPv6, type: EchoRequest}
            - {type: "TimeExceeded"}`)).rules[0].ingressDeny;
    expect(peerRule.icmps.map((icmp) => [icmp.family, icmp.type, icmp.name])).toEqual([[4, 8, undefined], [6, 128, 'EchoRequest'], [4, 11, 'TimeExceeded']]);
    expect(peerRule.everyPeer).toBe(true);
  });

  it('reads CIDRs, CIDR sets with except, CIDR groups, entities, services, FQDNs and L7 rules', () => {
    const policy = policyOf(CNP(`  endpointSelector: {}
  egress:
    - toCIDR: [20.1.1.1, 10.0.0.0/8]
    - toCIDRSet:
        - {cidr: 10.0.0.0/8, except: [10.96.0.0/12]}
        - {cidrGroupRef: external}
        - {cidrGroupSelector: {matchLabels: {destination: external}}, except: [1.1.1.1/32]}
    - toEntities: [kube-apiserver, remote-node]
    - toServices:
        - k8sService: {serviceName: db, namespace: data}
        - k8sServiceSelector: {selector: {matchLabels: {env: staging}}, namespace: other}
    - toFQDNs: [{matchName: API.Example.com}, {matchPattern: "*.cilium.io"}]
      toPorts:
        - ports: [{port: "443", protocol: TCP}]
          rules:
            http: [{method: GET, path: /public}, {}]`));
    const [cidrs, sets, entities, services, fqdns] = policy.rules[0].egress;
    expect(cidrs.peers.cidrs?.map((cidr) => cidr.text)).toEqual(['20.1.1.1/32', '10.0.0.0/8']);
    expect(sets.peers.cidrSets?.map((set) => [set.cidr?.text, set.cidrGroupRef, set.cidrGroupSelector?.text, set.except.map((except) => except.text)])).toEqual([
      ['10.0.0.0/8', undefined, undefined, ['10.96.0.0/12']], [undefined, 'external', undefined, []], [undefined, undefined, 'destination=external', ['1.1.1.1/32']],
    ]);
    expect(entities.peers.entities?.map((entry) => entry.entity)).toEqual(['kube-apiserver', 'remote-node']);
    expect(services.peers.services?.map((service) => [service.name, service.selector?.text, service.namespace])).toEqual([['db', undefined, 'data'], [undefined, 'env=staging', 'other']]);
    expect(fqdns.peers.fqdns?.map((fqdn) => fqdn.matchName ?? fqdn.matchPattern)).toEqual(['api.example.com.', '*.cilium.io.']);
    expect(fqdns.toPorts[0].rules).toMatchObject({ protocol: 'http', summaries: ['GET /public', 'any method any path'] });
  });
});

describe('what the API server or the agent refuses', () => {
  it.each([
    ['neither selector', '  ingress: [{}]', /spec has neither endpointSelector nor nodeSelector \(write endpointSelector: \{\} to select every pod of the namespace\); the API server rejects/],
    ['both selectors', '  endpointSelector: {}\n  nodeSelector: {}\n  ingress: [{}]', /has both endpointSelector and nodeSelector/],
    ['no section', '  endpointSelector: {}\n  description: nothing', /has none of ingress, ingressDeny, egress, egressDeny/],
    ['a nodeSelector in a CiliumNetworkPolicy', '  nodeSelector: {}\n  ingress: [{}]', /cannot have a nodeSelector; host policies are CiliumClusterwideNetworkPolicies; the Cilium agent refuses/],
    ['two kinds of peers in one rule', '  endpointSelector: {}\n  egress:\n    - toEndpoints: [{}]\n      toCIDR: [10.0.0.0/8]', /toEndpoints and toCIDR cannot be combined in one rule/],
    ['toFQDNs with another peer', '  endpointSelector: {}\n  egress:\n    - toFQDNs: [{matchName: a.com}]\n      toEntities: [world]', /toEntities and toFQDNs cannot be combined/],
    ['icmps with toPorts', '  endpointSelector: {}\n  ingress:\n    - icmps: [{fields: [{type: 8}]}]\n      toPorts: [{ports: [{port: "80"}]}]', /icmps and toPorts cannot be in the same rule/],
    ['HTTP rules without protocol TCP', '  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "80"}]\n          rules: {http: [{method: GET}]}', /L7 http rules apply to TCP only \(not ANY, the protocol when none is written\)/],
    ['DNS rules on ingress', '  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "53", protocol: UDP}]\n          rules: {dns: [{matchPattern: "*"}]}', /DNS rules are not allowed on ingress/],
    ['L7 rules in a deny rule', '  endpointSelector: {}\n  ingressDeny:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          rules: {http: [{method: GET}]}', /ingressDeny ports have no rules/],
    ['two L7 protocols', '  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          rules: {http: [{}], kafka: [{}]}', /rules has http and kafka/],
    ['empty rules', '  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          rules: {}', /rules names no L7 protocol/],
    ['L7 rules on port 0', '  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{port: "0", protocol: TCP}]\n          rules: {http: [{}]}', /L7 rules cannot be used when a port is 0/],
    ['a missing port', '  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{protocol: TCP}]', /port must be given/],
    ['a malformed CIDR', '  endpointSelector: {}\n  egress:\n    - toCIDR: [10.0.0.0/33]', /input-invalid-cidr|invalid-cidr/],
    ['an except outside its cidr', '  endpointSelector: {}\n  egress:\n    - toCIDRSet: [{cidr: 10.0.0.0/8, except: [192.168.0.0/16]}]', /except 192.168.0.0\/16 is not inside cidr 10.0.0.0\/8/],
    ['a CIDR set with two sources', '  endpointSelector: {}\n  egress:\n    - toCIDRSet: [{cidr: 10.0.0.0/8, cidrGroupRef: g}]', /has cidr and cidrGroupRef; write exactly one/],
    ['an ICMP name of the other family', '  endpointSelector: {}\n  ingress:\n    - icmps: [{fields: [{family: IPv4, type: PacketTooBig}]}]', /not an IPv4 type name \(it is an IPv6 one: set family: IPv6\)/],
    ['an FQDN with both fields', '  endpointSelector: {}\n  egress:\n    - toFQDNs: [{matchName: a.com, matchPattern: "*.a.com"}]', /need exactly one of matchName and matchPattern/],
    ['a bad selector operator', '  endpointSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}\n  ingress: [{}]', /operator 'Equals' is not one of In, NotIn, Exists, DoesNotExist/],
    ['an allow-rule field in a deny rule', '  endpointSelector: {}\n  egressDeny:\n    - toFQDNs: [{matchName: a.com}]', /egressDeny rules have no toFQDNs/],
    ['a listener on ingress', '  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          listener: {name: l, envoyConfig: {name: e}}', /a listener is not allowed on ingress/],
    ['server names with L7 rules and no terminatingTLS', '  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{port: "443", protocol: TCP}]\n          serverNames: [a.com]\n          rules: {http: [{}]}', /serverNames cannot be combined with L7 rules unless terminatingTLS is set/],
  ])('%s', (_, spec, expected) => {
    const analysis = analyze(CNP(spec));
    expect(analysis.graph.cilium.policies).toEqual([]);
    expect(analysis.inputFindings.map((finding) => `${finding.ruleId}: ${finding.message}`).join('\n')).toMatch(expected);
  });

  it('accepts toServices with toPorts (Cilium 1.17 and later)', () => {
    const policy = policyOf(CNP('  endpointSelector: {}\n  egress:\n    - toServices: [{k8sService: {serviceName: db}}]\n      toPorts: [{ports: [{port: "80"}]}]'));
    expect(policy.rules[0].egress[0].toPorts.map((portRule) => portRule.ports.map((port) => port.port))).toEqual([[80]]);
  });

  it('reports a refusal at its field', () => {
    expect(findingsOf(CNP('  endpointSelector: {}\n  egress:\n    - toEndpoints: [{}]\n      toCIDR: [10.0.0.0/8]'))[0]).toMatch(/^10: input-invalid-value:/);
    expect(findingsOf(CNP('  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/8\n          except: [192.168.0.0/16]'))[0]).toMatch(/^11: except-outside-cidr:/);
  });

  it('refuses a policy with neither spec nor specs, and host policies with HTTP rules', () => {
    expect(findingsOf('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\n')[0]).toMatch(/it has neither spec nor specs \(an empty policy\); the Cilium agent refuses/);
    expect(findingsOf(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: host}
spec:
  nodeSelector: {}
  ingress:
    - toPorts:
        - ports: [{port: "80", protocol: TCP}]
          rules: {http: [{method: GET}]}
`)[0]).toMatch(/host policies \(nodeSelector\) do not support http rules; only DNS rules/);
  });
});

describe('warnings: accepted, but not what it seems to say', () => {
  it('warns about a subject naming another namespace, fromRequires and fromNodes, and keeps the policy', () => {
    const analysis = analyze(CNP(`  endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: other}}
  ingress:
    - fromRequires: [{matchLabels: {env: prod}}]
    - fromNodes: [{matchLabels: {node-role.kubernetes.io/control-plane: ""}}]`));
    expect(analysis.graph.cilium.policies).toHaveLength(1);
    expect(analysis.inputFindings.map((finding) => `${finding.severity} ${finding.location?.line}: ${finding.message}`)).toEqual([
      'warning 7: CiliumNetworkPolicy shop/p: endpointSelector names namespace other, but a CiliumNetworkPolicy only selects pods of its own namespace (shop), so it selects nothing.',
      'warning 9: CiliumNetworkPolicy shop/p: fromRequires is deprecated since Cilium 1.17 and removed in 1.19, whose CRD accepts no entries (the API server of a 1.19 cluster rejects this policy); k8snet reads it as Cilium 1.18 did: every ingress peer of the selected endpoints must also match it.',
      'warning 10: CiliumNetworkPolicy shop/p: fromNodes selects nodes only where Cilium runs with enable-node-selector-labels (Helm nodeSelectorLabels: true); elsewhere the agent refuses the policy.',
    ]);
  });
});

describe('identities in the graph', () => {
  it('gives pods their service account and namespace labels, and reads the cluster name from cilium-config', () => {
    const analysis = analyze(`apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {cluster-name: east}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web-sa
      containers: [{name: web, image: nginx}]
`);
    const [pod] = analysis.graph.pods;
    expect(pod.serviceAccountName).toBe('web-sa');
    expect(analysis.graph.cilium.clusterName.name).toBe('east');
    const identity = analysis.graph.cilium.identityOf(pod);
    const selector = { requirements: [
      { source: 'k8s', key: 'io.cilium.k8s.policy.serviceaccount', operator: 'In' as const, values: ['web-sa'], fromMatchLabels: true },
      { source: 'any', key: 'io.cilium.k8s.policy.cluster', operator: 'In' as const, values: ['east'], fromMatchLabels: true },
      { source: 'any', key: 'io.cilium.k8s.namespace.labels.team', operator: 'In' as const, values: ['web'], fromMatchLabels: true },
    ], text: '' };
    expect(matchesCiliumSelector(selector, identity)).toBe(true);
    expect(identity.labels.some((label) => label.key === 'pod-template-hash')).toBe(false);
    expect(podIdentity({ namespace: 'shop', labels: pod.labels }, {}).labels.length).toBeGreaterThan(0);
  });

  it('finds the rules whose endpointSelector selects a pod, never a hostNetwork pod', () => {
    const analysis = analyze(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: shop, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: agent, image: agent}]}
---
${CNP('  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{}]')}
---
${CNP('  endpointSelector: {matchLabels: {app: db}}\n  ingress: [{}]', 'db')}
`);
    const [agent, web] = [...analysis.graph.pods].sort((a, b) => a.name.localeCompare(b.name));
    expect(analysis.graph.cilium.rulesSelecting(web).map((entry) => entry.policy.label)).toEqual(['shop/p']);
    expect(analysis.graph.cilium.rulesSelecting(agent)).toEqual([]);
  });
});
