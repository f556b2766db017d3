import type { ResourceGraph } from '../model/graph.js';
import { podsInScope, policySelectsPod } from '../model/istio-authorization.js';
import { istioMesh } from '../model/istio-mesh.js';
import { resolveMtls } from '../model/istio-mtls.js';
import { listWorkloads } from '../model/suggest.js';
import type { Pod, Service } from '../model/types.js';

/** Lists `a, b, c and 2 more`. */
function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * What the mesh decides for traffic from `sources` (pods, or `external` for addresses outside
 * the cluster) to `destinations` that k8snet does not evaluate yet, as one sentence for an
 * answer's notes: the AuthorizationPolicies that apply to destination pods running an Istio
 * proxy, and the PeerAuthentication that makes them refuse the plaintext of sources without one.
 * Undefined when the mesh has nothing to say about these pods.
 */
export function meshCaveat(graph: ResourceGraph, sources: readonly Pod[] | 'external', destinations: readonly Pod[]): string | undefined {
  const istio = graph.istio;
  if (istio.authorizationPolicies.length === 0 && istio.peerAuthentications.length === 0) return undefined;
  const mesh = istioMesh(graph);
  const meshed = destinations.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
  if (meshed.length === 0) return undefined;
  const parts: string[] = [];
  const policies = istio.authorizationPolicies.filter((policy) => !policy.dryRun && meshed.some((pod) => policySelectsPod(policy, pod.namespace, pod.labels, istio.settings)));
  if (policies.length > 0) {
    parts.push(`Istio AuthorizationPolicies ${listNames(policies.map((policy) => `${policy.namespace}/${policy.name}`))} apply to ${listWorkloads(meshed)}`);
  }
  const plaintextSources = sources === 'external' ? 'external' : sources.filter((pod) => mesh.membershipOf(pod).dataPlane === 'none');
  if (plaintextSources === 'external' || plaintextSources.length > 0) {
    const strict = meshed.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'gateway').flatMap((pod) => {
      const ports = pod.ports.length > 0 ? pod.ports.map((port) => port.containerPort) : [undefined];
      return ports.flatMap((port) => {
        const effective = resolveMtls(pod.namespace, pod.labels, port, istio.peerAuthentications, istio.settings);
        return effective.mode === 'STRICT' && effective.decidedBy ? [`${effective.decidedBy.namespace}/${effective.decidedBy.name}`] : [];
      });
    });
    if (strict.length > 0) {
      const who = plaintextSources === 'external' ? 'clients outside the cluster send' : `${listWorkloads(plaintextSources)} (no Istio proxy) send${plaintextSources.length === 1 ? 's' : ''}`;
      parts.push(`PeerAuthentication ${listNames([...new Set(strict)])} makes them accept only mTLS, and ${who} plaintext, which they refuse`);
    }
  }
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}. k8snet does not evaluate Istio policies yet: this answer covers NetworkPolicy and the admin policies only.`;
}

/** Returns the workloads of `pods` that Istio AuthorizationPolicies apply to, with the policies, for `explain`. */
export function meshPoliciesOn(graph: ResourceGraph, pods: readonly Pod[]): string[] {
  const mesh = istioMesh(graph);
  const meshed = pods.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
  return graph.istio.authorizationPolicies
    .filter((policy) => !policy.dryRun && podsInScope(graph, policy).some((pod) => meshed.includes(pod)))
    .map((policy) => `${policy.namespace}/${policy.name}`);
}

/**
 * What the mesh adds to a hop into a Service's workloads that k8snet does not evaluate yet, for
 * the request-path graph: the AuthorizationPolicies that apply to its endpoints with an Istio
 * proxy, and STRICT mTLS there. Short: drawn on the graph's edges.
 */
export function meshNotes(graph: ResourceGraph, service: Service): string[] {
  const istio = graph.istio;
  if ((istio.authorizationPolicies.length === 0 && istio.peerAuthentications.length === 0) || !service.selector) return [];
  const mesh = istioMesh(graph);
  const pods = graph.podsWithLabels(service.selector, service.namespace).filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
  if (pods.length === 0) return [];
  const notes: string[] = [];
  const applying = istio.authorizationPolicies.filter((policy) => !policy.dryRun && pods.some((pod) => policySelectsPod(policy, pod.namespace, pod.labels, istio.settings)));
  if (applying.length > 0) notes.push(`Istio AuthorizationPolicies ${listNames(applying.map((policy) => `${policy.namespace}/${policy.name}`))} apply, not yet evaluated`);
  // An Istio gateway's listeners follow its Gateway servers, not PeerAuthentication.
  const strict = new Set(pods.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'gateway').flatMap((pod) => pod.ports.map((port) => resolveMtls(pod.namespace, pod.labels, port.containerPort, istio.peerAuthentications, istio.settings))
    .filter((effective) => effective.mode === 'STRICT' && effective.decidedBy)
    .map((effective) => `${effective.decidedBy!.namespace}/${effective.decidedBy!.name}`)));
  if (strict.size > 0) notes.push(`mTLS only (STRICT, ${listNames([...strict])}): plaintext senders refused, not yet evaluated`);
  return notes;
}
