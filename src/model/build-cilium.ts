import type { ManifestObject } from '../load/manifest-object.js';
import { formatPath, type FieldPath } from '../load/path.js';
import { INPUT_RULES, type InputRule } from '../load/input-rules.js';
import { modelledKindOf } from '../load/kinds.js';
import { CILIUM_KIND_DEFINITIONS } from '../load/cilium-kinds.js';
import { parseAddress, parseCidr } from './cidr.js';
import { isCiliumEntity } from './cilium-entities.js';
import {
  DEFAULT_CLUSTER_NAME, namesInitIdentity, parseCiliumSelector, scopePeerSelector, scopeSubjectSelector, subjectNamespaceConflict,
  type CiliumLabel, type CiliumSelector,
} from './cilium-labels.js';
import {
  fqdnText, type CiliumAgentConfig, type CiliumAuthenticationMode, type CiliumCidr, type CiliumCidrGroup, type CiliumCidrRule, type CiliumClusterName,
  type CiliumEndpointPeer, type CiliumFqdnSelector, type CiliumIcmpType, type CiliumL7Rules, type CiliumObjects, type CiliumPeerRule, type CiliumPeers, type CiliumPolicy,
  type CiliumPolicyKind, type CiliumPort, type CiliumPortRule, type CiliumProtocol, type CiliumRule, type CiliumServicePeer, type CiliumSubject,
} from './cilium.js';

type Raw = Record<string, any>;

/** Who refuses a value: the API server (the CRD's schema) or the Cilium agent (`Rule.Sanitize`, decoding). */
type Refuser = 'api-server' | 'agent';

/** What the graph builder lends the Cilium builder. */
export interface CiliumBuildContext {
  /** The object's namespace, or the default namespace when it names none. */
  namespaceOf(object: ManifestObject): string;
  /** Reports a finding at `path` of `object` under `rule`. */
  report(rule: InputRule, object: ManifestObject, path: FieldPath, message: string): void;
  /** Objects of other kinds, where the `cilium-config` ConfigMap states the cluster name. */
  readonly otherObjects?: readonly ManifestObject[];
}

/** The ICMP type names Cilium accepts, per family (cilium/cilium `pkg/policy/api/icmp.go`). */
export const ICMP_TYPE_NAMES: Readonly<Record<4 | 6, Readonly<Record<string, number>>>> = {
  4: {
    EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, Echo: 8, EchoRequest: 8, RouterAdvertisement: 9, RouterSelection: 10,
    TimeExceeded: 11, ParameterProblem: 12, Timestamp: 13, TimestampReply: 14, Photuris: 40, ExtendedEchoRequest: 42, ExtendedEchoReply: 43,
  },
  6: {
    DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3, ParameterProblem: 4, EchoRequest: 128, EchoReply: 129,
    MulticastListenerQuery: 130, MulticastListenerReport: 131, MulticastListenerDone: 132, RouterSolicitation: 133, RouterAdvertisement: 134,
    NeighborSolicitation: 135, NeighborAdvertisement: 136, RedirectMessage: 137, RouterRenumbering: 138, ICMPNodeInformationQuery: 139,
    ICMPNodeInformationResponse: 140, InverseNeighborDiscoverySolicitation: 141, InverseNeighborDiscoveryAdvertisement: 142,
    HomeAgentAddressDiscoveryRequest: 144, HomeAgentAddressDiscoveryReply: 145, MobilePrefixSolicitation: 146, MobilePrefixAdvertisement: 147,
    DuplicateAddressRequestCodeSuffix: 157, DuplicateAddressConfirmationCodeSuffix: 158, ExtendedEchoRequest: 160, ExtendedEchoReply: 161,
  },
};

// CRD formats (ciliumnetworkpolicies.yaml): FQDN names and patterns, SNI values, CIDR group names.
const FQDN_NAME = /^([-a-zA-Z0-9_]+[.]?)+$/;
const FQDN_PATTERN = /^([-a-zA-Z0-9_*]+[.]?)+$/;
const SERVER_NAME = /^(\*?\*\.)?([-a-zA-Z0-9_]+\.?)+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// The agent reads a port as an IANA service name first (lower-cased), then as a number (strconv base 0).
const SERVICE_NAME = /^(?=.{1,15}$)(?!.*--)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The registry ids of the Cilium kinds. */
export const CILIUM_KIND_IDS: ReadonlySet<string> = new Set(CILIUM_KIND_DEFINITIONS.map((definition) => definition.id));

/**
 * Reads the Cilium objects of the manifests (the kinds of cilium-kinds.ts) with Cilium's defaults
 * applied. A policy the API server or the agent would refuse (a bad selector, CIDR, port, ICMP
 * type, an unsupported combination of fields) is reported at the field and left out: Cilium
 * imports no rule of a policy that fails (`CiliumNetworkPolicy.Parse`). Values Cilium accepts but
 * reads differently from what they seem to say are warnings, and the policy is kept.
 */
export function buildCiliumObjects(objects: readonly ManifestObject[], context: CiliumBuildContext): CiliumObjects {
  const policies: CiliumPolicy[] = [];
  const cidrGroups: CiliumCidrGroup[] = [];
  for (const object of objects) {
    // By the kind registry's id: a version cilium.io does not serve is another kind.
    const kind = modelledKindOf(object);
    if (kind === undefined || !CILIUM_KIND_IDS.has(kind)) continue;
    if (kind === 'CiliumCIDRGroup') {
      const group = readCidrGroup(object, context);
      if (group) cidrGroups.push(group);
    } else {
      const policy = new PolicyReader(object, context).read();
      if (policy) policies.push(policy);
    }
  }
  const byLabel = (a: { label: string }, b: { label: string }) => compareText(a.label, b.label);
  return {
    policies: policies.sort((a, b) => compareText(a.kind, b.kind) || byLabel(a, b)),
    cidrGroups: cidrGroups.sort((a, b) => compareText(a.name, b.name)),
    clusterName: clusterNameOf(context.otherObjects ?? []),
    agentConfig: agentConfigOf(context.otherObjects ?? []),
  };
}

/**
 * The policy settings of the `cilium-config` ConfigMap: `enable-host-firewall` ("true" enables
 * host policies; absent or anything else leaves Cilium's default, disabled), `enable-policy`
 * (`always`, `never`, else `default`), `allow-localhost`, `policy-cidr-match-mode` and `labels`.
 */
function agentConfigOf(objects: readonly ManifestObject[]): CiliumAgentConfig {
  for (const object of objects) {
    if (object.kind !== 'ConfigMap' || object.name !== 'cilium-config') continue;
    const data = (object.value.data ?? {}) as Raw;
    const mode = String(data['enable-policy'] ?? 'default').trim().toLowerCase();
    return {
      hostFirewall: String(data['enable-host-firewall'] ?? 'false').trim().toLowerCase() === 'true',
      enablePolicy: mode === 'always' || mode === 'never' ? mode : 'default',
      ...(typeof data['allow-localhost'] === 'string' ? { allowLocalhost: data['allow-localhost'].trim().toLowerCase() } : {}),
      // A list option (StringSlice): `nodes` among its comma- or space-separated values.
      ...(cidrMatchModes(data['policy-cidr-match-mode']).includes('nodes') ? { cidrMatchNodes: true } : {}),
      ...(typeof data.labels === 'string' && data.labels.trim() !== '' ? { identityLabels: data.labels.trim() } : {}),
      statedIn: object,
    };
  }
  return {};
}

/** The values of `policy-cidr-match-mode` (a string list: `nodes`, `"nodes"`, `[nodes]`), lower-cased. */
function cidrMatchModes(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value.replace(/[[\]"']/g, ' ').split(/[\s,]+/).map((mode) => mode.trim().toLowerCase()).filter((mode) => mode !== '');
}

/** The `cluster-name` of the `cilium-config` ConfigMap, or Cilium's default `default`. */
function clusterNameOf(objects: readonly ManifestObject[]): CiliumClusterName {
  for (const object of objects) {
    if (object.kind !== 'ConfigMap' || object.name !== 'cilium-config') continue;
    const name = (object.value.data as Raw | undefined)?.['cluster-name'];
    if (typeof name === 'string' && name !== '') return { name, statedIn: object };
  }
  return { name: DEFAULT_CLUSTER_NAME };
}

function readCidrGroup(object: ManifestObject, context: CiliumBuildContext): CiliumCidrGroup | undefined {
  const spec = isMapping(object.value.spec) ? object.value.spec : {};
  const cidrs: CiliumCidr[] = [];
  let refused = false;
  (Array.isArray(spec.externalCIDRs) ? spec.externalCIDRs : []).forEach((text: unknown, index: number) => {
    const parsed = parseCidr(String(text));
    if ('error' in parsed) {
      refused = true;
      context.report(INPUT_RULES.invalidCidr, object, ['spec', 'externalCIDRs', index],
        `CiliumCIDRGroup ${object.name}: ${parsed.error}; the API server rejects this object, so k8snet leaves it out.`);
    } else {
      cidrs.push({ text: parsed.text, family: parsed.family, range: parsed.range });
    }
  });
  if (refused) return undefined;
  const metadata = isMapping(object.value.metadata) ? object.value.metadata : {};
  const labels = isMapping(metadata.labels) ? Object.fromEntries(Object.entries(metadata.labels).map(([key, value]) => [key, String(value)])) : {};
  return { name: object.name, labels, cidrs, source: object };
}

/** Reads one policy, collecting what the API server or the agent would refuse. */
class PolicyReader {
  private readonly refusals: { path: FieldPath; message: string; by: Refuser; rule: InputRule }[] = [];
  private readonly warnings: { path: FieldPath; message: string }[] = [];
  private readonly kind: CiliumPolicyKind;
  private readonly namespace: string | undefined;
  private readonly label: string;

  constructor(private readonly object: ManifestObject, private readonly context: CiliumBuildContext) {
    this.kind = object.kind as CiliumPolicyKind;
    this.namespace = this.kind === 'CiliumNetworkPolicy' ? context.namespaceOf(object) : undefined;
    this.label = this.namespace === undefined ? object.name : `${this.namespace}/${object.name}`;
  }

  read(): CiliumPolicy | undefined {
    const value = this.object.value;
    const rules: CiliumRule[] = [];
    const spec = value.spec;
    const specs = value.specs;
    if (!isMapping(spec) && !Array.isArray(specs)) {
      this.refuse([], 'it has neither spec nor specs (an empty policy)', 'agent');
    }
    if (isMapping(spec)) rules.push(...this.rule(spec, ['spec']));
    if (Array.isArray(specs)) {
      specs.forEach((entry: unknown, index: number) => {
        if (isMapping(entry)) rules.push(...this.rule(entry, ['specs', index]));
      });
    }
    for (const warning of this.warnings) {
      this.context.report({ ...INPUT_RULES.invalidValue, severity: 'warning' }, this.object, warning.path, `${this.kind} ${this.label}: ${warning.message}.`);
    }
    for (const refusal of this.refusals) {
      const who = refusal.by === 'agent'
        ? 'the Cilium agent refuses to import this policy, so k8snet leaves it out'
        : 'the API server rejects this policy, so k8snet leaves it out';
      this.context.report(refusal.rule, this.object, refusal.path, `${this.kind} ${this.label}: ${refusal.message}; ${who}.`);
    }
    if (this.refusals.length > 0) return undefined;
    return { kind: this.kind, name: this.object.name, ...(this.namespace !== undefined ? { namespace: this.namespace } : {}), label: this.label, rules, source: this.object };
  }

  private refuse(path: FieldPath, message: string, by: Refuser, rule: InputRule = INPUT_RULES.invalidValue): void {
    this.refusals.push({ path, message, by, rule });
  }

  private warn(path: FieldPath, message: string): void {
    this.warnings.push({ path, message });
  }

  private selector(raw: unknown, path: FieldPath): CiliumSelector | undefined {
    const parsed = parseCiliumSelector(raw);
    for (const problem of parsed.problems) {
      this.refuse([...path, ...problem.path], `${formatPath(path)}: ${problem.message}`, 'api-server', INPUT_RULES.invalidSelector);
    }
    return parsed.selector;
  }

  /** One rule (`spec` or `specs[i]`); none when its subject cannot be read (the refusal is recorded). */
  private rule(raw: Raw, path: FieldPath): CiliumRule[] {
    const hasEndpointSelector = raw.endpointSelector != null;
    const hasNodeSelector = raw.nodeSelector != null;
    if (hasEndpointSelector === hasNodeSelector) {
      this.refuse(path, hasEndpointSelector
        ? `${formatPath(path)} has both endpointSelector and nodeSelector; a rule selects pods or nodes, not both`
        : `${formatPath(path)} has neither endpointSelector nor nodeSelector (write endpointSelector: {} to select every pod${this.namespace !== undefined ? ' of the namespace' : ''})`, 'api-server');
      return [];
    }
    // The CRD requires at least one of the four sections (an empty list counts).
    const sections = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
    if (!sections.some((section) => raw[section] != null)) {
      this.refuse(path, `${formatPath(path)} has none of ingress, ingressDeny, egress, egressDeny`, 'api-server');
    }
    let subject: CiliumSubject | undefined;
    if (hasEndpointSelector) {
      const written = this.selector(raw.endpointSelector, [...path, 'endpointSelector']);
      if (written) {
        const effective = this.namespace !== undefined ? scopeSubjectSelector(written, this.namespace) : written;
        subject = { kind: 'endpoints', written, effective, path: [...path, 'endpointSelector'] };
        const conflict = this.namespace !== undefined ? subjectNamespaceConflict(written, this.namespace) : undefined;
        if (conflict) {
          this.warn([...path, 'endpointSelector'], conflict.overridden
            ? `endpointSelector names namespace ${conflict.namespaces.join(', ')}, but a CiliumNetworkPolicy always selects pods of its own namespace (${this.namespace}): Cilium replaces the namespace`
            : `endpointSelector names namespace ${conflict.namespaces.join(', ')}, but a CiliumNetworkPolicy only selects pods of its own namespace (${this.namespace}), so it selects nothing`);
        }
      }
    } else {
      if (this.kind === 'CiliumNetworkPolicy') {
        this.refuse([...path, 'nodeSelector'], 'a CiliumNetworkPolicy cannot have a nodeSelector; host policies are CiliumClusterwideNetworkPolicies', 'agent');
      }
      const selector = this.selector(raw.nodeSelector, [...path, 'nodeSelector']);
      if (selector) subject = { kind: 'nodes', selector, path: [...path, 'nodeSelector'] };
    }
    const subjectMatchesInit = subject?.kind === 'endpoints' && namesInitIdentity(subject.written);
    const hostPolicy = subject?.kind === 'nodes';
    const peerRules = (section: typeof sections[number]): CiliumPeerRule[] => (Array.isArray(raw[section]) ? raw[section] : [])
      .map((entry: unknown, index: number) => this.peerRule(isMapping(entry) ? entry : {}, [...path, section, index], section, subjectMatchesInit, hostPolicy));
    const ingress = peerRules('ingress');
    const ingressDeny = peerRules('ingressDeny');
    const egress = peerRules('egress');
    const egressDeny = peerRules('egressDeny');
    const stated = isMapping(raw.enableDefaultDeny) ? raw.enableDefaultDeny : {};
    const defaultDenyStated = { ingress: typeof stated.ingress === 'boolean', egress: typeof stated.egress === 'boolean' };
    // Rule.Sanitize: unless stated, a direction is default-deny when the rule has rules there.
    const defaultDeny = {
      ingress: defaultDenyStated.ingress ? stated.ingress as boolean : ingress.length > 0 || ingressDeny.length > 0,
      egress: defaultDenyStated.egress ? stated.egress as boolean : egress.length > 0 || egressDeny.length > 0,
    };
    const labels: CiliumLabel[] = (Array.isArray(raw.labels) ? raw.labels : []).filter(isMapping)
      .map((label: Raw) => ({ source: typeof label.source === 'string' ? label.source : 'unspec', key: String(label.key ?? ''), value: typeof label.value === 'string' ? label.value : '' }));
    if (!subject) return [];
    return [{
      subject, ingress, ingressDeny, egress, egressDeny, defaultDeny, defaultDenyStated, labels,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      path,
    }];
  }

  private peerRule(raw: Raw, path: FieldPath, section: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', subjectMatchesInit: boolean, hostPolicy: boolean): CiliumPeerRule {
    const direction = section.startsWith('ingress') ? 'ingress' : 'egress';
    const action = section.endsWith('Deny') ? 'deny' : 'allow';
    // Fields the deny rule types do not have: kubectl's strict field validation refuses them.
    const absentFromDeny = direction === 'ingress' ? ['authentication'] : ['toFQDNs', 'authentication'];
    if (action === 'deny') {
      for (const field of absentFromDeny) {
        if (raw[field] != null) this.refuse([...path, field], `${section} rules have no ${field} (it is an allow-rule field)`, 'api-server');
      }
    }
    const peers = this.peers(raw, path, direction, action, subjectMatchesInit);
    const toPorts = (Array.isArray(raw.toPorts) ? raw.toPorts : [])
      .map((entry: unknown, index: number) => this.portRule(isMapping(entry) ? entry : {}, [...path, 'toPorts', index], section, hostPolicy));
    const icmps = this.icmps(raw.icmps, [...path, 'icmps']);
    if (Array.isArray(raw.icmps) && raw.icmps.length > 0 && Array.isArray(raw.toPorts) && raw.toPorts.length > 0) {
      this.refuse([...path, 'icmps'], 'icmps and toPorts cannot be in the same rule (write a separate rule for each)', 'agent');
    }
    // toServices with toPorts is accepted since Cilium 1.17 (l3DependentL4Support; 1.16 and older
    // refused it, cilium/cilium#20067): the ports restrict the Service's endpoints as for any peer.
    const hasPeer = ['endpoints', 'entities', 'cidrs', 'cidrSets', 'services', 'fqdns', 'nodes', 'groups']
      .some((field) => ((peers as Record<string, readonly unknown[] | undefined>)[field]?.length ?? 0) > 0);
    // An explicit `fromEndpoints: []` selects nothing; a missing one is every peer when ports or ICMP are given.
    const everyPeer = !hasPeer && peers.endpoints === undefined && (toPorts.length > 0 || (Array.isArray(raw.icmps) && raw.icmps.length > 0));
    const authentication = isMapping(raw.authentication) && typeof raw.authentication.mode === 'string'
      ? { mode: raw.authentication.mode as CiliumAuthenticationMode, path: [...path, 'authentication', 'mode'] } : undefined;
    return { direction, action, peers, everyPeer, toPorts, icmps, ...(authentication ? { authentication } : {}), path };
  }

  private peers(raw: Raw, path: FieldPath, direction: 'ingress' | 'egress', action: 'allow' | 'deny', subjectMatchesInit: boolean): CiliumPeers {
    const prefix = direction === 'ingress' ? 'from' : 'to';
    const field = (name: string) => `${prefix}${name}`;
    const list = (name: string): unknown[] | undefined => (Array.isArray(raw[field(name)]) ? raw[field(name)] : undefined);
    const peers: { -readonly [K in keyof CiliumPeers]: CiliumPeers[K] } = {};
    const endpointPeers = (name: string, isRequirement: boolean): CiliumEndpointPeer[] | undefined => {
      const entries = list(name);
      if (!entries) return undefined;
      return entries.flatMap((entry, index) => {
        const entryPath: FieldPath = [...path, field(name), index];
        const written = this.selector(entry, entryPath);
        return written ? [{ ...scopePeerSelector(written, this.namespace, subjectMatchesInit, isRequirement), path: entryPath }] : [];
      });
    };
    const endpoints = endpointPeers('Endpoints', false);
    if (endpoints) peers.endpoints = endpoints;
    const requires = endpointPeers('Requires', true);
    if (requires && requires.length > 0) {
      peers.requires = requires;
      this.warn([...path, field('Requires')], `${field('Requires')} is deprecated since Cilium 1.17 and removed in 1.19, whose CRD accepts no entries (the API server of a 1.19 cluster rejects this policy); k8snet reads it as Cilium 1.18 did: every ${direction} peer of the selected endpoints must also match it`);
    }
    const entities = list('Entities');
    if (entities) {
      peers.entities = entities.flatMap((name, index) => (typeof name === 'string' && isCiliumEntity(name) ? [{ entity: name, path: [...path, field('Entities'), index] }] : []));
    }
    const cidrs = list('CIDR');
    if (cidrs) {
      peers.cidrs = cidrs.flatMap((text, index) => {
        const cidrPath: FieldPath = [...path, field('CIDR'), index];
        const cidr = this.cidr(String(text), cidrPath, true);
        return cidr ? [{ ...cidr, path: cidrPath }] : [];
      });
    }
    const cidrSets = list('CIDRSet');
    if (cidrSets) peers.cidrSets = cidrSets.flatMap((entry, index) => this.cidrRule(isMapping(entry) ? entry : {}, [...path, field('CIDRSet'), index]));
    if (direction === 'egress') {
      const services = list('Services');
      if (services) peers.services = services.map((entry, index) => this.service(isMapping(entry) ? entry : {}, [...path, 'toServices', index]));
      const fqdns = action === 'allow' ? list('FQDNs') : undefined;
      if (fqdns) peers.fqdns = fqdns.flatMap((entry, index) => this.fqdn(isMapping(entry) ? entry : {}, [...path, 'toFQDNs', index], 'toFQDNs'));
    }
    const nodes = list('Nodes');
    if (nodes) {
      peers.nodes = nodes.flatMap((entry, index) => {
        const nodePath: FieldPath = [...path, field('Nodes'), index];
        const selector = this.selector(entry, nodePath);
        return selector ? [{ selector, path: nodePath }] : [];
      });
      if (nodes.length > 0) {
        this.warn([...path, field('Nodes')], `${field('Nodes')} selects nodes only where Cilium runs with enable-node-selector-labels (Helm nodeSelectorLabels: true); elsewhere the agent refuses the policy`);
      }
    }
    const groups = list('Groups');
    if (groups) {
      peers.groups = groups.map((entry, index) => ({
        provider: isMapping(entry) ? Object.keys(entry).join(', ') || 'none' : 'none',
        path: [...path, field('Groups'), index],
      }));
    }
    // Rule validation: the L3 fields of one rule are exclusive ("Combining X and Y is not supported yet").
    const written = Object.entries({
      Endpoints: peers.endpoints, CIDR: peers.cidrs, CIDRSet: peers.cidrSets, Entities: peers.entities, Nodes: peers.nodes,
      Groups: peers.groups, Services: peers.services, FQDNs: peers.fqdns,
    }).filter(([, entries]) => (entries?.length ?? 0) > 0).map(([name]) => field(name));
    if (written.length > 1) {
      this.refuse([...path, written[1]], `${written.join(' and ')} cannot be combined in one rule (write a separate rule for each)`, 'agent');
    }
    return peers;
  }

  private cidr(text: string, path: FieldPath, addressAllowed: boolean): CiliumCidr | undefined {
    const trimmed = text.trim();
    // `fromCIDR`/`toCIDR` accept an address alone (api.CIDR.sanitize); CIDR sets need a prefix.
    if (addressAllowed && !trimmed.includes('/')) {
      const address = parseAddress(trimmed);
      if (address) {
        const bits = address.family === 4 ? 32 : 128;
        const parsed = parseCidr(`${trimmed}/${bits}`);
        if (!('error' in parsed)) return { text: parsed.text, family: parsed.family, range: parsed.range };
      }
    }
    const parsed = parseCidr(trimmed);
    if ('error' in parsed) {
      this.refuse(path, parsed.error, 'agent', INPUT_RULES.invalidCidr);
      return undefined;
    }
    return { text: parsed.text, family: parsed.family, range: parsed.range };
  }

  private cidrRule(raw: Raw, path: FieldPath): CiliumCidrRule[] {
    const given = ['cidr', 'cidrGroupRef', 'cidrGroupSelector'].filter((name) => raw[name] != null);
    if (given.length !== 1) {
      this.refuse(path, given.length === 0
        ? `${formatPath(path)} needs one of cidr, cidrGroupRef, cidrGroupSelector`
        : `${formatPath(path)} has ${given.join(' and ')}; write exactly one of cidr, cidrGroupRef, cidrGroupSelector`, 'api-server');
      return [];
    }
    const rule: { -readonly [K in keyof CiliumCidrRule]: CiliumCidrRule[K] } = { except: [], path };
    if (raw.cidr != null) {
      const cidr = this.cidr(String(raw.cidr), [...path, 'cidr'], false);
      if (!cidr) return [];
      rule.cidr = cidr;
    } else if (raw.cidrGroupRef != null) {
      const name = String(raw.cidrGroupRef);
      if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
        this.refuse([...path, 'cidrGroupRef'], `cidrGroupRef '${name}' is not a valid object name (lowercase letters, digits, '-' and '.')`, 'api-server');
        return [];
      }
      rule.cidrGroupRef = name;
    } else {
      const selector = this.selector(raw.cidrGroupSelector, [...path, 'cidrGroupSelector']);
      if (!selector) return [];
      rule.cidrGroupSelector = selector;
    }
    const except: CiliumCidr[] = [];
    (Array.isArray(raw.except) ? raw.except : []).forEach((text: unknown, index: number) => {
      const exceptPath: FieldPath = [...path, 'except', index];
      const parsed = parseCidr(String(text).trim());
      if ('error' in parsed) {
        this.refuse(exceptPath, parsed.error, 'agent', INPUT_RULES.invalidCidr);
        return;
      }
      // CIDRRule.sanitize: the except's address must lie in the cidr (same family); with a CIDR
      // group the except applies to each of the group's CIDRs.
      if (rule.cidr && (parsed.family !== rule.cidr.family || parsed.range.first < rule.cidr.range.first || parsed.range.first > rule.cidr.range.last)) {
        this.refuse(exceptPath, `except ${parsed.text} is not inside cidr ${rule.cidr.text}`, 'agent', INPUT_RULES.exceptOutsideCidr);
        return;
      }
      except.push({ text: parsed.text, family: parsed.family, range: parsed.range });
    });
    rule.except = except;
    return [rule];
  }

  private service(raw: Raw, path: FieldPath): CiliumServicePeer {
    const byName = isMapping(raw.k8sService) ? raw.k8sService : undefined;
    const bySelector = isMapping(raw.k8sServiceSelector) ? raw.k8sServiceSelector : undefined;
    const selector = bySelector ? this.selector(bySelector.selector, [...path, 'k8sServiceSelector', 'selector']) : undefined;
    const namespace = typeof byName?.namespace === 'string' && byName.namespace !== '' ? byName.namespace
      : typeof bySelector?.namespace === 'string' && bySelector.namespace !== '' ? bySelector.namespace : undefined;
    if (!byName && !bySelector) this.warn(path, `${formatPath(path)} names no Service (neither k8sService nor k8sServiceSelector), so it matches nothing`);
    return {
      ...(typeof byName?.serviceName === 'string' ? { name: byName.serviceName } : {}),
      ...(selector ? { selector } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      path,
    };
  }

  private fqdn(raw: Raw, path: FieldPath, field: string): CiliumFqdnSelector[] {
    const name = raw.matchName;
    const pattern = raw.matchPattern;
    if ((name == null) === (pattern == null)) {
      this.refuse(path, `${field} entries need exactly one of matchName and matchPattern`, 'api-server');
      return [];
    }
    const text = String(name ?? pattern);
    const format = name != null ? FQDN_NAME : FQDN_PATTERN;
    if (text.length > 255 || !format.test(text)) {
      this.refuse([...path, name != null ? 'matchName' : 'matchPattern'],
        `'${text}' is not a valid DNS ${name != null ? 'name' : 'pattern'} (letters, digits, '-', '_'${name != null ? '' : ", '*'"} and '.', at most 255 characters)`, 'api-server');
      return [];
    }
    // Names are matched case-insensitively, with the trailing dot Cilium adds when missing; a
    // pattern of stars alone (`*`, `**.`) stays as written: it matches every name (matchpattern.Sanitize).
    const normalised = pattern != null && /^\*+\.?$/.test(text) ? text : text.toLowerCase().endsWith('.') ? text.toLowerCase() : `${text.toLowerCase()}.`;
    return [{ ...(name != null ? { matchName: normalised } : { matchPattern: normalised }), path }];
  }

  private portRule(raw: Raw, path: FieldPath, section: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', hostPolicy: boolean): CiliumPortRule {
    const isDeny = section.endsWith('Deny');
    const isIngress = section.startsWith('ingress');
    if (isDeny) {
      for (const field of ['rules', 'serverNames', 'terminatingTLS', 'originatingTLS', 'listener']) {
        if (raw[field] != null) this.refuse([...path, field], `${section} ports have no ${field}: deny rules decide at L3/L4 only`, 'api-server');
      }
    }
    const rules = isDeny ? undefined : this.l7Rules(raw.rules, [...path, 'rules'], isIngress, hostPolicy);
    const ports = (Array.isArray(raw.ports) ? raw.ports : [])
      .flatMap((entry: unknown, index: number) => this.port(isMapping(entry) ? entry : {}, [...path, 'ports', index], rules));
    const serverNames = (Array.isArray(raw.serverNames) ? raw.serverNames : []).map(String);
    if (!isDeny) {
      if (Array.isArray(raw.serverNames) && raw.serverNames.length === 0) this.refuse([...path, 'serverNames'], 'serverNames must list at least one name when given', 'api-server');
      serverNames.forEach((name: string, index: number) => {
        if (name === '' || name.length > 255 || !SERVER_NAME.test(name)) {
          this.refuse([...path, 'serverNames', index], `'${name}' is not a valid TLS server name`, name === '' ? 'agent' : 'api-server');
        }
      });
      if (serverNames.length > 0 && rules && raw.terminatingTLS == null) {
        this.refuse([...path, 'serverNames'], 'serverNames cannot be combined with L7 rules unless terminatingTLS is set', 'agent');
      }
      if (raw.listener != null) {
        if (isIngress) this.refuse([...path, 'listener'], 'a listener is not allowed on ingress', 'agent');
        if (rules) this.refuse([...path, 'listener'], 'a listener cannot be combined with L7 rules', 'agent');
      }
      if (rules && ports.some((port: CiliumPort) => port.port === 0)) {
        this.refuse([...path, 'rules'], 'L7 rules cannot be used when a port is 0 (every port)', 'agent');
      }
    }
    const listener = isMapping(raw.listener) && !isDeny && typeof raw.listener.name === 'string' ? {
      name: raw.listener.name,
      envoyConfigKind: String(raw.listener.envoyConfig?.kind ?? (this.namespace !== undefined ? 'CiliumEnvoyConfig' : 'CiliumClusterwideEnvoyConfig')),
      envoyConfigName: String(raw.listener.envoyConfig?.name ?? ''),
    } : undefined;
    return {
      ports, ...(rules ? { rules } : {}), serverNames: isDeny ? [] : serverNames,
      terminatingTLS: !isDeny && raw.terminatingTLS != null, originatingTLS: !isDeny && raw.originatingTLS != null,
      ...(listener ? { listener } : {}), path,
    };
  }

  private port(raw: Raw, path: FieldPath, rules: CiliumL7Rules | undefined): CiliumPort[] {
    const protocol = (typeof raw.protocol === 'string' && raw.protocol !== '' ? raw.protocol : 'ANY') as CiliumProtocol;
    const written = raw.port;
    const hasEnd = typeof raw.endPort === 'number';
    if (written == null || written === '') {
      // VRRP and IGMP have no ports; every other protocol needs one (PortProtocol.sanitize).
      if (protocol === 'VRRP' || protocol === 'IGMP') return [{ protocol, port: 0, path }];
      this.refuse([...path, 'port'], 'port must be given (write "0" for every port)', 'agent');
      return [];
    }
    const text = String(written).trim();
    let port: number | string;
    if (SERVICE_NAME.test(text.toLowerCase()) && /[a-zA-Z]/.test(text)) {
      port = text.toLowerCase();
      if (hasEnd) this.warn([...path, 'endPort'], `endPort ${raw.endPort} has no effect with the named port '${port}'`);
    } else if (/^\d+$/.test(text)) {
      // strconv.ParseUint(port, 0, 16): a leading 0 makes it octal.
      const octal = text.length > 1 && text.startsWith('0');
      const value = octal ? (/^[0-7]+$/.test(text) ? parseInt(text, 8) : Number.NaN) : Number(text);
      if (!Number.isInteger(value) || value > 65535) {
        this.refuse([...path, 'port'], octal && Number.isNaN(value)
          ? `port "${text}" starts with 0, so Cilium reads it as an octal number, and it is not one`
          : `port "${text}" is outside 0-65535`, 'agent', INPUT_RULES.invalidPortRange);
        return [];
      }
      if (octal) this.warn([...path, 'port'], `port "${text}" starts with 0, so Cilium reads it as octal: port ${value}`);
      port = value;
    } else {
      this.refuse([...path, 'port'], `port "${text}" is neither a port number nor a port name (at most 15 lowercase letters, digits and '-', with a letter)`, 'agent', INPUT_RULES.invalidPortRange);
      return [];
    }
    if (rules && rules.protocol !== 'dns' && protocol !== 'TCP') {
      this.refuse([...path, 'protocol'], `L7 ${rules.protocol} rules apply to TCP only (not ${protocol === 'ANY' ? 'ANY, the protocol when none is written' : protocol}); write protocol: TCP`, 'agent');
    }
    if (rules?.protocol === 'dns' && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'ANY') {
      this.refuse([...path, 'protocol'], `DNS rules apply to TCP, UDP or ANY, not ${protocol}`, 'agent');
    }
    let endPort: number | undefined;
    if (hasEnd && typeof port === 'number') {
      if (rules?.protocol === 'dns' && raw.endPort > port) this.refuse([...path, 'endPort'], 'DNS rules do not support port ranges', 'agent');
      if (port !== 0 && raw.endPort > port) endPort = raw.endPort;
      else if (port !== 0 && raw.endPort < port) this.warn([...path, 'endPort'], `endPort ${raw.endPort} is below port ${port}, so only port ${port} is allowed`);
    }
    return [{ protocol, port, ...(endPort !== undefined ? { endPort } : {}), path }];
  }

  private l7Rules(raw: unknown, path: FieldPath, isIngress: boolean, hostPolicy: boolean): CiliumL7Rules | undefined {
    if (raw == null) return undefined;
    if (!isMapping(raw)) return undefined;
    const present = (['http', 'kafka', 'dns', 'l7proto'] as const).filter((name) => raw[name] != null);
    if (present.length !== 1) {
      this.refuse(path, present.length === 0
        ? 'rules names no L7 protocol (write http, kafka, dns or l7proto, or leave rules out)'
        : `rules has ${present.join(' and ')}; one port rule takes the rules of one L7 protocol`, 'api-server');
      return undefined;
    }
    if (raw.l7 != null && raw.l7proto == null) {
      this.refuse([...path, 'l7'], "'l7' may only be given with 'l7proto'", 'agent');
    }
    const protocol = present[0];
    if (protocol === 'dns' && isIngress) this.refuse([...path, 'dns'], 'DNS rules are not allowed on ingress', 'agent');
    // Host policies take DNS rules only (host.rst: "layer 7 DNS rules, but no other kinds").
    if (hostPolicy && protocol !== 'dns') this.refuse([...path, protocol], `host policies (nodeSelector) do not support ${protocol} rules; only DNS rules`, 'agent');
    const entries = Array.isArray(raw[protocol]) ? raw[protocol] as unknown[] : [];
    const mapping = (entry: unknown): Raw => (isMapping(entry) ? entry : {});
    switch (protocol) {
      case 'http':
        return {
          protocol, path: [...path, 'http'],
          summaries: entries.map(mapping).map((rule) => [
            rule.method ? String(rule.method) : 'any method',
            rule.path ? String(rule.path) : 'any path',
            ...(rule.host ? [`host ${String(rule.host)}`] : []),
            ...((Array.isArray(rule.headers) ? rule.headers : []).map((header: unknown) => `header ${String(header)}`)),
            ...((Array.isArray(rule.headerMatches) ? rule.headerMatches : []).filter(isMapping).map((header: Raw) => `header ${String(header.name)}`)),
          ].join(' ')),
        };
      case 'kafka':
        return {
          protocol, path: [...path, 'kafka'],
          summaries: entries.map(mapping).map((rule) => [
            rule.role ? String(rule.role) : rule.apiKey ? `apiKey ${String(rule.apiKey)}` : 'any request',
            ...(rule.topic ? [`topic ${String(rule.topic)}`] : []),
            ...(rule.clientID ? [`client ${String(rule.clientID)}`] : []),
          ].join(' ')),
        };
      case 'dns': {
        const dns = entries.flatMap((entry, index) => this.fqdn(mapping(entry), [...path, 'dns', index], 'dns'));
        return { protocol, path: [...path, 'dns'], dns, summaries: dns.map((selector) => `lookups of ${fqdnText(selector)}`) };
      }
      case 'l7proto':
        return {
          protocol, name: String(raw.l7proto), path: [...path, 'l7proto'],
          summaries: (Array.isArray(raw.l7) ? raw.l7 : []).map(mapping).map((rule: Raw) => Object.entries(rule).map(([key, value]) => `${key}=${String(value)}`).join(' ')),
        };
    }
  }

  private icmps(raw: unknown, path: FieldPath): CiliumIcmpType[] {
    if (!Array.isArray(raw)) return [];
    const types: CiliumIcmpType[] = [];
    raw.forEach((rule: unknown, ruleIndex: number) => {
      const fields = isMapping(rule) && Array.isArray(rule.fields) ? rule.fields : [];
      fields.forEach((field: unknown, fieldIndex: number) => {
        if (!isMapping(field)) return;
        const fieldPath: FieldPath = [...path, ruleIndex, 'fields', fieldIndex];
        const family = field.family === 'IPv6' ? 6 : 4;
        const written = field.type;
        if (typeof written === 'number') {
          types.push({ family, type: written, path: fieldPath });
          return;
        }
        const text = String(written);
        if (/^\d+$/.test(text) && Number(text) <= 255) {
          types.push({ family, type: Number(text), path: fieldPath });
          return;
        }
        const code = Object.hasOwn(ICMP_TYPE_NAMES[family], text) ? ICMP_TYPE_NAMES[family][text] : undefined;
        if (code === undefined) {
          const other = Object.hasOwn(ICMP_TYPE_NAMES[family === 4 ? 6 : 4], text);
          this.refuse([...fieldPath, 'type'], `ICMP type '${text}' is not an IPv${family} type name${other ? ` (it is an IPv${family === 4 ? 6 : 4} one: set family: IPv${family === 4 ? 6 : 4})` : ''}`, 'agent');
          return;
        }
        types.push({ family, type: code, name: text, path: fieldPath });
      });
    });
    return types;
  }
}

function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
