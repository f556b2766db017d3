import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { NamespaceDeclaration } from '../model/build-graph.js';
import { labelKeyProblem, labelValueProblem } from '../model/label-selector.js';
import type { WorkloadDeclaration } from '../model/operator-workloads.js';
import type { ContainerPort, Protocol } from '../model/types.js';

/**
 * The `workloads:` and `namespaces:` sections of `.k8snet.yaml`: what the manifests cannot show
 * about pods and namespaces that something else makes. `workloads:` declares kinds of custom
 * resources whose operator runs pods (where in each object the pods' labels, ports and replica
 * count are); `namespaces:` gives the labels of namespaces made outside the manifests.
 */

/** JSON schema of one `workloads:` entry. */
const WORKLOAD_DECLARATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { type: 'string', minLength: 1 },
    kind: { type: 'string', minLength: 1 },
    controller: { enum: ['StatefulSet', 'Deployment', 'DaemonSet'] },
    name: { type: 'string', minLength: 1 },
    replicas: { type: ['integer', 'string'], minimum: 0 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    labelsFrom: { type: ['string', 'array'], items: { type: 'string' } },
    ports: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['containerPort'],
        properties: {
          name: { type: 'string' },
          containerPort: { type: 'integer', minimum: 1, maximum: 65535 },
          protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
        },
      },
    },
    portsFrom: { type: ['string', 'array'], items: { type: 'string' } },
    hostNetwork: { type: ['boolean', 'string'] },
    serviceAccountName: { type: 'string', minLength: 1 },
    serviceAccountNameFrom: { type: 'string' },
  },
} as const;

/** JSON schema of `workloads:`: a list of declarations. */
export const WORKLOADS_CONFIG_SCHEMA = { type: 'array', items: WORKLOAD_DECLARATION_SCHEMA } as const;

/** JSON schema of `namespaces:`: namespace name → its labels (nothing for none). */
export const NAMESPACES_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
} as const;

/** A problem in one of these sections, at a path of the configuration. */
export interface ConfigProblem {
  readonly path: FieldPath;
  readonly message: string;
}

type RawDeclaration = {
  apiVersion: string; kind: string; controller?: WorkloadDeclaration['controller']; name?: string; replicas?: number | string;
  labels?: Record<string, string>; labelsFrom?: string | string[]; ports?: { name?: string; containerPort: number; protocol?: Protocol }[];
  portsFrom?: string | string[]; hostNetwork?: boolean | string; serviceAccountName?: string; serviceAccountNameFrom?: string;
};

const PATH_HELP = 'write a path into the object such as spec.podMetadata.labels, spec.containers[0].ports or spec["app.kubernetes.io/name"]';

/**
 * Reads a field path of a declaration: dot-separated keys (letters, digits, `_`, `-`), `[n]`
 * indexes and `["key"]` for keys with other characters, with an optional leading `$.`.
 */
export function parseObjectPath(text: string): { path: FieldPath } | { error: string } {
  const path: (string | number)[] = [];
  let rest = text.startsWith('$.') ? text.slice(2) : text;
  if (rest === '') return { error: `'${text}' is empty; ${PATH_HELP}` };
  let first = true;
  while (rest !== '') {
    const key = /^[A-Za-z0-9_-]+/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[("(?:[^"\\]|\\.)*"|'[^']*')\]/.exec(rest);
    if (!first && rest.startsWith('.')) {
      rest = rest.slice(1);
      const next = /^[A-Za-z0-9_-]+/.exec(rest);
      if (!next) return { error: `'${text}' has an empty or invalid key after a dot; ${PATH_HELP}` };
      path.push(next[0]);
      rest = rest.slice(next[0].length);
    } else if (first && key) {
      path.push(key[0]);
      rest = rest.slice(key[0].length);
    } else if (index) {
      path.push(Number(index[1]));
      rest = rest.slice(index[0].length);
    } else if (quoted) {
      path.push(quoted[1].startsWith('"') ? JSON.parse(quoted[1]) as string : quoted[1].slice(1, -1));
      rest = rest.slice(quoted[0].length);
    } else {
      return { error: `'${text}' is not a path at '${rest}'; ${PATH_HELP}` };
    }
    first = false;
  }
  return { path };
}

// A CustomResourceDefinition's group must be a domain with at least one dot, so a group without
// one (core, apps, batch) is a built-in kind, which k8snet reads without a declaration.
const CUSTOM_GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const PLACEHOLDER = /\{([^}]*)\}/g;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `{name}` and `{namespace}` replaced by a sample value, or the first unknown placeholder. */
function sampleOf(template: string): { sample: string } | { unknown: string } {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match[1] !== 'name' && match[1] !== 'namespace') return { unknown: match[0] };
  }
  return { sample: template.replace(PLACEHOLDER, 'x') };
}

/**
 * Validates the `workloads:` entries (already of the right JSON shape) and reads them into
 * declarations; problems name the entry's path.
 */
export function resolveWorkloadDeclarations(raw: readonly RawDeclaration[] | undefined): { declarations: WorkloadDeclaration[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const declarations: WorkloadDeclaration[] = [];
  (raw ?? []).forEach((entry, index) => {
    const at = (...rest: (string | number)[]): FieldPath => ['workloads', index, ...rest];
    const where = `workloads[${index}]`;
    const before = problems.length;
    const problem = (path: FieldPath, message: string) => problems.push({ path, message: `${where}.${message}` });
    const slash = entry.apiVersion.indexOf('/');
    const group = slash === -1 ? entry.apiVersion : entry.apiVersion.slice(0, slash);
    if (!CUSTOM_GROUP.test(group) || (slash !== -1 && !/^v[0-9][a-z0-9]*$/.test(entry.apiVersion.slice(slash + 1)))) {
      problem(at('apiVersion'), `apiVersion '${entry.apiVersion}' is not the group/version of a custom resource (such as databases.example.com/v1, or just the group for every version); built-in kinds need no declaration`);
    }
    if (!KIND.test(entry.kind)) problem(at('kind'), `kind '${entry.kind}' is not a kind name (CamelCase, such as RedisFailover)`);
    const name = entry.name ?? '{name}';
    const nameSample = sampleOf(name);
    if ('unknown' in nameSample) problem(at('name'), `name '${name}': ${nameSample.unknown} is not a placeholder; use {name} or {namespace}`);
    const path = (field: string, text: string): FieldPath | undefined => {
      const parsed = parseObjectPath(text);
      if ('error' in parsed) {
        problem(at(field), `${field}: ${parsed.error}`);
        return undefined;
      }
      return parsed.path;
    };
    const paths = (field: 'labelsFrom' | 'portsFrom'): FieldPath[] => {
      const value = entry[field];
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      return list.flatMap((text, position) => {
        const parsed = parseObjectPath(text);
        if (!('error' in parsed)) return [parsed.path];
        problem(Array.isArray(value) ? at(field, position) : at(field), `${field}: ${parsed.error}`);
        return [];
      });
    };
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry.labels ?? {})) {
      const sample = sampleOf(value);
      const trouble = labelKeyProblem(key) ?? ('unknown' in sample ? `${sample.unknown} is not a placeholder; use {name} or {namespace}` : labelValueProblem(sample.sample));
      if (trouble) problem(at('labels', key), `labels: ${trouble}`);
      else labels[key] = value;
    }
    const ports: ContainerPort[] = (entry.ports ?? []).map((port) => ({
      ...(port.name !== undefined ? { name: port.name } : {}),
      containerPort: port.containerPort,
      protocol: port.protocol ?? 'TCP',
    }));
    (entry.ports ?? []).forEach((port, position) => {
      if (port.name !== undefined && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port.name)) {
        problem(at('ports', position, 'name'), `ports[${position}].name '${port.name}' is not a port name (at most 15 lowercase letters, digits and '-')`);
      }
    });
    const replicas = typeof entry.replicas === 'string' ? path('replicas', entry.replicas) : entry.replicas ?? 1;
    const hostNetwork = typeof entry.hostNetwork === 'string' ? path('hostNetwork', entry.hostNetwork) : entry.hostNetwork ?? false;
    const labelsFrom = paths('labelsFrom');
    const portsFrom = paths('portsFrom');
    if (entry.serviceAccountName !== undefined) {
      const sample = sampleOf(entry.serviceAccountName);
      if ('unknown' in sample) problem(at('serviceAccountName'), `serviceAccountName: ${sample.unknown} is not a placeholder; use {name} or {namespace}`);
      if (entry.serviceAccountNameFrom !== undefined) problem(at('serviceAccountNameFrom'), 'serviceAccountNameFrom: give serviceAccountName or serviceAccountNameFrom, not both');
    }
    const serviceAccountNameFrom = entry.serviceAccountNameFrom !== undefined ? path('serviceAccountNameFrom', entry.serviceAccountNameFrom) : undefined;
    if (problems.length > before || replicas === undefined || hostNetwork === undefined) return;
    declarations.push({
      apiVersion: entry.apiVersion,
      kind: entry.kind,
      controller: entry.controller ?? 'StatefulSet',
      name,
      replicas,
      labelsFrom,
      labels,
      ports,
      portsFrom,
      hostNetwork,
      ...(entry.serviceAccountName !== undefined ? { serviceAccountName: entry.serviceAccountName } : serviceAccountNameFrom ? { serviceAccountName: serviceAccountNameFrom } : {}),
      declaredAt: ['workloads', index],
    });
  });
  return { declarations, problems };
}

/**
 * Validates `namespaces:` (namespace name → labels) and reads it into declarations; `source`,
 * the configuration file as an object, lets findings point at an entry.
 */
export function resolveNamespaceDeclarations(
  raw: Readonly<Record<string, Record<string, string> | null>> | undefined,
  source: ManifestObject | undefined,
): { declarations: NamespaceDeclaration[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const declarations: NamespaceDeclaration[] = [];
  for (const [name, labels] of Object.entries(raw ?? {})) {
    const before = problems.length;
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      problems.push({ path: ['namespaces', name], message: `namespaces: '${name}' is not a namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)` });
    }
    for (const [key, value] of Object.entries(labels ?? {})) {
      const trouble = labelKeyProblem(key) ?? labelValueProblem(value);
      if (trouble) problems.push({ path: ['namespaces', name, key], message: `namespaces.${name}: ${trouble}` });
    }
    if (problems.length > before) continue;
    declarations.push({ name, labels: { ...(labels ?? {}) }, declaredIn: { ...(source ? { object: source } : {}), path: ['namespaces', name] } });
  }
  return { declarations, problems };
}
