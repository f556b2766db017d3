/**
 * Turns an ajv error into a field path and one plain sentence, written for a kubectl user:
 * `spec.ports[0].port must be an integer from 1 to 65535, not "eighty"`.
 *
 * The sentence has no final period: the loader prefixes the object and ends the sentence.
 */
import type { ErrorObject } from 'ajv';
import {
  ANNOTATION_KEY_PATTERN, DNS_1035_LABEL_PATTERN, DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, KIND_SCHEMAS, LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN, PORT_NAME_PATTERN,
} from './schemas.js';
import { formatPath } from './path.js';

export { formatPath };

type Segment = string | number;
type SchemaNode = { readonly [keyword: string]: unknown };

export interface DescribedSchemaError {
  path: Segment[];
  message: string;
}

/**
 * Describes `error`, raised while validating `document` (the object, as given to ajv).
 * `kind` defaults to `document.kind`; pass it when the object's kind is implied (a List item).
 */
export function describeSchemaError(error: ErrorObject, document: unknown, kind?: string, writtenAt?: (path: readonly Segment[]) => string | undefined): DescribedSchemaError {
  const path = instanceSegments(error.instancePath, document);
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    // A key of a map (a label key) is wrong: the finding points at the key.
    const keyPath = [...path, propertyName];
    return { path: keyPath, message: describeKey(formatPath(path), propertyName, String(error.params.pattern ?? '')) };
  }
  const value = valueAt(document, path);
  const root = rootSchema(document, kind, path, error);
  const node = root ? schemaAt(root, root, path) : undefined;
  const subject = path.length > 0 ? formatPath(path) : 'the object';

  // A oneOf/anyOf reports the error of every branch and then its own: describe the field once,
  // from its value, whichever of these errors we are given.
  const composite = node && (Array.isArray(node.oneOf) || Array.isArray(node.anyOf));
  if (composite && (error.keyword === 'oneOf' || error.keyword === 'anyOf' || /\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath))) {
    return { path, message: describeComposite(subject, path, value, node, root!) };
  }

  switch (error.keyword) {
    case 'type':
      return { path, message: describeType(subject, path, value, expectedTypes(error.params.type), node, writtenAt?.(path)) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${subject} must be ${expectation(node, numberTypes(value)) ?? rangeFromParams(error)}, not ${show(value)}` };
    case 'enum':
      return { path, message: describeEnum(subject, value, (error.params.allowedValues as unknown[]) ?? []) };
    case 'pattern':
      return { path, message: describePattern(subject, value, String(error.params.pattern)) };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: `${subject} must be ${expectation(node, []) ?? `a mapping with ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(error.params.limit)} fields`}, not one with ${value !== null && typeof value === 'object' ? Object.keys(value).length : 0}` };
    case 'maxLength':
      return { path, message: `${subject} ${show(value)} is longer than ${String(error.params.limit)} characters${typeof value === 'string' ? ` (it has ${value.length})` : ''}` };
    case 'required': {
      const missing = String(error.params.missingProperty);
      const fullPath = [...path, missing];
      return { path: fullPath, message: `${formatPath(fullPath)} is required${requiredHint(path, missing)}` };
    }
    default:
      return { path, message: `${subject} ${error.message ?? 'is not valid'}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Messages by keyword

function describeType(subject: string, path: readonly Segment[], value: unknown, expected: string[], node: SchemaNode | undefined, written?: string): string {
  const expect = expectation(node, expected) ?? typePhrase(expected);
  if (value === null || value === undefined) {
    return `${subject} must be ${expect}, not an empty value${emptyHint(path, expected)}`;
  }
  if (expected.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    // YAML reads unquoted 1, 1.5, true, yes... as numbers and booleans; kubectl wants strings.
    const text = written ?? String(value);
    const reading = text !== String(value) ? ` (kubectl reads ${text} as ${String(value)})` : '';
    return `${subject} must be a string${reading}; quote it: "${text}"`;
  }
  if (typeof value === 'string' && (expected.includes('integer') || expected.includes('number')) && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    return `${subject} must be ${expect}, not ${show(value)}; write it without quotes: ${value.trim()}`;
  }
  if (typeof value === 'string' && expected.includes('boolean') && /^(true|false)$/i.test(value.trim())) {
    return `${subject} must be ${expect}, not ${show(value)}; write it without quotes: ${value.trim().toLowerCase()}`;
  }
  if (expected.includes('object') && path[path.length - 1] === 'port' && (Number.isInteger(value) || typeof value === 'string')) {
    // networking.k8s.io/v1 Ingress: `port: 80` instead of `port: {number: 80}`.
    return `${subject} must be ${expect}, not ${show(value)}; write port: { ${typeof value === 'string' ? 'name' : 'number'}: ${String(value)} }`;
  }
  return `${subject} must be ${expect}, not ${show(value)}`;
}

function describeEnum(subject: string, value: unknown, allowed: readonly unknown[]): string {
  const choices = allowed.filter((choice) => choice !== null);
  const message = `${subject} must be one of ${choices.map(String).join(', ')}, not ${show(value)}`;
  if (typeof value === 'string') {
    const sameIgnoringCase = choices.find((choice) => typeof choice === 'string' && choice.toLowerCase() === value.trim().toLowerCase());
    if (sameIgnoringCase !== undefined) return `${message} (values are case-sensitive: write ${String(sameIgnoringCase)})`;
  }
  return message;
}

const NAME_RULES: Readonly<Record<string, string>> = {
  [DNS_SUBDOMAIN_PATTERN]: "a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit",
  [DNS_LABEL_PATTERN]: "a DNS-1123 label: at most 63 lowercase letters, digits and '-', beginning and ending with a letter or digit",
  [`^$|${DNS_LABEL_PATTERN}`]: "a DNS-1123 label: at most 63 lowercase letters, digits and '-', beginning and ending with a letter or digit",
  [DNS_1035_LABEL_PATTERN]: "a DNS-1035 label: at most 63 lowercase letters, digits and '-', beginning with a letter and ending with a letter or digit",
};

const LABEL_VALUE_RULE = "at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit, or empty";

/** The sentence for a string that breaks the pattern of its field. */
function describePattern(subject: string, value: unknown, pattern: string): string {
  if (pattern === PORT_NAME_PATTERN) return describePortName(subject, value);
  const text = typeof value === 'string' ? value : String(value);
  const name = NAME_RULES[pattern];
  if (name) return `${subject} ${show(value)} is not a valid name: it must be ${name}${nameHint(text, pattern)}`;
  if (pattern === LABEL_VALUE_PATTERN) return `${subject} ${show(value)} is not a valid label value: ${LABEL_VALUE_RULE}${labelValueHint(text)}`;
  if (pattern === LABEL_KEY_PATTERN) return `${subject} ${show(value)} is not a valid label key: ${LABEL_KEY_RULE}${labelKeyHint(text)}`;
  return `${subject} ${show(value)} does not have the expected format (${pattern})`;
}

const LABEL_KEY_RULE = "a name of at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit, "
  + 'optionally after a DNS subdomain prefix and \'/\' (app.kubernetes.io/name)';

/** The sentence for a map key (a label or annotation key) that is not a qualified name. */
function describeKey(subject: string, key: string, pattern: string): string {
  const what = pattern === ANNOTATION_KEY_PATTERN ? 'annotation key' : 'label key';
  return `${subject} key ${show(key)} is not a valid ${what}: ${LABEL_KEY_RULE}${labelKeyHint(key)}`;
}

function nameHint(text: string, pattern: string): string {
  const limit = pattern === DNS_SUBDOMAIN_PATTERN ? 253 : 63;
  if (text.length > limit) return ` (it has ${text.length} characters)`;
  if (text !== text.toLowerCase() && text.toLowerCase() !== text.toUpperCase()) return ` (it has capital letters: ${text.toLowerCase()} would do)`;
  if (pattern === DNS_1035_LABEL_PATTERN && /^[0-9]/.test(text)) return ' (it begins with a digit)';
  if (pattern !== DNS_SUBDOMAIN_PATTERN && text.includes('.')) return " (it has a '.')";
  return offendingCharacter(text, /[^a-z0-9.-]/);
}

function labelValueHint(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text)) return ' (kubectl reads an unquoted date as a timestamp and writes it like this: quote the date)';
  if (text.length > 63) return ` (it has ${text.length} characters)`;
  return offendingCharacter(text, /[^A-Za-z0-9._-]/);
}

function labelKeyHint(text: string): string {
  const slash = text.lastIndexOf('/');
  const name = slash === -1 ? text : text.slice(slash + 1);
  if (name.length > 63) return ` (its name part has ${name.length} characters)`;
  if (name.length === 0) return ' (the name after the prefix is empty)';
  return offendingCharacter(text, /[^A-Za-z0-9._/-]/);
}

/** ` (it contains ' ')` for the first character that may not appear, or nothing. */
function offendingCharacter(text: string, forbidden: RegExp): string {
  const match = forbidden.exec(text);
  if (!match) return '';
  const character = match[0];
  return ` (it contains ${character === '\n' ? 'a line break' : character === ' ' ? 'a space' : `'${character}'`})`;
}

/** The sentence for a string that is not an IANA_SVC_NAME port name. */
function describePortName(subject: string, value: unknown): string {
  if (typeof value !== 'string') return `${subject} must be a port name, not ${show(value)}`;
  const base = `${subject} ${show(value)} is not a valid port name: at most 15 lowercase letters, digits and '-'`;
  if (/^\s*\d+\s*$/.test(value)) {
    return `${base}, with at least one letter; for port number ${value.trim()}, write it without quotes`;
  }
  if (!/^[a-z0-9-]*$/.test(value)) return base;
  if (value.length === 0) return `${subject} is empty, which is not a valid port name: 1 to 15 lowercase letters, digits and '-'`;
  if (value.length > 15) return `${base} (this one has ${value.length} characters)`;
  if (!/[a-z]/.test(value)) return `${base}, with at least one letter`;
  if (value.startsWith('-') || value.endsWith('-')) return `${base}, not starting or ending with '-'`;
  if (value.includes('--')) return `${base}, without '--'`;
  return base;
}

/** One sentence for an int-or-string (oneOf) or either-field (anyOf of required) node. */
function describeComposite(subject: string, path: readonly Segment[], value: unknown, node: SchemaNode, root: SchemaNode): string {
  const branches = ((node.oneOf ?? node.anyOf) as unknown[]).map((branch) => deref(root, branch)).filter(isNode);
  const requiredOnly = branches.every((branch) => Array.isArray(branch.required) && !branch.properties && !branch.oneOf);
  if (requiredOnly) {
    // ajv reports the branches before the node's own type: a wrong type comes first.
    if (!hasType(value, 'object')) return describeType(subject, path, value, expectedTypes(node.type), node);
    const fields = branches.map((branch) => (branch.required as string[]).join(' and '));
    return `${subject} needs ${fields.length > 1 ? 'either ' : ''}${fields.join(' or ')}`;
  }
  const expect = typeof node.description === 'string' ? node.description : branches.map((branch) => typePhrase(expectedTypes(branch.type))).join(' or ');
  const branch = branches.find((candidate) => expectedTypes(candidate.type).some((type) => hasType(value, type)));
  if (branch && typeof value === 'string' && branch.pattern === PORT_NAME_PATTERN) return describePortName(subject, value);
  if (branch === undefined && typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    return `${subject} must be ${expect}, not ${show(value)}; write it without quotes: ${value.trim()}`;
  }
  return `${subject} must be ${expect}, not ${show(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Hints

function requiredHint(path: readonly Segment[], missing: string): string {
  const parent = [...path].reverse().find((segment): segment is string => typeof segment === 'string');
  if (missing === 'cidr' && parent === 'ipBlock') return ' (an ipBlock needs a CIDR range such as 10.0.0.0/16)';
  if (missing === 'podSelector') return ' (write podSelector: {} to select every pod in the namespace)';
  if (missing === 'containerPort') return ' (the port number the container listens on)';
  if (missing === 'port' && parent === 'ports') return ' (the port number the Service listens on)';
  return '';
}

function emptyHint(path: readonly Segment[], expected: readonly string[]): string {
  if (path[path.length - 1] === 'podSelector') return '; write podSelector: {} to select every pod in the namespace';
  if (expected.includes('string') && path.length >= 2 && (path[path.length - 2] === 'labels' || path[path.length - 2] === 'annotations'
    || path[path.length - 2] === 'matchLabels' || path[path.length - 2] === 'selector' || path[path.length - 2] === 'nodeSelector')) {
    return '; write "" for an empty string';
  }
  if (expected.includes('object')) return '; write {} for an empty mapping';
  if (expected.includes('array')) return '; write [] for an empty list';
  return '';
}

// ---------------------------------------------------------------------------------------------
// Expectations and values

function expectation(node: SchemaNode | undefined, types: readonly string[]): string | undefined {
  if (!node) return undefined;
  if (typeof node.description === 'string') return node.description;
  if (Array.isArray(node.enum)) return `one of ${node.enum.filter((choice) => choice !== null).map(String).join(', ')}`;
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  const max = typeof node.maximum === 'number' ? node.maximum : undefined;
  const noun = types.includes('integer') || expectedTypes(node.type).includes('integer') ? 'an integer' : 'a number';
  if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
  if (min !== undefined) return `${noun} of ${min} or more`;
  if (max !== undefined) return `${noun} of ${max} or less`;
  return undefined;
}

function rangeFromParams(error: ErrorObject): string {
  const { comparison, limit } = error.params as { comparison?: string; limit?: number };
  switch (comparison) {
    case '>=': return `${limit} or more`;
    case '>': return `more than ${limit}`;
    case '<=': return `${limit} or less`;
    case '<': return `less than ${limit}`;
    default: return 'in range';
  }
}

function numberTypes(value: unknown): string[] {
  return Number.isInteger(value) ? ['integer'] : ['number'];
}

function expectedTypes(type: unknown): string[] {
  const types = Array.isArray(type) ? type.map(String) : typeof type === 'string' ? type.split(',') : [];
  return types.filter((candidate) => candidate !== 'null');
}

const TYPE_PHRASES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

function typePhrase(types: readonly string[]): string {
  if (types.length === 0) return 'a value';
  return types.map((type) => TYPE_PHRASES[type] ?? type).join(' or ');
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    case 'null': return value === null;
    default: return typeof value === type;
  }
}

/** A value the way a kubectl user reads it in a sentence. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Paths in the document and in the schema

/** `/spec/ports/0/port` → `['spec', 'ports', 0, 'port']`; indexes are numbers only inside lists. */
function instanceSegments(pointer: string, document: unknown): Segment[] {
  if (pointer === '') return [];
  const segments: Segment[] = [];
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : undefined;
    const segment = index !== undefined && (Array.isArray(current) || current === undefined) ? index : key;
    segments.push(segment);
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return segments;
}

function valueAt(document: unknown, path: readonly Segment[]): unknown {
  let current = document;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * The kind schema the error came from. ajv's schemaPath is relative to whichever compiled
 * function raised the error, so the schema node is found by walking the instance path instead.
 */
function rootSchema(document: unknown, kind: string | undefined, path: readonly Segment[], error: ErrorObject): SchemaNode | undefined {
  const documentKind = typeof document === 'object' && document !== null ? (document as Record<string, unknown>).kind : undefined;
  const named = kind ?? (typeof documentKind === 'string' ? documentKind : undefined);
  if (named !== undefined && named in KIND_SCHEMAS) return KIND_SCHEMAS[named] as SchemaNode;
  // Unknown kind: the first schema with a node at this path that has the failing keyword.
  for (const candidate of Object.values(KIND_SCHEMAS) as SchemaNode[]) {
    const node = schemaAt(candidate, candidate, path);
    if (node && (error.keyword in node || Array.isArray(node.oneOf) || Array.isArray(node.anyOf))) return candidate;
  }
  return undefined;
}

function schemaAt(root: SchemaNode, start: SchemaNode, path: readonly Segment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = deref(root, start);
  for (const segment of path) {
    if (!node) return undefined;
    let next: unknown;
    if (typeof segment === 'number') {
      next = node.items;
    } else {
      const properties = node.properties as Record<string, unknown> | undefined;
      next = properties && Object.hasOwn(properties, segment) ? properties[segment] : node.additionalProperties;
    }
    node = deref(root, next);
  }
  return node;
}

function deref(root: SchemaNode, node: unknown): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; isNode(current) && typeof current.$ref === 'string' && hops < 10; hops++) {
    const match = /^#\/definitions\/(.+)$/.exec(current.$ref);
    const definitions = root.definitions as Record<string, unknown> | undefined;
    current = match && definitions ? definitions[match[1]] : undefined;
  }
  return isNode(current) ? current : undefined;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
