/**
 * Cilium's policies compiled into the one evaluator (src/reach/policies/cilium.ts): default deny,
 * deny over allow across kinds, empty rules, entities, ICMP, named ports, L7 and FQDN restrictions,
 * service accounts, and the caveats for what is not matched exactly.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { fqdnPatternMatches, fqdnPatternsOverlap } from '../../src/reach/policies/cilium.js';
import { entityPeerOf, resolveEntityEndpoint, type EntityEndpoint } from '../../src/reach/entity-endpoints.js';
import type { CompiledRule } from '../../src/reach/policy-form.js';
import type { ResourceGraph } from '../../src/model/graph.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';

/** The peer of a `fqdn:NAME` endpoint, as can-reach builds it. */
function fqdnPeer(graph: ResourceGraph, name: string, rules: readonly CompiledRule[]) {
  return entityPeerOf(resolveEntityEndpoint(graph, `fqdn:${name}`) as EntityEndpoint, rules);
}

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  serviceAccountName: web
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec:
  serviceAccountName: client
  containers: [{name: c, image: curl}]
---
apiVersion: v1
kind: Pod
metadata: {name: client-admin, namespace: shop, labels: {app: client}}
spec:
  serviceAccountName: admin
  containers: [{name: c, image: curl}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: c, image: agent}]
`;

function solve(policies: string, cni = 'cilium') {
  const analysis = analyzeTexts([{ path: 'pods.yaml', text: PODS }, { path: 'policies.yaml', text: policies }], {});
  expect(analysis.inputFindings.map((finding) => finding.message)).toEqual([]);
  const graph = analysis.graph;
  const solver = new ReachabilitySolver(graph, { plugin: networkPluginOf(graph, cni) });
  const pod = (name: string) => graph.pods.find((candidate) => candidate.name === name)!;
  return { solver, graph, pod, reach: (from: string, to: string) => solver.podToPod(pod(from), pod(to)) };
}

const TCP80 = ConnectionSet.ofPorts('TCP', 80);

describe('Cilium policies in the evaluator', () => {
  it('a rule with allows isolates its direction; other pods and directions stay open', () => {
    const { reach } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: client}}]
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`);
    // The service account tells the two client pods apart although their labels are the same.
    expect(reach('client', 'web').describe()).toBe(TCP80.describe());
    expect(reach('client-admin', 'web').isEmpty()).toBe(true);
    expect(reach('web', 'client').isAll()).toBe(true);
  });

  it('an ingressDeny-only rule isolates ingress; enableDefaultDeny false makes it a pure deny', () => {
    const denyOnly = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingressDeny:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: admin}}]
`);
    expect(denyOnly.reach('client', 'web').isEmpty()).toBe(true);
    const pureDeny = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: admin}}]
`);
    expect(pureDeny.reach('client', 'web').isAll()).toBe(true);
    expect(pureDeny.reach('client-admin', 'web').isEmpty()).toBe(true);
  });

  it('a Cilium deny wins over a NetworkPolicy allow, and an empty rule allows nothing', () => {
    const { reach } = solve(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingressDeny:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lock, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress: [{}]
`);
    const fromClientAdmin = reach('client-admin', 'web');
    expect(fromClientAdmin.isEmpty()).toBe(true); // client pods' egress: `egress: [{}]` allows nothing
    const webToClient = reach('web', 'client');
    expect(webToClient.isAll()).toBe(true); // allowed by the NetworkPolicy, nothing denies it
  });

  it('a deny rule with ports and no peers denies every peer, pods included (found by the property test)', () => {
    const { reach } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
    - toPorts: [{ports: [{port: "0", protocol: TCP}]}]
`);
    const allowed = reach('client', 'web');
    expect(allowed.contains('TCP', 80)).toBe(false);
    expect(allowed.contains('UDP', 53)).toBe(true);
  });

  it('ICMP types, named ports and L7 rules: the L4 answer with the restriction named', () => {
    const { solver, pod } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      icmps: [{fields: [{type: EchoRequest}]}]
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts:
        - ports: [{port: http, protocol: TCP}]
          rules: {http: [{method: GET, path: /public}]}
`);
    const verdict = solver.explain(solver.classOf(pod('client')), solver.classOf(pod('web')));
    expect(verdict.allowed.describe()).toBe(ConnectionSet.ofPorts('TCP', 8080).union(ConnectionSet.ofIcmp('ICMP', 8)).describe());
    expect(verdict.ingress.restrictions.map((restriction) => `${restriction.layer} ${restriction.description}`)).toEqual(['L7 HTTP GET /public']);
    expect(verdict.ingress.contributions.map((entry) => entry.rule.source.ruleLabel)).toEqual(['ingress[0]', 'ingress[1].toPorts[0]']);
  });

  it('toFQDNs: a name outside the cluster at L4, the FQDN restriction named, addresses said', () => {
    const { solver, pod } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toFQDNs: [{matchPattern: "*.example.com"}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
`);
    const client = solver.classOf(pod('client'));
    expect(solver.evaluator.sideAllowed('egress', client, fqdnPeer(solver.graph, 'api.example.com', solver.compiledRules)).describe()).toBe(ConnectionSet.ofPorts('TCP', 443).describe());
    expect(solver.evaluator.sideAllowed('egress', client, fqdnPeer(solver.graph, 'example.org', solver.compiledRules)).isEmpty()).toBe(true);
    const toAddress = solver.explain(client, { family: 4, range: { first: 0x01010101n, last: 0x01010101n } });
    expect(toAddress.allowed.isEmpty()).toBe(true);
    expect(toAddress.caveats.join('\n')).toMatch(/names the domain names \*\.example\.com, which k8snet does not resolve: if the destination is one of their addresses, that rule would allow TCP 443 unless a deny rule denies it\./);
  });

  it('toFQDNs learns addresses only from lookups a DNS rule of the pod sends through the DNS proxy: otherwise a caveat says so', () => {
    const fqdnPolicy = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}]}]
    - toFQDNs: [{matchName: api.github.com}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`;
    // The DNS rule in a policy of its own, selecting the pods that use the service account "client" only.
    const dnsRule = (pattern: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dns, namespace: shop}
spec:
  endpointSelector: {matchLabels: {io.cilium.k8s.policy.serviceaccount: client}}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "${pattern}"}]}}]
`;
    const verdictFor = (policies: string, podName: string) => {
      const { solver, pod } = solve(policies);
      const client = solver.classOf(pod(podName));
      return solver.explain(client, fqdnPeer(solver.graph, 'api.github.com', solver.compiledRules));
    };
    const caveatsFor = (policies: string, podName: string) => verdictFor(policies, podName).caveats.join('\n');
    // No pod the policy selects can learn the name's addresses: the rule allows nothing towards it, and the caveat says why.
    expect(verdictFor(fqdnPolicy, 'client').allowed.isEmpty()).toBe(true);
    const learnt = verdictFor(fqdnPolicy + dnsRule('*'), 'client');
    expect(learnt.allowed.describe()).toBe(ConnectionSet.ofPorts('TCP', 443).describe());
    expect(learnt.egress.restrictions.map((restriction) => restriction.description)).toEqual(['toFQDNs api.github.com: the addresses DNS answers gave for them']);
    // Some of its pods can (the service account the DNS policy selects), some cannot: the name stays a peer, and those that cannot get the caveat.
    expect(verdictFor(fqdnPolicy + dnsRule('*'), 'client-admin').allowed.describe()).toBe(ConnectionSet.ofPorts('TCP', 443).describe());
    expect(caveatsFor(fqdnPolicy, 'client')).toMatch(/rule "egress\[1\]" allows egress to toFQDNs api\.github\.com, but no DNS rule \(toPorts\[\]\.rules\.dns\) of the policies selecting the pod sends its lookups through Cilium's DNS proxy: .*usually none, which manifests cannot show/);
    // A DNS rule of another policy selecting the pod, allowing every name: the proxy learns the name's addresses.
    expect(caveatsFor(fqdnPolicy + dnsRule('*'), 'client')).not.toMatch(/DNS proxy/);
    expect(caveatsFor(fqdnPolicy + dnsRule('**.github.com'), 'client')).not.toMatch(/DNS proxy/);
    // ... but not for the pod of another service account, which that policy does not select.
    expect(caveatsFor(fqdnPolicy + dnsRule('*'), 'client-admin')).toMatch(/no DNS rule/);
    // A DNS rule that does not allow looking the name up: the proxy refuses the lookup.
    expect(caveatsFor(fqdnPolicy + dnsRule('*.cilium.io'), 'client')).toMatch(/the DNS rules \(toPorts\[\]\.rules\.dns\) of the policies selecting the pod do not allow looking up api\.github\.com, so the DNS proxy refuses those lookups/);
  });

  it('toServices of a Service without a selector, with toPorts: the addresses its EndpointSlices give, as CIDR rules, on those ports', () => {
    const { solver, pod } = solve(`
apiVersion: v1
kind: Service
metadata: {name: legacy-db, namespace: shop}
spec: {ports: [{name: pg, port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: legacy-db-1, namespace: shop, labels: {kubernetes.io/service-name: legacy-db}}
addressType: IPv4
endpoints: [{addresses: [203.0.113.7]}]
ports: [{name: pg, port: 5432, protocol: TCP}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toServices: [{k8sService: {serviceName: legacy-db, namespace: shop}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`);
    const client = pod('client');
    // toServices with toPorts (accepted since Cilium 1.17): the Service's endpoints on those ports only.
    expect(solver.podToAddress(client, '203.0.113.7').describe()).toBe(ConnectionSet.ofPorts('TCP', 5432).describe());
    expect(solver.podToAddress(client, '203.0.113.8').isEmpty()).toBe(true);
    expect(solver.explain(solver.classOf(client), { family: 4, range: { first: 0xcb007107n, last: 0xcb007107n } }).caveats.join('\n')).not.toMatch(/selectorless/);
  });

  it('a toFQDNs rule whose DNS rules allow some of its names: only the others are said, and only in answers about them', () => {
    const { solver, pod } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchName: api.github.com}, {matchPattern: "api-v*.example.com"}]}}]
    - toFQDNs: [{matchName: api.github.com}, {matchPattern: "*.empire.gov"}, {matchPattern: "api-*.example.com"}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`);
    const client = solver.classOf(pod('client'));
    const caveats = (name: string) => solver.explain(client, fqdnPeer(solver.graph, name, solver.compiledRules)).caveats.filter((caveat) => caveat.includes('DNS proxy'));
    // api.github.com is looked up through the proxy; api-*.example.com and api-v*.example.com share names.
    expect(caveats('api.github.com')).toEqual([]);
    expect(caveats('api-v2.example.com')).toEqual([]);
    expect(caveats('www.empire.gov')).toEqual([expect.stringMatching(/allows egress to toFQDNs \*\.empire\.gov, but the DNS rules .* do not allow looking up \*\.empire\.gov/)]);
    const shortfall = solver.compiledRules.find((rule) => rule.restrictions.some((restriction) => restriction.layer === 'FQDN'))!.restrictions[0].shortfallsBySubject!.get(client.index)!;
    expect(shortfall.parts).toEqual(['*.empire.gov']);
  });

  it('a NetworkPolicy naming a pod by a label Cilium leaves out of identities applies to nothing, and answers say why', () => {
    const statefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: shop}
spec:
  serviceName: redis
  replicas: 2
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers: [{name: redis, image: redis, ports: [{containerPort: 6379}]}]
`;
    const policies = `${statefulSet}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: redis-0-from-client, namespace: shop}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: redis-0}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: redis-0}}}]}]
`;
    const redis0 = (graph: ResourceGraph) => graph.pods.find((candidate) => candidate.name === 'redis-0')!;
    // Under another plugin the selectors match the pod's labels: the client reaches redis-0, which admits no one else.
    const plain = solve(policies, 'calico');
    expect(plain.solver.podToPod(plain.pod('client'), redis0(plain.graph)).isAll()).toBe(true);
    expect(plain.solver.podToPod(plain.pod('web'), redis0(plain.graph)).isEmpty()).toBe(true);
    // Under Cilium neither selector matches: the client's egress allows nothing, redis-0 is not isolated.
    const { solver, graph, pod } = solve(policies);
    const verdict = solver.explain(solver.classOf(pod('client')), solver.classOf(redis0(graph)));
    expect(verdict.allowed.isEmpty()).toBe(true);
    expect(verdict.caveats).toEqual([
      'NetworkPolicy shop/client-egress egress[0].to[0] selects pods by statefulset.kubernetes.io/pod-name=redis-0, which Cilium leaves out of endpoint identities: '
        + 'under Cilium it does not match the destination, although the destination carries that label.',
      'NetworkPolicy shop/redis-0-from-client selects pods by statefulset.kubernetes.io/pod-name=redis-0, which Cilium leaves out of endpoint identities: '
        + 'under Cilium it does not apply to the destination, although the destination carries that label, so it neither isolates nor allows its ingress here.',
    ]);
    expect(solver.podToPod(pod('web'), redis0(graph)).isAll()).toBe(true);
    // redis-1 carries another pod-name: nothing to say about it.
    const redis1 = graph.pods.find((candidate) => candidate.name === 'redis-1')!;
    expect(solver.explain(solver.classOf(pod('web')), solver.classOf(redis1)).caveats).toEqual([]);
  });

  it('the host entity against a hostNetwork pod is said, not guessed', () => {
    const { solver, pod } = solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEntities: [host]
`);
    const verdict = solver.explain(solver.classOf(pod('client')), solver.classOf(pod('agent')));
    expect(verdict.allowed.isEmpty()).toBe(true);
    expect(verdict.caveats.join('\n')).toMatch(/names the host entity \(the node the pod runs on\), which matches a hostNetwork pod by the node it runs on relative to the source: not counted here; where it matches, that rule would allow all ports and protocols/);
  });

  it('under another plugin, Cilium policies are not applied', () => {
    expect(solve(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{}]
`, 'calico').reach('client', 'web').isAll()).toBe(true);
  });
});

describe('FQDN patterns', () => {
  it.each([
    ['*', 'anything.example.com', true],
    ['*.example.com', 'api.example.com.', true],
    ['*.example.com', 'a.b.example.com', false],
    ['**.example.com', 'a.b.example.com', true],
    ['api-*.example.com', 'api-1.example.com', true],
    ['example.com', 'EXAMPLE.com.', true],
    // matchpattern: "**." stands for one or more labels, not none; stars alone match every name.
    ['**.example.com', 'example.com', false],
    ['*.', 'a.b.example.com', true],
    ['**', 'a.b.example.com', true],
    ['a**b.example.com', 'axyb.example.com', true],
    ['a*b.example.com', 'ax.yb.example.com', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(fqdnPatternMatches(pattern, name)).toBe(expected);
  });

  it.each([
    ['api.*.com', '*.github.com', true],
    ['api-*.example.com', 'api-v*.example.com', true],
    ['*.example.com', 'api.example.com', true],
    ['**.example.com', '*.example.com', true],
    ['**.example.com', 'example.com', false],
    ['*.empire.gov', 'api-v*.example.com', false],
    ['a*b.example.com', 'c*.example.com', false],
    ['*', 'anything.example', true],
  ])('%s and %s share a name: %s', (first, second, expected) => {
    expect(fqdnPatternsOverlap(first, second)).toBe(expected);
    expect(fqdnPatternsOverlap(second, first)).toBe(expected);
  });
});

describe('the agent configuration (cilium-config)', () => {
  const config = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {${data}}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
`;

  it('enable-policy: default isolates only selected endpoints; always isolates every endpoint, citing the ConfigMap', () => {
    const normal = solve(config('enable-policy: default'));
    expect(normal.reach('web', 'client').isAll()).toBe(true);
    const always = solve(config('enable-policy: always'));
    // Every endpoint is in default deny both ways: the client's egress allows nothing, though web's ingress admits it.
    expect(always.reach('client', 'web').isEmpty()).toBe(true);
    expect(always.solver.ingressFromClass(always.solver.classOf(always.pod('client')), always.solver.classOf(always.pod('web'))).isAll()).toBe(true);
    expect(always.reach('web', 'client').isEmpty()).toBe(true);
    expect(always.reach('client', 'client-admin').isEmpty()).toBe(true);
    const verdict = always.solver.explain(always.solver.classOf(always.pod('web')), always.solver.classOf(always.pod('client')));
    expect(verdict.egress.isolatingPolicies.map((policy) => policy.label)).toEqual(['kube-system/cilium-config (enable-policy: always)']);
  });

  it('enable-policy: never enforces no policy, and answers say so', () => {
    const never = solve(config('enable-policy: never'));
    expect(never.reach('client-admin', 'web').isAll()).toBe(true);
    expect(never.solver.layout.notes?.join(' ')).toMatch(/kube-system\/cilium-config sets enable-policy: never: Cilium enforces no NetworkPolicy and no Cilium policy/);
  });

  it('labels (a custom identity label filter) is not modelled: answers say so, with the default filter\'s caveats left out', () => {
    expect(solve(config('enable-policy: default')).solver.layout.notes ?? []).toEqual([]);
    const custom = solve(config('labels: "k8s:app k8s:statefulset.kubernetes.io/pod-name"'));
    expect(custom.solver.layout.notes?.join(' ')).toMatch(/kube-system\/cilium-config sets labels \(identity-relevant labels: k8s:app k8s:statefulset\.kubernetes\.io\/pod-name\), which k8snet does not model/);
    expect(custom.solver.layout.pairCaveats).toBeUndefined();
    expect(custom.reach('client', 'web').isAll()).toBe(true);
  });

  it('allow-localhost: policy makes the local host subject to policy', () => {
    const answer = (data: string) => {
      const { solver, pod } = solve(config(data));
      const node = entityPeerOf(resolveEntityEndpoint(solver.graph, 'node:n1') as EntityEndpoint, solver.compiledRules, 'local');
      return solver.explain(node, solver.classOf(pod('web')));
    };
    expect(answer('enable-policy: default').ingress.unrestrictedBecause).toBe('local-node');
    const policy = answer('allow-localhost: policy');
    expect(policy.allowed.isEmpty()).toBe(true);
    expect(policy.ingress.isolatingPolicies.map((entry) => entry.label)).toEqual(['shop/web']);
  });
});

