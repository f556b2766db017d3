import type { Labels } from './label-selector.js';
import type { Namespace, NetworkPolicy, Pod } from './types.js';
import type { ManifestObject } from '../load/manifest-object.js';
import {
  evaluateCalicoSelector, parseCalicoSelector, prefixSelectorLabels, printCalicoSelector, type CalicoSelectorNode,
} from './calico-selector.js';
import type {
  CalicoEntityRule, CalicoHostEndpoint, CalicoNetworkSet, CalicoPolicy, CalicoProfile, CalicoWorkloadEndpoint,
} from './calico.js';

/**
 * What Calico's selectors see, derived exactly as libcalico-go derives it before Felix evaluates
 * anything: the labels of each endpoint and network set (their own, Calico's `projectcalico.org/*`
 * labels, and those inherited from the `kns.<namespace>` and `ksa.<namespace>.<account>` profiles
 * as `pcns.*` and `pcsa.*`), and the selectors policies are rewritten into (the policy's
 * namespace, namespaceSelector and serviceAccountSelector folded into one selector over those
 * labels). The rewrites are textual in libcalico-go (updateprocessors/networkpolicyprocessor.go,
 * globalnetworkpolicyprocessor.go, rules.go, selectors.go), including their quirks, and are
 * reproduced as text here, then parsed: `all()` inside a GlobalNetworkPolicy with a
 * namespaceSelector becomes `has(projectcalico.org/namespace)`, even in the main selector.
 */

/** Calico's label holding an endpoint's (or NetworkSet's) namespace. */
export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';
/** Calico's label holding a workload endpoint's orchestrator (`k8s` for pods). */
export const CALICO_ORCHESTRATOR_LABEL = 'projectcalico.org/orchestrator';
/** Calico's label holding a pod's service account. */
export const CALICO_SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
/** The label Calico adds to namespaces and service accounts with their name. */
export const CALICO_NAME_LABEL = 'projectcalico.org/name';
/** Prefix of namespace labels as endpoints inherit them (conversion.NamespaceLabelPrefix). */
export const NAMESPACE_LABEL_PREFIX = 'pcns.';
/** Prefix of service-account labels as endpoints inherit them (conversion.ServiceAccountLabelPrefix). */
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';
/** Profile names Calico makes for each namespace and service account. */
export const NAMESPACE_PROFILE_PREFIX = 'kns.';
export const SERVICE_ACCOUNT_PROFILE_PREFIX = 'ksa.';

/** The labels Calico gives a namespace's profile (`kns.<name>`): its labels prefixed `pcns.`, and `pcns.projectcalico.org/name`. */
export function namespaceProfileLabels(namespace: Pick<Namespace, 'name' | 'labels'>): Labels {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(namespace.labels)) labels[`${NAMESPACE_LABEL_PREFIX}${key}`] = value;
  labels[`${NAMESPACE_LABEL_PREFIX}${CALICO_NAME_LABEL}`] = namespace.name;
  return labels;
}

/** The labels Calico gives a service account's profile (`ksa.<namespace>.<name>`): its labels prefixed `pcsa.`, and `pcsa.projectcalico.org/name`. */
export function serviceAccountProfileLabels(name: string, labels: Labels): Labels {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) result[`${SERVICE_ACCOUNT_LABEL_PREFIX}${key}`] = value;
  result[`${SERVICE_ACCOUNT_LABEL_PREFIX}${CALICO_NAME_LABEL}`] = name;
  return result;
}

/**
 * Merges an endpoint's own labels with those its profiles apply, in profile order: an endpoint's
 * own label wins over an inherited one of the same key, and an earlier profile over a later one.
 */
function withInherited(own: Labels, inherited: readonly Labels[]): Labels {
  const labels: Record<string, string> = {};
  for (const profileLabels of [...inherited].reverse()) Object.assign(labels, profileLabels);
  return Object.assign(labels, own);
}

/** The service account Kubernetes runs a pod as: the one it names, or `default` (set by the ServiceAccount admission controller). */
export function podServiceAccount(pod: Pick<Pod, 'serviceAccountName'>): string {
  return pod.serviceAccountName ?? 'default';
}

/**
 * The labels Calico's selectors see on a pod's workload endpoint (PodToWorkloadEndpoint and the
 * profiles it names): the pod's labels, `projectcalico.org/namespace`, `/orchestrator: k8s` and
 * `/serviceaccount`, then the namespace's and service account's profile labels.
 */
export function podEndpointLabels(pod: Pick<Pod, 'namespace' | 'labels' | 'serviceAccountName'>, namespace: Pick<Namespace, 'name' | 'labels'>, serviceAccountLabels: Labels = {}): Labels {
  const serviceAccount = podServiceAccount(pod);
  const own = {
    ...pod.labels,
    [CALICO_NAMESPACE_LABEL]: pod.namespace,
    [CALICO_ORCHESTRATOR_LABEL]: 'k8s',
    [CALICO_SERVICE_ACCOUNT_LABEL]: serviceAccount,
  };
  return withInherited(own, [namespaceProfileLabels(namespace), serviceAccountProfileLabels(serviceAccount, serviceAccountLabels)]);
}

/**
 * The labels of an exported WorkloadEndpoint: its labels as exported (they already hold Calico's
 * `projectcalico.org/*` labels), then what its profiles apply. A profile of the input supplies
 * its `labelsToApply`; a `kns.<namespace>` or `ksa.<namespace>.<name>` profile the input lacks is
 * the one Calico makes from the Namespace (when the input holds it) or the service account.
 */
export function workloadEndpointLabels(
  endpoint: Pick<CalicoWorkloadEndpoint, 'labels' | 'profiles'>,
  lookup: ProfileLookup,
): Labels {
  return withInherited(endpoint.labels, endpoint.profiles.map((name) => lookup.profileLabels(name)));
}

/** The labels of a HostEndpoint: its own, then its profiles'. */
export function hostEndpointLabels(endpoint: Pick<CalicoHostEndpoint, 'labels' | 'profiles'>, lookup: ProfileLookup): Labels {
  return withInherited(endpoint.labels, endpoint.profiles.map((name) => lookup.profileLabels(name)));
}

/**
 * The labels of a NetworkSet as Felix holds it (networksetprocessor.go): its own labels plus
 * `projectcalico.org/namespace` and the `kns.<namespace>` profile's; a GlobalNetworkSet has only its own.
 */
export function networkSetLabels(set: Pick<CalicoNetworkSet, 'kind' | 'labels' | 'namespace'>, namespace: Pick<Namespace, 'name' | 'labels'> | undefined): Labels {
  if (set.kind === 'GlobalNetworkSet' || set.namespace === undefined) return set.labels;
  const own = { ...set.labels, [CALICO_NAMESPACE_LABEL]: set.namespace };
  return withInherited(own, [namespaceProfileLabels(namespace ?? { name: set.namespace, labels: { 'kubernetes.io/metadata.name': set.namespace } })]);
}

/** Finds the labels a profile applies, from the input's Profiles or as Calico makes them. */
export class ProfileLookup {
  private readonly byName: ReadonlyMap<string, CalicoProfile>;
  private readonly namespaces: ReadonlyMap<string, Pick<Namespace, 'name' | 'labels'>>;
  private readonly serviceAccounts: ReadonlyMap<string, Labels>;

  constructor(profiles: readonly CalicoProfile[], namespaces: readonly Pick<Namespace, 'name' | 'labels'>[], serviceAccounts: ReadonlyMap<string, Labels>) {
    this.byName = new Map(profiles.map((profile) => [profile.name, profile]));
    this.namespaces = new Map(namespaces.map((namespace) => [namespace.name, namespace]));
    this.serviceAccounts = serviceAccounts;
  }

  /** The Profile object of the input called `name`. */
  profile(name: string): CalicoProfile | undefined {
    return this.byName.get(name);
  }

  /** The labels profile `name` applies. */
  profileLabels(name: string): Labels {
    const declared = this.byName.get(name);
    if (declared) return declared.labelsToApply;
    if (name.startsWith(NAMESPACE_PROFILE_PREFIX)) {
      const namespace = name.slice(NAMESPACE_PROFILE_PREFIX.length);
      return namespaceProfileLabels(this.namespaces.get(namespace) ?? { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } });
    }
    if (name.startsWith(SERVICE_ACCOUNT_PROFILE_PREFIX)) {
      // ksa.<namespace>.<service account>: namespaces have no dots, so the first dot splits them.
      const rest = name.slice(SERVICE_ACCOUNT_PROFILE_PREFIX.length);
      const dot = rest.indexOf('.');
      if (dot > 0) {
        const account = rest.slice(dot + 1);
        return serviceAccountProfileLabels(account, this.serviceAccounts.get(`${rest.slice(0, dot)}/${account}`) ?? {});
      }
    }
    return {};
  }
}

/** The labels of the ServiceAccounts of the input, by `namespace/name`. */
export function serviceAccountLabelsOf(objects: readonly ManifestObject[], namespaceOf: (object: ManifestObject) => string): Map<string, Labels> {
  const result = new Map<string, Labels>();
  for (const object of objects) {
    if (object.kind !== 'ServiceAccount' || object.apiVersion !== 'v1') continue;
    const labels = (object.value.metadata as { labels?: unknown } | undefined)?.labels;
    const map: Record<string, string> = {};
    if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
      for (const [key, value] of Object.entries(labels)) map[key] = String(value);
    }
    result.set(`${namespaceOf(object)}/${object.name}`, map);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Effective selectors

/** Parses a selector libcalico-go produced; these are well formed by construction. */
function parseGenerated(text: string): CalicoSelectorNode {
  const parsed = parseCalicoSelector(text);
  if ('error' in parsed) throw new Error(`calico-endpoints.ts: generated selector does not parse: ${text} (${parsed.error.message})`);
  return parsed.selector.root;
}

/** `parseSelectorAttachPrefix`: the selector with its label keys prefixed, printed canonically. */
function prefixed(text: string, prefix: string): string {
  const parsed = parseCalicoSelector(text);
  return 'error' in parsed ? '' : printCalicoSelector(prefixSelectorLabels(parsed.selector.root, prefix));
}

/** `prefixAndAppendSelector`. */
function prefixAndAppend(current: string, added: string, prefix: string): string {
  if (added === '') return current;
  const addedPrefixed = prefixed(added, prefix);
  if (addedPrefixed === '') return current;
  return current !== '' ? `(${current}) && ${addedPrefixed}` : addedPrefixed;
}

/**
 * The selector Felix evaluates to find the endpoints a policy applies to, over the labels of
 * {@link podEndpointLabels} and its siblings:
 * - NetworkPolicy: `(<selector>) && projectcalico.org/namespace == '<ns>'` (an empty selector is
 *   all of the namespace), then `&& <serviceAccountSelector prefixed pcsa.>`;
 * - GlobalNetworkPolicy: `<selector>`, `&& <namespaceSelector prefixed pcns.>` with every `all()`
 *   then read as `has(projectcalico.org/namespace)`, `&& <serviceAccountSelector prefixed pcsa.>`
 *   with every `all()` read as `has(projectcalico.org/serviceaccount)`; empty means every endpoint,
 *   host endpoints included.
 */
export function policyEndpointSelectorText(policy: Pick<CalicoPolicy, 'kind' | 'namespace' | 'selector' | 'namespaceSelector' | 'serviceAccountSelector'>): string {
  let selector = policy.selector?.text ?? '';
  const serviceAccountSelector = policy.serviceAccountSelector?.text ?? '';
  if (policy.kind === 'NetworkPolicy' || policy.kind === 'StagedNetworkPolicy') {
    const namespaceSelector = `${CALICO_NAMESPACE_LABEL} == '${policy.namespace}'`;
    selector = selector === '' ? namespaceSelector : `(${selector}) && ${namespaceSelector}`;
    return prefixAndAppend(selector, serviceAccountSelector, SERVICE_ACCOUNT_LABEL_PREFIX);
  }
  const namespaceSelector = policy.namespaceSelector?.text ?? '';
  if (namespaceSelector !== '') {
    selector = prefixAndAppend(selector, namespaceSelector, NAMESPACE_LABEL_PREFIX);
    selector = selector.split('all()').join(`has(${CALICO_NAMESPACE_LABEL})`);
  }
  if (serviceAccountSelector !== '') {
    selector = prefixAndAppend(selector, serviceAccountSelector, SERVICE_ACCOUNT_LABEL_PREFIX);
    selector = selector.split('all()').join(`has(${CALICO_SERVICE_ACCOUNT_LABEL})`);
  }
  return selector;
}

const endpointSelectors = new WeakMap<object, CalicoSelectorNode>();

/** {@link policyEndpointSelectorText}, parsed (once per policy object); an empty text is `all()`. */
export function policyEndpointSelector(policy: Pick<CalicoPolicy, 'kind' | 'namespace' | 'selector' | 'namespaceSelector' | 'serviceAccountSelector'>): CalicoSelectorNode {
  let selector = endpointSelectors.get(policy);
  if (!selector) {
    selector = parseGenerated(policyEndpointSelectorText(policy));
    endpointSelectors.set(policy, selector);
  }
  return selector;
}

/**
 * What an entity rule's selector fields become (rules.go `GetEntityRuleSelector`): one positive
 * selector over endpoint and network-set labels (undefined when the rule has none: any address
 * then matches), and the notSelector as written (it excludes matching endpoints of any namespace).
 * The namespace scope is the rule's namespaceSelector (prefixed `pcns.`, `all()` read as every
 * namespaced endpoint, `global()` as every non-namespaced one) or, in a namespaced policy, the
 * policy's namespace; it applies as soon as any selector field is set, notSelector included.
 */
export function entityRuleSelectors(entity: Pick<CalicoEntityRule, 'selector' | 'notSelector' | 'namespaceSelector' | 'serviceAccounts'>, policyNamespace: string | undefined): {
  readonly selector?: CalicoSelectorNode;
  readonly selectorText?: string;
  readonly notSelector?: CalicoSelectorNode;
} {
  let serviceAccountSelector = '';
  if (entity.serviceAccounts) {
    serviceAccountSelector = entity.serviceAccounts.selector ? prefixed(entity.serviceAccounts.selector.text, SERVICE_ACCOUNT_LABEL_PREFIX) : '';
    if (entity.serviceAccounts.names.length > 0) {
      const names = printCalicoSelector(parseGenerated(`${CALICO_SERVICE_ACCOUNT_LABEL} in { '${entity.serviceAccounts.names.join("', '")}' }`));
      serviceAccountSelector = serviceAccountSelector !== '' ? `(${serviceAccountSelector}) && (${names})` : names;
    }
  }
  let namespaceScope = '';
  const namespaceSelector = entity.namespaceSelector?.text ?? '';
  if (namespaceSelector !== '') {
    namespaceScope = prefixed(namespaceSelector, NAMESPACE_LABEL_PREFIX)
      .split('all()').join(`has(${CALICO_NAMESPACE_LABEL})`)
      .split('global()').join(`!has(${CALICO_NAMESPACE_LABEL})`);
  } else if (policyNamespace !== undefined) {
    namespaceScope = `${CALICO_NAMESPACE_LABEL} == '${policyNamespace}'`;
  }
  const parts = [serviceAccountSelector, entity.selector?.text ?? ''].filter((part) => part !== '');
  let selector = parts.length === 0 ? '' : parts.length === 1 ? parts[0] : `(${parts.join(') && (')})`;
  const notSelectorText = entity.notSelector?.text ?? '';
  if (namespaceScope !== '' && (selector !== '' || notSelectorText !== '' || namespaceSelector !== '')) {
    selector = selector !== '' ? `(${namespaceScope}) && (${selector})` : namespaceScope;
  }
  return {
    ...(selector !== '' ? { selector: parseGenerated(selector), selectorText: selector } : {}),
    ...(entity.notSelector ? { notSelector: entity.notSelector.root } : {}),
  };
}

/** Returns true when the policy applies to an endpoint with these labels (its effective selector matches them). */
export function policySelectsLabels(policy: Pick<CalicoPolicy, 'kind' | 'namespace' | 'selector' | 'namespaceSelector' | 'serviceAccountSelector'>, labels: Labels): boolean {
  return evaluateCalicoSelector(policyEndpointSelector(policy), labels);
}

/**
 * The selector Calico gives a Kubernetes NetworkPolicy it converts (K8sNetworkPolicyToCalico, then
 * the namespace added by the NetworkPolicy processor): `projectcalico.org/orchestrator == 'k8s'`
 * and the podSelector's requirements, within the policy's namespace.
 */
export function kubernetesPolicyEndpointSelectorText(policy: Pick<NetworkPolicy, 'namespace' | 'podSelector'>): string {
  const parts = [`${CALICO_ORCHESTRATOR_LABEL} == 'k8s'`];
  for (const requirement of policy.podSelector.requirements) {
    const values = requirement.values.map((value) => `'${value}'`).join(', ');
    if (requirement.operator === 'In') parts.push(requirement.values.length === 1 ? `${requirement.key} == '${requirement.values[0]}'` : `${requirement.key} in { ${values} }`);
    else if (requirement.operator === 'NotIn') parts.push(`${requirement.key} not in { ${values} }`);
    else if (requirement.operator === 'Exists') parts.push(`has(${requirement.key})`);
    else parts.push(`! has(${requirement.key})`);
  }
  return `(${parts.join(' && ')}) && ${CALICO_NAMESPACE_LABEL} == '${policy.namespace}'`;
}

/** {@link kubernetesPolicyEndpointSelectorText}, parsed. */
export function kubernetesPolicyEndpointSelector(policy: Pick<NetworkPolicy, 'namespace' | 'podSelector'>): CalicoSelectorNode {
  return parseGenerated(kubernetesPolicyEndpointSelectorText(policy));
}
