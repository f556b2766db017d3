import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../rules/index.js';
import { renderCatalogue, type RuleExamples } from '../../src/lint/catalogue.js';
import { fixtureFiles, testRule } from './rule-tester.js';

for (const rule of RULES) testRule(rule);

/** The catalogue as `npm run docs` writes it. */
export function expectedCatalogue(): string {
  const examples = new Map<string, RuleExamples>();
  for (const rule of RULES) {
    const [invalid] = fixtureFiles(rule.id, 'invalid');
    const [valid] = fixtureFiles(rule.id, 'valid');
    examples.set(rule.id, {
      ...(invalid ? { invalid: fs.readFileSync(invalid, 'utf8') } : {}),
      ...(valid ? { valid: fs.readFileSync(valid, 'utf8') } : {}),
    });
  }
  return renderCatalogue(RULES, examples);
}

describe('the rule catalogue', () => {
  it('names each rule after its file, kebab-case, once', () => {
    const files = fs.readdirSync(path.resolve('rules')).filter((name) => name.endsWith('.ts') && name !== 'index.ts').map((name) => name.slice(0, -3)).sort();
    expect(RULES.map((rule) => rule.id).sort()).toEqual(files);
    for (const rule of RULES) expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
  });

  it('gives every rule a description, a rationale, a fix and messages', () => {
    for (const rule of RULES) {
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(10);
      expect(Object.keys(rule.messages).length).toBeGreaterThan(0);
    }
  });

  it('README.md states how many rules there are', () => {
    expect(fs.readFileSync(path.resolve('README.md'), 'utf8')).toMatch(new RegExp(`^${RULES.length} rules in `, 'm'));
  });

  it('rules/README.md is up to date (run npm run docs)', () => {
    expect(fs.readFileSync(path.resolve('rules', 'README.md'), 'utf8')).toBe(expectedCatalogue());
  });
});
