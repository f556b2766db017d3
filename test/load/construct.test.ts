/**
 * The loader's own constructor (src/load/construct.ts) must give exactly what js-yaml's
 * constructFromEvents gives, or step aside (undefined) so that js-yaml constructs: checked on
 * every manifest the repository and the conformance corpus hold (whole, and with the fields the
 * loader's projection leaves out skipped), on a generated cluster, on the constructs it leaves
 * to js-yaml, and on random documents.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Event } from 'js-yaml';
import { constructPlainDocuments } from '../../src/load/construct.js';
import { discoverInputs } from '../../src/load/discover.js';
import { isPlainString } from '../../src/load/go-yaml.js';
import { DocumentPositions } from '../../src/load/positions.js';
import { droppedEventRanges, withoutRanges } from '../../src/load/projection.js';
import { PackedEvents } from '../../src/load/packed-events.js';
import { SourceFile } from '../../src/load/source-file.js';
import { jsYaml, manifestYamlSchema } from '../../src/load/yaml.js';
import { itWithShared, sharedPath } from '../shared-folder.js';

const yaml = jsYaml();
const schema = manifestYamlSchema();
const resolvePlainKey = (text: string) => String(schema.resolveImplicitScalarTag(text).value);

type Outcome = { readonly values: unknown[] } | { readonly error: string };

/** js-yaml's construction as the loader asks for it: a key written twice keeps its last value, as kubectl's go-yaml does. */
function jsYamlConstruction(events: readonly Event[], source: string): Outcome {
  try {
    return { values: yaml.constructFromEvents(events as Event[], { source, schema, json: true }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function plainConstruction(events: readonly Event[], source: string, skipped: readonly number[] = []): unknown[] | undefined {
  // With the loader's shortcut for plain strings: the corpus checks it gives js-yaml's values.
  return constructPlainDocuments(PackedEvents.fromEvents(events), source, { schema, scalarValue: yaml.getScalarValue, isPlainString }, skipped);
}

/** Equal values (SameValue: -0, NaN) with their keys in the same order. */
function sameConstruction(a: unknown, b: unknown): boolean {
  return util.isDeepStrictEqual(a, b) && orderedKeys(a) === orderedKeys(b);
}

function orderedKeys(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(orderedKeys).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.keys(value).map((key) => `${JSON.stringify(key)}:${orderedKeys((value as Record<string, unknown>)[key])}`).join(',')}}`;
  return '';
}

/**
 * Checks one text: when js-yaml throws, the plain constructor steps aside; when it constructs,
 * the plain constructor steps aside or gives the same. With `projected`, both construct what the
 * loader's projection keeps: js-yaml the events without the dropped ranges, the plain
 * constructor all the events, skipping those ranges. Returns whether it constructed.
 */
function expectAgreement(text: string, json = false, projected = false): boolean {
  const events = yaml.parseEvents(text, {});
  const skipped = projected ? projectionOf(text, events, json) : [];
  const theirs = jsYamlConstruction(withoutRanges(events, skipped), text);
  const mine = plainConstruction(events, text, skipped);
  if ('error' in theirs) {
    expect([text, mine]).toEqual([text, undefined]);
    return false;
  }
  if (mine === undefined) return false;
  if (!sameConstruction(mine, theirs.values)) expect([text, mine]).toEqual([text, theirs.values]);
  return true;
}

/** The event ranges the loader's projection leaves out of `text`. */
function projectionOf(text: string, events: readonly Event[], json: boolean): number[] {
  return droppedEventRanges(DocumentPositions.indexEvents(new SourceFile('m.yaml', text), text, 0, PackedEvents.fromEvents(events)), json ? {} : { resolvePlainKey });
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-construct-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('constructPlainDocuments', () => {
  itWithShared('gives what js-yaml gives on every manifest of the fixtures, the conformance corpus and a generated cluster', ['conformance', 'tools/gen-cluster.mjs'], () => {
    const generated = path.join(folder, 'cluster');
    const run = spawnSync(process.execPath, [sharedPath('tools/gen-cluster.mjs'), '--out', generated, '--scale', '0.1'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    let constructed = 0;
    let files = 0;
    let filesWithDroppedFields = 0;
    for (const root of [path.resolve('fixtures'), sharedPath('conformance'), generated]) {
      for (const input of discoverInputs([root]).inputs) {
        if (input.kind !== 'file') continue;
        const text = fs.readFileSync(input.path, 'utf8');
        try {
          yaml.parseEvents(text, {});
        } catch {
          continue; // broken on purpose (bad-input fixtures): nothing to construct
        }
        files++;
        if (expectAgreement(text, /\.json$/i.test(input.path))) constructed++;
        expectAgreement(text, /\.json$/i.test(input.path), true);
        if (projectionOf(text, yaml.parseEvents(text, {}), /\.json$/i.test(input.path)).length > 0) filesWithDroppedFields++;
      }
    }
    expect(files).toBeGreaterThan(300);
    // The projection leaves fields out of many of them (status, managedFields, ConfigMap data).
    expect(filesWithDroppedFields / files).toBeGreaterThan(0.3);
    // Manifests are what it is for: it constructs nearly all of them itself.
    expect(constructed / files).toBeGreaterThan(0.95);
  });

  it('constructs scalars of every style and type as js-yaml does', () => {
    const texts = [
      'a: 1\nb: -0\nc: 0x1F\nd: 0o17\ne: 1e3\nf: .inf\ng: -.Inf\nh: .nan\ni: ~\nj: null\nk: true\nl: False\nm: yes\nn: "1"\no: \'x\'\n',
      'plain: multi\n  line words\nfolded: >-\n  one\n  two\n\n  three\nliteral: |+\n  keep\n\nquoted: "tab\\tand \\u00e9 \\x41"\nsingle: \'it\'\'s\'\n',
      '? complex\n: explicit key\n"": empty key\n~: null key\n0x1: hex key\n1.5: float key\ntrue: bool key\n',
      'flow: {a: [1, 2, {b: c}], "d": e, f: }\nempty: []\nnone: {}\nnested: [[], [[]], {}]\n',
      '- 1\n- - 2\n  - 3\n- a: b\n  c: d\n-\n- ""\n',
      '--- 1\n--- \n...\n---\na: b\n---\n# only a comment\n',
      'key: value # comment\n# comment\nother:    spaced   \n',
      '%YAML 1.2\n---\na: 1\n',
    ];
    for (const text of texts) expect([text, expectAgreement(text)]).toEqual([text, true]);
  });

  it('steps aside for tags, anchors, aliases, merges, complex keys and __proto__', () => {
    const texts = [
      'a: !!str 1\n',
      'a: !custom x\n',
      '!!map {a: 1}\n',
      'a: &x 1\nb: *x\n',
      'base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n',
      '<<: {x: 1}\n',
      '? [a, b]\n: c\n',
      '? {a: b}\n: c\n',
      '__proto__: {polluted: true}\n',
      '%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n',
    ];
    for (const text of texts) {
      const events = yaml.parseEvents(text, {});
      expect([text, plainConstruction(events, text)]).toEqual([text, undefined]);
      expectAgreement(text);
    }
  });

  it('keeps the last value of a key written twice (as kubectl does), and says so', () => {
    for (const [text, expected] of [
      ['{"a": 1, "b": {"c": 2}, "a": 3}', [{ a: 3, b: { c: 2 } }]],
      ['a: 1\na: 2\n', [{ a: 2 }]],
      // 1 and 0x1 are the same key once resolved; so are null and ~.
      ['1: a\n0x1: b\n', [{ 1: 'b' }]],
      ['null: a\n~: b\n', [{ null: 'b' }]],
    ] as const) {
      expect(expectAgreement(text, text.startsWith('{'))).toBe(true);
      let duplicates = 0;
      const values = constructPlainDocuments(PackedEvents.fromEvents(yaml.parseEvents(text, {})), text, { schema, scalarValue: yaml.getScalarValue, onDuplicateKey: () => duplicates++ });
      expect([text, values, duplicates]).toEqual([text, expected, 1]);
    }
  });

  it('agrees with js-yaml on random documents, dumped in every style', () => {
    const key = fc.oneof(
      fc.constantFrom('a', 'name', '1', '01', '0x1', '1.0', '-0', 'null', '~', 'true', 'False', '', ' ', '<<', '-', ':', '#x', 'é', 'a b', 'y'),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.constantFrom('', ' ', 'yes', 'no', 'null', '~', '1e3', '0o7', '.inf', '-.nan', '"', "'", 'a: b', '- x', '#', '\t', 'line\nbreak', 'trailing\n\n', ' lead', 'é€😀'),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 4 }),
      object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    })).node;
    const style = fc.record({
      flowLevel: fc.constantFrom(-1, 0, 1, 2),
      quotingType: fc.constantFrom<"'" | '"'>("'", '"'),
      forceQuotes: fc.boolean(),
      lineWidth: fc.constantFrom(-1, 8, 80),
    });
    let constructed = 0;
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), style, (documents, options) => {
      const text = documents.map((document) => `---\n${yaml.dump(document, { ...options, schema: yaml.DUMP_SCHEMA })}`).join('');
      if (expectAgreement(text)) constructed++;
      expectAgreement(JSON.stringify(documents[0]) ?? 'null', true);
    }), { numRuns: 300 });
    // Most random documents are plain (a `<<` key or a key twice after resolution are not).
    expect(constructed).toBeGreaterThan(200);
  });
});

describe('the event constants the loader repeats', () => {
  it('are js-yaml\'s own', async () => {
    const events = await import('../../src/load/yaml-events.js');
    expect({ ...events }).toEqual({
      DOCUMENT: yaml.EVENT_ID.DOCUMENT,
      SEQUENCE: yaml.EVENT_ID.SEQUENCE,
      MAPPING: yaml.EVENT_ID.MAPPING,
      SCALAR: yaml.EVENT_ID.SCALAR,
      ALIAS: yaml.EVENT_ID.ALIAS,
      POP: yaml.EVENT_ID.POP,
      PLAIN_STYLE: yaml.SCALAR_STYLE.PLAIN,
      SINGLE_QUOTED_STYLE: yaml.SCALAR_STYLE.SINGLE_QUOTED,
      DOUBLE_QUOTED_STYLE: yaml.SCALAR_STYLE.DOUBLE_QUOTED,
      LITERAL_STYLE: yaml.SCALAR_STYLE.LITERAL_BLOCK,
      FOLDED_STYLE: yaml.SCALAR_STYLE.FOLDED_BLOCK,
      BLOCK_COLLECTION: yaml.COLLECTION_STYLE.BLOCK,
      FLOW_COLLECTION: yaml.COLLECTION_STYLE.FLOW,
      CLIP_CHOMPING: yaml.CHOMPING_MODE.CLIP,
      STRIP_CHOMPING: yaml.CHOMPING_MODE.STRIP,
      KEEP_CHOMPING: yaml.CHOMPING_MODE.KEEP,
      NO_RANGE: -1,
    });
    // An event without an anchor or a tag says so with NO_RANGE.
    const [, scalar] = yaml.parseEvents('a', {});
    expect(scalar).toMatchObject({ anchorStart: events.NO_RANGE, tagStart: events.NO_RANGE });
  });
});
