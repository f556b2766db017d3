import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { selectsEverything } from '../src/model/label-selector.js';
import type { NetworkPolicy } from '../src/model/types.js';
import type { Direction, ReachabilitySolver } from '../src/reach/solver.js';
import { countOf, listOf } from '../src/model/plural.js';

/** Options of the namespace-no-default-deny rules. */
export interface DefaultDenyOptions {
  /** Namespaces not to report, by name; `*` stands for any run of characters (`openshift-*`). */
  readonly ignoreNamespaces: readonly string[];
}

/** JSON schema of {@link DefaultDenyOptions}. */
export const DEFAULT_DENY_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ignoreNamespaces: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const;

/** The control-plane namespaces kubeadm creates, whose pods are mostly hostNetwork or managed by the provider. */
export const DEFAULT_DENY_DEFAULT_OPTIONS: DefaultDenyOptions = {
  ignoreNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
};

/** The cause key of a namespace's missing ingress isolation, which workload-not-isolated's findings name. */
export function ingressIsolationKey(namespace: string): string {
  return `ingress-isolation:${namespace}`;
}

/**
 * Returns a report for each namespace with pods where no NetworkPolicy of the direction selects
 * every pod (`podSelector: {}`): on the Namespace object when declared, else on its first workload.
 * Pods outside NetworkPolicy (hostNetwork) do not count, nor namespaces whose pods policies of other
 * kinds all close for the direction (ReachabilitySolver.closingPolicies: they isolate them, or deny
 * every peer); policies that only deny some peers or pass the rest on are named, as leaving it open.
 */
export function reportMissingDefaultDeny(
  graph: ResourceGraph,
  solver: ReachabilitySolver,
  direction: Direction,
  options: DefaultDenyOptions,
): RuleReport[] {
  const isIgnored = nameMatcher(options.ignoreNamespaces);
  const reports: RuleReport[] = [];
  // Kubernetes' own NetworkPolicies, told apart from a plugin's kinds of the same name (Calico's).
  const kubernetesPolicies = new Set<object>(graph.policies);
  for (const namespace of graph.namespaces) {
    if (isIgnored(namespace.name)) continue;
    const pods = graph.podsInNamespace(namespace.name).filter((pod) => !solver.classOf(pod).outsidePolicy);
    if (pods.length === 0) continue;
    const policies = graph.policiesInNamespace(namespace.name).filter((policy) => affects(policy, direction));
    if (policies.some((policy) => selectsEverything(policy.podSelector))) continue;
    // Pods that policies of other kinds (cluster-wide tiers, a plugin's own policies) close by default
    // are not left open by the missing namespace-wide NetworkPolicy. Policies that only deny some
    // peers (Cilium's deny-only ones) or pass everything on (a Calico tier ending in Pass) leave them open.
    const otherKinds = (pod: (typeof pods)[number]) => solver.closingPolicies(solver.classOf(pod), direction).filter((policy) => !kubernetesPolicies.has(policy.model));
    if (pods.every((pod) => otherKinds(pod).length > 0)) continue;
    // Those that govern some of the pods: the namespace is not wholly open, only where they miss.
    const others = [...new Set(pods.flatMap(otherKinds))].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const workloadCount = new Set(pods.map((pod) => pod.workloadId)).size;
    const where = namespace.source
      ? { object: namespace.source, path: ['metadata', 'name'] }
      // pods follow graph.workloads, sorted by id: the first pod belongs to the first workload.
      : { object: pods[0].source, path: ['metadata', 'namespace'] };
    // The workloads this leaves open are listed with it (workload-not-isolated names the same cause).
    const cause = direction === 'ingress' ? { causeKey: ingressIsolationKey(namespace.name) } : {};
    // Policies of other kinds that apply without closing anything by default: they deny some peers, or pass the rest on.
    const open = policies.length === 0 && others.length === 0
      ? [...new Set(pods.flatMap((pod) => solver.policiesFor(solver.classOf(pod), direction).filter((policy) => !kubernetesPolicies.has(policy.model))))]
        .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
      : [];
    reports.push(open.length > 0
      ? {
        messageId: 'onlyPartialPolicies',
        data: { namespace: namespace.name, policies: countByKind(open.map((policy) => policy.kind)) },
        ...where,
        ...cause,
        related: open.map((policy) => ({ object: policy.object, path: ['metadata', 'name'], message: `${policy.kind} leaving open what its rules do not deny` })),
      }
      : policies.length === 0 && others.length === 0
      ? { messageId: 'noPolicy', data: { namespace: namespace.name, workloads: countOf(workloadCount, 'workload') }, ...where, ...cause }
      : {
        messageId: 'noDefaultDeny',
        data: { namespace: namespace.name, policies: countByKind([...policies.map(() => 'NetworkPolicy'), ...others.map((policy) => policy.kind)]) },
        ...where,
        ...cause,
        related: [
          ...policies.map((policy) => ({ object: policy.source, path: ['spec', 'podSelector'], message: `selects only ${policy.podSelector.text}` })),
          ...others.map((policy) => ({ object: policy.object, path: ['metadata', 'name'], message: `${policy.kind} that selects only some of its pods` })),
        ],
      });
  }
  return reports;
}

/** Counts kinds in order of first mention: `1 NetworkPolicy`, `1 NetworkPolicy and 2 CiliumNetworkPolicies`. */
function countByKind(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return listOf([...counts].map(([kind, count]) => countOf(count, kind)));
}

function affects(policy: NetworkPolicy, direction: Direction): boolean {
  return direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress;
}

/** Returns a predicate telling whether a name matches one of the patterns (`*` = any characters). */
export function nameMatcher(patterns: readonly string[]): (name: string) => boolean {
  const expressions = patterns.map((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (name) => expressions.some((expression) => expression.test(name));
}

/** Flags namespaces with pods but no namespace-wide NetworkPolicy for Ingress. */
export default defineRule<DefaultDenyOptions>({
  id: 'namespace-no-default-deny-ingress',
  category: 'isolation',
  severity: 'warning',
  description: 'A namespace runs pods but no NetworkPolicy selects all of them (podSelector: {}) for Ingress.',
  rationale: 'Pods that no policy selects accept connections from every pod in the cluster and from outside it. A namespace-wide '
    + 'default-deny policy is the safety net that keeps a new workload, or one whose labels changed, from being open to everything.',
  fix: 'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` to the namespace, then allow the ingress each workload needs.',
  messages: {
    noPolicy: 'Namespace {{namespace}} runs {{workloads}} but has no NetworkPolicy for Ingress, so every pod in it accepts connections from any pod or address.',
    noDefaultDeny: 'Namespace {{namespace}} has no policy selecting all its pods for Ingress (a NetworkPolicy with podSelector: {}), only {{policies}} selecting some, so a pod they miss, such as a new workload, accepts connections from any pod or address.',
    onlyPartialPolicies: 'Namespace {{namespace}} has no default deny for Ingress, only {{policies}} leaving open what their rules do not deny, so its pods accept connections from any pod or address not denied there.',
  },
  optionsSchema: DEFAULT_DENY_OPTIONS_SCHEMA,
  defaultOptions: DEFAULT_DENY_DEFAULT_OPTIONS,
  check(graph, { solver, options }) {
    return reportMissingDefaultDeny(graph, solver, 'ingress', options);
  },
});
