import { defineRule } from '../src/lint/rule.js';
import { podsInScope } from '../src/model/istio-authorization.js';
import { istioMesh } from '../src/model/istio-mesh.js';
import { listWorkloads } from '../src/model/suggest.js';
import type { Pod } from '../src/model/types.js';

/**
 * Says, once, that Istio's authorization applies to workloads of the manifests and that k8snet
 * does not evaluate it yet (issue 21, phase A): answers and isolation findings cover
 * NetworkPolicy and the admin policies only.
 */
export default defineRule({
  id: 'mesh-policy-not-evaluated',
  category: 'isolation',
  severity: 'info',
  description: 'Istio AuthorizationPolicies or a STRICT PeerAuthentication apply to workloads that run an Istio proxy, and k8snet does not evaluate them yet.',
  rationale: 'Istio\'s proxies are a second place where connections are allowed or refused, after the network plugin. Until k8snet evaluates '
    + 'them, its reachability answers and its isolation findings (workload-not-isolated, namespace-no-default-deny-ingress) describe '
    + 'NetworkPolicy and the admin policies only: a connection they call allowed may still be denied by an AuthorizationPolicy or refused '
    + 'for lack of mTLS, and a workload they call open may be protected by the mesh. This is said once per run, at the first such policy.',
  fix: 'Nothing to change in the manifests; read k8snet\'s answers about these workloads as NetworkPolicy-only, and check the mesh with istioctl '
    + '(istioctl x authz check, istioctl analyze).',
  messages: {
    notEvaluated: '{{count}} {{verb}} to workloads that run an Istio proxy ({{workloads}}); k8snet does not evaluate Istio policies yet, so reachability answers and isolation findings cover NetworkPolicy and the admin policies only.',
  },
  check(graph) {
    const mesh = istioMesh(graph);
    const meshed = (pods: readonly Pod[]) => pods.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
    const applying = graph.istio.authorizationPolicies
      .filter((policy) => !policy.dryRun && policy.action !== 'AUDIT')
      .map((policy) => ({ policy, pods: meshed(podsInScope(graph, policy)) }))
      .filter((entry) => entry.pods.length > 0);
    const strict = graph.istio.peerAuthentications
      .filter((policy) => policy.mode === 'STRICT' || policy.portLevelMtls.some((entry) => entry.mode === 'STRICT'))
      .map((policy) => ({ policy, pods: meshed(podsInScope(graph, policy)) }))
      .filter((entry) => entry.pods.length > 0);
    if (applying.length === 0 && strict.length === 0) return [];
    const counts = [
      applying.length > 0 ? `${applying.length} Istio AuthorizationPolic${applying.length === 1 ? 'y' : 'ies'}` : '',
      strict.length > 0 ? `${strict.length} STRICT PeerAuthentication${strict.length === 1 ? '' : 's'}` : '',
    ].filter(Boolean).join(' and ');
    const pods = [...new Set([...applying, ...strict].flatMap((entry) => entry.pods))];
    const [first, ...others] = [...applying, ...strict].map((entry) => entry.policy);
    return [{
      messageId: 'notEvaluated',
      data: { count: counts, verb: applying.length + strict.length === 1 ? 'applies' : 'apply', workloads: listWorkloads(pods) },
      object: first.source,
      related: others.slice(0, 20).map((policy) => ({ object: policy.source, message: `${policy.source.kind} ${policy.namespace}/${policy.name}` })),
    }];
  },
});
