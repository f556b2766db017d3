import type { ManifestObject } from '../load/manifest-object.js';
import { formatPath, type FieldPath } from '../load/path.js';
import { identifyKind } from '../load/kinds.js';
import { CALICO_CRD_GROUP, CALICO_KIND_DEFINITIONS } from '../load/calico-kinds.js';
import { INPUT_RULES, type InputRule } from '../load/input-rules.js';
import type { SourceLocation } from '../finding.js';
import { parseAddress, parseCidr, type Cidr } from './cidr.js';
import type { Labels } from './label-selector.js';
import { parseCalicoSelector, printCalicoSelector, usesGlobal } from './calico-selector.js';
import {
  BUILT_IN_TIERS, CALICO_PROTOCOL_NUMBERS, DEFAULT_TIER, type CalicoAction, type CalicoApiGroup, type CalicoEndpointPort, type CalicoEntityRule,
  type CalicoHostEndpoint, type CalicoHttpMatch, type CalicoIcmpMatch, type CalicoNet, type CalicoNetworkSet, type CalicoObjects, type CalicoPolicy,
  type CalicoPolicyKind, type CalicoPort, type CalicoProfile, type CalicoProtocol, type CalicoRule, type CalicoSelectorField, type CalicoStagedAction,
  type CalicoStagedKubernetesPolicy, type CalicoTier, type CalicoWorkloadEndpoint,
} from './calico.js';

type Raw = Record<string, any>;

/** What the graph builder lends the Calico builder. */
export interface CalicoBuildContext {
  /** The object's namespace, or the default namespace when it names none. */
  namespaceOf(object: ManifestObject): string;
  /**
   * Reports a problem at `path` of `object`, under `rule`; `location` overrides the field's own
   * location (a column inside a selector).
   */
  report(rule: InputRule, object: ManifestObject, path: FieldPath, message: string, location?: SourceLocation): void;
  /** Returns the location of `[offset, offset + length)` inside the string value at `path`. */
  locateInString(object: ManifestObject, path: FieldPath, value: string, offset: number, length: number): SourceLocation;
}

/** A problem Calico's API server or validator rejects, or one worth a warning. */
interface Problem {
  readonly path: FieldPath;
  readonly message: string;
  readonly rule: InputRule;
  readonly location?: SourceLocation;
  /** A warning does not make Calico refuse the object. */
  readonly warning?: boolean;
}

// libcalico-go validator: resource names are DNS-1123 subdomains; a NetworkPolicy name is a
// DNS-1123 label, optionally `<label>.<label>` (the tier prefix), or the `knp.default.` /
// `ossg.default.` names of converted policies; a GlobalNetworkPolicy name likewise with at most one
// dot; a tier name is a label (it becomes part of policy names).
const NAME_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const NAME_SUBDOMAIN = `${NAME_LABEL}(\\.${NAME_LABEL})*`;
const NETWORK_POLICY_NAME = new RegExp(`^((${NAME_LABEL})(\\.${NAME_LABEL})?|((?:knp|ossg)\\.default\\.(${NAME_SUBDOMAIN})))$`);
const GLOBAL_NETWORK_POLICY_NAME = new RegExp(`^(${NAME_LABEL}\\.)?${NAME_LABEL}$`);
const TIER_NAME = new RegExp(`^${NAME_LABEL}$`);
const PROTOCOL_NAMES = Object.keys(CALICO_PROTOCOL_NUMBERS);
/** numorstring.Port named ports. */
const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** The protocols whose rules may name ports (numorstring.Protocol.SupportsPorts). */
const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);
const PERFORMANCE_HINTS: ReadonlySet<string> = new Set(['AssumeNeededOnEveryNode']);
/** The annotation under which crd.projectcalico.org objects keep the object's own metadata as JSON. */
const CALICO_METADATA_ANNOTATION = 'projectcalico.org/metadata';

/** The registry ids of the Calico kinds, in both of Calico's groups. */
export const CALICO_KIND_IDS: ReadonlySet<string> = new Set(CALICO_KIND_DEFINITIONS.map((definition) => definition.id));

/**
 * Reads Calico's objects (projectcalico.org/v3 and crd.projectcalico.org/v1) with Calico's
 * defaults. What Calico's API server or validator rejects (an unparsable selector, ports without a
 * TCP, UDP or SCTP protocol, ICMP fields without protocol ICMP, a bad CIDR, a policy name that
 * does not fit its kind) is reported at the field, and the object is left out, as the cluster
 * would never hold it.
 */
export function buildCalicoObjects(objects: readonly ManifestObject[], context: CalicoBuildContext): CalicoObjects {
  const policies: CalicoPolicy[] = [];
  const stagedPolicies: (CalicoPolicy | CalicoStagedKubernetesPolicy)[] = [];
  const declaredTiers: CalicoTier[] = [];
  const networkSets: CalicoNetworkSet[] = [];
  const hostEndpoints: CalicoHostEndpoint[] = [];
  const profiles: CalicoProfile[] = [];
  const workloadEndpoints: CalicoWorkloadEndpoint[] = [];
  for (const object of objects) {
    // By the kind registry: a Kubernetes NetworkPolicy, or a version Calico does not serve, is another kind.
    const identity = identifyKind(object.apiVersion, object.kind);
    if (identity.status !== 'modelled' || !CALICO_KIND_IDS.has(identity.definition.id)) continue;
    const reader = new CalicoReader(object, identity.definition.group as CalicoApiGroup, context);
    switch (object.kind) {
      case 'NetworkPolicy':
      case 'GlobalNetworkPolicy':
        reader.keep(reader.policy(object.kind), policies);
        break;
      case 'StagedNetworkPolicy':
      case 'StagedGlobalNetworkPolicy':
        reader.keep(reader.policy(object.kind), stagedPolicies);
        break;
      case 'StagedKubernetesNetworkPolicy':
        reader.keep(reader.stagedKubernetesPolicy(), stagedPolicies);
        break;
      case 'Tier': reader.keep(reader.tier(), declaredTiers); break;
      case 'NetworkSet':
      case 'GlobalNetworkSet':
        reader.keep(reader.networkSet(object.kind), networkSets);
        break;
      case 'HostEndpoint': reader.keep(reader.hostEndpoint(), hostEndpoints); break;
      case 'Profile': reader.keep(reader.profile(), profiles); break;
      case 'WorkloadEndpoint': reader.keep(reader.workloadEndpoint(), workloadEndpoints); break;
      default: break;
    }
  }
  const byIdentity = (a: { namespace?: string; name: string }, b: { namespace?: string; name: string }) =>
    compareText(`${a.namespace ?? ''}/${a.name}`, `${b.namespace ?? ''}/${b.name}`);
  return {
    policies: policies.sort(byIdentity),
    stagedPolicies: stagedPolicies.sort(byIdentity),
    tiers: withBuiltInTiers(declaredTiers),
    networkSets: networkSets.sort(byIdentity),
    hostEndpoints: hostEndpoints.sort(byIdentity),
    profiles: profiles.sort(byIdentity),
    workloadEndpoints: workloadEndpoints.sort(byIdentity),
  };
}

/**
 * The declared tiers plus the built-in ones the manifests do not declare, sorted as Felix sorts
 * tiers (`TierLess`): by order, a tier without an order after every ordered one, ties by name.
 */
function withBuiltInTiers(declared: readonly CalicoTier[]): CalicoTier[] {
  const names = new Set(declared.map((tier) => tier.name));
  const tiers = [...declared, ...BUILT_IN_TIERS.filter((tier) => !names.has(tier.name))];
  return tiers.sort(compareTiers);
}

/** Felix's tier order: lower `order` first, no order last, then by name. */
export function compareTiers(a: { readonly name: string; readonly order?: number }, b: { readonly name: string; readonly order?: number }): number {
  if (a.order === undefined && b.order !== undefined) return 1;
  if (a.order !== undefined && b.order === undefined) return -1;
  if (a.order === b.order) return compareText(a.name, b.name);
  return a.order! - b.order!;
}

/** Reads one Calico object, collecting what Calico would reject. */
class CalicoReader {
  private readonly problems: Problem[] = [];
  /** Set when the object breaks its schema: the loader reported that already, and Calico rejects the object. */
  private rejectedBySchema = false;
  private readonly spec: Raw;
  private readonly namespace: string | undefined;

  constructor(private readonly object: ManifestObject, private readonly group: CalicoApiGroup, private readonly context: CalicoBuildContext) {
    const spec = object.value.spec;
    // A wrongly typed spec was reported by the schema check; what is left is read as far as it makes sense.
    this.spec = isMapping(spec) ? spec : {};
    this.namespace = isNamespaced(object.kind) ? context.namespaceOf(object) : undefined;
  }

  /** Adds `value` to `list` unless Calico rejects the object; reports every problem either way. */
  keep<T>(value: T | undefined, list: T[]): void {
    const rejected = this.rejectedBySchema || this.problems.some((problem) => !problem.warning);
    const name = `${this.object.kind} ${this.namespace !== undefined ? `${this.namespace}/` : ''}${this.object.name}`;
    for (const problem of this.problems) {
      const consequence = problem.warning ? '' : `; Calico rejects this ${isPolicyKind(this.object.kind) ? 'policy' : 'object'}, so k8snet leaves it out`;
      this.context.report(problem.warning ? { ...problem.rule, severity: 'warning' } : problem.rule, this.object, problem.path,
        `${name}: ${problem.message}${consequence}.`, problem.location);
    }
    if (!rejected && value !== undefined) list.push(value);
  }

  private problem(path: FieldPath, message: string, rule: InputRule = INPUT_RULES.invalidValue): void {
    this.problems.push({ path, message, rule });
  }

  private warning(path: FieldPath, message: string): void {
    this.problems.push({ path, message, rule: INPUT_RULES.invalidValue, warning: true });
  }

  /** The labels of the object: for crd.projectcalico.org, the object's own labels kept in the metadata annotation when present. */
  private labels(): Labels {
    const metadata = isMapping(this.object.value.metadata) ? this.object.value.metadata : {};
    const stored = this.storedMetadata();
    return stringMap(stored && isMapping(stored.labels) ? stored.labels : metadata.labels);
  }

  /** The `projectcalico.org/metadata` annotation of a crd.projectcalico.org object, parsed. */
  private storedMetadata(): Raw | undefined {
    if (this.group !== CALICO_CRD_GROUP) return undefined;
    const annotations = (this.object.value.metadata as Raw | undefined)?.annotations;
    const text = isMapping(annotations) ? annotations[CALICO_METADATA_ANNOTATION] : undefined;
    if (typeof text !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      return isMapping(parsed) ? parsed : undefined;
    } catch {
      this.warning(['metadata', 'annotations', CALICO_METADATA_ANNOTATION], `annotation ${CALICO_METADATA_ANNOTATION} is not valid JSON; k8snet reads the object's own labels instead`);
      return undefined;
    }
  }

  policy(kind: CalicoPolicyKind): CalicoPolicy | undefined {
    const spec = this.spec;
    const isGlobal = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
    const tier = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : DEFAULT_TIER;
    const name = this.object.name;
    const policyName = this.policyNameOf(name, tier);
    this.checkPolicyName(policyName, tier, isGlobal);
    const selector = this.selector(spec.selector, ['spec', 'selector'], { allowGlobal: false });
    const serviceAccountSelector = this.selector(spec.serviceAccountSelector, ['spec', 'serviceAccountSelector'], { allowGlobal: false });
    const namespaceSelector = isGlobal ? this.selector(spec.namespaceSelector, ['spec', 'namespaceSelector'], { allowGlobal: false }) : undefined;
    const statedTypes: string[] = Array.isArray(spec.types) ? spec.types.filter((type: unknown): type is string => typeof type === 'string') : [];
    statedTypes.forEach((type, index) => {
      if (statedTypes.indexOf(type) !== index) this.problem(['spec', 'types', index], `'${type}' type specified more than once`);
    });
    const ingress = this.rules(spec.ingress, 'ingress', ['spec', 'ingress'], isGlobal);
    const egress = this.rules(spec.egress, 'egress', ['spec', 'egress'], isGlobal);
    const types = this.policyTypes(statedTypes, ingress.length, egress.length);
    const doNotTrack = isGlobal && spec.doNotTrack === true;
    const preDNAT = isGlobal && spec.preDNAT === true;
    const applyOnForward = isGlobal ? spec.applyOnForward === true : true;
    if (isGlobal) this.checkHostEndpointOptions(doNotTrack, preDNAT, applyOnForward, statedTypes, egress.length);
    const performanceHints: string[] = Array.isArray(spec.performanceHints) ? spec.performanceHints.filter((hint: unknown): hint is string => typeof hint === 'string') : [];
    performanceHints.forEach((hint, index) => {
      if (!PERFORMANCE_HINTS.has(hint)) this.problem(['spec', 'performanceHints', index], `performance hint '${hint}' is not one Calico knows (AssumeNeededOnEveryNode)`);
    });
    const staged = kind === 'StagedNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
    return {
      kind,
      apiGroup: this.group,
      name,
      policyName,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
      tier,
      ...(typeof spec.order === 'number' && Number.isFinite(spec.order) ? { order: spec.order } : {}),
      ...(selector ? { selector } : {}),
      ...(namespaceSelector ? { namespaceSelector } : {}),
      ...(serviceAccountSelector ? { serviceAccountSelector } : {}),
      types,
      ingress,
      egress,
      doNotTrack,
      preDNAT,
      applyOnForward,
      performanceHints,
      ...(staged ? { stagedAction: this.stagedAction() } : {}),
      source: this.object,
    };
  }

  /**
   * The name Calico knows the policy by: crd.projectcalico.org stores default-tier policies as
   * `default.<name>`; the object's own name is the one in its metadata annotation, or the stored
   * name less that prefix.
   */
  private policyNameOf(name: string, tier: string): string {
    if (this.group !== CALICO_CRD_GROUP) return name;
    const stored = this.storedMetadata();
    if (stored && typeof stored.name === 'string' && stored.name !== '') return stored.name;
    return tier === DEFAULT_TIER && name.startsWith(`${DEFAULT_TIER}.`) ? name.slice(DEFAULT_TIER.length + 1) : name;
  }

  private checkPolicyName(name: string, tier: string, isGlobal: boolean): void {
    if (name.length > 253) this.problem(['metadata', 'name'], `name is too long by ${name.length - 253} characters`);
    const pattern = isGlobal ? GLOBAL_NETWORK_POLICY_NAME : NETWORK_POLICY_NAME;
    if (!pattern.test(name)) {
      this.problem(['metadata', 'name'], `name '${name}' must be lower case letters, digits and '-', with at most one '.' (between a tier name and the policy name)${/[A-Z_]/.test(name) ? '; the Kubernetes API server refuses capitals and underscores in names too' : ''}`);
      return;
    }
    // Calico 3.29 and 3.30 required the names of policies of other tiers to start with the tier's
    // name; later releases dropped the rule (projectcalico/calico#11232).
    if (tier !== DEFAULT_TIER && !name.startsWith(`${tier}.`)) {
      this.warning(['metadata', 'name'], `name '${name}' does not start with its tier's name ('${tier}.'), which Calico 3.29 and 3.30 require (later releases accept it)`);
    }
  }

  private policyTypes(stated: readonly string[], ingressRules: number, egressRules: number): CalicoPolicy['types'] {
    if (stated.length > 0) return { ingress: stated.includes('Ingress'), egress: stated.includes('Egress'), stated: true };
    if (this.group === CALICO_CRD_GROUP) {
      // The API server and calicoctl default types before they store a policy; a CRD object
      // written directly skips that, and Felix reads a policy without types as applying to both
      // directions (calc.ExtractPolicyMetadata: "no Types means Ingress and Egress").
      this.warning(['spec'], 'spec.types is not set on this crd.projectcalico.org object: Calico stores policies with their types defaulted, and Felix applies a stored policy without types to both ingress and egress; k8snet does the same');
      return { ingress: true, egress: true, stated: false };
    }
    // projectcalico.org/v3 default: Egress when only egress rules are present, Ingress and Egress
    // when both are, Ingress otherwise (even with no rules at all).
    if (egressRules === 0) return { ingress: true, egress: false, stated: false };
    if (ingressRules === 0) return { ingress: false, egress: true, stated: false };
    return { ingress: true, egress: true, stated: false };
  }

  private checkHostEndpointOptions(doNotTrack: boolean, preDNAT: boolean, applyOnForward: boolean, types: readonly string[], egressRules: number): void {
    if (doNotTrack && preDNAT) this.problem(['spec', 'preDNAT'], 'preDNAT and doNotTrack cannot both be true');
    if (preDNAT && egressRules > 0) this.problem(['spec', 'egress'], 'a preDNAT policy cannot have egress rules');
    if (preDNAT && types.includes('Egress')) this.problem(['spec', 'types'], "a preDNAT policy cannot have the 'Egress' type");
    if (!applyOnForward && (doNotTrack || preDNAT)) this.problem(['spec', 'applyOnForward'], 'applyOnForward must be true when preDNAT or doNotTrack is true');
  }

  private stagedAction(): CalicoStagedAction {
    const action = this.spec.stagedAction;
    return action === 'Delete' || action === 'Learn' || action === 'Ignore' ? action : 'Set';
  }

  stagedKubernetesPolicy(): CalicoStagedKubernetesPolicy {
    return { kind: 'StagedKubernetesNetworkPolicy', name: this.object.name, namespace: this.namespace ?? this.context.namespaceOf(this.object), stagedAction: this.stagedAction(), source: this.object };
  }

  /**
   * Parses a selector field; an empty one is left unset (Calico reads it as `all()` where a
   * selector applies the policy, and as "no condition" in a rule). `global()` is refused outside
   * an entity rule's namespaceSelector, as libcalico-go's validator does (a text search, so even
   * `!global()` counts).
   */
  private selector(raw: unknown, path: FieldPath, options: { allowGlobal: boolean }): CalicoSelectorField | undefined {
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    const parsed = parseCalicoSelector(raw);
    if ('error' in parsed) {
      const location = this.context.locateInString(this.object, path, raw, parsed.error.offset, parsed.error.length);
      this.problems.push({
        path,
        rule: INPUT_RULES.calicoSelectorInvalid,
        location,
        message: `${formatPath(path)} ${JSON.stringify(raw)} does not parse at column ${parsed.error.offset + 1} of the selector: ${parsed.error.message}`,
      });
      return undefined;
    }
    if (!options.allowGlobal && raw.includes('global()')) {
      this.problems.push({ path, rule: INPUT_RULES.calicoSelectorInvalid, message: `${formatPath(path)} uses global(), which Calico allows only in a rule's namespaceSelector` });
    }
    return { ...parsed.selector, path };
  }

  private rules(raw: unknown, direction: 'ingress' | 'egress', path: FieldPath, isGlobal: boolean): CalicoRule[] {
    if (!Array.isArray(raw)) return [];
    return raw.map((rule: unknown, index) => this.rule(isMapping(rule) ? rule : {}, direction, index, [...path, index], isGlobal));
  }

  private rule(raw: Raw, direction: 'ingress' | 'egress', index: number, path: FieldPath, isGlobal: boolean): CalicoRule {
    const valid = ['Allow', 'Deny', 'Pass', 'Log'].includes(raw.action);
    // The schema check reported a missing or unknown action (policies with one never get here).
    if (!valid) this.rejectedBySchema = true;
    const action = (valid ? raw.action : 'Deny') as CalicoAction;
    const protocol = this.protocol(raw.protocol, [...path, 'protocol']);
    const notProtocol = this.protocol(raw.notProtocol, [...path, 'notProtocol']);
    const icmp = this.icmp(raw.icmp, [...path, 'icmp']);
    const notICMP = this.icmp(raw.notICMP, [...path, 'notICMP']);
    const ipVersion = raw.ipVersion === 4 || raw.ipVersion === 6 ? raw.ipVersion as 4 | 6 : undefined;
    const source = this.entityRule(raw.source, [...path, 'source']);
    const destination = this.entityRule(raw.destination, [...path, 'destination']);
    const http = this.http(raw.http, [...path, 'http']);
    // validateRule: ports need a protocol that has them.
    const portsAllowed = protocol !== undefined && PORT_PROTOCOLS.has(protocol.number);
    // A protocol written but refused was reported already: its ports are not judged again.
    const protocolRefused = protocol === undefined && raw.protocol !== undefined && raw.protocol !== null;
    for (const [entity, field] of [[source, 'source'], [destination, 'destination']] as const) {
      for (const [list, name] of [[entity.ports, 'ports'], [entity.notPorts, 'notPorts']] as const) {
        if (list.length > 0 && !portsAllowed && !protocolRefused) {
          this.problem([...path, field, name], `${field}.${name} needs protocol TCP, UDP or SCTP on the rule${protocol ? `, not ${protocol.text}` : ' (it has none)'}`);
        }
      }
    }
    if (http && protocol && protocol.number !== 6) this.problem([...path, 'protocol'], `a rule with http match criteria must have protocol TCP or none, not ${protocol.text}`);
    if (http && action !== 'Allow') this.problem([...path, 'http'], `http match criteria are only valid in Allow rules, not ${action}`);
    if (http && direction === 'egress') this.problem([...path, 'http'], 'http match criteria are not allowed in egress rules');
    const isIcmp = (candidate?: CalicoProtocol) => candidate !== undefined && (candidate.number === 1 || candidate.number === 58);
    if (icmp && !isIcmp(protocol)) this.problem([...path, 'icmp'], `icmp needs protocol ICMP or ICMPv6 on the rule${protocol ? `, not ${protocol.text}` : ' (it has none)'}`);
    if (notICMP && !isIcmp(protocol)) {
      // libcalico-go's validateRule checks icmp but not notICMP; say what is left to the data plane.
      this.warning([...path, 'notICMP'], `notICMP without protocol ICMP or ICMPv6 on the rule: Calico does not validate it, and how the data plane renders it is not documented`);
    }
    if (ipVersion !== undefined) {
      if ((protocol?.number === 1 || notProtocol?.number === 1) && ipVersion !== 4) this.problem([...path, 'ipVersion'], 'ipVersion must be 4 with protocol ICMP');
      if ((protocol?.number === 58 || notProtocol?.number === 58) && ipVersion !== 6) this.problem([...path, 'ipVersion'], 'ipVersion must be 6 with protocol ICMPv6');
    }
    this.checkRuleFamilies([source, destination], ipVersion, path);
    if (direction === 'egress' && source.services) this.problem(source.services.path, 'services is not allowed in the source of an egress rule');
    if (direction === 'ingress' && destination.services) this.problem(destination.services.path, 'services is not allowed in the destination of an ingress rule');
    if (isGlobal) {
      for (const entity of [source, destination]) {
        if (entity.services && entity.services.namespace === undefined) this.problem(entity.services.path, 'services needs a namespace in a GlobalNetworkPolicy');
      }
    }
    const annotations = stringMap(isMapping(raw.metadata) ? raw.metadata.annotations : undefined);
    return {
      action,
      ...(protocol ? { protocol } : {}),
      ...(notProtocol ? { notProtocol } : {}),
      ...(icmp ? { icmp } : {}),
      ...(notICMP ? { notICMP } : {}),
      ...(ipVersion ? { ipVersion } : {}),
      source,
      destination,
      ...(http ? { http } : {}),
      annotations,
      direction,
      index,
      path,
    };
  }

  /** validateRule: a rule's CIDRs are all of one family, and of the rule's ipVersion when it has one. */
  private checkRuleFamilies(entities: readonly CalicoEntityRule[], ipVersion: 4 | 6 | undefined, path: FieldPath): void {
    const families = new Set<number>();
    for (const entity of entities) {
      for (const net of [...entity.nets, ...entity.notNets]) {
        if (ipVersion !== undefined && net.cidr.family !== ipVersion) this.problem(net.path, `${net.text} is an IPv${net.cidr.family} CIDR in a rule with ipVersion ${ipVersion}`);
        families.add(net.cidr.family);
      }
    }
    if (families.size > 1) this.problem(path, 'the rule mixes IPv4 and IPv6 CIDRs; write one rule per family');
  }

  private protocol(raw: unknown, path: FieldPath): CalicoProtocol | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 1 && raw <= 255 ? { number: raw, text: String(raw), path } : undefined;
    if (typeof raw !== 'string') return undefined;
    if (/^\d+$/.test(raw)) {
      const number = Number(raw);
      if (number >= 1 && number <= 255) return { number, text: raw, path };
      this.problem(path, `protocol number ${raw} must be from 1 to 255`);
      return undefined;
    }
    if (Object.hasOwn(CALICO_PROTOCOL_NUMBERS, raw)) return { number: CALICO_PROTOCOL_NUMBERS[raw], text: raw, path };
    const spelled = PROTOCOL_NAMES.find((name) => name.toLowerCase() === raw.toLowerCase());
    this.problem(path, `protocol '${raw}' is not one Calico knows${spelled ? ` (names are case-sensitive: write ${spelled})` : ` (${PROTOCOL_NAMES.join(', ')}, or a number from 1 to 255)`}`);
    return undefined;
  }

  private icmp(raw: unknown, path: FieldPath): CalicoIcmpMatch | undefined {
    if (!isMapping(raw)) return undefined;
    const type = typeof raw.type === 'number' ? raw.type : undefined;
    const code = typeof raw.code === 'number' ? raw.code : undefined;
    if (code !== undefined && type === undefined) this.problem([...path, 'code'], 'an ICMP code needs an ICMP type');
    return { ...(type !== undefined ? { type } : {}), ...(code !== undefined ? { code } : {}), path };
  }

  private http(raw: unknown, path: FieldPath): CalicoHttpMatch | undefined {
    if (!isMapping(raw)) return undefined;
    const methods: string[] = Array.isArray(raw.methods) ? raw.methods.filter((method: unknown): method is string => typeof method === 'string') : [];
    methods.forEach((method, index) => {
      if (methods.indexOf(method) !== index) this.problem([...path, 'methods', index], `method ${method} is listed twice`);
    });
    const paths = (Array.isArray(raw.paths) ? raw.paths : []).map((entry: unknown, index: number) => {
      const match = isMapping(entry) ? entry : {};
      const exact = typeof match.exact === 'string' && match.exact !== '' ? match.exact : undefined;
      const prefix = typeof match.prefix === 'string' && match.prefix !== '' ? match.prefix : undefined;
      const at: FieldPath = [...path, 'paths', index];
      if (exact !== undefined && prefix !== undefined) this.problem(at, "a path match sets both 'exact' and 'prefix'");
      const value = exact ?? prefix;
      if (value === undefined) this.problem(at, "a path match needs 'exact' or 'prefix'");
      else if (!value.startsWith('/') || /[? #]/.test(value)) this.problem(at, `path ${value} must start with / and hold no ?, # or space`);
      return { ...(exact !== undefined ? { exact } : {}), ...(prefix !== undefined ? { prefix } : {}) };
    });
    return { methods, paths, path };
  }

  private entityRule(raw: unknown, path: FieldPath): CalicoEntityRule {
    const entity = isMapping(raw) ? raw : {};
    const nets = this.nets(entity.nets, [...path, 'nets']);
    const notNets = this.nets(entity.notNets, [...path, 'notNets']);
    const selector = this.selector(entity.selector, [...path, 'selector'], { allowGlobal: false });
    const notSelector = this.selector(entity.notSelector, [...path, 'notSelector'], { allowGlobal: false });
    const namespaceSelector = this.selector(entity.namespaceSelector, [...path, 'namespaceSelector'], { allowGlobal: true });
    if (namespaceSelector && usesGlobal(namespaceSelector.root) && printCalicoSelector(namespaceSelector.root) !== 'global()') {
      this.problems.push({ path: namespaceSelector.path, rule: INPUT_RULES.calicoSelectorInvalid, message: `${formatPath(namespaceSelector.path)} combines global() with other selectors, which Calico does not allow` });
    }
    const serviceAccounts = isMapping(entity.serviceAccounts) ? {
      names: (Array.isArray(entity.serviceAccounts.names) ? entity.serviceAccounts.names : []).filter((name: unknown): name is string => typeof name === 'string'),
      ...((): { selector?: CalicoSelectorField } => {
        const parsed = this.selector(entity.serviceAccounts.selector, [...path, 'serviceAccounts', 'selector'], { allowGlobal: false });
        return parsed ? { selector: parsed } : {};
      })(),
      path: [...path, 'serviceAccounts'],
    } : undefined;
    const services = isMapping(entity.services) ? {
      name: typeof entity.services.name === 'string' ? entity.services.name : '',
      ...(typeof entity.services.namespace === 'string' && entity.services.namespace !== '' ? { namespace: entity.services.namespace } : {}),
      path: [...path, 'services'],
    } : undefined;
    const ports = this.ports(entity.ports, [...path, 'ports']);
    const notPorts = this.ports(entity.notPorts, [...path, 'notPorts']);
    if (services) {
      // validateEntityRule: a service match stands alone but for ports of an ingress source.
      if (services.name === '') this.problem(services.path, 'services needs a name');
      if (namespaceSelector) this.problem(services.path, 'services cannot be combined with namespaceSelector');
      if (selector || notSelector) this.problem(services.path, 'services cannot be combined with selector or notSelector');
      if (serviceAccounts) this.problem(services.path, 'services cannot be combined with serviceAccounts');
      if (nets.length > 0 || notNets.length > 0) this.problem(services.path, 'services cannot be combined with nets or notNets');
      if (path[path.length - 1] === 'destination' && (ports.length > 0 || notPorts.length > 0)) {
        this.problem(services.path, 'a destination service brings its own ports: ports and notPorts cannot be set with it');
      }
    }
    return {
      nets,
      notNets,
      ...(selector ? { selector } : {}),
      ...(notSelector ? { notSelector } : {}),
      ...(namespaceSelector ? { namespaceSelector } : {}),
      ...(serviceAccounts ? { serviceAccounts } : {}),
      ...(services ? { services } : {}),
      ports,
      notPorts,
      path,
    };
  }

  private nets(raw: unknown, path: FieldPath): CalicoNet[] {
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((text: unknown, index): CalicoNet[] => {
      if (typeof text !== 'string') return [];
      const cidr = parseCalicoNet(text);
      if ('error' in cidr) {
        this.problem([...path, index], cidr.error, INPUT_RULES.invalidCidr);
        return [];
      }
      return [{ text, cidr, path: [...path, index] }];
    });
  }

  private ports(raw: unknown, path: FieldPath): CalicoPort[] {
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((entry: unknown, index): CalicoPort[] => {
      const at: FieldPath = [...path, index];
      const parsed = parseCalicoPort(entry);
      if ('error' in parsed) {
        this.problem(at, parsed.error, parsed.range ? INPUT_RULES.invalidPortRange : INPUT_RULES.invalidValue);
        return [];
      }
      if ('name' in parsed.port && /^\d+\s*-\s*\d+$/.test(parsed.port.name)) {
        // numorstring.Port takes it as a port name, which no endpoint has: it matches nothing.
        this.warning(at, `'${parsed.port.name}' is read as a port name, not a range (Calico writes ranges with a colon: '${parsed.port.name.replace(/\s*-\s*/, ':')}'); a Kubernetes port name needs a letter, so it matches no pod's port`);
      }
      return [{ ...parsed.port, path: at }];
    });
  }

  tier(): CalicoTier {
    const name = this.object.name;
    if (name.length > 63) this.problem(['metadata', 'name'], `tier name is too long by ${name.length - 63} characters`);
    if (!TIER_NAME.test(name)) this.problem(['metadata', 'name'], `tier name '${name}' must be lower case letters, digits and '-' (no '.')`);
    const order = typeof this.spec.order === 'number' && Number.isFinite(this.spec.order) ? this.spec.order : undefined;
    const defaultAction = this.spec.defaultAction === 'Pass' ? 'Pass' : 'Deny';
    const builtIn = BUILT_IN_TIERS.find((tier) => tier.name === name);
    if (builtIn && (order !== builtIn.order || defaultAction !== builtIn.defaultAction)) {
      // The built-in tiers' order and default action are fixed (the CRD's validation rules enforce them).
      this.warning(['spec'], `the ${name} tier is Calico's own, with order ${builtIn.order} and defaultAction ${builtIn.defaultAction}, which cannot be changed; k8snet uses those`);
      return { ...builtIn, source: this.object };
    }
    return { name, ...(order !== undefined ? { order } : {}), defaultAction, builtIn: false, source: this.object };
  }

  networkSet(kind: 'NetworkSet' | 'GlobalNetworkSet'): CalicoNetworkSet {
    const labels = this.labels();
    // The namespace label is Calico's own (it marks namespaced resources in Felix's model).
    if (Object.hasOwn(labels, 'projectcalico.org/namespace')) this.problem(['metadata', 'labels', 'projectcalico.org/namespace'], 'projectcalico.org/namespace is not a valid label name here');
    return {
      kind,
      name: this.object.name,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
      labels,
      nets: this.nets(this.spec.nets, ['spec', 'nets']),
      source: this.object,
    };
  }

  hostEndpoint(): CalicoHostEndpoint {
    const spec = this.spec;
    const interfaceName = typeof spec.interfaceName === 'string' && spec.interfaceName !== '' ? spec.interfaceName : undefined;
    const expectedIPs: string[] = (Array.isArray(spec.expectedIPs) ? spec.expectedIPs : []).filter((ip: unknown): ip is string => typeof ip === 'string');
    expectedIPs.forEach((ip, index) => {
      if (!parseAddress(ip)) this.problem(['spec', 'expectedIPs', index], `'${ip}' is not an IP address`);
    });
    if (!interfaceName && expectedIPs.length === 0) this.problem(['spec'], 'a HostEndpoint needs interfaceName or expectedIPs');
    const node = typeof spec.node === 'string' ? spec.node : '';
    if (node === '') this.problem(['spec', 'node'], 'a HostEndpoint needs the node it is on');
    return {
      name: this.object.name,
      node,
      ...(interfaceName ? { interfaceName } : {}),
      expectedIPs,
      labels: this.labels(),
      profiles: strings(spec.profiles),
      ports: this.endpointPorts(spec.ports, ['spec', 'ports']),
      source: this.object,
    };
  }

  profile(): CalicoProfile {
    return {
      name: this.object.name,
      labelsToApply: stringMap(this.spec.labelsToApply),
      ingress: this.rules(this.spec.ingress, 'ingress', ['spec', 'ingress'], true),
      egress: this.rules(this.spec.egress, 'egress', ['spec', 'egress'], true),
      source: this.object,
    };
  }

  workloadEndpoint(): CalicoWorkloadEndpoint {
    const spec = this.spec;
    const ipNetworks = this.nets(spec.ipNetworks, ['spec', 'ipNetworks']);
    for (const net of ipNetworks) {
      if (net.cidr.prefixLength !== (net.cidr.family === 4 ? 32 : 128)) this.problem(net.path, `${net.text} holds more than one address (a WorkloadEndpoint's ipNetworks are /32 or /128)`);
    }
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const pod = text(spec.pod);
    const node = text(spec.node);
    const orchestrator = text(spec.orchestrator);
    const serviceAccountName = text(spec.serviceAccountName);
    return {
      name: this.object.name,
      namespace: this.namespace ?? this.context.namespaceOf(this.object),
      ...(pod ? { pod } : {}),
      ...(node ? { node } : {}),
      ...(orchestrator ? { orchestrator } : {}),
      ...(serviceAccountName ? { serviceAccountName } : {}),
      labels: this.labels(),
      ipNetworks,
      profiles: strings(spec.profiles),
      ports: this.endpointPorts(spec.ports, ['spec', 'ports']),
      source: this.object,
    };
  }

  private endpointPorts(raw: unknown, path: FieldPath): CalicoEndpointPort[] {
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((entry: unknown, index): CalicoEndpointPort[] => {
      if (!isMapping(entry) || typeof entry.port !== 'number') return [];
      const protocol = this.protocol(entry.protocol ?? 'TCP', [...path, index, 'protocol']);
      if (!protocol) return [];
      if (!PORT_PROTOCOLS.has(protocol.number)) this.problem([...path, index, 'protocol'], `protocol ${protocol.text} has no ports`);
      const name = typeof entry.name === 'string' ? entry.name : '';
      if (name === '') this.problem([...path, index, 'name'], 'an endpoint port needs a name');
      return [{ name, port: entry.port, protocol }];
    });
  }
}

/** Parses an entry of `nets`: a CIDR, or an address standing for itself (cnet.ParseCIDROrIP). */
export function parseCalicoNet(text: string): Cidr | { error: string } {
  if (!text.includes('/')) {
    const address = parseAddress(text.trim());
    if (!address) return { error: `'${text}' is neither a CIDR nor an IP address` };
    return parseCidr(`${text.trim()}/${address.family === 4 ? 32 : 128}`);
  }
  return parseCidr(text);
}

/**
 * Parses a port entry as numorstring.Port reads it: an integer, a string of digits, a range
 * `from:to` (inclusive, from ≤ to), or a port name (letters, digits, `_`, `.`, `-`, up to 128);
 * numbers from 1 to 65535 (the validator refuses 0).
 */
export function parseCalicoPort(entry: unknown): { port: { from: number; to: number } | { name: string } } | { error: string; range?: boolean } {
  if (typeof entry === 'number') {
    if (!Number.isInteger(entry) || entry < 1 || entry > 65535) return { error: `port ${entry} must be from 1 to 65535` };
    return { port: { from: entry, to: entry } };
  }
  if (typeof entry !== 'string') return { error: `port ${JSON.stringify(entry)} must be a number, a range "from:to" or a name` };
  if (/^\d+$/.test(entry)) {
    const number = Number(entry);
    if (number < 1 || number > 65535) return { error: `port ${entry} must be from 1 to 65535` };
    return { port: { from: number, to: number } };
  }
  const range = /^(\d+):(\d+)$/.exec(entry);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > 65535 || to > 65535) return { error: `port range ${entry} goes beyond 65535`, range: true };
    if (from > to) return { error: `port range ${entry} starts above its end`, range: true };
    if (from < 1) return { error: `port range ${entry} must start at 1 or more`, range: true };
    return { port: { from, to } };
  }
  if (!PORT_NAME.test(entry)) {
    return { error: `port '${entry}' is neither a number, a range "from:to" nor a port name (letters, digits, '_', '.' and '-', at most 128)`, range: /^\d+\s*[-:]\s*\d+$/.test(entry) };
  }
  return { port: { name: entry } };
}

function isNamespaced(kind: string): boolean {
  return kind === 'NetworkPolicy' || kind === 'StagedNetworkPolicy' || kind === 'StagedKubernetesNetworkPolicy' || kind === 'NetworkSet' || kind === 'WorkloadEndpoint';
}

function isPolicyKind(kind: string): boolean {
  return kind.endsWith('NetworkPolicy');
}

function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Labels {
  if (!isMapping(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = String(entry);
  return result;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
