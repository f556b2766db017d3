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
    expect(pendingPolicies(calico, unknown(calico), 'Calico')).toHaveLength(8);
    // Istio's AuthorizationPolicies and PeerAuthentications are evaluated; only those attached by targetRefs are pending.
    expect(pendingPolicies(istio, unknown(istio), 'Istio')).toEqual([]);
    expect(pendingPolicies(attached, unknown(attached), 'Istio').map((policy) => [policy.name, policy.pods.map((pod) => pod.name)])).toEqual([
      ['AuthorizationPolicy shop/gateway-only', ['shop-gateway']],
    ]);
  });

  it('leaves out Cilium policies under a plugin that does not enforce them; Calico\'s and the mesh\'s stay named', () => {
    // No rule reports Calico policies under another plugin yet: they are named rather than left unsaid.
    expect(pendingPolicies(calico, networkPluginOf(calico, 'cilium'), 'Calico')).toHaveLength(8);
    expect(pendingPolicies(cilium, networkPluginOf(cilium, 'calico'), 'Cilium')).toEqual([]);
    expect(pendingPolicies(attached, networkPluginOf(attached, 'flannel'), 'Istio')).not.toEqual([]);
  });

  it('gives one note per dialect for matrix and graph, and one report shape for the rules', () => {
    expect(notEvaluatedNotes(cilium, networkPluginOf(cilium, undefined))).toEqual([]);
    expect(notEvaluatedNotes(istio, networkPluginOf(istio, undefined))).toEqual([]);
    expect(notEvaluatedNotes(attached, networkPluginOf(attached, undefined))).toEqual([expect.stringMatching(/^1 Istio policy is read but not evaluated yet; 1 workload/)]);
    const report = notEvaluatedReport(pendingPolicies(calico, networkPluginOf(calico, undefined), 'Calico'))!;
    expect(report.path).toEqual(['metadata', 'name']);
    expect(report.related).toHaveLength(7);
    expect(report.data).toMatchObject({ dialect: 'Calico', verb: 'apply', them: 'them' });
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

