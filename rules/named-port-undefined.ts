import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { didYouMean, listWorkloads, similarNames } from '../src/model/suggest.js';
import type { NetworkPolicy, Pod, PolicyRule } from '../src/model/types.js';
import type { ReachabilitySolver } from '../src/reach/solver.js';

/** Flags NetworkPolicy ports given by a name that no pod the rule can apply to declares. */
export default defineRule({
  id: 'named-port-undefined',
  category: 'ports',
  severity: 'warning',
  description: 'A NetworkPolicy port is given by a name that no pod the rule applies to declares, with that protocol.',
  rationale: 'A named port resolves on each destination pod, against the names of its containers\' ports and their protocol; where nothing '
    + 'matches, the entry allows nothing, so a misspelt or renamed port name silently blocks the traffic. For ingress the destinations '
    + 'are the pods the policy selects; for egress, the pods the rule\'s peers match. Egress rules whose peers may reach pods outside the '
    + 'manifests (no peers, only ipBlocks, or a namespaceSelector open to any namespace) are skipped, as are rules whose pods are not in '
    + 'the manifests. Named targetPorts of Services are service-target-port-unexposed\'s business.',
  fix: 'Use the name of a container port the destination pods declare (spec.containers[].ports[].name), with its protocol, or give the port number.',
  messages: {
    ingressUndefined: '{{policy}} allows ingress on the named port {{port}}, but none of the pods it selects ({{workloads}}) declares a container port of that name, so this entry allows nothing.',
    egressUndefined: '{{policy}} allows egress to the named port {{port}}, but none of the pods this rule sends to ({{workloads}}) declares a container port of that name, so this entry allows nothing.',
    wrongProtocol: '{{policy}} names port {{port}}, but the pods that could receive it ({{workloads}}) declare {{name}} only as {{declared}}, so this entry allows nothing.',
  },
  check(graph, { solver }) {
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      const selected = graph.podsMatching(policy.podSelector, policy.namespace);
      // Rules of a direction missing from policyTypes are inert; the solver does not compile them either.
      for (const rule of policy.affectsIngress ? policy.ingress : []) {
        if (selected.length > 0) reports.push(...checkRule(policy, rule, selected, 'ingressUndefined'));
      }
      for (const rule of policy.egress) {
        const destinations = egressDestinations(solver, policy, rule);
        if (destinations.length > 0) reports.push(...checkRule(policy, rule, destinations, 'egressUndefined'));
      }
    }
    return reports;
  },
});

/**
 * The pods an egress rule's peers match, as the solver compiled them; none when its peers may
 * reach pods this graph does not hold.
 */
function egressDestinations(solver: ReachabilitySolver, policy: NetworkPolicy, rule: PolicyRule): readonly Pod[] {
  if (!rule.ports.some((port) => typeof port.port === 'string')) return [];
  const peers = rule.peers ?? [];
  const selectorPeers = peers.filter((peer) => !peer.ipBlock);
  if (selectorPeers.length === 0) return [];
  const openNamespaces = selectorPeers.some((peer) => peer.namespaceSelector
    && peer.namespaceSelector.requirements.every((requirement) => requirement.operator === 'NotIn' || requirement.operator === 'DoesNotExist'));
  if (openNamespaces) return [];
  // The solver compiles only the directions a policy has in its policyTypes.
  const compiled = solver.compiledRuleOf(rule);
  if (!compiled || compiled.policy.model !== policy) return [];
  const pods: Pod[] = [];
  for (const index of compiled.classes.members()) pods.push(...solver.classes[index].pods);
  return pods;
}

function checkRule(policy: NetworkPolicy, rule: PolicyRule, pods: readonly Pod[], undefinedId: string): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const port of rule.ports) {
    if (typeof port.port !== 'string') continue;
    const name = port.port;
    if (pods.some((pod) => pod.ports.some((declared) => declared.name === name && declared.protocol === port.protocol))) continue;
    const otherProtocols = [...new Set(pods.flatMap((pod) => pod.ports.filter((declared) => declared.name === name)
      .map((declared) => `${declared.protocol}/${declared.containerPort}`)))].sort();
    const data = { policy: `NetworkPolicy ${policy.namespace}/${policy.name}`, port: `${port.protocol}/${name}`, workloads: listWorkloads(pods) };
    if (otherProtocols.length > 0) {
      reports.push({ messageId: 'wrongProtocol', data: { ...data, name, declared: otherProtocols.join(', ') }, object: policy.source, path: [...port.path, 'port'] });
      continue;
    }
    const hint = similarName(name, pods);
    reports.push({ messageId: undefinedId, data, object: policy.source, path: [...port.path, 'port'], ...(hint ? { hint } : {}) });
  }
  return reports;
}

function similarName(name: string, pods: readonly Pod[]): string | undefined {
  const names = [...new Set(pods.flatMap((pod) => pod.ports.flatMap((declared) => (declared.name ? [declared.name] : []))))];
  return didYouMean(similarNames(name, names));
}
