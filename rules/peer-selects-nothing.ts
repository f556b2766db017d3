import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import type { LabelSelector } from '../src/model/label-selector.js';
import { nearMissHint } from '../src/model/suggest.js';
import type { NetworkPolicy, PolicyPeer, PolicyRule } from '../src/model/types.js';
import { namespaceLabelKeys, requiresUnknownKey } from './namespace-selector-unknown-label.js';
import { policyPeers } from '../src/model/policy-peers.js';
import { METADATA_NAME, mayMatchUnknownNamespaces } from '../src/model/namespace-scope.js';
import { describeGeneratedRequirements, matchesButForGeneratedValues } from '../src/model/controller-labels.js';
import { listWorkloads } from '../src/model/suggest.js';

/** Flags `from`/`to` peers whose selectors match no namespace or no pod of the manifests. */
export default defineRule({
  id: 'peer-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'A from/to peer of a NetworkPolicy matches no namespace, or no pod, in the manifests.',
  rationale: 'A peer that matches nothing allows nothing: the traffic it was written for stays blocked, usually because of a label typo. '
    + 'What lies outside the manifests is unknown, so the rule stays silent where it could be there: a peer that names '
    + '(kubernetes.io/metadata.name) a namespace the manifests do not declare, a podSelector whose namespaces have no pod in the '
    + 'manifests, and a podSelector under an open namespaceSelector ({} or only NotIn/DoesNotExist) that may find its pods in a namespace '
    + 'deployed from elsewhere. Namespaces declared here without any workload are reported with their own message, since their pods may '
    + 'still come from elsewhere. A namespaceSelector on a label key no namespace carries is left to namespace-selector-unknown-label. '
    + 'Namespaces made outside the manifests (by an operator, a platform team, a kubeflow Profile) have labels k8snet cannot see: a '
    + 'namespaceSelector that does not confine itself by kubernetes.io/metadata.name to namespaces whose labels are known may match them, '
    + 'so it is reported only when a near-miss label points to a typo, and then as matching nothing known, not as matching nothing. A '
    + 'podSelector on a label whose value a controller computes at run time (pod-template-hash, controller-revision-hash) is reported as '
    + 'unknowable, not as matching nothing.',
  fix: 'Make the selector match the labels the intended pods (pod template labels) or namespaces (Namespace labels, or kubernetes.io/metadata.name) actually carry, '
    + 'or remove the peer; declare the labels of namespaces made elsewhere under `namespaces:` in .k8snet.yaml.',
  messages: {
    noPod: '{{peer}} matches no pod: podSelector {{selector}} matches none of the pods in {{namespaces}}, so this peer allows nothing.',
    noNamespace: '{{peer}} matches no namespace: namespaceSelector {{selector}} matches none of the namespaces in the manifests ({{known}}), so this peer allows nothing.',
    emptyNamespaces: '{{peer}} matches no pod in the manifests: namespaceSelector {{selector}} matches only {{namespaces}}, declared here without any workload.',
    noKnownNamespace: '{{peer}} matches none of the namespaces in the manifests ({{known}}): namespaceSelector {{selector}} can only match namespaces made elsewhere, and none if it holds a typo.',
    noKnownPod: '{{peer}} matches no pod in the manifests: podSelector {{selector}} matches none of the pods in {{namespaces}}, and can only match pods of namespaces made elsewhere that namespaceSelector {{namespaceSelector}} may match.',
    generatedLabel: '{{peer}} selects pods by {{requirements}}, a value {{setter}}: k8snet cannot know it, so it cannot tell whether this peer matches {{workloads}}.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const knownKeys = namespaceLabelKeys(graph);
    const selected = new SelectedNamespaces(graph);
    for (const policy of graph.policies) {
      for (const { rule, peer } of policyPeers(policy)) {
        if (peer.ipBlock) continue;
        const report = checkPeer(graph, policy, rule, peer, knownKeys, selected);
        if (report) reports.push(report);
      }
    }
    return reports;
  },
});

/**
 * The namespaces a namespaceSelector matches, by name, and whether some or all of them hold
 * pods, worked out once per selector: thousands of peers repeat the same few selectors, some
 * matching most namespaces.
 */
class SelectedNamespaces {
  private readonly bySelector = new Map<string, { names: string[]; somePods: boolean; allPods: boolean }>();

  constructor(private readonly graph: ResourceGraph) {}

  of(selector: LabelSelector): { names: string[]; somePods: boolean; allPods: boolean } {
    let answer = this.bySelector.get(selector.text);
    if (!answer) {
      const names = this.graph.namespacesMatching(selector).map((namespace) => namespace.name);
      const withPods = names.filter((name) => this.graph.podsInNamespace(name).length > 0).length;
      answer = { names, somePods: withPods > 0, allPods: withPods === names.length };
      this.bySelector.set(selector.text, answer);
    }
    return answer;
  }
}

function checkPeer(
  graph: ResourceGraph,
  policy: NetworkPolicy,
  rule: PolicyRule,
  peer: PolicyPeer,
  knownKeys: ReadonlySet<string>,
  selectedNamespaces: SelectedNamespaces,
): RuleReport | undefined {
  const peerName = `NetworkPolicy ${policy.namespace}/${policy.name} ${peer.path[1]}[${peer.path[2]}].${peer.path[3]}[${peer.path[4]}]`;
  let namespaces = [policy.namespace];
  // Whether the namespaceSelector may also match namespaces made outside the manifests.
  let elsewhere = false;
  if (peer.namespaceSelector) {
    const selector = peer.namespaceSelector;
    // namespace-selector-unknown-label reports these.
    if (selector.requirements.some((requirement) => requiresUnknownKey(requirement, knownKeys))) return undefined;
    elsewhere = mayMatchUnknownNamespaces(selector, graph);
    const matched = graph.namespacesMatching(selector);
    if (matched.length === 0) {
      // A namespace named here but not declared in the manifests may exist, with any labels.
      const named = selector.requirements.filter((requirement) => requirement.key === METADATA_NAME && requirement.operator === 'In').flatMap((requirement) => requirement.values);
      if (named.some((name) => graph.namespace(name)?.source === undefined)) return undefined;
      const hint = nearMissHint(selector.requirements, graph.namespaces.map((namespace) => namespace.labels));
      // Namespaces made elsewhere may carry these labels: only a near miss (a typo) is worth a word.
      if (elsewhere && !hint) return undefined;
      return {
        messageId: elsewhere ? 'noKnownNamespace' : 'noNamespace',
        data: { peer: peerName, selector: selector.text, known: listNames(graph.namespaces.map((namespace) => namespace.name)) },
        object: policy.source,
        path: [...peer.path, 'namespaceSelector'],
        ...(hint ? { hint } : {}),
      };
    }
    const selected = selectedNamespaces.of(selector);
    namespaces = selected.names;
    if (!selected.somePods) {
      if (!matched.every((namespace) => namespace.source !== undefined)) return undefined;
      return {
        messageId: 'emptyNamespaces',
        data: { peer: peerName, selector: selector.text, namespaces: describeNamespaces(namespaces) },
        object: policy.source,
        path: [...peer.path, 'namespaceSelector'],
      };
    }
    // Pods may live in a matched namespace the manifests hold no workload of, or, under an open
    // selector, in a namespace outside the manifests.
    if (!selected.allPods || isOpen(selector)) {
      return undefined;
    }
  } else if (graph.podsInNamespace(policy.namespace).length === 0) {
    return undefined; // The policy's namespace has no workload here: its pods are deployed from elsewhere.
  }
  if (!peer.podSelector) return undefined;
  const podSelector = peer.podSelector;
  if (namespaces.some((name) => graph.podsMatching(podSelector, name).length > 0)) return undefined;
  const pods = namespaces.flatMap((name) => graph.podsInNamespace(name));
  const unknowable = pods.filter((pod) => matchesButForGeneratedValues(podSelector, pod.labels));
  if (unknowable.length > 0) {
    return {
      messageId: 'generatedLabel',
      data: { peer: peerName, ...describeGeneratedRequirements(podSelector, unknowable[0].labels), workloads: listWorkloads(unknowable) },
      object: policy.source,
      path: [...peer.path, 'podSelector'],
    };
  }
  const hint = nearMissHint(podSelector.requirements, pods.map((pod) => pod.labels)) ?? (peer.namespaceSelector ? undefined : siblingHint(graph, rule, peer, podSelector));
  if (elsewhere && !hint) return undefined;
  return {
    messageId: elsewhere ? 'noKnownPod' : 'noPod',
    data: {
      peer: peerName, selector: podSelector.text, namespaces: describeNamespaces(namespaces),
      ...(elsewhere ? { namespaceSelector: peer.namespaceSelector!.text } : {}),
    },
    object: policy.source,
    path: [...peer.path, 'podSelector'],
    ...(hint ? { hint } : {}),
  };
}

/** True when the selector may match namespaces whatever labels they carry beyond those it excludes. */
function isOpen(selector: LabelSelector): boolean {
  return selector.requirements.every((requirement) => requirement.operator === 'NotIn' || requirement.operator === 'DoesNotExist');
}

/**
 * A podSelector-only peer next to a namespaceSelector-only peer whose namespaces hold the pods:
 * the two were probably meant as one peer (see peer-or-instead-of-and).
 */
function siblingHint(graph: ResourceGraph, rule: PolicyRule, peer: PolicyPeer, podSelector: LabelSelector): string | undefined {
  for (const sibling of rule.peers ?? []) {
    if (sibling === peer || !sibling.namespaceSelector || sibling.podSelector || sibling.ipBlock) continue;
    const holding = graph.namespacesMatching(sibling.namespaceSelector).map((namespace) => namespace.name)
      .filter((name) => graph.podsMatching(podSelector, name).length > 0);
    if (holding.length > 0) {
      return `pods matching ${podSelector.text} run in ${describeNamespaces(holding)}: put this podSelector in the same peer as the namespaceSelector of ${sibling.path[3]}[${sibling.path[4]}]`;
    }
  }
  return undefined;
}

function describeNamespaces(names: readonly string[]): string {
  return `${names.length === 1 ? 'namespace' : 'namespaces'} ${listNames(names)}`;
}

function listNames(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}
