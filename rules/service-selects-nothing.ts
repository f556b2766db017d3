import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatLabels, matchesSelector, type LabelRequirement, type Labels } from '../src/model/label-selector.js';
import type { Pod } from '../src/model/types.js';

/** Flags Services whose selector matches no pod of their namespace. */
export default defineRule({
  id: 'service-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'A Service\'s selector matches no pod of its namespace.',
  rationale: 'A Service whose selector matches no pod has no endpoints: connections to its cluster IP are refused or time out, and Ingresses '
    + 'in front of it answer 503. The usual cause is a selector that lags behind a label renamed in the pod template. Namespaces without any '
    + 'pod in the manifests are skipped, since their workloads may be deployed from elsewhere.',
  fix: 'Make spec.selector equal to (a subset of) the labels of the pod template that should serve the Service, or relabel the pods.',
  messages: {
    selectsNothing: 'Service {{service}} selects no pod: selector {{selector}} matches none of the pods in namespace {{namespace}} ({{workloads}}), so it has no endpoints.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const service of graph.services) {
      // An ExternalName Service ignores its selector; one without a selector has its endpoints managed elsewhere.
      if (service.type === 'ExternalName' || !service.selector) continue;
      const pods = graph.podsInNamespace(service.namespace);
      // No pod here at all: the namespace's workloads live in other manifests.
      if (pods.length === 0) continue;
      if (graph.podsWithLabels(service.selector, service.namespace).length > 0) continue;
      const requirements: LabelRequirement[] = Object.entries(service.selector).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
      const hint = nearMissHint(requirements, pods.map((pod) => pod.labels));
      reports.push({
        messageId: 'selectsNothing',
        data: {
          service: `${service.namespace}/${service.name}`,
          selector: formatLabels(service.selector),
          namespace: service.namespace,
          workloads: listWorkloads(pods),
        },
        object: service.source,
        path: ['spec', 'selector'],
        ...(hint ? { hint } : {}),
      });
    }
    return reports;
  },
});

/** Returns `a, b, c and 2 more`: the workloads of some pods, named `namespace/name`. */
function listWorkloads(pods: readonly Pod[]): string {
  const names = [...new Set(pods.map((pod) => pod.workloadId.replace(/\[[^\]]*\]$/, '')))];
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Returns `did you mean app=catalog?` when replacing the unsatisfiable equality requirements by
 * labels the candidates actually carry (a close value of the same key, a close key with the same
 * value, or the only other key with that value) makes the selector match one of them.
 */
function nearMissHint(requirements: readonly LabelRequirement[], candidates: readonly Labels[]): string | undefined {
  const corrected: LabelRequirement[] = [];
  const changes: string[] = [];
  for (const requirement of requirements) {
    const satisfiable = candidates.some((labels) => matchesSelector({ requirements: [requirement], text: '' }, labels));
    if (satisfiable || requirement.operator !== 'In') {
      corrected.push(requirement);
      continue;
    }
    const label = closestLabel(requirement, candidates);
    if (!label) return undefined;
    corrected.push({ key: label.key, operator: 'In', values: [label.value] });
    changes.push(`${label.key}=${label.value}`);
  }
  if (changes.length === 0 || !candidates.some((labels) => matchesSelector({ requirements: corrected, text: '' }, labels))) return undefined;
  return `did you mean ${changes.join(',')}?`;
}

function closestLabel(requirement: LabelRequirement, candidates: readonly Labels[]): { key: string; value: string } | undefined {
  const pairs = [...new Set(candidates.flatMap((labels) => Object.entries(labels).map(([key, value]) => `${key}\u0000${value}`)))]
    .sort()
    .map((pair) => {
      const [key, value] = pair.split('\u0000');
      return { key, value };
    });
  let best: { key: string; value: string; distance: number } | undefined;
  for (const wanted of requirement.values) {
    for (const pair of pairs) {
      const distance = pair.key === requirement.key
        ? editDistance(pair.value, wanted)
        : pair.value === wanted ? editDistance(pair.key, requirement.key) : Infinity;
      const limit = Math.max(1, Math.floor((pair.key === requirement.key ? wanted : requirement.key).length / 3));
      if (distance > 0 && distance <= limit && (!best || distance < best.distance)) best = { ...pair, distance };
    }
  }
  if (best) return { key: best.key, value: best.value };
  // `app: web` against pods labelled `app.kubernetes.io/name: web`: one other key with the value.
  if (pairs.some((pair) => pair.key === requirement.key)) return undefined;
  const sameValue = pairs.filter((pair) => requirement.values.includes(pair.value));
  return new Set(sameValue.map((pair) => pair.key)).size === 1 ? sameValue[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
