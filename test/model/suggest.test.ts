/**
 * Near-miss hints (src/model/suggest.ts nearMissHint) against a reference written from their
 * definition: over the distinct labels the candidates carry, the closest differing value of the
 * same key, or key with a wanted value, within a third of the typed word's length (ties to the
 * earlier wanted value, then by key and value); failing that, the only other key carrying a
 * wanted value when no candidate carries the key.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { matchesSelector, type LabelRequirement, type Labels } from '../../src/model/label-selector.js';
import { nearMissHint } from '../../src/model/suggest.js';
import { editDistance } from '../../src/text-distance.js';

function typoLimit(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

function referenceClosestLabel(requirement: LabelRequirement, candidates: readonly Labels[]): { key: string; value: string } | undefined {
  const distinct = new Map<string, [string, string]>();
  for (const labels of candidates) for (const [key, value] of Object.entries(labels)) distinct.set(`${key}\u0000${value}`, [key, value]);
  let best: [number, number, string, string] | undefined;
  const before = (a: [number, number, string, string], b: [number, number, string, string]) =>
    a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] !== b[2] ? a[2] < b[2] : a[3] < b[3];
  for (const [key, value] of distinct.values()) {
    requirement.values.forEach((wanted, index) => {
      let typed: string;
      let known: string;
      if (key === requirement.key) [typed, known] = [wanted, value];
      else if (value === wanted) [typed, known] = [requirement.key, key];
      else return;
      const distance = editDistance(known, typed);
      if (distance === 0 || distance > typoLimit(typed)) return;
      const candidate: [number, number, string, string] = [distance, index, key, value];
      if (!best || before(candidate, best)) best = candidate;
    });
  }
  if (best) return { key: best[2], value: best[3] };
  if ([...distinct.values()].some(([key]) => key === requirement.key)) return undefined;
  const sameValue = new Map<string, string>();
  for (const [key, value] of distinct.values()) {
    if (requirement.values.includes(value) && !(sameValue.get(key)! <= value)) sameValue.set(key, value);
  }
  if (sameValue.size !== 1) return undefined;
  const [[key, value]] = sameValue;
  return { key, value };
}

// The hint's outer step is its definition, written the same way as in suggest.ts on purpose:
// correct each unsatisfiable `In` requirement, then require a match. What differs, and is under
// test, is how the label is chosen (referenceClosestLabel, without the memo and the single pass).
function referenceHint(requirements: readonly LabelRequirement[], candidates: readonly Labels[]): string | undefined {
  const corrected: LabelRequirement[] = [];
  const changes: string[] = [];
  for (const requirement of requirements) {
    const satisfiable = candidates.some((labels) => matchesSelector({ requirements: [requirement], text: '' }, labels));
    if (satisfiable || requirement.operator !== 'In') {
      corrected.push(requirement);
      continue;
    }
    const label = referenceClosestLabel(requirement, candidates);
    if (!label) return undefined;
    corrected.push({ key: label.key, operator: 'In', values: [label.value] });
    changes.push(`${label.key}=${label.value}`);
  }
  if (changes.length === 0 || !candidates.some((labels) => matchesSelector({ requirements: corrected, text: '' }, labels))) return undefined;
  return `did you mean ${changes.join(',')}?`;
}

describe('nearMissHint', () => {
  it('suggests what the reference suggests, on random typos among random labels', () => {
    // Few letters, so that words are often one or two edits apart.
    const word = fc.array(fc.constantFrom('a', 'b', 'c', 'p', '-'), { minLength: 1, maxLength: 7 }).map((letters) => letters.join(''));
    // Keys from a few near-misses of each other, so that candidates often carry the key asked for.
    const key = fc.oneof(fc.constantFrom('app', 'ap', 'apps', 'tier', 'tire', 'app.kubernetes.io/name'), word);
    const labels = fc.dictionary(key, word, { maxKeys: 4 });
    const requirement = fc.record({
      key,
      operator: fc.constantFrom<'In'>('In'),
      values: fc.uniqueArray(word, { minLength: 1, maxLength: 3 }),
    });
    let hints = 0;
    fc.assert(fc.property(fc.array(requirement, { minLength: 1, maxLength: 2 }), fc.array(labels, { maxLength: 8 }), (requirements, candidates) => {
      const expected = referenceHint(requirements, candidates);
      expect(nearMissHint(requirements, candidates)).toBe(expected);
      if (expected) hints++;
    }), { numRuns: 2000 });
    // Enough of the random cases have a hint for the comparison to mean something.
    expect(hints).toBeGreaterThan(20);
  });

  it('prefers the closer value, then the earlier wanted value, then key and value order', () => {
    const requirement: LabelRequirement = { key: 'app', operator: 'In', values: ['catalg', 'cart'] };
    expect(nearMissHint([requirement], [{ app: 'catalog' }, { app: 'carts' }])).toBe('did you mean app=catalog?');
    expect(nearMissHint([{ key: 'ap', operator: 'In', values: ['web'] }], [{ app: 'web' }])).toBe('did you mean app=web?');
    expect(nearMissHint([{ key: 'app', operator: 'In', values: ['web'] }], [{ 'app.kubernetes.io/name': 'web' }]))
      .toBe('did you mean app.kubernetes.io/name=web?');
    // Equally close: the first key, then the first value, whatever order the candidates come in.
    expect(nearMissHint([{ key: 'tier', operator: 'In', values: ['web'] }], [{ tiex: 'web' }, { tiar: 'web' }])).toBe('did you mean tiar=web?');
    expect(nearMissHint([{ key: 'app', operator: 'In', values: ['cat'] }], [{ app: 'cab' }, { app: 'bat' }])).toBe('did you mean app=bat?');
  });
});
