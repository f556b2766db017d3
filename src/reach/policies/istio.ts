import { parseAddress, parseCidr, type AddressRange, type IpFamily } from '../../model/cidr.js';
import { formatPath } from '../../load/path.js';
import type { ResourceGraph } from '../../model/graph.js';
import {
  enforcementOf, matchRule, policySelectsPod, usesHttpOnlyFields, type MatchResult, type MeshIdentity, type MeshRequest, type PortReading,
} from '../../model/istio-authorization.js';
import type { AuthorizationPolicy, AuthorizationRule, AuthorizationSource, PeerAuthentication } from '../../model/istio.js';
import { istioMesh, type MeshMembership } from '../../model/istio-mesh.js';
import { resolveMtls } from '../../model/istio-mtls.js';
import { portReading } from '../../model/istio-protocol.js';
import type { Pod } from '../../model/types.js';
import type { BitSet } from '../bitset.js';
import { ConnectionSet, MAX_PORT, MIN_PORT } from '../connection-set.js';
import type {
  CompiledPolicy, CompiledRule, EnforcementPoint, NamedRestriction, PodClass, PolicySide, RuleAction, StageDefinition,
} from '../policy-form.js';
import type { CompileContext } from './context.js';
import { sortRanges } from './ranges.js';
import { SIDECAR_EGRESS_STAGE, compileSidecarEgress } from './istio-egress.js';

/*
 * Istio's authorization as one more kind of the common form (docs/istio.md §5, §6):
 *
 * - A second enforcement point, `mesh`, on the ingress side only: Istio authorizes at the
 *   server's proxy (sidecar, gateway Envoy, or ambient ztunnel). Pods without a proxy enforce
 *   nothing; only TCP is proxied ("Non-TCP based protocols, such as UDP, are not proxied"), so
 *   every rule here speaks TCP, and an ALLOW policy lets other protocols through.
 * - Stages in Istio's order (AuthorizationPolicy reference, "Authorization Policy"): STRICT
 *   PeerAuthentication refuses plaintext first, then CUSTOM (said, not modelled: the external
 *   authorizer decides, a named restriction), DENY (a match denies), ALLOW (once an ALLOW policy
 *   selects the workload, what none allows is denied).
 * - Each rule is matched by the model's own per-request semantics (`matchRule`, the reference of
 *   istio-authorization.ts): the compiler cuts the sources into identity classes and address
 *   pieces, and the ports into the cells the rule and the destination's Services tell apart,
 *   asks `matchRule` once per (source, cell), and writes the answers back as rules of the common
 *   form. What `matchRule` cannot decide (HTTP fields on an HTTP port, JWT, unknown addresses) is
 *   a named restriction, never a guess: an ALLOW so restricted allows at L4 and says the rest, a
 *   DENY so restricted decides nothing at L4 (`log`) and says what it denies above it.
 * - A connection carries a peer identity when its source runs a proxy (Istio mTLS). Where a
 *   PeerAuthentication DISABLE or a client DestinationRule makes it plaintext, the answer's
 *   caveat says so (istio-caveats.ts); this compiler does not split identity per destination port.
 */

/** Istio's proxies: a second place where connections are checked; what no policy decides is allowed. */
export const MESH_POINT: EnforcementPoint = { id: 'mesh', label: 'Istio', unmatched: 'allow' };

/** The stages of the mesh point, in Istio's order. */
export const ISTIO_STAGES: readonly StageDefinition[] = [
  SIDECAR_EGRESS_STAGE,
  { id: 'istio-peer-authentication', point: 'mesh', order: 100, combination: 'first-match', unmatched: 'pass', label: 'Istio PeerAuthentication' },
  { id: 'istio-custom', point: 'mesh', order: 200, combination: 'first-match', unmatched: 'pass', label: 'Istio CUSTOM' },
  { id: 'istio-deny', point: 'mesh', order: 300, combination: 'first-match', unmatched: 'pass', label: 'Istio DENY' },
  { id: 'istio-allow', point: 'mesh', order: 400, combination: 'deny-overrides', unmatched: 'deny', label: 'Istio ALLOW' },
];

const EVERY_TCP_PORT = ConnectionSet.ofProtocol('TCP');
/** What the mesh does not proxy: UDP, SCTP, ICMP and every other protocol. */
const NOT_PROXIED = ConnectionSet.ALL.subtract(EVERY_TCP_PORT);
const NO_TAGS: ReadonlySet<string> = new Set();
const ANY_POD_TAGS: ReadonlySet<string> = new Set(['any-pod']);
const EVERY_ADDRESS: Readonly<Record<IpFamily, readonly AddressRange[]>> = {
  4: [{ first: 0n, last: (1n << 32n) - 1n }],
  6: [{ first: 0n, last: (1n << 128n) - 1n }],
};

/**
 * What tells apart pods that Istio's policies may treat differently although their labels are the
 * same: their place in the mesh and their service account (the identity their certificate
 * carries), and, where a policy names addresses, their pod IP. Undefined when the graph has no
 * AuthorizationPolicy, PeerAuthentication or Sidecar, so that classes stay as they are.
 */
export function istioClassSignature(graph: ResourceGraph): ((pod: Pod) => string) | undefined {
  const istio = graph.istio;
  if (istio.authorizationPolicies.length === 0 && istio.peerAuthentications.length === 0 && istio.sidecars.length === 0) return undefined;
  const mesh = istioMesh(graph);
  const namesAddresses = istio.authorizationPolicies.some((policy) => (policy.rules ?? []).some((rule) => rule.when.some((condition) => condition.key === 'source.ip' || condition.key === 'remote.ip')
    || (rule.from ?? []).some((source) => source.ipBlocks || source.notIpBlocks || source.remoteIpBlocks || source.notRemoteIpBlocks)));
  return (pod) => {
    const membership = mesh.membershipOf(pod);
    return `${membership.dataPlane}/${membership.serviceAccount}${namesAddresses ? `/${pod.podIP ?? ''}` : ''}`;
  };
}

/**
 * Compiles the graph's Sidecar egress (istio-egress.ts), AuthorizationPolicies and STRICT
 * PeerAuthentications into the stages of {@link ISTIO_STAGES}. Policies attached by `targetRefs` (gateways, waypoints), dry-run and AUDIT
 * policies are left out: the last two decide nothing, the first are said in the answers' caveats.
 */
export function compileIstioPolicies(context: CompileContext): CompiledPolicy[] {
  const { graph } = context;
  const istio = graph.istio;
  const egress = compileSidecarEgress(context);
  if (istio.authorizationPolicies.length === 0 && istio.peerAuthentications.length === 0) return egress;
  const compiler = new IstioCompiler(context);
  return [
    ...egress,
    ...compiler.compilePeerAuthentications(),
    ...istio.authorizationPolicies.flatMap((policy) => compiler.compileAuthorizationPolicy(policy)),
  ];
}

/** A source as `matchRule` sees it: its identity and address, and the peers of the common form it stands for. */
interface SourceCell {
  readonly identity?: MeshIdentity;
  readonly address?: { readonly family: IpFamily; readonly value: bigint };
  /** The classes it stands for, or the address range. */
  readonly classes?: readonly PodClass[];
  readonly range?: { readonly family: IpFamily; readonly range: AddressRange };
}

/** A cell of TCP ports a rule cannot tell apart towards one destination group, with a port that stands for it. */
interface PortCell {
  readonly ports: ConnectionSet;
  readonly port: number;
  readonly reading: PortReading;
}

class IstioCompiler {
  private readonly mesh;
  private readonly membershipOfClass = new Map<PodClass, MeshMembership>();

  constructor(private readonly context: CompileContext) {
    this.mesh = istioMesh(context.graph);
  }

  private membership(podClass: PodClass): MeshMembership {
    let membership = this.membershipOfClass.get(podClass);
    if (!membership) this.membershipOfClass.set(podClass, (membership = this.mesh.membershipOf(podClass.pods[0])));
    return membership;
  }

  /** The identity a class's connections carry: its certificate's, when it runs a proxy; none in plaintext. */
  private identity(podClass: PodClass): MeshIdentity | undefined {
    const membership = this.membership(podClass);
    if (membership.dataPlane === 'none' || !membership.principal) return undefined;
    return { namespace: podClass.namespace, serviceAccount: membership.serviceAccount, principal: membership.principal };
  }

  // -------------------------------------------------------------------------------------------
  // PeerAuthentication

  /**
   * STRICT ports refuse plaintext (PeerAuthentication reference: "Connection is an mTLS tunnel"
   * only): one deny rule per (deciding policy and field, port set), whose peers are every source
   * without an identity — pods without a proxy and addresses outside the cluster. Gateways'
   * listeners follow their Gateway servers, not PeerAuthentication.
   */
  compilePeerAuthentications(): CompiledPolicy[] {
    const { graph } = this.context;
    const istio = graph.istio;
    if (!istio.peerAuthentications.some((policy) => policy.mode === 'STRICT' || policy.portLevelMtls.some((entry) => entry.mode === 'STRICT'))) return [];
    const mentioned = [...new Set(istio.peerAuthentications.flatMap((policy) => policy.portLevelMtls.map((entry) => entry.port)))].sort((a, b) => a - b);
    const cells = portCells(mentioned);
    const plaintext = this.context.newClassSet();
    for (const podClass of this.context.classes) if (this.identity(podClass) === undefined) plaintext.add(podClass.index);
    const groups = new Map<string, { policy: PeerAuthentication; path: readonly (string | number)[]; ports: ConnectionSet; subjects: BitSet }>();
    for (const podClass of this.context.classes) {
      const dataPlane = this.membership(podClass).dataPlane;
      if (dataPlane !== 'sidecar' && dataPlane !== 'ambient') continue;
      const byField = new Map<string, { policy: PeerAuthentication; path: readonly (string | number)[]; ports: ConnectionSet }>();
      for (const cell of cells) {
        const effective = resolveMtls(podClass.namespace, podClass.labels, cell.port, istio.peerAuthentications, istio.settings);
        if (effective.mode !== 'STRICT' || !effective.decidedBy || !effective.path) continue;
        const key = `${effective.decidedBy.namespace}/${effective.decidedBy.name}\u0000${formatPath(effective.path)}`;
        const entry = byField.get(key);
        if (entry) entry.ports = entry.ports.union(cell.ports);
        else byField.set(key, { policy: effective.decidedBy, path: effective.path, ports: cell.ports });
      }
      for (const [key, entry] of byField) {
        const groupKey = `${key}\u0000${entry.ports.toString()}`;
        let group = groups.get(groupKey);
        if (!group) groups.set(groupKey, (group = { ...entry, subjects: this.context.newClassSet() }));
        group.subjects.add(podClass.index);
      }
    }
    return [...groups.values()].map(({ policy, path, ports, subjects }) => {
      const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
        kind: 'PeerAuthentication', name: policy.name, namespace: policy.namespace, label: `${policy.namespace}/${policy.name}`,
        object: policy.source, stage: 'istio-peer-authentication', priority: 0, model: policy,
      };
      const rule: CompiledRule = {
        policy: compiled, direction: 'ingress', action: 'deny', matchesEveryPeer: false, classes: plaintext,
        addressRanges: EVERY_ADDRESS, podAddressMatch: 'never', entities: NO_TAGS, numericPorts: ports, namedPorts: [], restrictions: [], position: 0,
        source: {
          kind: 'PeerAuthentication', policyLabel: compiled.label, ruleLabel: `mtls STRICT (${formatPath(path.slice(1))})`, object: policy.source, path,
          actionName: 'STRICT', rank: 'Istio PeerAuthentication',
          describePeers: () => 'sources without an Istio proxy (plaintext) and addresses outside the cluster',
        },
        model: { peerAuthentication: policy, path },
      };
      compiled.ingress = { direction: 'ingress', subjects, isolates: false, rules: [rule] };
      return compiled;
    });
  }

  // -------------------------------------------------------------------------------------------
  // AuthorizationPolicy

  /** Compiles one AuthorizationPolicy: one compiled policy per group of destinations that read its ports alike. */
  compileAuthorizationPolicy(policy: AuthorizationPolicy): CompiledPolicy[] {
    if (policy.dryRun || policy.action === 'AUDIT' || policy.scope === 'targetRefs') return [];
    const settings = this.context.graph.istio.settings;
    const stage = policy.action === 'DENY' ? 'istio-deny' : policy.action === 'CUSTOM' ? 'istio-custom' : 'istio-allow';
    const rules = policy.rules ?? [];
    const httpSensitive = rules.some(usesHttpOnlyFields);
    // Destinations grouped by how their proxy reads each port, when a rule's meaning depends on it.
    const groups = new Map<string, { profile: ReadonlyMap<number, PortReading>; ztunnel: boolean; subjects: BitSet }>();
    for (const podClass of this.context.classes) {
      if (!policySelectsPod(policy, podClass.namespace, podClass.labels, settings)) continue;
      const enforcement = enforcementOf(this.membership(podClass));
      if (enforcement === 'none') continue;
      const ztunnel = enforcement === 'ztunnel';
      const profile = httpSensitive && !ztunnel ? this.readingProfile(podClass.pods[0]) : new Map<number, PortReading>();
      const key = `${ztunnel}\u0000${[...profile].map(([port, reading]) => `${port}:${reading}`).join(',')}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { profile, ztunnel, subjects: this.context.newClassSet() }));
      group.subjects.add(podClass.index);
    }
    return [...groups.values()].map((group) => {
      const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
        kind: 'AuthorizationPolicy', name: policy.name, namespace: policy.namespace, label: `${policy.namespace}/${policy.name}`,
        object: policy.source, stage, priority: 0, model: policy,
      };
      const compiledRules: CompiledRule[] = [];
      rules.forEach((rule, position) => compiledRules.push(...this.compileRule(compiled, policy, rule, position, group.profile, group.ztunnel)));
      if (policy.action === 'ALLOW') compiledRules.push(notProxiedRule(compiled, policy, rules.length, this.context.allClasses()));
      const side: PolicySide = { direction: 'ingress', subjects: group.subjects, isolates: policy.action === 'ALLOW', rules: compiledRules };
      compiled.ingress = side;
      return compiled;
    });
  }

  /** How the pod's proxy reads the container ports its Services declare a protocol for (others are sniffed). */
  private readingProfile(pod: Pod): Map<number, PortReading> {
    const profile = new Map<number, PortReading>();
    for (const service of this.context.graph.servicesInNamespace(pod.namespace)) {
      if (!service.selector || !Object.entries(service.selector).every(([key, value]) => pod.labels[key] === value)) continue;
      for (const port of service.ports) {
        if (port.protocol !== 'TCP') continue;
        const target = typeof port.targetPort === 'number' ? port.targetPort : pod.ports.find((candidate) => candidate.name === port.targetPort)?.containerPort;
        if (target === undefined || profile.has(target)) continue;
        const reading = portReading(this.context.graph, pod, target);
        if (reading !== 'detect') profile.set(target, reading);
      }
    }
    return new Map([...profile].sort((a, b) => a[0] - b[0]));
  }

  /**
   * One rule of the policy as rules of the common form: `matchRule` answers for each source cell
   * and port cell; answers alike are gathered into one rule (peers × ports) each.
   */
  private compileRule(compiled: CompiledPolicy, policy: AuthorizationPolicy, rule: AuthorizationRule, position: number, profile: ReadonlyMap<number, PortReading>, ztunnel: boolean): CompiledRule[] {
    const settings = this.context.graph.istio.settings;
    const mentionedPorts = new Set<number>(profile.keys());
    for (const operation of rule.to ?? []) for (const port of [...(operation.ports ?? []), ...(operation.notPorts ?? [])]) mentionedPorts.add(port);
    for (const condition of rule.when) {
      if (condition.key !== 'destination.port') continue;
      for (const value of [...(condition.values ?? []), ...(condition.notValues ?? [])]) {
        const port = Number(value);
        if (Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT) mentionedPorts.add(port);
      }
    }
    const cells = portCells([...mentionedPorts].sort((a, b) => a - b)).map((cell) => ({
      ...cell, reading: ztunnel ? 'tcp' as const : profile.get(cell.port) ?? 'detect' as const,
    }));
    const peerDependent = rule.from !== undefined || rule.when.some((condition) => condition.key.startsWith('source.') || condition.key === 'remote.ip');
    const sources = peerDependent ? this.sourceCells(rule) : [{} as SourceCell];
    // (restrictions key) → (peers key) → gathered peers and ports.
    const gathered = new Map<string, { restrictions: NamedRestriction[]; classes: PodClass[]; ranges: { family: IpFamily; range: AddressRange }[]; everyPeer: boolean; ports: ConnectionSet }>();
    for (const cell of cells) {
      const answers = new Map<string, { result: MatchResult; sources: SourceCell[] }>();
      for (const source of sources) {
        const request: MeshRequest = {
          ...(source.identity ? { identity: source.identity } : {}), ...(source.address ? { sourceAddress: source.address } : {}), port: cell.port, reading: cell.reading,
        };
        const result = matchRule(rule, policy.action, request, settings);
        if (result.matches === 'no') continue;
        const key = answerKey(result);
        const entry = answers.get(key);
        if (entry) entry.sources.push(source);
        else answers.set(key, { result, sources: [source] });
      }
      for (const [key, { result, sources: matched }] of answers) {
        const restrictions = restrictionsOf(result);
        const classes = matched.flatMap((source) => source.classes ?? []);
        const ranges = matched.flatMap((source) => (source.range ? [source.range] : []));
        const everyPeer = !peerDependent;
        const peersKey = `${key}\u0001${everyPeer ? '*' : `${classes.map((podClass) => podClass.index).join(',')}|${ranges.map((entry) => `${entry.family}:${entry.range.first}`).join(',')}`}`;
        const entry = gathered.get(peersKey);
        if (entry) entry.ports = entry.ports.union(cell.ports);
        else gathered.set(peersKey, { restrictions, classes, ranges, everyPeer, ports: cell.ports });
      }
    }
    // No source of the manifests matches the rule: it still decides for the sources it names
    // outside them (pods of other namespaces, other service accounts). Kept as a rule that
    // matches no class and no address, on the ports where the rest of it applies, so that the
    // answers are the same and explain still lists it.
    const matchesNoSource = peerDependent && gathered.size === 0;
    if (matchesNoSource) {
      const withoutSources: AuthorizationRule = { ...rule, from: undefined, when: rule.when.filter((condition) => !condition.key.startsWith('source.') && condition.key !== 'remote.ip') };
      for (const cell of cells) {
        const result = matchRule(withoutSources, policy.action, { port: cell.port, reading: cell.reading }, settings);
        if (result.matches === 'no') continue;
        const key = answerKey(result);
        const entry = gathered.get(key);
        if (entry) entry.ports = entry.ports.union(cell.ports);
        else gathered.set(key, { restrictions: restrictionsOf(result), classes: [], ranges: [], everyPeer: false, ports: cell.ports });
      }
    }
    const ruleLabel = formatPath(rule.path.slice(1));
    return [...gathered.values()].map((entry) => {
      let classes: BitSet;
      if (entry.everyPeer) {
        classes = this.context.allClasses();
      } else {
        classes = this.context.newClassSet();
        for (const podClass of entry.classes) classes.add(podClass.index);
      }
      const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
      for (const { family, range } of entry.ranges) ranges[family].push(range);
      const action: RuleAction = entry.restrictions.length > 0 && policy.action !== 'ALLOW' ? 'log'
        : policy.action === 'DENY' ? 'deny' : policy.action === 'CUSTOM' ? 'log' : 'allow';
      const restrictions = policy.action === 'CUSTOM'
        ? [{ layer: 'external authorizer', description: `decided by ${policy.provider ?? 'the external authorizer'}${entry.restrictions.length > 0 ? ` for ${entry.restrictions.map((restriction) => restriction.description).join(' and ')}` : ''}` }]
        : policy.action === 'DENY' && entry.restrictions.length > 0
          ? entry.restrictions.map((restriction) => ({ layer: restriction.layer, description: `denied ${restriction.description}` }))
          : entry.restrictions;
      return {
        policy: compiled, direction: 'ingress' as const, action, matchesEveryPeer: entry.everyPeer, classes,
        addressRanges: entry.everyPeer ? EVERY_ADDRESS : { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
        podAddressMatch: 'never' as const, entities: entry.everyPeer ? ANY_POD_TAGS : NO_TAGS,
        numericPorts: entry.ports, namedPorts: [], restrictions, position,
        source: {
          kind: 'AuthorizationPolicy', policyLabel: compiled.label, ruleLabel, object: policy.source, path: rule.path,
          actionName: policy.action, rank: `Istio ${policy.action}`,
          describePeers: () => `${describeSources(rule.from)}${matchesNoSource ? ' (no source in the manifests)' : ''}`,
        },
        model: rule,
      };
    });
  }

  /**
   * The sources a rule can tell apart: pod classes grouped by identity (and address, where the
   * rule names addresses), and the pieces its address fields cut the address space into, which
   * carry no identity (outside the cluster, plaintext).
   */
  private sourceCells(rule: AuthorizationRule): SourceCell[] {
    const cells: SourceCell[] = [];
    const byIdentity = new Map<string, { identity?: MeshIdentity; address?: { family: IpFamily; value: bigint }; classes: PodClass[] }>();
    // A pod whose address the manifests do not give is taken as outside every range the rule
    // names (pod networks are rarely what policies list; NCA reads them so too), and the answer
    // says so (istio-caveats.ts); where the ranges cover the whole family, any address would do.
    const outside = addressOutside(rule);
    for (const podClass of this.context.classes) {
      const identity = this.identity(podClass);
      const known = this.context.knownAddresses(podClass);
      const address = known.length > 0 && known.every((entry) => entry.family === known[0].family && entry.value === known[0].value) ? known[0]
        : known.length === 0 ? outside : undefined;
      const key = `${identity?.principal ?? ''}\u0000${address ? `${address.family}:${address.value}` : ''}`;
      const entry = byIdentity.get(key);
      if (entry) entry.classes.push(podClass);
      else byIdentity.set(key, { ...(identity ? { identity } : {}), ...(address ? { address } : {}), classes: [podClass] });
    }
    cells.push(...byIdentity.values());
    for (const family of [4, 6] as const) {
      for (const range of addressPieces(rule, family)) cells.push({ address: { family, value: range.first }, range: { family, range } });
    }
    return cells;
  }
}

/** The rule an ALLOW policy gets for what the mesh does not proxy: other protocols than TCP are not its to decide. */
function notProxiedRule(compiled: CompiledPolicy, policy: AuthorizationPolicy, position: number, everyClass: BitSet): CompiledRule {
  return {
    policy: compiled, direction: 'ingress', action: 'allow', matchesEveryPeer: true, classes: everyClass,
    addressRanges: EVERY_ADDRESS, podAddressMatch: 'never', entities: ANY_POD_TAGS, numericPorts: NOT_PROXIED, namedPorts: [], restrictions: [], position,
    source: {
      kind: 'AuthorizationPolicy', policyLabel: compiled.label, ruleLabel: 'traffic Istio does not proxy (protocols other than TCP), which passes its proxy', object: policy.source, path: ['spec'],
      actionName: 'ALLOW', rank: 'Istio ALLOW', describePeers: () => 'every source',
    },
    model: { notProxied: policy },
  };
}

/**
 * Cuts TCP ports into cells: each mentioned port alone, and the rest as one cell whose stand-in
 * is the lowest port not mentioned.
 */
function portCells(mentioned: readonly number[]): { ports: ConnectionSet; port: number }[] {
  const cells = mentioned.map((port) => ({ ports: ConnectionSet.ofPorts('TCP', port), port }));
  let rest = EVERY_TCP_PORT;
  for (const cell of cells) rest = rest.subtract(cell.ports);
  if (!rest.isEmpty()) cells.push({ ports: rest, port: rest.portRanges('TCP')[0][0] });
  return cells;
}

/**
 * The pieces a rule's address fields (ipBlocks, notIpBlocks, remoteIpBlocks, notRemoteIpBlocks,
 * `source.ip`/`remote.ip` conditions) cut an address family into; the whole family when it names none.
 */
function addressPieces(rule: AuthorizationRule, family: IpFamily): AddressRange[] {
  const last = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  const cuts = new Set<bigint>([0n]);
  const addRanges = (ranges: readonly AddressRange[]) => {
    for (const range of ranges) {
      cuts.add(range.first);
      if (range.last < last) cuts.add(range.last + 1n);
    }
  };
  for (const source of rule.from ?? []) {
    for (const list of [source.ipBlocks, source.notIpBlocks, source.remoteIpBlocks, source.notRemoteIpBlocks]) if (list) addRanges(list.ranges[family]);
  }
  for (const condition of rule.when) {
    if (condition.key !== 'source.ip' && condition.key !== 'remote.ip') continue;
    for (const value of [...(condition.values ?? []), ...(condition.notValues ?? [])]) addRanges(rangesOfText(value, family));
  }
  const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return starts.map((first, index) => ({ first, last: index + 1 < starts.length ? starts[index + 1] - 1n : last }));
}

/** An IPv4 address outside every range the rule names, or any address when they name none. */
function addressOutside(rule: AuthorizationRule): { family: IpFamily; value: bigint } | undefined {
  const named: AddressRange[] = [];
  for (const source of rule.from ?? []) {
    for (const list of [source.ipBlocks, source.notIpBlocks, source.remoteIpBlocks, source.notRemoteIpBlocks]) if (list) named.push(...list.ranges[4]);
  }
  for (const condition of rule.when) {
    if (condition.key !== 'source.ip' && condition.key !== 'remote.ip') continue;
    for (const value of [...(condition.values ?? []), ...(condition.notValues ?? [])]) named.push(...rangesOfText(value, 4));
  }
  const piece = addressPieces(rule, 4).find((candidate) => !named.some((range) => range.first <= candidate.first && candidate.first <= range.last));
  return piece ? { family: 4, value: piece.first } : undefined;
}

function rangesOfText(text: string, family: IpFamily): readonly AddressRange[] {
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    return 'error' in cidr || cidr.family !== family ? [] : [cidr.range];
  }
  const address = parseAddress(text);
  return address && address.family === family ? [{ first: address.value, last: address.value }] : [];
}

/** A key for answers alike: whether restricted, and by what. */
function answerKey(result: MatchResult): string {
  return result.matches === 'unknown' ? `?${result.unknowns.join('\u0000')}` : `+${result.restrictions.join('\u0000')}`;
}

/** The named restrictions of a match: above L4 (HTTP, JWT, TLS) or what the manifests do not show. */
function restrictionsOf(result: MatchResult): NamedRestriction[] {
  if (result.matches === 'unknown') return result.unknowns.map((what) => ({ layer: 'unknown', description: `depends on ${what}, which the manifests do not show` }));
  return result.restrictions.map((description) => ({ layer: /JWT/.test(description) ? 'JWT' : /connection\.sni/.test(description) ? 'TLS' : 'L7', description }));
}

/** Describes a rule's sources in the policy's words: `principals cluster.local/ns/a/sa/b`, `namespaces foo`. */
function describeSources(sources: readonly AuthorizationSource[] | undefined): string {
  if (sources === undefined) return 'every source';
  return sources.map((source) => {
    const parts: string[] = [];
    const say = (name: string, values: readonly string[] | undefined) => {
      if (values !== undefined) parts.push(`${name} ${values.join(', ')}`);
    };
    say('principals', source.principals);
    say('notPrincipals', source.notPrincipals);
    say('namespaces', source.namespaces);
    say('notNamespaces', source.notNamespaces);
    say('serviceAccounts', source.serviceAccounts);
    say('notServiceAccounts', source.notServiceAccounts);
    say('requestPrincipals', source.requestPrincipals);
    say('notRequestPrincipals', source.notRequestPrincipals);
    say('ipBlocks', source.ipBlocks?.entries);
    say('notIpBlocks', source.notIpBlocks?.entries);
    say('remoteIpBlocks', source.remoteIpBlocks?.entries);
    say('notRemoteIpBlocks', source.notRemoteIpBlocks?.entries);
    return parts.join(' + ') || 'any source';
  }).join(' or ');
}
