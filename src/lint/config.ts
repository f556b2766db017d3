import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Severity } from '../finding.js';
import { DEFAULT_CLUSTER_FACTS, type ClusterFacts } from '../model/cluster-facts.js';
import { precompiledValidator, type KindValidator } from '../load/validate.js';
import { decodeManifestBytes, parseManifestText } from '../load/parse-text.js';
import type { DocumentPositions } from '../load/positions.js';
import { FileReadError, readRegularFile } from '../load/read-file.js';
import { configYamlSchema } from '../load/yaml.js';
import { CONFIG_FILE_NAMES } from '../load/discover.js';
import { SourceFile } from '../load/source-file.js';
import { locateField, type ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import { parseAddress, parseCidr } from '../model/cidr.js';
import { NETWORK_PLUGINS, canonicalPluginName, suggestPluginName } from '../model/network-plugin.js';
import type { StatedFactName, StatedFactOrigin } from '../model/cluster-facts.js';
import type { NamespaceDeclaration } from '../model/build-graph.js';
import type { WorkloadDeclaration } from '../model/operator-workloads.js';
import { ISTIO_CONFIG_SCHEMA, resolveIstioSettings, type IstioSettings } from '../model/istio-settings.js';
import {
  NAMESPACES_CONFIG_SCHEMA, WORKLOADS_CONFIG_SCHEMA, resolveNamespaceDeclarations, resolveWorkloadDeclarations,
} from './config-workloads.js';

/** A rule's configured level: a severity, or `off`. */
export type RuleLevel = Severity | 'off';

/** One rule's configuration: a level, options, or both. */
export interface RuleSetting {
  readonly level?: RuleLevel;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The validated contents of `.k8snet.yaml`, merged with command-line overrides. */
export interface LintConfig {
  /** Where the configuration came from, for messages; undefined when none was found. */
  readonly file?: string;
  readonly rules: Readonly<Record<string, RuleSetting>>;
  /** Globs of files whose findings are not reported. */
  readonly ignore: readonly string[];
  readonly cluster: ClusterFacts;
  /** Kinds of custom resources whose operator runs pods (`workloads:`). */
  readonly workloads: readonly WorkloadDeclaration[];
  /** Namespaces made outside the manifests, with their labels (`namespaces:`). */
  readonly namespaces: readonly NamespaceDeclaration[];
  /** The Istio mesh settings (`istio:`), Istio's defaults where not stated. */
  readonly istio: IstioSettings;
  /** The configuration file as an object with source positions, for findings about what it states. */
  readonly source?: ManifestObject;
}

export { CONFIG_FILE_NAMES };

const LEVELS = ['off', 'info', 'warning', 'error'];

/** JSON schema of `.k8snet.yaml`. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          { enum: LEVELS },
          {
            type: 'object',
            additionalProperties: false,
            properties: { level: { enum: LEVELS }, options: { type: 'object' } },
          },
        ],
      },
    },
    ignore: { type: 'array', items: { type: 'string' } },
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        podCIDR: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 2 }] },
        serviceCIDR: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 2 }] },
        nodeCIDRMaskSize: {
          anyOf: [
            { type: 'integer', minimum: 0, maximum: 128 },
            {
              type: 'object',
              additionalProperties: false,
              properties: { ipv4: { type: 'integer', minimum: 0, maximum: 32 }, ipv6: { type: 'integer', minimum: 0, maximum: 128 } },
            },
          ],
        },
        nodes: { type: 'integer', minimum: 0 },
        maxNodes: { type: 'integer', minimum: 0 },
        maxPodsPerNode: { type: 'integer', minimum: 1 },
        nodePortRange: { type: 'string', pattern: '^\\d+-\\d+$' },
        cni: { type: 'string' },
        dnsSelector: {
          type: 'object',
          additionalProperties: false,
          properties: {
            namespace: { type: 'string' },
            podSelector: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        apiServer: {
          type: 'object',
          additionalProperties: false,
          properties: {
            addresses: { type: 'array', items: { type: 'string' } },
            port: { type: 'integer', minimum: 1, maximum: 65535 },
          },
        },
      },
    },
    workloads: WORKLOADS_CONFIG_SCHEMA,
    namespaces: NAMESPACES_CONFIG_SCHEMA,
    istio: ISTIO_CONFIG_SCHEMA,
  },
} as const;

/**
 * The configuration validator: precompiled at build time with the kind schemas (no ajv at
 * start-up), compiled here when the build has not run, as under ts-jest.
 */
function configValidator(): KindValidator {
  const precompiled = precompiledValidator(CONFIG_VALIDATOR);
  if (precompiled) return precompiled;
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: true, strict: false }).compile(CONFIG_SCHEMA) as KindValidator;
}

/** The name of the configuration's precompiled validator (`dist/generated/validators/<name>.cjs`). */
export const CONFIG_VALIDATOR = 'k8snet-config';

/** A configuration problem, with the file and a plain sentence. */
export class ConfigError extends Error {}

/** Finds the configuration file: `--config`, or the nearest `.k8snet.yaml` from `cwd` upwards. */
export function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new ConfigError(`${explicit}: no such configuration file`);
    return explicit;
  }
  for (let folder = path.resolve(cwd); ; folder = path.dirname(folder)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(folder, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (path.dirname(folder) === folder) return undefined;
  }
}

/**
 * Reads the configuration's text as the manifests are read: a regular file only (a FIFO or a
 * device such as /dev/zero, even behind a symbolic link, would block or never end), within the
 * manifest size limit, UTF-8 or UTF-16 with a byte order mark.
 */
function readConfigText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (error) {
    if (error instanceof FileReadError) throw new ConfigError(`${error.message}; it should be k8snet's configuration file`);
    throw error;
  }
  const decoded = decodeManifestBytes(file, bytes);
  if ('finding' in decoded) throw new ConfigError(decoded.finding.message);
  return decoded.text;
}

/** A configuration is one YAML document: settings in a second one would be ignored without a word. */
function rejectExtraDocuments(file: string, documents: readonly { value: unknown; positions: DocumentPositions; indexInPositions: number }[]): void {
  const extra = documents.findIndex((document, index) => index > 0 && document.value != null);
  if (extra === -1) return;
  const origin = { file, documentIndex: extra, basePath: [], positions: documents[extra].positions, indexInPositions: documents[extra].indexInPositions };
  const location = locateField(origin, []);
  throw new ConfigError(`${file}:${location.line}:${location.column}: document ${extra + 1} of the configuration would be ignored: k8snet reads one document; merge its settings into the first`);
}

/** The kind the configuration file is given as an object, for findings that point into it. */
export const CONFIG_OBJECT_KIND = 'K8snetConfiguration';

/** Reads, validates and resolves the configuration file (or the defaults when there is none). */
export function loadConfig(file: string | undefined): LintConfig {
  if (!file) return resolveConfig({}, undefined);
  const text = readConfigText(file);
  // Parsed with the manifests' parser, so every setting has a line and column for messages, but
  // with YAML 1.2's values, not kubectl's: `nodeport-exposed: off` is the word off, not false.
  const parsed = parseManifestText(new SourceFile(file, text), /\.json$/i.test(file), configYamlSchema());
  const syntax = parsed.findings[0];
  if (syntax) {
    const where = syntax.location ? `:${syntax.location.line}:${syntax.location.column}` : '';
    // A key written twice is a warning in manifests (kubectl keeps the last); here it is an error.
    const message = syntax.ruleId === 'input-duplicate-key'
      ? `duplicated key${syntax.related?.[0] ? ` (first at line ${syntax.related[0].line})` : ''}`
      : syntax.message;
    throw new ConfigError(`${file}${where}: ${message}`);
  }
  rejectExtraDocuments(file, parsed.documents);
  const document = parsed.documents[0];
  // An empty or comment-only file is the defaults.
  const raw = document?.value ?? {};
  const source: ManifestObject | undefined = document && {
    apiVersion: 'k8snet.io/v1',
    kind: CONFIG_OBJECT_KIND,
    name: path.basename(file),
    namespace: undefined,
    value: raw as Record<string, unknown>,
    origin: { file, documentIndex: 0, basePath: [], positions: document.positions, indexInPositions: document.indexInPositions },
  };
  return resolveConfig(raw, file, source);
}

/**
 * Validates a parsed configuration and fills in the defaults. `source`, the file as an object,
 * gives messages their line and column and records where each cluster fact was stated.
 */
export function resolveConfig(raw: unknown, file: string | undefined, source?: ManifestObject): LintConfig {
  const fail = (path: FieldPath, message: string): never => {
    if (!source) throw new ConfigError(`${file ?? 'configuration'}: ${message}`);
    const location = locateField(source.origin, path);
    throw new ConfigError(`${location.file}:${location.line}:${location.column}: ${message}`);
  };
  const validate = configValidator();
  if (!validate(raw)) {
    const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'anyOf');
    const problems = errors.map((error) => {
      const where = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
      if (error.keyword === 'additionalProperties') return `${where}: unknown setting '${(error.params as { additionalProperty: string }).additionalProperty}'`;
      if (error.keyword === 'enum') return `${where}: must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? LEVELS).join(', ')}`;
      return `${where}: ${error.message}`;
    });
    const firstPath = errors[0] ? errors[0].instancePath.split('/').slice(1).map((part) => (/^\d+$/.test(part) ? Number(part) : part)) : [];
    fail(firstPath, [...new Set(problems)].join('; '));
  }
  const value = raw as {
    rules?: Record<string, RuleLevel | RuleSetting>;
    ignore?: string[];
    cluster?: Record<string, unknown>;
    workloads?: Parameters<typeof resolveWorkloadDeclarations>[0];
    namespaces?: Parameters<typeof resolveNamespaceDeclarations>[0];
    istio?: Partial<IstioSettings>;
  };
  const workloads = resolveWorkloadDeclarations(value.workloads);
  const namespaces = resolveNamespaceDeclarations(value.namespaces, source);
  const declarationProblems = [...workloads.problems, ...namespaces.problems];
  if (declarationProblems.length > 0) fail(declarationProblems[0].path, declarationProblems.map((problem) => problem.message).join('; '));
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(value.rules ?? {})) rules[id] = typeof setting === 'string' ? { level: setting } : setting;
  const cluster = value.cluster ?? {};
  const origins: Partial<Record<StatedFactName, StatedFactOrigin>> = {};
  const stated = (name: StatedFactName): void => {
    origins[name] = { kind: 'config', ...(source ? { object: source } : {}), path: ['cluster', name] };
  };
  const cidrList = (name: 'podCIDR' | 'serviceCIDR'): string[] | undefined => {
    const entry = cluster[name];
    if (entry === undefined) return undefined;
    const list = Array.isArray(entry) ? (entry as string[]) : [entry as string];
    const families = new Set<number>();
    list.forEach((text, index) => {
      const at: FieldPath = Array.isArray(entry) ? ['cluster', name, index] : ['cluster', name];
      const parsed = parseCidr(text);
      if ('error' in parsed) fail(at, `cluster.${name}: ${parsed.error}`);
      else if (families.has(parsed.family)) fail(at, `cluster.${name}: a dual-stack pair needs one IPv4 and one IPv6 range, not two IPv${parsed.family} ranges`);
      else families.add(parsed.family);
    });
    stated(name);
    return list;
  };
  const dnsSelector = cluster.dnsSelector as { namespace?: string; podSelector?: Record<string, string> } | undefined;
  const apiServer = cluster.apiServer as { addresses?: string[]; port?: number } | undefined;
  (apiServer?.addresses ?? []).forEach((text, index) => {
    const parsed = text.includes('/') ? parseCidr(text) : parseAddress(text) ?? { error: `'${text}' is not an IP address or a CIDR` };
    if ('error' in parsed) fail(['cluster', 'apiServer', 'addresses', index], `cluster.apiServer.addresses: ${parsed.error}`);
  });
  const nodePortRange = typeof cluster.nodePortRange === 'string' ? cluster.nodePortRange.split('-').map(Number) : undefined;
  if (nodePortRange && !(nodePortRange[0] >= 1 && nodePortRange[0] <= nodePortRange[1] && nodePortRange[1] <= 65535)) {
    fail(['cluster', 'nodePortRange'], `cluster.nodePortRange '${cluster.nodePortRange}' must be FROM-TO with 1 <= FROM <= TO <= 65535`);
  }
  const number = (name: StatedFactName): number | undefined => {
    if (typeof cluster[name] !== 'number') return undefined;
    stated(name);
    return cluster[name] as number;
  };
  // The network plugin decides which policy dialects count (src/model/network-plugin.ts): a
  // misspelt name must not silently mean "another plugin".
  let cni: string | undefined;
  if (typeof cluster.cni === 'string') {
    cni = canonicalPluginName(cluster.cni);
    if (cni === undefined) {
      const suggestion = suggestPluginName(cluster.cni);
      fail(['cluster', 'cni'], `cluster.cni: '${cluster.cni}' is not a network plugin k8snet knows${suggestion ? `; did you mean ${suggestion}?` : ''} `
        + `Write one of ${Object.keys(NETWORK_PLUGINS).join(', ')} (other: a plugin k8snet does not know; unknown: the plugin cannot be told)`);
    }
  }
  const podCIDR = cidrList('podCIDR');
  const serviceCIDR = cidrList('serviceCIDR');
  const nodeCIDRMaskSize = maskSizes(cluster.nodeCIDRMaskSize);
  if (nodeCIDRMaskSize) stated('nodeCIDRMaskSize');
  if (nodePortRange) stated('nodePortRange');
  const nodes = number('nodes');
  const maxNodes = number('maxNodes');
  const maxPodsPerNode = number('maxPodsPerNode');
  const facts: ClusterFacts = {
    ...DEFAULT_CLUSTER_FACTS,
    ...(podCIDR ? { podCIDR } : {}),
    ...(serviceCIDR ? { serviceCIDR } : {}),
    ...(nodeCIDRMaskSize ? { nodeCIDRMaskSize } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
    ...(maxNodes !== undefined ? { maxNodes } : {}),
    ...(maxPodsPerNode !== undefined ? { maxPodsPerNode } : {}),
    ...(nodePortRange ? { nodePortRange: { from: nodePortRange[0], to: nodePortRange[1] } } : {}),
    ...(cni !== undefined ? { cni } : {}),
    dns: {
      namespace: dnsSelector?.namespace ?? DEFAULT_CLUSTER_FACTS.dns.namespace,
      podLabels: dnsSelector?.podSelector ?? DEFAULT_CLUSTER_FACTS.dns.podLabels,
    },
    ...(apiServer ? { apiServer } : {}),
    origins,
  };
  return {
    ...(file ? { file } : {}), rules, ignore: value.ignore ?? [], cluster: facts,
    workloads: workloads.declarations, namespaces: namespaces.declarations, istio: resolveIstioSettings(value.istio), ...(source ? { source } : {}),
  };
}

/**
 * Reads `nodeCIDRMaskSize`: `{ ipv4, ipv6 }`, or one number, which is an IPv4 mask size up to 32
 * and an IPv6 one above (no IPv4 mask exceeds 32, and an IPv6 node block is never that large).
 */
function maskSizes(entry: unknown): { ipv4?: number; ipv6?: number } | undefined {
  if (typeof entry === 'number') return entry <= 32 ? { ipv4: entry } : { ipv6: entry };
  if (entry && typeof entry === 'object') return entry as { ipv4?: number; ipv6?: number };
  return undefined;
}

/** The address facts the command line can state, with the flag that states each. */
export interface ClusterOverrides {
  readonly podCIDR?: readonly string[];
  readonly serviceCIDR?: readonly string[];
  readonly nodes?: number;
  readonly maxNodes?: number;
  readonly maxPodsPerNode?: number;
}

/** The flag of each overridable fact, for messages that say where a fact came from. */
export const OVERRIDE_FLAGS: Readonly<Record<keyof ClusterOverrides, string>> = {
  podCIDR: '--pod-cidr', serviceCIDR: '--service-cidr', nodes: '--nodes', maxNodes: '--max-nodes', maxPodsPerNode: '--max-pods',
};

/** Applies command-line address facts (`--pod-cidr` and friends), which win over the configuration. */
export function withClusterOverrides(config: LintConfig, overrides: ClusterOverrides): LintConfig {
  const origins: Partial<Record<StatedFactName, StatedFactOrigin>> = { ...config.cluster.origins };
  const facts: Record<string, unknown> = { ...config.cluster };
  const replaced: Partial<Record<StatedFactName, { value: unknown; origin: StatedFactOrigin }>> = { ...config.cluster.replaced };
  for (const name of Object.keys(OVERRIDE_FLAGS) as (keyof ClusterOverrides)[]) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (name === 'podCIDR' || name === 'serviceCIDR') {
      const families = new Set<number>();
      for (const text of value as readonly string[]) {
        const parsed = parseCidr(text);
        if ('error' in parsed) throw new ConfigError(`${OVERRIDE_FLAGS[name]}: ${parsed.error}`);
        if (families.has(parsed.family)) throw new ConfigError(`${OVERRIDE_FLAGS[name]}: a dual-stack pair needs one IPv4 and one IPv6 range, not two IPv${parsed.family} ranges`);
        families.add(parsed.family);
      }
    }
    const previous = config.cluster.origins[name];
    if (previous && config.cluster[name] !== undefined) replaced[name] = { value: config.cluster[name], origin: previous };
    facts[name] = value;
    origins[name] = { kind: 'flag', flag: OVERRIDE_FLAGS[name] };
  }
  return { ...config, cluster: { ...(facts as unknown as ClusterFacts), origins, replaced } };
}

/** Applies `--rule ID=LEVEL` overrides from the command line. */
export function withRuleOverrides(config: LintConfig, overrides: readonly string[]): LintConfig {
  const rules: Record<string, RuleSetting> = { ...config.rules };
  for (const override of overrides) {
    const match = /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(override);
    if (!match) throw new ConfigError(`--rule ${override}: expected ID=off|info|warning|error`);
    rules[match[1]] = { ...rules[match[1]], level: match[2] as RuleLevel };
  }
  return { ...config, rules };
}

/** The matcher of `ignore` globs, without backtracking (src/lint/glob.ts). */
export { globMatcher } from './glob.js';
