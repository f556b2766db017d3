import type { Labels } from './label-selector.js';

/**
 * Calico's selector language, as libcalico-go's tokenizer and parser (lib/selector/tokenizer,
 * lib/selector/parser) read it, with the position of every node and of every error inside the
 * selector text so that a finding can point at the column.
 *
 * Grammar (the parser's own structure; lowest precedence first):
 *
 *     selector   := or-expr | <empty>                 (empty or only spaces: all())
 *     or-expr    := and-expr ( '||' and-expr )*
 *     and-expr   := operation ( '&&' operation )*
 *     operation  := '!'* ( 'has(' label ')' | 'all()' | 'global()' | '(' or-expr ')'
 *                        | label ( '==' | '!=' | 'contains' | 'starts with' | 'ends with' ) string
 *                        | label ( 'in' | 'not in' ) '{' [ string ( ',' string )* [ ',' ] ] '}' )
 *     label      := [a-zA-Z0-9_./-]+                  (not at the very end of the text)
 *     string     := '"' [^"]* '"' | "'" [^']* "'"    (no escapes)
 *
 * Corners taken from the code, not guessed: white space is only space and tab (a newline is an
 * unexpected character); leading `!`s collapse (`!!a == 'b'` is `a == 'b'`); `!` binds to one
 * operation, tighter than `&&`; `has(`, `all(` and `global(` need the parenthesis right after the
 * word, so `has (a)` is the label `has` followed by an error; the operators after a label are
 * recognised by prefix (`startswith` reads as `starts with`, `in{` as `in {`); a set may end in a
 * comma and may be empty; a label running to the very end of the text is an error
 * ("unexpected characters"), as `findIdentifier` finds no end for it.
 */

/** A node of a parsed selector, with its `[start, end)` offsets in the selector text. */
export type CalicoSelectorNode =
  | { readonly type: 'all'; readonly start: number; readonly end: number }
  | { readonly type: 'global'; readonly start: number; readonly end: number }
  | { readonly type: 'has'; readonly key: string; readonly start: number; readonly end: number }
  | {
    readonly type: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith';
    readonly key: string;
    readonly value: string;
    readonly start: number;
    readonly end: number;
  }
  | { readonly type: 'in' | 'notIn'; readonly key: string; readonly values: readonly string[]; readonly start: number; readonly end: number }
  | { readonly type: 'not'; readonly operand: CalicoSelectorNode; readonly start: number; readonly end: number }
  | { readonly type: 'and' | 'or'; readonly operands: readonly CalicoSelectorNode[]; readonly start: number; readonly end: number };

/** Why a selector does not parse, and where: `[offset, offset + length)` in the selector text. */
export interface CalicoSelectorError {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

/** A parsed selector: the text as written and its tree. */
export interface CalicoSelector {
  readonly text: string;
  readonly root: CalicoSelectorNode;
}

type TokenKind =
  | 'label' | 'string' | 'lbrace' | 'rbrace' | 'comma' | 'eq' | 'ne' | 'in' | 'not' | 'notIn' | 'contains'
  | 'startsWith' | 'endsWith' | 'all' | 'has' | 'lparen' | 'rparen' | 'and' | 'or' | 'global' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** How tokens are named in error messages, as a reader of the selector would call them. */
const TOKEN_NAMES: Readonly<Record<TokenKind, string>> = {
  label: 'label', string: 'string', lbrace: "'{'", rbrace: "'}'", comma: "','", eq: "'=='", ne: "'!='", in: "'in'",
  not: "'!'", notIn: "'not in'", contains: "'contains'", startsWith: "'starts with'", endsWith: "'ends with'", all: "'all()'",
  has: "'has(...)'", lparen: "'('", rparen: "')'", and: "'&&'", or: "'||'", global: "'global()'", eof: 'end of selector',
};

class SelectorSyntaxError extends Error {
  constructor(message: string, readonly offset: number, readonly length: number) {
    super(message);
  }
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9;
}

function isIdentifierCharacter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 46 || code === 47 || code === 45;
}

/**
 * The label starting at `offset`, as libcalico-go's `findIdentifier` finds it: the run of label
 * characters up to the first other character; empty when there is none, and also when the run
 * reaches the end of the text (the function returns "" when it finds no end).
 */
function identifierAt(text: string, offset: number): string {
  for (let index = offset; index < text.length; index++) {
    if (!isIdentifierCharacter(text.charCodeAt(index))) return text.slice(offset, index);
  }
  return '';
}

function skipWhitespace(text: string, offset: number): number {
  let index = offset;
  while (index < text.length && isWhitespace(text.charCodeAt(index))) index++;
  return index;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  for (;;) {
    offset = skipWhitespace(text, offset);
    if (offset >= text.length) {
      tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
      return tokens;
    }
    const lastKind = tokens.length > 0 ? tokens[tokens.length - 1].kind : undefined;
    const start = offset;
    const push = (kind: TokenKind, end: number, value = '') => {
      tokens.push({ kind, value, start, end });
      offset = end;
    };
    const character = text[offset];
    switch (character) {
      case '(': push('lparen', offset + 1); continue;
      case ')': push('rparen', offset + 1); continue;
      case '{': push('lbrace', offset + 1); continue;
      case '}': push('rbrace', offset + 1); continue;
      case ',': push('comma', offset + 1); continue;
      case '"':
      case "'": {
        const close = text.indexOf(character, offset + 1);
        if (close === -1) throw new SelectorSyntaxError('unterminated string: no closing quote', offset, text.length - offset);
        push('string', close + 1, text.slice(offset + 1, close));
        continue;
      }
      case '=':
        if (text[offset + 1] === '=') push('eq', offset + 2);
        else throw new SelectorSyntaxError("expected '==' (a single '=' is not an operator)", offset, 1);
        continue;
      case '!':
        if (text[offset + 1] === '=') push('ne', offset + 2);
        else push('not', offset + 1);
        continue;
      case '&':
        if (text[offset + 1] === '&') push('and', offset + 2);
        else throw new SelectorSyntaxError("expected '&&'", offset, 1);
        continue;
      case '|':
        if (text[offset + 1] === '|') push('or', offset + 2);
        else throw new SelectorSyntaxError("expected '||'", offset, 1);
        continue;
      default:
        break;
    }
    if (lastKind === 'label') {
      // After a label only a word operator can follow (the symbol operators were handled above).
      const label = tokens[tokens.length - 1].value;
      const expected = () => new SelectorSyntaxError(`unexpected characters after label '${label}': expected an operator (==, !=, in, not in, contains, starts with, ends with)`, offset, Math.max(1, identifierAt(text, offset).length || 1));
      if (text.startsWith('contains', offset)) {
        push('contains', offset + 'contains'.length);
      } else if (text.startsWith('starts', offset)) {
        const after = skipWhitespace(text, offset + 'starts'.length);
        if (!text.startsWith('with', after)) throw expected();
        push('startsWith', after + 'with'.length);
      } else if (text.startsWith('ends', offset)) {
        const after = skipWhitespace(text, offset + 'ends'.length);
        if (!text.startsWith('with', after)) throw expected();
        push('endsWith', after + 'with'.length);
      } else if (text.startsWith('not', offset)) {
        const after = skipWhitespace(text, offset + 'not'.length);
        if (!text.startsWith('in', after)) throw expected();
        push('notIn', after + 'in'.length);
      } else if (text.startsWith('in', offset)) {
        push('in', offset + 'in'.length);
      } else {
        throw expected();
      }
      continue;
    }
    if (text.startsWith('has(', offset)) {
      const labelStart = skipWhitespace(text, offset + 'has('.length);
      const label = identifierAt(text, labelStart);
      // A name running to the end of the text is one whose closing parenthesis is missing (`has(tier`).
      if (label === '' && labelStart < text.length && isIdentifierCharacter(text.charCodeAt(labelStart))) {
        throw new SelectorSyntaxError("no closing ')' after has(", offset, text.length - offset);
      }
      if (label === '') throw new SelectorSyntaxError('no label name in has( expression', offset, Math.max(1, labelStart - offset));
      const close = skipWhitespace(text, labelStart + label.length);
      if (text[close] !== ')') throw new SelectorSyntaxError("no closing ')' after has(", offset, close - offset);
      push('has', close + 1, label);
      continue;
    }
    if (text.startsWith('all(', offset)) {
      const close = skipWhitespace(text, offset + 'all('.length);
      if (text[close] !== ')') throw new SelectorSyntaxError("no closing ')' after all(", offset, close - offset);
      push('all', close + 1);
      continue;
    }
    if (text.startsWith('global(', offset)) {
      const close = skipWhitespace(text, offset + 'global('.length);
      if (text[close] !== ')') throw new SelectorSyntaxError("no closing ')' after global(", offset, close - offset);
      push('global', close + 1);
      continue;
    }
    const label = identifierAt(text, offset);
    if (label !== '') {
      push('label', offset + label.length, label);
      continue;
    }
    const afterValueOperator = lastKind === 'eq' || lastKind === 'ne' || lastKind === 'contains' || lastKind === 'startsWith' || lastKind === 'endsWith';
    const what = text.charCodeAt(offset) === 10 || text.charCodeAt(offset) === 13
      ? 'a line break (only spaces and tabs may separate the parts of a selector)'
      : isIdentifierCharacter(text.charCodeAt(offset))
        ? afterValueOperator
          ? `${text.slice(offset)} (values must be quoted: '${text.slice(offset)}')`
          : `the label '${text.slice(offset)}' at the end of the selector (a label needs an operator and a value)`
        : `'${text[offset]}'`;
    throw new SelectorSyntaxError(`unexpected characters: ${what}`, offset, isIdentifierCharacter(text.charCodeAt(offset)) ? text.length - offset : 1);
  }
}

/** Parses the tokens as libcalico-go's parser does, building nodes with positions. */
class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The token at the cursor (a method, not a getter, so that TypeScript does not narrow it across calls). */
  private peek(): Token {
    return this.tokens[this.index];
  }

  root(): CalicoSelectorNode {
    if (this.peek().kind === 'eof') return { type: 'all', start: 0, end: 0 };
    const node = this.orExpression();
    if (this.peek().kind !== 'eof') {
      throw new SelectorSyntaxError(`unexpected content at end of selector: ${TOKEN_NAMES[this.peek().kind]}`, this.peek().start, Math.max(1, this.peek().end - this.peek().start));
    }
    return node;
  }

  private orExpression(): CalicoSelectorNode {
    const operands = [this.andExpression()];
    while (this.peek().kind === 'or') {
      this.index++;
      operands.push(this.andExpression());
    }
    return operands.length === 1 ? operands[0] : { type: 'or', operands, start: operands[0].start, end: operands[operands.length - 1].end };
  }

  private andExpression(): CalicoSelectorNode {
    const operands = [this.operation()];
    while (this.peek().kind === 'and') {
      this.index++;
      operands.push(this.operation());
    }
    return operands.length === 1 ? operands[0] : { type: 'and', operands, start: operands[0].start, end: operands[operands.length - 1].end };
  }

  private operation(): CalicoSelectorNode {
    const start = this.peek().start;
    let negated = false;
    while (this.peek().kind === 'not') {
      negated = !negated;
      this.index++;
    }
    const node = this.positiveOperation();
    return negated ? { type: 'not', operand: node, start, end: node.end } : node;
  }

  private positiveOperation(): CalicoSelectorNode {
    const token = this.peek();
    switch (token.kind) {
      case 'has':
        this.index++;
        return { type: 'has', key: token.value, start: token.start, end: token.end };
      case 'all':
        this.index++;
        return { type: 'all', start: token.start, end: token.end };
      case 'global':
        this.index++;
        return { type: 'global', start: token.start, end: token.end };
      case 'lparen': {
        this.index++;
        const inner = this.orExpression();
        if (this.peek().kind !== 'rparen') {
          throw new SelectorSyntaxError(`expected ')' to close the '(' at column ${token.start + 1}, found ${TOKEN_NAMES[this.peek().kind]}`, this.peek().start, Math.max(1, this.peek().end - this.peek().start));
        }
        this.index++;
        // The parentheses only group: the node keeps its own operands, spanning the parentheses.
        return { ...inner, start: token.start, end: this.tokens[this.index - 1].end };
      }
      case 'label':
        return this.labelOperation(token);
      default:
        throw new SelectorSyntaxError(
          token.kind === 'eof' ? 'unexpected end of selector: an expression is missing' : `unexpected ${TOKEN_NAMES[token.kind]}: expected a label, has(...), all(), global(), '!' or '('`,
          token.start, Math.max(1, token.end - token.start));
    }
  }

  private labelOperation(label: Token): CalicoSelectorNode {
    const operator = this.tokens[this.index + 1];
    if (operator.kind === 'eof') throw new SelectorSyntaxError(`label '${label.value}' needs an operator and a value`, label.start, label.end - label.start);
    const operand = this.tokens[this.index + 2];
    switch (operator.kind) {
      case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith': {
        if (operand?.kind !== 'string') {
          throw new SelectorSyntaxError(`expected a quoted string after ${TOKEN_NAMES[operator.kind]}, found ${operand ? TOKEN_NAMES[operand.kind] : 'nothing'}`, operand?.start ?? operator.end, Math.max(1, (operand?.end ?? operator.end) - (operand?.start ?? operator.end)));
        }
        this.index += 3;
        return { type: operator.kind, key: label.value, value: operand.value, start: label.start, end: operand.end };
      }
      case 'in': case 'notIn': {
        if (operand?.kind !== 'lbrace') {
          throw new SelectorSyntaxError(`expected a set literal '{...}' after ${TOKEN_NAMES[operator.kind]}, found ${operand ? TOKEN_NAMES[operand.kind] : 'nothing'}`, operand?.start ?? operator.end, Math.max(1, (operand?.end ?? operator.end) - (operand?.start ?? operator.end)));
        }
        this.index += 3;
        const values: string[] = [];
        while (this.peek().kind === 'string') {
          values.push(this.peek().value);
          this.index++;
          if (this.peek().kind === 'comma') this.index++;
          else break;
        }
        if (this.peek().kind !== 'rbrace') {
          throw new SelectorSyntaxError(`expected '}' or a quoted string in the set, found ${TOKEN_NAMES[this.peek().kind]}`, this.peek().start, Math.max(1, this.peek().end - this.peek().start));
        }
        const end = this.peek().end;
        this.index++;
        return { type: operator.kind, key: label.value, values: toStringSet(values), start: label.start, end };
      }
      default:
        throw new SelectorSyntaxError(`expected an operator after label '${label.value}', found ${TOKEN_NAMES[operator.kind]}`, operator.start, Math.max(1, operator.end - operator.start));
    }
  }
}

/** Sorts and removes duplicates, as libcalico-go's `ConvertToStringSetInPlace` makes a set of the values. */
function toStringSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses a Calico selector; an empty (or all-blank) selector is `all()`, as Calico reads it. */
export function parseCalicoSelector(text: string): { readonly selector: CalicoSelector } | { readonly error: CalicoSelectorError } {
  try {
    return { selector: { text, root: new Parser(tokenize(text)).root() } };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return { error: { message: error.message, offset: error.offset, length: error.length } };
    throw error;
  }
}

/** Returns true when `node` matches an object with `labels`, as libcalico-go's nodes evaluate. */
export function evaluateCalicoSelector(node: CalicoSelectorNode, labels: Labels): boolean {
  switch (node.type) {
    // `global()` matches everything as a label test; its meaning (non-namespaced resources) comes
    // from the namespaceSelector rewrite, see calico-endpoints.ts.
    case 'all': case 'global': return true;
    case 'has': return Object.hasOwn(labels, node.key);
    case 'eq': return Object.hasOwn(labels, node.key) && labels[node.key] === node.value;
    // `!=` and `not in` also match objects without the label (LabelNeValueNode, LabelNotInSetNode).
    case 'ne': return !Object.hasOwn(labels, node.key) || labels[node.key] !== node.value;
    case 'contains': return Object.hasOwn(labels, node.key) && labels[node.key].includes(node.value);
    case 'startsWith': return Object.hasOwn(labels, node.key) && labels[node.key].startsWith(node.value);
    case 'endsWith': return Object.hasOwn(labels, node.key) && labels[node.key].endsWith(node.value);
    case 'in': return Object.hasOwn(labels, node.key) && node.values.includes(labels[node.key]);
    case 'notIn': return !Object.hasOwn(labels, node.key) || !node.values.includes(labels[node.key]);
    case 'not': return !evaluateCalicoSelector(node.operand, labels);
    case 'and': return node.operands.every((operand) => evaluateCalicoSelector(operand, labels));
    case 'or': return node.operands.some((operand) => evaluateCalicoSelector(operand, labels));
  }
}

function quoted(value: string): string {
  // Calico quotes with " unless the value holds one (a parsed value never holds both kinds).
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/**
 * Prints a selector the way libcalico-go's `String()` does (its canonical form, the one Calico
 * compares and rewrites): `a == "b"`, `k in {"x", "y"}`, `has(k)`, `!op`, and `(x && y)`,
 * `(x || y)` with parentheses around every conjunction and disjunction.
 */
export function printCalicoSelector(node: CalicoSelectorNode): string {
  switch (node.type) {
    case 'all': return 'all()';
    case 'global': return 'global()';
    case 'has': return `has(${node.key})`;
    case 'eq': return `${node.key} == ${quoted(node.value)}`;
    case 'ne': return `${node.key} != ${quoted(node.value)}`;
    case 'contains': return `${node.key} contains ${quoted(node.value)}`;
    case 'startsWith': return `${node.key} starts with ${quoted(node.value)}`;
    case 'endsWith': return `${node.key} ends with ${quoted(node.value)}`;
    case 'in': return `${node.key} in {${node.values.map(quoted).join(', ')}}`;
    case 'notIn': return `${node.key} not in {${node.values.map(quoted).join(', ')}}`;
    case 'not': return `!${printCalicoSelector(node.operand)}`;
    case 'and': return `(${node.operands.map(printCalicoSelector).join(' && ')})`;
    case 'or': return `(${node.operands.map(printCalicoSelector).join(' || ')})`;
  }
}

/** Returns the selector with every label key prefixed (libcalico-go's `PrefixVisitor`: `k == 'v'` → `pcns.k == "v"`). */
export function prefixSelectorLabels(node: CalicoSelectorNode, prefix: string): CalicoSelectorNode {
  switch (node.type) {
    case 'all': case 'global': return node;
    case 'not': return { ...node, operand: prefixSelectorLabels(node.operand, prefix) };
    case 'and': case 'or': return { ...node, operands: node.operands.map((operand) => prefixSelectorLabels(operand, prefix)) };
    default: return { ...node, key: `${prefix}${node.key}` };
  }
}

/** Returns true when the selector uses `global()` anywhere. */
export function usesGlobal(node: CalicoSelectorNode): boolean {
  switch (node.type) {
    case 'global': return true;
    case 'not': return usesGlobal(node.operand);
    case 'and': case 'or': return node.operands.some(usesGlobal);
    default: return false;
  }
}

/** Returns true when the selector is exactly `all()` (what an empty selector also means). */
export function isAllSelector(node: CalicoSelectorNode): boolean {
  return node.type === 'all';
}

/** Returns the label keys a selector names, in order of appearance, once each. */
export function selectorLabelKeys(node: CalicoSelectorNode): string[] {
  const keys = new Set<string>();
  const visit = (current: CalicoSelectorNode): void => {
    if (current.type === 'not') visit(current.operand);
    else if (current.type === 'and' || current.type === 'or') current.operands.forEach(visit);
    else if ('key' in current) keys.add(current.key);
  };
  visit(node);
  return [...keys];
}
