import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  evaluateCalicoSelector, parseCalicoSelector, prefixSelectorLabels, printCalicoSelector, selectorLabelKeys, usesGlobal, type CalicoSelectorNode,
} from '../../src/model/calico-selector.js';

function parse(text: string): CalicoSelectorNode {
  const parsed = parseCalicoSelector(text);
  if ('error' in parsed) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.selector.root;
}

function errorOf(text: string): { message: string; offset: number; length: number } {
  const parsed = parseCalicoSelector(text);
  if (!('error' in parsed)) throw new Error(`${text} parsed`);
  return parsed.error;
}

function matches(text: string, labels: Record<string, string>): boolean {
  return evaluateCalicoSelector(parse(text), labels);
}

/** The tree without positions, to compare structure. */
function shape(node: CalicoSelectorNode): unknown {
  switch (node.type) {
    case 'all': case 'global': return node.type;
    case 'not': return { not: shape(node.operand) };
    case 'and': case 'or': return { [node.type]: node.operands.map(shape) };
    case 'has': return { has: node.key };
    case 'in': case 'notIn': return { [node.type]: [node.key, node.values] };
    default: return { [node.type]: [node.key, node.value] };
  }
}

describe('Calico selectors: evaluation (libcalico-go parser semantics)', () => {
  it('reads an empty or blank selector as all()', () => {
    expect(shape(parse(''))).toBe('all');
    expect(shape(parse(' \t '))).toBe('all');
  });

  it.each([
    ["a == 'b'", { a: 'b' }, true],
    ["a == 'b'", { a: 'c' }, false],
    ["a == 'b'", {}, false],
    // != and not in also match objects without the label.
    ["a != 'b'", {}, true],
    ["a != 'b'", { a: 'c' }, true],
    ["a != 'b'", { a: 'b' }, false],
    ["a in {'b', 'c'}", { a: 'c' }, true],
    ["a in {'b', 'c'}", {}, false],
    ["a not in {'b', 'c'}", {}, true],
    ["a not in {'b', 'c'}", { a: 'b' }, false],
    ['a in {}', { a: '' }, false],
    ['a not in {}', { a: 'x' }, true],
    ["a in {'x',}", { a: 'x' }, true],
    ['has(a)', { a: '' }, true],
    ['!has(a)', { a: '' }, false],
    ['! has( a )', {}, true],
    ["a contains 'ell'", { a: 'hello' }, true],
    ["a contains 'ell'", {}, false],
    ["a starts with 'he'", { a: 'hello' }, true],
    ["a startswith 'he'", { a: 'hello' }, true],
    ["a ends  with 'lo'", { a: 'hello' }, true],
    ["a ends with 'he'", { a: 'hello' }, false],
    ['all()', {}, true],
    ['!all()', { a: 'b' }, false],
    ['global()', {}, true],
    ['a == "it\'s"', { a: "it's" }, true],
    ["has_named_port == 'dns-local'", { has_named_port: 'dns-local' }, true],
    ["projectcalico.org/namespace == 'kube-system'", { 'projectcalico.org/namespace': 'kube-system' }, true],
    ["vendor.role in { 'worker_public', 'master_public' }", { 'vendor.role': 'master_public' }, true],
    // Leading !s collapse: two of them cancel.
    ['!!has(a)', { a: 'x' }, true],
    ['!!!has(a)', { a: 'x' }, false],
  ] as const)('%s with %j is %s', (text, labels, expected) => {
    expect(matches(text, labels)).toBe(expected);
  });

  it('binds ! tighter than && and && tighter than || (the reference page example)', () => {
    const text = "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}";
    expect(shape(parse(text))).toEqual({
      or: [{ not: { has: 'my-label' } }, { and: [{ startsWith: ['my-label', 'prod'] }, { in: ['role', ['business', 'frontend']] }] }],
    });
    expect(matches(text, {})).toBe(true);
    expect(matches(text, { 'my-label': 'prod-1', role: 'business' })).toBe(true);
    expect(matches(text, { 'my-label': 'dev', role: 'business' })).toBe(false);
    // ! applies to one operation: !a == 'b' && c == 'd' is (!(a == 'b')) && c == 'd'.
    expect(shape(parse("!a == 'b' && c == 'd'"))).toEqual({ and: [{ not: { eq: ['a', 'b'] } }, { eq: ['c', 'd'] }] });
    expect(shape(parse("!(a == 'b' && c == 'd')"))).toEqual({ not: { and: [{ eq: ['a', 'b'] }, { eq: ['c', 'd'] }] } });
  });

  it('keeps positions of nodes', () => {
    const root = parse("  app == 'web' && has(tier)");
    expect(root).toMatchObject({ type: 'and', start: 2, end: 27 });
    if (root.type !== 'and') throw new Error('and expected');
    expect(root.operands[0]).toMatchObject({ start: 2, end: 14 });
    expect(root.operands[1]).toMatchObject({ start: 18, end: 27 });
  });
});

describe('Calico selectors: errors point at the column', () => {
  it.each([
    ["a = 'b'", 2, /expected '=='/],
    ['a == b', 5, /values must be quoted: 'b'/],
    ["a == b && c == 'd'", 5, /expected a quoted string after '==', found label/],
    ["a == 'b", 5, /unterminated string/],
    ['has (a)', 4, /expected an operator after label 'has', found '\('/],
    ["a == 'b' &&", 11, /unexpected end of selector/],
    ["(a == 'b'", 9, /expected '\)' to close the '\(' at column 1/],
    ["a == 'b')", 8, /unexpected content at end of selector: '\)'/],
    ['app', 0, /the label 'app' at the end of the selector/],
    ["a == 'x'\n&& b == 'y'", 8, /a line break/],
    ["a in ('x')", 5, /expected a set literal/],
    ["a in {'x' 'y'}", 10, /expected '}'/],
    ['has(a', 0, /no closing '\)' after has\(/],
    ["&& a == 'b'", 0, /unexpected '&&'/],
    ["a & b == 'c'", 2, /expected '&&'/],
    ["a | b == 'c'", 2, /expected '\|\|'/],
    ["a starts 'x'", 2, /expected an operator/],
    ["a has(b)", 2, /expected an operator/],
    ['all(x)', 0, /no closing '\)' after all\(/],
    ["a == 'b' || ", 12, /unexpected end of selector/],
    ["a == 'b' c == 'd'", 9, /unexpected content at end of selector: label/],
    ['app == "web" && (tier', 17, /the label 'tier' at the end of the selector/],
  ] as const)('%j fails at offset %i', (text, offset, message) => {
    const error = errorOf(text);
    expect(error.offset).toBe(offset);
    expect(error.message).toMatch(message);
    expect(error.length).toBeGreaterThan(0);
  });
});

describe('Calico selectors: printing as libcalico-go String() does', () => {
  it.each([
    ["a=='b'", 'a == "b"'],
    ["a == 'say \"hi\"'", "a == 'say \"hi\"'"],
    ["k in {'y', 'x', 'y'}", 'k in {"x", "y"}'],
    ["k not in {}", 'k not in {}'],
    ["a=='b'&&has(c)||!d starts with 'x'", '((a == "b" && has(c)) || !d starts with "x")'],
    ['!(has(a) || has(b))', '!(has(a) || has(b))'],
    ['', 'all()'],
    ['global()', 'global()'],
  ])('%j prints as %j', (text, printed) => {
    expect(printCalicoSelector(parse(text))).toBe(printed);
  });

  it('prefixes label keys as PrefixVisitor does', () => {
    expect(printCalicoSelector(prefixSelectorLabels(parse("a == 'b' && !has(c) && k in {'x'} || all()"), 'pcns.')))
      .toBe('((pcns.a == "b" && !has(pcns.c) && pcns.k in {"x"}) || all())');
    expect(selectorLabelKeys(parse("a == 'b' && (has(c) || a != 'd')"))).toEqual(['a', 'c']);
    expect(usesGlobal(parse('!global()'))).toBe(true);
    expect(usesGlobal(parse('all()'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: random selectors, printed and reparsed; evaluation against a reference
// evaluator written from the grammar on the reference page, which reads the text directly.

const KEYS = ['a', 'b', 'app.kubernetes.io/name', 'x-y', 'k_1'];
const VALUES = ['', 'v', 'w', "it's", 'say "hi"', 'v w', 'ab'];

const leaf: fc.Arbitrary<CalicoSelectorNode> = fc.oneof(
  fc.constant<CalicoSelectorNode>({ type: 'all', start: 0, end: 0 }),
  fc.constantFrom(...KEYS).map((key): CalicoSelectorNode => ({ type: 'has', key, start: 0, end: 0 })),
  fc.record({ type: fc.constantFrom('eq', 'ne', 'contains', 'startsWith', 'endsWith'), key: fc.constantFrom(...KEYS), value: fc.constantFrom(...VALUES) })
    .map((node) => ({ ...node, start: 0, end: 0 }) as CalicoSelectorNode),
  fc.record({ type: fc.constantFrom('in', 'notIn'), key: fc.constantFrom(...KEYS), values: fc.uniqueArray(fc.constantFrom(...VALUES), { maxLength: 3 }) })
    .map((node) => ({ ...node, values: [...node.values].sort(), start: 0, end: 0 }) as CalicoSelectorNode),
);

const selectorTree: fc.Arbitrary<CalicoSelectorNode> = fc.letrec<{ node: CalicoSelectorNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    // The parser never makes a ! of a !: leading !s collapse.
    tie('node').filter((node) => node.type !== 'not').map((operand): CalicoSelectorNode => ({ type: 'not', operand, start: 0, end: 0 })),
    fc.record({ type: fc.constantFrom('and', 'or'), operands: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) })
      .map((node) => ({ ...node, start: 0, end: 0 }) as CalicoSelectorNode),
  ),
})).node;

const labelSets = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 4 });

/** Writes a tree with random spacing, quoting, redundant parentheses and double negations: the same selector in other words. */
function render(node: CalicoSelectorNode, choices: () => number): string {
  const space = () => [' ', '', '  ', '\t'][choices() % 4];
  const quote = (value: string) => (value.includes("'") ? `"${value}"` : value.includes('"') ? `'${value}'` : choices() % 2 === 0 ? `'${value}'` : `"${value}"`);
  const wrap = (text: string) => (choices() % 5 === 0 ? `(${space()}${text}${space()})` : text);
  switch (node.type) {
    case 'all': return wrap(`all(${space()})`);
    case 'global': return wrap('global()');
    case 'has': return wrap(`has(${space()}${node.key}${space()})`);
    case 'eq': return wrap(`${node.key}${space()}==${space()}${quote(node.value)}`);
    case 'ne': return wrap(`${node.key}${space()}!=${space()}${quote(node.value)}`);
    case 'contains': return wrap(`${node.key} contains${space()}${quote(node.value)}`);
    case 'startsWith': return wrap(`${node.key} starts${space()}with${space()}${quote(node.value)}`);
    case 'endsWith': return wrap(`${node.key} ends${space()}with${space()}${quote(node.value)}`);
    case 'in': case 'notIn': {
      const values = node.values.map(quote).join(`,${space()}`);
      return wrap(`${node.key} ${node.type === 'in' ? 'in' : `not${space() || ' '}in`}${space()}{${space()}${values}${node.values.length > 0 && choices() % 3 === 0 ? ',' : ''}${space()}}`);
    }
    case 'not': return `${choices() % 4 === 0 ? '!!' : ''}!${space()}${render(node.operand, choices).startsWith('!') ? `(${render(node.operand, choices)})` : render(node.operand, choices)}`;
    case 'and': case 'or': return `(${node.operands.map((operand) => render(operand, choices)).join(`${space()}${node.type === 'and' ? '&&' : '||'}${space()}`)})`;
  }
}

/**
 * A reference evaluator, written from the grammar and the operator table of Calico's selector
 * reference, that evaluates the text itself (no tree): recursive descent over characters.
 */
function referenceEvaluate(text: string, labels: Record<string, string>): boolean {
  let index = 0;
  const skip = () => { while (text[index] === ' ' || text[index] === '\t') index++; };
  const word = (expected: string) => {
    skip();
    if (!text.startsWith(expected, index)) throw new Error(`expected ${expected} at ${index} in ${text}`);
    index += expected.length;
  };
  const label = () => {
    skip();
    const start = index;
    while (index < text.length && /[a-zA-Z0-9_./-]/.test(text[index])) index++;
    return text.slice(start, index);
  };
  const string = () => {
    skip();
    const quote = text[index];
    const close = text.indexOf(quote, index + 1);
    const value = text.slice(index + 1, close);
    index = close + 1;
    return value;
  };
  const has = (key: string) => Object.hasOwn(labels, key);
  const or = (): boolean => {
    let result = and();
    skip();
    while (text.startsWith('||', index)) {
      index += 2;
      const right = and();
      result = result || right;
      skip();
    }
    return result;
  };
  const and = (): boolean => {
    let result = unary();
    skip();
    while (text.startsWith('&&', index)) {
      index += 2;
      const right = unary();
      result = result && right;
      skip();
    }
    return result;
  };
  const unary = (): boolean => {
    skip();
    if (text[index] === '!' && text[index + 1] !== '=') {
      index++;
      return !unary();
    }
    if (text[index] === '(') {
      index++;
      const result = or();
      word(')');
      return result;
    }
    if (text.startsWith('has(', index)) {
      index += 4;
      const key = label();
      word(')');
      return has(key);
    }
    if (text.startsWith('all(', index)) {
      index += 4;
      word(')');
      return true;
    }
    if (text.startsWith('global(', index)) {
      index += 7;
      word(')');
      return true;
    }
    const key = label();
    skip();
    const value = labels[key];
    if (text.startsWith('==', index)) { index += 2; const expected = string(); return has(key) && value === expected; }
    if (text.startsWith('!=', index)) { index += 2; const expected = string(); return !has(key) || value !== expected; }
    if (text.startsWith('contains', index)) { index += 8; const part = string(); return has(key) && value.includes(part); }
    if (text.startsWith('starts', index)) { index += 6; word('with'); const part = string(); return has(key) && value.startsWith(part); }
    if (text.startsWith('ends', index)) { index += 4; word('with'); const part = string(); return has(key) && value.endsWith(part); }
    const negated = text.startsWith('not', index);
    if (negated) index += 3;
    word('in');
    word('{');
    const values: string[] = [];
    skip();
    while (text[index] === '"' || text[index] === "'") {
      values.push(string());
      skip();
      if (text[index] === ',') index++;
      skip();
    }
    word('}');
    return negated ? !has(key) || !values.includes(value) : has(key) && values.includes(value);
  };
  const result = or();
  skip();
  if (index !== text.length) throw new Error(`reference evaluator stopped at ${index} in ${text}`);
  return result;
}

describe('Calico selectors: properties', () => {
  it('parse(print(e)) is e', () => {
    fc.assert(fc.property(selectorTree, (tree) => {
      expect(shape(parse(printCalicoSelector(tree)))).toEqual(shape(tree));
    }), { numRuns: 500 });
  });

  it('evaluates as the reference evaluator does, however the selector is written', () => {
    fc.assert(fc.property(selectorTree, labelSets, fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), (tree, labels, seed) => {
      let cursor = 0;
      const text = render(tree, () => seed[cursor++ % seed.length]);
      const parsed = parse(text);
      expect(evaluateCalicoSelector(parsed, labels)).toBe(referenceEvaluate(text, labels));
      expect(evaluateCalicoSelector(parsed, labels)).toBe(evaluateCalicoSelector(tree, labels));
      // Positions cover the text: the root spans from its first to its last character.
      expect(parsed.start).toBeGreaterThanOrEqual(0);
      expect(parsed.end).toBeLessThanOrEqual(text.length);
    }), { numRuns: 500 });
  });

  it('printing keeps the meaning', () => {
    fc.assert(fc.property(selectorTree, labelSets, (tree, labels) => {
      expect(referenceEvaluate(printCalicoSelector(tree), labels)).toBe(evaluateCalicoSelector(tree, labels));
    }), { numRuns: 500 });
  });
});
