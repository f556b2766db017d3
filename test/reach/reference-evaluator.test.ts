import { describe, it, expect } from '@jest/globals';
import { referenceAllows, type RefCluster, type RefPeer, type RefProtocol } from './reference-evaluator.js';

// ---------------------------------------------------------------------------------------------
// Tiny object builders: plain Kubernetes objects, as parsed from YAML.

type Obj = Record<string, unknown>;
interface PortSpec { name?: string; containerPort: number; protocol?: RefProtocol }

function namespace(name: string, labels?: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

function pod(key: string, labels: Record<string, string>, options: { ports?: PortSpec[][]; hostNetwork?: boolean } = {}): Obj {
  const [ns, name] = key.split('/');
  const containers = (options.ports ?? [[]]).map((ports, index) => ({ name: `c${index}`, image: 'img', ...(ports.length ? { ports } : {}) }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, labels },
    spec: { ...(options.hostNetwork !== undefined ? { hostNetwork: options.hostNetwork } : {}), containers },
  };
}

function policy(key: string, spec: Obj): Obj {
  const [ns, name] = key.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec };
}

function cluster(policies: Obj[], extra: { namespaces?: Obj[]; pods?: Obj[] } = {}): RefCluster {
  return {
    namespaces: extra.namespaces ?? [namespace('prod', { team: 'a', env: 'prod' }), namespace('dev', { team: 'b' })],
    pods: extra.pods ?? [
      pod('prod/web', { app: 'web', tier: 'fe' }, { ports: [[{ name: 'http', containerPort: 8080 }]] }),
      pod('prod/db', { app: 'db', tier: 'be' }, { ports: [[{ name: 'sql', containerPort: 5432 }], [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]] }),
      pod('dev/client', { app: 'client' }),
      // Namespace "other" is not declared: it has only kubernetes.io/metadata.name.
      pod('other/probe', { app: 'probe' }),
      pod('prod/node-agent', { app: 'web' }, { hostNetwork: true, ports: [[{ name: 'http', containerPort: 8080 }]] }),
    ],
    policies,
  };
}

function peer(text: string): RefPeer {
  return text.includes('/') ? { pod: text } : { ip: text };
}

function allows(c: RefCluster, src: string, dst: string, protocol: RefProtocol = 'TCP', port = 8080): boolean {
  return referenceAllows(c, peer(src), peer(dst), protocol, port);
}

const DENY_ALL_INGRESS = { podSelector: {}, policyTypes: ['Ingress'] };
const DENY_ALL_EGRESS = { podSelector: {}, policyTypes: ['Egress'] };

// ---------------------------------------------------------------------------------------------

describe('reference evaluator: isolation', () => {
  it('no policy: every pod reaches every pod and address', () => {
    const c = cluster([]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'prod/web', '203.0.113.7', 'UDP', 1)).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/db', 'SCTP', 65535)).toBe(true);
  });

  it('podSelector {} selects every pod of the policy namespace', () => {
    const c = cluster([policy('prod/deny', DENY_ALL_INGRESS)]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'dev/client', 'prod/db')).toBe(false);
  });

  it('a policy isolates only pods of its own namespace', () => {
    const c = cluster([policy('prod/deny', DENY_ALL_INGRESS)]);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(true);
    expect(allows(c, 'prod/web', 'other/probe')).toBe(true);
  });

  it('a policy whose podSelector does not match the pod does not isolate it', () => {
    const c = cluster([policy('prod/deny-db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })]);
    expect(allows(c, 'dev/client', 'prod/db')).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
  });

  it('policyTypes missing: Ingress only when there are no egress rules', () => {
    const c = cluster([policy('prod/p', { podSelector: {} })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(true);
  });

  it('policyTypes missing with at least one egress rule: Ingress and Egress', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(false);
    expect(allows(c, 'prod/web', '10.1.2.3')).toBe(true);
    expect(allows(c, 'prod/web', '11.0.0.1')).toBe(false);
  });

  it('egress: [] without policyTypes does not isolate for egress', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, egress: [] })]);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(true);
    expect(allows(c, 'prod/web', '203.0.113.7')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
  });

  it('policyTypes: [] is defaulted like a missing policyTypes', () => {
    const withEmpty = cluster([policy('prod/p', { podSelector: {}, policyTypes: [] })]);
    expect(allows(withEmpty, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(withEmpty, 'prod/web', 'dev/client')).toBe(true);
    const withEgressRule = cluster([policy('prod/p', { podSelector: {}, policyTypes: [], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
    expect(allows(withEgressRule, 'prod/web', 'dev/client', 'TCP', 80)).toBe(false);
    expect(allows(withEgressRule, 'prod/web', 'dev/client', 'UDP', 53)).toBe(true);
  });

  it('policyTypes [Egress]: ingress rules are ignored and ingress is not isolated', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {}, policyTypes: ['Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nothing' } } }] }],
    })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(false);
  });

  it('policyTypes [Ingress] with egress rules: egress rules are ignored and egress is not isolated', () => {
    const c = cluster([
      policy('prod/p', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      policy('prod/q', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] }),
    ]);
    // Only q's egress rule counts: 10.x is not allowed by the Ingress-only policy p.
    expect(allows(c, 'prod/web', '10.1.1.1')).toBe(false);
    expect(allows(c, 'prod/web', '192.168.1.1')).toBe(true);
  });

  it('policyTypes [Ingress, Egress] without rules denies both directions', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/web', 'prod/web')).toBe(false);
  });

  it('policies are additive: a rule of any selecting policy allows', () => {
    const c = cluster([
      policy('prod/deny', DENY_ALL_INGRESS),
      policy('prod/allow-dev', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] }),
    ]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/db')).toBe(false);
  });

  it('pod to pod needs both the source egress side and the destination ingress side', () => {
    const egressOnly = cluster([
      policy('dev/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] }),
      policy('prod/deny', DENY_ALL_INGRESS),
    ]);
    expect(allows(egressOnly, 'dev/client', 'prod/web')).toBe(false);
    const ingressOnly = cluster([
      policy('dev/deny', DENY_ALL_EGRESS),
      policy('prod/ingress', { podSelector: {}, ingress: [{}] }),
    ]);
    expect(allows(ingressOnly, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(ingressOnly, 'other/probe', 'prod/web')).toBe(true);
  });

  it('a pod to itself is governed by the same rules', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })]);
    expect(allows(c, 'prod/web', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/db', 'prod/db')).toBe(true);
  });
});

describe('reference evaluator: peers', () => {
  it('from missing matches every pod and every address', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'other/probe', 'prod/web')).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/web')).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/web', 'TCP', 80)).toBe(false);
  });

  it('from: [] matches every pod and every address', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [] }] })]);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 9)).toBe(true);
    expect(allows(c, '1.2.3.4', 'prod/web', 'UDP', 53)).toBe(true);
  });

  it('to: [] matches every pod and every address', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [] }] })]);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(true);
    expect(allows(c, 'prod/web', '8.8.8.8', 'UDP', 53)).toBe(true);
  });

  it('ingress: [{}] allows everything', () => {
    const c = cluster([policy('prod/deny', DENY_ALL_INGRESS), policy('prod/all', { podSelector: {}, ingress: [{}] })]);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 1)).toBe(true);
    expect(allows(c, '0.0.0.1', 'prod/db', 'SCTP', 65535)).toBe(true);
  });

  it('podSelector-only peer matches pods of the policy namespace only', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, '10.0.0.1', 'prod/web')).toBe(false);
  });

  it('namespaceSelector-only peer matches every pod of the matching namespaces', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(false);
    expect(allows(c, 'other/probe', 'prod/web')).toBe(false);
  });

  it('namespaceSelector {} matches pods of all namespaces but no address', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'other/probe', 'prod/web')).toBe(true);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/web')).toBe(false);
  });

  it('namespaceSelector and podSelector in one peer are ANDed', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'db' } } }] }],
    })]);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/web', 'prod/web')).toBe(false);
  });

  it('namespaceSelector and podSelector as two peers are ORed', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'db' } } }] }],
    })]);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
    expect(allows(c, 'prod/web', 'prod/web')).toBe(false);
  });

  it('ipBlock matches addresses in cidr and outside every except, boundaries included', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })]);
    expect(allows(c, '10.0.0.0', 'prod/web')).toBe(true);
    expect(allows(c, '10.255.255.255', 'prod/web')).toBe(true);
    expect(allows(c, '11.0.0.0', 'prod/web')).toBe(false);
    expect(allows(c, '9.255.255.255', 'prod/web')).toBe(false);
    expect(allows(c, '10.1.0.0', 'prod/web')).toBe(false);
    expect(allows(c, '10.1.255.255', 'prod/web')).toBe(false);
    expect(allows(c, '10.2.0.0', 'prod/web')).toBe(true);
    expect(allows(c, '10.0.255.255', 'prod/web')).toBe(true);
  });

  it('ipBlock 0.0.0.0/0 matches every address but no pod', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
    expect(allows(c, '255.255.255.255', 'prod/web')).toBe(true);
    expect(allows(c, '0.0.0.0', 'prod/web')).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
    expect(allows(c, 'prod/db', 'prod/web')).toBe(false);
  });

  it('namespace labels: declared labels plus the automatic kubernetes.io/metadata.name', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev', team: 'b' } } }] }],
    })]);
    expect(allows(c, 'dev/client', 'prod/web')).toBe(true);
  });

  it('an undeclared namespace has only the automatic kubernetes.io/metadata.name label', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {},
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }], ports: [{ port: 8080 }] },
        { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }], ports: [{ port: 9000 }] },
        { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }], ports: [{ port: 7000 }] },
      ],
    })]);
    expect(allows(c, 'other/probe', 'prod/web', 'TCP', 8080)).toBe(true);
    expect(allows(c, 'other/probe', 'prod/web', 'TCP', 9000)).toBe(true);
    expect(allows(c, 'other/probe', 'prod/web', 'TCP', 7000)).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 7000)).toBe(true);
  });

  it('a namespace object cannot override the automatic name label', () => {
    const c = cluster([policy('prod/p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'fake' } } }] }],
    })], {
      namespaces: [namespace('prod'), namespace('dev', { 'kubernetes.io/metadata.name': 'fake' })],
    });
    expect(allows(c, 'dev/client', 'prod/web')).toBe(false);
  });
});

describe('reference evaluator: label selectors', () => {
  const only = (selector: Obj) => cluster([policy('prod/p', { podSelector: selector, policyTypes: ['Ingress'] })]);
  const isolated = (c: RefCluster, target: string) => !allows(c, 'dev/client', target);

  it('matchLabels and matchExpressions are ANDed', () => {
    const c = only({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] });
    expect(isolated(c, 'prod/web')).toBe(true);
    const d = only({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['be'] }] });
    expect(isolated(d, 'prod/web')).toBe(false);
  });

  it('In needs the key present with one of the values', () => {
    const c = only({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'x'] }] });
    expect(isolated(c, 'prod/web')).toBe(true);
    expect(isolated(c, 'prod/db')).toBe(false);
  });

  it('NotIn on a missing key matches', () => {
    const c = only({ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }] });
    expect(isolated(c, 'prod/web')).toBe(true);
    expect(isolated(c, 'prod/db')).toBe(true);
  });

  it('NotIn excludes a present key with a listed value', () => {
    const c = only({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db', 'x'] }] });
    expect(isolated(c, 'prod/web')).toBe(true);
    expect(isolated(c, 'prod/db')).toBe(false);
  });

  it('Exists and DoesNotExist look only at key presence', () => {
    const exists = only({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] });
    expect(isolated(exists, 'prod/web')).toBe(true);
    const absent = only({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] });
    expect(isolated(absent, 'prod/web')).toBe(false);
    const missing = only({ matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] });
    expect(isolated(missing, 'prod/db')).toBe(true);
  });

  it('an unknown operator is rejected rather than guessed', () => {
    const c = only({ matchExpressions: [{ key: 'app', operator: 'in', values: ['web'] }] });
    expect(() => allows(c, 'dev/client', 'prod/web')).toThrow(/operator/);
  });
});

describe('reference evaluator: ports', () => {
  const ingressPorts = (ports: unknown) => cluster([policy('prod/p', { podSelector: {}, ingress: [{ ...(ports === undefined ? {} : { ports }) }] })]);

  it('ports missing: every port of every protocol', () => {
    const c = ingressPorts(undefined);
    for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
      expect(allows(c, 'dev/client', 'prod/web', protocol, 1)).toBe(true);
      expect(allows(c, 'dev/client', 'prod/web', protocol, 65535)).toBe(true);
    }
  });

  it('ports: [] means every port of every protocol', () => {
    const c = ingressPorts([]);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 4242)).toBe(true);
  });

  it('port entry protocol defaults to TCP', () => {
    const c = ingressPorts([{ port: 53 }]);
    expect(allows(c, 'dev/client', 'prod/db', 'TCP', 53)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/db', 'UDP', 53)).toBe(false);
  });

  it('port entry without port: every port of its protocol only', () => {
    const c = ingressPorts([{ protocol: 'UDP' }]);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 1)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 65535)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 80)).toBe(false);
  });

  it('numeric port without endPort matches exactly that port', () => {
    const c = ingressPorts([{ protocol: 'SCTP', port: 9090 }]);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 9090)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 9089)).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 9091)).toBe(false);
  });

  it('endPort makes an inclusive range', () => {
    const c = ingressPorts([{ port: 8000, endPort: 8080 }]);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 7999)).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 8000)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 8042)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 8080)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 8081)).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 8042)).toBe(false);
  });

  it('several port entries are ORed', () => {
    const c = ingressPorts([{ port: 80 }, { protocol: 'UDP', port: 53 }]);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 80)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 53)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 53)).toBe(false);
  });

  it('named port (ingress) resolves on the destination pod', () => {
    const c = ingressPorts([{ port: 'http' }]);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 8080)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 80)).toBe(false);
    // prod/db has no port called http.
    expect(allows(c, 'dev/client', 'prod/db', 'TCP', 8080)).toBe(false);
  });

  it('named port (egress) resolves on the destination pod, not the source', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'sql' }, { port: 'http' }] }] })]);
    // prod/web has http=8080 itself, but the destination dev/client has no named ports.
    expect(allows(c, 'prod/web', 'dev/client', 'TCP', 8080)).toBe(false);
    expect(allows(c, 'prod/web', 'prod/db', 'TCP', 5432)).toBe(true);
    expect(allows(c, 'prod/db', 'prod/web', 'TCP', 8080)).toBe(true);
    expect(allows(c, 'prod/db', 'prod/web', 'TCP', 5432)).toBe(false);
  });

  it('named port needs the container port protocol to equal the entry protocol', () => {
    // prod/db: dns is 53/UDP.
    const tcp = ingressPorts([{ port: 'dns' }]);
    expect(allows(tcp, 'dev/client', 'prod/db', 'TCP', 53)).toBe(false);
    expect(allows(tcp, 'dev/client', 'prod/db', 'UDP', 53)).toBe(false);
    const udp = ingressPorts([{ protocol: 'UDP', port: 'dns' }]);
    expect(allows(udp, 'dev/client', 'prod/db', 'UDP', 53)).toBe(true);
    // sql is declared without protocol: TCP.
    const sqlUdp = ingressPorts([{ protocol: 'UDP', port: 'sql' }]);
    expect(allows(sqlUdp, 'dev/client', 'prod/db', 'UDP', 5432)).toBe(false);
    expect(allows(sqlUdp, 'dev/client', 'prod/db', 'TCP', 5432)).toBe(false);
  });

  it('named port resolves across all containers of the destination pod', () => {
    const c = ingressPorts([{ protocol: 'UDP', port: 'dns' }, { port: 'sql' }]);
    expect(allows(c, 'dev/client', 'prod/db', 'TCP', 5432)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/db', 'UDP', 53)).toBe(true);
  });

  it('named port matches nothing for egress to an address', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })]);
    expect(allows(c, 'prod/web', '203.0.113.7', 'TCP', 8080)).toBe(false);
    expect(allows(c, 'prod/db', 'prod/web', 'TCP', 8080)).toBe(true);
  });

  it('named port for ingress from an address resolves on the destination pod', () => {
    const c = cluster([policy('prod/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }] })]);
    expect(allows(c, '203.0.113.7', 'prod/web', 'TCP', 8080)).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/web', 'TCP', 8081)).toBe(false);
  });

  it('SCTP is a protocol of its own', () => {
    const c = ingressPorts([{ protocol: 'SCTP' }]);
    expect(allows(c, 'dev/client', 'prod/web', 'SCTP', 9090)).toBe(true);
    expect(allows(c, 'dev/client', 'prod/web', 'TCP', 9090)).toBe(false);
    expect(allows(c, 'dev/client', 'prod/web', 'UDP', 9090)).toBe(false);
  });
});

describe('reference evaluator: host network and addresses', () => {
  it('hostNetwork pod is never isolated for ingress', () => {
    const c = cluster([policy('prod/deny', DENY_ALL_INGRESS)]);
    expect(allows(c, 'dev/client', 'prod/node-agent')).toBe(true);
    expect(allows(c, '203.0.113.7', 'prod/node-agent')).toBe(true);
  });

  it('hostNetwork pod is never isolated for egress', () => {
    const c = cluster([policy('prod/deny', DENY_ALL_EGRESS)]);
    expect(allows(c, 'prod/node-agent', 'dev/client')).toBe(true);
    expect(allows(c, 'prod/node-agent', '203.0.113.7')).toBe(true);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(false);
  });

  it('hostNetwork pod as a peer is not matched by podSelector or namespaceSelector', () => {
    const c = cluster([policy('dev/p', {
      podSelector: {},
      ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }, { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }] }],
    }), policy('prod/e', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }],
    })]);
    expect(allows(c, 'prod/web', 'dev/client')).toBe(true);
    expect(allows(c, 'prod/node-agent', 'dev/client')).toBe(false);
    // Egress of prod/web towards the host-network pod is not matched by namespaceSelector {}.
    expect(allows(c, 'prod/web', 'prod/node-agent')).toBe(false);
    expect(allows(c, 'prod/web', 'prod/db')).toBe(true);
  });

  it('hostNetwork pod as a peer is not matched by ipBlock either', () => {
    const c = cluster([policy('dev/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
    expect(allows(c, 'prod/node-agent', 'dev/client')).toBe(false);
  });

  it('hostNetwork pod as a peer is matched by a rule with from/to missing or empty', () => {
    const c = cluster([
      policy('dev/missing', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] }),
      policy('dev/empty', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 9090 }] }] }),
      policy('prod/e', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [] }] }),
    ]);
    expect(allows(c, 'prod/node-agent', 'dev/client', 'TCP', 8080)).toBe(true);
    expect(allows(c, 'prod/node-agent', 'dev/client', 'TCP', 9090)).toBe(true);
    expect(allows(c, 'prod/node-agent', 'dev/client', 'TCP', 7070)).toBe(false);
    expect(allows(c, 'prod/web', 'prod/node-agent', 'UDP', 1)).toBe(true);
  });

  it('address to pod needs only the pod ingress side', () => {
    const c = cluster([
      policy('prod/deny-egress', DENY_ALL_EGRESS),
      policy('prod/in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] }),
    ]);
    expect(allows(c, '192.168.3.4', 'prod/web')).toBe(true);
    expect(allows(c, '10.0.0.1', 'prod/web')).toBe(false);
  });

  it('pod to address needs only the pod egress side', () => {
    const c = cluster([
      policy('prod/deny-ingress', DENY_ALL_INGRESS),
      policy('prod/out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }] }] }),
    ]);
    expect(allows(c, 'prod/web', '10.1.3.4')).toBe(true);
    expect(allows(c, 'prod/web', '10.1.2.4')).toBe(false);
    expect(allows(c, 'prod/web', '10.2.0.1')).toBe(false);
  });

  it('egress pod selectors do not match addresses and ipBlock does not match pods', () => {
    const c = cluster([policy('prod/out', {
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: {} }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }],
    })]);
    expect(allows(c, 'prod/web', '8.8.8.8', 'TCP', 80)).toBe(false);
    expect(allows(c, 'prod/web', '8.8.8.8', 'TCP', 443)).toBe(true);
    expect(allows(c, 'prod/web', 'dev/client', 'TCP', 80)).toBe(true);
  });
});

describe('reference evaluator: inputs', () => {
  it('rejects ports outside 1-65535, unknown pods and address-to-address questions', () => {
    const c = cluster([]);
    expect(() => allows(c, 'dev/client', 'prod/web', 'TCP', 0)).toThrow();
    expect(() => allows(c, 'dev/client', 'prod/web', 'TCP', 65536)).toThrow();
    expect(() => allows(c, 'dev/nobody', 'prod/web')).toThrow();
    expect(() => allows(c, '1.2.3.4', '5.6.7.8')).toThrow();
  });

  it('a pod or policy without metadata.namespace is in namespace default', () => {
    const c: RefCluster = {
      namespaces: [],
      pods: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: 'x' } }, spec: { containers: [] } }],
      policies: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {} } }],
    };
    expect(referenceAllows(c, { ip: '1.2.3.4' }, { pod: 'default/a' }, 'TCP', 80)).toBe(false);
  });
});

describe('reference evaluator: the Network Policy API tiers', () => {
  const base = cluster([], {
    pods: [
      pod('prod/web', { app: 'web' }, { ports: [[{ name: 'http', containerPort: 8080 }]] }),
      pod('dev/client', { app: 'client' }),
    ],
  });
  const admin = (name: string, priority: number, ingress: Obj[]): Obj => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name },
    spec: { priority, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }, ingress },
  });
  const fromDev = [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }];
  const denyAll = policy('prod/deny', { podSelector: {}, policyTypes: ['Ingress'] });
  const allows = (c: RefCluster, port = 8080) => referenceAllows(c, { pod: 'dev/client' }, { pod: 'prod/web' }, 'TCP', port);

  it('an Allow in the Admin tier wins over NetworkPolicy; a Pass hands over to it', () => {
    expect(allows({ ...base, policies: [denyAll], clusterPolicies: [admin('a', 1, [{ action: 'Allow', from: fromDev }])] })).toBe(true);
    expect(allows({ ...base, policies: [denyAll], clusterPolicies: [admin('a', 1, [{ action: 'Pass', from: fromDev }]), admin('b', 2, [{ action: 'Allow', from: fromDev }])] })).toBe(false);
  });

  it('lower priority first, equal priorities by name; the first matching rule decides', () => {
    const allow = admin('b', 1, [{ action: 'Allow', from: fromDev }]);
    const deny = admin('a', 1, [{ action: 'Deny', from: fromDev, ports: [{ portNumber: { port: 8080 } }] }, { action: 'Allow', from: fromDev }]);
    expect(allows({ ...base, clusterPolicies: [allow, deny] })).toBe(false);
    expect(allows({ ...base, clusterPolicies: [allow, deny] }, 9090)).toBe(true);
  });

  it('the Baseline tier applies to pods NetworkPolicy does not isolate; a ClusterNetworkPolicy Pass there means allowed', () => {
    const baseline = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } };
    expect(allows({ ...base, clusterPolicies: [baseline] })).toBe(false);
    expect(allows({ ...base, policies: [policy('prod/all', { podSelector: {}, ingress: [{}] })], clusterPolicies: [baseline] })).toBe(true);
    const pass = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'p' },
      spec: { tier: 'Baseline', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] } };
    expect(allows({ ...base, clusterPolicies: [pass, baseline] })).toBe(true);
  });

  it('networks match pod addresses; nodes match the host-network pods of matching Nodes', () => {
    const c: RefCluster = {
      ...base,
      pods: [
        pod('prod/web', { app: 'web' }),
        { ...pod('dev/client', { app: 'client' }), status: { podIP: '10.1.2.3' } },
        { ...pod('dev/agent', { app: 'agent' }, { hostNetwork: true }), spec: { hostNetwork: true, nodeName: 'n1', containers: [] } },
      ],
      nodes: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }] } }],
      clusterPolicies: [{
        apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'e' },
        spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [
          { action: 'Deny', to: [{ networks: ['10.1.2.0/24'] }] },
          { action: 'Deny', to: [{ nodes: { matchLabels: { zone: 'a' } } }] },
        ] },
      }],
    };
    expect(referenceAllows(c, { pod: 'prod/web' }, { pod: 'dev/client' }, 'TCP', 80)).toBe(false);
    expect(referenceAllows(c, { pod: 'prod/web' }, { pod: 'dev/agent' }, 'TCP', 80)).toBe(false);
    expect(referenceAllows(c, { pod: 'prod/web' }, { ip: '192.168.0.1' }, 'TCP', 80)).toBe(false);
    expect(referenceAllows(c, { pod: 'prod/web' }, { ip: '192.168.0.2' }, 'TCP', 80)).toBe(true);
    // Host-network pods are no subject: the agent's own egress is not restricted.
    expect(referenceAllows(c, { pod: 'dev/agent' }, { ip: '10.1.2.9' }, 'TCP', 80)).toBe(true);
  });
});
