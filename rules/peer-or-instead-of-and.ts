import { valueAt } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { PolicyPeer } from '../src/model/types.js';
import { listWorkloads } from '../src/model/suggest.js';
import { listOf } from '../src/model/plural.js';

/** Flags rules that list a namespaceSelector and a podSelector as two peers, which ORs them. */
export default defineRule({
  id: 'peer-or-instead-of-and',
  category: 'selectors',
  severity: 'info',
  description: 'A from/to list has a namespaceSelector-only peer and a podSelector-only peer as separate items, which allows either rather than both.',
  rationale: 'Each item of from/to is a separate peer and the rule allows the union of them: `- namespaceSelector` and `- podSelector` as two '
    + 'items allow every pod of the selected namespaces plus the selected pods of the policy\'s own namespace. One stray dash turns '
    + '"prometheus in monitoring" into "anything in monitoring, or prometheus here", which opens far more than intended and often '
    + 'still misses the pods that were meant. A pair whose podSelector item selects pods of the policy\'s own namespace in the manifests '
    + '(or is podSelector: {}, the whole namespace) reads as a deliberate union - those pods here, or anything there - and is skipped.',
  fix: 'To allow only the pods that match the podSelector inside the namespaces that match the namespaceSelector, write both selectors in one item, '
    + 'with no dash before podSelector: `from: [{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: prometheus}}}]`. '
    + 'Keep two items only if either peer alone should be allowed.',
  messages: {
    orPeers: '{{list}} has namespaceSelector {{namespaceSelector}} and podSelector {{podSelector}} as separate peers, so it allows every pod of those namespaces or those pods of namespace {{namespace}}, not only pods matching both.',
    podsElsewhere: '{{list}} has namespaceSelector {{namespaceSelector}} and podSelector {{podSelector}} as separate peers: the podSelector selects no pod of namespace {{namespace}}, while the pods it names run in {{namespaces}} ({{workloads}}), so the rule allows every pod of {{namespaces}}, not only those.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const peers = rule.peers ?? [];
        const namespacePeer = peers.find((peer) => peer.namespaceSelector && !peer.podSelector && !peer.ipBlock);
        // podSelector: {} alone is the whole own namespace: "this namespace or those" is a deliberate union.
        const podPeer = peers.find((peer) => peer.podSelector && peer.podSelector.requirements.length > 0 && !peer.namespaceSelector && !peer.ipBlock);
        if (!namespacePeer || !podPeer) continue;
        // Pods of its own namespace that the podSelector item selects: "these pods here, or anything there" is meant.
        if (graph.podsMatching(podPeer.podSelector!, policy.namespace).length > 0) continue;
        const elsewhere = graph.namespacesMatching(namespacePeer.namespaceSelector!)
          .filter((namespace) => namespace.name !== policy.namespace)
          .map((namespace) => ({ namespace: namespace.name, pods: graph.podsMatching(podPeer.podSelector!, namespace.name) }))
          .filter((entry) => entry.pods.length > 0);
        const second = peers.indexOf(namespacePeer) > peers.indexOf(podPeer) ? namespacePeer : podPeer;
        const combined = combinedPeer(policy.source.value, namespacePeer, podPeer);
        reports.push({
          messageId: elsewhere.length > 0 ? 'podsElsewhere' : 'orPeers',
          data: {
            list: `NetworkPolicy ${policy.namespace}/${policy.name} ${rule.path[1]}[${rule.path[2]}].${namespacePeer.path[3]}`,
            namespaceSelector: namespacePeer.namespaceSelector!.text,
            podSelector: podPeer.podSelector!.text,
            namespace: policy.namespace,
            ...(elsewhere.length > 0 ? {
              workloads: listWorkloads(elsewhere.flatMap((entry) => entry.pods)),
              namespaces: listOf(elsewhere.map((entry) => entry.namespace)),
            } : {}),
          },
          object: policy.source,
          path: second.path,
          hint: `for pods matching both, write one peer: ${combined}`,
        });
      }
    }
    return reports;
  },
});

/** The corrected peer as flow YAML: both selectors, as written, in one item. */
function combinedPeer(policy: unknown, namespacePeer: PolicyPeer, podPeer: PolicyPeer): string {
  const written = (peer: PolicyPeer, key: string) => valueAt(policy, [...peer.path, key]);
  return `- ${flowYaml({ namespaceSelector: written(namespacePeer, 'namespaceSelector'), podSelector: written(podPeer, 'podSelector') })}`;
}


/** Formats a plain value as one-line YAML: `{matchLabels: {app: web}}`, quoting only what needs it. */
function flowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, entry]) => `${flowScalar(key)}: ${flowYaml(entry)}`).join(', ')}}`;
  }
  return typeof value === 'string' ? flowScalar(value) : String(value);
}

function flowScalar(text: string): string {
  // Plain when it cannot be read as another type or as flow syntax; quoted otherwise.
  const plain = /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(text);
  return plain ? text : JSON.stringify(text);
}
