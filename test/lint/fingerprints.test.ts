/**
 * Fingerprints identify findings across revisions (lint --new-from-rev, SARIF partialFingerprints):
 * within one run no two findings may share one, or a new finding could hide behind an old one. A
 * rule whose findings can fall on the same object and field names the data that tells them apart
 * (identifyingData); this test runs every rule on every fixture and on the demo to catch one that does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../rules/index.js';
import { analyzePaths } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import { RULE_FIXTURES } from './rule-tester.js';

function fixtureSets(): string[] {
  const sets = ['fixtures/demo'];
  for (const id of fs.readdirSync(RULE_FIXTURES).sort()) {
    for (const kind of ['valid', 'invalid']) {
      const folder = path.join(RULE_FIXTURES, id, kind);
      if (fs.existsSync(folder)) sets.push(...fs.readdirSync(folder).sort().map((name) => path.relative(process.cwd(), path.join(folder, name))));
    }
  }
  return sets;
}

describe('finding fingerprints', () => {
  it('are distinct within a run, for every rule on every fixture and on the demo', () => {
    const clashes: string[] = [];
    for (const set of fixtureSets()) {
      const analysis = analyzePaths([set]);
      const { findings } = runRules(analysis.graph, RULES, resolveConfig({}, undefined));
      const seen = new Map<string, string>();
      for (const finding of findings) {
        const earlier = seen.get(finding.fingerprint!);
        if (earlier) clashes.push(`${set}: ${finding.ruleId}: "${finding.message}" has the fingerprint of "${earlier}"`);
        seen.set(finding.fingerprint!, finding.message);
      }
    }
    expect(clashes).toEqual([]);
  });
});
