import type { ResourceGraph } from '../model/graph.js';
import type { AuthorizationPolicy } from '../model/istio.js';
import { policySelectsPod } from '../model/istio-authorization.js';
import { istioMesh } from '../model/istio-mesh.js';
import { expandHost, resolveClientTls, resolveMtls } from '../model/istio-mtls.js';
import { listWorkloads } from '../model/suggest.js';
import { sidecarScopeOf } from '../model/istio-egress.js';
import type { Pod, Service } from '../model/types.js';

/*
 * What Istio decides that k8snet does not evaluate, said in answers (the rest is evaluated,
 * src/reach/policies/istio.ts, istio-egress.ts):
 * - the mesh-wide REGISTRY_ONLY where no Sidecar applies;
 * - AuthorizationPolicies attached by `targetRefs` (Istio-class gateways and ambient waypoints);
 * - identity where the connection is plaintext although the source runs a proxy: a
 *   PeerAuthentication DISABLE on the destination, or the client's DestinationRule with tls mode
 *   DISABLE, SIMPLE or MUTUAL (the compiler takes every source with a proxy as sending mTLS);
 * - ambient destinations behind a waypoint, whose selector policies see the waypoint's identity.
 */

/** Lists `a, b, c and 2 more`. */
function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * The AuthorizationPolicies that decide (not dry-run, not AUDIT) and attach by `targetRefs`,
 * which k8snet does not evaluate, with the pods they may apply to: the data plane of a Gateway
 * named (its `gateway.networking.k8s.io/gateway-name` pods), every Istio gateway proxy for a
 * GatewayClass, a Service's or ServiceEntry's endpoints (behind their waypoint).
 */
export function unevaluatedAuthorizationPolicies(graph: ResourceGraph): { policy: AuthorizationPolicy; pods: readonly Pod[] }[] {
  const attached = graph.istio.authorizationPolicies.filter((policy) => policy.scope === 'targetRefs' && !policy.dryRun && policy.action !== 'AUDIT');
  if (attached.length === 0) return [];
  const mesh = istioMesh(graph);
  return attached.map((policy) => {
    const pods = new Set<Pod>();
    for (const target of policy.targetRefs) {
      if (target.kind === 'Gateway') for (const pod of graph.podsInNamespace(policy.namespace)) if (pod.labels['gateway.networking.k8s.io/gateway-name'] === target.name) pods.add(pod);
      if (target.kind === 'GatewayClass') for (const pod of graph.pods) if (mesh.membershipOf(pod).dataPlane === 'gateway') pods.add(pod);
      if (target.kind === 'Service') {
        const service = graph.servicesInNamespace(policy.namespace).find((candidate) => candidate.name === target.name);
        if (service?.selector) for (const pod of graph.podsWithLabels(service.selector, service.namespace)) pods.add(pod);
      }
    }
    return { policy, pods: [...pods] };
  });
}

/**
 * What the mesh decides for traffic from `sources` (pods, or `external` for addresses outside
 * the cluster) to `destinations` that the answer leaves out, as one sentence for its notes;
 * undefined when the answer covers everything the mesh does for these pods.
 */
export function meshCaveat(graph: ResourceGraph, sources: readonly Pod[] | 'external', destinations: readonly Pod[]): string | undefined {
  const istio = graph.istio;
  const parts: string[] = [];
  // Sidecar egress is evaluated (policies/istio-egress.ts); what it does not count is said here.
  if (sources !== 'external') parts.push(...egressNotEvaluated(graph, sources));
  if (istio.authorizationPolicies.length === 0 && istio.peerAuthentications.length === 0) return parts.length > 0 ? `${parts.join('; ')}.` : undefined;
  const mesh = istioMesh(graph);
  const meshed = destinations.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
  if (meshed.length === 0) return parts.length > 0 ? `${parts.join('; ')}.` : undefined;
  const attached = unevaluatedAuthorizationPolicies(graph).filter((entry) => entry.pods.some((pod) => meshed.includes(pod)));
  if (attached.length > 0) {
    parts.push(`Istio AuthorizationPolicies ${listNames(attached.map((entry) => `${entry.policy.namespace}/${entry.policy.name}`))} attach by targetRefs to ${listWorkloads(meshed)}`
      + '; k8snet does not evaluate policies attached to gateways and waypoints, so this answer leaves them out');
  }
  const waypoints = [...new Set(meshed.map((pod) => mesh.membershipOf(pod).waypoint).filter((name): name is string => name !== undefined))];
  if (waypoints.length > 0) {
    parts.push(`${listWorkloads(meshed)} ${waypoints.length === 1 ? 'is' : 'are'} behind the waypoint ${listNames(waypoints)}: traffic reaches ${meshed.length === 1 ? 'it' : 'them'} from the waypoint's identity, `
      + 'which k8snet does not model (it takes the client\'s)');
  }
  // Pods without a known address against address fields: taken as outside the ranges (policies/istio.ts).
  const addressless = sources === 'external' ? [] : sources.filter((pod) => !pod.podIP);
  if (addressless.length > 0) {
    const naming = istio.authorizationPolicies.filter((policy) => !policy.dryRun && policy.scope !== 'targetRefs'
      && meshed.some((pod) => policySelectsPod(policy, pod.namespace, pod.labels, istio.settings))
      && (policy.rules ?? []).some((rule) => rule.when.some((condition) => condition.key === 'source.ip' || condition.key === 'remote.ip')
        || (rule.from ?? []).some((source) => source.ipBlocks || source.notIpBlocks || source.remoteIpBlocks || source.notRemoteIpBlocks)));
    if (naming.length > 0) {
      parts.push(`AuthorizationPolicy ${listNames(naming.map((policy) => `${policy.namespace}/${policy.name}`))} matches source addresses (ipBlocks, source.ip), and the manifests give no IP for `
        + `${listWorkloads(addressless)}: k8snet takes ${addressless.length === 1 ? 'its' : 'their'} address as outside the ranges named`);
    }
  }
  const identityRules = istio.authorizationPolicies.some((policy) => (policy.rules ?? []).some((rule) => (rule.from ?? []).length > 0 || rule.when.some((condition) => condition.key.startsWith('source.'))));
  const proxiedSources = sources === 'external' ? [] : sources.filter((pod) => mesh.membershipOf(pod).dataPlane !== 'none');
  if (identityRules && proxiedSources.length > 0) {
    const disabled = new Set<string>();
    for (const pod of meshed) {
      for (const port of pod.ports.length > 0 ? pod.ports.map((entry) => entry.containerPort) : [undefined]) {
        const effective = resolveMtls(pod.namespace, pod.labels, port, istio.peerAuthentications, istio.settings);
        if (effective.mode === 'DISABLE' && effective.decidedBy && mesh.membershipOf(pod).dataPlane === 'sidecar') disabled.add(`PeerAuthentication ${effective.decidedBy.namespace}/${effective.decidedBy.name} (DISABLE)`);
      }
    }
    for (const service of servicesOf(graph, meshed)) {
      const host = expandHost(service.name, service.namespace, istio.settings.clusterDomain);
      for (const client of new Set(proxiedSources.map((pod) => pod.namespace))) {
        for (const port of service.ports.length > 0 ? service.ports.map((entry) => entry.port) : [undefined]) {
          const tls = resolveClientTls(host, service.namespace, port, client, istio.destinationRules, istio.settings);
          if (tls.decidedBy && (tls.mode === 'DISABLE' || tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL')) disabled.add(`DestinationRule ${tls.decidedBy.namespace}/${tls.decidedBy.name} (tls ${tls.mode})`);
        }
      }
    }
    if (disabled.size > 0) {
      parts.push(`${listNames([...disabled])} makes some of these connections plaintext, without the peer identity that principals, namespaces and serviceAccounts match; `
        + 'k8snet takes every source with an Istio proxy as sending mTLS');
    }
  }
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}.`;
}

/**
 * What limits the egress of `pods`' proxies that k8snet does not evaluate: the mesh-wide
 * REGISTRY_ONLY where no Sidecar applies (a setting with no manifest to cite as the deciding rule).
 */
function egressNotEvaluated(graph: ResourceGraph, pods: readonly Pod[]): string[] {
  const istio = graph.istio;
  const mesh = istioMesh(graph);
  const proxied = pods.filter((pod) => mesh.membershipOf(pod).dataPlane === 'sidecar');
  if (proxied.length === 0) return [];
  const parts: string[] = [];
  const scopes = proxied.map((pod) => sidecarScopeOf(pod.namespace, pod.labels, istio, istio.settings));
  if (istio.settings.outboundTrafficPolicy === 'REGISTRY_ONLY' && scopes.some((scope) => !scope.sidecar)) {
    parts.push(`the mesh's outboundTrafficPolicy REGISTRY_ONLY (.k8snet.yaml) makes ${proxied.length === 1 ? 'the source\'s proxy' : 'these sources\' proxies'} drop connections to hosts `
      + 'outside the registry; k8snet evaluates it only where a Sidecar applies, so this answer leaves it out');
  }
  return parts;
}

/** The Services that select some of `pods`. */
function servicesOf(graph: ResourceGraph, pods: readonly Pod[]): Service[] {
  const namespaces = new Set(pods.map((pod) => pod.namespace));
  return [...namespaces].flatMap((namespace) => graph.servicesInNamespace(namespace).filter((service) => service.selector
    && pods.some((pod) => pod.namespace === namespace && Object.entries(service.selector!).every(([key, value]) => pod.labels[key] === value))));
}

/** Returns the AuthorizationPolicies attached by targetRefs to some of `pods` (not evaluated), for `explain`. */
export function meshPoliciesOn(graph: ResourceGraph, pods: readonly Pod[]): string[] {
  return unevaluatedAuthorizationPolicies(graph)
    .filter((entry) => entry.pods.some((pod) => pods.includes(pod)))
    .map((entry) => `${entry.policy.namespace}/${entry.policy.name}`);
}

/**
 * What the mesh adds to a hop into a Service's workloads that k8snet does not evaluate, for the
 * request-path graph: AuthorizationPolicies attached by targetRefs to its endpoints. Short: drawn
 * on the graph's edges. (The hop's verdict itself includes Istio's evaluated policies.)
 */
export function meshNotes(graph: ResourceGraph, service: Service): string[] {
  if (!service.selector || graph.istio.authorizationPolicies.length === 0) return [];
  const pods = graph.podsWithLabels(service.selector, service.namespace);
  const attached = meshPoliciesOn(graph, pods);
  return attached.length > 0 ? [`Istio AuthorizationPolicies ${listNames(attached)} attach by targetRefs, not evaluated`] : [];
}
