import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { changesTripping, diffConnectivity, type ConnectivityDiff } from '../../src/reach/diff.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatDiffCsv, formatDiffDot, formatDiffJson, formatDiffMarkdown, formatDiffMermaid, formatDiffText } from '../../src/report/diff-formats.js';

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: tools, labels: {team: tools}}
`;

function deployment(namespace: string, name: string, labels: Record<string, string>): string {
  return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: ${JSON.stringify(labels)}}
  template:
    metadata: {labels: ${JSON.stringify(labels)}}
    spec:
      containers: [{name: main, image: example/app, ports: [{containerPort: 8080, name: http}]}]
`;
}

const DENY_WEB = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {team: tools}}}]
      ports: [{port: 8080}]
`;

const WORKLOADS = deployment('shop', 'web', { app: 'web' }) + deployment('shop', 'client', { app: 'client' }) + deployment('tools', 'probe', { app: 'probe' });

function diff(before: string, after: string): ConnectivityDiff {
  const solver = (text: string, path: string) => new ReachabilitySolver(analyzeTexts([{ path, text }]).graph);
  return diffConnectivity(solver(before, 'old.yaml'), solver(after, 'new.yaml'));
}

function lines(result: ConnectivityDiff): string[] {
  return result.changes.map((change) => `${change.change} ${change.source.id} => ${change.destination.id} : ${change.before} -> ${change.after}`);
}

describe('diff', () => {
  it('reports no change between identical manifests', () => {
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS + DENY_WEB);
    expect(result.changes).toEqual([]);
    expect(formatDiffText(result)).toMatch(/^No change in connectivity\./);
  });

  it('a policy widened: the pair is changed, with the rule that allows the new ports', () => {
    const widened = DENY_WEB.replace('ports: [{port: 8080}]', 'ports: [{port: 8080}, {port: 9090}]');
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS + widened);
    expect(lines(result)).toEqual(['changed tools/probe[Deployment] => shop/web[Deployment] : TCP 8080 -> TCP 8080,9090']);
    expect(result.changes[0].allowedBy.join(' ')).toMatch(/shop\/web-ingress ingress\[0\] \(new\.yaml:\d+\)/);
    expect(changesTripping(result, 'added-any')).toHaveLength(1);
    expect(changesTripping(result, 'removed-any')).toHaveLength(0);
    // Narrowed back: what narrows it is named, not the rule that still allows the rest.
    const narrowed = diff(NAMESPACES + WORKLOADS + widened, NAMESPACES + WORKLOADS + DENY_WEB);
    expect(lines(narrowed)).toEqual(['changed tools/probe[Deployment] => shop/web[Deployment] : TCP 8080,9090 -> TCP 8080']);
    expect(narrowed.changes[0].allowedBy).toEqual([]);
    expect(narrowed.changes[0].deniedBy).toEqual([expect.stringMatching(/^ingress isolated by shop\/web-ingress \(new\.yaml:\d+\)$/)]);
  });

  it('a ClusterNetworkPolicy that denies: the removed connection names the rule that denies it', () => {
    const deny = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-tools}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {matchLabels: {team: shop}}}
  ingress:
  - name: deny-tools
    action: Deny
    from: [{namespaces: {matchLabels: {team: tools}}}]
`;
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS + DENY_WEB + deny);
    expect(lines(result)).toEqual([
      'removed tools/probe[Deployment] => shop/client[Deployment] : All Connections -> No Connections',
      'removed tools/probe[Deployment] => shop/web[Deployment] : TCP 8080 -> No Connections',
    ]);
    expect(result.changes[0].deniedBy).toEqual([expect.stringMatching(/^ingress denied by ClusterNetworkPolicy no-tools "deny-tools" \(new\.yaml:\d+\)$/)]);
    expect(result.changes[1].deniedBy).toEqual([
      expect.stringMatching(/^ingress isolated by shop\/web-ingress \(new\.yaml:\d+\)$/),
      expect.stringMatching(/^ingress denied by ClusterNetworkPolicy no-tools "deny-tools" \(new\.yaml:\d+\)$/),
    ]);
  });

  it('a namespace label changed: its pods lose what the namespaceSelector gave them', () => {
    const relabelled = NAMESPACES.replace('labels: {team: tools}', 'labels: {team: ops}');
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, relabelled + WORKLOADS + DENY_WEB);
    expect(lines(result)).toEqual(['removed tools/probe[Deployment] => shop/web[Deployment] : TCP 8080 -> No Connections']);
    expect(result.changes[0].deniedBy).toEqual([expect.stringMatching(/^ingress isolated by shop\/web-ingress \(new\.yaml:\d+\)$/)]);
    expect(changesTripping(result, 'removed-any')).toHaveLength(1);
  });

  it('a workload relabelled: the policy no longer selects it, so it opens to everyone', () => {
    const after = WORKLOADS.replace(/app":"web"/g, 'app":"frontend"');
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + after + DENY_WEB);
    expect(lines(result)).toEqual([
      'added 0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : No Connections -> All Connections',
      'added shop/client[Deployment] => shop/web[Deployment] : No Connections -> All Connections',
      'changed tools/probe[Deployment] => shop/web[Deployment] : TCP 8080 -> All Connections',
    ]);
    expect(changesTripping(result, 'added-external-ingress')).toHaveLength(1);
  });

  it('a policy deleted: what it denied opens', () => {
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS);
    expect(result.changes.map((change) => change.change)).toEqual(['added', 'added', 'changed']);
    expect(result.changes.every((change) => change.destination.id === 'shop/web[Deployment]')).toBe(true);
  });

  it('cluster DNS outside the manifests: a change that takes lookups away (or gives them back) is a change, towards the same hypothetical DNS pod on both sides', () => {
    const dns = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    const solver = (text: string, path: string) => new ReachabilitySolver(analyzeTexts([{ path, text }]).graph);
    const egressDeny = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
`;
    const allowDns = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
`;
    const withDns = NAMESPACES + WORKLOADS + egressDeny + allowDns;
    const withoutDns = NAMESPACES + WORKLOADS + egressDeny;
    // Deleting the DNS policy changes no connection between workloads: only the lookups.
    const deleted = diffConnectivity(solver(withDns, 'old.yaml'), solver(withoutDns, 'new.yaml'), { clusterDns: dns });
    expect(lines(deleted)).toEqual([
      'removed shop/client[Deployment] => cluster DNS (kube-system pods k8s-app=kube-dns) : TCP 53,UDP 53 -> No Connections',
      'removed shop/web[Deployment] => cluster DNS (kube-system pods k8s-app=kube-dns) : TCP 53,UDP 53 -> No Connections',
    ]);
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
    expect(deleted.changes[0].deniedBy).toEqual([`egress isolated by shop/default-deny (new.yaml:${lineOf(withoutDns, 'name: default-deny')})`]);
    expect(changesTripping(deleted, 'removed-any')).toHaveLength(2);
    const restored = diffConnectivity(solver(withoutDns, 'old.yaml'), solver(withDns, 'new.yaml'), { clusterDns: dns });
    expect(restored.changes.map((change) => `${change.change} ${change.source.id}: ${change.allowedBy.join('; ')}`)).toEqual([
      `added shop/client[Deployment]: shop/allow-dns egress[0] (new.yaml:${lineOf(withDns, '- to: [{namespaceSelector')}); destination not isolated for ingress`,
      `added shop/web[Deployment]: shop/allow-dns egress[0] (new.yaml:${lineOf(withDns, '- to: [{namespaceSelector')}); destination not isolated for ingress`,
    ]);
    // Narrowed to UDP: changed. Without the option, or with DNS pods in the manifests, no lookup line.
    const udpOnly = diffConnectivity(solver(withDns, 'old.yaml'), solver(withDns.replace(', {port: 53, protocol: TCP}', ''), 'new.yaml'), { clusterDns: dns });
    expect(lines(udpOnly)[0]).toBe('changed shop/client[Deployment] => cluster DNS (kube-system pods k8s-app=kube-dns) : TCP 53,UDP 53 -> UDP 53');
    expect(diffConnectivity(solver(withDns, 'old.yaml'), solver(withoutDns, 'new.yaml')).changes).toEqual([]);
    const coredns = deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
    const real = diffConnectivity(solver(withDns + coredns, 'old.yaml'), solver(withoutDns + coredns, 'new.yaml'), { clusterDns: dns });
    expect(lines(real).filter((line) => line.includes('cluster DNS'))).toEqual([]);
    expect(lines(real)).toContain('removed shop/web[Deployment] => kube-system/coredns[Deployment] : TCP 53,UDP 53 -> No Connections');
    // DNS on one side only (the change adds CoreDNS and drops the DNS policy): each side towards its own DNS, under one peer.
    const oneSided = diffConnectivity(solver(withDns, 'old.yaml'), solver(withoutDns + coredns, 'new.yaml'), { clusterDns: dns });
    expect(lines(oneSided).filter((line) => line.includes('cluster DNS'))).toEqual([
      'removed shop/client[Deployment] => cluster DNS (kube-system pods k8s-app=kube-dns) : TCP 53,UDP 53 -> No Connections',
      'removed shop/web[Deployment] => cluster DNS (kube-system pods k8s-app=kube-dns) : TCP 53,UDP 53 -> No Connections',
    ]);
    expect(oneSided.changes.find((change) => change.destination.id.startsWith('cluster DNS'))?.deniedBy).toEqual([`egress isolated by shop/default-deny (new.yaml:${lineOf(withoutDns, 'name: default-deny')})`]);
  });

  it('a workload added or removed is listed, and so are the connections it opens or closes', () => {
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS + DENY_WEB + deployment('tools', 'debug', { app: 'debug' }));
    expect(result.addedWorkloads.map((workload) => workload.id)).toEqual(['tools/debug[Deployment]']);
    const opened = result.changes.filter((change) => change.source.id === 'tools/debug[Deployment]' || change.destination.id === 'tools/debug[Deployment]');
    expect(opened.length).toBe(result.changes.length);
    expect(lines(result)).toContain('added tools/debug[Deployment] => shop/web[Deployment] : No Connections -> TCP 8080');
    expect(lines(result)).toContain('added 0.0.0.0-255.255.255.255[External] => tools/debug[Deployment] : No Connections -> All Connections');
    expect(result.changes.every((change) => change.change === 'added' && change.workloadsOnOneSide?.includes('tools/debug[Deployment]'))).toBe(true);
    const removed = diff(NAMESPACES + WORKLOADS + DENY_WEB + deployment('tools', 'debug', { app: 'debug' }), NAMESPACES + WORKLOADS + DENY_WEB);
    expect(removed.removedWorkloads.map((workload) => workload.id)).toEqual(['tools/debug[Deployment]']);
    expect(removed.changes.length).toBe(result.changes.length);
    expect(removed.changes.every((change) => change.change === 'removed' && change.deniedBy?.length === 0)).toBe(true);
    expect(changesTripping(removed, 'removed-any')).toHaveLength(removed.changes.length);
  });

  // Issue 18: a brand-new internet-facing workload passed every gate with exit 0, and so did a
  // workload renamed (one removed, one added) whose new name no policy selects.
  it('a new or renamed internet-facing workload trips added-external-ingress, added-any and changed-any', () => {
    const isolated = NAMESPACES + WORKLOADS + DENY_WEB;
    const added = diff(isolated, isolated + deployment('shop', 'admin', { app: 'admin' }));
    const renamed = diff(isolated, NAMESPACES + WORKLOADS.replace('name: web,', 'name: web-v2,').replace(/app":"web"/g, 'app":"web2"') + DENY_WEB);
    for (const result of [added, renamed]) {
      expect(changesTripping(result, 'added-external-ingress').length).toBeGreaterThan(0);
      expect(changesTripping(result, 'added-any').length).toBeGreaterThan(0);
      expect(changesTripping(result, 'changed-any').length).toBeGreaterThan(0);
      const csv = formatDiffCsv(result).split('\n');
      expect(csv.some((line) => line.startsWith('added,0.0.0.0-255.255.255.255[External],shop/'))).toBe(true);
    }
    expect(renamed.removedWorkloads.map((workload) => workload.id)).toEqual(['shop/web[Deployment]']);
    expect(renamed.addedWorkloads.map((workload) => workload.id)).toEqual(['shop/web-v2[Deployment]']);
    expect(formatDiffText(added)).toContain('+ 0.0.0.0-255.255.255.255[External] => shop/admin[Deployment] : All Connections  (workload shop/admin[Deployment] added)');
  });

  it('cuts both sides at the same external boundaries, so an ipBlock change shows as ranges', () => {
    const egress = (cidr: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: ${cidr}}}]}]
`;
    const result = diff(NAMESPACES + WORKLOADS + egress('10.0.0.0/8'), NAMESPACES + WORKLOADS + egress('10.0.0.0/16'));
    expect(lines(result)).toEqual(['removed shop/client[Deployment] => 10.1.0.0-10.255.255.255[External] : All Connections -> No Connections']);
  });

  it('formats the same changes as text, JSON, Markdown and CSV', () => {
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES + WORKLOADS);
    expect(formatDiffText(result).split('\n').filter((line) => /^[+~-] /.test(line))).toHaveLength(3);
    const json = JSON.parse(formatDiffJson(result)) as { connections: { change: string; src: string; dst: string }[] };
    expect(json.connections.map((entry) => entry.change)).toEqual(['added', 'added', 'changed']);
    expect(formatDiffMarkdown(result)).toMatch(/^### Connectivity changes\n/);
    expect(formatDiffMarkdown(result).split('\n').filter((line) => line.startsWith('| + ') || line.startsWith('| ~ '))).toHaveLength(3);
    expect(formatDiffCsv(result).split('\n')[0]).toBe('change,src,dst,before,after,workloads');
  });

  it('draws added edges green and removed ones red in DOT and Mermaid', () => {
    const after = NAMESPACES.replace('labels: {team: tools}', 'labels: {team: ops}') + WORKLOADS;
    const result = diff(NAMESPACES + WORKLOADS + DENY_WEB, after);
    const dot = formatDiffDot(result);
    expect(dot).toMatch(/^digraph connectivity_diff \{/);
    expect((dot.match(/^ {2}n\d+ -> n\d+ /gm) ?? []).length).toBe(result.changes.length);
    expect(dot).toMatch(/color=darkgreen/);
    const mermaid = formatDiffMermaid(result);
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect((mermaid.match(/linkStyle \d+ stroke:/g) ?? []).length).toBe(result.changes.length);
    const removed = diff(NAMESPACES + WORKLOADS + DENY_WEB, NAMESPACES.replace('labels: {team: tools}', 'labels: {team: ops}') + WORKLOADS + DENY_WEB);
    expect(formatDiffDot(removed)).toMatch(/color=red.*style=dashed/);
    expect(formatDiffMermaid(removed)).toMatch(/-\.->/);
  });
});
