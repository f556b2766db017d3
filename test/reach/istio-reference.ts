/**
 * Brute-force reference for Istio's authorization at L4, written from Istio's documentation and
 * sharing no code with `src/` (as reference-evaluator.ts does for NetworkPolicy), so that the
 * compiled form can be checked against a second reading of the docs.
 *
 * Question: "may some TCP connection from `src` to `dst` on `port` get through the mesh?"
 * (L4: a connection on which at least one request is allowed). From the docs:
 *  - Only pods with a sidecar enforce (here: a namespace labelled `istio-injection: enabled`, the
 *    pod not opting out with the label `sidecar.istio.io/inject: "false"`, not hostNetwork).
 *  - PeerAuthentication (concepts "Peer authentication"): the workload's policy (selector, its
 *    own namespace; `portLevelMtls` for the container port first), else the namespace's, else the
 *    root namespace's; UNSET inherits; PERMISSIVE at the top. STRICT refuses plaintext: a source
 *    without a sidecar, or an address.
 *  - AuthorizationPolicy (reference "Authorization Policy"): the policies whose scope takes the
 *    pod (root namespace without selector: all; own namespace without selector; selector labels in
 *    its namespace, in every namespace from the root namespace). CUSTOM is left to its authorizer
 *    (allows here at L4), dry-run and AUDIT decide nothing. A matching DENY denies; with no ALLOW
 *    policy the connection is allowed; else it is allowed iff an ALLOW policy matches.
 *  - A rule matches iff some `from` source, some `to` operation and every `when` match (missing
 *    lists match all; no rules: nothing). Fields of a source/operation all match. Values: exact,
 *    `x*`, `*x`, `*` (non-empty). Identity (principals, namespaces, and `source.namespace`,
 *    `source.principal`) comes from mTLS: a plaintext peer matches no positive identity field
 *    and every negative one.
 *  - HTTP fields (methods, paths, hosts, requestPrincipals): with no Service declaring the port's
 *    protocol, the sidecar sniffs it, so a connection may be plain TCP or HTTP. For plain TCP an
 *    ALLOW rule with HTTP fields matches nothing and a DENY rule ignores them; for HTTP, requests
 *    can be chosen: at L4 the question is whether some request gets through, so an HTTP field
 *    makes an ALLOW rule match (some request has it) and a DENY rule not match (some request does
 *    not have it), each rule taken on its own.
 */

type Obj = Record<string, any>;

/** The objects of a meshed cluster: Namespaces, Pods, AuthorizationPolicies, PeerAuthentications. */
export interface IstioRefCluster {
  namespaces: Obj[];
  pods: Obj[];
  authorizationPolicies: Obj[];
  peerAuthentications: Obj[];
  rootNamespace: string;
}

export type IstioRefPeer = { pod: string } | { ip: string };

const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];
const HTTP_OPERATION_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];

/** True when some TCP connection from `src` to pod `dst` on `port` gets through Istio's proxies. */
export function istioReferenceAllows(cluster: IstioRefCluster, src: IstioRefPeer, dst: { pod: string }, port: number): boolean {
  const destination = podByKey(cluster, dst.pod);
  if (!hasSidecar(cluster, destination)) return true;
  const source = 'pod' in src ? podByKey(cluster, src.pod) : undefined;
  const identity = source && hasSidecar(cluster, source)
    ? { namespace: source.metadata.namespace as string, principal: `cluster.local/ns/${source.metadata.namespace}/sa/${source.spec?.serviceAccountName ?? 'default'}` }
    : undefined;
  const address: string | undefined = source ? source.status?.podIP : (src as { ip: string }).ip;
  if (!identity && mtlsMode(cluster, destination, port) === 'STRICT') return false;
  const applying = cluster.authorizationPolicies.filter((policy) => policyApplies(cluster, policy, destination)
    && policy.metadata?.annotations?.['istio.io/dry-run'] !== 'true');
  const action = (policy: Obj) => policy.spec?.action ?? 'ALLOW';
  // Plain TCP, or an HTTP request chosen to get through: some connection on the port.
  return (['tcp', 'http'] as const).some((kind) => {
    const request = { identity, address, port, kind };
    if (applying.some((policy) => action(policy) === 'DENY' && policyMatches(policy, request, 'DENY'))) return false;
    const allows = applying.filter((policy) => action(policy) === 'ALLOW');
    return allows.length === 0 || allows.some((policy) => policyMatches(policy, request, 'ALLOW'));
  });
}

interface Request {
  identity?: { namespace: string; principal: string };
  address?: string;
  port: number;
  kind: 'tcp' | 'http';
}

function policyMatches(policy: Obj, request: Request, action: 'ALLOW' | 'DENY'): boolean {
  const rules: Obj[] | undefined = policy.spec?.rules;
  if (!rules) return false;
  return rules.some((rule) => ruleMatches(rule ?? {}, request, action));
}

function ruleMatches(rule: Obj, request: Request, action: 'ALLOW' | 'DENY'): boolean {
  const usesHttp = (rule.from ?? []).some((entry: Obj) => HTTP_SOURCE_FIELDS.some((field) => entry.source?.[field] !== undefined))
    || (rule.to ?? []).some((entry: Obj) => HTTP_OPERATION_FIELDS.some((field) => entry.operation?.[field] !== undefined))
    || (rule.when ?? []).some((condition: Obj) => String(condition.key).startsWith('request.'));
  if (usesHttp && request.kind === 'tcp' && action === 'ALLOW') return false;
  // HTTP fields: ignored by a DENY on TCP (they match); on HTTP the request is chosen, field by
  // field: it has what an ALLOW asks for, and lacks what a DENY asks for.
  const http = request.kind === 'tcp' ? 'match' : action === 'ALLOW' ? 'match' : 'miss';
  const from = rule.from === undefined || rule.from.some((entry: Obj) => sourceMatches(entry.source ?? {}, request, http));
  const to = rule.to === undefined || rule.to.some((entry: Obj) => operationMatches(entry.operation ?? {}, request, http));
  const when = (rule.when ?? []).every((condition: Obj) => conditionMatches(condition, request, http));
  return from && to && when;
}

function sourceMatches(source: Obj, request: Request, http: 'match' | 'miss'): boolean {
  const { identity } = request;
  const checks: boolean[] = [];
  if (HTTP_SOURCE_FIELDS.some((field) => source[field] !== undefined)) checks.push(http === 'match');
  if (source.principals) checks.push(identity !== undefined && anyValue(source.principals, identity.principal));
  if (source.notPrincipals) checks.push(!(identity !== undefined && anyValue(source.notPrincipals, identity.principal)));
  if (source.namespaces) checks.push(identity !== undefined && anyValue(source.namespaces, identity.namespace));
  if (source.notNamespaces) checks.push(!(identity !== undefined && anyValue(source.notNamespaces, identity.namespace)));
  if (source.ipBlocks) checks.push(request.address !== undefined && source.ipBlocks.some((block: string) => inBlock(request.address!, block)));
  if (source.notIpBlocks) checks.push(!(request.address !== undefined && source.notIpBlocks.some((block: string) => inBlock(request.address!, block))));
  return checks.every(Boolean);
}

function operationMatches(operation: Obj, request: Request, http: 'match' | 'miss'): boolean {
  const checks: boolean[] = [];
  if (HTTP_OPERATION_FIELDS.some((field) => operation[field] !== undefined)) checks.push(http === 'match');
  if (operation.ports) checks.push(operation.ports.map(Number).includes(request.port));
  if (operation.notPorts) checks.push(!operation.notPorts.map(Number).includes(request.port));
  return checks.every(Boolean);
}

function conditionMatches(condition: Obj, request: Request, http: 'match' | 'miss'): boolean {
  if (String(condition.key).startsWith('request.')) return http === 'match';
  const test = (value: string): boolean => {
    switch (condition.key) {
      case 'destination.port': return Number(value) === request.port;
      case 'source.namespace': return request.identity !== undefined && oneValue(value, request.identity.namespace);
      case 'source.principal': return request.identity !== undefined && oneValue(value, request.identity.principal);
      case 'source.ip': return request.address !== undefined && inBlock(request.address, value);
      default: throw new Error(`istio reference: condition ${String(condition.key)} not covered`);
    }
  };
  if (condition.values && !condition.values.some(test)) return false;
  if (condition.notValues && condition.notValues.some(test)) return false;
  return true;
}

function anyValue(patterns: string[], value: string): boolean {
  return patterns.some((pattern) => oneValue(pattern, value));
}

function oneValue(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function mtlsMode(cluster: IstioRefCluster, pod: Obj, port: number): string {
  const namespace = pod.metadata.namespace;
  const labels = pod.metadata.labels ?? {};
  const byName = (a: Obj, b: Obj) => (a.metadata.name < b.metadata.name ? -1 : 1);
  const workload = cluster.peerAuthentications.filter((policy) => policy.metadata.namespace === namespace && policy.spec?.selector?.matchLabels
    && Object.entries(policy.spec.selector.matchLabels).every(([key, value]) => labels[key] === value)).sort(byName)[0];
  const namespaced = cluster.peerAuthentications.filter((policy) => policy.metadata.namespace === namespace && !policy.spec?.selector && namespace !== cluster.rootNamespace).sort(byName)[0];
  const mesh = cluster.peerAuthentications.filter((policy) => policy.metadata.namespace === cluster.rootNamespace && !policy.spec?.selector).sort(byName)[0];
  const chain = [
    workload?.spec?.portLevelMtls?.[String(port)]?.mode,
    workload?.spec?.mtls?.mode,
    namespaced?.spec?.mtls?.mode,
    mesh?.spec?.mtls?.mode,
  ];
  return chain.find((mode) => mode !== undefined && mode !== 'UNSET') ?? 'PERMISSIVE';
}

function policyApplies(cluster: IstioRefCluster, policy: Obj, pod: Obj): boolean {
  const namespace = policy.metadata.namespace;
  const selector = policy.spec?.selector?.matchLabels;
  if (!selector) return namespace === cluster.rootNamespace || namespace === pod.metadata.namespace;
  if (namespace !== cluster.rootNamespace && namespace !== pod.metadata.namespace) return false;
  return Object.entries(selector).every(([key, value]) => (pod.metadata.labels ?? {})[key] === value);
}

function hasSidecar(cluster: IstioRefCluster, pod: Obj): boolean {
  if (pod.spec?.hostNetwork) return false;
  if (pod.metadata.labels?.['sidecar.istio.io/inject'] === 'false') return false;
  const namespace = cluster.namespaces.find((candidate) => candidate.metadata.name === pod.metadata.namespace);
  return namespace?.metadata.labels?.['istio-injection'] === 'enabled';
}

function podByKey(cluster: IstioRefCluster, key: string): Obj {
  const pod = cluster.pods.find((candidate) => `${candidate.metadata.namespace}/${candidate.metadata.name}` === key);
  if (!pod) throw new Error(`istio reference: no pod ${key}`);
  return pod;
}

function inBlock(address: string, block: string): boolean {
  const [base, prefix] = block.split('/');
  const bits = prefix === undefined ? 32 : Number(prefix);
  const toNumber = (text: string) => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const size = 2 ** (32 - bits);
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(base) / size);
}
