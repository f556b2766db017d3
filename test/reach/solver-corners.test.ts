/**
 * The solver at the semantic corners of NetworkPolicy, AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy: one small inline cluster per rule, each test named after the
 * rule it pins, asserting the exact connection set (np-guard's string form).
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ReachabilitySolver, type HostNetworkMode, type PairVerdict } from '../../src/reach/solver.js';
import { parseAddress } from '../../src/model/cidr.js';
import type { Pod } from '../../src/model/types.js';

type Port = { name?: string; containerPort: number; protocol?: string };

/** A Namespace object with labels. */
function namespace(name: string, labels: Record<string, string> = {}): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
`;
}

/** A concrete Pod (its workload is `ns/name[Pod]`). */
function pod(ns: string, name: string, labels: Record<string, string>, options: { ports?: Port[]; hostNetwork?: boolean; podIP?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels: ${JSON.stringify(labels)}
spec:
  hostNetwork: ${options.hostNetwork ?? false}
  containers:
  - name: main
    image: example/app
    ports: ${JSON.stringify(options.ports ?? [])}
${options.podIP ? `status:\n  podIP: ${options.podIP}\n` : ''}`;
}

/**
 * Two namespaces: `shop` (team=a) with web (port http 8080), client and batch; `other`
 * (team=b) with a client labelled like shop's and a tool.
 */
const BASE = [
  namespace('shop', { team: 'a' }),
  namespace('other', { team: 'b' }),
  pod('shop', 'web', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
  pod('shop', 'client', { app: 'client' }),
  pod('shop', 'batch', { app: 'batch' }),
  pod('other', 'client', { app: 'client' }),
  pod('other', 'tool', { app: 'tool' }),
];

/** Builds the solver for the documents and gives short helpers that name pods `ns/name`. */
function world(documents: string[], hostNetworkPods: HostNetworkMode = 'node') {
  const { graph, inputFindings } = analyzeTexts([{ path: 'x.yaml', text: documents.join('---\n') }]);
  const solver = new ReachabilitySolver(graph, { hostNetworkPods });
  const podOf = (name: string): Pod => {
    const workload = graph.workloads.find((candidate) => `${candidate.namespace}/${candidate.name}` === name);
    if (!workload) throw new Error(`no workload ${name}; have ${graph.workloads.map((w) => w.id).join(', ')}`);
    return workload.pods[0];
  };
  return {
    graph,
    inputFindings,
    solver,
    podOf,
    /** Pod to pod, as np-guard prints it. */
    conn: (from: string, to: string) => solver.podToPod(podOf(from), podOf(to)).toString(),
    fromIp: (address: string, to: string) => solver.addressToPod(address, podOf(to)).toString(),
    toIp: (from: string, address: string) => solver.podToAddress(podOf(from), address).toString(),
    explain: (from: string, to: string): PairVerdict => solver.explain(solver.classOf(podOf(from)), solver.classOf(podOf(to))),
    explainFromIp: (address: string, to: string): PairVerdict => {
      const parsed = parseAddress(address)!;
      return solver.explain({ family: parsed.family, range: { first: parsed.value, last: parsed.value } }, solver.classOf(podOf(to)));
    },
  };
}

const EVERYTHING_BUT_TCP_8080 = 'SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535';

describe('policyTypes defaulting', () => {
  it('policyTypes missing: a policy with egress rules isolates egress too (and ingress)', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('TCP 8080');
    expect(w.conn('shop/client', 'other/tool')).toBe('No Connections');
    expect(w.toIp('shop/client', '203.0.113.7')).toBe('No Connections');
    // Defaulted policyTypes always include Ingress: no ingress rules, so all ingress is denied.
    expect(w.conn('shop/web', 'shop/client')).toBe('No Connections');
    expect(w.graph.policies[0]).toMatchObject({ affectsIngress: true, affectsEgress: true, policyTypesStated: false });
  });

  it('policyTypes missing: a policy without egress rules isolates ingress only', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
`]);
    expect(w.conn('shop/web', 'other/tool')).toBe('All Connections');
    expect(w.toIp('shop/web', '203.0.113.7')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('policyTypes: [] is defaulted as if missing: egress rules isolate egress', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: []
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('TCP 8080');
    expect(w.conn('shop/client', 'other/tool')).toBe('No Connections');
    expect(w.conn('shop/web', 'shop/client')).toBe('No Connections');
  });

  it('policyTypes missing and egress: [] does not isolate egress', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  egress: []
`]);
    expect(w.conn('shop/client', 'other/tool')).toBe('All Connections');
    expect(w.toIp('shop/client', '203.0.113.7')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/client')).toBe('No Connections');
  });
});

describe('isolation, union and intersection', () => {
  it('isolation is per direction: policyTypes [Egress] leaves ingress open', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-no-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
    expect(w.toIp('shop/client', '203.0.113.7')).toBe('No Connections');
    expect(w.conn('shop/web', 'shop/client')).toBe('All Connections');
    expect(w.fromIp('203.0.113.7', 'shop/client')).toBe('All Connections');
  });

  it('isolation is per direction: policyTypes [Ingress] ignores the egress rules it carries', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Ingress]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
`]);
    expect(w.conn('shop/client', 'other/tool')).toBe('All Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/web', 'shop/client')).toBe('No Connections');
  });

  it("a policy's podSelector selects pods of the policy's own namespace only", () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-client, namespace: other}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Ingress, Egress]
`]);
    expect(w.conn('other/client', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/web', 'other/client')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/web', 'shop/client')).toBe('All Connections');
  });

  it('policies selecting the same pod add up: each side is the union of their rules', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-80, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-443-dns, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 443}, {port: 53, protocol: UDP}]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('TCP 80,443,UDP 53');
    expect(w.conn('shop/batch', 'shop/web')).toBe('No Connections');
    expect(w.explain('shop/client', 'shop/web').ingress.isolatingPolicies.map((policy) => policy.name).sort())
      .toEqual(['deny-all', 'web-443-dns', 'web-80']);
  });

  it('a connection needs both sides: source egress intersected with destination ingress', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8000, endPort: 9000}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080, endPort: 9999}, {port: 53, protocol: UDP}]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('TCP 8080-9000');
    const verdict = w.explain('shop/client', 'shop/web');
    expect(verdict.egress.allowed.toString()).toBe('TCP 8000-9000');
    expect(verdict.ingress.allowed.toString()).toBe('TCP 8080-9999,UDP 53');
    expect(verdict.allowed.toString()).toBe('TCP 8080-9000');
  });
});

describe('peers', () => {
  it('podSelector-only peer matches pods of the policy namespace only', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
`]);
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('other/client', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/batch', 'shop/web')).toBe('No Connections');
  });

  it('namespaceSelector-only peer matches every pod of the selected namespaces', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: b}}}]
`]);
    expect(w.conn('other/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
  });

  it('namespaceSelector matches the automatic kubernetes.io/metadata.name label', () => {
    const w = world([...BASE, pod('implied', 'job', { app: 'job' }), `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: implied}}}]
`]);
    expect(w.conn('implied/job', 'shop/web')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('No Connections');
  });

  it('podSelector and namespaceSelector in one peer are ANDed', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: b}}
      podSelector: {matchLabels: {app: client}}
`]);
    expect(w.conn('other/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
  });

  it('podSelector and namespaceSelector in two peers are ORed', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: b}}
    - podSelector: {matchLabels: {app: client}}
`]);
    expect(w.conn('other/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/batch', 'shop/web')).toBe('No Connections');
  });

  it('ipBlock with except: ingress admits addresses in cidr and outside except', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 8080}]
`]);
    expect(w.fromIp('10.0.0.0', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('10.0.255.255', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('10.1.0.0', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('10.1.2.3', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('10.1.255.255', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('10.2.0.0', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('10.255.255.255', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('11.0.0.0', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('9.255.255.255', 'shop/web')).toBe('No Connections');
    // The source address's own egress is not NetworkPolicy's business.
    expect(w.explainFromIp('10.2.0.1', 'shop/web').egress.unrestrictedBecause).toBe('external');
  });

  it('ipBlock with except: egress admits addresses in cidr and outside except; an IPv4 block does not match IPv6', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}}]
    ports: [{port: 53, protocol: UDP}, {port: 53}]
`]);
    expect(w.toIp('shop/client', '8.8.8.8')).toBe('TCP 53,UDP 53');
    expect(w.toIp('shop/client', '10.0.0.1')).toBe('No Connections');
    expect(w.toIp('shop/client', '192.168.255.255')).toBe('No Connections');
    expect(w.toIp('shop/client', '192.169.0.0')).toBe('TCP 53,UDP 53');
    expect(w.toIp('shop/client', '2001:db8::1')).toBe('No Connections');
    expect(w.toIp('shop/web', '10.0.0.1')).toBe('All Connections');
  });

  it('ipBlock does not match pods, even by their podIP; explain() says the network plugin decides', () => {
    const w = world([
      ...BASE,
      pod('other', 'inside', { app: 'inside' }, { podIP: '10.1.2.3' }),
      pod('other', 'outside', { app: 'outside' }, { podIP: '192.168.1.1' }),
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
    ports: [{port: 8080}]
`]);
    expect(w.conn('other/inside', 'shop/web')).toBe('No Connections');
    expect(w.conn('other/tool', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('10.1.2.3', 'shop/web')).toBe('TCP 8080');

    const known = w.explain('other/inside', 'shop/web').caveats;
    expect(known).toHaveLength(1);
    expect(known[0]).toContain('network plugin');
    expect(known[0]).toContain("the ipBlock of shop/web ingress[0] contains the source pod's IP");
    expect(known[0]).toContain('would also allow TCP 8080');

    // No podIP: the pod's address is unknown, so the caveat is conditional.
    const unknown = w.explain('other/tool', 'shop/web').caveats;
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toContain("Depends on the network plugin: if the source pod's IP falls inside the ipBlock of shop/web ingress[0]");

    // A podIP outside every ipBlock: nothing depends on the plugin.
    expect(w.explain('other/outside', 'shop/web').caveats).toEqual([]);
  });
});

describe('from/to and ingress lists', () => {
  const withIngress = (ingress: string, extra = '') => world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
${extra}${ingress}
`]);

  it('from missing: the rule admits every source, pods of any namespace and addresses', () => {
    const w = withIngress('  ingress:\n  - ports: [{port: 8080}]');
    expect(w.conn('other/tool', 'shop/web')).toBe('TCP 8080');
    expect(w.conn('shop/client', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('203.0.113.9', 'shop/web')).toBe('TCP 8080');
  });

  it('from: [] is the same as from missing: every source', () => {
    const w = withIngress('  ingress:\n  - from: []\n    ports: [{port: 8080}]');
    expect(w.conn('other/tool', 'shop/web')).toBe('TCP 8080');
    expect(w.fromIp('203.0.113.9', 'shop/web')).toBe('TCP 8080');
  });

  it('ingress: [{}] allows everything from everywhere', () => {
    const w = withIngress('  ingress: [{}]');
    expect(w.conn('other/tool', 'shop/web')).toBe('All Connections');
    expect(w.fromIp('203.0.113.9', 'shop/web')).toBe('All Connections');
    expect(w.explain('other/tool', 'shop/web').ingress.isolatingPolicies.map((policy) => policy.name)).toEqual(['web']);
  });

  it('ingress: [] with policyTypes [Ingress] denies all ingress', () => {
    const w = withIngress('  ingress: []', '  policyTypes: [Ingress]\n');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('203.0.113.9', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/web', 'shop/client')).toBe('All Connections');
  });

  it('ingress missing with policyTypes [Ingress] denies all ingress', () => {
    const w = withIngress('', '  policyTypes: [Ingress]\n');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
    expect(w.fromIp('203.0.113.9', 'shop/web')).toBe('No Connections');
    const verdict = w.explain('shop/client', 'shop/web');
    expect(verdict.ingress.unrestrictedBecause).toBeUndefined();
    expect(verdict.ingress.contributions).toEqual([]);
  });

  it('to missing in an egress rule: every destination, pods and addresses', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}]
`]);
    expect(w.conn('shop/client', 'other/tool')).toBe('UDP 53');
    expect(w.toIp('shop/client', '1.1.1.1')).toBe('UDP 53');
  });
});

describe('ports', () => {
  const withPorts = (ports: string) => world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
${ports}
`]);

  it('ports missing: every port of every protocol', () => {
    expect(withPorts('').conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('ports: [] is the same as ports missing: every port of every protocol', () => {
    expect(withPorts('    ports: []').conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('a port without protocol is TCP', () => {
    expect(withPorts('    ports: [{port: 8080}]').conn('shop/client', 'shop/web')).toBe('TCP 8080');
  });

  it('a port entry with a protocol and no port allows every port of that protocol', () => {
    expect(withPorts('    ports: [{protocol: UDP}]').conn('shop/client', 'shop/web')).toBe('UDP 1-65535');
    expect(withPorts('    ports: [{protocol: UDP}, {protocol: TCP}, {protocol: SCTP}]').conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('SCTP ports are a protocol of their own, listed first', () => {
    expect(withPorts('    ports: [{port: 7070}, {protocol: SCTP, port: 7070}, {protocol: UDP, port: 7070}]').conn('shop/client', 'shop/web'))
      .toBe('SCTP 7070,TCP 7070,UDP 7070');
  });

  it('endPort: port..endPort inclusive, merged with adjacent ports', () => {
    expect(withPorts('    ports: [{port: 8000, endPort: 8080}, {port: 8081}, {port: 53, endPort: 53, protocol: UDP}]').conn('shop/client', 'shop/web'))
      .toBe('TCP 8000-8081,UDP 53');
    expect(withPorts('    ports: [{port: 1, endPort: 65535}]').conn('shop/client', 'shop/web')).toBe('TCP 1-65535');
  });
});

describe('named ports', () => {
  /** Two api pods with the same port name on different numbers (different classes). */
  const API = [
    pod('shop', 'api-a', { app: 'api' }, { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
    pod('shop', 'api-b', { app: 'api' }, { ports: [{ name: 'http', containerPort: 9090 }] }),
    pod('shop', 'caller', { app: 'caller' }, { ports: [{ name: 'http', containerPort: 7000 }] }),
  ];

  it('named port in ingress resolves on each destination pod, by name', () => {
    const w = world([...BASE, ...API, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: caller}}}]
    ports: [{port: http}]
`]);
    expect(w.solver.classOf(w.podOf('shop/api-a'))).not.toBe(w.solver.classOf(w.podOf('shop/api-b')));
    expect(w.conn('shop/caller', 'shop/api-a')).toBe('TCP 8080');
    expect(w.conn('shop/caller', 'shop/api-b')).toBe('TCP 9090');
  });

  it('named port with a protocol other than the container port\'s matches nothing', () => {
    const w = world([...BASE, ...API, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: caller}}}]
    ports: [{port: dns}]
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: dns, protocol: UDP}]
`]);
    expect(w.conn('shop/caller', 'shop/api-a')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/api-a')).toBe('UDP 53');
    expect(w.conn('shop/client', 'shop/api-b')).toBe('No Connections');
  });

  it('named port in egress resolves on the destination pod, not the source', () => {
    const w = world([...BASE, ...API, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: caller, namespace: shop}
spec:
  podSelector: {matchLabels: {app: caller}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {}}]
    ports: [{port: http}]
`]);
    expect(w.conn('shop/caller', 'shop/api-a')).toBe('TCP 8080');
    expect(w.conn('shop/caller', 'shop/api-b')).toBe('TCP 9090');
    expect(w.conn('shop/caller', 'shop/web')).toBe('TCP 8080');
    // The destination has no port of that name: nothing, not the source's 7000.
    expect(w.conn('shop/caller', 'shop/client')).toBe('No Connections');
  });

  it('named port towards an IP address matches nothing', () => {
    const w = world([...BASE, ...API, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: caller, namespace: shop}
spec:
  podSelector: {matchLabels: {app: caller}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: http}, {port: 443}]
  - to: [{ipBlock: {cidr: 198.51.100.0/24}}]
    ports: [{port: http}]
`]);
    expect(w.toIp('shop/caller', '203.0.113.1')).toBe('TCP 443');
    expect(w.toIp('shop/caller', '198.51.100.1')).toBe('TCP 443');
  });
});

describe('hostNetwork pods', () => {
  const HOST = [
    ...BASE,
    pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true, ports: [{ name: 'metrics', containerPort: 9100 }] }),
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-shop, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: batch-from-team-a, namespace: shop}
spec:
  podSelector: {matchLabels: {app: batch}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: a}}}]
`,
  ];

  it("hostNetwork mode 'node': policies do not isolate hostNetwork pods and selectors do not match them; a caveat says so", () => {
    const w = world(HOST, 'node');
    expect(w.solver.classOf(w.podOf('shop/agent'))).toMatchObject({ hostNetwork: true, outsidePolicy: true });
    // Not isolated, although deny-ingress selects every pod of shop.
    expect(w.conn('other/tool', 'shop/agent')).toBe('All Connections');
    expect(w.fromIp('203.0.113.1', 'shop/agent')).toBe('All Connections');
    // Not matched by podSelector {} nor by a namespaceSelector of its namespace.
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/agent', 'shop/web')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/batch')).toBe('All Connections');
    expect(w.conn('shop/agent', 'shop/batch')).toBe('No Connections');

    const verdict = w.explain('shop/agent', 'shop/web');
    expect(verdict.egress.unrestrictedBecause).toBe('host-network');
    expect(verdict.caveats).toHaveLength(1);
    expect(verdict.caveats[0]).toContain('The source uses hostNetwork');
    expect(verdict.caveats[0]).toContain('node traffic');
    const inbound = w.explain('other/tool', 'shop/agent');
    expect(inbound.ingress.unrestrictedBecause).toBe('host-network');
    expect(inbound.caveats[0]).toContain('The destination uses hostNetwork');
  });

  it("hostNetwork mode 'pod': hostNetwork pods are isolated and selected like ordinary pods; a caveat says so", () => {
    const w = world(HOST, 'pod');
    expect(w.solver.classOf(w.podOf('shop/agent'))).toMatchObject({ hostNetwork: true, outsidePolicy: false });
    expect(w.conn('other/tool', 'shop/agent')).toBe('No Connections');
    expect(w.fromIp('203.0.113.1', 'shop/agent')).toBe('No Connections');
    expect(w.conn('shop/agent', 'shop/web')).toBe('All Connections');
    expect(w.conn('shop/agent', 'shop/batch')).toBe('All Connections');

    const verdict = w.explain('shop/agent', 'shop/web');
    expect(verdict.egress.unrestrictedBecause).toBe('not-isolated');
    expect(verdict.caveats).toHaveLength(1);
    expect(verdict.caveats[0]).toContain('--host-network-pods pod');
    expect(verdict.caveats[0]).toContain('applies policies to it as to other pods');
  });

  it('pods without hostNetwork get no hostNetwork caveat', () => {
    expect(world(HOST, 'node').explain('shop/client', 'shop/web').caveats).toEqual([]);
  });
});

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy', () => {
  const anp = (name: string, priority: number, body: string) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  subject:
    namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}
${body}
`;
  const WEB_DENY_ALL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-deny-all, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
`;
  const WEB_ALLOW_ALL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-allow-all, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{}]
`;

  it('AdminNetworkPolicy Allow beats a NetworkPolicy deny', () => {
    const w = world([...BASE, WEB_DENY_ALL, anp('allow-team-b', 10, `  ingress:
  - name: team-b-8080
    action: Allow
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
`)]);
    expect(w.conn('other/tool', 'shop/web')).toBe('TCP 8080');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
    const verdict = w.explain('other/tool', 'shop/web');
    expect(verdict.ingress.decisions).toHaveLength(1);
    expect(verdict.ingress.decisions[0]).toMatchObject({ rule: { action: 'allow', policy: { name: 'allow-team-b' }, source: { ruleLabel: 'team-b-8080', actionName: 'Allow' } } });
    expect(verdict.ingress.decisions[0].ports.toString()).toBe('TCP 8080');
  });

  it('AdminNetworkPolicy Deny beats a NetworkPolicy allow', () => {
    const w = world([...BASE, WEB_ALLOW_ALL, anp('deny-team-b', 10, `  ingress:
  - name: no-8080
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
`)]);
    expect(w.conn('other/tool', 'shop/web')).toBe(EVERYTHING_BUT_TCP_8080);
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('AdminNetworkPolicy Pass skips lower-priority AdminNetworkPolicies and falls to NetworkPolicy', () => {
    const w = world([
      ...BASE,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-8080-from-team-b, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: b}}}]
    ports: [{port: 8080}]
`,
      anp('pass-team-b', 5, `  ingress:
  - name: pass
    action: Pass
    from: [{namespaces: {matchLabels: {team: b}}}]
`),
      anp('allow-team-b', 10, `  ingress:
  - name: allow
    action: Allow
    from: [{namespaces: {matchLabels: {team: b}}}]
`),
    ]);
    expect(w.conn('other/tool', 'shop/web')).toBe('TCP 8080');
    expect(w.explain('other/tool', 'shop/web').ingress.decisions.map((decision) => decision.rule.source.actionName)).toEqual(['Pass']);
    // Not passed: shop/client is denied by the NetworkPolicy isolation, untouched by the ANPs.
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
  });

  it('AdminNetworkPolicy Pass falls to the BaselineAdminNetworkPolicy when no NetworkPolicy isolates the pod', () => {
    const w = world([
      ...BASE,
      anp('pass-8080', 1, `  ingress:
  - name: pass-8080
    action: Pass
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
  - name: deny-rest
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
`),
      `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject:
    namespaces: {}
  ingress:
  - name: deny-8080
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
`,
    ]);
    expect(w.conn('other/tool', 'shop/web')).toBe('No Connections');
    expect(w.explain('other/tool', 'shop/web').ingress.decisions.map((decision) => `${decision.rule.source.ruleLabel}:${decision.ports}`))
      .toEqual(['pass-8080:TCP 8080', `deny-rest:${EVERYTHING_BUT_TCP_8080}`, 'deny-8080:TCP 8080']);
    // With a NetworkPolicy isolating web, the passed port goes to it instead of the baseline.
    const isolated = world([...BASE, anp('pass-8080', 1, `  ingress:
  - name: pass-8080
    action: Pass
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
`), WEB_ALLOW_ALL, `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject:
    namespaces: {}
  ingress:
  - name: deny-8080
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
`]);
    expect(isolated.conn('other/tool', 'shop/web')).toBe('All Connections');
  });

  it('AdminNetworkPolicy priority: the lower number is evaluated first, whatever the document order', () => {
    const deny = (priority: number) => anp('aa-deny', priority, `  ingress:
  - name: deny
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
`);
    const allow = (priority: number) => anp('zz-allow', priority, `  ingress:
  - name: allow
    action: Allow
    from: [{namespaces: {matchLabels: {team: b}}}]
`);
    expect(world([...BASE, WEB_DENY_ALL, deny(20), allow(10)]).conn('other/tool', 'shop/web')).toBe('All Connections');
    expect(world([...BASE, WEB_ALLOW_ALL, allow(20), deny(10)]).conn('other/tool', 'shop/web')).toBe('No Connections');
  });

  it('AdminNetworkPolicy rules: within a policy, the first matching rule decides each port', () => {
    const w = world([...BASE, WEB_DENY_ALL, anp('ordered', 10, `  ingress:
  - name: deny-8080
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
  - name: allow-rest
    action: Allow
    from: [{namespaces: {matchLabels: {team: b}}}]
`)]);
    expect(w.conn('other/tool', 'shop/web')).toBe(EVERYTHING_BUT_TCP_8080);
  });

  it('BaselineAdminNetworkPolicy applies only to pods no NetworkPolicy isolates in that direction', () => {
    const w = world([
      ...BASE,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: b}}}]
    ports: [{port: 8080}]
`,
      `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject:
    namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}
  ingress:
  - name: deny-team-b
    action: Deny
    from: [{namespaces: {matchLabels: {team: b}}}]
`,
    ]);
    // web is isolated by a NetworkPolicy: the baseline does not apply to it.
    expect(w.conn('other/tool', 'shop/web')).toBe('TCP 8080');
    // client is isolated by nothing: the baseline denies team b.
    expect(w.conn('other/tool', 'shop/client')).toBe('No Connections');
    expect(w.conn('shop/batch', 'shop/client')).toBe('All Connections');
    const verdict = w.explain('other/tool', 'shop/client');
    expect(verdict.ingress.decisions.map((decision) => [decision.rule.policy.kind, decision.rule.source.actionName])).toEqual([['BaselineAdminNetworkPolicy', 'Deny']]);
    // The baseline is about shop's pods only: other's ingress is untouched.
    expect(w.conn('shop/client', 'other/tool')).toBe('All Connections');
  });

  it('AdminNetworkPolicy namedPort resolves on the destination pod', () => {
    const w = world([
      ...BASE,
      pod('other', 'api-a', { app: 'api' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('other', 'api-b', { app: 'api' }, { ports: [{ name: 'http', containerPort: 9090 }] }),
      `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-http}
spec:
  priority: 10
  subject:
    pods:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
      podSelector: {matchLabels: {app: client}}
  egress:
  - name: deny-http
    action: Deny
    to:
    - pods:
        namespaceSelector: {matchLabels: {team: b}}
        podSelector: {matchLabels: {app: api}}
    ports: [{namedPort: http}]
`,
    ]);
    expect(w.conn('shop/client', 'other/api-a')).toBe(EVERYTHING_BUT_TCP_8080);
    expect(w.conn('shop/client', 'other/api-b')).toBe('SCTP 1-65535,TCP 1-9089,9091-65535,UDP 1-65535');
    expect(w.conn('shop/batch', 'other/api-a')).toBe('All Connections');
    expect(w.conn('shop/client', 'other/tool')).toBe('All Connections');
  });

  // policy.networking.k8s.io v1alpha1, AdminNetworkPolicyEgressPeer.networks: "cluster-internal
  // traffic will be checked against the rule as well"; a pod whose known address is inside matches.
  it('AdminNetworkPolicy egress networks match IP addresses and pods whose address is inside', () => {
    const w = world([
      ...BASE,
      pod('other', 'inside', { app: 'inside' }, { podIP: '203.0.113.9' }),
      anp('no-doc-net', 10, `  egress:
  - name: deny-doc-net
    action: Deny
    to: [{networks: [203.0.113.0/24]}]
`),
    ]);
    expect(w.toIp('shop/client', '203.0.113.0')).toBe('No Connections');
    expect(w.toIp('shop/client', '203.0.113.255')).toBe('No Connections');
    expect(w.toIp('shop/client', '203.0.114.0')).toBe('All Connections');
    expect(w.toIp('shop/client', '198.51.100.7')).toBe('All Connections');
    expect(w.conn('shop/client', 'other/inside')).toBe('No Connections');
    expect(w.toIp('other/tool', '203.0.113.1')).toBe('All Connections');
  });

  it('AdminNetworkPolicy subjects and pod peers leave host-networked pods out, in either --host-network-pods mode', () => {
    for (const mode of ['node', 'pod'] as const) {
      const w = world([
        ...BASE,
        pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
        anp('deny-into-shop', 10, `  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
`),
      ], mode);
      expect(w.conn('other/tool', 'shop/agent')).toBe('All Connections');
      expect(w.conn('shop/agent', 'shop/web')).toBe('All Connections');
    }
  });

  it('AdminNetworkPolicy egress to nodes: {} matches host-networked pods when their traffic is node traffic', () => {
    const w = world([
      ...BASE,
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      anp('no-nodes', 10, `  egress:
  - name: deny-nodes
    action: Deny
    to: [{nodes: {}}]
`),
    ]);
    expect(w.conn('shop/client', 'shop/agent')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
  });

  it('AdminNetworkPolicy networks are judged against each pod\'s own address: one server pod allowed, its twin denied', () => {
    // Two pods with the same labels (a StatefulSet's ordinals) and different IPs: an address peer
    // tells them apart, so the solver splits their class, and only there.
    const w = world([
      ...BASE,
      pod('other', 'server-0', { app: 'server' }, { podIP: '10.244.2.10' }),
      pod('other', 'server-1', { app: 'server' }, { podIP: '10.244.2.11' }),
      anp('to-one-server', 10, `  egress:
  - name: allow-server-0
    action: Allow
    to: [{networks: [10.244.2.10/32]}]
  - name: deny-the-rest
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`),
    ]);
    expect(w.conn('shop/client', 'other/server-0')).toBe('All Connections');
    expect(w.conn('shop/client', 'other/server-1')).toBe('No Connections');
    expect(w.solver.classOf(w.podOf('other/server-0'))).not.toBe(w.solver.classOf(w.podOf('other/server-1')));
    // The five pods of BASE keep their classes; only the twins are told apart.
    expect(w.solver.classes).toHaveLength(7);
  });

  it('AdminNetworkPolicy nodes with a selector match the Nodes of the input by label, and their addresses; either --host-network-pods mode', () => {
    const node = (name: string, role: string, address: string) => `apiVersion: v1
kind: Node
metadata: {name: ${name}, labels: {node-role.kubernetes.io/${role}: ""}}
status: {addresses: [{type: InternalIP, address: ${address}}]}
`;
    for (const mode of ['node', 'pod'] as const) {
      const w = world([
        ...BASE,
        node('cp-1', 'control-plane', '192.168.0.1'),
        node('worker-1', 'worker', '192.168.0.2'),
        `apiVersion: v1
kind: Pod
metadata: {name: agent-cp, namespace: shop, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: cp-1, containers: [{name: main, image: example/app}]}
status: {podIP: 192.168.0.1}
`,
        `apiVersion: v1
kind: Pod
metadata: {name: agent-worker, namespace: shop, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: worker-1, containers: [{name: main, image: example/app}]}
status: {podIP: 192.168.0.2}
`,
        anp('no-control-plane', 10, `  egress:
  - name: deny-control-plane
    action: Deny
    to: [{nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}}]
`),
      ], mode);
      expect(w.conn('shop/client', 'shop/agent-cp')).toBe('No Connections');
      expect(w.conn('shop/client', 'shop/agent-worker')).toBe('All Connections');
      expect(w.toIp('shop/client', '192.168.0.1')).toBe('No Connections');
      expect(w.toIp('shop/client', '192.168.0.2')).toBe('All Connections');
    }
  });

  it('AdminNetworkPolicy networks 0.0.0.0/0 covers host-network pods: their address is their node\'s', () => {
    const w = world([
      ...BASE,
      pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
      anp('no-internet', 10, `  egress:
  - name: deny-all-ipv4
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`),
    ]);
    expect(w.conn('shop/client', 'shop/agent')).toBe('No Connections');
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
  });

  it('a BaselineAdminNetworkPolicy not named default is rejected by the API server and left out', () => {
    const w = world([...BASE, `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: not-default}
spec:
  subject: {namespaces: {}}
  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
`]);
    expect(w.graph.adminPolicies).toEqual([]);
    expect(w.conn('shop/client', 'shop/web')).toBe('All Connections');
    expect(w.inputFindings.some((finding) => finding.message.includes('must be named default'))).toBe(true);
  });

  it('AdminNetworkPolicy egress networks naming a whole address family match every pod (pod-to-pod traffic too)', () => {
    const w = world([
      ...BASE,
      anp('deny-everything-out', 10, `  egress:
  - name: deny-all-v4
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`),
    ]);
    expect(w.conn('shop/client', 'shop/web')).toBe('No Connections');
    expect(w.toIp('shop/client', '198.51.100.7')).toBe('No Connections');
  });
});

describe('invalid input and workload naming', () => {
  it('invalid policies: a bad selector operator leaves the policy out and produces an input finding', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: shop}
spec:
  podSelector:
    matchExpressions: [{key: app, operator: Equals, values: [web]}]
  policyTypes: [Ingress]
`]);
    expect(w.graph.policies).toEqual([]);
    expect(w.conn('other/tool', 'shop/web')).toBe('All Connections');
    const findings = w.inputFindings.filter((finding) => finding.object?.name === 'broken');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'selector-invalid', severity: 'error', object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'broken' } });
    expect(findings[0].message).toContain("operator 'Equals'");
    expect(findings[0].message).toContain('leaves it out');
  });

  it('invalid policies: endPort below port leaves the policy out and produces an input finding', () => {
    const w = world([...BASE, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backwards, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: 9000, endPort: 8000}]
`]);
    expect(w.graph.policies).toEqual([]);
    expect(w.conn('other/tool', 'shop/web')).toBe('All Connections');
    const findings = w.inputFindings.filter((finding) => finding.object?.name === 'backwards');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'invalid-port-range', path: 'spec.ingress[0].ports[0].endPort' });
    expect(findings[0].message).toContain('endPort 8000 is below port 9000');
  });

  it('workload naming: a Deployment is ns/name[Deployment]; Pods owned by a ReplicaSet not in the manifests are ns/<replicaset>[ReplicaSet]; static and ownerless Pods are [Pod]', () => {
    const owned = (name: string, owner: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: {app: web, pod-template-hash: 5d8f}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: ${owner}, uid: u1, controller: true}
spec:
  containers: [{name: main, image: example/web}]
`;
    const w = world([
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: example/web}]
`,
      owned('web-5d8f-abcde', 'web-5d8f'),
      owned('web-5d8f-fghij', 'web-5d8f'),
      `apiVersion: v1
kind: Pod
metadata:
  name: etcd-node1
  namespace: kube-system
  ownerReferences: [{apiVersion: v1, kind: Node, name: node1, uid: u2, controller: true}]
spec:
  containers: [{name: etcd, image: etcd}]
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: shop}
spec:
  containers: [{name: main, image: busybox}]
`,
    ]);
    expect(w.graph.workloads.map((workload) => workload.id)).toEqual([
      'kube-system/etcd-node1[Pod]',
      'shop/lonely[Pod]',
      'shop/web-5d8f[ReplicaSet]',
      'shop/web[Deployment]',
    ]);
    const replicaSet = w.graph.workload('shop/web-5d8f[ReplicaSet]')!;
    expect(replicaSet.pods.map((p) => p.name)).toEqual(['web-5d8f-abcde', 'web-5d8f-fghij']);
    expect(replicaSet.replicas).toBe(2);
    expect(w.graph.workload('shop/web[Deployment]')!.replicas).toBe(3);
    // Identical pods are one class to the solver.
    expect(w.solver.classOf(replicaSet.pods[0])).toBe(w.solver.classOf(replicaSet.pods[1]));

    // A cluster dump (Deployment, its ReplicaSet, the Pods): one workload, under the Deployment.
    const dump = world([
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: example/web}]
`,
      `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u0, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: example/web}]
`,
      owned('web-5d8f-abcde', 'web-5d8f'),
      owned('web-5d8f-fghij', 'web-5d8f'),
    ]);
    expect(dump.graph.workloads.map((workload) => [workload.id, workload.pods.map((p) => p.name)])).toEqual([
      ['shop/web[Deployment]', ['web-5d8f-abcde', 'web-5d8f-fghij']],
    ]);
  });
});
