/**
 * The loader's own event reader (src/load/block-events.ts) must give exactly the event stream
 * js-yaml's parseEvents gives, or step aside (undefined) so that js-yaml reads the text: never
 * a stream for a text js-yaml rejects, never a different one. Checked on every manifest of the
 * fixtures, the conformance corpus and a generated cluster, on hand-written corners of js-yaml's
 * reading, on random documents dumped in every style, and on random edits of all of those.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Event } from 'js-yaml';
import { readBlockEvents } from '../../src/load/block-events.js';
import { PackedEvents } from '../../src/load/packed-events.js';
import { DOCUMENT } from '../../src/load/yaml-events.js';
import { discoverInputs } from '../../src/load/discover.js';
import { jsYaml, manifestYamlSchema } from '../../src/load/yaml.js';
import { itWithShared, optionalShared } from '../shared-folder.js';

const yaml = jsYaml();

function jsYamlEvents(text: string): Event[] | { error: string } {
  try {
    return yaml.parseEvents(text, {});
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Checks one text: when js-yaml rejects it, the reader steps aside; when js-yaml reads it, the
 * reader steps aside or gives the same events. Returns whether the reader read it.
 */
function expectAgreement(text: string): boolean {
  const theirs = jsYamlEvents(text);
  const mine = readBlockEvents(text)?.toEvents();
  if ('error' in theirs) {
    if (mine !== undefined) expect([text, mine]).toEqual([text, theirs]);
    return false;
  }
  // Packed and turned back, js-yaml's own stream is the same (documents lose only their directives).
  const withoutDirectives = theirs.map((event) => (event.type === DOCUMENT ? { ...event, directives: [] } : event));
  const roundTrip = PackedEvents.fromEvents(theirs).toEvents();
  if (!util.isDeepStrictEqual(roundTrip, withoutDirectives)) expect([text, roundTrip]).toEqual([text, withoutDirectives]);
  if (mine === undefined) return false;
  if (!util.isDeepStrictEqual(mine, theirs)) expect([text, mine]).toEqual([text, theirs]);
  return true;
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-block-events-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/**
 * The texts of every manifest in the fixtures, the conformance corpus and a small generated
 * cluster (the last two when ../shared is there).
 */
function corpus(): { readonly file: string; readonly text: string }[] {
  const generator = optionalShared('tools/gen-cluster.mjs');
  const generated = path.join(folder, 'cluster');
  if (generator && !fs.existsSync(generated)) {
    const run = spawnSync(process.execPath, [generator, '--out', generated, '--scale', '0.1'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
  }
  const texts: { file: string; text: string }[] = [];
  const conformance = optionalShared('conformance');
  for (const root of [path.resolve('fixtures'), ...(conformance ? [conformance] : []), ...(generator ? [generated] : [])]) {
    for (const input of discoverInputs([root]).inputs) {
      if (input.kind !== 'file' || /\.json$/i.test(input.path)) continue;
      texts.push({ file: input.path, text: fs.readFileSync(input.path, 'utf8') });
    }
  }
  return texts;
}

describe('readBlockEvents', () => {
  itWithShared('gives js-yaml\'s events for every manifest of the fixtures, the conformance corpus and a generated cluster', ['conformance', 'tools/gen-cluster.mjs'], () => {
    let read = 0;
    let generatedRead = 0;
    let generatedFiles = 0;
    const texts = corpus();
    for (const { file, text } of texts) {
      const wasRead = expectAgreement(text);
      if (wasRead) read++;
      if (file.startsWith(folder)) {
        generatedFiles++;
        if (wasRead) generatedRead++;
      }
    }
    expect(texts.length).toBeGreaterThan(400);
    expect(generatedFiles).toBeGreaterThan(100);
    // What it is for: it reads every generated manifest and most written by hand.
    expect(generatedRead).toBe(generatedFiles);
    expect(read / texts.length).toBeGreaterThan(0.6);
  });

  it('reads the YAML manifests are written in', () => {
    const texts = [
      'a: 1\nb:\n  c: d\n  e: [f, "g", \'h\']\n',
      'spec:\n  ports:\n  - name: http\n    port: 80\n  -   name: https\n      port: 443\n',
      'list:\n  - a\n  - "b"\n  - \'c\'\n  - {x: y}\n  - []\n  -\n  - # empty\n  - |\n    text\n',
      '- a\n- b: c\n  d: e\n- "q": r\n',
      '"quoted key": \'single\'\n\'other\': "double \\" \\\\ \\n \\x41 \\u00e9 \\U0001F600"\nit: \'it\'\'s\'\n',
      'a: |\n  one\n   two\n\n  three\nb: >-\n  folded\n  text\nc: |+\n  keep\n\nd: |2\n    indented\ne: >\n\nf: |-\n',
      'a: | # comment\n  x\nb: >+2 # comment\n    y\n',
      'script: |\n  if [ x ]; then\n    echo "a: b # c"\n  fi\n---\nnext: doc\n',
      '# head\n\n---\n# only a comment\n---\n---   # marker comment\na: b   # trailing\n  # indented comment\n\nc: d\n',
      'a:\nb:    \nc: # comment\nd: ~\n',
      'url: http://example.com:8080/path#frag\nk8s.io/name: a:b\ncolon: a:b:c\nhash: a#b\n',
      'flow: {a: b, "c":d, e: , f, g: [h, {i: j}], k: {}, l: [], }\nseq: [a:b, "c", [d], {}, e f, ]\n',
      'a: 1\n',
      'a: b',
      'a: |',
      'a: |\n  x',
      '- a\n- b',
      'a:\n- b\n- c\nd: e\n',
      'top:\n  nested:\n    deeper:\n    - x\n    - y: z\n      w: v\n  back: here\n',
      '- - a\n  - b\n- - - c\n-\n  d: e\n  f: g\n-\n  - h\n-\n  "i"\n- \n  |\n   j\n',
      'a:\n  value\nb:\n  "value"\nc:\n  [d]\ne:\n  >\n   folded\n',
      '[a, b]\n', '{a: b}\n', '"root"\n---\nx: y\n', 'scalar', '|\n  root block\n', '|\nat column 0\n---\nnext: doc\n',
      '# a control character \u0007 in a comment\na: "\u007f quoted"\nb: next\u0085line\nc: 😀 [é]\nd: [😀]\n',
      '---\n---\n',
      '---',
      '# nothing but a comment',
      '',
    ];
    for (const text of texts) {
      expect([text, expectAgreement(text)]).toEqual([text, true]);
    }
  });

  it('leaves the rest of YAML, and every error, to js-yaml', () => {
    const texts = [
      // YAML beyond what manifests use
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', '!!map\na: 1\n', '? a\n: b\n', '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n', '--- a\n', '--- |\n  x\n', 'plain: multi\n  line\n', 'a: "multi\n  line"\n',
      'a: [b,\n  c]\n', 'a: {b: c # comment\n}\n', 'scalar\n---\n', 'scalar\n', '  a: b\n', 'a:\tb\n', 'a: b\r\n', '\ufeffa: b\n', 'a: \u0007\n', '[a: b]\n',
      'a: b\n  # a comment indented under a plain scalar\n', 'a: b\n    ',
      // errors
      'a: b: c\n', 'a: "b" c\n', 'a: [b,,c]\n', 'a: [b c\n', 'a: {b: c\n', 'a:\n  b: c\n - d\n', 'a: b\n  c: d\n',
      'a:\n  b: c\n  - d\n', 'a: b\n- c\n', '- a\nb: c\n', 'a: "unterminated\n', 'a: \'unterminated\n', 'a: "\\q"\n',
      'a: "\\xZZ"\n', 'a: |0\n  x\n', 'a: |++\n  x\n', 'a: |x\n', 'a: |\n\n    more\n  less\n', 'a: |\n      \n  x\n', '|\nx\n...\n',
      'a: b\u0007c\n', 'a: |\n  b\u0007\n', 'a: [b\u0080]\n', 'a: \ud800x\n', 'a: x\udc00\n', 'a: \uffff\n', 'a: b\u0000\n', '# \u0000\na: b\n',
      'a: b\u000bc\n', 'a: x\ud83d', 'a: |\n  \ud83d\n', '{a:\ude00}', '[-]\n', '{a: -}\n', '[?]\n', '[a #b]\n', 'a: "\\u00eZ"\n', 'x: 1\n"a":b\n', 'x: 1\n\'a\'  :b\n', '"a":b\n', 'a: "x"# c\n',
      'a: b\nb: c\n---x\n', '- a\n  - b\n', 'a: {}: b\n', '- {}: b\n', 'a: - b\n', 'a: ? b\n', 'a: @b\n', 'a: `b`\n',
    ];
    for (const text of texts) {
      expect([text, readBlockEvents(text)]).toEqual([text, undefined]);
      expectAgreement(text);
    }
  });

  it('reads nesting well within js-yaml\'s depth limit and leaves deeper nesting to it', () => {
    const nested = (depth: number) => Array.from({ length: depth }, (_, level) => `${'  '.repeat(level)}k${level}:\n`).join('') + `${'  '.repeat(depth)}leaf: x\n`;
    expect(expectAgreement(nested(30))).toBe(true);
    expect(readBlockEvents(nested(60))).toBeUndefined();
    expect(expectAgreement(nested(60))).toBe(false);
    expect(jsYamlEvents(nested(60))).not.toHaveProperty('error');
  });

  const key = fc.oneof(
    fc.constantFrom('a', 'name', 'app.kubernetes.io/name', '1', 'null', '', ' ', '-', ':', '#x', 'a b', 'a: b', '- x', 'é'),
    fc.string({ maxLength: 6 }),
  );
  const scalar = fc.oneof(
    fc.constantFrom('', ' ', 'yes', 'null', '~', '1e3', '"', "'", 'a: b', 'a:b', '- x', '-x', '#', 'a #b', '[x]', '{x}', '|', '>',
      'line\nbreak', 'trailing\n\n', ' lead', 'trail ', 'é€😀', '\\', '---', '...', '&a', '*a', '!a', '? x', ','),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const { node: tree, object: objectTree } = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 4 }),
    object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  }));
  // Manifests are mappings; a plain scalar at the root of a document that another follows is left to js-yaml.
  const root = fc.oneof({ arbitrary: objectTree, weight: 3 }, { arbitrary: tree, weight: 1 });
  const style = fc.record({
    flowLevel: fc.constantFrom(-1, 0, 1, 2),
    quotingType: fc.constantFrom<"'" | '"'>("'", '"'),
    forceQuotes: fc.boolean(),
    lineWidth: fc.constantFrom(-1, 8, 80),
    indent: fc.constantFrom(1, 2, 4),
    noArrayIndent: fc.boolean(),
  });
  const dumped = fc.tuple(fc.array(root, { minLength: 1, maxLength: 3 }), style, fc.boolean()).map(([documents, options, firstMarker]) =>
    documents.map((document, index) => `${index > 0 || firstMarker ? '---\n' : ''}${yaml.dump(document, { ...options, schema: yaml.DUMP_SCHEMA })}`).join(''));

  it('agrees with js-yaml on random documents, dumped in every style', () => {
    let read = 0;
    fc.assert(fc.property(dumped, (text) => {
      if (expectAgreement(text)) read++;
    }), { numRuns: 400 });
    // Most dumps are in the part of YAML it reads (not those with multi-line scalars).
    expect(read).toBeGreaterThan(300);
  });

  /** A few characters that matter to YAML's structure or that js-yaml rejects, and a letter. */
  const structural = fc.constantFrom(' ', '  ', '\n', '-', '- ', ':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&', '*', '!', '?', '.', '---\n', '...\n', 'a', '\t', '\\',
    '\r', '\u0007', '\u0085', '\ud800', '\udc00', '\ufeff', '😀');
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.oneof(structural, fc.constant('')));

  /** Replaces `length` characters at `at` (modulo the text's length) with `insert`. */
  function applyEdits(text: string, edits: readonly [number, number, string][]): string {
    let edited = text;
    for (const [at, length, insert] of edits) {
      const start = edited.length === 0 ? 0 : at % (edited.length + 1);
      edited = edited.slice(0, start) + insert + edited.slice(start + length);
    }
    return edited;
  }

  it('agrees with js-yaml on random edits of random documents', () => {
    fc.assert(fc.property(dumped, fc.array(edit, { minLength: 1, maxLength: 4 }), (text, edits) => {
      expectAgreement(applyEdits(text, edits));
    }), { numRuns: 3000 });
  });

  it('agrees with js-yaml on random edits of the corpus manifests', () => {
    const texts = corpus().map(({ text }) => text).filter((text) => text.length < 20000);
    fc.assert(fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
      expectAgreement(applyEdits(texts[pick % texts.length], edits));
    }), { numRuns: 3000 });
  });

  it('agrees with js-yaml on lines indented anew', () => {
    // Indentation decides where a block ends: shift single lines of corpus manifests.
    const texts = corpus().map(({ text }) => text).filter((text) => text.length < 20000);
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.integer({ min: -4, max: 4 }), (pick, lineIndex, shift) => {
      const lines = texts[pick % texts.length].split('\n');
      const index = lineIndex % lines.length;
      lines[index] = shift >= 0 ? ' '.repeat(shift) + lines[index] : lines[index].replace(new RegExp(`^ {0,${-shift}}`), '');
      expectAgreement(lines.join('\n'));
    }), { numRuns: 3000 });
  });
});
