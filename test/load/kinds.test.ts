/**
 * Kinds are identified by API group and version, never by name alone; objects the API server
 * would refuse (an apiVersion it does not serve for the kind, a name it does not accept) are
 * reported and left out.
 */
import { describe, expect, it } from '@jest/globals';
import { KIND_DEFINITIONS, identifyKind, modelledKindOf, splitApiVersion, suggestKind } from '../../src/load/kinds.js';
import { KIND_SCHEMAS } from '../../src/load/schemas.js';
import { analyzeTexts } from '../../src/pipeline.js';

const object = (apiVersion: string, kind: string, body = '') => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: shop}\n${body}`;

describe('the kind registry', () => {
  it('keys every modelled kind by group, with a schema each', () => {
    expect(KIND_DEFINITIONS.map((definition) => `${definition.group}/${definition.kind}@${definition.versions.join(',')}`).sort()).toEqual([
      '/Endpoints@v1', '/Namespace@v1', '/Node@v1', '/Pod@v1', '/ReplicationController@v1', '/Service@v1',
      'apps/DaemonSet@v1', 'apps/Deployment@v1', 'apps/ReplicaSet@v1', 'apps/StatefulSet@v1',
      'autoscaling/HorizontalPodAutoscaler@v1,v2', 'batch/CronJob@v1', 'batch/Job@v1', 'discovery.k8s.io/EndpointSlice@v1',
      'networking.k8s.io/Ingress@v1', 'networking.k8s.io/IngressClass@v1', 'networking.k8s.io/NetworkPolicy@v1',
      'policy.networking.k8s.io/AdminNetworkPolicy@v1alpha1', 'policy.networking.k8s.io/BaselineAdminNetworkPolicy@v1alpha1',
      'policy.networking.k8s.io/ClusterNetworkPolicy@v1alpha2',
      'route.openshift.io/Route@v1',
      'gateway.networking.k8s.io/GRPCRoute@v1alpha2,v1', 'gateway.networking.k8s.io/Gateway@v1beta1,v1', 'gateway.networking.k8s.io/GatewayClass@v1beta1,v1',
      'gateway.networking.k8s.io/HTTPRoute@v1beta1,v1', 'gateway.networking.k8s.io/ReferenceGrant@v1alpha2,v1beta1,v1',
      'gateway.networking.k8s.io/TCPRoute@v1alpha2', 'gateway.networking.k8s.io/TLSRoute@v1alpha2,v1alpha3,v1', 'gateway.networking.k8s.io/UDPRoute@v1alpha2',
      'monitoring.coreos.com/Alertmanager@v1', 'monitoring.coreos.com/Prometheus@v1', 'monitoring.coreos.com/ThanosRuler@v1',
      'cilium.io/CiliumCIDRGroup@v2alpha1,v2', 'cilium.io/CiliumClusterwideNetworkPolicy@v2', 'cilium.io/CiliumNetworkPolicy@v2',
      'networking.istio.io/DestinationRule@v1alpha3,v1beta1,v1', 'networking.istio.io/Gateway@v1alpha3,v1beta1,v1',
      'networking.istio.io/ServiceEntry@v1alpha3,v1beta1,v1', 'networking.istio.io/Sidecar@v1alpha3,v1beta1,v1',
      'networking.istio.io/VirtualService@v1alpha3,v1beta1,v1', 'security.istio.io/AuthorizationPolicy@v1beta1,v1',
      'security.istio.io/PeerAuthentication@v1beta1,v1', 'security.istio.io/RequestAuthentication@v1beta1,v1',
      ...['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy',
        'NetworkSet', 'GlobalNetworkSet', 'Tier', 'HostEndpoint', 'Profile'].flatMap((kind) => [`projectcalico.org/${kind}@v3`, `crd.projectcalico.org/${kind}@v1`]),
      'projectcalico.org/WorkloadEndpoint@v3',
    ].sort());
    for (const definition of KIND_DEFINITIONS) expect(Object.hasOwn(KIND_SCHEMAS, definition.schema)).toBe(true);
    // Ids are unique across groups (a Calico NetworkPolicy, once modelled, gets an id of its own);
    // schema keys name build files.
    expect(new Set(KIND_DEFINITIONS.map((definition) => definition.id)).size).toBe(KIND_DEFINITIONS.length);
    for (const definition of KIND_DEFINITIONS) expect(definition.schema).toMatch(/^[A-Za-z0-9-]+$/);
  });

  it('suggests a kind for a misspelling among the kinds its group serves', () => {
    expect(suggestKind('Deploymnet', 'apps')).toBe('Deployment');
    expect(suggestKind('Sevice', '')).toBe('Service');
    expect(suggestKind('HttpRoute', 'gateway.networking.k8s.io')).toBe('HTTPRoute');
    expect(suggestKind('Promethues', 'monitoring.coreos.com')).toBe('Prometheus');
    // A registry group's kinds k8snet does not model are no misspellings (prometheus-operator's
    // Probe is not a Role), and another custom group may serve any kind.
    expect(suggestKind('Probe', 'monitoring.coreos.com')).toBeUndefined();
    expect(suggestKind('BackendTLSPolicy', 'gateway.networking.k8s.io')).toBeUndefined();
    expect(suggestKind('NetworkPolcy', 'crd.antrea.io')).toBeUndefined();
    // Calico's group serves a NetworkPolicy of its own.
    expect(suggestKind('NetworkPolcy', 'projectcalico.org')).toBe('NetworkPolicy');
  });

  it('splits apiVersions into group and version', () => {
    expect(splitApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(splitApiVersion('networking.k8s.io/v1')).toEqual({ group: 'networking.k8s.io', version: 'v1' });
  });

  it('tells Kubernetes\' kinds from other groups\' kinds of the same name', () => {
    expect(modelledKindOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' })).toBe('NetworkPolicy');
    expect(modelledKindOf({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' })).toBe('CalicoNetworkPolicy');
    expect(modelledKindOf({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy' })).toBe('CalicoCrdNetworkPolicy');
    expect(modelledKindOf({ apiVersion: 'crd.antrea.io/v1beta1', kind: 'NetworkPolicy' })).toBeUndefined();
    expect(modelledKindOf({ apiVersion: 'v1', kind: 'Service' })).toBe('Service');
    expect(modelledKindOf({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' })).toBeUndefined();
    expect(modelledKindOf({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' })).toBe('CiliumNetworkPolicy');
    expect(identifyKind('cilium.io/v2', 'CiliumEgressGatewayPolicy')).toEqual({ status: 'other', group: 'cilium.io' });
    // A version of a custom group k8snet does not know may be served by its CRD: another kind to k8snet, not an error.
    expect(identifyKind('policy.networking.k8s.io/v1alpha2', 'AdminNetworkPolicy')).toEqual({ status: 'other', group: 'policy.networking.k8s.io' });
    // Istio's Gateway is not the Gateway API's; every served version of the Gateway API's is one kind.
    expect(modelledKindOf({ apiVersion: 'networking.istio.io/v1beta1', kind: 'Gateway' })).toBe('IstioGateway');
    expect(modelledKindOf({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' })).toBe('Gateway');
    expect(modelledKindOf({ apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'Gateway' })).toBe('Gateway');
    expect(identifyKind('gateway.networking.k8s.io/v1alpha1', 'Gateway')).toEqual({ status: 'other', group: 'gateway.networking.k8s.io' });
    expect(modelledKindOf({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus' })).toBe('Prometheus');
    expect(modelledKindOf({ apiVersion: 'v1', kind: 'Prometheus' })).toBeUndefined();
  });

  it('knows the versions the API server no longer serves, and modelled kinds in built-in groups that do not serve them', () => {
    expect(identifyKind('extensions/v1beta1', 'Ingress')).toEqual({ status: 'not-served', removed: { removedIn: '1.22', replacement: 'networking.k8s.io/v1' } });
    expect(identifyKind('apps/v1beta1', 'Deployment')).toEqual({ status: 'not-served', removed: { removedIn: '1.16', replacement: 'apps/v1' } });
    expect(identifyKind('batch/v1beta1', 'CronJob')).toEqual({ status: 'not-served', removed: { removedIn: '1.25', replacement: 'batch/v1' } });
    expect(identifyKind('v1', 'Deployment')).toEqual({ status: 'not-served', servedAs: 'apps/v1' });
    expect(identifyKind('networking.k8s.io/v2', 'NetworkPolicy')).toEqual({ status: 'not-served', servedAs: 'networking.k8s.io/v1' });
  });
});

describe('objects of other groups and of versions not served', () => {
  const { graph, inputFindings } = analyzeTexts([
    { path: 'calico.yaml', text: object('projectcalico.org/v3', 'NetworkPolicy', "spec:\n  selector: role == 'db'\n  types: [Ingress]\n") },
    { path: 'calico-2.yaml', text: object('projectcalico.org/v3', 'NetworkPolicy', "spec:\n  selector: all()\n").replace('name: x', 'name: z') },
    { path: 'antrea.yaml', text: object('crd.antrea.io/v1beta1', 'NetworkPolicy', 'spec:\n  priority: 5\n  appliedTo: [{podSelector: {}}]\n') },
    { path: 'kubernetes.yaml', text: object('networking.k8s.io/v1', 'NetworkPolicy', 'spec:\n  podSelector: {}\n') },
    { path: 'knative.yaml', text: object('serving.knative.dev/v1', 'Service', 'spec:\n  template:\n    spec:\n      containers: [{image: hello}]\n') },
    { path: 'service.yaml', text: object('v1', 'Service', 'spec:\n  selector: {app: web}\n  ports: [{port: 80}]\n') },
    { path: 'old-ingress.yaml', text: object('extensions/v1beta1', 'Ingress', 'spec:\n  backend: {serviceName: web, servicePort: 80}\n') },
    { path: 'wrong-group.yaml', text: object('v1', 'Deployment', 'spec: {}\n') },
  ]);

  it('reads only the Kubernetes NetworkPolicy and the core Service as such, and Calico\'s as Calico\'s', () => {
    expect(graph.policies.map((policy) => policy.name)).toEqual(['x']);
    expect(graph.calico.policies.map((policy) => `${policy.namespace}/${policy.name}`)).toEqual(['shop/x', 'shop/z']);
    expect(graph.services.map((service) => service.name)).toEqual(['x']);
    expect(graph.policies[0].source.origin.file).toBe('kubernetes.yaml');
    expect(graph.services[0].source.origin.file).toBe('service.yaml');
    expect(graph.otherObjects.map((other) => `${other.apiVersion} ${other.kind}`).sort()).toEqual([
      'crd.antrea.io/v1beta1 NetworkPolicy', 'serving.knative.dev/v1 Service',
    ]);
  });

  it('reports other kinds once per group and kind, as infos, saying they are not Kubernetes\' own', () => {
    const unknown = inputFindings.filter((finding) => finding.ruleId === 'input-unknown-kind');
    expect(unknown.map((finding) => [finding.severity, finding.location?.file, finding.message])).toEqual([
      ['info', 'antrea.yaml', "Kind NetworkPolicy of crd.antrea.io (v1beta1) is not a kind k8snet models; k8snet keeps it but does not analyse it; it is not Kubernetes' own NetworkPolicy, and k8snet's answers do not account for it."],
      ['info', 'knative.yaml', "Kind Service of serving.knative.dev (v1) is not a kind k8snet models; k8snet keeps it but does not analyse it; it is not Kubernetes' own Service, and k8snet's answers do not account for it."],
    ]);
  });

  it('refuses an apiVersion that does not serve the kind, as kubectl apply does, and says which one to write', () => {
    const refused = inputFindings.filter((finding) => finding.ruleId === 'input-api-version-not-served');
    expect(refused.map((finding) => [finding.severity, finding.location?.file, finding.path, finding.object])).toEqual([
      ['error', 'old-ingress.yaml', 'apiVersion', { kind: 'Ingress', namespace: 'shop', name: 'x' }],
      ['error', 'wrong-group.yaml', 'apiVersion', { kind: 'Deployment', namespace: 'shop', name: 'x' }],
    ]);
    expect(refused[0].message).toBe('Ingress shop/x uses apiVersion extensions/v1beta1, which the API server no longer serves (removed in Kubernetes 1.22); write apiVersion: networking.k8s.io/v1; '
      + 'kubectl apply fails with \'no matches for kind "Ingress" in version "extensions/v1beta1"\', so k8snet leaves it out.');
    expect(refused[1].message).toContain('which does not serve kind Deployment; write apiVersion: apps/v1');
    expect(graph.ingresses).toEqual([]);
    expect(graph.workloads).toEqual([]);
    expect(inputFindings.filter((finding) => finding.severity === 'error')).toHaveLength(2);
  });
});

describe('names the API server refuses', () => {
  const findingsOf = (text: string) => analyzeTexts([{ path: 'n.yaml', text }]).inputFindings.map((finding) => `${finding.ruleId} ${finding.path}: ${finding.message.replace(/; the API server rejects.*$/, '')}`);

  it.each([
    ['a Deployment name with capitals', object('apps/v1', 'Deployment').replace('name: x', 'name: Web'),
      'input-schema metadata.name: Deployment shop/Web: metadata.name "Web" is not a valid name: it must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\', beginning and ending with a letter or digit (it has capital letters: web would do)'],
    ['a Service name with a dot (Services take DNS-1035 labels)', object('v1', 'Service').replace('name: x', 'name: web.v2'),
      'input-schema metadata.name: Service shop/web.v2: metadata.name "web.v2" is not a valid name: it must be a DNS-1035 label: at most 63 lowercase letters, digits and \'-\', beginning with a letter and ending with a letter or digit (it has a \'.\')'],
    ['a Service name starting with a digit', object('v1', 'Service').replace('name: x', 'name: 1web'),
      'input-schema metadata.name: Service shop/1web: metadata.name "1web" is not a valid name: it must be a DNS-1035 label: at most 63 lowercase letters, digits and \'-\', beginning with a letter and ending with a letter or digit (it begins with a digit)'],
    ['a namespace with an underscore', object('v1', 'ConfigMap').replace('namespace: shop', 'namespace: my_ns').replace('kind: ConfigMap', 'kind: Pod'),
      'input-schema metadata.namespace: Pod my_ns/x: metadata.namespace "my_ns" is not a valid name: it must be a DNS-1123 label: at most 63 lowercase letters, digits and \'-\', beginning and ending with a letter or digit (it contains \'_\')'],
    ['a CronJob name over 52 characters', object('batch/v1', 'CronJob').replace('name: x', `name: ${'c'.repeat(53)}`),
      `input-schema metadata.name: CronJob shop/${'c'.repeat(53)}: metadata.name "${'c'.repeat(53)}" is longer than 52 characters (it has 53)`],
    ['a label key with a space', object('v1', 'Pod', '').replace('namespace: shop}', 'namespace: shop, labels: {"my app": web}}'),
      'input-schema metadata.labels["my app"]: Pod shop/x: metadata.labels key "my app" is not a valid label key: a name of at most 63 letters, digits, \'-\', \'_\' and \'.\', beginning and ending with a letter or digit, optionally after a DNS subdomain prefix and \'/\' (app.kubernetes.io/name) (it contains a space)'],
    ['a label value of 64 characters', object('v1', 'Pod', '').replace('namespace: shop}', `namespace: shop, labels: {app: ${'v'.repeat(64)}}}`),
      `input-schema metadata.labels.app: Pod shop/x: metadata.labels.app "${'v'.repeat(57)}..." is not a valid label value: at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit, or empty (it has 64 characters)`],
    ['an unquoted date as a label value', object('v1', 'Pod', '').replace('namespace: shop}', 'namespace: shop, labels: {released: 2024-01-02}}'),
      'input-schema metadata.labels.released: Pod shop/x: metadata.labels.released "2024-01-02T00:00:00Z" is not a valid label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', beginning and ending with a letter or digit, or empty (kubectl reads an unquoted date as a timestamp and writes it like this: quote the date)'],
    ['a selector value with a slash', object('networking.k8s.io/v1', 'NetworkPolicy', 'spec:\n  podSelector: {matchLabels: {app: a/b}}\n'),
      'input-schema spec.podSelector.matchLabels.app: NetworkPolicy shop/x: spec.podSelector.matchLabels.app "a/b" is not a valid label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', beginning and ending with a letter or digit, or empty (it contains \'/\')'],
    ['a name read as a boolean (n)', object('v1', 'Pod').replace('name: x', 'name: n'),
      'input-schema metadata.name: Pod n: metadata.name must be a string (kubectl reads n as false); quote it: "n"'],
  ])('%s', (_what, text, expected) => {
    expect(findingsOf(text)).toEqual([expected]);
  });

  it('reports every invalid field of an object at once, as the API server does', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  labels: {"bad key": x}\nspec:\n  type: Loadbalancer\n  selector: {app: web}\n  ports:\n    - port: 0\n    - port: 443\n      targetPort: "8443"\n';
    expect(findingsOf(text).map((finding) => finding.split(':')[0])).toEqual([
      'input-schema metadata.labels["bad key"]', 'input-schema spec.type', 'input-schema spec.ports[0].port', 'input-schema spec.ports[1].targetPort',
    ]);
  });
});
