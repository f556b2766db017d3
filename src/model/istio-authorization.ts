import type { FieldPath } from '../load/path.js';
import { parseAddress, parseCidr, type IpFamily } from './cidr.js';
import type {
  AuthorizationAction, AuthorizationCondition, AuthorizationOperation, AuthorizationPolicy, AuthorizationRule, AuthorizationSource,
  IstioAddressList,
} from './istio.js';
import type { MeshMembership } from './istio-mesh.js';
import type { IstioSettings } from './istio-settings.js';
import { isHttpOnlyCondition, isIdentityCondition, matchesAnyIstioValue, matchesIstioValue } from './istio-values.js';
import type { Labels } from './label-selector.js';
import type { ResourceGraph } from './graph.js';
import type { Pod } from './types.js';

/*
 * AuthorizationPolicy semantics, decided per request from what a connection shows (the model's
 * reference for phase B's compiler; docs/istio.md cites every corner):
 *
 * - Scope (`policySelectsPod`): a policy in the root namespace without a selector applies to every
 *   workload; in another namespace without a selector, to every workload of that namespace; with a
 *   selector, to the workloads of its namespace whose labels include the selector's, of every
 *   namespace when it is in the root namespace. `targetRefs` attach it to gateways and waypoints.
 * - Enforcement (`enforcementOf`): only a proxy enforces: a sidecar or an Istio gateway (Envoy), or
 *   ztunnel for ambient pods (which reads every port as TCP). A pod outside the mesh enforces nothing.
 * - Evaluation (`evaluateAuthorization`): CUSTOM, then DENY, then ALLOW. A matching DENY denies; with
 *   no ALLOW policy the request is allowed; otherwise a matching ALLOW allows and anything else is
 *   denied. AUDIT decides nothing; dry-run policies are not enforced.
 * - A rule matches when one of its sources, one of its operations and all of its conditions match;
 *   a list not written matches anything, so `{}` matches every request, and a policy without rules
 *   matches nothing.
 * - Identity fields (principals, namespaces, serviceAccounts and the source.* keys) come from the
 *   peer's mTLS certificate: a plaintext connection has no identity, so positive fields never match
 *   it and negative ones (notPrincipals, notNamespaces...) always do (ISTIO-SECURITY-2021-004).
 * - HTTP-only fields (hosts, methods, paths, requestPrincipals and the request.* keys) on a port the
 *   proxy reads as TCP: an ALLOW rule using any of them matches nothing; a DENY rule ignores them,
 *   so it denies more (authz-tcp task, AuthorizationPolicy reference). On an HTTP port they are not
 *   decidable from manifests: they travel as restrictions of an L4 answer.
 */

/** Three-valued answers: the manifests decide, or they do not. */
export type Tri = 'yes' | 'no' | 'unknown';

/** How the destination proxy reads the port: `http` (HTTP filters), `tcp` (plain TCP), `detect` (protocol sniffing decides per connection). */
export type PortReading = 'http' | 'tcp' | 'detect';

/** The peer's identity, carried by its mTLS certificate. */
export interface MeshIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** `<trust domain>/ns/<namespace>/sa/<service account>`. */
  readonly principal: string;
}

/** A connection to a workload, as far as the manifests tell it. */
export interface MeshRequest {
  /** The peer identity; undefined for a plaintext connection (a client without a proxy, or outside the cluster). */
  readonly identity?: MeshIdentity;
  /** The source address, when known (an external range's address, a pod's podIP). */
  readonly sourceAddress?: { readonly family: IpFamily; readonly value: bigint };
  /** The destination (container) port. */
  readonly port: number;
  /** The destination address, when known. */
  readonly destinationAddress?: { readonly family: IpFamily; readonly value: bigint };
  readonly reading: PortReading;
}

/** Whether something matches, and, when it matches only for some requests, what above L4 restricts it. */
export interface MatchResult {
  readonly matches: Tri;
  /** For `yes`: conditions above L4 the match depends on (`methods GET, POST`); empty when it matches every request. */
  readonly restrictions: readonly string[];
  /** For `unknown`: what the manifests do not show (`the source's address`). */
  readonly unknowns: readonly string[];
}

const YES: MatchResult = Object.freeze({ matches: 'yes', restrictions: [], unknowns: [] });
const NO: MatchResult = Object.freeze({ matches: 'no', restrictions: [], unknowns: [] });
const restricted = (restriction: string): MatchResult => ({ matches: 'yes', restrictions: [restriction], unknowns: [] });
const unknown = (what: string): MatchResult => ({ matches: 'unknown', restrictions: [], unknowns: [what] });

/** AND: `no` wins, then `unknown`; restrictions add up. */
function all(results: readonly MatchResult[]): MatchResult {
  if (results.some((result) => result.matches === 'no')) return NO;
  const unknowns = results.flatMap((result) => result.unknowns);
  if (unknowns.length > 0) return { matches: 'unknown', restrictions: [], unknowns: [...new Set(unknowns)] };
  return { matches: 'yes', restrictions: [...new Set(results.flatMap((result) => result.restrictions))], unknowns: [] };
}

/** OR: an unrestricted `yes` wins; restricted alternatives are said as alternatives. */
function any(results: readonly MatchResult[]): MatchResult {
  if (results.length === 0) return NO;
  if (results.some((result) => result.matches === 'yes' && result.restrictions.length === 0)) return YES;
  const unknowns = results.filter((result) => result.matches === 'unknown');
  const restrictedMatches = results.filter((result) => result.matches === 'yes');
  if (unknowns.length > 0) return { matches: 'unknown', restrictions: [], unknowns: [...new Set(unknowns.flatMap((result) => result.unknowns))] };
  if (restrictedMatches.length === 0) return NO;
  if (restrictedMatches.length === 1) return restrictedMatches[0];
  return restricted(restrictedMatches.map((result) => result.restrictions.join(' and ')).join(' or '));
}

/**
 * Returns true when the policy's scope (namespace and selector) takes in a pod of `namespace`
 * with `labels`. Policies attached by `targetRefs` select no pod this way.
 */
export function policySelectsPod(policy: Pick<AuthorizationPolicy, 'namespace' | 'scope' | 'selector'>, namespace: string, labels: Labels, settings: IstioSettings): boolean {
  switch (policy.scope) {
    case 'mesh': return true;
    case 'namespace': return policy.namespace === namespace;
    case 'selector':
      if (policy.namespace !== namespace && policy.namespace !== settings.rootNamespace) return false;
      return Object.entries(policy.selector ?? {}).every(([key, value]) => labels[key] === value);
    case 'targetRefs': return false;
  }
}

/**
 * Where a policy that selects a pod is enforced: by its sidecar or its own Envoy (`proxy`), by
 * the node's ztunnel (`ztunnel`, ambient pods: L4 only, every port read as TCP), or nowhere
 * (`none`: the pod is outside the mesh, so the policy has no effect on it).
 */
export function enforcementOf(membership: MeshMembership): 'proxy' | 'ztunnel' | 'none' {
  if (membership.dataPlane === 'sidecar' || membership.dataPlane === 'gateway') return 'proxy';
  if (membership.dataPlane === 'ambient') return 'ztunnel';
  return 'none';
}

/** Returns true when the rule uses a field the conditions page and the reference mark HTTP only. */
export function usesHttpOnlyFields(rule: AuthorizationRule): boolean {
  return (rule.from ?? []).some((source) => source.requestPrincipals !== undefined || source.notRequestPrincipals !== undefined)
    || (rule.to ?? []).some((operation) => HTTP_OPERATION_FIELDS.some((field) => operation[field] !== undefined))
    || rule.when.some((condition) => isHttpOnlyCondition(condition.key));
}

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

/**
 * Matches one rule against a request. On a port read as TCP an ALLOW (or AUDIT, CUSTOM) rule
 * with HTTP-only fields matches nothing and a DENY rule ignores those fields; on an HTTP port
 * they become restrictions; where the proxy sniffs the protocol, both readings are possible.
 */
export function matchRule(rule: AuthorizationRule, action: AuthorizationAction, request: MeshRequest, settings: IstioSettings): MatchResult {
  const httpOnly = usesHttpOnlyFields(rule);
  const asTcp = (): MatchResult => {
    if (httpOnly && action !== 'DENY') return NO;
    return matchRuleParts(rule, request, settings, 'ignore');
  };
  if (request.reading === 'tcp' || !httpOnly) return request.reading === 'tcp' ? asTcp() : matchRuleParts(rule, request, settings, 'restrict');
  const asHttp = matchRuleParts(rule, request, settings, 'restrict');
  if (request.reading === 'http') return asHttp;
  // Protocol sniffing: HTTP requests get the HTTP reading, anything else the TCP one.
  const tcp = asTcp();
  // Unrestricted only when both readings match every connection: a DENY on `paths` denies plain TCP
  // but only some HTTP requests.
  if (asHttp.matches === 'yes' && asHttp.restrictions.length === 0 && tcp.matches === 'yes' && tcp.restrictions.length === 0) return YES;
  if (asHttp.matches === 'yes') return { matches: 'yes', restrictions: [`if the connection speaks HTTP: ${asHttp.restrictions.join(' and ') || 'any request'}`, ...(tcp.matches === 'yes' ? [`otherwise: ${tcp.restrictions.join(' and ') || 'any connection'}`] : [])], unknowns: [] };
  if (tcp.matches === 'yes') return restricted(`only if the connection does not speak HTTP${tcp.restrictions.length > 0 ? `: ${tcp.restrictions.join(' and ')}` : ''}`);
  return asHttp.matches === 'unknown' || tcp.matches === 'unknown' ? all([asHttp, tcp].filter((result) => result.matches === 'unknown')) : NO;
}

type HttpFields = 'ignore' | 'restrict';

function matchRuleParts(rule: AuthorizationRule, request: MeshRequest, settings: IstioSettings, http: HttpFields): MatchResult {
  const from = rule.from === undefined ? YES : any(rule.from.map((source) => matchSource(source, request, settings, http)));
  const to = rule.to === undefined ? YES : any(rule.to.map((operation) => matchOperation(operation, request, http)));
  const when = all(rule.when.map((condition) => matchCondition(condition, request, settings, http)));
  return all([from, to, when]);
}

function matchSource(source: AuthorizationSource, request: MeshRequest, settings: IstioSettings, http: HttpFields): MatchResult {
  const identity = request.identity;
  const parts: MatchResult[] = [];
  const positive = (values: readonly string[] | undefined, test: (value: string, identity: MeshIdentity) => boolean): void => {
    if (values === undefined) return;
    parts.push(identity !== undefined && values.some((value) => test(value, identity)) ? YES : NO);
  };
  const negative = (values: readonly string[] | undefined, test: (value: string, identity: MeshIdentity) => boolean): void => {
    if (values === undefined) return;
    // A plaintext peer's identity is empty: no entry matches it, so a negative field does.
    parts.push(identity !== undefined && values.some((value) => test(value, identity)) ? NO : YES);
  };
  const principal = (value: string, peer: MeshIdentity) => principalMatches(value, peer.principal, settings);
  const namespace = (value: string, peer: MeshIdentity) => matchesIstioValue(value, peer.namespace);
  const serviceAccount = (value: string, peer: MeshIdentity) => value === `${peer.namespace}/${peer.serviceAccount}`;
  positive(source.principals, principal);
  negative(source.notPrincipals, principal);
  positive(source.namespaces, namespace);
  negative(source.notNamespaces, namespace);
  positive(source.serviceAccounts, serviceAccount);
  negative(source.notServiceAccounts, serviceAccount);
  parts.push(...addressParts(source.ipBlocks, source.notIpBlocks, request.sourceAddress, 'the source address'));
  // remote.ip is the source address unless a gateway is told to trust X-Forwarded-For hops.
  parts.push(...addressParts(source.remoteIpBlocks, source.notRemoteIpBlocks, request.sourceAddress, 'the client address (remote.ip)'));
  if (http === 'restrict') {
    if (source.requestPrincipals !== undefined) parts.push(restricted(`request principals ${source.requestPrincipals.join(', ')} (JWT)`));
    if (source.notRequestPrincipals !== undefined) parts.push(restricted(`request principals other than ${source.notRequestPrincipals.join(', ')} (JWT)`));
  }
  return all(parts);
}

function addressParts(included: IstioAddressList | undefined, excluded: IstioAddressList | undefined, address: MeshRequest['sourceAddress'], what: string): MatchResult[] {
  const parts: MatchResult[] = [];
  if (included !== undefined) parts.push(address ? (inAddressList(included, address) ? YES : NO) : unknown(what));
  if (excluded !== undefined) parts.push(address ? (inAddressList(excluded, address) ? NO : YES) : unknown(what));
  return parts;
}

function inAddressList(list: IstioAddressList, address: { family: IpFamily; value: bigint }): boolean {
  return list.ranges[address.family].some((range) => range.first <= address.value && address.value <= range.last);
}

function matchOperation(operation: AuthorizationOperation, request: MeshRequest, http: HttpFields): MatchResult {
  const parts: MatchResult[] = [];
  if (operation.ports !== undefined) parts.push(operation.ports.includes(request.port) ? YES : NO);
  if (operation.notPorts !== undefined) parts.push(operation.notPorts.includes(request.port) ? NO : YES);
  if (http === 'restrict') {
    // A field whose every value its negation excludes (`methods: [GET]` with `notMethods: [GET]`)
    // leaves no request to match.
    const contradicts = (values: readonly string[] | undefined, excluded: readonly string[] | undefined) => values !== undefined && excluded !== undefined
      && values.every((value) => !value.includes('*') && matchesAnyIstioValue(excluded, value));
    if (contradicts(operation.methods, operation.notMethods) || contradicts(operation.paths, operation.notPaths) || contradicts(operation.hosts, operation.notHosts)) return NO;
    const say = (values: readonly string[] | undefined, what: string, negated: boolean) => {
      if (values !== undefined) parts.push(restricted(`${what} ${negated ? 'other than ' : ''}${values.join(', ')}`));
    };
    say(operation.methods, 'methods', false);
    say(operation.notMethods, 'methods', true);
    say(operation.paths, 'paths', false);
    say(operation.notPaths, 'paths', true);
    say(operation.hosts, 'hosts', false);
    say(operation.notHosts, 'hosts', true);
  }
  return all(parts);
}

function matchCondition(condition: AuthorizationCondition, request: MeshRequest, settings: IstioSettings, http: HttpFields): MatchResult {
  const { key, values, notValues } = condition;
  const test = (value: string): Tri => {
    if (key === 'destination.port') return Number(value) === request.port ? 'yes' : 'no';
    if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') {
      const address = key === 'destination.ip' ? request.destinationAddress : request.sourceAddress;
      if (!address) return 'unknown';
      const list = addressListOf(value);
      return list && inAddressList(list, address) ? 'yes' : 'no';
    }
    if (isIdentityCondition(key)) {
      const identity = request.identity;
      if (!identity) return 'no';
      if (key === 'source.namespace') return matchesIstioValue(value, identity.namespace) ? 'yes' : 'no';
      if (key === 'source.principal') return principalMatches(value, identity.principal, settings) ? 'yes' : 'no';
      return value === `${identity.namespace}/${identity.serviceAccount}` ? 'yes' : 'no';
    }
    return 'unknown';
  };
  if (condition.layer === 'l4') {
    const parts: MatchResult[] = [];
    const what = key === 'destination.ip' ? 'the destination address' : key.startsWith('source.') && !isIdentityCondition(key) ? 'the source address' : key;
    if (values !== undefined) {
      const results = values.map(test);
      parts.push(results.includes('yes') ? YES : results.includes('unknown') ? unknown(what) : NO);
    }
    if (notValues !== undefined) {
      const results = notValues.map(test);
      parts.push(results.includes('yes') ? NO : results.includes('unknown') ? unknown(what) : YES);
    }
    return all(parts);
  }
  if (isHttpOnlyCondition(key) && http === 'ignore') return YES;
  if (condition.layer === 'l7') {
    const described = [values !== undefined ? `${key} in ${values.join(', ')}` : '', notValues !== undefined ? `${key} not in ${notValues.join(', ')}` : ''].filter(Boolean).join(' and ');
    return restricted(described);
  }
  return unknown(`the condition ${key}, which Istio does not document`);
}

function addressListOf(text: string): IstioAddressList | undefined {
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    if ('error' in cidr) return undefined;
    return { entries: [text], ranges: { 4: cidr.family === 4 ? [cidr.range] : [], 6: cidr.family === 6 ? [cidr.range] : [] } };
  }
  const address = parseAddress(text);
  if (!address) return undefined;
  const range = { first: address.value, last: address.value };
  return { entries: [text], ranges: { 4: address.family === 4 ? [range] : [], 6: address.family === 6 ? [range] : [] } };
}

/**
 * Whether a `principals` entry matches a peer principal of the local trust domain. An entry
 * naming a trust domain (`td/ns/...`) counts only when `td` is the mesh's trust domain, one of
 * its aliases, or `cluster.local`, which stands for the local trust domain and its aliases
 * (security/trustdomain ReplaceTrustDomainAliases); entries starting with `*` ignore it.
 */
export function principalMatches(pattern: string, principal: string, settings: IstioSettings): boolean {
  const slash = pattern.indexOf('/');
  if (pattern.startsWith('*') || slash === -1) return matchesIstioValue(pattern, principal);
  const trustDomain = pattern.slice(0, slash);
  if (trustDomain !== settings.trustDomain && trustDomain !== 'cluster.local' && !settings.trustDomainAliases.includes(trustDomain)) return false;
  return matchesIstioValue(`${settings.trustDomain}${pattern.slice(slash)}`, principal);
}

/** What the policies enforced on a workload decide for one request. */
export interface AuthorizationVerdict {
  /** `deny` also covers a DENY that applies to some requests only (see `restrictions`). */
  readonly verdict: 'allow' | 'deny' | 'unknown';
  /** The policy and rule that decide, when one does (`undefined` for the default allow and the ALLOW default deny). */
  readonly decidedBy?: { readonly policy: AuthorizationPolicy; readonly path: FieldPath };
  /**
   * For `allow`: conditions above L4 the allowance depends on (only these methods, paths...);
   * denials that hit only some requests (a DENY rule with HTTP fields) are listed as `denied ...`.
   */
  readonly restrictions: readonly string[];
  /** What the manifests do not show that the answer depends on. */
  readonly unknowns: readonly string[];
  /** In words: `no ALLOW policy matches`, `denied by DENY policy ns/name`. */
  readonly reason: string;
}

/**
 * Evaluates the AuthorizationPolicies that apply to a workload for one request, in Istio's order:
 * CUSTOM (said, not modelled: the external authorizer decides), DENY, then ALLOW. AUDIT and
 * dry-run policies decide nothing. `policies` are those whose scope selects the workload and
 * that its proxy enforces.
 */
export function evaluateAuthorization(policies: readonly AuthorizationPolicy[], request: MeshRequest, settings: IstioSettings): AuthorizationVerdict {
  const enforced = policies.filter((policy) => !policy.dryRun && policy.action !== 'AUDIT');
  const restrictions: string[] = [];
  const unknowns: string[] = [];
  for (const policy of enforced.filter((candidate) => candidate.action === 'CUSTOM')) {
    const match = matchPolicy(policy, request, settings);
    if (match.result.matches !== 'no') restrictions.push(`requests matching CUSTOM policy ${policy.namespace}/${policy.name} are decided by its external authorizer ${policy.provider ?? ''}`.trim());
  }
  for (const policy of enforced.filter((candidate) => candidate.action === 'DENY')) {
    const match = matchPolicy(policy, request, settings);
    if (match.result.matches === 'yes' && match.result.restrictions.length === 0) {
      return { verdict: 'deny', decidedBy: { policy, path: match.path! }, restrictions, unknowns, reason: `denied by DENY policy ${policy.namespace}/${policy.name}` };
    }
    if (match.result.matches === 'yes') restrictions.push(`denied by ${policy.namespace}/${policy.name} for ${match.result.restrictions.join(' and ')}`);
    if (match.result.matches === 'unknown') unknowns.push(...match.result.unknowns.map((what) => `DENY policy ${policy.namespace}/${policy.name} depends on ${what}`));
  }
  const allows = enforced.filter((candidate) => candidate.action === 'ALLOW');
  if (allows.length === 0) return { verdict: unknowns.length > 0 ? 'unknown' : 'allow', restrictions, unknowns, reason: 'no ALLOW policy applies' };
  let restrictedAllow: { policy: AuthorizationPolicy; path: FieldPath; restrictions: readonly string[] } | undefined;
  const allowUnknowns: string[] = [];
  for (const policy of allows) {
    const match = matchPolicy(policy, request, settings);
    if (match.result.matches === 'yes' && match.result.restrictions.length === 0) {
      return { verdict: unknowns.length > 0 ? 'unknown' : 'allow', decidedBy: { policy, path: match.path! }, restrictions, unknowns, reason: `allowed by ALLOW policy ${policy.namespace}/${policy.name}` };
    }
    if (match.result.matches === 'yes' && !restrictedAllow) restrictedAllow = { policy, path: match.path!, restrictions: match.result.restrictions };
    if (match.result.matches === 'unknown') allowUnknowns.push(...match.result.unknowns.map((what) => `ALLOW policy ${policy.namespace}/${policy.name} depends on ${what}`));
  }
  if (restrictedAllow) {
    return {
      verdict: unknowns.length > 0 ? 'unknown' : 'allow',
      decidedBy: { policy: restrictedAllow.policy, path: restrictedAllow.path },
      restrictions: [`only ${restrictedAllow.restrictions.join(' and ')} (${restrictedAllow.policy.namespace}/${restrictedAllow.policy.name})`, ...restrictions],
      unknowns: [...unknowns, ...allowUnknowns],
      reason: `allowed at L4 by ALLOW policy ${restrictedAllow.policy.namespace}/${restrictedAllow.policy.name}, further restricted above L4`,
    };
  }
  if (allowUnknowns.length > 0) return { verdict: 'unknown', restrictions, unknowns: [...unknowns, ...allowUnknowns], reason: 'whether an ALLOW policy matches depends on what the manifests do not show' };
  return { verdict: 'deny', restrictions, unknowns, reason: 'ALLOW policies apply and none matches' };
}

/** The first rule of a policy that matches (an unrestricted match wins over a restricted one). */
function matchPolicy(policy: AuthorizationPolicy, request: MeshRequest, settings: IstioSettings): { result: MatchResult; path?: FieldPath } {
  if (!policy.rules) return { result: NO };
  let best: { result: MatchResult; path?: FieldPath } = { result: NO };
  for (const rule of policy.rules) {
    const result = matchRule(rule, policy.action, request, settings);
    if (result.matches === 'yes' && result.restrictions.length === 0) return { result, path: rule.path };
    if (result.matches === 'yes' && best.result.matches !== 'yes') best = { result, path: rule.path };
    else if (result.matches === 'yes') best = { result: any([best.result, result]), path: best.path };
    else if (result.matches === 'unknown' && best.result.matches === 'no') best = { result, path: rule.path };
  }
  return best;
}

/**
 * The pods a namespaced Istio policy's scope takes in, by namespace and selector (see
 * {@link policySelectsPod}): every pod for a root-namespace policy without selector, the
 * namespace's for one elsewhere, the selector's matches of its namespace (of every namespace for
 * an AuthorizationPolicy or RequestAuthentication in the root namespace). None for `targetRefs`.
 */
export function podsInScope(graph: ResourceGraph, policy: Pick<AuthorizationPolicy, 'namespace' | 'scope' | 'selector'>): readonly Pod[] {
  const settings = graph.istio.settings;
  const candidates = policy.scope === 'mesh' || (policy.scope === 'selector' && policy.namespace === settings.rootNamespace) ? graph.pods : graph.podsInNamespace(policy.namespace);
  return candidates.filter((pod) => policySelectsPod(policy, pod.namespace, pod.labels, settings));
}
