/**
 * Cilium's labels and selectors, as a pure module: the identity labels of an endpoint, how a
 * selector key with a source prefix matches them, and the namespace scoping Cilium applies to the
 * selectors of namespaced and cluster-wide policies.
 *
 * References (cilium/cilium): `pkg/labels` (sources, `GetExtendedKeyFrom`), `pkg/policy/api/selector.go`
 * (an EndpointSelector's keys are read as `source.key`, `any` when no source is written),
 * `pkg/labelsfilter/filter.go` (which labels make an identity), `pkg/k8s/apis/cilium.io/utils/utils.go`
 * (`getEndpointSelector`, `ParseToCiliumRule`: the namespace added to selectors) and the policy
 * documentation's "Using Kubernetes Constructs in Policy".
 */
import type { FieldPath } from '../load/path.js';
import {
  formatRequirement, labelValueProblem, readSelectorEntries, readSelectorExpression, satisfiesRequirement, type Labels, type SelectorOperator, type SelectorProblem,
} from './label-selector.js';

/** The source Cilium gives labels taken from Kubernetes (pod, namespace and node labels). */
export const SOURCE_K8S = 'k8s';
/** The source of the labels Cilium reserves for its own identities (`reserved:host`, `reserved:world`). */
export const SOURCE_RESERVED = 'reserved';
/** The source a selector key without one is read with: it matches a label of any source. */
export const SOURCE_ANY = 'any';

/** The label Cilium gives every pod endpoint: its namespace. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** The label Cilium gives every pod endpoint: its service account. */
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
/** The label Cilium gives every pod endpoint: the name of its cluster (`cluster-name`, `default` unless configured). */
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
/** The prefix under which Cilium copies the labels of a pod's namespace onto the pod's endpoint. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** The cluster name Cilium uses when `cluster-name` is not configured. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** One label of a Cilium identity: its source, key and value (`k8s:app=web`, `reserved:host=`). */
export interface CiliumLabel {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** The labels of an endpoint's security identity, indexed by key. */
export interface EndpointIdentity {
  readonly labels: readonly CiliumLabel[];
  readonly byKey: ReadonlyMap<string, readonly CiliumLabel[]>;
}

/** One requirement of a Cilium selector, its key read into a source and a key. */
export interface CiliumRequirement {
  /** `any` when the key was written without a source. */
  readonly source: string;
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
  /** True for a `matchLabels` entry: Cilium's namespace scoping replaces such an entry of the same key. */
  readonly fromMatchLabels: boolean;
}

/** A validated Cilium endpoint (or node) selector. `{}` has no requirement and matches every identity. */
export interface CiliumSelector {
  readonly requirements: readonly CiliumRequirement[];
  /** The selector as written, the way kubectl users read selectors: `k8s:app=web,!env`; `<all>` for `{}`. */
  readonly text: string;
}

/**
 * Reads a selector key into its source and key, as Cilium's `GetExtendedKeyFrom` does: `k8s:app`
 * is `k8s`/`app`, `$host` is `reserved`/`host`, and a key without a source is `any`. Kubernetes label
 * keys never hold a colon, so the first colon always ends a source.
 */
export function parseSelectorKey(written: string): { source: string; key: string } {
  if (written.startsWith('$')) return { source: SOURCE_RESERVED, key: written.slice(1) };
  const colon = written.indexOf(':');
  if (colon === -1) return { source: SOURCE_ANY, key: written };
  return { source: written.slice(0, colon), key: written.slice(colon + 1) };
}

/** How a requirement's key is written back: `k8s:app`, or `app` for the `any` source. */
function formatKey(requirement: { source: string; key: string }): string {
  return requirement.source === SOURCE_ANY ? requirement.key : `${requirement.source}:${requirement.key}`;
}

/**
 * Validates a raw Cilium selector (`endpointSelector`, `fromEndpoints[i]`, `nodeSelector`...).
 * The CRD accepts any key (sources such as `k8s:` are part of it) and checks `matchLabels` values
 * and operators; the agent builds Kubernetes requirements from them, refusing In/NotIn without
 * values and Exists/DoesNotExist with values.
 */
export function parseCiliumSelector(raw: unknown): { selector?: CiliumSelector; problems: SelectorProblem[] } {
  const entries = readSelectorEntries(raw, 'a selector must be a mapping with matchLabels or matchExpressions');
  if ('problem' in entries) return { problems: [entries.problem] };
  const problems: SelectorProblem[] = [];
  const requirements: CiliumRequirement[] = [];
  for (const [written, labelValue] of entries.matchLabels) {
    const text = labelValue == null ? '' : String(labelValue);
    const problem = keyProblem(written) ?? labelValueProblem(text);
    if (problem) problems.push({ path: ['matchLabels', written], message: problem });
    else requirements.push({ ...parseSelectorKey(written), operator: 'In', values: [text], fromMatchLabels: true });
  }
  entries.matchExpressions.forEach((raw, index) => {
    const path: FieldPath = ['matchExpressions', index];
    const expression = readSelectorExpression(raw, path);
    if ('problem' in expression) {
      problems.push(expression.problem);
      return;
    }
    const problem = keyProblem(expression.key);
    if (problem) {
      problems.push({ path: [...path, 'key'], message: problem });
      return;
    }
    requirements.push({ ...parseSelectorKey(expression.key), operator: expression.operator, values: expression.values, fromMatchLabels: false });
  });
  if (problems.length > 0) return { problems };
  return { selector: makeSelector(requirements), problems };
}

function keyProblem(written: string): string | undefined {
  const { source, key } = parseSelectorKey(written);
  if (key === '') return `label key '${written}' names a source but no key`;
  if (source === '') return `label key '${written}' starts with ':' (write the source before it, such as k8s:${key}, or leave it out)`;
  return undefined;
}

/** Builds a selector from requirements (its text computed once). */
export function makeSelector(requirements: readonly CiliumRequirement[]): CiliumSelector {
  return { requirements, text: formatCiliumRequirements(requirements) };
}

/** Formats requirements the way kubectl prints selectors, keys with their source: `k8s:app=web,env in (a,b)`. */
export function formatCiliumRequirements(requirements: readonly CiliumRequirement[]): string {
  if (requirements.length === 0) return '<all>';
  return requirements.map((requirement) => formatRequirement(formatKey(requirement), requirement)).join(',');
}

/** Builds an identity from its labels. */
export function makeIdentity(labels: readonly CiliumLabel[]): EndpointIdentity {
  const byKey = new Map<string, CiliumLabel[]>();
  for (const label of labels) {
    const list = byKey.get(label.key);
    if (list) list.push(label);
    else byKey.set(label.key, [label]);
  }
  return { labels, byKey };
}

/** The label of `identity` a requirement reads: the first of its key whose source it accepts. */
function labelFor(identity: EndpointIdentity, source: string, key: string): CiliumLabel | undefined {
  const candidates = identity.byKey.get(key);
  if (!candidates) return undefined;
  // A requirement of source `any` accepts a label of any source (LabelArray.Has/Get).
  return source === SOURCE_ANY ? candidates[0] : candidates.find((label) => label.source === source);
}

/** Returns true when the identity satisfies every requirement of `selector` (apimachinery semantics over Cilium's labels). */
export function matchesCiliumSelector(selector: CiliumSelector, identity: EndpointIdentity): boolean {
  for (const requirement of selector.requirements) {
    if (!satisfiesRequirement(requirement, labelFor(identity, requirement.source, requirement.key)?.value)) return false;
  }
  return true;
}

/** Returns true when the selector has no requirement (`{}`). */
export function isWildcardSelector(selector: CiliumSelector): boolean {
  return selector.requirements.length === 0;
}

/** True for a requirement on the namespace label written with source `k8s` or without one (`HasKey(k8s.…)`/`HasKey(any.…)`). */
function isNamespaceRequirement(requirement: CiliumRequirement): boolean {
  return requirement.key === POD_NAMESPACE_LABEL && (requirement.source === SOURCE_K8S || requirement.source === SOURCE_ANY);
}

/**
 * The namespaces a selector confines its identities to (a requirement `In` on the pod namespace
 * label, as the scoping of a namespaced policy writes one), or undefined when it names none: only
 * identities of those namespaces can match it.
 */
export function requiredNamespaces(selector: CiliumSelector): readonly string[] | undefined {
  return selector.requirements.find((requirement) => isNamespaceRequirement(requirement) && requirement.operator === 'In')?.values;
}

/** Returns true when the selector names the pod namespace label (with source `k8s` or none). */
export function namesNamespace(selector: CiliumSelector): boolean {
  return selector.requirements.some(isNamespaceRequirement);
}

/** Returns true when the selector names a namespace label copy (`io.cilium.k8s.namespace.labels.<key>`, source `k8s` or none). */
export function namesNamespaceLabels(selector: CiliumSelector): boolean {
  return selector.requirements.some((requirement) => requirement.key.startsWith(NAMESPACE_LABELS_PREFIX.slice(0, -1))
    && (requirement.source === SOURCE_K8S || requirement.source === SOURCE_ANY));
}

/** Returns true when the selector names a reserved label (`reserved:host`, `$world`). */
export function namesReservedLabel(selector: CiliumSelector): boolean {
  return selector.requirements.some((requirement) => requirement.source === SOURCE_RESERVED);
}

/** Returns true when the selector names the `reserved:init` label, which initialising endpoints carry alone. */
export function namesInitIdentity(selector: CiliumSelector): boolean {
  return selector.requirements.some((requirement) => requirement.source === SOURCE_RESERVED && requirement.key === 'init');
}

/** How Cilium scoped a peer selector to namespaces, for explanations. */
export type NamespaceScope =
  /** The policy's namespace was added (`k8s:io.kubernetes.pod.namespace=<ns>`). */
  | 'policy-namespace'
  /** The selector names the namespace itself, so nothing was added. */
  | 'named-namespace'
  /** The selector names namespace labels (`io.cilium.k8s.namespace.labels.*`), so nothing was added. */
  | 'namespace-labels'
  /** Cluster-wide policy: pods of every namespace (`k8s:io.kubernetes.pod.namespace` must exist). */
  | 'every-namespace'
  /** Reserved labels (entities) are never scoped. */
  | 'reserved'
  /** A cluster-wide policy whose subject matches initialising endpoints: left as written. */
  | 'as-written';

/** A peer selector as Cilium applies it: the written selector with the namespace scoping added. */
export interface ScopedSelector {
  readonly written: CiliumSelector;
  readonly effective: CiliumSelector;
  readonly scope: NamespaceScope;
}

/**
 * Scopes a peer selector (`fromEndpoints`, `toEndpoints`; `fromRequires`/`toRequires` with
 * `isRequirement`) as `getEndpointSelector` does: reserved labels are left alone (peers only); a
 * selector naming the namespace label keeps it; in a namespaced policy (`policyNamespace` given) a
 * selector naming namespace labels is left to select across namespaces and any other gets
 * `k8s:io.kubernetes.pod.namespace=<policy namespace>`; in a cluster-wide one, unless the rule's
 * subject selects initialising endpoints, it gets `k8s:io.kubernetes.pod.namespace` Exists, so
 * that even `{}` selects pods only, never the host or the world.
 */
export function scopePeerSelector(written: CiliumSelector, policyNamespace: string | undefined, subjectMatchesInit: boolean, isRequirement = false): ScopedSelector {
  if (!isRequirement && namesReservedLabel(written)) return { written, effective: written, scope: 'reserved' };
  if (namesNamespace(written)) return { written, effective: written, scope: 'named-namespace' };
  if (policyNamespace === undefined) {
    if (subjectMatchesInit) return { written, effective: written, scope: 'as-written' };
    const exists: CiliumRequirement = { source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, operator: 'Exists', values: [], fromMatchLabels: false };
    return { written, effective: makeSelector([...written.requirements, exists]), scope: 'every-namespace' };
  }
  if (namesNamespaceLabels(written)) return { written, effective: written, scope: 'namespace-labels' };
  return { written, effective: withNamespaceMatch(written, policyNamespace), scope: 'policy-namespace' };
}

/**
 * The subject (`endpointSelector`) of a namespaced policy as Cilium applies it: it always selects in
 * the policy's namespace (`AddMatch(k8s:io.kubernetes.pod.namespace, ns)`, which replaces a
 * `matchLabels` entry of that exact key and adds to anything else the selector says).
 */
export function scopeSubjectSelector(written: CiliumSelector, policyNamespace: string): CiliumSelector {
  return withNamespaceMatch(written, policyNamespace);
}

function withNamespaceMatch(selector: CiliumSelector, namespace: string): CiliumSelector {
  const kept = selector.requirements.filter((requirement) => !(requirement.fromMatchLabels && requirement.source === SOURCE_K8S && requirement.key === POD_NAMESPACE_LABEL));
  return makeSelector([...kept, { source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, operator: 'In', values: [namespace], fromMatchLabels: true }]);
}

/**
 * The namespace a written subject selector tries to name, when it names one other than the
 * policy's: a namespaced policy only ever selects its own namespace's pods, so such a selector
 * selects nothing (or, with `k8s:` in matchLabels, is overridden).
 */
export function subjectNamespaceConflict(written: CiliumSelector, policyNamespace: string): { namespaces: readonly string[]; overridden: boolean } | undefined {
  for (const requirement of written.requirements) {
    if (!isNamespaceRequirement(requirement) || requirement.operator !== 'In') continue;
    if (requirement.values.length === 1 && requirement.values[0] === policyNamespace) continue;
    return { namespaces: requirement.values, overridden: requirement.fromMatchLabels && requirement.source === SOURCE_K8S };
  }
  return undefined;
}

// Cilium's default label filter (pkg/labelsfilter/filter.go defaultLabelPrefixCfg): keys matching
// an ignore pattern at their start are left out of identities unless a longer include pattern
// matches. Patterns are regular expressions anchored at the key's start.
const INCLUDE_PATTERNS: readonly RegExp[] = [
  /^io\.kubernetes\.pod\.namespace/, /^io\.cilium\.k8s\.namespace\.labels/, /^app\.kubernetes\.io/, /^io\.cilium\.k8s\.policy\.cluster/,
];
const IGNORE_PATTERNS: readonly RegExp[] = [
  /^io\.kubernetes/, /^kubernetes\.io/, /^statefulset\.kubernetes\.io\/pod-name/, /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/, /^.*beta\.kubernetes\.io/, /^k8s\.io/, /^pod-template-generation/, /^pod-template-hash/,
  /^controller-revision-hash/, /^annotation.*/, /^etcd_node/,
];

const identityKeyCache = new Map<string, boolean>();

/**
 * Returns true when Cilium's default label filter keeps a pod label key in the identity: the
 * longest include match must be longer than the shortest ignore match (labelsfilter.filterLabels).
 * `pod-template-hash`, `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`,
 * `apps.kubernetes.io/pod-index`, `batch.kubernetes.io/job-completion-index` and keys starting with
 * `kubernetes.io`, `k8s.io` or `io.kubernetes` are left out; a selector naming them matches nothing.
 */
export function isIdentityLabelKey(key: string): boolean {
  let kept = identityKeyCache.get(key);
  if (kept === undefined) {
    let included = 0;
    let ignored = 0;
    for (const pattern of INCLUDE_PATTERNS) {
      const match = pattern.exec(key);
      if (match && match[0].length > included) included = match[0].length;
    }
    for (const pattern of IGNORE_PATTERNS) {
      const match = pattern.exec(key);
      if (match && (ignored === 0 || match[0].length < ignored)) ignored = match[0].length;
    }
    kept = ignored === 0 || included > ignored;
    identityKeyCache.set(key, kept);
  }
  return kept;
}

/** What {@link podIdentity} needs of a pod. */
export interface IdentitySubject {
  readonly namespace: string;
  readonly labels: Labels;
  /** `spec.serviceAccountName`; the `default` account when the manifests name none, as admission sets it. */
  readonly serviceAccountName?: string;
}

/**
 * The identity labels Cilium gives a pod's endpoint (`k8s.GetPodMetadata` and the label filter):
 * its labels that pass the filter, `io.kubernetes.pod.namespace`, `io.cilium.k8s.policy.serviceaccount`,
 * `io.cilium.k8s.policy.cluster` and its namespace's labels as `io.cilium.k8s.namespace.labels.<key>`,
 * all of source `k8s`.
 */
export function podIdentity(pod: IdentitySubject, namespaceLabels: Labels, clusterName: string = DEFAULT_CLUSTER_NAME): EndpointIdentity {
  const labels: CiliumLabel[] = [];
  const special = new Set([POD_NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL, CLUSTER_LABEL]);
  for (const key of Object.keys(pod.labels).sort()) {
    // Cilium's own labels win over pod labels of the same key.
    if (special.has(key) || !isIdentityLabelKey(key)) continue;
    labels.push({ source: SOURCE_K8S, key, value: pod.labels[key] });
  }
  labels.push({ source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, value: pod.namespace });
  labels.push({ source: SOURCE_K8S, key: SERVICE_ACCOUNT_LABEL, value: pod.serviceAccountName ?? 'default' });
  labels.push({ source: SOURCE_K8S, key: CLUSTER_LABEL, value: clusterName });
  for (const key of Object.keys(namespaceLabels).sort()) {
    labels.push({ source: SOURCE_K8S, key: `${NAMESPACE_LABELS_PREFIX}${key}`, value: namespaceLabels[key] });
  }
  return makeIdentity(labels);
}

/** The identity of a node as host policies (`nodeSelector`) and node peers (`fromNodes`) see it: its labels, source `k8s`. */
export function nodeIdentity(nodeLabels: Labels): EndpointIdentity {
  return makeIdentity(Object.keys(nodeLabels).sort().map((key) => ({ source: SOURCE_K8S, key, value: nodeLabels[key] })));
}

/** The identity of a reserved entity (`host`, `world`, `kube-apiserver`...): the one label `reserved:<name>`. */
export function reservedIdentity(name: string): EndpointIdentity {
  return makeIdentity([{ source: SOURCE_RESERVED, key: name, value: '' }]);
}

/** Pod labels of `labels` that Cilium's label filter leaves out of identities. */
export function labelsLeftOutOfIdentity(labels: Labels): string[] {
  return Object.keys(labels).filter((key) => !isIdentityLabelKey(key)).sort();
}

/**
 * The requirements of a selector that no pod endpoint can satisfy because the label filter leaves
 * their key out of every identity (`pod-template-hash`, `statefulset.kubernetes.io/pod-name`):
 * In and Exists on such a key match nothing.
 */
export function requirementsOnFilteredKeys(selector: CiliumSelector): CiliumRequirement[] {
  return selector.requirements.filter((requirement) => (requirement.operator === 'In' || requirement.operator === 'Exists')
    && (requirement.source === SOURCE_K8S || requirement.source === SOURCE_ANY) && !isIdentityLabelKey(requirement.key));
}
