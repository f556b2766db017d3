/**
 * The one mechanism by which answers and the three `…-policy-not-evaluated` rules say which
 * Cilium, Calico and Istio policies apply but are not evaluated yet (src/reach/not-evaluated.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { networkPluginOf } from '../../src/model/network-plugin.js';
import { analyzePaths } from '../../src/pipeline.js';
import { notEvaluatedNotes, notEvaluatedPodCaveats, notEvaluatedReport, pendingPolicies } from '../../src/reach/not-evaluated.js';
import { k8snet, expectNoStackTrace } from '../cli/run-cli.js';

const demo = (name: string) => analyzePaths([`fixtures/${name}`], {}).graph;

describe('pending policies, per dialect and network plugin', () => {
  const cilium = demo('cilium-demo');
  const calico = demo('calico-demo');
  const istio = demo('istio-demo');

  it('finds each demo\'s policies under an unknown plugin, and only its own dialect\'s', () => {
    const unknown = (graph: typeof cilium) => networkPluginOf(graph, undefined);
    expect(pendingPolicies(cilium, unknown(cilium), 'Cilium').map((policy) => policy.name)).toContain('CiliumNetworkPolicy default/deathstar-empire-only');
    expect(pendingPolicies(cilium, unknown(cilium), 'Calico')).toEqual([]);
    // Calico's are evaluated (src/reach/policies/calico.ts): none is pending.
    expect(pendingPolicies(calico, unknown(calico), 'Calico')).toEqual([]);
    expect(pendingPolicies(istio, unknown(istio), 'Istio').map((policy) => policy.name)).toEqual(expect.arrayContaining([
      'AuthorizationPolicy bookinfo/allow-nothing', 'STRICT PeerAuthentication istio-system/default',
    ]));
  });

  it('leaves out Cilium policies under a plugin that does not enforce them; the mesh\'s stay named', () => {
    expect(pendingPolicies(cilium, networkPluginOf(cilium, 'calico'), 'Cilium')).toEqual([]);
    expect(pendingPolicies(istio, networkPluginOf(istio, 'flannel'), 'Istio')).not.toEqual([]);
  });

  it('gives one note per dialect for matrix and graph, and one report shape for the rules', () => {
    expect(notEvaluatedNotes(cilium, networkPluginOf(cilium, undefined))).toEqual([expect.stringMatching(/^4 Cilium policies are read but not evaluated yet; \d+ workloads? they apply to/)]);
    expect(notEvaluatedNotes(istio, networkPluginOf(istio, undefined))).toEqual([expect.stringMatching(/^\d+ Istio policies are read but not evaluated yet/)]);
    const report = notEvaluatedReport(pendingPolicies(istio, networkPluginOf(istio, undefined), 'Istio'))!;
    expect(report.path).toEqual(['metadata', 'name']);
    expect(report.data).toMatchObject({ dialect: 'Istio' });
    expect(notEvaluatedNotes(calico, networkPluginOf(calico, undefined))).toEqual([]);
    expect(notEvaluatedReport([])).toBeUndefined();
  });

  it('tells explain which dialects apply to a workload\'s pods', () => {
    const pods = istio.workloads.find((workload) => workload.id.startsWith('bookinfo/productpage-v1'))!.pods;
    expect(notEvaluatedPodCaveats(istio, networkPluginOf(istio, undefined), pods, 'these pods').map((caveat) => caveat.dialect)).toEqual(['Istio']);
  });
});

describe('the commands say it for every dialect', () => {
  it('matrix notes Cilium policies, explain does not call an Istio-protected workload open', () => {
    const matrix = k8snet(['matrix', 'fixtures/cilium-demo']);
    expectNoStackTrace(matrix);
    expect(matrix.stderr).toMatch(/note: 4 Cilium policies are read but not evaluated yet/);
    const explain = k8snet(['explain', 'bookinfo/productpage-v1', 'fixtures/istio-demo']);
    expectNoStackTrace(explain);
    expect(explain.stdout).toMatch(/ingress: not isolated by Kubernetes policies; Istio policies apply to these pods and are not evaluated \(see the note\)/);
  });
});
