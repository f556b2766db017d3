/**
 * Compiles Cilium's policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) into the common
 * form. Each rule of a policy (`spec`, then each `specs` entry) is a policy of its own here, since
 * Cilium imports each with its own subject and default deny; the mapping of every field is in
 * docs/cilium.md (§2-§7). Host policies (`nodeSelector`) select nodes, which are no pod classes:
 * compileCiliumHostPolicies compiles them over the nodes the input knows, for the answers about a
 * node (`node:NAME`), when the host firewall is on.
 */
import { formatPath, type FieldPath } from '../../load/path.js';
import { parseAddress, subtractRanges, type AddressRange, type IpFamily } from '../../model/cidr.js';
import { manualEndpoints } from '../../model/service-endpoints.js';
import { fqdnText, type CiliumFqdnSelector, type CiliumPeerRule, type CiliumPolicy, type CiliumPortRule, type CiliumRule } from '../../model/cilium.js';
import { CILIUM_ENTITIES, type CiliumEntity, type CiliumPeerKind } from '../../model/cilium-entities.js';
import { POD_NAMESPACE_LABEL, SOURCE_K8S, matchesCiliumSelector, nodeIdentity, requiredNamespaces, reservedIdentity, type CiliumSelector, type ScopedSelector } from '../../model/cilium-labels.js';
import type { Labels } from '../../model/label-selector.js';
import type { Pod, Protocol } from '../../model/types.js';
import type { ResourceGraph } from '../../model/graph.js';
import { BitSet } from '../bitset.js';
import { ConnectionSet } from '../connection-set.js';
import { wholeSpace } from '../ip-ranges.js';
import type { CompiledPolicy, CompiledRule, Direction, NamedRestriction, PodClass, PolicySide, SubjectShortfall } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { sortRanges } from './ranges.js';

/** Where the layout places Cilium's rules. */
export interface CiliumPlacement {
  readonly stage: string;
}

/** The entity tags of Cilium's reserved identities that manifests have no object for (nodes and pods aside). */
const RESERVED_ENTITIES: readonly CiliumPeerKind[] = ['host', 'remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged', 'world'];

/** Tag of an entity peer for a node by name (`toNodes`, `node:NAME` endpoints). */
export function nodeTag(name: string): string {
  return `node:${name}`;
}

/** Tag of an entity peer for a domain name (`toFQDNs` matchName), lower-case with the trailing dot. */
export function fqdnTag(name: string): string {
  const lower = name.toLowerCase();
  return `fqdn:${lower.endsWith('.') ? lower : `${lower}.`}`;
}

/**
 * Returns true when a `toFQDNs` (or DNS rule) pattern matches a name, as Cilium's matchpattern
 * does (pkg/fqdn/matchpattern): a pattern of stars alone (`*`, `**`, `*.`) matches every name;
 * a leading `**.` one or more labels; any other run of `*` any characters within a label. Both
 * are compared lower-case with the trailing dot.
 */
export function fqdnPatternMatches(pattern: string, name: string): boolean {
  const lower = pattern.trim().toLowerCase();
  if (/^\*+\.?$/.test(lower)) return true;
  let expression = PATTERN_EXPRESSIONS.get(lower);
  if (!expression) PATTERN_EXPRESSIONS.set(lower, (expression = patternExpression(lower)));
  return expression.test(name.toLowerCase().endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`);
}

/** Compiled patterns: the same few patterns are matched against every name and every DNS rule. */
const PATTERN_EXPRESSIONS = new Map<string, RegExp>();

/** The anchored expression of a lower-case pattern that is not stars alone (matchpattern.ToAnchoredRegexp). */
function patternExpression(lower: string): RegExp {
  const normal = lower.endsWith('.') ? lower : `${lower}.`;
  const label = '[-a-z0-9_]';
  let source = '';
  let index = 0;
  const subdomains = /^\*{2,}\./.exec(normal);
  if (subdomains) {
    source = `${label}+(?:\\.${label}+)*\\.`;
    index = subdomains[0].length;
  }
  for (; index < normal.length; index++) {
    const character = normal[index];
    if (character === '*') {
      while (normal[index + 1] === '*') index++;
      source += `${label}*`;
    } else source += /[a-z0-9_-]/.test(character) ? character : `\\${character}`;
  }
  return new RegExp(`^${source}$`);
}

/**
 * The tags of the `toFQDNs` patterns among `rules` that match `name` (a `fqdn:NAME` endpoint is
 * matched by those rules as by a matchName equal to it).
 */
export function ciliumFqdnPatternTags(name: string, rules: readonly CompiledRule[]): string[] {
  const tags = new Set<string>();
  const consider = (tag: string) => {
    if (tag.startsWith('fqdn-pattern:') && fqdnPatternMatches(tag.slice('fqdn-pattern:'.length), name)) tags.add(tag);
  };
  for (const rule of rules) {
    for (const tag of rule.entities) consider(tag);
    // Patterns no subject can learn addresses for are no peers of their rule, but answers about their names carry the caveat.
    for (const restriction of rule.restrictions) for (const shortfall of restriction.shortfallsBySubject?.values() ?? []) shortfall.peerTags.forEach(consider);
  }
  return [...tags];
}

/** A node host policies may select: its name, and its labels when the input holds its Node. */
export interface HostPolicyNode {
  readonly name: string;
  readonly labels?: Labels;
}

/**
 * Compiles the host policies (`nodeSelector` rules) into `placement.stage`, each with the indexes
 * of `nodes` it selects as subjects (a node of unknown labels only by a selector without
 * requirements); nothing when the manifests do not show the host firewall on (`enable-host-firewall`
 * in cilium-config): Cilium enforces host policies only then.
 */
export function compileCiliumHostPolicies(context: CompileContext, placement: CiliumPlacement, nodes: readonly HostPolicyNode[]): CompiledPolicy[] {
  const config = context.graph.cilium.agentConfig;
  if (config.hostFirewall !== true) return [];
  const compiler = new CiliumCompiler(context, placement);
  const compiled = context.graph.cilium.policies.flatMap((policy) => policy.rules.flatMap((rule, index) => compiler.compileHost(policy, rule, index, nodes)));
  // enable-policy: always enforces policy on the host endpoint too, with the host firewall on: every node in default deny.
  if (config.enablePolicy === 'always' && config.statedIn) compiled.push(enforcementModePolicy(config, placement, BitSet.full(nodes.length)));
  return compiled;
}

/**
 * Where a hostNetwork pod stands to a host policy's node selector ("In each selected node, they
 * apply only to the host namespace, including host-networking pods", host.rst): `all` when every
 * node the manifests place it on is selected, `none` when none is (or it is placed on no node),
 * `some` when it may run on selected and unselected nodes or on a node whose labels the input
 * does not give (a selector without requirements selects those too).
 */
export function hostPolicyReach(graph: ResourceGraph, selector: CiliumSelector, pod: Pod): 'all' | 'none' | 'some' {
  const placement = pod.scheduling?.placement;
  const names = placement?.kind === 'node' ? [placement.node] : placement?.kind === 'nodes' ? placement.nodes : undefined;
  if (!names) return selector.requirements.length === 0 ? 'all' : 'some';
  let selected = 0;
  for (const name of names) {
    const node = graph.nodes.find((candidate) => candidate.name === name);
    if (node ? matchesCiliumSelector(selector, nodeIdentity(node.labels)) : selector.requirements.length === 0) selected++;
    else if (!node) return 'some';
  }
  return selected === 0 ? 'none' : selected === names.length ? 'all' : 'some';
}

/**
 * The host policies for hostNetwork pods (the host firewall on): a hostNetwork class is a subject
 * of a host rule when every node its pods run on is selected (classes are split by placement
 * for this, classSignature); classes placed on selected and unselected nodes are left out and
 * said (cilium-pending.ts).
 */
export function compileCiliumHostPoliciesForPods(context: CompileContext, placement: CiliumPlacement): CompiledPolicy[] {
  if (context.graph.cilium.agentConfig.hostFirewall !== true) return [];
  const hostClasses = context.classes.filter((podClass) => podClass.hostNetwork);
  if (hostClasses.length === 0) return [];
  const compiler = new CiliumCompiler(context, placement);
  return context.graph.cilium.policies.flatMap((policy) => policy.rules.flatMap((rule, index) => {
    if (rule.subject.kind !== 'nodes') return [];
    const subjects = context.newClassSet();
    for (const podClass of hostClasses) if (hostPolicyReach(context.graph, rule.subject.selector, podClass.pods[0]) === 'all') subjects.add(podClass.index);
    return subjects.first() === -1 ? [] : compiler.compileForSubjects(policy, rule, index, subjects);
  }));
}

/**
 * What `enable-policy: always` in cilium-config does: "policy enforcement is enabled on all
 * endpoints even if no rules select specific endpoints" (intro.rst), i.e. every endpoint (no
 * hostNetwork pod is one) is in default deny both ways. One policy without rules, citing the
 * ConfigMap; nothing for other modes.
 */
export function compileCiliumEnforcementMode(context: CompileContext, placement: CiliumPlacement): CompiledPolicy[] {
  const config = context.graph.cilium.agentConfig;
  if (config.enablePolicy !== 'always' || !config.statedIn) return [];
  const subjects = context.newClassSet();
  // The host endpoint (and so hostNetwork pods) is enforced only with the host firewall on
  // (repository.go: "if lbls.Has(labels.IDNameHost) && !option.Config.EnableHostFirewall").
  for (const podClass of context.classes) if (!podClass.hostNetwork || config.hostFirewall === true) subjects.add(podClass.index);
  return [enforcementModePolicy(config, placement, subjects)];
}

/** `enable-policy: always` as one policy without rules isolating `subjects` both ways, citing the ConfigMap. */
function enforcementModePolicy(config: CompileContext['graph']['cilium']['agentConfig'], placement: CiliumPlacement, subjects: BitSet): CompiledPolicy {
  const object = config.statedIn!;
  const policy: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    kind: 'ConfigMap',
    name: object.name ?? 'cilium-config',
    ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
    label: `${object.namespace ?? 'kube-system'}/${object.name ?? 'cilium-config'} (enable-policy: always)`,
    object,
    stage: placement.stage,
    priority: 0,
    model: config,
  };
  for (const direction of ['ingress', 'egress'] as const) policy[direction] = { direction, subjects, isolates: true, rules: [] };
  return policy;
}

/** Returns true when a host policy's node selector selects `node` (one of unknown labels only by a selector without requirements). */
export function hostSelectorMatches(selector: CiliumSelector, node: HostPolicyNode): boolean {
  return node.labels ? matchesCiliumSelector(selector, nodeIdentity(node.labels)) : selector.requirements.length === 0;
}

/** Compiles every endpoint rule of every Cilium policy of the graph into `placement.stage`. */
export function compileCiliumPolicies(context: CompileContext, placement: CiliumPlacement): CompiledPolicy[] {
  const compiler = new CiliumCompiler(context, placement);
  return context.graph.cilium.policies.flatMap((policy) => policy.rules.flatMap((rule, index) => compiler.compile(policy, rule, index)));
}

class CiliumCompiler {
  private readonly selectorCache = new Map<string, BitSet>();
  private readonly identityLabels = new Map<PodClass, ReturnType<CompileContext['graph']['cilium']['identityOf']>>();
  private classesByLabel: Map<string, Map<string, PodClass[]>> | undefined;
  private dnsRulesByClass: Map<number, CiliumFqdnSelector[]> | undefined;

  constructor(private readonly context: CompileContext, private readonly placement: CiliumPlacement) {}

  compile(policy: CiliumPolicy, rule: CiliumRule, index: number): CompiledPolicy[] {
    // Host policies select nodes, not endpoints: compileHost.
    if (rule.subject.kind !== 'endpoints') return [];
    return this.compileWithSubjects(policy, rule, index, this.classesSelectedBy(rule.subject.effective, false));
  }

  /** A host policy's rule over `nodes`: its subjects are the indexes of the nodes it selects. */
  compileHost(policy: CiliumPolicy, rule: CiliumRule, index: number, nodes: readonly HostPolicyNode[]): CompiledPolicy[] {
    if (rule.subject.kind !== 'nodes') return [];
    const subjects = new BitSet(nodes.length);
    const selector = rule.subject.selector;
    nodes.forEach((node, position) => {
      if (hostSelectorMatches(selector, node)) subjects.add(position);
    });
    return this.compileWithSubjects(policy, rule, index, subjects);
  }

  /** A host policy's rule over the hostNetwork classes `subjects` (their node's host namespace). */
  compileForSubjects(policy: CiliumPolicy, rule: CiliumRule, index: number, subjects: BitSet): CompiledPolicy[] {
    return this.compileWithSubjects(policy, rule, index, subjects);
  }

  private compileWithSubjects(policy: CiliumPolicy, rule: CiliumRule, index: number, subjects: BitSet): CompiledPolicy[] {
    const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
      kind: policy.kind,
      name: policy.rules.length > 1 ? `${policy.name} ${formatPath(rule.path)}` : policy.name,
      ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
      label: policy.label,
      object: policy.source,
      stage: this.placement.stage,
      priority: index,
      model: rule,
    };
    for (const direction of ['ingress', 'egress'] as const) {
      const allows = direction === 'ingress' ? rule.ingress : rule.egress;
      const denies = direction === 'ingress' ? rule.ingressDeny : rule.egressDeny;
      if (allows.length === 0 && denies.length === 0 && !rule.defaultDeny[direction]) continue;
      const rules: CompiledRule[] = [];
      const requires = [...allows, ...denies].flatMap((peerRule) => peerRule.peers.requires ?? []);
      // Endpoint subjects are pod classes whose DNS lookups the DNS proxy may see (toFQDNs); a host policy's are nodes.
      const endpointSubjects = rule.subject.kind === 'endpoints' ? subjects : undefined;
      for (const peerRule of [...denies, ...allows]) rules.push(...this.compilePeerRule(compiled, policy, peerRule, rules.length, requires.length > 0, endpointSubjects));
      const side: PolicySide = { direction, subjects, isolates: rule.defaultDeny[direction], rules };
      compiled[direction] = side;
    }
    return [compiled];
  }

  /** The classes of Cilium endpoints (no hostNetwork pod is one) whose identity `selector` matches. */
  private classesSelectedBy(selector: CiliumSelector, withHosts: boolean): BitSet {
    const key = `${withHosts}\u0000${JSON.stringify(selector.requirements)}`;
    let classes = this.selectorCache.get(key);
    if (!classes) {
      classes = this.context.newClassSet();
      // A namespaced policy's selectors name their namespace: only its classes can match; and a
      // label the selector requires (matchLabels) is held by few classes. Each candidate is matched in full.
      const namespaces = requiredNamespaces(selector);
      let candidates: readonly PodClass[] = namespaces ? namespaces.flatMap((namespace) => this.context.classesInNamespace(namespace)) : this.context.classes;
      const holding = this.classesHoldingRequiredLabel(selector);
      if (holding && holding.length < candidates.length) candidates = holding;
      for (const podClass of candidates) {
        if (podClass.hostNetwork) continue;
        if (matchesCiliumSelector(selector, this.identity(podClass))) classes.add(podClass.index);
      }
      this.selectorCache.set(key, classes);
    }
    return classes;
  }

  /**
   * The classes whose identity holds, in some source, the label of the selector's most selective
   * one-value `In` requirement (a `matchLabels` entry), or undefined when it has none. A class
   * without such a label cannot satisfy the requirement, whatever source it asks for.
   */
  private classesHoldingRequiredLabel(selector: CiliumSelector): readonly PodClass[] | undefined {
    let fewest: readonly PodClass[] | undefined;
    for (const requirement of selector.requirements) {
      if (requirement.operator !== 'In' || requirement.values.length !== 1) continue;
      const holding = this.labelIndex().get(requirement.key)?.get(requirement.values[0]) ?? [];
      if (fewest === undefined || holding.length < fewest.length) fewest = holding;
    }
    return fewest;
  }

  /**
   * What a toFQDNs rule cannot do for each subject class whose lookups of some of `fqdns` Cilium's
   * DNS proxy never sees. toFQDNs selects the addresses in DNS answers the proxy intercepted, and
   * the proxy intercepts an endpoint's lookups only on ports where a DNS rule (`toPorts[].rules.dns`)
   * of a policy selecting it applies, and learns only names those rules allow (docs/cilium.md,
   * toFQDNs). The agent pools what all its endpoints learnt (pkg/fqdn: "tracked per-endpoint but
   * collected globally"), so such a class may still reach addresses other pods on its node looked
   * up: not knowable from manifests.
   */
  private unlearntNames(policy: CiliumPolicy, peerRule: CiliumPeerRule, fqdns: readonly CiliumFqdnSelector[], subjects: BitSet): Map<number, SubjectShortfall> {
    const shortfalls = new Map<number, SubjectShortfall>();
    const where = `${policy.kind} ${policy.label} rule "${formatPath(peerRule.path.slice(1))}"`;
    for (const index of subjects.members()) {
      const lookupRules = this.dnsLookupRules().get(index) ?? [];
      const unlearnt = fqdns.filter((fqdn) => !lookupRules.some((lookup) => dnsRuleCovers(lookup, fqdn)));
      if (unlearnt.length === 0) continue;
      const parts = unlearnt.map(fqdnText);
      const names = parts.join(', ');
      const because = lookupRules.length === 0
        ? 'no DNS rule (toPorts[].rules.dns) of the policies selecting the pod sends its lookups through Cilium\'s DNS proxy'
        : `the DNS rules (toPorts[].rules.dns) of the policies selecting the pod do not allow looking up ${names}, so the DNS proxy refuses those lookups`;
      shortfalls.set(index, {
        parts,
        because,
        caveat: `${where} allows ${peerRule.direction} to toFQDNs ${names}, but ${because}: it learns no address for ${unlearnt.length === 1 ? 'that name' : 'these names'} `
          + 'from the pod\'s own lookups. The rule then allows only the addresses that lookups by other pods on the same node taught the agent, usually none, '
          + 'which manifests cannot show; add a DNS rule on port 53 towards the cluster DNS that allows these names.',
        peerTags: unlearnt.map((fqdn) => (fqdn.matchName !== undefined ? fqdnTag(fqdn.matchName) : `fqdn-pattern:${fqdn.matchPattern}`)),
      });
    }
    return shortfalls;
  }

  /** The DNS rules of the egress allow rules selecting each endpoint class, by class index; built on first use. */
  private dnsLookupRules(): Map<number, CiliumFqdnSelector[]> {
    if (!this.dnsRulesByClass) {
      this.dnsRulesByClass = new Map();
      for (const policy of this.context.graph.cilium.policies) {
        for (const rule of policy.rules) {
          if (rule.subject.kind !== 'endpoints') continue;
          const lookups = rule.egress.flatMap((peerRule) => peerRule.toPorts.flatMap((portRule) => (portRule.rules?.protocol === 'dns' ? portRule.rules.dns ?? [] : [])));
          if (lookups.length === 0) continue;
          for (const index of this.classesSelectedBy(rule.subject.effective, false).members()) {
            const known = this.dnsRulesByClass.get(index);
            if (known) known.push(...lookups);
            else this.dnsRulesByClass.set(index, [...lookups]);
          }
        }
      }
    }
    return this.dnsRulesByClass;
  }

  /** Every endpoint class (no hostNetwork one) by the keys and values of its identity's labels; built on first use. */
  private labelIndex(): Map<string, Map<string, PodClass[]>> {
    if (!this.classesByLabel) {
      this.classesByLabel = new Map();
      for (const podClass of this.context.classes) {
        if (podClass.hostNetwork) continue;
        for (const label of this.identity(podClass).labels) {
          let byValue = this.classesByLabel.get(label.key);
          if (!byValue) this.classesByLabel.set(label.key, (byValue = new Map()));
          let holders = byValue.get(label.value);
          if (!holders) byValue.set(label.value, (holders = []));
          // The same key and value from two sources: the class once.
          if (holders[holders.length - 1] !== podClass) holders.push(podClass);
        }
      }
    }
    return this.classesByLabel;
  }

  private identity(podClass: PodClass) {
    let identity = this.identityLabels.get(podClass);
    if (!identity) this.identityLabels.set(podClass, (identity = this.context.graph.cilium.identityOf(podClass.pods[0])));
    return identity;
  }

  /** One compiled rule per `toPorts` entry (each has its own L7 rules), or one for the ICMP or L3 rule. */
  private compilePeerRule(compiled: CompiledPolicy, policy: CiliumPolicy, peerRule: CiliumPeerRule, position: number, hasRequires: boolean, endpointSubjects: BitSet | undefined): CompiledRule[] {
    const peers = this.compilePeers(peerRule);
    const restrictions: NamedRestriction[] = [];
    const fqdns = peerRule.peers.fqdns ?? [];
    if (fqdns.length > 0) {
      const shortfallsBySubject = endpointSubjects ? this.unlearntNames(policy, peerRule, fqdns, endpointSubjects) : undefined;
      // A name none of the subjects can learn an address for is no peer of the rule: it allows
      // nothing towards it (the caveat says what other pods' lookups could change). Where some
      // subjects can, the name stays, and the others' answers carry the caveat.
      if (shortfallsBySubject && endpointSubjects && endpointSubjects.first() !== -1) {
        const members = [...endpointSubjects.members()];
        for (const fqdn of fqdns) {
          const tag = fqdn.matchName !== undefined ? fqdnTag(fqdn.matchName) : `fqdn-pattern:${fqdn.matchPattern}`;
          if (members.every((index) => shortfallsBySubject.get(index)?.peerTags.includes(tag))) peers.entities.delete(tag);
        }
      }
      restrictions.push({
        layer: 'FQDN',
        description: `toFQDNs ${fqdns.map(fqdnText).join(', ')}: the addresses DNS answers gave for them`,
        ...(shortfallsBySubject && shortfallsBySubject.size > 0 ? { shortfallsBySubject } : {}),
      });
    }
    if (peerRule.authentication?.mode === 'required') restrictions.push({ layer: 'identity', description: 'mutual authentication required' });
    if (hasRequires) {
      restrictions.push({ layer: 'L3', description: `${peerRule.direction === 'ingress' ? 'fromRequires' : 'toRequires'} of the same subject (removed in Cilium 1.19; not evaluated)` });
    }
    // test-always-fail: authentication always fails, so the rule allows nothing (it still isolates).
    const allowsNothing = peerRule.authentication?.mode === 'test-always-fail'
      // A rule with neither peers nor ports nor ICMP allows nothing (the docs' default-deny example).
      || (!peerRule.everyPeer && !peers.any);
    const entries: { ports: ConnectionSet; namedPorts: { name: string; protocol?: Protocol }[]; restrictions: NamedRestriction[]; path: FieldPath }[] = [];
    if (peerRule.toPorts.length > 0) {
      for (const portRule of peerRule.toPorts) entries.push({ ...compilePorts(portRule), restrictions: [...restrictions, ...portRestrictions(portRule)], path: portRule.path });
    } else if (peerRule.icmps.length > 0) {
      let ports = ConnectionSet.EMPTY;
      for (const icmp of peerRule.icmps) ports = ports.union(ConnectionSet.ofIcmp(icmp.family === 4 ? 'ICMP' : 'ICMPv6', icmp.type));
      entries.push({ ports, namedPorts: [], restrictions, path: peerRule.path });
    } else {
      entries.push({ ports: ConnectionSet.ALL, namedPorts: [], restrictions, path: peerRule.path });
    }
    // policy-cidr-match-mode: nodes — the CIDR selectors also select nodes and hostNetwork pods
    // (layer3.rst "Selecting nodes with CIDR / ipBlock"). The agent refuses a rule combining them
    // with another L3 selector, so the world entity's ranges never join them here.
    const nodeMatch = this.context.graph.cilium.agentConfig.cidrMatchNodes === true && !allowsNothing && hasRanges(peers.cidrRanges) && !peers.entities.has('world');
    if (nodeMatch) this.context.hostNetworkClassesInside(peers.cidrRanges).addInto(peers.classes);
    return entries.map((entry, offset) => ({
      policy: compiled,
      direction: peerRule.direction,
      action: peerRule.action,
      matchesEveryPeer: peerRule.everyPeer && !allowsNothing,
      // Every peer means every class too: the evaluator tests pod classes by the bitset alone.
      classes: allowsNothing ? this.context.noClasses() : peerRule.everyPeer ? this.context.allClasses() : peers.classes,
      addressRanges: allowsNothing ? { 4: [], 6: [] } : peers.ranges,
      podAddressMatch: nodeMatch ? 'nodes' : 'never',
      entities: allowsNothing ? new Set<string>() : peers.entities,
      numericPorts: allowsNothing ? ConnectionSet.EMPTY : entry.ports,
      namedPorts: allowsNothing ? [] : entry.namedPorts,
      restrictions: entry.restrictions,
      ...(peers.unmodelled.length > 0 ? { unmodelledPeers: peers.unmodelled.join(' and ') } : {}),
      ...(nodeRelative(peers.entities) ? { nodeRelativePeers: nodeRelative(peers.entities) } : {}),
      position: position + offset,
      source: {
        kind: policy.kind,
        policyLabel: policy.label,
        ruleLabel: formatPath(entry.path.slice(1)),
        object: policy.source,
        path: entry.path,
        actionName: peerRule.action === 'deny' ? 'Deny' : 'Allow',
        describePeers: () => describeCiliumPeers(peerRule),
      },
      model: peerRule,
    }));
  }

  /** The classes, address ranges and entity tags a peer rule's L3 fields match. */
  private compilePeers(peerRule: CiliumPeerRule): {
    classes: BitSet; ranges: Record<IpFamily, AddressRange[]>; cidrRanges: Record<IpFamily, AddressRange[]>; entities: Set<string>; unmodelled: string[]; any: boolean;
  } {
    const { context } = this;
    const classes = context.newClassSet();
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    const entities = new Set<string>();
    const unmodelled: string[] = [];
    const peers = peerRule.peers;
    let any = false;
    const addEntity = (entity: CiliumEntity) => {
      any = true;
      for (const kind of CILIUM_ENTITIES[entity].matches) {
        if (kind === 'pod') {
          // Every pod of the cluster; hostNetwork pods are their node's host or remote-node,
          // which `cluster` and `all` match as well.
          context.allClasses().addInto(classes);
        } else if (kind === 'world') {
          entities.add('world');
          ranges[4].push(wholeSpace(4));
          ranges[6].push(wholeSpace(6));
        } else {
          entities.add(kind);
        }
      }
      // `cluster` and `all` match every pod, hence a pod of unknown labels too.
      if (CILIUM_ENTITIES[entity].matches.includes('pod')) entities.add('any-pod');
    };
    for (const peer of peers.endpoints ?? []) {
      any = true;
      this.addSelectorPeer(peer, classes, entities, ranges);
    }
    for (const entry of peers.entities ?? []) addEntity(entry.entity);
    // The CIDR selectors' ranges on their own: under policy-cidr-match-mode nodes they select nodes too.
    const cidrRanges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    for (const cidr of peers.cidrs ?? []) {
      any = true;
      ranges[cidr.family].push(cidr.range);
      cidrRanges[cidr.family].push(cidr.range);
    }
    for (const set of peers.cidrSets ?? []) {
      any = true;
      const bases = set.cidr ? [set.cidr]
        : set.cidrGroupRef !== undefined ? (context.graph.cilium.cidrGroup(set.cidrGroupRef)?.cidrs ?? [])
          : set.cidrGroupSelector ? context.graph.cilium.cidrGroupsMatching(set.cidrGroupSelector).flatMap((group) => group.cidrs) : [];
      for (const base of bases) {
        const holes = set.except.filter((except) => except.family === base.family).map((except) => except.range);
        const pieces = subtractRanges(base.range, holes);
        ranges[base.family].push(...pieces);
        cidrRanges[base.family].push(...pieces);
      }
    }
    for (const service of peers.services ?? []) {
      any = true;
      for (const target of context.graph.services) {
        if (service.namespace !== undefined && service.namespace !== '' && target.namespace !== service.namespace) continue;
        // With a selector written, only the selector counts (rule_translate.go serviceMatches).
        if (service.selector) {
          const labels = ((target.source.value.metadata as Record<string, unknown> | undefined)?.labels ?? {}) as Labels;
          if (!matchesCiliumSelector(service.selector, nodeIdentity(labels))) continue;
        } else if (target.name !== service.name) continue;
        if (!target.selector) {
          // Its Endpoints' and EndpointSlices' addresses become CIDR rules, which select no pod (layer3.rst, "Services based").
          const endpoints = manualEndpoints(context.graph, target);
          if (endpoints.length === 0) unmodelled.push(`the endpoints of the selectorless Service ${target.namespace}/${target.name}`);
          for (const endpoint of endpoints) {
            const address = parseAddress(endpoint.address)!;
            ranges[address.family].push({ first: address.value, last: address.value });
            cidrRanges[address.family].push({ first: address.value, last: address.value });
          }
          continue;
        }
        for (const podClass of context.classesInNamespace(target.namespace)) {
          // The Service's selector is used as an endpoint selector in its namespace (layer3.rst, "Services based").
          const selector = target.selector;
          if (!podClass.hostNetwork && Object.keys(selector).every((key) => podClass.labels[key] === selector[key])) classes.add(podClass.index);
        }
      }
    }
    for (const fqdn of peers.fqdns ?? []) {
      any = true;
      if (fqdn.matchName !== undefined) entities.add(fqdnTag(fqdn.matchName));
      if (fqdn.matchPattern !== undefined) entities.add(`fqdn-pattern:${fqdn.matchPattern}`);
    }
    if ((peers.fqdns ?? []).length > 0) unmodelled.push(`the domain names ${(peers.fqdns ?? []).map(fqdnText).join(', ')}`);
    for (const node of peers.nodes ?? []) {
      any = true;
      for (const candidate of context.graph.nodes) if (matchesCiliumSelector(node.selector, nodeIdentity(candidate.labels))) entities.add(nodeTag(candidate.name));
    }
    if ((peers.groups ?? []).length > 0) {
      any = true;
      unmodelled.push(`cloud security groups (${(peers.groups ?? []).map((group) => group.provider).join(', ')})`);
    }
    // host and remote-node together are every node: every hostNetwork pod, wherever it runs.
    if (entities.has('host') && entities.has('remote-node')) {
      for (const podClass of context.classes) if (podClass.hostNetwork) classes.add(podClass.index);
    }
    return {
      classes, ranges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) }, cidrRanges: { 4: sortRanges(cidrRanges[4]), 6: sortRanges(cidrRanges[6]) },
      entities, unmodelled, any,
    };
  }

  /** An endpoint selector peer: pods by identity, and the reserved identities (entities) it matches. */
  private addSelectorPeer(peer: ScopedSelector, classes: BitSet, entities: Set<string>, ranges: Record<IpFamily, AddressRange[]>): void {
    this.classesSelectedBy(peer.effective, false).addInto(classes);
    // A selector on reserved labels (`reserved:host`), or one left as written, may match Cilium's
    // reserved identities: they are the entities.
    if (peer.scope !== 'reserved' && peer.scope !== 'as-written') return;
    for (const entity of RESERVED_ENTITIES) {
      if (!matchesCiliumSelector(peer.effective, reservedIdentity(entity))) continue;
      entities.add(entity);
      if (entity === 'world') {
        ranges[4].push(wholeSpace(4));
        ranges[6].push(wholeSpace(6));
      }
    }
  }
}

/** Returns true when `ranges` hold some address of either family. */
function hasRanges(ranges: Readonly<Record<IpFamily, readonly AddressRange[]>>): boolean {
  return ranges[4].length > 0 || ranges[6].length > 0;
}

/**
 * The node-relative entities a rule names, when they do not cover every node together: `host`
 * alone or `remote-node` alone decide a hostNetwork peer by where it runs.
 */
function nodeRelative(entities: ReadonlySet<string>): string | undefined {
  const host = entities.has('host');
  const remote = entities.has('remote-node');
  if (host === remote) return undefined;
  return host ? 'the host entity (the node the pod runs on)' : 'the remote-node entity (every other node)';
}

/** The connections a `toPorts` entry names: ports of TCP/UDP/SCTP (ANY), ranges, names, or every port when none is given. */
function compilePorts(portRule: CiliumPortRule): { ports: ConnectionSet; namedPorts: { name: string; protocol?: Protocol }[] } {
  if (portRule.ports.length === 0) return { ports: ConnectionSet.EVERY_PORT_PROTOCOL, namedPorts: [] };
  let ports = ConnectionSet.EMPTY;
  const namedPorts: { name: string; protocol?: Protocol }[] = [];
  for (const port of portRule.ports) {
    if (port.protocol === 'VRRP' || port.protocol === 'IGMP') {
      ports = ports.union(ConnectionSet.ofProtocolNumber(port.protocol === 'VRRP' ? 112 : 2));
      continue;
    }
    const protocols: Protocol[] = port.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [port.protocol];
    if (typeof port.port === 'string') {
      namedPorts.push({ name: port.port, ...(port.protocol === 'ANY' ? {} : { protocol: port.protocol }) });
      continue;
    }
    for (const protocol of protocols) {
      if (port.port === 0) ports = ports.union(ConnectionSet.ofProtocol(protocol));
      // endPort below port means port alone (the reader warns).
      else ports = ports.union(ConnectionSet.ofPorts(protocol, port.port, port.endPort !== undefined && port.endPort > port.port ? port.endPort : port.port));
    }
  }
  return { ports, namedPorts };
}

/**
 * Returns true when a DNS rule allows looking up some name a toFQDNs entry selects: the proxy
 * learns addresses only from lookups its DNS rules allow.
 */
function dnsRuleCovers(lookup: CiliumFqdnSelector, fqdn: CiliumFqdnSelector): boolean {
  if (fqdn.matchName !== undefined) {
    return lookup.matchName !== undefined ? lookup.matchName === fqdn.matchName : fqdnPatternMatches(lookup.matchPattern ?? '', fqdn.matchName);
  }
  if (lookup.matchName !== undefined) return fqdnPatternMatches(fqdn.matchPattern ?? '', lookup.matchName);
  return fqdnPatternsOverlap(fqdn.matchPattern ?? '', lookup.matchPattern ?? '');
}

/** One step of a pattern's automaton: a character, any label character, or an empty move. */
type PatternMove = { readonly on: string; readonly to: number } | { readonly on: 'label'; readonly to: number } | { readonly on: 'empty'; readonly to: number };

/**
 * The automaton of a `toFQDNs`/DNS pattern as Cilium's matchpattern reads it (fqdnPatternMatches):
 * states 0..n, accepting n; a run of `*` loops on label characters, a leading `**.` takes one or
 * more labels each followed by a dot.
 */
function patternAutomaton(pattern: string): PatternMove[][] {
  const lower = pattern.trim().toLowerCase();
  const normal = lower.endsWith('.') ? lower : `${lower}.`;
  const moves: PatternMove[][] = [[]];
  let state = 0;
  const add = (from: number, move: PatternMove) => {
    while (moves.length <= Math.max(from, move.to)) moves.push([]);
    moves[from].push(move);
  };
  let index = 0;
  const subdomains = /^\*{2,}\./.exec(normal);
  if (subdomains) {
    // state → label char → inLabel (loops) → '.' → afterDot; afterDot → label char → inLabel; afterDot is where the rest starts.
    add(0, { on: 'label', to: 1 });
    add(1, { on: 'label', to: 1 });
    add(1, { on: '.', to: 2 });
    add(2, { on: 'label', to: 1 });
    state = 2;
    index = subdomains[0].length;
  }
  for (; index < normal.length; index++) {
    if (normal[index] === '*') {
      while (normal[index + 1] === '*') index++;
      add(state, { on: 'label', to: state });
      add(state, { on: 'empty', to: state + 1 });
    } else add(state, { on: normal[index], to: state + 1 });
    state++;
  }
  while (moves.length <= state) moves.push([]);
  return moves;
}

/**
 * Returns true when two patterns match some name in common: a walk over the product of their
 * automata, on the characters they name plus one label character neither names (which stands
 * for every other one).
 */
export function fqdnPatternsOverlap(first: string, second: string): boolean {
  if (/^\*+\.?$/.test(first.trim()) || /^\*+\.?$/.test(second.trim())) return true;
  // Asked for every subject class of every toFQDNs rule against each of its DNS rules: the same few pairs.
  const key = `${first}\u0000${second}`;
  let overlap = PATTERN_OVERLAPS.get(key);
  if (overlap === undefined) PATTERN_OVERLAPS.set(key, (overlap = automataOverlap(first, second)));
  return overlap;
}

const PATTERN_OVERLAPS = new Map<string, boolean>();

/** The walk over the product of two patterns' automata that fqdnPatternsOverlap describes. */
function automataOverlap(first: string, second: string): boolean {
  const automata = [patternAutomaton(first), patternAutomaton(second)];
  const named = new Set<string>(['.']);
  for (const automaton of automata) for (const moves of automaton) for (const move of moves) if (move.on !== 'label' && move.on !== 'empty') named.add(move.on);
  const fresh = [...'abcdefghijklmnopqrstuvwxyz0123456789-_'].find((character) => !named.has(character));
  const alphabet = [...named, ...(fresh ? [fresh] : [])];
  const closure = (automaton: PatternMove[][], states: number[]) => {
    const reached = new Set(states);
    for (const state of reached) for (const move of automaton[state]) if (move.on === 'empty') reached.add(move.to);
    return [...reached];
  };
  const step = (automaton: PatternMove[][], states: readonly number[], character: string) => {
    const next = new Set<number>();
    for (const state of states) for (const move of automaton[state]) if (move.on === character || (move.on === 'label' && character !== '.')) next.add(move.to);
    return closure(automaton, [...next]);
  };
  const accepting = automata.map((automaton) => automaton.length - 1);
  const seen = new Set<string>();
  const queue: [number[], number[]][] = [[closure(automata[0], [0]), closure(automata[1], [0])]];
  while (queue.length > 0) {
    const [left, right] = queue.pop()!;
    const key = `${[...left].sort().join(',')}|${[...right].sort().join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (left.includes(accepting[0]) && right.includes(accepting[1])) return true;
    for (const character of alphabet) {
      const nextLeft = step(automata[0], left, character);
      const nextRight = step(automata[1], right, character);
      if (nextLeft.length > 0 && nextRight.length > 0) queue.push([nextLeft, nextRight]);
    }
  }
  return false;
}

/** What a `toPorts` entry decides above L4: its L7 rules, TLS server names, a listener. */
function portRestrictions(portRule: CiliumPortRule): NamedRestriction[] {
  const restrictions: NamedRestriction[] = [];
  if (portRule.rules) {
    const protocol = portRule.rules.protocol === 'l7proto' ? (portRule.rules.name ?? 'l7proto') : portRule.rules.protocol.toUpperCase();
    restrictions.push({ layer: 'L7', description: `${protocol} ${portRule.rules.summaries.join('; ')}` });
  }
  if (portRule.serverNames.length > 0) restrictions.push({ layer: 'TLS', description: `server names ${portRule.serverNames.join(', ')}` });
  if (portRule.listener) restrictions.push({ layer: 'proxy', description: `listener ${portRule.listener.name} of ${portRule.listener.envoyConfigKind} ${portRule.listener.envoyConfigName}` });
  return restrictions;
}

/** Describes a rule's peers the way its YAML reads: `toEndpoints k8s:app=web or toEntities world`. */
export function describeCiliumPeers(peerRule: CiliumPeerRule): string {
  const prefix = peerRule.direction === 'ingress' ? 'from' : 'to';
  const peers = peerRule.peers;
  const parts: string[] = [];
  for (const peer of peers.endpoints ?? []) parts.push(`${prefix}Endpoints ${peer.written.text}${endpointScopeText(peer)}`);
  if (peers.entities?.length) parts.push(`${prefix}Entities ${peers.entities.map((entry) => entry.entity).join(', ')}`);
  if (peers.cidrs?.length) parts.push(`${prefix}CIDR ${peers.cidrs.map((cidr) => cidr.text).join(', ')}`);
  for (const set of peers.cidrSets ?? []) {
    const base = set.cidr?.text ?? (set.cidrGroupRef !== undefined ? `cidrGroupRef ${set.cidrGroupRef}` : `cidrGroupSelector ${set.cidrGroupSelector?.text ?? ''}`);
    parts.push(`${prefix}CIDRSet ${base}${set.except.length > 0 ? ` except ${set.except.map((except) => except.text).join(', ')}` : ''}`);
  }
  for (const service of peers.services ?? []) parts.push(`toServices ${service.name ?? service.selector?.text ?? ''}${service.namespace ? ` in ${service.namespace}` : ''}`);
  if (peers.fqdns?.length) parts.push(`toFQDNs ${peers.fqdns.map(fqdnText).join(', ')}`);
  for (const node of peers.nodes ?? []) parts.push(`${prefix}Nodes ${node.selector.text}`);
  if (peers.groups?.length) parts.push(`${prefix}Groups`);
  if (parts.length === 0) return peerRule.everyPeer ? 'every peer' : 'no peer';
  return parts.join(' or ');
}

/**
 * Where an endpoint selector selects when it does not say (Cilium scopes it, see scopePeerSelector):
 * ` in namespace shop` in a namespaced policy, ` in every namespace` in a cluster-wide one; the same
 * `{}` reads `<all>` in both, and means the policy's namespace in the first.
 */
function endpointScopeText(peer: ScopedSelector): string {
  if (peer.scope === 'every-namespace') return ' in every namespace';
  if (peer.scope !== 'policy-namespace') return '';
  const namespace = peer.effective.requirements.find((requirement) => requirement.source === SOURCE_K8S && requirement.key === POD_NAMESPACE_LABEL && requirement.operator === 'In');
  return namespace ? ` in namespace ${namespace.values[0]}` : '';
}

/** The identity labels of a class (source `k8s`) as plain labels, for NetworkPolicy selectors under Cilium. */
export function identityLabelsOf(context: CompileContext, podClass: PodClass): Labels {
  // Asked for every NetworkPolicy rule and class: worked out once per class.
  let labels = identityLabelsByClass.get(podClass);
  if (!labels) {
    const identity = context.graph.cilium.identityOf(podClass.pods[0]);
    const collected: Record<string, string> = {};
    for (const label of identity.labels) if (label.source === 'k8s') collected[label.key] = label.value;
    identityLabelsByClass.set(podClass, (labels = collected));
  }
  return labels;
}

const identityLabelsByClass = new WeakMap<PodClass, Labels>();
