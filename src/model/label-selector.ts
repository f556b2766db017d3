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

/** Returns why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key '${key}' has an invalid prefix (a DNS subdomain is expected)`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `label key '${key}' is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  return undefined;
}

/** Returns why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) return `label value '${value}' is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  return undefined;
}

/**
 * Validates and normalises a raw `LabelSelector` as the API server does
 * (apimachinery's `LabelSelectorAsSelector`): In/NotIn need values, Exists/DoesNotExist take none.
 */
export function parseLabelSelector(raw: unknown): { selector?: LabelSelector; problems: SelectorProblem[] } {
  const problems: SelectorProblem[] = [];
  const requirements: LabelRequirement[] = [];
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { problems: [{ path: [], message: 'a label selector must be a mapping' }] };
  }
  const value = (raw ?? {}) as { matchLabels?: unknown; matchExpressions?: unknown };
  if (value.matchLabels != null && (typeof value.matchLabels !== 'object' || Array.isArray(value.matchLabels))) {
    return { problems: [{ path: ['matchLabels'], message: 'matchLabels must be a mapping of label keys to values' }] };
  }
  if (value.matchExpressions != null && !Array.isArray(value.matchExpressions)) {
    return { problems: [{ path: ['matchExpressions'], message: 'matchExpressions must be a list' }] };
  }
  for (const [key, labelValue] of Object.entries((value.matchLabels ?? {}) as Record<string, unknown>)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(String(labelValue));
    if (problem) problems.push({ path: ['matchLabels', key], message: problem });
    else requirements.push({ key, operator: 'In', values: [String(labelValue)] });
  }
  ((value.matchExpressions ?? []) as unknown[]).forEach((expression, index) => {
    const { key, operator, values } = (expression ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    const path: FieldPath = ['matchExpressions', index];
    const valueList = Array.isArray(values) ? values.map(String) : [];
    if (typeof key !== 'string' || key === '') {
      problems.push({ path, message: 'a matchExpressions entry has no key' });
      return;
    }
    if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
      const hint = typeof operator === 'string' ? caseHint(operator) : undefined;
      problems.push({
        path: [...path, 'operator'],
        message: `operator '${String(operator)}' is not one of In, NotIn, Exists, DoesNotExist${hint ? `; did you mean ${hint}?` : ''}`,
      });
      return;
    }
    if ((operator === 'In' || operator === 'NotIn') && valueList.length === 0) {
      problems.push({ path: [...path, 'values'], message: `operator ${operator} on '${key}' needs at least one value` });
      return;
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && valueList.length > 0) {
      problems.push({ path: [...path, 'values'], message: `operator ${operator} on '${key}' must not have values` });
      return;
    }
    const syntax = labelKeyProblem(key) ?? valueList.map(labelValueProblem).find((entry) => entry !== undefined);
    if (syntax) {
      problems.push({ path, message: syntax });
      return;
    }
    requirements.push({ key, operator: operator as SelectorOperator, values: valueList });
  });
  if (problems.length > 0) return { problems };
  return { selector: { requirements, text: formatRequirements(requirements) }, problems };
}

function caseHint(operator: string): string | undefined {
  for (const known of OPERATORS) if (known.toLowerCase() === operator.toLowerCase()) return known;
  return undefined;
}

/** Returns true when `labels` satisfy every requirement of `selector`. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const requirement of selector.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    switch (requirement.operator) {
      case 'In':
        if (!has || !requirement.values.includes(labels[requirement.key])) return false;
        break;
      case 'NotIn':
        // A missing key satisfies NotIn, as in apimachinery's Requirement.Matches.
        if (has && requirement.values.includes(labels[requirement.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
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
  return requirements
    .map((requirement) => {
      switch (requirement.operator) {
        case 'In':
          return requirement.values.length === 1
            ? `${requirement.key}=${requirement.values[0]}`
            : `${requirement.key} in (${requirement.values.join(',')})`;
        case 'NotIn':
          return `${requirement.key} notin (${requirement.values.join(',')})`;
        case 'Exists':
          return requirement.key;
        case 'DoesNotExist':
          return `!${requirement.key}`;
      }
    })
    .join(',');
}

/** Formats labels as `key=value,...` in key order. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels).sort().map((key) => `${key}=${labels[key]}`).join(',');
}
