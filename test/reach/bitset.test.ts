/**
 * The solver's bitsets (src/reach/bitset.ts) against plain sets of numbers, on random members
 * and sizes that end inside a word and on a word boundary.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BitSet } from '../../src/reach/bitset.js';

/** Random sizes (including 0, 32 and 64) with two random subsets of 0..size-1. */
const twoSets = fc.constantFrom(0, 1, 31, 32, 33, 64, 95, 200).chain((size) => fc.tuple(
  fc.constant(size),
  fc.uniqueArray(fc.nat({ max: Math.max(size - 1, 0) }), { maxLength: size }),
  fc.uniqueArray(fc.nat({ max: Math.max(size - 1, 0) }), { maxLength: size }),
));

function bitSet(size: number, members: readonly number[]): BitSet {
  const set = new BitSet(size);
  for (const member of members) set.add(member);
  return set;
}

describe('BitSet', () => {
  it('relates, splits and finds the first member as plain sets do', () => {
    fc.assert(fc.property(twoSets, ([size, a, b]) => {
      const left = bitSet(size, a);
      const right = bitSet(size, b);
      const inRight = a.filter((member) => b.includes(member));
      const expected = inRight.length === 0 ? 'none' : inRight.length === a.length ? 'all' : 'some';
      expect(left.relationTo(right)).toBe(expected);
      expect([...left.split(right, true).members()]).toEqual([...inRight].sort((x, y) => x - y));
      expect([...left.split(right, false).members()]).toEqual(a.filter((member) => !b.includes(member)).sort((x, y) => x - y));
      expect(left.first()).toBe(a.length === 0 ? -1 : Math.min(...a));
      // Splitting makes new sets: the operands keep their members.
      expect([...left.members()]).toEqual([...a].sort((x, y) => x - y));
      expect([...right.members()]).toEqual([...b].sort((x, y) => x - y));
    }), { numRuns: 300 });
  });

  it('calls an empty set none of anything, and a set all of itself', () => {
    const empty = new BitSet(70);
    const full = BitSet.full(70);
    expect(empty.relationTo(full)).toBe('none');
    expect(full.relationTo(full)).toBe('all');
    expect(full.relationTo(empty)).toBe('none');
    expect(full.first()).toBe(0);
    expect([...full.members()]).toHaveLength(70);
  });
});
