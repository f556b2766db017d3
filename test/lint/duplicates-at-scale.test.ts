/**
 * One object defined thousands of times in one file (issue 18, found by the fuzzer): the
 * duplicate-object rule walked every earlier definition for each copy and named them all (cubic
 * time, a quadratic report), and parsed the whole file again for each comparison.
 */
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../rules/index.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import { analyzeTexts } from '../../src/pipeline.js';

const rule = RULES.find((entry) => entry.id === 'duplicate-object')!;

function copies(count: number): string {
  return Array.from({ length: count }, (_unused, index) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: x}\ndata: {v: "${index === 0 ? 'a' : 'b'}"}\n`).join('---\n');
}

describe('duplicate-object on many copies', () => {
  it('names the first definition and the two nearest, and counts the others', () => {
    const { graph } = analyzeTexts([{ path: 'copies.yaml', text: copies(6) }]);
    const findings = runRules(graph, [rule], resolveConfig({}, undefined)).findings;
    expect(findings).toHaveLength(5);
    const last = findings[4];
    expect(last.location?.line).toBe(28);
    expect(last.related?.map((entry) => [entry.line, entry.message])).toEqual([
      [3, 'first definition (and 2 more before the ones below)'],
      [18, 'another earlier definition'],
      [23, 'another earlier definition'],
    ]);
    expect(findings[1].related?.map((entry) => [entry.line, entry.message])).toEqual([[3, 'first definition'], [8, 'another earlier definition']]);
    expect(findings[1].message).toMatch(/identically/);
    expect(findings[0].message).toMatch(/different contents/);
  });

  it('handles 3,000 copies of one object with a finding each, at most three related definitions each', () => {
    const { graph } = analyzeTexts([{ path: 'copies.yaml', text: copies(3000) }]);
    const findings = runRules(graph, [rule], resolveConfig({}, undefined)).findings;
    expect(findings).toHaveLength(2999);
    expect(Math.max(...findings.map((finding) => finding.related?.length ?? 0))).toBe(3);
    expect(findings[2998].related?.[0].message).toBe('first definition (and 2996 more before the ones below)');
  });
});
