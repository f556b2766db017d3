/**
 * Type mutation: every field of every modelled kind (found by walking the kind schemas) is
 * replaced in turn by each JSON type it may not hold, and the loader, the graph, every lint rule,
 * the matrix and the address plan run on the result. None may throw; a wrongly typed field is an
 * input-schema finding at that field, naming the object; and the object is left out, as the API
 * server refuses it, so no rule ever sees it. Where the type is one the field accepts, the run
 * only has to survive.
 *
 * The base objects below are realistic and complete: a test fails when a schema gains a field
 * they do not hold, so the mutations keep covering every field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { RULES } from '../../rules/index.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import { KIND_DEFINITIONS, apiVersionOf } from '../../src/load/kinds.js';
import { formatPath, type FieldPath } from '../../src/load/path.js';
import { KIND_SCHEMAS } from '../../src/load/schemas.js';
import { analyzeTexts } from '../../src/pipeline.js';
import { analyzeAddressPlan } from '../../src/ipam/capacity.js';
import { matrixEdges } from '../../src/reach/matrix.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { k8snet, expectNoStackTrace } from '../cli/run-cli.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaNode = { readonly [keyword: string]: unknown };

const labels = { app: 'web', 'app.kubernetes.io/name': 'web' };
const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] };
const metadata = (extra: Record<string, Json> = {}): Record<string, Json> => ({
  name: 'base', namespace: 'shop', generateName: 'base-', labels, annotations: { 'example.com/note': 'x' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: '1', controller: false }], creationTimestamp: '2025-01-02T03:04:05Z', ...extra,
});
const container = { name: 'web', image: 'example/web:1', restartPolicy: 'Always', ports: [{ containerPort: 8080, hostPort: 0, name: 'http', protocol: 'TCP', hostIP: '0.0.0.0' }] };
const podSpec = {
  hostNetwork: false, containers: [container], initContainers: [container], nodeName: 'node-1', nodeSelector: { 'kubernetes.io/os': 'linux' },
  hostname: 'web', subdomain: 'web', serviceAccountName: 'web', serviceAccount: 'web',
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } } },
};
const template = { metadata: metadata(), spec: podSpec };
const backend = { service: { name: 'web', port: { number: 80, name: 'http' } }, resource: { kind: 'Bucket', name: 'b' }, serviceName: 'web', servicePort: 80 };
const adminPods = { namespaceSelector: selector, podSelector: selector };
// Subjects, peers and ports hold exactly one field each: the four bases hold them all between them.
const adminPort: readonly Json[] = [{ portNumber: { protocol: 'TCP', port: 80 } }, { portRange: { protocol: 'TCP', start: 80, end: 90 } }, { namedPort: 'http' }, { namedPort: 'http' }];
const adminPeer: readonly Json[] = [{ namespaces: selector }, { pods: adminPods }, { namespaces: selector }, { pods: adminPods }];
const adminEgressPeer: readonly Json[] = [{ namespaces: selector }, { pods: adminPods }, { nodes: selector }, { networks: ['10.0.0.0/8'] }];
const adminSpec = (variant: number): Record<string, Json> => ({
  priority: 10,
  subject: variant % 2 === 1 ? { pods: adminPods } : { namespaces: selector },
  ingress: [{ name: 'in', action: 'Allow', from: [adminPeer[variant]], ports: [adminPort[variant]] }],
  egress: [{ name: 'out', action: 'Deny', to: [adminEgressPeer[variant]], ports: [adminPort[variant]] }],
});
// ClusterNetworkPolicy (v1alpha2): peers and protocol entries hold exactly one field each; the five bases hold them all.
const clusterProtocol: readonly Json[] = [
  { destinationNamedPort: 'http' }, { tcp: { destinationPort: { range: { start: 80, end: 90 } } } },
  { udp: { destinationPort: { number: 53 } } }, { sctp: { destinationPort: { number: 9 } } }, { tcp: { destinationPort: { number: 80 } } },
];
const clusterPeer: readonly Json[] = [{ namespaces: selector }, { pods: adminPods }, { namespaces: selector }, { pods: adminPods }, { namespaces: selector }];
const clusterEgressPeer: readonly Json[] = [{ namespaces: selector }, { pods: adminPods }, { nodes: selector }, { networks: ['10.0.0.0/8'] }, { domainNames: ['example.com'] }];
const clusterSpec = (variant: number): Record<string, Json> => ({
  tier: variant % 2 === 0 ? 'Admin' : 'Baseline',
  priority: 10,
  subject: variant % 2 === 1 ? { pods: adminPods } : { namespaces: selector },
  ingress: [{ name: 'in', action: 'Pass', from: [clusterPeer[variant]], protocols: [clusterProtocol[variant]] }],
  // domainNames peers are allowed in Accept rules only.
  egress: [{ name: 'out', action: variant === 4 ? 'Accept' : 'Deny', to: [clusterEgressPeer[variant]], protocols: [clusterProtocol[variant]] }],
});
const routeTarget = { kind: 'Service', name: 'web', weight: 100 };
const gatewayApi = 'gateway.networking.k8s.io';
const parentRef = { group: gatewayApi, kind: 'Gateway', namespace: 'shop', name: 'gw', sectionName: 'https', port: 443 };
const backendRef = { group: '', kind: 'Service', namespace: 'shop', name: 'web', port: 80, weight: 1 };
const headerMatch = { type: 'Exact', name: 'x-version', value: '2' };
const redirect = { type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'shop.example.com', port: 443, statusCode: 301 } };
const routeSpec = (rule: Record<string, Json>, hostnames = true) => ({
  parentRefs: [parentRef], ...(hostnames ? { hostnames: ['shop.example.com'] } : {}), rules: [{ ...rule, backendRefs: [backendRef] }],
});
const operatorSpec = {
  replicas: 2, version: 'v2.54.1', portName: 'web', listenLocal: false, hostNetwork: false,
  podMetadata: { labels, annotations: { 'example.com/note': 'x' }, name: 'web' },
  containers: [{ name: 'proxy', ports: [{ containerPort: 9091, name: 'proxy', protocol: 'TCP', hostPort: 0 }] }],
};

// Cilium: each variant of a rule holds some of the fields (one L7 protocol per port rule, one kind
// of peer per rule); written as spec and as specs, they hold every field between them.
const ciliumSelector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] };
const ciliumTls = { secret: { name: 'tls', namespace: 'shop' }, trustedCA: 'ca.crt', certificate: 'tls.crt', privateKey: 'tls.key' };
const ciliumPortRules: readonly Json[] = [
  {
    ports: [{ port: '80', endPort: 80, protocol: 'TCP' }],
    rules: { http: [{ method: 'GET', path: '/', host: 'shop.example.com', headers: ['X-Token: 1'], headerMatches: [{ name: 'X-Id', value: '1', mismatch: 'LOG' }] }] },
    serverNames: ['shop.example.com'], terminatingTLS: ciliumTls, originatingTLS: ciliumTls,
    listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'envoy' }, name: 'web', priority: 10 },
  },
  { ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', apiKey: 'produce', apiVersion: '1', clientID: 'shop', topic: 'orders' }] } },
  { ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'shop.example.com', matchPattern: '*.example.com' }] } },
  { ports: [{ port: '9000', protocol: 'TCP' }], rules: { l7proto: 'envoy.filters.network.example', l7: [{ action: 'allow' }] } },
];
const ciliumCidrSet = [{ cidr: '10.0.0.0/8', cidrGroupRef: 'external', cidrGroupSelector: ciliumSelector, except: ['10.96.0.0/12'] }];
const ciliumIcmps = [{ fields: [{ family: 'IPv4', type: 8 }] }];
const ciliumDenyPorts = [{ ports: [{ port: '22', endPort: 23, protocol: 'TCP' }] }];
const ciliumRules = ciliumPortRules.map((portRule) => ({
  endpointSelector: ciliumSelector,
  ingress: [{
    fromEndpoints: [ciliumSelector], fromRequires: [ciliumSelector], fromCIDR: ['10.0.0.0/8'], fromCIDRSet: ciliumCidrSet, fromEntities: ['cluster'],
    fromNodes: [ciliumSelector], fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: [portRule], icmps: ciliumIcmps, authentication: { mode: 'required' },
  }],
  ingressDeny: [{
    fromEndpoints: [ciliumSelector], fromRequires: [ciliumSelector], fromCIDR: ['10.0.0.0/8'], fromCIDRSet: ciliumCidrSet, fromEntities: ['world'],
    fromNodes: [ciliumSelector], fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: ciliumDenyPorts, icmps: ciliumIcmps,
  }],
  egress: [{
    toEndpoints: [ciliumSelector], toRequires: [ciliumSelector], toCIDR: ['10.0.0.0/8'], toCIDRSet: ciliumCidrSet, toEntities: ['world'],
    toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' }, k8sServiceSelector: { selector: ciliumSelector, namespace: 'data' } }],
    toFQDNs: [{ matchName: 'shop.example.com', matchPattern: '*.example.com' }], toNodes: [ciliumSelector], toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }],
    toPorts: [portRule], icmps: ciliumIcmps, authentication: { mode: 'required' },
  }],
  egressDeny: [{
    toEndpoints: [ciliumSelector], toRequires: [ciliumSelector], toCIDR: ['10.0.0.0/8'], toCIDRSet: ciliumCidrSet, toEntities: ['world'],
    toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' }, k8sServiceSelector: { selector: ciliumSelector, namespace: 'data' } }],
    toNodes: [ciliumSelector], toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: ciliumDenyPorts, icmps: ciliumIcmps,
  }],
  enableDefaultDeny: { ingress: true, egress: true },
  labels: [{ key: 'team', value: 'shop', source: 'k8s' }],
  description: 'web policy',
}));
const ciliumPolicies = (extra: readonly Record<string, Json>[] = []) => [...ciliumRules, ...extra].flatMap((rule): Record<string, Json>[] => [
  { metadata: metadata(), spec: rule }, { metadata: metadata(), specs: [rule] },
]);

// Istio: the fields of each kind as its CRD declares them (istio-schemas.ts).
const istioSource = {
  principals: ['cluster.local/ns/shop/sa/web'], notPrincipals: ['cluster.local/ns/shop/sa/admin'], requestPrincipals: ['issuer/subject'],
  notRequestPrincipals: ['issuer/other'], namespaces: ['shop'], notNamespaces: ['test'], ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.1.0.0/16'],
  remoteIpBlocks: ['192.0.2.0/24'], notRemoteIpBlocks: ['192.0.2.1'], serviceAccounts: ['shop/web'], notServiceAccounts: ['shop/admin'],
};
const istioOperation = {
  hosts: ['shop.example.com'], notHosts: ['admin.example.com'], ports: ['8080'], notPorts: ['9090'], methods: ['GET'], notMethods: ['DELETE'],
  paths: ['/api/*'], notPaths: ['/admin'],
};
const istioTargetRef = { group: '', kind: 'Service', name: 'web', namespace: 'shop' };
const istioPort = { number: 8080, protocol: 'HTTP', name: 'http', targetPort: 8080 };
const istioClientTls = { mode: 'ISTIO_MUTUAL' };
const istioTrafficPolicy = { tls: istioClientTls, portLevelSettings: [{ port: { number: 8080 }, tls: istioClientTls }] };
const istioRoute = [{ destination: { host: 'web.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } }, weight: 100 }];
const istioListener = { port: istioPort, bind: '0.0.0.0', captureMode: 'DEFAULT', hosts: ['./*'], defaultEndpoint: '127.0.0.1:8080' };

// Calico: one rule holds every field of a rule and its entity rules; a second the fields a first cannot hold beside them.
const calicoEntity = {
  nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'], selector: "app == 'web'", notSelector: "tier == 'test'", namespaceSelector: "team == 'shop'",
  ports: [80, '8000:8080'], notPorts: [8081], serviceAccounts: { names: ['web'], selector: "role == 'api'" },
  services: { name: 'web', namespace: 'shop' },
};
const calicoRules: Json[] = [
  {
    action: 'Allow', protocol: 'TCP', notProtocol: 'UDP', ipVersion: 4, source: calicoEntity, destination: calicoEntity,
    http: { methods: ['GET'], paths: [{ exact: '/', prefix: '/api' }] }, metadata: { annotations: { 'example.com/note': 'x' } },
  },
  { action: 'Deny', protocol: 'ICMP', icmp: { type: 8, code: 0 }, notICMP: { type: 3, code: 1 } },
];
// Only a list's first item is walked: each rule comes first in a base of its own.
const calicoRuleLists = [calicoRules, [...calicoRules].reverse()];
const calicoPolicy = (rules: Json[]) => ({
  tier: 'default', order: 100, selector: "app == 'web'", serviceAccountSelector: "role == 'api'", types: ['Ingress', 'Egress'],
  ingress: rules, egress: rules, performanceHints: ['AssumeNeededOnEveryNode'],
});
const calicoGlobalPolicy = (rules: Json[]) => ({ ...calicoPolicy(rules), namespaceSelector: "team == 'shop'", doNotTrack: false, preDNAT: false, applyOnForward: true });
const calicoPorts = [{ name: 'http', protocol: 'TCP', port: 8080 }];

/** Complete objects per schema key, holding between them every field its schema names. */
const BASES: Readonly<Record<string, Record<string, Json> | readonly Record<string, Json>[]>> = {
  Namespace: { metadata: metadata({ name: 'shop', namespace: '' }) },
  Pod: { metadata: metadata(), spec: podSpec, status: { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], hostIP: '192.168.0.1' } },
  Deployment: { metadata: metadata(), spec: { replicas: 2, selector, template } },
  ReplicaSet: { metadata: metadata(), spec: { replicas: 2, selector, template } },
  StatefulSet: { metadata: metadata(), spec: { replicas: 2, selector, template } },
  DaemonSet: { metadata: metadata(), spec: { replicas: 2, selector, template } },
  Job: { metadata: metadata(), spec: { parallelism: 2, completions: 4, selector, template } },
  CronJob: { metadata: metadata(), spec: { schedule: '* * * * *', jobTemplate: { metadata: metadata(), spec: { parallelism: 2, completions: 4, selector, template } } } },
  ReplicationController: { metadata: metadata(), spec: { replicas: 2, selector: labels, template } },
  Service: {
    metadata: metadata(),
    spec: {
      type: 'LoadBalancer', selector: labels,
      ports: [{ port: 80, targetPort: 'http', nodePort: 30080, name: 'http', protocol: 'TCP', appProtocol: 'http' }],
      clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', externalName: 'db.example.com',
      externalIPs: ['192.0.2.1'], loadBalancerIP: '192.0.2.2', loadBalancerClass: 'example.com/lb', loadBalancerSourceRanges: ['10.0.0.0/8'],
      allocateLoadBalancerNodePorts: true, healthCheckNodePort: 30999, externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster', publishNotReadyAddresses: false,
    },
  },
  Endpoints: {
    metadata: metadata(),
    subsets: [{
      addresses: [{ ip: '10.1.0.5', hostname: 'web-0', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-0' } }],
      notReadyAddresses: [{ ip: '10.1.0.6', hostname: 'web-1', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
    }],
  },
  EndpointSlice: {
    metadata: metadata(), addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', nodeName: 'node-1', zone: 'a', targetRef: { kind: 'Pod', name: 'web-0' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
  },
  Ingress: {
    metadata: metadata(),
    spec: {
      ingressClassName: 'nginx', defaultBackend: backend, backend,
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    },
  },
  IngressClass: { metadata: metadata({ namespace: '' }), spec: { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Params', name: 'p' } } },
  NetworkPolicy: {
    metadata: metadata(),
    spec: {
      podSelector: selector, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: selector, namespaceSelector: selector, ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }],
      egress: [{ to: [{ podSelector: selector, namespaceSelector: selector, ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53, endPort: 53 }] }],
    },
  },
  Node: {
    metadata: metadata({ namespace: '' }),
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
    status: { capacity: { pods: '110' }, addresses: [{ type: 'InternalIP', address: '192.168.0.10' }] },
  },
  HorizontalPodAutoscaler: { metadata: metadata(), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5 } },
  AdminNetworkPolicy: [0, 1, 2, 3].map((variant) => ({ metadata: metadata({ namespace: '' }), spec: adminSpec(variant) })),
  BaselineAdminNetworkPolicy: [0, 1, 2, 3].map((variant) => ({ metadata: metadata({ name: 'default', namespace: '' }), spec: adminSpec(variant) })),
  ClusterNetworkPolicy: [0, 1, 2, 3, 4].map((variant) => ({ metadata: metadata({ namespace: '' }), spec: clusterSpec(variant) })),
  Route: {
    metadata: metadata(),
    spec: {
      host: 'shop.example.com', subdomain: 'shop', path: '/', to: routeTarget, alternateBackends: [routeTarget],
      port: { targetPort: 'http' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' }, wildcardPolicy: 'None',
    },
  },
  GatewayClass: { metadata: metadata({ namespace: '' }), spec: { controllerName: 'example.com/gateway-controller', parametersRef: { group: 'example.com', kind: 'Params', name: 'p' } } },
  Gateway: {
    metadata: metadata(),
    spec: {
      gatewayClassName: 'example',
      listeners: [{
        name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', namespace: 'shop', name: 'tls' }] },
        allowedRoutes: { namespaces: { from: 'Selector', selector }, kinds: [{ group: gatewayApi, kind: 'HTTPRoute' }] },
      }],
      addresses: [{ type: 'IPAddress', value: '192.0.2.10' }],
      infrastructure: { labels, annotations: { 'example.com/note': 'x' }, parametersRef: { group: 'example.com', kind: 'Params', name: 'p' } },
    },
  },
  HTTPRoute: {
    metadata: metadata(),
    spec: routeSpec({ matches: [{ path: { type: 'PathPrefix', value: '/' }, method: 'GET', headers: [headerMatch], queryParams: [headerMatch] }], filters: [redirect] }),
  },
  GRPCRoute: { metadata: metadata(), spec: routeSpec({ matches: [{ method: { type: 'Exact', service: 'shop.Cart', method: 'Add' }, headers: [headerMatch] }], filters: [redirect] }) },
  TLSRoute: { metadata: metadata(), spec: routeSpec({}) },
  TCPRoute: { metadata: metadata(), spec: routeSpec({}, false) },
  UDPRoute: { metadata: metadata(), spec: routeSpec({}, false) },
  ReferenceGrant: {
    metadata: metadata(),
    spec: { from: [{ group: gatewayApi, kind: 'HTTPRoute', namespace: 'web' }], to: [{ group: '', kind: 'Service', name: 'web' }] },
  },
  Prometheus: {
    metadata: metadata(),
    spec: { ...operatorSpec, shards: 2, thanos: { listenLocal: false, grpcListenLocal: false, httpListenLocal: false } },
  },
  Alertmanager: { metadata: metadata(), spec: operatorSpec },
  ThanosRuler: { metadata: metadata(), spec: operatorSpec },
  CiliumNetworkPolicy: ciliumPolicies(),
  CiliumClusterwideNetworkPolicy: ciliumPolicies([{ nodeSelector: ciliumSelector, ingress: [{ fromEntities: ['remote-node'] }] }])
    .map((base) => ({ ...base, metadata: metadata({ namespace: '' }) })),
  CiliumCIDRGroup: { metadata: metadata({ namespace: '' }), spec: { externalCIDRs: ['192.0.2.0/24'] } },
  AuthorizationPolicy: [
    {
      metadata: metadata(),
      spec: {
        selector: { matchLabels: labels }, action: 'ALLOW',
        rules: [{ from: [{ source: istioSource }], to: [{ operation: istioOperation }], when: [{ key: 'request.headers[x-id]', values: ['1'], notValues: ['2'] }] }],
      },
    },
    { metadata: metadata(), spec: { targetRef: istioTargetRef, targetRefs: [istioTargetRef], action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{}] } },
  ],
  PeerAuthentication: { metadata: metadata(), spec: { selector: { matchLabels: labels }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } } },
  RequestAuthentication: {
    metadata: metadata(),
    spec: { selector: { matchLabels: labels }, targetRef: istioTargetRef, targetRefs: [istioTargetRef], jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' }] },
  },
  IstioGateway: {
    metadata: metadata(),
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: istioPort, bind: '0.0.0.0', hosts: ['shop/shop.example.com'], tls: { httpsRedirect: false, mode: 'SIMPLE', credentialName: 'shop-tls' }, name: 'http' }],
    },
  },
  VirtualService: [
    {
      metadata: metadata(),
      spec: {
        hosts: ['shop.example.com'], gateways: ['shop/gateway', 'mesh'], exportTo: ['.'],
        http: [{ name: 'api', match: [{ uri: { prefix: '/api' } }], route: istioRoute, redirect: { uri: '/new' }, directResponse: { status: 503 } }],
        tcp: [{ match: [{ port: 5432 }], route: istioRoute }],
        tls: [{ match: [{ sniHosts: ['shop.example.com'] }], route: istioRoute }],
      },
    },
    { metadata: metadata(), spec: { hosts: ['shop.example.com'], http: [{ delegate: { name: 'web', namespace: 'shop' } }] } },
  ],
  DestinationRule: {
    metadata: metadata(),
    spec: {
      host: 'web.shop.svc.cluster.local', trafficPolicy: istioTrafficPolicy, subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: istioTrafficPolicy }],
      exportTo: ['.'], workloadSelector: { matchLabels: labels },
    },
  },
  ServiceEntry: {
    metadata: metadata(),
    spec: {
      hosts: ['api.example.com'], addresses: ['192.0.2.10'], ports: [istioPort], location: 'MESH_EXTERNAL', resolution: 'STATIC',
      endpoints: [{ address: '192.0.2.10', ports: { http: 8080 }, labels: { version: 'v1' } }], workloadSelector: { labels }, exportTo: ['*'],
    },
  },
  Sidecar: {
    metadata: metadata(),
    spec: { workloadSelector: { labels }, ingress: [istioListener], egress: [istioListener], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
  },
  CalicoNetworkPolicy: calicoRuleLists.map((rules) => ({ metadata: metadata(), spec: calicoPolicy(rules) })),
  CalicoGlobalNetworkPolicy: calicoRuleLists.map((rules) => ({ metadata: metadata({ namespace: '' }), spec: calicoGlobalPolicy(rules) })),
  CalicoStagedNetworkPolicy: calicoRuleLists.map((rules) => ({ metadata: metadata(), spec: { ...calicoPolicy(rules), stagedAction: 'Set' } })),
  CalicoStagedGlobalNetworkPolicy: calicoRuleLists.map((rules) => ({ metadata: metadata({ namespace: '' }), spec: { ...calicoGlobalPolicy(rules), stagedAction: 'Set' } })),
  CalicoStagedKubernetesNetworkPolicy: {
    metadata: metadata(),
    spec: { stagedAction: 'Set', podSelector: selector, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: selector }] }], egress: [{ to: [{ podSelector: selector }] }] },
  },
  CalicoNetworkSet: { metadata: metadata(), spec: { nets: ['192.0.2.0/24'] } },
  CalicoGlobalNetworkSet: { metadata: metadata({ namespace: '' }), spec: { nets: ['192.0.2.0/24'] } },
  CalicoTier: { metadata: metadata({ name: 'security', namespace: '' }), spec: { order: 100, defaultAction: 'Deny' } },
  CalicoHostEndpoint: {
    metadata: metadata({ namespace: '' }),
    spec: { node: 'node-1', interfaceName: 'eth0', expectedIPs: ['192.168.0.1'], profiles: ['default'], ports: calicoPorts },
  },
  CalicoProfile: calicoRuleLists.map((rules) => ({ metadata: metadata({ namespace: '' }), spec: { ingress: rules, egress: rules, labelsToApply: { team: 'shop' } } })),
  CalicoWorkloadEndpoint: {
    metadata: metadata({ name: 'node--1-k8s-web-eth0' }),
    spec: {
      orchestrator: 'k8s', workload: '', node: 'node-1', pod: 'web', endpoint: 'eth0', serviceAccountName: 'web', interfaceName: 'cali0123',
      ipNetworks: ['10.1.0.5/32'], profiles: ['kns.shop'], ports: calicoPorts,
    },
  },
};

/** The JSON types a mutation writes where another was expected. */
const WRONG_VALUES: readonly { readonly name: string; readonly value: Json; readonly types: readonly string[] }[] = [
  { name: 'null', value: null, types: ['null'] },
  { name: 'an integer', value: 42, types: ['integer', 'number'] },
  { name: 'a fraction', value: 1.5, types: ['number'] },
  { name: 'a string', value: 'text', types: ['string'] },
  { name: 'a boolean', value: true, types: ['boolean'] },
  { name: 'an empty list', value: [], types: ['array'] },
  { name: 'a list', value: ['x'], types: ['array'] },
  { name: 'an empty mapping', value: {}, types: ['object'] },
  { name: 'a mapping', value: { unexpected: 1 }, types: ['object'] },
];

function deref(root: SchemaNode, node: unknown): SchemaNode | undefined {
  let current = node as SchemaNode | undefined;
  while (current && typeof current.$ref === 'string') {
    const name = current.$ref.replace('#/definitions/', '');
    current = (root.definitions as Record<string, SchemaNode>)[name];
  }
  return current;
}

/** The JSON types a schema node admits: its type keyword, its enum's values' types, its branches'. */
function admittedTypes(root: SchemaNode, node: SchemaNode): Set<string> {
  const types = new Set<string>();
  const add = (type: unknown) => {
    for (const name of Array.isArray(type) ? type : type === undefined ? [] : [type]) {
      types.add(String(name));
      if (name === 'number') types.add('integer');
    }
  };
  add(node.type);
  if (Array.isArray(node.enum)) for (const value of node.enum) add(value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value);
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(node[key])) for (const branch of node[key] as unknown[]) for (const type of admittedTypes(root, deref(root, branch)!)) types.add(type);
  }
  if (node.type === undefined && node.enum === undefined && node.oneOf === undefined && node.anyOf === undefined) for (const type of ['null', 'integer', 'number', 'string', 'boolean', 'array', 'object']) types.add(type);
  return types;
}

/** Every field path of a schema, found in `base`, with the schema node there; throws where `base` lacks one. */
function fieldPaths(root: SchemaNode, node: SchemaNode, base: Json, prefix: FieldPath, found: { path: FieldPath; node: SchemaNode }[], missing: string[]): void {
  const properties = node.properties as Record<string, unknown> | undefined;
  if (properties) {
    for (const [key, child] of Object.entries(properties)) {
      const childNode = deref(root, child)!;
      const value = base !== null && typeof base === 'object' && !Array.isArray(base) ? base[key] : undefined;
      if (value === undefined) {
        missing.push(formatPath([...prefix, key]));
        continue;
      }
      found.push({ path: [...prefix, key], node: childNode });
      fieldPaths(root, childNode, value, [...prefix, key], found, missing);
    }
  }
  const items = deref(root, node.items);
  if (items && Array.isArray(base) && base.length > 0) {
    found.push({ path: [...prefix, 0], node: items });
    fieldPaths(root, items, base[0], [...prefix, 0], found, missing);
  }
  const additional = deref(root, node.additionalProperties);
  if (additional && base !== null && typeof base === 'object' && !Array.isArray(base) && !properties) {
    const [key] = Object.keys(base);
    if (key !== undefined) found.push({ path: [...prefix, key], node: additional });
  }
}

/** `base` with `value` written at `path` (a deep copy). */
function withValue(base: Record<string, Json>, path: FieldPath, value: Json): Record<string, Json> {
  const copy = structuredClone(base) as Record<string, Json>;
  let current: any = copy;
  for (const segment of path.slice(0, -1)) current = current[segment];
  current[path[path.length - 1]] = structuredClone(value);
  return copy;
}

/** Runs everything that reads the objects; throws what any of it throws. */
function runEverything(texts: { path: string; text: string }[]) {
  const analysis = analyzeTexts(texts, { defaultNamespace: 'shop' });
  const config = resolveConfig({}, undefined);
  const solver = new ReachabilitySolver(analysis.graph);
  runRules(analysis.graph, RULES, config, () => solver);
  for (const edge of matrixEdges(solver)) void edge;
  analyzeAddressPlan(analysis.graph, config.cluster);
  return analysis;
}

interface Mutant {
  readonly kind: string;
  readonly schema: string;
  readonly name: string;
  readonly path: FieldPath;
  readonly wrong: (typeof WRONG_VALUES)[number];
  readonly admitted: boolean;
  readonly object: Record<string, Json>;
}

// Kinds of two groups may share a schema (Calico's API and CRD forms): the first definition writes the bases.
const definitionsBySchema = new Map([...KIND_DEFINITIONS].reverse().map((definition) => [definition.schema, definition]));

/** The complete base objects of a schema, with apiVersion and kind. */
function basesOf(schema: string): Record<string, Json>[] {
  const definition = definitionsBySchema.get(schema)!;
  const bases = BASES[schema];
  return (Array.isArray(bases) ? bases : [bases]).map((base) => ({ apiVersion: apiVersionOf(definition), kind: definition.kind, ...base }));
}

/**
 * All mutants of one schema, each object named after its index (a BaselineAdminNetworkPolicy is
 * always named default), and the schema's fields that no base holds.
 */
function mutantsOf(schema: string): { mutants: Mutant[]; missing: string[] } {
  const root = KIND_SCHEMAS[schema] as SchemaNode;
  const definition = definitionsBySchema.get(schema)!;
  const mutants: Mutant[] = [];
  const covered = new Set<string>();
  const missingInAll: Map<string, number> = new Map();
  const bases = basesOf(schema);
  for (const base of bases) {
    const found: { path: FieldPath; node: SchemaNode }[] = [];
    const missing: string[] = [];
    fieldPaths(root, root, base, [], found, missing);
    for (const field of missing) missingInAll.set(field, (missingInAll.get(field) ?? 0) + 1);
    for (const { path: fieldPath, node } of found) {
      if (covered.has(formatPath(fieldPath))) continue;
      covered.add(formatPath(fieldPath));
      const admitted = admittedTypes(root, node);
      for (const wrong of WRONG_VALUES) {
        const name = `m${mutants.length}`;
        const named = withValue(base, ['metadata', 'name'], schema === 'BaselineAdminNetworkPolicy' ? 'default' : name);
        mutants.push({
          kind: definition.kind, schema, name, path: fieldPath, wrong,
          admitted: wrong.types.some((type) => admitted.has(type)),
          object: withValue(named, fieldPath, wrong.value),
        });
      }
    }
  }
  const missing = [...missingInAll].filter(([field, count]) => count === bases.length && !covered.has(field)).map(([field]) => field);
  return { mutants, missing };
}

const SCHEMAS = Object.keys(KIND_SCHEMAS);

describe('type mutation of every field of every modelled kind', () => {
  it('has a complete base object for every schema', () => {
    expect(Object.keys(BASES).sort()).toEqual([...SCHEMAS].sort());
    for (const schema of SCHEMAS) {
      const { missing } = mutantsOf(schema);
      expect([schema, missing]).toEqual([schema, []]);
    }
  });

  it('loads the base objects without a finding above info', () => {
    const texts = SCHEMAS.flatMap((schema) => basesOf(schema).map((base, index) => ({ path: `${schema}-${index}.json`, text: JSON.stringify(base) })));
    const analysis = runEverything(texts);
    expect(analysis.inputFindings.filter((finding) => finding.ruleId === 'input-schema')).toEqual([]);
  });

  describe.each(SCHEMAS)('%s', (schema) => {
    const { mutants } = mutantsOf(schema);

    it(`survives every mutation, reports each wrongly typed field at the field, and leaves the object out (${mutants.length} mutants)`, () => {
      // One run per wrong value: the mutants are objects of their own, so one load checks many.
      for (const wrong of WRONG_VALUES) {
        const batch = mutants.filter((mutant) => mutant.wrong === wrong);
        const texts = batch.map((mutant) => ({ path: `${mutant.name}.json`, text: JSON.stringify(mutant.object) }));
        let analysis;
        try {
          analysis = runEverything(texts);
        } catch (error) {
          // Find the mutant that throws, for a message that says which field breaks what.
          for (const mutant of batch) {
            expect(() => runEverything([{ path: `${mutant.name}.json`, text: JSON.stringify(mutant.object) }]))
              .not.toThrow(`${schema} ${formatPath(mutant.path)} = ${JSON.stringify(wrong.value)}`);
          }
          throw error;
        }
        const findingsOf = (name: string) => analysis.inputFindings.filter((finding) => finding.location?.file === `${name}.json`);
        const loaded = new Set([
          ...analysis.graph.workloads.map((workload) => workload.source.origin.file),
          ...analysis.graph.services.map((service) => service.source.origin.file),
          ...analysis.graph.policies.map((policy) => policy.source.origin.file),
          ...analysis.graph.adminPolicies.map((policy) => policy.source.origin.file),
          ...analysis.graph.clusterPolicies.map((policy) => policy.source.origin.file),
          ...analysis.graph.ingresses.map((ingress) => ingress.source.origin.file),
          ...analysis.graph.namespaces.flatMap((namespace) => (namespace.source ? [namespace.source.origin.file] : [])),
          ...analysis.graph.nodes.map((node) => node.source.origin.file),
          ...analysis.graph.otherObjects.map((object) => object.origin.file),
          ...[...analysis.graph.cilium.policies, ...analysis.graph.cilium.cidrGroups].map((object) => object.source.origin.file),
          ...[
            ...analysis.graph.istio.authorizationPolicies, ...analysis.graph.istio.peerAuthentications, ...analysis.graph.istio.requestAuthentications,
            ...analysis.graph.istio.gateways, ...analysis.graph.istio.virtualServices, ...analysis.graph.istio.destinationRules,
            ...analysis.graph.istio.serviceEntries, ...analysis.graph.istio.sidecars,
          ].map((object) => object.source.origin.file),
          ...[
            ...analysis.graph.calico.policies, ...analysis.graph.calico.stagedPolicies, ...analysis.graph.calico.networkSets,
            ...analysis.graph.calico.hostEndpoints, ...analysis.graph.calico.profiles, ...analysis.graph.calico.workloadEndpoints,
          ].map((object) => object.source.origin.file),
          ...analysis.graph.calico.tiers.flatMap((tier) => (tier.source ? [tier.source.origin.file] : [])),
          ...[...analysis.graph.gatewayApi.gatewayClasses, ...analysis.graph.gatewayApi.gateways, ...analysis.graph.gatewayApi.routes, ...analysis.graph.gatewayApi.referenceGrants]
            .map((object) => object.source.origin.file),
        ]);
        for (const mutant of batch.filter((candidate) => !candidate.admitted)) {
          const wanted = formatPath(mutant.path);
          const findings = findingsOf(mutant.name);
          // An empty name or metadata is a missing name (its own check), where the object starts.
          const missingName = (wanted === 'metadata.name' || wanted === 'metadata') && wrong.value === null;
          const atField = findings.filter((finding) => (finding.ruleId === 'input-schema' && finding.path === wanted)
            || (missingName && finding.ruleId === 'input-missing-name'));
          expect([wanted, wrong.name, atField.length > 0]).toEqual([wanted, wrong.name, true]);
          if (atField[0].ruleId === 'input-schema') {
            expect(atField[0].object).toMatchObject({ kind: mutant.kind });
            expect(atField[0].message).toMatch(/the API server rejects this object, so k8snet leaves it out\.$/);
          }
          expect([wanted, wrong.name, loaded.has(`${mutant.name}.json`)]).toEqual([wanted, wrong.name, false]);
        }
      }
    });
  });
});

describe('the wrongly typed fields that ended every command with "internal error" (issue 18)', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-mutation-'));
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
  const CASES: Readonly<Record<string, string>> = {
    // The forgotten `-`: a mapping where the list of containers belongs.
    'containers.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        name: web\n        image: example/web\n',
    'service-ports.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports:\n    port: 80\n',
    'ingress-paths.yaml': 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n    - host: shop.example.com\n      http:\n        paths: [null]\n',
    'admin-from.yaml': 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n  priority: 10\n  subject: {namespaces: {}}\n  ingress:\n    - action: Allow\n      from:\n        namespaces: {}\n',
    'lb-ranges.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: shop}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 443}]\n  loadBalancerSourceRanges: 10.0.0.0/8\n',
  };
  for (const [name, text] of Object.entries(CASES)) fs.writeFileSync(path.join(folder, name), text);
  const EXPECTED: Readonly<Record<string, string>> = {
    'containers.yaml': 'spec.template.spec.containers',
    'service-ports.yaml': 'spec.ports',
    'ingress-paths.yaml': 'spec.rules[0].http.paths[0]',
    'admin-from.yaml': 'spec.ingress[0].from',
    'lb-ranges.yaml': 'spec.loadBalancerSourceRanges',
  };

  it.each(['lint', 'matrix', 'inspect'])('k8snet %s reports each at its field, goes on with the others and exits 2', (command) => {
    const run = k8snet([command, folder, ...(command === 'inspect' ? [] : ['--format', command === 'lint' ? 'json' : 'json'])]);
    expectNoStackTrace(run);
    expect(run.status).toBe(2);
    const text = `${run.stdout}\n${run.stderr}`;
    for (const [file, field] of Object.entries(EXPECTED)) {
      if (command === 'lint') {
        const report = JSON.parse(run.stdout) as { findings: { file: string; path: string; ruleId: string; kind: string; name: string }[] };
        expect(report.findings.filter((finding) => finding.file === path.join(folder, file) && finding.ruleId === 'input-schema').map((finding) => finding.path)).toEqual([field]);
      } else {
        expect(text).toContain(`${path.join(folder, file)}:`);
      }
    }
  });
});
