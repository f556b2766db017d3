#!/usr/bin/env node
// Adds Cilium policies to a tree written by ../shared/tools/gen-cluster.mjs, for the bench's set
// with Cilium policies: per team namespace, CiliumNetworkPolicies shaped like those platform teams
// write (a namespace default deny with DNS through the DNS proxy, backends open to their team and
// to monitoring, frontends behind the ingress controller with an HTTP rule, external egress by DNS
// name and CIDR with a deny of the metadata service); cluster-wide, CiliumClusterwideNetworkPolicies
// (dev never reaches prod, no SSH from the world, a host policy) and a CiliumCIDRGroup; and the
// cilium-config ConfigMap, so that the plugin is detected as Cilium. The generator in ../shared/tools
// is shared by every helper and is not changed; this reads the namespaces it wrote and writes one
// more folder, `cilium-policies/`, with a file per namespace.
//
// Usage: node test/bench/cilium-policies.mjs DIR

import fs from 'node:fs';
import path from 'node:path';
import { teamNamespaces } from './generated-namespaces.mjs';

/** Writes the Cilium policies for the generated tree `dir`; returns how many policy objects were written. */
export function writeCiliumPolicies(dir) {
  const namespaces = teamNamespaces(dir);
  const folder = path.join(dir, 'cilium-policies');
  fs.mkdirSync(folder, { recursive: true });
  let count = 0;
  namespaces.forEach((namespace, index) => {
    const documents = [namespaceDefault(namespace), backends(namespace), frontends(namespace)];
    if (index % 3 === 0) documents.push(externalEgress(namespace));
    fs.writeFileSync(path.join(folder, `${namespace.name}.yaml`), documents.join('---\n'));
    count += documents.length;
  });
  const platform = [devNeverProd(), noWorldSsh(), hostPolicy(), corporateGroup(), monitoringEgress(), ciliumConfig()];
  fs.writeFileSync(path.join(folder, 'platform.yaml'), platform.join('---\n'));
  return count + platform.length - 2;
}

function cnp(namespace, name, body) {
  return ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata:', `  name: ${name}`, `  namespace: ${namespace.name}`, 'spec:', ...body, ''].join('\n');
}

function ccnp(name, body) {
  return ['apiVersion: cilium.io/v2', 'kind: CiliumClusterwideNetworkPolicy', 'metadata:', `  name: ${name}`, 'spec:', ...body, ''].join('\n');
}

function tcpPorts(indent, ports) {
  const pad = ' '.repeat(indent);
  return [`${pad}- ports:`, ...ports.map((port) => `${pad}    - {port: "${port}", protocol: TCP}`)];
}

/** Every pod of the namespace: talks to its own namespace, and to cluster DNS through the DNS proxy. */
function namespaceDefault(namespace) {
  return cnp(namespace, 'namespace-default', [
    '  endpointSelector: {}',
    '  ingress:',
    '    - fromEndpoints:',
    '        - {}',
    '  egress:',
    '    - toEndpoints:',
    '        - {}',
    '    - toEndpoints:',
    '        - matchLabels:',
    '            "k8s:io.kubernetes.pod.namespace": kube-system',
    '            "k8s:k8s-app": kube-dns',
    '      toPorts:',
    '        - ports:',
    '            - {port: "53", protocol: ANY}',
    '          rules:',
    '            dns:',
    '              - matchPattern: "*"',
  ]);
}

/** Backends and data stores: their team's namespaces on the service ports, monitoring on the metrics ports. */
function backends(namespace) {
  return cnp(namespace, 'backends', [
    '  endpointSelector:',
    '    matchExpressions:',
    '      - {key: tier, operator: In, values: [backend, data, cache, messaging]}',
    '  ingress:',
    '    - fromEndpoints:',
    '        - matchLabels:',
    `            io.cilium.k8s.namespace.labels.team: ${namespace.team}`,
    '      toPorts:',
    ...tcpPorts(8, [8080, 9090, 50051, 5432, 6379, 9092]),
    '    - fromEndpoints:',
    '        - matchLabels:',
    '            "k8s:io.kubernetes.pod.namespace": monitoring',
    '      toPorts:',
    '        - ports:',
    '            - {port: "9102", protocol: TCP}',
    '            - {port: "9187", protocol: TCP}',
    '            - {port: "9121", protocol: TCP}',
  ]);
}

/** Frontends: the ingress controller on their HTTP ports, GET and HEAD only on 8080. */
function frontends(namespace) {
  return cnp(namespace, 'frontends', [
    '  endpointSelector:',
    '    matchLabels: {tier: frontend}',
    '  ingress:',
    '    - fromEndpoints:',
    '        - matchLabels:',
    '            "k8s:io.kubernetes.pod.namespace": ingress-nginx',
    '      toPorts:',
    '        - ports:',
    '            - {port: "8080", protocol: TCP}',
    '          rules:',
    '            http:',
    '              - {method: "GET"}',
    '              - {method: "HEAD"}',
    '        - ports:',
    '            - {port: "3000", protocol: TCP}',
  ]);
}

/** Backends reaching cloud APIs by name and a partner network by CIDR; never the metadata service. */
function externalEgress(namespace) {
  return cnp(namespace, 'external-egress', [
    '  endpointSelector:',
    '    matchLabels: {tier: backend}',
    '  egress:',
    '    - toFQDNs:',
    '        - matchPattern: "*.amazonaws.com"',
    `        - matchName: "${namespace.team}.partner.example.com"`,
    '      toPorts:',
    '        - ports:',
    '            - {port: "443", protocol: TCP}',
    '    - toCIDRSet:',
    '        - cidr: 172.16.0.0/12',
    '          except: [172.16.99.0/24]',
    '      toPorts:',
    '        - ports:',
    '            - {port: "5432", protocol: TCP}',
    '  egressDeny:',
    '    - toCIDR: [169.254.169.254/32]',
  ]);
}

/** Nothing of a dev namespace reaches a prod one, whatever the namespaced policies allow. */
function devNeverProd() {
  return ccnp('dev-never-prod', [
    '  endpointSelector:',
    '    matchLabels:',
    '      io.cilium.k8s.namespace.labels.env: prod',
    '  enableDefaultDeny:',
    '    ingress: false',
    '  ingressDeny:',
    '    - fromEndpoints:',
    '        - matchLabels:',
    '            io.cilium.k8s.namespace.labels.env: dev',
  ]);
}

/** No SSH from the world into any pod. */
function noWorldSsh() {
  return ccnp('no-world-ssh', [
    '  endpointSelector: {}',
    '  enableDefaultDeny:',
    '    ingress: false',
    '  ingressDeny:',
    '    - fromEntities: [world]',
    '      toPorts:',
    '        - ports:',
    '            - {port: "22", protocol: TCP}',
  ]);
}

/** A host policy: nodes take traffic from the cluster and SSH from the corporate network. */
function hostPolicy() {
  return ccnp('nodes', [
    '  nodeSelector: {}',
    '  ingress:',
    '    - fromEntities: [cluster, health]',
    '    - fromCIDRSet:',
    '        - cidrGroupRef: corporate',
    '      toPorts:',
    '        - ports:',
    '            - {port: "22", protocol: TCP}',
  ]);
}

function corporateGroup() {
  return ['apiVersion: cilium.io/v2', 'kind: CiliumCIDRGroup', 'metadata:', '  name: corporate', '  labels: {purpose: corporate}', 'spec:',
    '  externalCIDRs: [198.51.100.0/24, 203.0.113.0/24]', ''].join('\n');
}

/** Monitoring scrapes every pod and reaches the corporate alerting endpoints. */
function monitoringEgress() {
  return cnp({ name: 'monitoring' }, 'monitoring-egress', [
    '  endpointSelector: {}',
    '  egress:',
    '    - toEntities: [cluster]',
    '    - toCIDRSet:',
    '        - cidrGroupSelector:',
    '            matchLabels: {purpose: corporate}',
    '      toPorts:',
    '        - ports:',
    '            - {port: "443", protocol: TCP}',
  ]);
}

function ciliumConfig() {
  return ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: cilium-config', '  namespace: kube-system', 'data:',
    '  cluster-name: bench', '  enable-policy: default', ''].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node test/bench/cilium-policies.mjs DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${writeCiliumPolicies(dir)} Cilium policies written\n`);
}
