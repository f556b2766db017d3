import type { FieldPath } from '../load/path.js';

/** Labels of an object: key to value. */
export type Labels = Readonly<Record<string, string>>;

/** The operators a set-based label requirement may use. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One requirement of a label selector; `matchLabels` entries become `In` with one value. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/**
 * A validated label selector. `{}` has no requirements and matches everything; a missing
 * selector is represented by `undefined` wherever the API distinguishes the two.
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** The selector the way kubectl prints it: `app=web,tier in (front)`; `<all>` for `{}`. */
  readonly text: string;
}

/** A problem that makes a selector invalid, at a path relative to the selector. */
export interface SelectorProblem {
  readonly path: FieldPath;
  readonly message: string;
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

// apimachinery's validation: a key is an optional DNS-subdomain prefix and a name of at most 63
// characters; a value is at most 63 characters of alphanumerics, '-', '_' and '.', alphanumeric
// at both ends, or empty.
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Answers of labelKeyProblem and labelValueProblem, by text: a cluster's selectors and labels use
 * the same few keys and values thousands of times. Only valid ones are kept (invalid ones are rare
 * and reported), so the sets stay as small as the texts of the input.
 */
const validKeys = new Set<string>();
const validValues = new Set<string>();

/** Returns why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  if (validKeys.has(key)) return undefined;
  const problem = checkLabelKey(key);
  if (problem === undefined) validKeys.add(key);
  return problem;
}

function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key '${key}' has an invalid prefix (a DNS subdomain is expected)`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `label key '${key}' is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  return undefined;
}

/** Returns why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || validValues.has(value)) return undefined;
  if (value.length <= 63 && LABEL_NAME.test(value)) {
    validValues.add(value);
    return undefined;
  }
  return `label value '${value}' is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
}

/** The entries of a raw selector (`matchLabels`, `matchExpressions`), read past the checks of its shape. */
export interface SelectorEntries {
  readonly matchLabels: readonly (readonly [string, unknown])[];
  readonly matchExpressions: readonly unknown[];
}

/**
 * Returns the entries of a raw selector, or the problem with its shape: it must be a mapping (or
 * empty), `matchLabels` a mapping and `matchExpressions` a list. `notAMapping` is the message for
 * a selector that is not a mapping.
 */
export function readSelectorEntries(raw: unknown, notAMapping: string): SelectorEntries | { readonly problem: SelectorProblem } {
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { problem: { path: [], message: notAMapping } };
  }
  const value = (raw ?? {}) as { matchLabels?: unknown; matchExpressions?: unknown };
  if (value.matchLabels != null && (typeof value.matchLabels !== 'object' || Array.isArray(value.matchLabels))) {
    return { problem: { path: ['matchLabels'], message: 'matchLabels must be a mapping of label keys to values' } };
  }
  if (value.matchExpressions != null && !Array.isArray(value.matchExpressions)) {
    return { problem: { path: ['matchExpressions'], message: 'matchExpressions must be a list' } };
  }
  return { matchLabels: Object.entries((value.matchLabels ?? {}) as Record<string, unknown>), matchExpressions: (value.matchExpressions ?? []) as unknown[] };
}

/** A `matchExpressions` entry that apimachinery would turn into a requirement (its key's syntax aside). */
export interface SelectorExpression {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/**
 * Reads the `matchExpressions` entry at `path` as apimachinery's `LabelSelectorAsSelector` does:
 * it needs a key and a known operator; In and NotIn need values, Exists and DoesNotExist take
 * none. Returns the expression, or the problem that makes the API refuse it.
 */
export function readSelectorExpression(expression: unknown, path: FieldPath): SelectorExpression | { readonly problem: SelectorProblem } {
  const { key, operator, values } = (expression ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
  const valueList = Array.isArray(values) ? values.map(String) : [];
  if (typeof key !== 'string' || key === '') {
    return { problem: { path, message: 'a matchExpressions entry has no key' } };
  }
  if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
    const hint = typeof operator === 'string' ? caseHint(operator) : undefined;
    return {
      problem: {
        path: [...path, 'operator'],
        message: `operator '${String(operator)}' is not one of In, NotIn, Exists, DoesNotExist${hint ? `; did you mean ${hint}?` : ''}`,
      },
    };
  }
  if ((operator === 'In' || operator === 'NotIn') && valueList.length === 0) {
    return { problem: { path: [...path, 'values'], message: `operator ${operator} on '${key}' needs at least one value` } };
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && valueList.length > 0) {
    return { problem: { path: [...path, 'values'], message: `operator ${operator} on '${key}' must not have values` } };
  }
  return { key, operator: operator as SelectorOperator, values: valueList };
}

/**
 * Validates and normalises a raw `LabelSelector` as the API server does
 * (apimachinery's `LabelSelectorAsSelector`): In/NotIn need values, Exists/DoesNotExist take none.
 */
export function parseLabelSelector(raw: unknown): { selector?: LabelSelector; problems: SelectorProblem[] } {
  const entries = readSelectorEntries(raw, 'a label selector must be a mapping');
  if ('problem' in entries) return { problems: [entries.problem] };
  const problems: SelectorProblem[] = [];
  const requirements: LabelRequirement[] = [];
  for (const [key, labelValue] of entries.matchLabels) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(String(labelValue));
    if (problem) problems.push({ path: ['matchLabels', key], message: problem });
    else requirements.push({ key, operator: 'In', values: [String(labelValue)] });
  }
  entries.matchExpressions.forEach((raw, index) => {
    const path: FieldPath = ['matchExpressions', index];
    const expression = readSelectorExpression(raw, path);
    if ('problem' in expression) {
      problems.push(expression.problem);
      return;
    }
    const syntax = labelKeyProblem(expression.key) ?? expression.values.map(labelValueProblem).find((entry) => entry !== undefined);
    if (syntax) {
      problems.push({ path, message: syntax });
      return;
    }
    requirements.push(expression);
  });
  if (problems.length > 0) return { problems };
  return { selector: { requirements, text: formatRequirements(requirements) }, problems };
}

function caseHint(operator: string): string | undefined {
  for (const known of OPERATORS) if (known.toLowerCase() === operator.toLowerCase()) return known;
  return undefined;
}

/**
 * Returns true when a label of value `value` (undefined when the key is absent) satisfies
 * `requirement`, as apimachinery's Requirement.Matches: a missing key satisfies NotIn and
 * DoesNotExist only.
 */
export function satisfiesRequirement(requirement: { readonly operator: SelectorOperator; readonly values: readonly string[] }, value: string | undefined): boolean {
  switch (requirement.operator) {
    case 'In': return value !== undefined && requirement.values.includes(value);
    case 'NotIn': return value === undefined || !requirement.values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
  }
}

/** Returns true when `labels` satisfy every requirement of `selector`. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const requirement of selector.requirements) {
    const value = Object.prototype.hasOwnProperty.call(labels, requirement.key) ? labels[requirement.key] : undefined;
    if (!satisfiesRequirement(requirement, value)) return false;
  }
  return true;
}

/** Returns true when the selector has no requirement, i.e. it is `{}` and selects everything. */
export function selectsEverything(selector: LabelSelector): boolean {
  return selector.requirements.length === 0;
}

/** Formats requirements the way kubectl prints selectors. */
export function formatRequirements(requirements: readonly LabelRequirement[]): string {
  if (requirements.length === 0) return '<all>';
  return requirements.map((requirement) => formatRequirement(requirement.key, requirement)).join(',');
}

/** Formats one requirement on `key` (as the selector's language writes the key) the way kubectl prints it: `app=web`, `env in (a,b)`, `!env`. */
export function formatRequirement(key: string, requirement: { readonly operator: SelectorOperator; readonly values: readonly string[] }): string {
  switch (requirement.operator) {
    case 'In': return requirement.values.length === 1 ? `${key}=${requirement.values[0]}` : `${key} in (${requirement.values.join(',')})`;
    case 'NotIn': return `${key} notin (${requirement.values.join(',')})`;
    case 'Exists': return key;
    case 'DoesNotExist': return `!${key}`;
  }
}

/** Formats labels as `key=value,...` in key order. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels).sort().map((key) => `${key}=${labels[key]}`).join(',');
}
