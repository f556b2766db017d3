#!/usr/bin/env node
// Adds cluster-wide policies to a tree written by ../shared/tools/gen-cluster.mjs, for the bench's
// set with cluster policies: AdminNetworkPolicies and a BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1), or the same rules as ClusterNetworkPolicies (v1alpha2,
// tiers Admin and Baseline). The generator in ../shared/tools is shared by every helper and is not
// changed; this reads the namespaces it wrote (generated-namespaces.mjs: their `team` labels) and writes one more
// folder, `cluster-policies/`, with a file per team.
//
// Usage: node test/bench/cluster-policies.mjs DIR [--kind anp|cnp]

import fs from 'node:fs';
import path from 'node:path';
import { teamNamespaces } from './generated-namespaces.mjs';

/**
 * Writes the cluster policies for the generated tree `dir`; returns how many objects were written.
 * `kind` is `anp` (AdminNetworkPolicy + BaselineAdminNetworkPolicy) or `cnp` (ClusterNetworkPolicy).
 */
export function writeClusterPolicies(dir, kind = 'cnp') {
  const teams = new Set(teamNamespaces(dir).map((namespace) => namespace.team));
  const folder = path.join(dir, 'cluster-policies');
  fs.mkdirSync(folder, { recursive: true });
  let count = 0;
  const sortedTeams = [...teams].sort();
  sortedTeams.forEach((team, index) => {
    const documents = [adminPolicy(kind, team, 10 + (index % 40) * 5)];
    fs.writeFileSync(path.join(folder, `${team}.yaml`), documents.join('---\n'));
    count += documents.length;
  });
  fs.writeFileSync(path.join(folder, 'platform.yaml'), [platformPolicy(kind), baselinePolicy(kind)].join('---\n'));
  return count + 2;
}

const ADMIN = { anp: ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy'], cnp: ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy'] };

function header(kind, name, tier, priority) {
  const [apiVersion, kindName] = kind === 'anp' && tier === 'Baseline' ? ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy'] : ADMIN[kind];
  const lines = [`apiVersion: ${apiVersion}`, `kind: ${kindName}`, 'metadata:', `  name: ${name}`, 'spec:'];
  if (kind === 'cnp') lines.push(`  tier: ${tier}`, `  priority: ${priority}`);
  else if (tier === 'Admin') lines.push(`  priority: ${priority}`);
  return lines;
}

function action(kind, verb) {
  return kind === 'cnp' && verb === 'Allow' ? 'Accept' : verb;
}

function ports(kind, entries, indent) {
  const pad = ' '.repeat(indent);
  if (kind === 'cnp') {
    return [`${pad}protocols:`, ...entries.flatMap(([protocol, from, to]) => (to === undefined
      ? [`${pad}- ${protocol.toLowerCase()}:`, `${pad}    destinationPort:`, `${pad}      number: ${from}`]
      : [`${pad}- ${protocol.toLowerCase()}:`, `${pad}    destinationPort:`, `${pad}      range:`, `${pad}        start: ${from}`, `${pad}        end: ${to}`]))];
  }
  return [`${pad}ports:`, ...entries.flatMap(([protocol, from, to]) => (to === undefined
    ? [`${pad}- portNumber:`, `${pad}    protocol: ${protocol}`, `${pad}    port: ${from}`]
    : [`${pad}- portRange:`, `${pad}    protocol: ${protocol}`, `${pad}    start: ${from}`, `${pad}    end: ${to}`]))];
}

/** A team's admin policy: its backends take metrics scrapes, never traffic from dev, and pass the rest on. */
function adminPolicy(kind, team, priority) {
  return [
    ...header(kind, `team-${team}`, 'Admin', priority),
    '  subject:',
    '    pods:',
    '      namespaceSelector:',
    `        matchLabels: {team: "${team}"}`,
    '      podSelector:',
    '        matchExpressions: [{key: tier, operator: In, values: [backend, data]}]',
    '  ingress:',
    '  - name: allow-monitoring',
    `    action: ${action(kind, 'Allow')}`,
    '    from:',
    '    - namespaces:',
    '        matchLabels: {kubernetes.io/metadata.name: monitoring}',
    ...ports(kind, [['TCP', 9090, 9100]], 4),
    '  - name: deny-dev',
    '    action: Deny',
    '    from:',
    '    - namespaces:',
    '        matchLabels: {env: dev}',
    '  - name: pass-own-team',
    '    action: Pass',
    '    from:',
    '    - pods:',
    `        namespaceSelector: {matchLabels: {team: "${team}"}}`,
    '        podSelector: {}',
    '  egress:',
    '  - name: deny-metadata-service',
    '    action: Deny',
    '    to:',
    '    - networks: [169.254.169.254/32]',
    '',
  ].join('\n');
}

/** The platform's admin policy: every pod may reach cluster DNS; nothing reaches the cloud metadata service. */
function platformPolicy(kind) {
  return [
    ...header(kind, 'platform-dns', 'Admin', 5),
    '  subject:',
    '    namespaces: {}',
    '  egress:',
    '  - name: allow-dns',
    `    action: ${action(kind, 'Allow')}`,
    '    to:',
    '    - pods:',
    '        namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}',
    '        podSelector: {matchLabels: {k8s-app: kube-dns}}',
    ...ports(kind, [['UDP', 53], ['TCP', 53]], 4),
    '',
  ].join('\n');
}

/** The baseline: dev namespaces take nothing from other environments unless their own policies say so. */
function baselinePolicy(kind) {
  return [
    ...header(kind, 'default', 'Baseline', 50),
    '  subject:',
    '    namespaces:',
    '      matchLabels: {env: dev}',
    '  ingress:',
    '  - name: allow-same-env',
    `    action: ${action(kind, 'Allow')}`,
    '    from:',
    '    - namespaces:',
    '        matchLabels: {env: dev}',
    '  - name: deny-the-rest',
    '    action: Deny',
    '    from:',
    '    - namespaces: {}',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [dir, ...rest] = process.argv.slice(2);
  const kindIndex = rest.indexOf('--kind');
  const kind = kindIndex === -1 ? 'cnp' : rest[kindIndex + 1];
  if (!dir || (kind !== 'anp' && kind !== 'cnp')) {
    process.stderr.write('usage: node test/bench/cluster-policies.mjs DIR [--kind anp|cnp]\n');
    process.exit(2);
  }
  process.stdout.write(`${writeClusterPolicies(dir, kind)} cluster policies written to ${path.join(dir, 'cluster-policies')}\n`);
}
