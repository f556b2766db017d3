/**
 * editDistance (src/text-distance.ts) against the textbook full-table optimal string alignment
 * distance, on random words over a small alphabet (so that swaps and repeats are common).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { editDistance } from '../../src/text-distance.js';

/** The whole (|a|+1) × (|b|+1) table, written as the definition reads. */
function referenceDistance(a: string, b: string, transpositions: boolean): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 9 });

describe('editDistance', () => {
  it('equals the full-table distance, with and without swaps', () => {
    fc.assert(fc.property(word, word, fc.boolean(), (a, b, transpositions) => {
      expect(editDistance(a, b, { transpositions })).toBe(referenceDistance(a, b, transpositions));
    }), { numRuns: 2000 });
  });

  it('returns maximum + 1 exactly when the distance exceeds the maximum', () => {
    fc.assert(fc.property(word, word, fc.nat(5), (a, b, maximum) => {
      const distance = referenceDistance(a, b, true);
      expect(editDistance(a, b, { maximum })).toBe(distance > maximum ? maximum + 1 : distance);
    }), { numRuns: 2000 });
  });

  it('counts a swap of neighbours as one edit, or two without transpositions', () => {
    expect(editDistance('Deploymnet', 'Deployment')).toBe(1);
    expect(editDistance('Deploymnet', 'Deployment', { transpositions: false })).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
