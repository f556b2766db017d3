import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import type { Rule } from '../../src/lint/rule.js';
import { DocumentPositions } from '../../src/load/positions.js';
import { SourceFile } from '../../src/load/source-file.js';

/** Where each rule's fixtures live: `fixtures/rules/<id>/{valid,invalid}/*.yaml`. */
export const RULE_FIXTURES = path.resolve(process.cwd(), 'fixtures', 'rules');

// `# expect: messageId`, or `messageId@info` for a finding below the rule's default severity.
const EXPECT_MARKER = /#\s*expect:\s*([\w-]+(?:@\w+)?(?:\s*,\s*[\w-]+(?:@\w+)?)*)/;
const CONFIG_MARKER = /^#\s*k8snet-config:\s*(\{.*\})\s*$/m;

/** Returns the fixture files of one kind for a rule. */
export function fixtureFiles(ruleId: string, kind: 'valid' | 'invalid'): string[] {
  const folder = path.join(RULE_FIXTURES, ruleId, kind);
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).filter((name) => /\.(ya?ml|json)$/.test(name)).sort().map((name) => path.join(folder, name));
}

/** Reads the `# expect: messageId` markers of a fixture as `line:messageId` strings. */
export function expectedFindings(text: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, index) => {
    const match = EXPECT_MARKER.exec(line);
    if (match) for (const id of match[1].split(',')) expected.push(`${index + 1}:${id.trim()}`);
  });
  return expected.sort();
}

/**
 * Freezes everything reachable from the graph, so a rule that mutates it throws. Source
 * positions are skipped: they are built lazily and hold typed arrays.
 */
export function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  if (value instanceof DocumentPositions || value instanceof SourceFile || ArrayBuffer.isView(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      deepFreeze(key, seen);
      deepFreeze(entry, seen);
    }
  }
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
  Object.freeze(value);
}

/**
 * Lints one fixture with one rule: `line:messageId` of each finding, sorted, with `@severity`
 * after the id when the finding is less serious than the rule's default (a message's cap).
 */
export function lintFixture(rule: Rule<any>, file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const configMatch = CONFIG_MARKER.exec(text);
  const config = resolveConfig(configMatch ? JSON.parse(configMatch[1]) : {}, undefined);
  // What the configuration says about the graph (operators' workloads, namespaces made elsewhere, the Istio mesh) counts too.
  const analysis = analyzeTexts([{ path: path.relative(process.cwd(), file), text }], { workloadDeclarations: config.workloads, namespaceDeclarations: config.namespaces, istio: config.istio });
  deepFreeze(analysis.graph);
  // The rule runs at its own severity even where its default is off; options come from the fixture.
  const run = runRules(analysis.graph, [rule], { ...config, rules: { [rule.id]: { ...config.rules[rule.id], level: rule.severity } } });
  for (const finding of run.findings) {
    expect(finding.location?.file).toBe(path.relative(process.cwd(), file));
    expect(finding.message).not.toMatch(/\{\{|undefined|\[object Object\]/);
  }
  return run.findings.map((finding) => `${finding.location!.line}:${messageIdOf(rule, finding.message)}${finding.severity === rule.severity ? '' : `@${finding.severity}`}`).sort();
}

function messageIdOf(rule: Rule<any>, message: string): string {
  // Messages are filled templates: find the template whose fixed text the message matches.
  for (const [id, template] of Object.entries(rule.messages)) {
    const pattern = new RegExp(`^${template.split(/\{\{\s*\w+\s*\}\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);
    if (pattern.test(message)) return id;
  }
  return `unknown-message(${message})`;
}

/**
 * ESLint's RuleTester for k8snet: every valid fixture yields no finding; every invalid fixture
 * yields exactly the findings its `# expect:` markers name, on the marked lines.
 */
export function testRule(rule: Rule<any>): void {
  describe(rule.id, () => {
    const valid = fixtureFiles(rule.id, 'valid');
    const invalid = fixtureFiles(rule.id, 'invalid');
    it('has valid and invalid fixtures', () => {
      expect(valid.length).toBeGreaterThan(0);
      expect(invalid.length).toBeGreaterThan(0);
    });
    for (const file of valid) {
      it(`reports nothing on valid/${path.basename(file)}`, () => {
        expect(lintFixture(rule, file)).toEqual([]);
      });
    }
    for (const file of invalid) {
      it(`reports the marked lines of invalid/${path.basename(file)}`, () => {
        const expected = expectedFindings(fs.readFileSync(file, 'utf8'));
        expect(expected.length).toBeGreaterThan(0);
        expect(lintFixture(rule, file)).toEqual(expected);
      });
    }
  });
}
