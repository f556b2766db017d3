import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Severity } from '../finding.js';
import { DEFAULT_CLUSTER_FACTS, type ClusterFacts } from './cluster-facts.js';
import type { KindValidator } from '../load/validate.js';

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
}

/** The file name looked for, from the current folder upwards. */
export const CONFIG_FILE_NAMES = ['.k8snet.yaml', '.k8snet.yml'];

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
        nodeCIDRMaskSize: { type: 'integer', minimum: 0, maximum: 128 },
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
      },
    },
  },
} as const;

/**
 * The configuration validator: precompiled at build time with the kind schemas (no ajv at
 * start-up), compiled here when the build has not run, as under ts-jest.
 */
function configValidator(): KindValidator {
  const require = createRequire(import.meta.url);
  try {
    const generated = require(fileURLToPath(new URL('../../generated/validators.cjs', import.meta.url))) as Record<string, KindValidator>;
    if (typeof generated[CONFIG_VALIDATOR] === 'function') return generated[CONFIG_VALIDATOR];
  } catch {
    // Not built: compile below.
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: true, strict: false }).compile(CONFIG_SCHEMA) as KindValidator;
}

/** The export name of the configuration validator among the precompiled validators. */
export const CONFIG_VALIDATOR = '.k8snet.yaml';

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

/** Reads, validates and resolves the configuration file (or the defaults when there is none). */
export function loadConfig(file: string | undefined): LintConfig {
  if (!file) return resolveConfig({}, undefined);
  let raw: unknown;
  try {
    const yaml = createRequire(import.meta.url)('js-yaml') as typeof import('js-yaml');
    // An empty or comment-only file is the defaults (js-yaml's load() rejects an empty stream).
    raw = yaml.loadAll(fs.readFileSync(file, 'utf8'))[0] ?? {};
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const where = mark ? `:${mark.line + 1}:${mark.column + 1}` : '';
    throw new ConfigError(`${file}${where}: ${(error as { reason?: string }).reason ?? (error as Error).message}`);
  }
  return resolveConfig(raw, file);
}

/** Validates a parsed configuration and fills in the defaults. */
export function resolveConfig(raw: unknown, file: string | undefined): LintConfig {
  const validate = configValidator();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).filter((error) => error.keyword !== 'anyOf').map((error) => {
      const where = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
      if (error.keyword === 'additionalProperties') return `${where}: unknown setting '${(error.params as { additionalProperty: string }).additionalProperty}'`;
      if (error.keyword === 'enum') return `${where}: must be one of ${LEVELS.join(', ')}`;
      return `${where}: ${error.message}`;
    });
    throw new ConfigError(`${file ?? 'configuration'}: ${[...new Set(problems)].join('; ')}`);
  }
  const value = raw as {
    rules?: Record<string, RuleLevel | RuleSetting>;
    ignore?: string[];
    cluster?: Record<string, unknown>;
  };
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(value.rules ?? {})) rules[id] = typeof setting === 'string' ? { level: setting } : setting;
  const cluster = value.cluster ?? {};
  const list = (entry: unknown) => (entry === undefined ? undefined : Array.isArray(entry) ? (entry as string[]) : [entry as string]);
  const dnsSelector = cluster.dnsSelector as { namespace?: string; podSelector?: Record<string, string> } | undefined;
  const nodePortRange = typeof cluster.nodePortRange === 'string' ? cluster.nodePortRange.split('-').map(Number) : undefined;
  if (nodePortRange && !(nodePortRange[0] >= 1 && nodePortRange[0] <= nodePortRange[1] && nodePortRange[1] <= 65535)) {
    throw new ConfigError(`${file ?? 'configuration'}: cluster.nodePortRange '${cluster.nodePortRange}' must be FROM-TO with 1 <= FROM <= TO <= 65535`);
  }
  const facts: ClusterFacts = {
    ...DEFAULT_CLUSTER_FACTS,
    ...(list(cluster.podCIDR) ? { podCIDR: list(cluster.podCIDR) } : {}),
    ...(list(cluster.serviceCIDR) ? { serviceCIDR: list(cluster.serviceCIDR) } : {}),
    ...(typeof cluster.nodeCIDRMaskSize === 'number' ? { nodeCIDRMaskSize: cluster.nodeCIDRMaskSize } : {}),
    ...(typeof cluster.nodes === 'number' ? { nodes: cluster.nodes } : {}),
    ...(typeof cluster.maxNodes === 'number' ? { maxNodes: cluster.maxNodes } : {}),
    ...(typeof cluster.maxPodsPerNode === 'number' ? { maxPodsPerNode: cluster.maxPodsPerNode } : {}),
    ...(nodePortRange ? { nodePortRange: { from: nodePortRange[0], to: nodePortRange[1] } } : {}),
    ...(typeof cluster.cni === 'string' ? { cni: cluster.cni.toLowerCase() } : {}),
    dns: {
      namespace: dnsSelector?.namespace ?? DEFAULT_CLUSTER_FACTS.dns.namespace,
      podLabels: dnsSelector?.podSelector ?? DEFAULT_CLUSTER_FACTS.dns.podLabels,
    },
  };
  return { ...(file ? { file } : {}), rules, ignore: value.ignore ?? [], cluster: facts };
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

/** Returns a predicate telling whether a file path matches one of the globs (`**`, `*`, `?`). */
export function globMatcher(globs: readonly string[]): (file: string) => boolean {
  const patterns = globs.map((glob) => {
    const normalised = glob.replace(/\\/g, '/').replace(/^\.\//, '');
    let source = '';
    for (let index = 0; index < normalised.length; index++) {
      const char = normalised[index];
      if (char === '*' && normalised[index + 1] === '*') {
        index++;
        // `**/` is any number of whole folders; a trailing `**` is anything below.
        if (normalised[index + 1] === '/') {
          index++;
          source += '(?:[^/]*/)*';
        } else source += '.*';
      } else if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`(^|/)${source}($|/)`);
  });
  return (file) => patterns.some((pattern) => pattern.test(file.replace(/\\/g, '/').replace(/^\.\//, '')));
}
