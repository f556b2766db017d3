/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) from manifests to answers: tiers
 * (Admin before NetworkPolicy, Baseline after), priority and ties, Accept/Deny/Pass in each
 * tier, protocols, named ports, networks judged per pod address, nodes matched by their labels,
 * domain names said; what the API server rejects; and the can-reach report.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { answerReach, parsePortQuery, resolveEndpoint } from '../../src/reach/query.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatReachJson, formatReachText } from '../../src/report/reach-text.js';
import { PLAIN } from '../../src/report/paint.js';
import type { Pod } from '../../src/model/types.js';

function pod(ns: string, name: string, labels: Record<string, string>, options: { podIP?: string; hostNetwork?: boolean; nodeName?: string; ports?: object[] } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: ${JSON.stringify(labels)}}
spec:
  hostNetwork: ${options.hostNetwork ?? false}
  ${options.nodeName ? `nodeName: ${options.nodeName}` : ''}
  containers: [{name: main, image: example/app, ports: ${JSON.stringify(options.ports ?? [])}}]
${options.podIP ? `status: {podIP: ${options.podIP}}` : ''}
`;
}

function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, body: string): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: ${tier}
  priority: ${priority}
${body}`;
}

const SHOP_SUBJECT = `  subject:
    namespaces:
      matchLabels: {kubernetes.io/metadata.name: shop}
`;

const BASE = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: a}}\n',
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: other, labels: {team: b}}\n',
  pod('shop', 'web', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
  pod('other', 'client', { app: 'client' }),
];

function world(documents: string[]) {
  const analysis = analyzeTexts([{ path: 'x.yaml', text: documents.join('---\n') }]);
  const solver = new ReachabilitySolver(analysis.graph);
  const podOf = (key: string): Pod => {
    const found = analysis.graph.pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === key);
    if (!found) throw new Error(`no pod ${key}`);
    return found;
  };
  return {
    analysis,
    solver,
    conn: (from: string, to: string) => solver.podToPod(podOf(from), podOf(to)).toString(),
    toIp: (from: string, address: string) => solver.podToAddress(podOf(from), address).toString(),
  };
}

const DENY_ALL_FROM_OTHER = `  ingress:
  - name: deny-other
    action: Deny
    from:
    - namespaces:
        matchLabels: {kubernetes.io/metadata.name: other}
`;

describe('tiers', () => {
  it('the Admin tier decides before NetworkPolicy: Accept beats a NetworkPolicy that allows nothing', () => {
    const w = world([...BASE,
      cnp('accept', 'Admin', 10, `${SHOP_SUBJECT}  ingress:\n  - action: Accept\n    from: [{namespaces: {}}]\n    protocols: [{tcp: {destinationPort: {number: 8080}}}]\n`),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n']);
    expect(w.conn('other/client', 'shop/web')).toBe('TCP 8080');
  });

  it('the Baseline tier decides only for pods no NetworkPolicy isolates', () => {
    const baseline = cnp('baseline', 'Baseline', 1, `${SHOP_SUBJECT}${DENY_ALL_FROM_OTHER}`);
    expect(world([...BASE, baseline]).conn('other/client', 'shop/web')).toBe('No Connections');
    const withPolicy = world([...BASE, baseline,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow, namespace: shop}\nspec: {podSelector: {}, ingress: [{}]}\n']);
    expect(withPolicy.conn('other/client', 'shop/web')).toBe('All Connections');
  });

  it('Pass in the Admin tier goes to NetworkPolicy (and then the Baseline tier); Pass in the Baseline tier goes to the default, allowed', () => {
    const passAdmin = cnp('pass', 'Admin', 1, `${SHOP_SUBJECT}  ingress:\n  - action: Pass\n    from: [{namespaces: {}}]\n`);
    const denyAdmin = cnp('deny', 'Admin', 2, `${SHOP_SUBJECT}${DENY_ALL_FROM_OTHER}`);
    const denyBaseline = cnp('baseline-deny', 'Baseline', 2, `${SHOP_SUBJECT}${DENY_ALL_FROM_OTHER}`);
    // The pass skips the Admin deny after it; no NetworkPolicy; the Baseline deny decides.
    expect(world([...BASE, passAdmin, denyAdmin, denyBaseline]).conn('other/client', 'shop/web')).toBe('No Connections');
    const passBaseline = cnp('baseline-pass', 'Baseline', 1, `${SHOP_SUBJECT}  ingress:\n  - action: Pass\n    from: [{namespaces: {}}]\n`);
    expect(world([...BASE, passAdmin, denyAdmin, passBaseline, denyBaseline]).conn('other/client', 'shop/web')).toBe('All Connections');
  });

  it('lower priority first; the same priority is ordered by name (undefined by the API, flagged by lint)', () => {
    const accept = (name: string, priority: number) => cnp(name, 'Admin', priority, `${SHOP_SUBJECT}  ingress:\n  - action: Accept\n    from: [{namespaces: {}}]\n`);
    const deny = (name: string, priority: number) => cnp(name, 'Admin', priority, `${SHOP_SUBJECT}${DENY_ALL_FROM_OTHER}`);
    expect(world([...BASE, deny('b', 5), accept('a', 6)]).conn('other/client', 'shop/web')).toBe('No Connections');
    expect(world([...BASE, deny('b', 7), accept('a', 6)]).conn('other/client', 'shop/web')).toBe('All Connections');
    expect(world([...BASE, deny('b', 6), accept('a', 6)]).conn('other/client', 'shop/web')).toBe('All Connections');
    // The answer says the order is the implementation's: another one may decide otherwise.
    const caveats = (documents: string[]) => {
      const w = world(documents);
      return answerReach(w.solver, resolveEndpoint(w.analysis.graph, 'other/Pod/client'), resolveEndpoint(w.analysis.graph, 'shop/Pod/web')).pairs[0].verdict.caveats.join('\n');
    };
    expect(caveats([...BASE, deny('b', 6), accept('a', 6)])).toContain('Depends on the implementation: a has the same priority (6) as b, and the API leaves their order undefined');
    expect(caveats([...BASE, deny('b', 5), accept('a', 6)])).not.toContain('Depends on the implementation');
    // A tied policy none of whose rules would decide this peer otherwise cannot change the answer: nothing said.
    const monitoringOnly = cnp('a', 'Admin', 6, `${SHOP_SUBJECT}  ingress:\n  - action: Accept\n    from: [{namespaces: {matchLabels: {team: m}}}]\n`);
    expect(caveats([...BASE, deny('b', 6), monitoringOnly])).not.toContain('Depends on the implementation');
  });

  it('within a policy the first matching rule decides each connection; without protocols a rule matches ICMP too', () => {
    const w = world([...BASE, cnp('rules', 'Admin', 1, `${SHOP_SUBJECT}  ingress:
  - action: Accept
    from: [{namespaces: {}}]
    protocols: [{tcp: {destinationPort: {range: {start: 8000, end: 8080}}}}, {destinationNamedPort: http}]
  - action: Deny
    from: [{namespaces: {}}]
`)]);
    expect(w.conn('other/client', 'shop/web')).toBe('TCP 8000-8080');
    const verdict = w.solver.explain(w.solver.classes.find((c) => c.namespace === 'other')!, w.solver.classes.find((c) => c.namespace === 'shop')!);
    expect(verdict.allowed.containsIcmp('ICMP', 8, 0)).toBe(false);
  });
});

describe('peers', () => {
  it('networks are judged against each pod\'s own address: one twin is allowed, the other denied', () => {
    const w = world([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod('shop', 'client', { app: 'client' }),
      pod('shop', 'server-0', { app: 'server' }, { podIP: '10.244.2.10' }),
      pod('shop', 'server-1', { app: 'server' }, { podIP: '10.244.2.11' }),
      cnp('egress', 'Admin', 1, `  subject:
    pods:
      namespaceSelector: {}
      podSelector: {matchLabels: {app: client}}
  egress:
  - action: Accept
    to: [{networks: [10.244.2.10/32]}]
  - action: Deny
    to: [{networks: [0.0.0.0/0]}]
`)]);
    expect(w.conn('shop/client', 'shop/server-0')).toBe('All Connections');
    expect(w.conn('shop/client', 'shop/server-1')).toBe('No Connections');
    expect(w.toIp('shop/client', '10.244.2.10')).toBe('All Connections');
    expect(w.toIp('shop/client', '8.8.8.8')).toBe('No Connections');
    // Only the pods an address peer tells apart are split: the client stays one class.
    expect(w.solver.classes).toHaveLength(3);
  });

  it('networks tell the ordinals of a StatefulSet apart by the addresses given per pod name; ordinals no peer tells apart share a class', () => {
    const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: server, namespace: shop}
spec:
  replicas: 3
  serviceName: server
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: main, image: example/app}]}
`;
    const policy = cnp('egress', 'Admin', 1, `  subject:
    pods:
      namespaceSelector: {}
      podSelector: {matchLabels: {app: client}}
  egress:
  - action: Accept
    to: [{networks: [10.244.2.10/32]}]
  - action: Deny
    to: [{networks: [0.0.0.0/0]}]
`);
    const text = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', pod('shop', 'client', { app: 'client' }), statefulSet, policy].join('---\n');
    const podIPs = new Map([['shop/server-0', '10.244.2.10'], ['shop/server-1', '10.244.2.11'], ['shop/server-2', '10.244.2.12']]);
    const { graph } = analyzeTexts([{ path: 'x.yaml', text }], { podIPs });
    const solver = new ReachabilitySolver(graph);
    const podOf = (name: string) => graph.pods.find((candidate) => candidate.name === name)!;
    expect(solver.podToPod(podOf('client'), podOf('server-0')).toString()).toBe('All Connections');
    expect(solver.podToPod(podOf('client'), podOf('server-1')).toString()).toBe('No Connections');
    expect(solver.podToPod(podOf('client'), podOf('server-2')).toString()).toBe('No Connections');
    // server-0 apart (its address is in 10.244.2.10/32); server-1 and server-2 alike; the client.
    expect(solver.classes).toHaveLength(3);
    expect(solver.classOf(podOf('server-1'))).toBe(solver.classOf(podOf('server-2')));
  });

  it('nodes peers match the Nodes of the input by label: their addresses and the host-network pods on them', () => {
    const node = (name: string, os: string, address: string) => `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {kubernetes.io/os: ${os}}}\nstatus: {addresses: [{type: InternalIP, address: ${address}}]}\n`;
    const w = world([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod('shop', 'client', { app: 'client' }),
      pod('shop', 'agent-linux', { app: 'agent' }, { hostNetwork: true, nodeName: 'n1', podIP: '172.18.0.2' }),
      pod('shop', 'agent-windows', { app: 'agent' }, { hostNetwork: true, nodeName: 'n2', podIP: '172.18.0.3' }),
      node('n1', 'linux', '172.18.0.2'),
      node('n2', 'windows', '172.18.0.3'),
      cnp('nodes', 'Admin', 1, `  subject:
    pods:
      namespaceSelector: {}
      podSelector: {matchLabels: {app: client}}
  egress:
  - action: Deny
    to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]
`)]);
    expect(w.conn('shop/client', 'shop/agent-linux')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/agent-windows')).toBe('All Connections');
    expect(w.toIp('shop/client', '172.18.0.2')).toBe('No Connections');
    expect(w.toIp('shop/client', '172.18.0.3')).toBe('All Connections');
  });

  it('nodes peers by label against a host-network pod whose Node the input does not give: not counted, and said', () => {
    const documents = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod('shop', 'client', { app: 'client' }),
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true, nodeName: 'n9' }),
      cnp('nodes', 'Admin', 1, `  subject:\n    pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}\n  egress:\n  - name: deny-linux\n    action: Deny\n    to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]\n`),
    ];
    const caveats = (w: ReturnType<typeof world>) => answerReach(w.solver, resolveEndpoint(w.analysis.graph, 'shop/Pod/client'), resolveEndpoint(w.analysis.graph, 'shop/Pod/agent')).pairs[0].verdict.caveats.join('\n');
    const unknown = world(documents);
    expect(unknown.conn('shop/client', 'shop/agent')).toBe('All Connections');
    expect(caveats(unknown)).toContain('ClusterNetworkPolicy nodes rule "deny-linux" selects nodes kubernetes.io/os=linux, and the manifests do not give the Node the hostNetwork destination runs on: '
      + 'if its labels match, that rule would deny all ports and protocols before the rules after it decide.');
    // An Accept of what is allowed anyway changes nothing: nothing said.
    const accept = world([
      ...documents.slice(0, 3),
      cnp('nodes', 'Admin', 1, `  subject:\n    pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}\n  egress:\n  - name: accept-linux\n    action: Accept\n    to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]\n`),
    ]);
    expect(caveats(accept)).not.toContain('do not give the Node');
    // With the Node in the input, its labels decide and nothing is said.
    const known = world([...documents, 'apiVersion: v1\nkind: Node\nmetadata: {name: n9, labels: {kubernetes.io/os: linux}}\n']);
    expect(known.conn('shop/client', 'shop/agent')).toBe('No Connections');
    expect(caveats(known)).not.toContain('do not give the Node');
  });

  it('networks: 0.0.0.0/0 covers host-network pods, whose address is their node\'s', () => {
    const w = world([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod('shop', 'client', { app: 'client' }),
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      cnp('internet', 'Admin', 1, `  subject:\n    pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}\n  egress:\n  - action: Deny\n    to: [{networks: [0.0.0.0/0, '::/0']}]\n`)]);
    expect(w.conn('shop/client', 'shop/agent')).toBe('No Connections');
  });

  it('host-network pods are neither subjects nor matched by namespaces and pods peers', () => {
    const w = world([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      pod('shop', 'client', { app: 'client' }),
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      cnp('all', 'Admin', 1, `  subject:\n    namespaces: {}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n`)]);
    expect(w.conn('shop/client', 'shop/agent')).toBe('All Connections');
    expect(w.conn('shop/agent', 'shop/client')).toBe('All Connections');
  });

  it('domainNames peers are not resolved: the rule matches nothing here, and the answer says so', () => {
    const w = world([...BASE, cnp('fqdn', 'Admin', 1, `${SHOP_SUBJECT}  egress:
  - name: allow-example
    action: Accept
    to: [{domainNames: [example.com]}]
  - name: deny-rest
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`)]);
    const web = w.analysis.graph.pods.find((candidate) => candidate.name === 'web')!;
    expect(w.toIp('shop/web', '93.184.216.34')).toBe('No Connections');
    const answer = answerReach(w.solver, resolveEndpoint(w.analysis.graph, `shop/Pod/${web.name}`), resolveEndpoint(w.analysis.graph, 'ip:93.184.216.34'));
    expect(answer.pairs[0].verdict.caveats.join('\n')).toContain('ClusterNetworkPolicy fqdn rule "allow-example" names the domain names example.com, which k8snet does not resolve');
    // The Admin tier decides in priority order: the rule acts before the later ones.
    expect(answer.pairs[0].verdict.caveats.join('\n')).toMatch(/that rule would allow .* before the rules after it decide\./);
  });
});

describe('networks against pods whose IPs the manifests do not give', () => {
  const DENY_POD_RANGE = cnp('deny-pod-range', 'Admin', 1, `${SHOP_SUBJECT}  egress:
  - name: deny-pods
    action: Deny
    to: [{networks: [10.244.0.0/16]}]
`);
  const caveatsOf = (w: ReturnType<typeof world>) => {
    const answer = answerReach(w.solver, resolveEndpoint(w.analysis.graph, 'shop/Pod/web'), resolveEndpoint(w.analysis.graph, 'other/Pod/client'));
    return answer.pairs[0].verdict.caveats.join('\n');
  };

  it('a CIDR that may hold the pod\'s IP is said: the verdict counts only known pod IPs', () => {
    const w = world([...BASE, DENY_POD_RANGE]);
    expect(w.conn('shop/web', 'other/client')).toBe('All Connections');
    expect(caveatsOf(w)).toContain('ClusterNetworkPolicy deny-pod-range rule "deny-pods" (networks 10.244.0.0/16) matches pod IPs, and the manifests do not give the destination pod\'s: '
      + 'if it lies inside, that rule would deny all ports and protocols before the rules after it decide.');
  });

  it('nothing is said of public ranges, nor of ranges outside the configured pod ranges', () => {
    const publicRange = cnp('deny-feed', 'Admin', 1, `${SHOP_SUBJECT}  egress:
  - name: deny-feed
    action: Deny
    to: [{networks: [203.0.113.0/24]}]
`);
    expect(caveatsOf(world([...BASE, publicRange]))).not.toContain('matches pod IPs');
    const analysis = analyzeTexts([{ path: 'x.yaml', text: [...BASE, DENY_POD_RANGE].join('---\n') }]);
    const configured = new ReachabilitySolver(analysis.graph, { podCIDRs: ['10.42.0.0/16'] });
    const answer = answerReach(configured, resolveEndpoint(analysis.graph, 'shop/Pod/web'), resolveEndpoint(analysis.graph, 'other/Pod/client'));
    expect(answer.pairs[0].verdict.caveats.join('\n')).not.toContain('matches pod IPs');
  });

  it('the Nodes of the input may be some of the nodes only: their pod ranges do not make it silent, a Calico IPPool does', () => {
    const node = 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec: {podCIDR: 10.42.0.0/24, podCIDRs: [10.42.0.0/24]}\n';
    expect(caveatsOf(world([...BASE, node, DENY_POD_RANGE]))).toContain('matches pod IPs');
    const pool = 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 192.168.0.0/16}\n';
    expect(caveatsOf(world([...BASE, pool, DENY_POD_RANGE]))).not.toContain('matches pod IPs');
  });

  it('stated pod ranges the CIDRs hold decide it: a pod\'s IP comes from them, so the rule matches, without a caveat', () => {
    const analysis = analyzeTexts([{ path: 'x.yaml', text: [...BASE, DENY_POD_RANGE].join('---\n') }]);
    const inside = new ReachabilitySolver(analysis.graph, { podCIDRs: ['10.244.0.0/16'] });
    const answer = answerReach(inside, resolveEndpoint(analysis.graph, 'shop/Pod/web'), resolveEndpoint(analysis.graph, 'other/Pod/client'));
    expect(answer.reachable).toBe('none');
    expect(answer.pairs[0].verdict.caveats.join('\n')).not.toContain('matches pod IPs');
    // Pod ranges only partly inside: still said, not counted.
    const partly = new ReachabilitySolver(analysis.graph, { podCIDRs: ['10.244.0.0/15'] });
    const partlyAnswer = answerReach(partly, resolveEndpoint(analysis.graph, 'shop/Pod/web'), resolveEndpoint(analysis.graph, 'other/Pod/client'));
    expect(partlyAnswer.reachable).toBe('all');
    expect(partlyAnswer.pairs[0].verdict.caveats.join('\n')).toContain('matches pod IPs');
  });
});

describe('what the API server rejects is reported and left out', () => {
  const invalid: [string, string, string][] = [
    ['a tier other than Admin or Baseline', cnp('x', 'Admin', 1, SHOP_SUBJECT).replace('tier: Admin', 'tier: Developer'), 'spec.tier'],
    ['a priority above 1000', cnp('x', 'Admin', 1001, SHOP_SUBJECT), 'spec.priority'],
    ['a subject with both namespaces and pods', cnp('x', 'Admin', 1, '  subject:\n    namespaces: {}\n    pods: {namespaceSelector: {}, podSelector: {}}\n'), 'spec.subject'],
    ['a rule without peers', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  ingress:\n  - action: Deny\n    from: []\n`), 'spec.ingress[0].from'],
    ['a peer with two fields', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  egress:\n  - action: Deny\n    to: [{namespaces: {}, networks: [10.0.0.0/8]}]\n`), 'spec.egress[0].to[0]'],
    ['an ingress peer naming networks', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  ingress:\n  - action: Deny\n    from: [{networks: [10.0.0.0/8]}]\n`), 'spec.ingress[0].from[0]'],
    ['a named port towards networks', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  egress:\n  - action: Deny\n    to: [{networks: [10.0.0.0/8]}]\n    protocols: [{destinationNamedPort: http}]\n`), 'spec.egress[0].protocols[0]'],
    ['domain names in a Deny rule', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  egress:\n  - action: Deny\n    to: [{domainNames: [example.com]}]\n`), 'spec.egress[0].to[0].domainNames'],
    ['a port range whose start is not below its end', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  egress:\n  - action: Deny\n    to: [{namespaces: {}}]\n    protocols: [{tcp: {destinationPort: {range: {start: 90, end: 80}}}}]\n`), 'spec.egress[0].protocols[0].tcp.destinationPort.range'],
    ['an unknown action', cnp('x', 'Admin', 1, `${SHOP_SUBJECT}  ingress:\n  - action: Allow\n    from: [{namespaces: {}}]\n`), 'spec.ingress[0].action'],
  ];
  it.each(invalid)('%s', (_, document, path) => {
    const w = world([...BASE, document]);
    expect(w.analysis.graph.clusterPolicies).toHaveLength(0);
    expect(w.analysis.inputFindings.map((finding) => finding.path)).toContain(path);
  });
});

describe('reports', () => {
  it('can-reach cites the tier, priority, policy, rule, action and file:line; JSON adds tier and priority', () => {
    const w = world([...BASE, cnp('deny-other', 'Admin', 7, `${SHOP_SUBJECT}${DENY_ALL_FROM_OTHER}`)]);
    const answer = answerReach(w.solver, resolveEndpoint(w.analysis.graph, 'other/Pod/client'), resolveEndpoint(w.analysis.graph, 'shop/Pod/web'), parsePortQuery('8080'));
    expect(answer.reachable).toBe('none');
    expect(formatReachText(answer, PLAIN)).toMatch(/Ingress of shop\/web: ClusterNetworkPolicy deny-other \(Admin tier, priority 7\) rule "deny-other" \(x\.yaml:\d+\) denies all ports and protocols\./);
    const json = JSON.parse(formatReachJson(answer));
    expect(json.pairs[0].ingress.adminRules).toEqual([expect.objectContaining({
      kind: 'ClusterNetworkPolicy', policy: 'deny-other', tier: 'Admin', priority: 7, rule: 'deny-other', action: 'Deny', ports: 'All Connections',
    })]);
  });
});
