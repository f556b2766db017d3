import { describe, it, expect } from '@jest/globals';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { KIND_SCHEMAS } from '../../src/load/schemas.js';
import { identifyKind } from '../../src/load/kinds.js';
import { describeSchemaError, formatPath } from '../../src/load/schema-messages.js';

const KINDS = [
  'Namespace', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'ReplicationController', 'Service', 'Endpoints', 'EndpointSlice', 'Ingress', 'IngressClass',
  'NetworkPolicy', 'Node', 'HorizontalPodAutoscaler', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'Route',
  // Gateway API kinds and prometheus-operator's, known by group in the kind registry (kinds.ts).
  'GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'ReferenceGrant',
  'Prometheus', 'Alertmanager', 'ThanosRuler',
  'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumCIDRGroup',
  'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication',
  'IstioGateway', 'VirtualService', 'DestinationRule', 'ServiceEntry', 'Sidecar',
  // Calico's kinds, one schema for its API group and its CRDs' (WorkloadEndpoint has no CRD).
  ...['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy',
    'NetworkSet', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile', 'WorkloadEndpoint'].map((kind) => `Calico${kind}`),
];

/** The schema key of a document, as the kind registry gives it (an Istio Gateway's is IstioGateway). */
function schemaNameOf(document: Record<string, unknown>): string {
  if (typeof document.apiVersion !== 'string') return String(document.kind);
  const identity = identifyKind(document.apiVersion, String(document.kind));
  return identity.status === 'modelled' ? identity.definition.schema : String(document.kind);
}

// Compiled once, the way the loader compiles them.
const ajv = new Ajv({ allErrors: false, strict: false });
const validators: Record<string, ValidateFunction> = Object.fromEntries(
  Object.entries(KIND_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]),
);

function errorsOf(document: Record<string, unknown>): ErrorObject[] {
  const validate = validators[schemaNameOf(document)];
  expect(validate).toBeDefined();
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

/** The loader's view: the first error, described. */
function firstProblem(document: Record<string, unknown>): { path: (string | number)[]; message: string } {
  const errors = errorsOf(document);
  expect(errors.length).toBeGreaterThan(0);
  return describeSchemaError(errors[0], document, schemaNameOf(document));
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'shop', ...extra });

const podSpec = {
  containers: [
    {
      name: 'web',
      image: 'nginx:1.27',
      ports: [
        { containerPort: 8080, name: 'http', protocol: 'TCP' },
        { containerPort: 9090, name: 'metrics' },
        { containerPort: 5353, protocol: 'UDP', hostPort: 5353 },
      ],
    },
  ],
  initContainers: [{ name: 'init', image: 'busybox' }],
};

const template = { metadata: { labels: { app: 'web', 'app.kubernetes.io/name': 'web' } }, spec: podSpec };

const VALID: Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } },
  {
    apiVersion: 'v1', kind: 'Pod', metadata: meta('web-0', { labels: { app: 'web' }, annotations: { note: 'x' } }),
    spec: { ...podSpec, hostNetwork: false, nodeName: 'node-1' }, status: { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }] },
  },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
  },
  {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d9c'),
    spec: { replicas: 0, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, template },
  },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db'),
    spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template },
  },
  {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('agent'),
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { ...template, spec: { ...podSpec, hostNetwork: true } } },
  },
  {
    apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate'),
    spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'm' }] } } },
  },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('report'),
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: podSpec } } } },
  },
  {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: meta('legacy'),
    spec: { replicas: 2, selector: { app: 'legacy' }, template },
  },
  {
    apiVersion: 'v1', kind: 'Service', metadata: meta('web'),
    spec: {
      type: 'NodePort', selector: { app: 'web' }, clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'],
      ports: [
        { name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090 },
        { port: 53, protocol: 'UDP' },
      ],
    },
  },
  {
    apiVersion: 'v1', kind: 'Service', metadata: meta('lb'),
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 443 }], loadBalancerSourceRanges: ['203.0.113.0/24'] },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  {
    apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'),
    subsets: [{ addresses: [{ ip: '10.1.0.5', targetRef: { kind: 'Pod', name: 'web-0' } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('web-abc', { labels: { 'kubernetes.io/service-name': 'web' } }),
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true }, nodeName: 'node-1' }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: null, port: null }],
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } }),
    spec: {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      rules: [{
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
            { path: '/api', pathType: 'Exact', backend: { service: { name: 'api', port: { number: 8080 } } } },
          ],
        },
      }],
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    },
  },
  {
    apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: meta('old'),
    spec: {
      backend: { serviceName: 'web', servicePort: 80 },
      rules: [{ host: 'old.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: 'http' } }] } }],
    },
  },
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('web'),
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [
          { podSelector: { matchLabels: { app: 'frontend' } } },
          { namespaceSelector: { matchLabels: { team: 'ops' } } },
          { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, podSelector: {} },
          { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }, { port: 'http' }, { protocol: 'TCP', port: 32000, endPort: 32768 }],
      }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 53 }] }, {}],
    },
  },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('deny-all'), spec: { podSelector: {}, policyTypes: ['Ingress'] } },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'admin' },
    spec: {
      tier: 'Admin', priority: 10, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
      ingress: [{ name: 'a', action: 'Accept', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 80 } } }, { destinationNamedPort: 'http' }] }],
      egress: [
        { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }, { nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }], protocols: [{ udp: { destinationPort: { range: { start: 53, end: 54 } } } }] },
        { action: 'Accept', to: [{ domainNames: ['example.com'] }] },
      ],
    },
  },
  {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24', 'fd00::/64'] },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.1.10' }], capacity: { pods: '110' } },
  },
  {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('web'),
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10 },
  },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'cluster-control' },
    spec: {
      priority: 20,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
      ingress: [{ name: 'monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { team: 'ops' } } }], ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }] }],
      egress: [
        { name: 'dns', action: 'Pass', to: [{ pods: { namespaceSelector: {}, podSelector: {} } }], ports: [{ portRange: { start: 53, end: 54 } }, { namedPort: 'dns' }] },
        { name: 'deny-world', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }, { nodes: { matchLabels: {} } }] },
      ],
    },
  },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' },
    spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
  },
  {
    apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: meta('web'),
    spec: {
      host: 'web.example.com', path: '/', to: { kind: 'Service', name: 'web', weight: 100 }, alternateBackends: [{ kind: 'Service', name: 'web-canary', weight: 10 }],
      port: { targetPort: 'http-with-a-long-service-port-name' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
    },
  },
  {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta('rule1'),
    spec: {
      description: 'L7 policy', endpointSelector: { matchLabels: { org: 'empire', 'k8s:class': 'deathstar' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { org: 'empire' }, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '4096', endPort: 8191, protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing', headers: ['X-Token: 1'] }] } }],
        authentication: { mode: 'required' },
      }],
      ingressDeny: [{ fromEntities: ['world'], icmps: [{ fields: [{ family: 'IPv4', type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] }],
      egress: [
        { toFQDNs: [{ matchName: 'one.one.one.one.' }, { matchPattern: '*.cilium.io' }], toPorts: [{ ports: [{ port: '443' }], serverNames: ['one.one.one.one'] }] },
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }, { cidrGroupRef: 'external' }] },
        { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] },
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      ],
      egressDeny: [{ toCIDR: ['1.1.1.1'] }],
      enableDefaultDeny: { ingress: true, egress: false },
      labels: [{ key: 'team', value: 'empire', source: 'k8s' }],
    },
  },
  {
    apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host-fw' },
    specs: [{ nodeSelector: {}, ingress: [{ fromEntities: ['remote-node', 'health'] }] }, { endpointSelector: {}, egress: [{ toEntities: ['all'] }] }],
  },
  { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'external', labels: { destination: 'external' } }, spec: { externalCIDRs: ['1.0.0.0/8', '2606:4700:4700::/96'] } },
];

const GATEWAY_API = 'gateway.networking.k8s.io';

VALID.push(
  { apiVersion: `${GATEWAY_API}/v1`, kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
  {
    apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', metadata: meta('public', { annotations: { 'networking.istio.io/service-type': 'LoadBalancer' } }),
    spec: {
      gatewayClassName: 'istio',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
        {
          name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'tls', namespace: 'certs' }] },
          allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } }, kinds: [{ kind: 'HTTPRoute' }] },
        },
      ],
      addresses: [{ type: 'Hostname', value: 'gw.shop.svc.cluster.local' }],
      infrastructure: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' } },
    },
    status: { addresses: [{ type: 'IPAddress', value: '203.0.113.5' }] },
  },
  {
    apiVersion: `${GATEWAY_API}/v1`, kind: 'HTTPRoute', metadata: meta('web', { creationTimestamp: '2025-01-02T03:04:05Z' }),
    spec: {
      parentRefs: [{ name: 'public', sectionName: 'https' }, { group: '', kind: 'Service', name: 'web', port: 80 }],
      hostnames: ['www.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET', headers: [{ name: 'x-v', value: '2' }], queryParams: [{ type: 'Exact', name: 'q', value: '1' }] }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
          backendRefs: [{ name: 'web', port: 80, weight: 90 }, { group: 'multicluster.x-k8s.io', kind: 'ServiceImport', name: 'web', port: 80, weight: 10 }],
        },
      ],
    },
  },
  {
    apiVersion: `${GATEWAY_API}/v1`, kind: 'GRPCRoute', metadata: meta('cart'),
    spec: { parentRefs: [{ name: 'public' }], rules: [{ matches: [{ method: { service: 'shop.Cart', method: 'Add' } }], backendRefs: [{ name: 'cart', port: 7070 }] }] },
  },
  { apiVersion: `${GATEWAY_API}/v1`, kind: 'TLSRoute', metadata: meta('vault'), spec: { parentRefs: [{ name: 'public', sectionName: 'tls' }], hostnames: ['vault.example.com'], rules: [{ backendRefs: [{ name: 'vault', port: 8200 }] }] } },
  { apiVersion: `${GATEWAY_API}/v1alpha2`, kind: 'TCPRoute', metadata: meta('db'), spec: { parentRefs: [{ name: 'public', port: 5432 }], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] } },
  { apiVersion: `${GATEWAY_API}/v1alpha2`, kind: 'UDPRoute', metadata: meta('dns'), spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'dns', port: 53 }] }] } },
  {
    apiVersion: `${GATEWAY_API}/v1beta1`, kind: 'ReferenceGrant', metadata: meta('shop-routes'),
    spec: { from: [{ group: GATEWAY_API, kind: 'HTTPRoute', namespace: 'web' }], to: [{ group: '', kind: 'Service' }, { group: '', kind: 'Secret', name: 'tls' }] },
  },
  {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('reviews-viewer'),
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/productpage'], notIpBlocks: ['10.0.0.0/8'] } }],
        to: [{ operation: { methods: ['GET'], ports: ['9080'] } }],
        when: [{ key: 'request.headers[version]', values: ['v1'] }],
      }],
    },
  },
  {
    apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: meta('default'),
    spec: { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } },
  },
  {
    apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: meta('jwt'),
    spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }], jwtRules: [{ issuer: 'https://accounts.example.com' }] },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3', kind: 'Gateway', metadata: meta('bookinfo-gateway'),
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } }] },
  },
  {
    apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: meta('bookinfo'),
    spec: {
      hosts: ['*'], gateways: ['bookinfo-gateway'],
      http: [{ match: [{ uri: { prefix: '/static' } }], route: [{ destination: { host: 'productpage', port: { number: 9080 }, subset: 'v1' }, weight: 100 }] }],
      tcp: [{ match: [{ port: 27017 }], route: [{ destination: { host: 'mongo.backend.svc.cluster.local' } }] }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('reviews'),
    spec: { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'DISABLE' } }] }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  },
  {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('external-api'),
    spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS' },
  },
  {
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta('default'),
    spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
  },
);

// prometheus-operator's custom resources, shaped like kube-prometheus's manifests.
VALID.push(
  {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: meta('k8s', { labels: { 'app.kubernetes.io/name': 'prometheus' } }),
    spec: {
      replicas: 2, shards: 1, version: '2.54.1', portName: 'web', listenLocal: false, hostNetwork: false,
      podMetadata: { labels: { 'app.kubernetes.io/part-of': 'kube-prometheus' } },
      thanos: { version: '0.36.1', grpcListenLocal: false, httpListenLocal: false },
      containers: [{ name: 'oauth-proxy', ports: [{ containerPort: 9091, name: 'proxy', protocol: 'TCP' }] }],
    },
  },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'Alertmanager', metadata: meta('main'), spec: { replicas: 3, podMetadata: { labels: { team: 'sre' } } } },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ThanosRuler', metadata: meta('rules'), spec: { replicas: 1, listenLocal: true } },
);

const CALICO_RULE = {
  action: 'Allow',
  metadata: { annotations: { owner: 'payments' } },
  protocol: 'TCP',
  notProtocol: 17,
  ipVersion: 4,
  source: {
    selector: "app == 'web'", notSelector: 'has(canary)', namespaceSelector: "team == 'shop'", nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'],
    ports: [80, '8000:8080', 'http'], notPorts: [8081], serviceAccounts: { names: ['web'], selector: "tier == 'front'" },
  },
  destination: { services: { name: 'db', namespace: 'shop' } },
  http: { methods: ['GET'], paths: [{ exact: '/health' }, { prefix: '/api' }] },
};
const CALICO_ICMP_RULE = { action: 'Deny', protocol: 'ICMP', icmp: { type: 8, code: 0 }, notICMP: { type: 3 } };
const CALICO_POLICY_SPEC = {
  tier: 'security', order: 100.5, selector: "app == 'db'", serviceAccountSelector: "tier == 'gold'", types: ['Ingress', 'Egress'],
  ingress: [CALICO_RULE, CALICO_ICMP_RULE, { action: 'Pass' }], egress: [{ action: 'Log' }], performanceHints: ['AssumeNeededOnEveryNode'],
};
for (const group of ['projectcalico.org/v3', 'crd.projectcalico.org/v1']) {
  VALID.push(
    { apiVersion: group, kind: 'NetworkPolicy', metadata: meta('security.db'), spec: CALICO_POLICY_SPEC },
    { apiVersion: group, kind: 'GlobalNetworkPolicy', metadata: { name: 'security.hosts' }, spec: { ...CALICO_POLICY_SPEC, namespaceSelector: 'all()', doNotTrack: false, preDNAT: true, applyOnForward: true } },
    { apiVersion: group, kind: 'StagedNetworkPolicy', metadata: meta('security.try'), spec: { ...CALICO_POLICY_SPEC, stagedAction: 'Set' } },
    { apiVersion: group, kind: 'StagedGlobalNetworkPolicy', metadata: { name: 'try' }, spec: { stagedAction: 'Delete', selector: 'all()' } },
    { apiVersion: group, kind: 'StagedKubernetesNetworkPolicy', metadata: meta('try-web'), spec: { stagedAction: 'Learn', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{}] } },
    { apiVersion: group, kind: 'NetworkSet', metadata: meta('partners', { labels: { role: 'partner' } }), spec: { nets: ['198.51.100.0/24'] } },
    { apiVersion: group, kind: 'GlobalNetworkSet', metadata: { name: 'blocked' }, spec: { nets: ['203.0.113.0/24', '2001:db8::/32'] } },
    { apiVersion: group, kind: 'Tier', metadata: { name: 'security' }, spec: { order: 300, defaultAction: 'Pass' } },
    { apiVersion: group, kind: 'HostEndpoint', metadata: { name: 'node-1-eth0', labels: { role: 'edge' } }, spec: { node: 'node-1', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'], profiles: ['projectcalico-default-allow'], ports: [{ name: 'ssh', port: 22, protocol: 'TCP' }] } },
    { apiVersion: group, kind: 'Profile', metadata: { name: 'kns.shop' }, spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }], labelsToApply: { 'pcns.team': 'shop' } } },
  );
}
VALID.push({
  apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: meta('node--1-k8s-web--1-eth0', { labels: { app: 'web', 'projectcalico.org/namespace': 'shop' } }),
  spec: { orchestrator: 'k8s', node: 'node-1', pod: 'web-1', endpoint: 'eth0', ipNetworks: ['10.244.1.5/32'], profiles: ['kns.shop', 'ksa.shop.default'], interfaceName: 'cali1234', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
});

describe('KIND_SCHEMAS', () => {
  it('has a schema for every modelled kind and no list kinds', () => {
    expect(Object.keys(KIND_SCHEMAS).sort()).toEqual([...KINDS].sort());
  });

  it('compiles with ajv in strict mode too (no unknown keywords)', () => {
    const strict = new Ajv({ strict: true, allowUnionTypes: true, strictRequired: false });
    for (const schema of Object.values(KIND_SCHEMAS)) expect(() => strict.compile(schema)).not.toThrow();
  });

  it('accepts a realistic object of every kind', () => {
    const covered = new Set<string>();
    for (const document of VALID) {
      const errors = errorsOf(document);
      expect({ kind: document.kind, name: (document.metadata as { name: string }).name, errors }).toEqual({
        kind: document.kind, name: (document.metadata as { name: string }).name, errors: [],
      });
      covered.add(schemaNameOf(document));
    }
    expect([...covered].sort()).toEqual([...KINDS].sort());
  });

  it('accepts unknown fields and empty (null) optional fields, as kubectl does', () => {
    expect(errorsOf({
      kind: 'Deployment', metadata: { name: 'web', labels: null, annotations: null, uid: 'x', managedFields: [] },
      spec: { replicas: null, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'w', ports: null }], somethingNew: 1 } } },
      status: { readyReplicas: 1 },
    })).toEqual([]);
    expect(errorsOf({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: null, protocol: null }], type: null } })).toEqual([]);
  });

  it('leaves operators to the model', () => {
    expect(errorsOf({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals' }] } } })).toEqual([]);
  });

  it('does not require apiVersion, kind or metadata.name', () => {
    expect(validators.Service({ spec: {} })).toBe(true);
  });

  it("checks the dialects' metadata as the API server checks every custom resource's", () => {
    const dialectObjects = [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', spec: {} },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', spec: { externalCIDRs: [] } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', spec: {} },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', spec: {} },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', spec: {} },
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'HostEndpoint', spec: {} },
    ];
    for (const object of dialectObjects) {
      const at = (metadata: Record<string, unknown>) => firstProblem({ ...object, metadata }).path;
      expect({ kind: object.kind, errors: errorsOf({ ...object, metadata: meta('web.shop-1') }) }).toEqual({ kind: object.kind, errors: [] });
      expect(at(meta('Web_Policy'))).toEqual(['metadata', 'name']);
      expect(at(meta('web', { namespace: 'Shop' }))).toEqual(['metadata', 'namespace']);
      expect(at(meta('web', { labels: { app: 'web server' } }))).toEqual(['metadata', 'labels', 'app']);
      expect(at(meta('web', { annotations: { 'bad key!': 'x' } }))).toEqual(['metadata', 'annotations', 'bad key!']);
    }
  });

  it("leaves the names of Calico's policies and tiers to the graph builder's per-kind rules", () => {
    for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'Tier']) {
      const object = { apiVersion: 'projectcalico.org/v3', kind, metadata: meta('Web_Policy'), spec: {} };
      expect({ kind, errors: errorsOf(object) }).toEqual({ kind, errors: [] });
      expect(firstProblem({ ...object, metadata: meta('web', { namespace: 'Shop' }) }).path).toEqual(['metadata', 'namespace']);
    }
  });
});

describe('describeSchemaError', () => {
  it('reports a Gateway listener port that is not a number, with its path', () => {
    expect(firstProblem({ apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', metadata: { name: 'g' }, spec: { listeners: [{ name: 'http', protocol: 'HTTP', port: '80' }] } })).toEqual({
      path: ['spec', 'listeners', 0, 'port'],
      message: 'spec.listeners[0].port must be an integer from 1 to 65535, not "80"; write it without quotes: 80',
    });
  });

  it('reports a backendRef weight out of range and a listener without a protocol', () => {
    expect(firstProblem({ apiVersion: `${GATEWAY_API}/v1`, kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ backendRefs: [{ name: 'web', port: 80, weight: -1 }] }] } }).message)
      .toBe('spec.rules[0].backendRefs[0].weight must be an integer from 0 to 1000000, not -1');
    expect(firstProblem({ apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', metadata: { name: 'g' }, spec: { listeners: [{ name: 'http', port: 80 }] } })).toMatchObject({
      path: ['spec', 'listeners', 0, 'protocol'],
    });
  });

  it('reports a port that is not a number', () => {
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } })).toEqual({
      path: ['spec', 'ports', 0, 'port'],
      message: 'spec.ports[0].port must be an integer from 1 to 65535, not "eighty"',
    });
  });

  it('reports a quoted number and says to drop the quotes', () => {
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: '80' }] } }).message).toBe(
      'spec.ports[0].port must be an integer from 1 to 65535, not "80"; write it without quotes: 80',
    );
  });

  it('reports a podSelector written as a list', () => {
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: [{ matchLabels: { app: 'web' } }] } })).toEqual({
      path: ['spec', 'podSelector'],
      message: 'spec.podSelector must be a mapping (a label selector), not a list',
    });
  });

  it('accepts an empty podSelector, which decodes to the zero selector that selects every pod', () => {
    const validate = ajv.compile(KIND_SCHEMAS.NetworkPolicy);
    expect(validate({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: null } })).toBe(true);
  });

  it('reports a Deployment without selector or template, as the API server refuses it', () => {
    expect(errorsOf({ kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 3 } }).map((error) => describeSchemaError(error, {}, 'Deployment').message))
      .toEqual(['spec.selector is required']);
    expect(firstProblem({ kind: 'StatefulSet', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } } } }).message).toBe('spec.template is required');
    expect(errorsOf({ kind: 'DaemonSet', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } }, template } })).toEqual([]);
  });

  it('reports replicas that are not a number', () => {
    expect(firstProblem({ kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 'three', selector: { matchLabels: { app: 'web' } }, template } })).toEqual({
      path: ['spec', 'replicas'],
      message: 'spec.replicas must be an integer from 0 to 2147483647, not "three"',
    });
    expect(firstProblem({ kind: 'StatefulSet', metadata: { name: 'd' }, spec: { replicas: -1, selector: { matchLabels: { app: 'web' } }, template } }).message).toBe(
      'spec.replicas must be an integer from 0 to 2147483647, not -1',
    );
  });

  it('reports an unquoted label value', () => {
    expect(firstProblem({ kind: 'Pod', metadata: { name: 'p', labels: { app: 'web', version: 1 } } })).toEqual({
      path: ['metadata', 'labels', 'version'],
      message: 'metadata.labels.version must be a string; quote it: "1"',
    });
    expect(firstProblem({ kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { 'app.kubernetes.io/enabled': true } } } } })).toEqual({
      path: ['spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/enabled'],
      message: 'spec.template.metadata.labels["app.kubernetes.io/enabled"] must be a string; quote it: "true"',
    });
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: null } } }).message).toBe(
      'spec.selector.app must be a string, not an empty value; write "" for an empty string',
    );
  });

  it('reports a protocol in the wrong case', () => {
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'tcp' }] } })).toEqual({
      path: ['spec', 'ports', 0, 'protocol'],
      message: 'spec.ports[0].protocol must be one of TCP, UDP, SCTP, not "tcp" (values are case-sensitive: write TCP)',
    });
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ protocol: 'HTTP' }] }] } })).toEqual({
      path: ['spec', 'egress', 0, 'ports', 0, 'protocol'],
      message: 'spec.egress[0].ports[0].protocol must be one of TCP, UDP, SCTP, not "HTTP"',
    });
  });

  it('reports a containerPort out of range', () => {
    const document = { kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'w' } }, template: { spec: { containers: [{ name: 'w', ports: [{ containerPort: 70000 }] }] } } } };
    expect(firstProblem(document)).toEqual({
      path: ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'],
      message: 'spec.template.spec.containers[0].ports[0].containerPort must be an integer from 1 to 65535, not 70000',
    });
  });

  it('reports a missing containerPort', () => {
    expect(firstProblem({ kind: 'Pod', metadata: { name: 'p' }, spec: { initContainers: [{ name: 'i', ports: [{ name: 'http' }] }] } })).toEqual({
      path: ['spec', 'initContainers', 0, 'ports', 0, 'containerPort'],
      message: 'spec.initContainers[0].ports[0].containerPort is required (the port number the container listens on)',
    });
  });

  it('reports an invalid container port name', () => {
    const problem = (name: string) => firstProblem({
      kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'w' } }, template: { spec: { containers: [{ name: 'w', ports: [{ containerPort: 80, name }] }] } } },
    });
    expect(problem('HTTP-Port')).toEqual({
      path: ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'name'],
      message: 'spec.template.spec.containers[0].ports[0].name "HTTP-Port" is not a valid port name: at most 15 lowercase letters, digits and \'-\'',
    });
    expect(problem('my-very-long-port-name').message).toMatch(/\(this one has 22 characters\)$/);
    expect(problem('http--alt').message).toMatch(/, without '--'$/);
    expect(problem('-http').message).toMatch(/not starting or ending with '-'$/);
    expect(problem('8080').message).toMatch(/with at least one letter; for port number 8080, write it without quotes$/);
  });

  it('reports policyTypes with a wrong value', () => {
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'ingress'] } })).toEqual({
      path: ['spec', 'policyTypes', 1],
      message: 'spec.policyTypes[1] must be one of Ingress, Egress, not "ingress" (values are case-sensitive: write Ingress)',
    });
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, policyTypes: ['Both'] } }).message).toBe(
      'spec.policyTypes[0] must be one of Ingress, Egress, not "Both"',
    );
  });

  it('reports an ipBlock without cidr', () => {
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }, { ipBlock: { except: ['10.0.0.0/8'] } }] }] } })).toEqual({
      path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'cidr'],
      message: 'spec.ingress[0].from[1].ipBlock.cidr is required (an ipBlock needs a CIDR range such as 10.0.0.0/16)',
    });
  });

  it('reports a missing podSelector and a matchExpression without operator', () => {
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { policyTypes: ['Ingress'] } })).toEqual({
      path: ['spec', 'podSelector'],
      message: 'spec.podSelector is required (write podSelector: {} to select every pod in the namespace)',
    });
    expect(firstProblem({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: { matchExpressions: [{ key: 'app' }] } } })).toEqual({
      path: ['spec', 'podSelector', 'matchExpressions', 0, 'operator'],
      message: 'spec.podSelector.matchExpressions[0].operator is required',
    });
  });

  it('describes an int-or-string port once, from its value, whichever oneOf error it gets', () => {
    const cases: [unknown, string][] = [
      [70000, 'spec.ports[0].targetPort must be a port number from 1 to 65535 or a port name, not 70000'],
      [0, 'spec.ports[0].targetPort must be a port number from 1 to 65535 or a port name, not 0'],
      ['HTTP', 'spec.ports[0].targetPort "HTTP" is not a valid port name: at most 15 lowercase letters, digits and \'-\''],
      ['8080', 'spec.ports[0].targetPort "8080" is not a valid port name: at most 15 lowercase letters, digits and \'-\', with at least one letter; for port number 8080, write it without quotes'],
      [true, 'spec.ports[0].targetPort must be a port number from 1 to 65535 or a port name, not true'],
      [80.5, 'spec.ports[0].targetPort must be a port number from 1 to 65535 or a port name, not 80.5'],
      [{ port: 80 }, 'spec.ports[0].targetPort must be a port number from 1 to 65535 or a port name, not a mapping'],
    ];
    for (const [targetPort, message] of cases) {
      const document = { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } };
      const errors = errorsOf(document);
      expect(errors.length).toBeGreaterThan(1);
      for (const error of errors) {
        expect(describeSchemaError(error, document)).toEqual({ path: ['spec', 'ports', 0, 'targetPort'], message });
      }
    }
  });

  it('describes NetworkPolicy ports and endPort', () => {
    const policy = (port: Record<string, unknown>) => ({ kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, ingress: [{ ports: [port] }] } });
    expect(firstProblem(policy({ port: 80, endPort: 70000 })).message).toBe('spec.ingress[0].ports[0].endPort must be an integer from 1 to 65535, not 70000');
    expect(firstProblem(policy({ port: 'Web' })).message).toBe(
      'spec.ingress[0].ports[0].port "Web" is not a valid port name: at most 15 lowercase letters, digits and \'-\'',
    );
  });

  it('describes Ingress backends of both API versions', () => {
    const v1 = (port: unknown) => ({
      kind: 'Ingress', metadata: { name: 'i' },
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port } } }] } }] },
    });
    expect(firstProblem(v1(80))).toEqual({
      path: ['spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port'],
      message: 'spec.rules[0].http.paths[0].backend.service.port must be a mapping with a port number or name, not 80; write port: { number: 80 }',
    });
    expect(firstProblem(v1({})).message).toBe('spec.rules[0].http.paths[0].backend.service.port needs either number or name');
    expect(firstProblem(v1({ number: 'http' })).message).toBe(
      'spec.rules[0].http.paths[0].backend.service.port.number must be an integer from 1 to 65535, not "http"',
    );
    expect(firstProblem({
      kind: 'Ingress', metadata: { name: 'i' }, spec: { backend: { serviceName: 'web', servicePort: 'Http' } },
    }).message).toBe('spec.backend.servicePort "Http" is not a valid port name: at most 15 lowercase letters, digits and \'-\'');
    expect(firstProblem({
      kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'prefix', backend: {} }] } }] },
    }).message).toBe('spec.rules[0].http.paths[0].pathType must be one of Exact, Prefix, ImplementationSpecific, not "prefix" (values are case-sensitive: write Prefix)');
  });

  it('reports other wrong types plainly', () => {
    expect(firstProblem({ kind: 'Pod', metadata: { name: 'p' }, spec: { hostNetwork: 'true' } }).message).toBe(
      'spec.hostNetwork must be true or false, not "true"; write it without quotes: true',
    );
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { type: 'Nodeport' } }).message).toBe(
      'spec.type must be one of ClusterIP, NodePort, LoadBalancer, ExternalName, not "Nodeport" (values are case-sensitive: write NodePort)',
    );
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { ports: { port: 80 } } })).toEqual({
      path: ['spec', 'ports'],
      message: 'spec.ports must be a list, not a mapping',
    });
    expect(firstProblem({ kind: 'Service', metadata: { name: 's' }, spec: { loadBalancerSourceRanges: ['10.0.0.0/8', 42] } }).message).toBe(
      'spec.loadBalancerSourceRanges[1] must be a string; quote it: "42"',
    );
    expect(firstProblem({ kind: 'Node', metadata: { name: 'n' }, spec: { podCIDRs: '10.0.0.0/24' } }).message).toBe(
      'spec.podCIDRs must be a list of strings, not "10.0.0.0/24"',
    );
    expect(firstProblem({ kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { hostNetwork: 1 } } } } } }).message).toBe(
      'spec.jobTemplate.spec.template.spec.hostNetwork must be true or false, not 1',
    );
  });

  it('keeps numeric map keys as strings and finds the schema from the kind argument', () => {
    const item = { metadata: { name: 'p', labels: { 0: 5 } } };
    const errors = validators.Pod(item) ? [] : validators.Pod.errors!;
    expect(describeSchemaError(errors[0], item, 'Pod')).toEqual({
      path: ['metadata', 'labels', '0'],
      message: 'metadata.labels["0"] must be a string; quote it: "5"',
    });
  });

  it('still describes an error when the kind is unknown', () => {
    const item = { spec: { ports: [{ port: 80, targetPort: 'HTTP' }] } };
    validators.Service(item);
    expect(describeSchemaError(validators.Service.errors![0], item).message).toBe(
      'spec.ports[0].targetPort "HTTP" is not a valid port name: at most 15 lowercase letters, digits and \'-\'',
    );
  });
});

describe('formatPath', () => {
  it('writes paths the way kubectl users read them', () => {
    expect(formatPath(['spec', 'ingress', 0, 'from', 1, 'namespaceSelector'])).toBe('spec.ingress[0].from[1].namespaceSelector');
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(formatPath([])).toBe('');
  });
});
