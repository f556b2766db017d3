/**
 * The label index (src/model/label-index.ts) narrows a selector's search by its equality
 * requirements; it must answer exactly what matching every item answers, in the same order.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LabelIndex } from '../../src/model/label-index.js';
import { matchesSelector, type LabelRequirement, type Labels } from '../../src/model/label-selector.js';

const KEYS = ['app', 'tier', 'env', 'kubernetes.io/metadata.name'];
const VALUES = ['a', 'b', 'c', 'web', 'db'];

const labelsArbitrary = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 4 });
const requirementArbitrary: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([] as string[]) }),
);

describe('LabelIndex.select', () => {
  it('matches what filtering every item with the selector matches, in the items\' order', () => {
    fc.assert(fc.property(fc.array(labelsArbitrary, { maxLength: 30 }), fc.array(requirementArbitrary, { maxLength: 4 }), (labelSets, requirements) => {
      const items = labelSets.map((labels, index) => ({ index, labels: labels as Labels }));
      const selector = { requirements, text: '' };
      const index = new LabelIndex(items, (item) => item.labels);
      expect(index.select(selector)).toEqual(items.filter((item) => matchesSelector(selector, item.labels)));
    }), { numRuns: 1000 });
  });

  it('an empty selector selects every item', () => {
    const items: { labels: Labels }[] = [{ labels: { app: 'a' } }, { labels: {} }];
    expect(new LabelIndex(items, (item) => item.labels).select({ requirements: [], text: '<all>' })).toEqual(items);
  });
});
