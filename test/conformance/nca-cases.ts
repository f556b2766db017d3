/**
 * Reads the NCA (network-config-analyzer) cases of the dialect conformance corpus
 * (../shared/conformance/dialects/{calico,calico-k8s,istio,multilayer}; see its README.md) into
 * plain data: which input files each configuration loads, which objects NCA leaves out of them
 * (single-policy selections, objects of topology-only files), and the expected edges of
 * `nca_derived_pairs.txt` in NCA's own vocabulary, parsed. Shared by the Calico, Istio and
 * multilayer conformance tests; it knows no policy semantics.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ManifestObject } from '../../src/load/manifest-object.js';

/** The corpus beside the repository. */
export const DIALECT_CORPUS = path.resolve(process.cwd(), '..', 'shared', 'conformance', 'dialects');

/** The dialect folders holding NCA cases. */
export const NCA_DIALECTS = ['calico', 'calico-k8s', 'istio', 'multilayer'] as const;
export type NcaDialect = (typeof NCA_DIALECTS)[number];

/** One row of index.tsv. */
export interface IndexRow {
  readonly dialect: string;
  readonly case: string;
  readonly source: string;
  readonly class: string;
  readonly expected: readonly string[];
  readonly assertedPairs?: number;
  readonly derivedAllowedEdges?: number;
  readonly features: readonly string[];
  readonly singlePolicyFilter: boolean;
  readonly livesim: boolean;
}

/** A peer of an edge, as NCA names it. */
export type NcaPeer =
  /** `ns/name[Kind]`: pods grouped by their owner (ReplicaSets are not resolved to Deployments; a bare pod or WorkloadEndpoint is `[Pod]`). */
  | { readonly type: 'workload'; readonly namespace: string; readonly name: string; readonly kind: string }
  /** `ns/name` with `output_endpoints: pods`. */
  | { readonly type: 'pod'; readonly namespace: string; readonly name: string }
  /** Addresses outside the cluster: an inclusive range (`a-b`) or one address, without a prefix length. */
  | { readonly type: 'addresses'; readonly family: 4 | 6; readonly first: string; readonly last: string }
  /** A bare name: a Calico HostEndpoint's `metadata.name`, or a DNS name (Istio ServiceEntry hosts). */
  | { readonly type: 'name'; readonly name: string };

/** A port range, inclusive. */
export type PortRange = readonly [number, number];

/** The criteria inside `{...}` of an NCA connection string; a key that is absent does not restrict. */
export interface NcaConnectionSpec {
  /** Protocol names as NCA writes them (`TCP`, `UDP`, `ICMP`, `UDPLite`, `VRRP`...). */
  readonly protocols?: readonly string[];
  readonly srcPorts?: readonly PortRange[];
  readonly dstPorts?: readonly PortRange[];
  /** HTTP methods; `except` for NCA's `all but ...`. */
  readonly methods?: { readonly except: boolean; readonly values: readonly string[] };
  /** HTTP paths, as NCA writes them (regular expressions, differences such as `(/a(/*)?)-(/a/b)`). */
  readonly paths?: readonly string[];
  readonly hosts?: readonly string[];
}

/** What an edge allows: everything, everything but some criteria, or only what the criteria say. */
export type NcaConnections =
  | { readonly type: 'all' }
  | { readonly type: 'all-but'; readonly spec: NcaConnectionSpec }
  | { readonly type: 'only'; readonly spec: NcaConnectionSpec };

/** One line `src => dst : connections` of nca_derived_pairs.txt. */
export interface NcaEdge {
  readonly source: NcaPeer;
  readonly destination: NcaPeer;
  readonly connections: NcaConnections;
  /** In Istio files: the section the line is in (TCP connections, or all other protocols). */
  readonly section?: 'TCP' | 'non-TCP';
  /** 1-based line number in the file, and the line as written. */
  readonly line: number;
  readonly text: string;
}

/** A single-policy selection `config/[Kind/][ns/]name`: only that policy is active. */
export interface SinglePolicy {
  /** NCA's kind name when given: `K8sNetworkPolicy`, `CalicoNetworkPolicy`, `CalicoGlobalNetworkPolicy`, `IstioAuthorizationPolicy`... */
  readonly ncaKind?: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One configuration a case's query maps. */
export interface NcaConfig {
  /** As `connectivityMap_configs` writes it. */
  readonly name: string;
  /** The key of `files_by_config` it loads files from (the name less a single-policy selection). */
  readonly baseConfig: string;
  /** The input files, absolute, in the order case.json lists them. */
  readonly files: readonly string[];
  readonly singlePolicy?: SinglePolicy;
  /** Objects NCA read a file for but did not apply (topology-only files): absolute file and kind. */
  readonly ignoredObjects: readonly { readonly file: string; readonly kind: string }[];
}

/** An NCA case: inputs per configuration and expected edges. */
export interface NcaCase {
  readonly dialect: NcaDialect;
  readonly name: string;
  readonly folder: string;
  readonly class: 'l3l4' | 'l7';
  readonly features: readonly string[];
  readonly outputEndpoints: 'deployments' | 'pods';
  readonly configs: readonly NcaConfig[];
  /** Every edge of nca_derived_pairs.txt (the union of its blocks). */
  readonly edges: readonly NcaEdge[];
  /**
   * The edges per configuration, in `connectivityMap_configs` order, when the file tells where a
   * block ends (one configuration, or Istio's section headers); undefined otherwise (NCA writes the
   * sorted blocks one after the other without a header).
   */
  readonly blocks?: readonly (readonly NcaEdge[])[];
  readonly index: IndexRow;
  /** case.json as written, for fields this reader does not interpret. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Reads index.tsv. */
export function readIndex(corpus = DIALECT_CORPUS): IndexRow[] {
  const [header, ...rows] = fs.readFileSync(path.join(corpus, 'index.tsv'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const columns = header.split('\t');
  return rows.map((row) => {
    const cells = Object.fromEntries(row.split('\t').map((cell, index) => [columns[index], cell]));
    const number = (text: string | undefined) => (text === undefined || text === '' ? undefined : Number(text));
    return {
      dialect: cells.dialect,
      case: cells.case,
      source: cells.source,
      class: cells.class,
      expected: cells.expected ? cells.expected.split('+') : [],
      ...(number(cells.asserted_pairs) !== undefined ? { assertedPairs: number(cells.asserted_pairs) } : {}),
      ...(number(cells.derived_allowed_edges) !== undefined ? { derivedAllowedEdges: number(cells.derived_allowed_edges) } : {}),
      features: cells.features ? cells.features.split(';') : [],
      singlePolicyFilter: cells.single_policy_filter === 'True',
      livesim: cells.livesim === 'True',
    };
  });
}

/** Lists the NCA cases of the corpus (none when the corpus is absent), sorted by dialect and name. */
export function listNcaCases(corpus = DIALECT_CORPUS): { dialect: NcaDialect; name: string }[] {
  if (!fs.existsSync(corpus)) return [];
  return NCA_DIALECTS.flatMap((dialect) => {
    const folder = path.join(corpus, dialect);
    if (!fs.existsSync(folder)) return [];
    return fs.readdirSync(folder).filter((name) => fs.existsSync(path.join(folder, name, 'case.json'))).sort().map((name) => ({ dialect, name }));
  });
}

/** Reads one NCA case. */
export function readNcaCase(dialect: NcaDialect, name: string, corpus = DIALECT_CORPUS): NcaCase {
  const folder = path.join(corpus, dialect, name);
  const raw = JSON.parse(fs.readFileSync(path.join(folder, 'case.json'), 'utf8')) as Record<string, any>;
  const index = readIndex(corpus).find((row) => row.dialect === dialect && row.case === name);
  if (!index) throw new Error(`${dialect}/${name} is not in index.tsv`);
  const filesByConfig = raw.files_by_config as Record<string, string[]>;
  const ignored = (raw.objects_ignored_by_nca_in_topology_only_files as string[]).map((entry) => {
    const colon = entry.lastIndexOf(': ');
    return { file: path.join(folder, 'manifests', entry.slice(0, colon)), kind: entry.slice(colon + 2) };
  });
  const configs = (raw.connectivityMap_configs as string[]).map((configName): NcaConfig => {
    const { baseConfig, singlePolicy } = splitConfigName(configName, Object.keys(filesByConfig));
    const files = filesByConfig[baseConfig].map((file) => path.join(folder, file));
    return {
      name: configName,
      baseConfig,
      files,
      ...(singlePolicy ? { singlePolicy } : {}),
      ignoredObjects: ignored.filter((entry) => files.includes(entry.file)),
    };
  });
  const pairsFile = path.join(folder, raw.derived_pairs_file as string);
  const { edges, blocks } = parseNcaPairs(fs.readFileSync(pairsFile, 'utf8'), configs.length);
  return {
    dialect,
    name,
    folder,
    class: raw.class as 'l3l4' | 'l7',
    features: raw.features as string[],
    outputEndpoints: raw.output_endpoints as 'deployments' | 'pods',
    configs,
    edges,
    ...(blocks ? { blocks } : {}),
    index,
    raw,
  };
}

/** NCA's policy kind names in single-policy selections. */
const NCA_POLICY_KINDS = new Set([
  'K8sNetworkPolicy', 'CalicoNetworkPolicy', 'CalicoGlobalNetworkPolicy', 'CalicoProfile', 'IstioAuthorizationPolicy', 'IstioSidecar',
  'K8sIngressPolicy', 'IstioGatewayPolicy', 'IstioVirtualServicePolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
]);

/** Splits `config/[Kind/][ns/]name` (a single-policy selection) from a plain configuration name. */
export function splitConfigName(name: string, baseConfigs: readonly string[]): { baseConfig: string; singlePolicy?: SinglePolicy } {
  if (baseConfigs.includes(name)) return { baseConfig: name };
  const baseConfig = [...baseConfigs].sort((a, b) => b.length - a.length).find((candidate) => name.startsWith(`${candidate}/`));
  if (!baseConfig) throw new Error(`configuration ${name} names none of ${baseConfigs.join(', ')}`);
  const parts = name.slice(baseConfig.length + 1).split('/');
  const ncaKind = parts.length > 1 && NCA_POLICY_KINDS.has(parts[0]) ? parts.shift() : undefined;
  if (parts.length > 2 || parts.length === 0) throw new Error(`cannot read the single-policy selection ${name}`);
  const [namespace, policyName] = parts.length === 2 ? parts : [undefined, parts[0]];
  return { baseConfig, singlePolicy: { ...(ncaKind ? { ncaKind } : {}), ...(namespace ? { namespace } : {}), name: policyName } };
}

/** The object kinds NCA counts as policies (the ones a single-policy selection turns off but for the one it names). */
const POLICY_OBJECT_KINDS: Readonly<Record<string, readonly string[]>> = {
  'networking.k8s.io': ['NetworkPolicy'],
  'policy.networking.k8s.io': ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'],
  'projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy', 'Profile'],
  'crd.projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy', 'Profile'],
  'security.istio.io': ['AuthorizationPolicy'],
  'networking.istio.io': ['Sidecar'],
};

/** What each NCA kind name stands for: the group and kind of the object. */
const NCA_KIND_OBJECTS: Readonly<Record<string, { readonly group: string; readonly kind: string }>> = {
  K8sNetworkPolicy: { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  CalicoNetworkPolicy: { group: 'projectcalico.org', kind: 'NetworkPolicy' },
  CalicoGlobalNetworkPolicy: { group: 'projectcalico.org', kind: 'GlobalNetworkPolicy' },
  CalicoProfile: { group: 'projectcalico.org', kind: 'Profile' },
  IstioAuthorizationPolicy: { group: 'security.istio.io', kind: 'AuthorizationPolicy' },
  IstioSidecar: { group: 'networking.istio.io', kind: 'Sidecar' },
  AdminNetworkPolicy: { group: 'policy.networking.k8s.io', kind: 'AdminNetworkPolicy' },
  BaselineAdminNetworkPolicy: { group: 'policy.networking.k8s.io', kind: 'BaselineAdminNetworkPolicy' },
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** True when NCA counts the object as a policy. */
export function isNcaPolicyObject(object: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  return POLICY_OBJECT_KINDS[groupOf(object.apiVersion)]?.includes(object.kind) ?? false;
}

/** True when `object` is the policy a single-policy selection names. */
export function isSelectedPolicy(object: Pick<ManifestObject, 'apiVersion' | 'kind' | 'name' | 'namespace'>, selection: SinglePolicy, defaultNamespace = 'default'): boolean {
  if (!isNcaPolicyObject(object) || object.name !== selection.name) return false;
  if (selection.ncaKind) {
    const wanted = NCA_KIND_OBJECTS[selection.ncaKind];
    const group = groupOf(object.apiVersion).replace(/^crd\./, '');
    if (!wanted || wanted.kind !== object.kind || wanted.group !== group) return false;
  }
  const namespaced = !(object.kind === 'GlobalNetworkPolicy' || object.kind === 'Profile' || object.kind.endsWith('AdminNetworkPolicy'));
  if (selection.namespace !== undefined) return namespaced && (object.namespace ?? defaultNamespace) === selection.namespace;
  return !namespaced;
}

/**
 * Returns whether NCA applies `object` in `config`: every object of the files, less those of
 * topology-only files NCA does not apply, and, under a single-policy selection, less every
 * policy but the one selected.
 */
export function keepsObject(config: NcaConfig, object: ManifestObject): boolean {
  if (config.ignoredObjects.some((entry) => entry.file === object.origin.file && entry.kind === object.kind)) return false;
  if (config.singlePolicy && isNcaPolicyObject(object)) return isSelectedPolicy(object, config.singlePolicy);
  return true;
}

/**
 * The texts to give the loader for a configuration. NCA also reads a file holding a JSON array
 * of objects and lists (not a Kubernetes document: kubectl refuses it); such a file is handed over
 * as a `List` of the same items, written on the same lines so that positions still point into the
 * file.
 */
export function configInputs(config: NcaConfig): { path: string; text: string }[] {
  return config.files.map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const trimmed = text.trimStart();
    if (!file.endsWith('.json') || !trimmed.startsWith('[')) return { path: file, text };
    // Replace the opening bracket in place: `[` becomes `{"apiVersion":"v1","kind":"List","items":[`
    // on the same line, and the closing one gets its brace: line numbers are unchanged.
    const open = text.indexOf('[');
    const close = text.lastIndexOf(']');
    return { path: file, text: `${text.slice(0, open)}{"apiVersion": "v1", "kind": "List", "items": [${text.slice(open + 1, close)}]}${text.slice(close + 1)}` };
  });
}

// ---------------------------------------------------------------------------------------------
// nca_derived_pairs.txt

const SECTION_HEADERS: Readonly<Record<string, 'TCP' | 'non-TCP'>> = { 'TCP Connections:': 'TCP', 'non-TCP Connections:': 'non-TCP' };

/**
 * Parses nca_derived_pairs.txt: one edge per line, Istio's section headers (which NCA may glue to
 * the end of the previous line when it writes several configurations), blank lines ignored.
 * Blocks are returned when their ends are known: for one configuration, or where a `TCP
 * Connections:` header opens each configuration's block.
 */
export function parseNcaPairs(text: string, configCount = 1): { edges: NcaEdge[]; blocks?: NcaEdge[][] } {
  const edges: NcaEdge[] = [];
  const headerBlocks: NcaEdge[][] = [];
  let section: 'TCP' | 'non-TCP' | undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((rawLine, index) => {
    let line = rawLine.trim();
    const pending: string[] = [];
    // A header glued to the end of an edge line: `... : All connectionsTCP Connections:`.
    for (const header of Object.keys(SECTION_HEADERS)) {
      if (line !== header && line.endsWith(header) && line.includes(' => ')) {
        pending.push(header);
        line = line.slice(0, -header.length).trim();
      }
    }
    const lineHeaders = Object.hasOwn(SECTION_HEADERS, line) ? [line] : [];
    if (lineHeaders.length === 0 && line !== '') {
      const edge = parseNcaEdge(line, index + 1, section);
      edges.push(edge);
      if (headerBlocks.length > 0) headerBlocks[headerBlocks.length - 1].push(edge);
    }
    for (const header of [...lineHeaders, ...pending]) {
      section = SECTION_HEADERS[header];
      if (section === 'TCP') headerBlocks.push([]);
    }
  });
  if (configCount === 1) return { edges, blocks: [edges] };
  if (headerBlocks.length === configCount) return { edges, blocks: headerBlocks };
  return { edges };
}

const EDGE = /^(\S+) => (\S+) : (.+)$/;

/** Parses one edge line. */
export function parseNcaEdge(text: string, line = 1, section?: 'TCP' | 'non-TCP'): NcaEdge {
  const match = EDGE.exec(text);
  if (!match) throw new Error(`line ${line}: not an edge: ${text}`);
  return {
    source: parseNcaPeer(match[1]),
    destination: parseNcaPeer(match[2]),
    connections: parseNcaConnections(match[3]),
    ...(section ? { section } : {}),
    line,
    text,
  };
}

const WORKLOAD = /^([^/\s[\]]+)\/([^/\s[\]]+)\[([A-Za-z]+)\]$/;
const POD = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([^/\s[\]]+)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;

/** Parses a peer of an edge. */
export function parseNcaPeer(text: string): NcaPeer {
  const workload = WORKLOAD.exec(text);
  if (workload) return { type: 'workload', namespace: workload[1], name: workload[2], kind: workload[3] };
  const dash = text.indexOf('-');
  const [first, last] = dash > 0 && (IPV4.test(text.slice(0, dash)) || IPV6.test(text.slice(0, dash))) ? [text.slice(0, dash), text.slice(dash + 1)] : [text, text];
  if (IPV4.test(first) && IPV4.test(last)) return { type: 'addresses', family: 4, first, last };
  if (IPV6.test(first) && IPV6.test(last)) return { type: 'addresses', family: 6, first, last };
  const pod = POD.exec(text);
  if (pod) return { type: 'pod', namespace: pod[1], name: pod[3] };
  return { type: 'name', name: text };
}

/** Parses NCA's connection vocabulary: `All connections`, `All but {...}`, `{...}`. */
export function parseNcaConnections(text: string): NcaConnections {
  const trimmed = text.trim();
  if (/^All connections$/i.test(trimmed)) return { type: 'all' };
  const allBut = /^All but (\{.*\})$/.exec(trimmed);
  if (allBut) return { type: 'all-but', spec: parseNcaSpec(allBut[1]) };
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) return { type: 'only', spec: parseNcaSpec(trimmed) };
  throw new Error(`not an NCA connection set: ${text}`);
}

const SPEC_KEYS = ['protocols', 'src_ports', 'dst_ports', 'methods', 'paths', 'hosts'] as const;

/**
 * Parses `{protocols:TCP,dst_ports:1-10,12,methods:GET, POST,...}`: keys are separated by commas
 * and values by commas too (`, ` between the items of methods, paths and hosts), so the text is
 * cut at each `,key:` of the known keys.
 */
export function parseNcaSpec(text: string): NcaConnectionSpec {
  const body = text.slice(1, -1);
  const keyPattern = new RegExp(`(?:^|,)(${SPEC_KEYS.join('|')}):`, 'g');
  const starts: { key: (typeof SPEC_KEYS)[number]; keyStart: number; valueStart: number }[] = [];
  for (let match = keyPattern.exec(body); match; match = keyPattern.exec(body)) {
    starts.push({ key: match[1] as (typeof SPEC_KEYS)[number], keyStart: match.index, valueStart: match.index + match[0].length });
  }
  if (starts.length === 0 || starts[0].keyStart !== 0) throw new Error(`not an NCA connection set: ${text}`);
  const spec: Record<string, unknown> = {};
  starts.forEach((entry, index) => {
    const value = body.slice(entry.valueStart, index + 1 < starts.length ? starts[index + 1].keyStart : body.length);
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    switch (entry.key) {
      case 'protocols': spec.protocols = items; break;
      case 'src_ports': spec.srcPorts = items.map(portRange); break;
      case 'dst_ports': spec.dstPorts = items.map(portRange); break;
      case 'methods': {
        const except = /^all but /.test(value.trim());
        spec.methods = { except, values: value.trim().replace(/^all but /, '').split(',').map((item) => item.trim()).filter((item) => item !== '') };
        break;
      }
      case 'paths': spec.paths = value.split(', ').map((item) => item.trim()); break;
      case 'hosts': spec.hosts = items; break;
    }
  });
  return spec as NcaConnectionSpec;
}

function portRange(text: string): PortRange {
  const [from, to] = text.split('-').map(Number);
  if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) throw new Error(`not a port range: ${text}`);
  return [from, to ?? from];
}
