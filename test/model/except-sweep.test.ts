/**
 * ipBlocks with very many `except` entries (issue 18): which except covers which is found by sort
 * and sweep (src/model/cidr.ts firstCoveringIndexes, used by the except-outside-cidr rule), and
 * findings on items deep in one long list are located without walking the list for each one
 * (src/load/positions.ts).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RULES } from '../../rules/index.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import { firstCoveringIndexes, parseCidr, type Cidr } from '../../src/model/cidr.js';
import { analyzeTexts } from '../../src/pipeline.js';

/** What the rule computed before: for each entry, the first other entry that covers it, pair by pair. */
function pairByPair(cidrs: readonly (Cidr | undefined)[]): number[] {
  const covers = (outer: Cidr, inner: Cidr) => outer.family === inner.family && outer.range.first <= inner.range.first && outer.range.last >= inner.range.last;
  const same = (a: Cidr, b: Cidr) => a.family === b.family && a.range.first === b.range.first && a.range.last === b.range.last;
  return cidrs.map((cidr, index) => (cidr === undefined ? -1 : cidrs.findIndex((other, otherIndex) => other !== undefined && otherIndex !== index
    && covers(other, cidr) && (!same(other, cidr) || otherIndex < index))));
}

function policy(excepts: readonly string[]): string {
  return ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: big, namespace: x}', 'spec:', '  podSelector: {}', '  ingress:',
    '  - from:', '    - ipBlock:', '        cidr: 10.0.0.0/8', '        except:', ...excepts.map((text) => `        - ${text}`), ''].join('\n');
}

describe('firstCoveringIndexes', () => {
  it('finds what comparing every pair finds, on random IPv4 and IPv6 CIDRs with repeats and nesting', () => {
    const cidr = fc.oneof(
      fc.tuple(fc.constantFrom(0, 10, 192), fc.nat(3), fc.integer({ min: 6, max: 12 })).map(([a, b, prefix]) => `${a}.${b * 64}.0.0/${prefix}`),
      fc.tuple(fc.nat(3), fc.integer({ min: 14, max: 20 })).map(([a, prefix]) => `2001:db8:${a * 0x4000}::/${prefix}`),
      fc.constant('not-a-cidr'),
    );
    fc.assert(fc.property(fc.array(cidr, { maxLength: 40 }), (texts) => {
      const cidrs = texts.map((text) => parseCidr(text)).map((parsed) => ('error' in parsed ? undefined : parsed));
      expect([...firstCoveringIndexes(cidrs)]).toEqual(pairByPair(cidrs));
    }), { numRuns: 2000, seed: 18 });
  });
});

describe('an ipBlock with 100,000 excepts', () => {
  it('is checked by the except-outside-cidr rule at once (it took 87 s), each repeat found', () => {
    const excepts = Array.from({ length: 100000 }, (_unused, index) => `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}/32`);
    // Two repeats far apart, and one except inside another.
    excepts[99990] = excepts[5];
    excepts[50000] = '10.0.16.0/20';
    const { graph } = analyzeTexts([{ path: 'big.yaml', text: policy(excepts) }]);
    const rule = RULES.find((entry) => entry.id === 'except-outside-cidr')!;
    const findings = runRules(graph, [rule], resolveConfig({}, undefined)).findings;
    expect(findings.map((finding) => [finding.location?.line, finding.message])).toEqual([
      // 10.0.16.0 .. 10.0.31.255 (indexes 4096..8191) lie inside the /20 at line 50011.
      ...Array.from({ length: 4096 }, (_unused, offset) => [11 + 4096 + offset, `except ${excepts[4096 + offset]} lies inside except 10.0.16.0/20 of the same ipBlock, so it excludes nothing more.`]),
      [11 + 99990, 'except 10.0.0.5/32 repeats except 10.0.0.5/32 of the same ipBlock, so it excludes nothing more.'],
    ]);
    expect(findings[0].related?.[0].line).toBe(11 + 50000);
  });

  it('locates findings on items deep in the list on their own lines', () => {
    const excepts = Array.from({ length: 40000 }, (_unused, index) => (index % 4 === 0 ? `10.0.0.${index}/33` : `10.1.${index >> 8 & 255}.${index & 255}/32`));
    const { inputFindings } = analyzeTexts([{ path: 'big.yaml', text: policy(excepts) }]);
    expect(inputFindings).toHaveLength(10000);
    inputFindings.forEach((finding, index) => expect(finding.location?.line).toBe(11 + index * 4));
  });
});
