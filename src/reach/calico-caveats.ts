import type { ResourceGraph } from '../model/graph.js';
import { parseAddress, type AddressRange, type IpFamily } from '../model/cidr.js';
import type { Pod } from '../model/types.js';
import { calicoPolicyLabel, type CalicoPolicy, type CalicoRule } from '../model/calico.js';
import { calicoView } from '../model/calico-view.js';
import { formatPath } from '../load/path.js';
import { calicoUnmodelledParts } from './policies/calico.js';

export { calicoUnmodelledParts } from './policies/calico.js';

/**
 * What answers must say about the Calico policies k8snet evaluates (src/reach/policies/calico.ts):
 * the rules of the policies applying to the answered pods that it leaves out because the common
 * form cannot hold them (named source ports, notICMP without an ICMP protocol, named notPorts,
 * a Service whose endpoints the manifests do not show), so that an
 * answer computed without them is never taken for the cluster's.
 */

/** The enforced Calico policies that apply to any of `pods`, sorted by kind and name. */
export function calicoPoliciesApplyingTo(graph: ResourceGraph, pods: readonly Pod[]): CalicoPolicy[] {
  if (graph.calico.policies.length === 0) return [];
  const view = calicoView(graph);
  const found = new Set<CalicoPolicy>();
  for (const pod of pods) for (const policy of view.policiesSelectingPod(pod)) found.add(policy);
  return [...found].sort((a, b) => (`${a.kind} ${calicoPolicyLabel(a)}` < `${b.kind} ${calicoPolicyLabel(b)}` ? -1 : 1));
}

/** A rule k8snet leaves out of its answers, with what it cannot evaluate. */
export interface CalicoRuleLeftOut {
  readonly policy: CalicoPolicy;
  readonly rule: CalicoRule;
  readonly parts: readonly string[];
}

/** The rules of `policy` that answers leave out: those with a part the common form cannot hold. */
export function calicoRulesLeftOut(graph: ResourceGraph, policy: CalicoPolicy): CalicoRuleLeftOut[] {
  const hasServiceSelector = (entity: CalicoRule['source']) => {
    if (!entity.services) return false;
    const namespace = entity.services.namespace ?? policy.namespace ?? '';
    const service = graph.servicesInNamespace(namespace).find((candidate) => candidate.name === entity.services!.name);
    return service?.selector !== undefined && Object.keys(service.selector).length > 0;
  };
  const left: CalicoRuleLeftOut[] = [];
  for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
    const parts = calicoUnmodelledParts(rule, hasServiceSelector);
    if (parts.length === 0) continue;
    left.push({ policy, rule, parts });
  }
  return left;
}

/** Caveats naming the Calico rules left out that apply to `pods` (`who` names them); none when every rule is evaluated. */
export function calicoUnmodelledCaveats(graph: ResourceGraph, pods: readonly Pod[], who: string): string[] {
  return calicoPoliciesApplyingTo(graph, pods).flatMap((policy) => calicoRulesLeftOut(graph, policy)).map(({ policy, rule, parts }) => {
    const effect = rule.action === 'Deny' ? 'deny' : rule.action === 'Pass' ? 'pass on to the next tier' : rule.action === 'Allow' ? 'allow' : 'log';
    return `Calico ${policy.kind} ${calicoPolicyLabel(policy)} rule ${formatPath(rule.path.slice(1))} (${rule.action}), which applies to ${who}, `
      + `has ${parts.join(' and ')}, which k8snet does not evaluate: this answer leaves the rule out, and Calico would ${effect} what it matches.`;
  });
}

/**
 * Caveats for an address answered as outside the cluster that belongs to a Calico HostEndpoint
 * (one of its expectedIPs inside `range`): Calico applies that endpoint's own policy too (its
 * GlobalNetworkPolicies and profiles, deny without them), which an answer about an address does
 * not evaluate; CalicoHostEndpointSolver (calico-host-endpoints.ts) answers for the endpoint.
 */
export function calicoHostEndpointAddressCaveats(graph: ResourceGraph, family: IpFamily, range: AddressRange, side: 'source' | 'destination'): string[] {
  const caveats: string[] = [];
  for (const endpoint of graph.calico.hostEndpoints) {
    const inside = endpoint.expectedIPs.filter((text) => {
      const address = parseAddress(text);
      return address !== undefined && address.family === family && address.value >= range.first && address.value <= range.last;
    });
    if (inside.length === 0) continue;
    caveats.push(`The ${side} address ${inside.join(', ')} is Calico host endpoint ${endpoint.name} (node ${endpoint.node}): Calico also applies that endpoint's own `
      + 'policy (the GlobalNetworkPolicies selecting it, then its profiles, denying what none allows, failsafe ports aside), which this answer about an address does not evaluate.');
  }
  return caveats;
}
