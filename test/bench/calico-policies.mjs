#!/usr/bin/env node
// Adds Calico policies to a tree written by ../shared/tools/gen-cluster.mjs, for the bench's set
// with Calico policies (issue 20): two Tiers (security, platform), GlobalNetworkPolicies in them
// (a metadata-service deny with nets, a dev-environment isolation by namespaceSelector with Pass
// and Deny, cluster DNS and monitoring with ports and ranges), a GlobalNetworkSet of partner
// addresses, and in every namespace a default-tier Calico NetworkPolicy with order, selectors,
// ports (numbers, a range, a named port), nets and notNets. The generator in ../shared/tools is
// shared by every helper and is not changed; this reads the namespaces it wrote (their `team`
// and `env` labels) and writes one more folder, `calico-policies/`, with a file per namespace.
//
// Usage: node test/bench/calico-policies.mjs DIR

import fs from 'node:fs';
import path from 'node:path';
import { teamNamespaces } from './generated-namespaces.mjs';

/** Writes the Calico policies for the generated tree `dir`; returns how many objects were written. */
export function writeCalicoPolicies(dir) {
  const namespaces = teamNamespaces(dir);
  const folder = path.join(dir, 'calico-policies');
  fs.mkdirSync(folder, { recursive: true });
  namespaces.forEach(({ name, team }, index) => {
    fs.writeFileSync(path.join(folder, `${name}.yaml`), namespacePolicy(name, team, 400 + (index % 20) * 10));
  });
  const platform = [tier('security', 100), tier('platform', 200), metadataDeny(), devIsolation(), clusterDns(), monitoring(), partners(), partnerIngress()];
  fs.writeFileSync(path.join(folder, 'platform.yaml'), platform.join('---\n'));
  return namespaces.length + platform.length;
}

function tier(name, order) {
  return ['apiVersion: projectcalico.org/v3', 'kind: Tier', 'metadata:', `  name: ${name}`, 'spec:', `  order: ${order}`, ''].join('\n');
}

function globalPolicy(name, lines) {
  return ['apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkPolicy', 'metadata:', `  name: ${name}`, 'spec:', ...lines, ''].join('\n');
}

/** Security tier: nobody reaches the cloud metadata service; everything else goes on to the next tier. */
function metadataDeny() {
  return globalPolicy('security.metadata-deny', [
    '  tier: security',
    '  order: 10',
    '  selector: all()',
    '  types: [Egress]',
    '  egress:',
    '  - action: Deny',
    '    destination:',
    '      nets: [169.254.169.254/32]',
    '  - action: Pass',
  ]);
}

/** Security tier: dev namespaces take traffic only from dev namespaces (Pass on to the default tier), never from elsewhere. */
function devIsolation() {
  return globalPolicy('security.dev-isolation', [
    '  tier: security',
    '  order: 20',
    "  namespaceSelector: env == 'dev'",
    '  types: [Ingress]',
    '  ingress:',
    '  - action: Pass',
    '    source:',
    "      namespaceSelector: env == 'dev'",
    '  - action: Pass',
    '    source:',
    "      namespaceSelector: projectcalico.org/name in {'monitoring', 'kube-system'}",
    '  - action: Deny',
  ]);
}

/** Platform tier: every pod may ask cluster DNS; the rest goes on. */
function clusterDns() {
  return globalPolicy('platform.cluster-dns', [
    '  tier: platform',
    '  order: 10',
    "  selector: projectcalico.org/orchestrator == 'k8s'",
    '  types: [Egress]',
    '  egress:',
    '  - action: Allow',
    '    protocol: UDP',
    '    destination:',
    "      selector: k8s-app == 'kube-dns'",
    "      namespaceSelector: projectcalico.org/name == 'kube-system'",
    '      ports: [53]',
    '  - action: Allow',
    '    protocol: TCP',
    '    destination:',
    "      selector: k8s-app == 'kube-dns'",
    "      namespaceSelector: projectcalico.org/name == 'kube-system'",
    '      ports: [53]',
    '  - action: Pass',
  ]);
}

/** Platform tier: monitoring scrapes metrics ports of every backend; the rest goes on. */
function monitoring() {
  return globalPolicy('platform.monitoring', [
    '  tier: platform',
    '  order: 20',
    "  selector: tier in {'backend', 'data'}",
    '  types: [Ingress]',
    '  ingress:',
    '  - action: Allow',
    '    protocol: TCP',
    '    source:',
    "      namespaceSelector: projectcalico.org/name == 'monitoring'",
    '    destination:',
    "      ports: ['9090:9102']",
    '  - action: Pass',
  ]);
}

/** Partner addresses, selected by label from the frontends' policy. */
function partners() {
  return ['apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkSet', 'metadata:', '  name: partners', '  labels:', '    role: partner',
    'spec:', '  nets: [198.51.100.0/24, 203.0.113.0/25]', ''].join('\n');
}

/** Default tier: frontends take HTTP from partners (a network set) and from the public range, less a blocked block. */
function partnerIngress() {
  return globalPolicy('partner-ingress', [
    '  order: 300',
    "  selector: tier == 'frontend'",
    '  types: [Ingress]',
    '  ingress:',
    '  - action: Allow',
    '    protocol: TCP',
    '    source:',
    "      selector: role == 'partner'",
    "      namespaceSelector: global()",
    '    destination:',
    '      ports: [80, 443, 8080]',
    '  - action: Allow',
    '    protocol: TCP',
    '    source:',
    '      nets: [0.0.0.0/0]',
    '      notNets: [192.0.2.0/24]',
    '    destination:',
    '      ports: [443]',
  ]);
}

/** Default tier, per namespace: backends take traffic from their team's frontends on service ports; egress within the team and to 10/8. */
function namespacePolicy(namespace, team, order) {
  return [
    'apiVersion: projectcalico.org/v3',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${namespace}-backend`,
    `  namespace: ${namespace}`,
    'spec:',
    `  order: ${order}`,
    "  selector: tier == 'backend'",
    '  types: [Ingress, Egress]',
    '  ingress:',
    '  - action: Allow',
    '    protocol: TCP',
    '    source:',
    "      selector: tier == 'frontend'",
    `      namespaceSelector: team == '${team}'`,
    '    destination:',
    "      ports: [http, 8080, '9000:9100']",
    '  - action: Deny',
    '    protocol: TCP',
    '    source:',
    "      selector: tier == 'frontend'",
    '  egress:',
    '  - action: Allow',
    '    destination:',
    `      namespaceSelector: team == '${team}'`,
    "      selector: tier in {'backend', 'data'}",
    '  - action: Allow',
    '    protocol: TCP',
    '    destination:',
    '      nets: [10.0.0.0/8]',
    '      notPorts: [22]',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [dir] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node test/bench/calico-policies.mjs DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${writeCalicoPolicies(dir)} Calico objects written to ${path.join(dir, 'calico-policies')}\n`);
}
