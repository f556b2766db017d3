/**
 * Cilium's DNS proxy and the names a pod looks up in the cluster. A pod whose policies have DNS
 * rules (`toPorts[].rules.dns`) sends its lookups through the proxy, which refuses the names those
 * rules do not allow: a pattern meant for the cluster (`*.cluster.local`) that covers one label
 * only refuses `web.shop.svc.cluster.local`, and connections by the Service's name fail although
 * the policies allow them to its pods. Said with answers about a Service; its ClusterIP used
 * directly is not affected.
 */
import type { CiliumFqdnSelector } from '../model/cilium.js';
import { fqdnText } from '../model/cilium.js';
import { matchesCiliumSelector } from '../model/cilium-labels.js';
import type { ResourceGraph } from '../model/graph.js';
import type { Pod, Service } from '../model/types.js';
import { fqdnPatternMatches } from './policies/cilium.js';

/** The DNS rules of the Cilium egress allow rules selecting a pod (none: its lookups do not go through the proxy). */
export function dnsRulesOf(graph: ResourceGraph, pod: Pod): CiliumFqdnSelector[] {
  const identity = graph.cilium.identityOf(pod);
  const rules: CiliumFqdnSelector[] = [];
  for (const policy of graph.cilium.policies) {
    if (policy.namespace !== undefined && policy.namespace !== pod.namespace) continue;
    for (const rule of policy.rules) {
      if (rule.subject.kind !== 'endpoints' || !matchesCiliumSelector(rule.subject.effective, identity)) continue;
      for (const peerRule of rule.egress) for (const portRule of peerRule.toPorts) if (portRule.rules?.protocol === 'dns') rules.push(...(portRule.rules.dns ?? []));
    }
  }
  return rules;
}

/**
 * The caveat for a pod that reaches a Service by name when its DNS rules do not allow looking the
 * name up (`<service>.<namespace>.svc.<cluster domain>`, the name its resolver asks for first);
 * undefined when they do, or when it has none.
 */
export function serviceLookupCaveat(graph: ResourceGraph, pod: Pod, service: Service, clusterDomain: string, label: string): string | undefined {
  const rules = dnsRulesOf(graph, pod);
  if (rules.length === 0) return undefined;
  const name = `${service.name}.${service.namespace}.svc.${clusterDomain}.`;
  const allowed = rules.some((rule) => (rule.matchName !== undefined ? rule.matchName === name : fqdnPatternMatches(rule.matchPattern ?? '', name)));
  if (allowed) return undefined;
  return `The DNS rules (toPorts[].rules.dns) of the Cilium policies selecting ${label} allow looking up ${[...new Set(rules.map(fqdnText))].join(', ')}, not ${name.slice(0, -1)}: `
    + 'Cilium\'s DNS proxy refuses that lookup, so connections by the Service\'s name fail, whatever the policies allow (its ClusterIP used directly is not affected).';
}
