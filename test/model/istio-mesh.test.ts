import { describe, expect, it } from '@jest/globals';
import { decideInjection, decideMembership, istioMesh, type InjectionInput, type PodMeshFacts } from '../../src/model/istio-mesh.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { analyzeTexts } from '../../src/pipeline.js';

const input = (overrides: Partial<InjectionInput>): InjectionInput => ({
  namespace: 'shop', namespaceLabels: {}, podLabels: {}, podAnnotations: {}, hostNetwork: false, enableNamespacesByDefault: false, ...overrides,
});

describe('decideInjection: the injection table of istio.io "Installing the Sidecar" and the webhooks\' selectors', () => {
  it.each([
    // namespace labels, pod labels, pod annotations, injected, revision
    ['no label, no pod setting: not injected (enableNamespacesByDefault is off)', {}, {}, {}, false, undefined],
    ['istio-injection=enabled', { 'istio-injection': 'enabled' }, {}, {}, true, undefined],
    ['istio-injection=enabled, pod label "false"', { 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }, {}, false, undefined],
    ['istio-injection=enabled, pod annotation "false" (deprecated, still read)', { 'istio-injection': 'enabled' }, {}, { 'sidecar.istio.io/inject': 'false' }, false, undefined],
    ['istio-injection=enabled, pod label "true" wins over annotation "false"', { 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'false' }, true, undefined],
    ['istio-injection=disabled, pod label "true": disabled wins', { 'istio-injection': 'disabled' }, { 'sidecar.istio.io/inject': 'true' }, {}, false, undefined],
    ['istio-injection=disabled, pod label istio.io/rev', { 'istio-injection': 'disabled' }, { 'istio.io/rev': 'canary' }, {}, false, undefined],
    ['istio-injection with another value selects no webhook', { 'istio-injection': 'true' }, {}, {}, false, undefined],
    ['namespace istio.io/rev=canary', { 'istio.io/rev': 'canary' }, {}, {}, true, 'canary'],
    ['namespace istio.io/rev=canary, pod label "false"', { 'istio.io/rev': 'canary' }, { 'sidecar.istio.io/inject': 'false' }, {}, false, undefined],
    ['istio-injection=enabled takes precedence over istio.io/rev', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, {}, {}, true, undefined],
    ['istio-injection=disabled takes precedence over istio.io/rev', { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }, {}, {}, false, undefined],
    ['no namespace label, pod label istio.io/rev=canary', {}, { 'istio.io/rev': 'canary' }, {}, true, 'canary'],
    ['no namespace label, pod labels istio.io/rev and inject "false"', {}, { 'istio.io/rev': 'canary', 'sidecar.istio.io/inject': 'false' }, {}, false, undefined],
    ['no namespace label, pod label "true"', {}, { 'sidecar.istio.io/inject': 'true' }, {}, true, undefined],
    ['no namespace label, pod label "yes": the object webhook wants exactly "true"', {}, { 'sidecar.istio.io/inject': 'yes' }, {}, false, undefined],
    ['no namespace label, pod annotation "true" only: no webhook reads annotations', {}, {}, { 'sidecar.istio.io/inject': 'true' }, false, undefined],
  ])('%s', (_, namespaceLabels, podLabels, podAnnotations, injected, revision) => {
    const decision = decideInjection(input({ namespaceLabels, podLabels, podAnnotations }));
    expect(decision.injected).toBe(injected);
    expect(decision.revision).toBe(revision);
    expect(decision.reason).not.toBe('');
  });

  it('injects unlabelled namespaces when enableNamespacesByDefault is on, unless the pod says false', () => {
    expect(decideInjection(input({ enableNamespacesByDefault: true })).injected).toBe(true);
    expect(decideInjection(input({ enableNamespacesByDefault: true, podLabels: { 'sidecar.istio.io/inject': 'false' } })).injected).toBe(false);
    expect(decideInjection(input({ enableNamespacesByDefault: true, namespaceLabels: { 'istio-injection': 'disabled' } })).injected).toBe(false);
  });

  it('never injects host-networked pods or the system namespaces', () => {
    expect(decideInjection(input({ hostNetwork: true, namespaceLabels: { 'istio-injection': 'enabled' } })).injected).toBe(false);
    for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']) {
      expect(decideInjection(input({ namespace, namespaceLabels: { 'istio-injection': 'enabled' }, podLabels: { 'sidecar.istio.io/inject': 'true' } })).injected).toBe(false);
    }
  });

  it('says why in the user\'s words', () => {
    expect(decideInjection(input({ namespaceLabels: { 'istio-injection': 'enabled' } })).reason).toBe('namespace shop has istio-injection=enabled');
    expect(decideInjection(input({ namespaceLabels: { 'istio-injection': 'enabled' }, podLabels: { 'sidecar.istio.io/inject': 'false' } })).reason)
      .toBe('its label sidecar.istio.io/inject="false" turns off the injection namespace shop asks for');
    expect(decideInjection(input({})).reason).toBe('namespace shop has no istio-injection or istio.io/rev label');
  });
});

const facts = (overrides: Partial<PodMeshFacts>): PodMeshFacts => ({
  namespace: 'shop', labels: {}, annotations: {}, hostNetwork: false, containers: [{ name: 'app', image: 'shop:1' }], ...overrides,
});

describe('decideMembership', () => {
  it('gives a sidecar pod its SPIFFE principal from its service account', () => {
    const membership = decideMembership(facts({ serviceAccount: 'cart' }), { 'istio-injection': 'enabled' }, DEFAULT_ISTIO_SETTINGS);
    expect(membership).toMatchObject({ dataPlane: 'sidecar', serviceAccount: 'cart', principal: 'cluster.local/ns/shop/sa/cart' });
    const unnamed = decideMembership(facts({}), { 'istio-injection': 'enabled' }, { ...DEFAULT_ISTIO_SETTINGS, trustDomain: 'corp.example' });
    expect(unnamed.principal).toBe('corp.example/ns/shop/sa/default');
  });

  it('reads an already injected pod (a cluster dump) as a sidecar pod whatever the labels say', () => {
    expect(decideMembership(facts({ annotations: { 'sidecar.istio.io/status': '{}' } }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('sidecar');
    expect(decideMembership(facts({ containers: [{ name: 'app' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.0' }] }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('sidecar');
  });

  it('recognises Istio\'s own gateways and waypoints', () => {
    expect(decideMembership(facts({ annotations: { 'inject.istio.io/templates': 'gateway' }, labels: { 'sidecar.istio.io/inject': 'true' } }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('gateway');
    expect(decideMembership(facts({ labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller' } }), {}, DEFAULT_ISTIO_SETTINGS).reason).toContain('waypoint');
    expect(decideMembership(facts({ containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.0' }] }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('gateway');
    expect(decideMembership(facts({ containers: [{ name: 'istio-proxy', image: 'gcr.io/istio-release/proxyv2@sha256:abc' }] }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('gateway');
    expect(decideMembership(facts({ containers: [{ name: 'istio-proxy', image: 'auto' }] }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('gateway');
    expect(decideMembership(facts({ containers: [{ name: 'app', image: 'auto' }] }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('none');
  });

  it('enrols ambient pods by namespace or pod label, lets a pod opt out, and lets a sidecar win', () => {
    expect(decideMembership(facts({}), { 'istio.io/dataplane-mode': 'ambient' }, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('ambient');
    expect(decideMembership(facts({ labels: { 'istio.io/dataplane-mode': 'ambient' } }), {}, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('ambient');
    const optedOut = decideMembership(facts({ labels: { 'istio.io/dataplane-mode': 'none' } }), { 'istio.io/dataplane-mode': 'ambient' }, DEFAULT_ISTIO_SETTINGS);
    expect(optedOut.dataPlane).toBe('none');
    expect(optedOut.reason).toContain('opts it out');
    expect(decideMembership(facts({}), { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'enabled' }, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('sidecar');
    const withWaypoint = decideMembership(facts({}), { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }, DEFAULT_ISTIO_SETTINGS);
    expect(withWaypoint.waypoint).toBe('waypoint');
    expect(decideMembership(facts({ labels: { 'istio.io/use-waypoint': 'none' } }), { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }, DEFAULT_ISTIO_SETTINGS).waypoint).toBeUndefined();
  });

  it('leaves host-networked pods out, and takes every other pod in with assumeSidecars', () => {
    expect(decideMembership(facts({ hostNetwork: true }), { 'istio.io/dataplane-mode': 'ambient' }, DEFAULT_ISTIO_SETTINGS).dataPlane).toBe('none');
    const assumed = { ...DEFAULT_ISTIO_SETTINGS, assumeSidecars: true };
    expect(decideMembership(facts({ namespace: 'kube-system' }), {}, assumed).dataPlane).toBe('sidecar');
    expect(decideMembership(facts({ hostNetwork: true }), {}, assumed).dataPlane).toBe('none');
  });
});

describe('IstioMesh on a graph', () => {
  it('reads namespaces, templates, service accounts and annotations from the manifests', () => {
    const { graph } = analyzeTexts([{
      path: 'mesh.yaml',
      text: `apiVersion: v1
kind: Namespace
metadata:
  name: bookinfo
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
  namespace: bookinfo
spec:
  selector:
    matchLabels: {app: reviews}
  template:
    metadata:
      labels: {app: reviews}
    spec:
      serviceAccountName: bookinfo-reviews
      containers:
        - name: reviews
          image: reviews:1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  namespace: bookinfo
spec:
  selector:
    matchLabels: {app: batch}
  template:
    metadata:
      labels: {app: batch}
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      containers:
        - name: batch
          image: batch:1
---
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: legacy
spec:
  containers:
    - name: curl
      image: curl
`,
    }]);
    const mesh = istioMesh(graph);
    const membership = (id: string) => mesh.membershipOf(graph.workload(id)!.pods[0]);
    expect(membership('bookinfo/reviews[Deployment]')).toMatchObject({ dataPlane: 'sidecar', principal: 'cluster.local/ns/bookinfo/sa/bookinfo-reviews' });
    expect(membership('bookinfo/batch[Deployment]').dataPlane).toBe('none');
    expect(membership('legacy/curl[Pod]')).toMatchObject({ dataPlane: 'none', reason: 'namespace legacy has no istio-injection or istio.io/rev label' });
    expect(mesh.hasMembers).toBe(true);
  });
});
