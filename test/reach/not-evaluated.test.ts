/**
 * The one mechanism by which answers and the three `…-policy-not-evaluated` rules say which
 * Cilium, Calico and Istio policies apply but are not evaluated yet (src/reach/not-evaluated.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import { notEvaluatedNotes, notEvaluatedPodCaveats, notEvaluatedReport, pendingPolicies } from '../../src/reach/not-evaluated.js';
import { k8snet, expectNoStackTrace } from '../cli/run-cli.js';

/** A policy attached by targetRefs to a Gateway API Gateway's proxy: not evaluated, said. */
const ATTACHED = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Pod
metadata:
  name: shop-gateway
  namespace: shop
  labels:
    gateway.networking.k8s.io/gateway-name: shop
    gateway.istio.io/managed: istio.io-gateway-controller
spec:
  containers:
    - name: istio-proxy
      image: docker.io/istio/proxyv2:1.22.0
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: gateway-only
  namespace: shop
spec:
  targetRefs:
    - kind: Gateway
      group: gateway.networking.k8s.io
      name: shop
  action: DENY
  rules:
    - from:
        - source:
            notNamespaces: [shop]
`;

const demo = (name: string) => analyzePaths([`fixtures/${name}`], {}).graph;

describe('pending policies, per dialect and network plugin', () => {
  const cilium = demo('cilium-demo');
  const calico = demo('calico-demo');
  const istio = demo('istio-demo');
  const attached = analyzeTexts([{ path: 'attached.yaml', text: ATTACHED }]).graph;

  it('finds each demo\'s policies under an unknown plugin, and only its own dialect\'s', () => {
    const unknown = (graph: typeof cilium) => networkPluginOf(graph, undefined);
    // Endpoint rules are evaluated: only host policies (nodeSelector) stay pending, and the demo has none.
    expect(pendingPolicies(cilium, unknown(cilium), 'Cilium')).toEqual([]);
    expect(pendingPolicies(cilium, unknown(cilium), 'Calico')).toEqual([]);
    // Calico's are evaluated (src/reach/policies/calico.ts): none is pending.
    expect(pendingPolicies(calico, unknown(calico), 'Calico')).toEqual([]);
    // Istio's AuthorizationPolicies and PeerAuthentications are evaluated; only those attached by targetRefs are pending.
    expect(pendingPolicies(istio, unknown(istio), 'Istio')).toEqual([]);
    expect(pendingPolicies(attached, unknown(attached), 'Istio').map((policy) => [policy.name, policy.pods.map((pod) => pod.name)])).toEqual([
      ['AuthorizationPolicy shop/gateway-only', ['shop-gateway']],
    ]);
  });

  it('leaves out Cilium policies under a plugin that does not enforce them; the mesh\'s stay named', () => {
    expect(pendingPolicies(cilium, networkPluginOf(cilium, 'calico'), 'Cilium')).toEqual([]);
    expect(pendingPolicies(attached, networkPluginOf(attached, 'flannel'), 'Istio')).not.toEqual([]);
  });

  it('evaluates neither Cilium nor Calico when the manifests hold both and name no plugin, and names both', () => {
    const both = analyzeTexts([{
      path: 'both.yaml',
      text: [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web, image: web}]}\n',
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web-deny, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: admin}}]}]\n',
        'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web-allow, namespace: shop}\nspec:\n  selector: app == "web"\n  ingress: [{action: Allow}]\n',
      ].join('---\n'),
    }]).graph;
    const plugin = networkPluginOf(both, undefined);
    expect(plugin.name).toBe('unknown');
    expect(pendingPolicies(both, plugin, 'Cilium').map((policy) => policy.name)).toEqual(['CiliumNetworkPolicy shop/web-deny']);
    expect(pendingPolicies(both, plugin, 'Calico').map((policy) => policy.name)).toEqual(['NetworkPolicy shop/web-allow']);
    const caveats = notEvaluatedPodCaveats(both, plugin, both.pods, 'shop/web');
    expect(caveats.map((entry) => entry.dialect).sort()).toEqual(['Calico', 'Cilium']);
    expect(caveats.find((entry) => entry.dialect === 'Cilium')!.caveat).toContain('set cluster.cni in .k8snet.yaml');
    // Named, the plugin decides: Cilium's layout, Calico's policies left to cilium-policy-without-cilium's counterpart.
    expect(pendingPolicies(both, networkPluginOf(both, 'cilium'), 'Cilium')).toEqual([]);
  });

  it('gives one note per dialect for matrix and graph, and one report shape for the rules', () => {
    expect(notEvaluatedNotes(cilium, networkPluginOf(cilium, undefined))).toEqual([]);
    expect(notEvaluatedNotes(istio, networkPluginOf(istio, undefined))).toEqual([]);
    expect(notEvaluatedNotes(calico, networkPluginOf(calico, undefined))).toEqual([]);
    expect(notEvaluatedNotes(attached, networkPluginOf(attached, undefined))).toEqual([expect.stringMatching(/^1 Istio policy is read but not evaluated yet; 1 workload/)]);
    const report = notEvaluatedReport(pendingPolicies(attached, networkPluginOf(attached, undefined), 'Istio'))!;
    expect(report.path).toEqual(['metadata', 'name']);
    expect(report.data).toMatchObject({ dialect: 'Istio' });
    expect(notEvaluatedNotes(calico, networkPluginOf(calico, undefined))).toEqual([]);
    expect(notEvaluatedReport([])).toBeUndefined();
  });

  it('tells explain which dialects apply to a workload\'s pods', () => {
    const pods = istio.workloads.find((workload) => workload.id.startsWith('bookinfo/productpage-v1'))!.pods;
    expect(notEvaluatedPodCaveats(istio, networkPluginOf(istio, undefined), pods, 'these pods')).toEqual([]);
    const gatewayPods = attached.pods.filter((pod) => pod.name === 'shop-gateway');
    expect(notEvaluatedPodCaveats(attached, networkPluginOf(attached, undefined), gatewayPods, 'these pods').map((caveat) => caveat.dialect)).toEqual(['Istio']);
  });
});

describe('the commands say it for every dialect', () => {
  it('matrix evaluates Cilium endpoint policies without a note, explain gives the Istio policies that protect a workload', () => {
    const matrix = k8snet(['matrix', 'fixtures/cilium-demo']);
    expectNoStackTrace(matrix);
    expect(matrix.stderr).not.toMatch(/Cilium/);
    const explain = k8snet(['explain', 'bookinfo/productpage-v1', 'fixtures/istio-demo']);
    expectNoStackTrace(explain);
    expect(explain.stdout).toMatch(/ingress: Istio PeerAuthentication: PeerAuthentication istio-system\/default \(fixtures\/istio-demo\/istio-system\/mesh.yaml:10\)/);
    expect(explain.stdout).toMatch(/ingress: isolated by 2 policies\n {4}bookinfo\/allow-nothing /);
    expect(explain.stdout).not.toMatch(/not evaluated/);
  });
});

