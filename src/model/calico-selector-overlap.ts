import type { CalicoSelectorNode } from './calico-selector.js';

/**
 * Decides whether two Calico selectors may match one label set: a small satisfiability check
 * over the selectors' disjunctive normal form. It is exact for `has`, `==`, `!=`, `in` and
 * `not in` (values are finite sets, and an absent label satisfies `!=` and `not in`), and
 * conservative for `contains`, `starts with` and `ends with` (taken as satisfiable unless they
 * contradict an exact value or the label's absence). Selectors too large to expand are taken to
 * overlap. Used by lint rules to tell "may select the same endpoints" from "cannot".
 */

type Literal =
  | { readonly key: string; readonly kind: 'present' | 'absent' }
  | { readonly key: string; readonly kind: 'oneOf' | 'noneOf'; readonly values: readonly string[] }
  | { readonly key: string; readonly kind: 'contains' | 'startsWith' | 'endsWith'; readonly value: string; readonly negated: boolean };

/** A conjunction of literals; `false` when it cannot hold. */
type Conjunction = readonly Literal[] | false;

/** Beyond this many conjunctions the expansion stops and the answer is "may overlap". */
const MAX_CONJUNCTIONS = 256;

class TooLarge extends Error {}

function literal(node: CalicoSelectorNode, negated: boolean): Conjunction[] {
  switch (node.type) {
    case 'all': case 'global': return negated ? [] : [[]];
    case 'has': return [[{ key: node.key, kind: negated ? 'absent' : 'present' }]];
    // `k != v` is `!(k == v)`: absent, or present with another value.
    case 'eq': return [[{ key: node.key, kind: negated ? 'noneOf' : 'oneOf', values: [node.value] }]];
    case 'ne': return [[{ key: node.key, kind: negated ? 'oneOf' : 'noneOf', values: [node.value] }]];
    case 'in': return [[{ key: node.key, kind: negated ? 'noneOf' : 'oneOf', values: node.values }]];
    case 'notIn': return [[{ key: node.key, kind: negated ? 'oneOf' : 'noneOf', values: node.values }]];
    case 'contains': case 'startsWith': case 'endsWith': return [[{ key: node.key, kind: node.type, value: node.value, negated }]];
    case 'not': return literal(node.operand, !negated);
    case 'and': case 'or': {
      // De Morgan: a negated conjunction is a disjunction of negations, and the other way round.
      const conjunctive = (node.type === 'and') !== negated;
      const parts = node.operands.map((operand) => literal(operand, negated));
      return conjunctive ? parts.reduce(product, [[]]) : limit(parts.flat());
    }
  }
}

function limit(conjunctions: Conjunction[]): Conjunction[] {
  if (conjunctions.length > MAX_CONJUNCTIONS) throw new TooLarge();
  return conjunctions;
}

function product(left: Conjunction[], right: Conjunction[]): Conjunction[] {
  const result: Conjunction[] = [];
  for (const a of left) {
    for (const b of right) {
      if (a === false || b === false) continue;
      result.push([...a, ...b]);
      if (result.length > MAX_CONJUNCTIONS) throw new TooLarge();
    }
  }
  return result;
}

/** Returns true when some label set satisfies every literal. */
function satisfiable(literals: readonly Literal[]): boolean {
  const byKey = new Map<string, Literal[]>();
  for (const entry of literals) {
    const list = byKey.get(entry.key);
    if (list) list.push(entry);
    else byKey.set(entry.key, [entry]);
  }
  for (const entries of byKey.values()) if (!keySatisfiable(entries)) return false;
  return true;
}

function keySatisfiable(entries: readonly Literal[]): boolean {
  const mustBeAbsent = entries.some((entry) => entry.kind === 'absent');
  const mustBePresent = entries.some((entry) => entry.kind === 'present' || entry.kind === 'oneOf' || ((entry.kind === 'contains' || entry.kind === 'startsWith' || entry.kind === 'endsWith') && !entry.negated));
  if (mustBeAbsent && mustBePresent) return false;
  // Absent satisfies `noneOf` and the negated string tests.
  if (!mustBePresent) return true;
  const allowed = entries.filter((entry) => entry.kind === 'oneOf').map((entry) => (entry as { values: readonly string[] }).values);
  const excluded = new Set(entries.flatMap((entry) => (entry.kind === 'noneOf' ? entry.values : [])));
  const tests = entries.filter((entry): entry is Extract<Literal, { value: string }> => entry.kind === 'contains' || entry.kind === 'startsWith' || entry.kind === 'endsWith');
  const passes = (value: string) => tests.every((test) => matchesTest(test, value) !== test.negated);
  if (allowed.length > 0) {
    const candidates = allowed.reduce((set, values) => set.filter((value) => values.includes(value)));
    return candidates.some((value) => !excluded.has(value) && passes(value));
  }
  // No finite set of values: a positive test with a value contradicted by a negated one of the
  // same kind and value cannot hold; otherwise some value exists (there are infinitely many).
  return !tests.some((test) => !test.negated && tests.some((other) => other.negated && other.kind === test.kind && other.value === test.value));
}

function matchesTest(test: { readonly kind: 'contains' | 'startsWith' | 'endsWith'; readonly value: string }, value: string): boolean {
  if (test.kind === 'contains') return value.includes(test.value);
  if (test.kind === 'startsWith') return value.startsWith(test.value);
  return value.endsWith(test.value);
}

/** Returns true when some set of labels is matched by both selectors (or the selectors are too large to tell). */
export function selectorsMayOverlap(a: CalicoSelectorNode, b: CalicoSelectorNode): boolean {
  try {
    const left = literal(a, false);
    const right = literal(b, false);
    for (const x of left) {
      for (const y of right) {
        if (x !== false && y !== false && satisfiable([...x, ...y])) return true;
      }
    }
    return false;
  } catch (error) {
    if (error instanceof TooLarge) return true;
    throw error;
  }
}

/** Returns true when some set of labels matches the selector. */
export function selectorMayMatch(node: CalicoSelectorNode): boolean {
  return selectorsMayOverlap(node, { type: 'all', start: 0, end: 0 });
}
