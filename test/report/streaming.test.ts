/**
 * Reports of hundreds of thousands of findings (src/report/*.ts stream functions, summary.ts
 * capRepeats): streamed in small chunks that join into exactly the document the format defines,
 * and findings beyond the per-file limit of one rule counted instead of listed, in every format.
 */
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/finding.js';
import { RULES } from '../../rules/index.js';
import { streamGithub } from '../../src/report/github.js';
import { formatJson, streamJson } from '../../src/report/json.js';
import { streamJunit } from '../../src/report/junit.js';
import { PLAIN } from '../../src/report/paint.js';
import { formatSarif, streamSarif } from '../../src/report/sarif.js';
import { formatStylish, streamStylish } from '../../src/report/stylish.js';
import { capRepeats, sortFindings, summarize, type LintResult } from '../../src/report/summary.js';
import { xmlProblems } from './xml-check.js';

function notObject(file: string, index: number): Finding {
  return {
    ruleId: 'input-not-object',
    severity: 'error',
    message: `Document ${index + 1} of ${file} is a number value, not a Kubernetes object.`,
    location: { file, line: index + 1, column: 5, endLine: index + 1, endColumn: 6 },
    why: 'Only mappings are objects.',
    fix: 'Make each document a mapping.',
  };
}

function many(file: string, count: number): Finding[] {
  return Array.from({ length: count }, (_unused, index) => notObject(file, index));
}

function resultOf(findings: Finding[], limit = 0): LintResult {
  const { listed, omitted } = capRepeats(sortFindings(findings), limit);
  return { findings: listed, summary: summarize(findings, 1), ...(omitted.length > 0 ? { omitted } : {}) };
}

const STREAMS: Record<string, (result: LintResult) => Iterable<string>> = {
  stylish: (result) => streamStylish(result, { paint: PLAIN, verbose: true }),
  json: streamJson,
  sarif: (result) => streamSarif(result, RULES),
  github: streamGithub,
  junit: streamJunit,
};

describe('streamed reports', () => {
  // The longest chunk is SARIF's rule catalogue, written before the results (about 120 KB).
  it.each(Object.keys(STREAMS))('%s comes in chunks of a finding or a fixed head, however many findings there are', (format) => {
    let longest = 0;
    let chunks = 0;
    for (const chunk of STREAMS[format](resultOf(many('big.yaml', 20000)))) {
      longest = Math.max(longest, chunk.length);
      chunks++;
    }
    expect(chunks).toBeGreaterThanOrEqual(20000);
    expect(longest).toBeLessThan(256 * 1024);
  });

  it('json joins into exactly what JSON.stringify gives, with and without findings', () => {
    const findings = [...many('a.yaml', 3), { ruleId: 'input-unreadable', severity: 'error', message: 'gone.yaml: no such file or folder' } as Finding];
    for (const result of [resultOf(findings), resultOf([])]) {
      const expected = JSON.parse(formatJson(result));
      expect(`${JSON.stringify(expected, null, 2)}\n`).toBe([...streamJson(result)].join(''));
    }
  });

  it('sarif joins into exactly what JSON.stringify gives, with and without results', () => {
    for (const result of [resultOf(many('a.yaml', 3)), resultOf([]), resultOf(many('a.yaml', 5), 2)]) {
      const text = formatSarif(result, RULES);
      expect(`${JSON.stringify(JSON.parse(text), null, 2)}\n`).toBe(text);
    }
  });

  it('stylish lists 200,000 findings of one file without overflowing the stack', () => {
    const text = formatStylish(resultOf(many('big.yaml', 200000)), { paint: PLAIN });
    expect(text.split('\n')).toHaveLength(200000 + 4);
    expect(text).toContain('\n  200000:5  error  ');
  });
});

describe('capRepeats', () => {
  it('keeps the first findings of each rule and severity per file and counts the rest', () => {
    const findings = sortFindings([...many('a.yaml', 5), ...many('b.yaml', 2), { ...notObject('a.yaml', 9), severity: 'warning' }]);
    const { listed, omitted } = capRepeats(findings, 2);
    expect(listed.map((finding) => `${finding.location!.file}:${finding.location!.line}:${finding.severity}`))
      .toEqual(['a.yaml:1:error', 'a.yaml:2:error', 'a.yaml:10:warning', 'b.yaml:1:error', 'b.yaml:2:error']);
    expect(omitted).toEqual([{ file: 'a.yaml', ruleId: 'input-not-object', severity: 'error', count: 3, listed: 2 }]);
  });

  it('keeps everything with a limit of 0', () => {
    expect(capRepeats(many('a.yaml', 500), 0)).toEqual({ listed: many('a.yaml', 500), omitted: [] });
  });

  const capped = resultOf(many('big.yaml', 250), 100);

  it('says in stylish how many more there are, what counts as a repeat, and how to list them all', () => {
    const text = formatStylish(capped, { paint: PLAIN });
    expect(text).toContain('\n  100:5  error  ');
    expect(text).not.toContain('101:5');
    expect(text).toContain('… 150 more input-not-object errors in this file are not listed: only the first 100 findings of one rule in one file are (--max-repeats 0 lists them all).');
    // The summary still counts every finding.
    expect(text).toContain('✖ 250 problems (250 errors, 0 warnings, 0 infos)');
  });

  it('counts them under "omitted" in JSON, beside a summary of every finding', () => {
    const json = JSON.parse([...streamJson(capped)].join(''));
    expect(json.findings).toHaveLength(100);
    expect(json.summary.errors).toBe(250);
    expect(json.omitted).toEqual([{ file: 'big.yaml', ruleId: 'input-not-object', severity: 'error', count: 150 }]);
  });

  it('says it in a SARIF tool execution notification of the run', () => {
    const sarif = JSON.parse([...streamSarif(capped, RULES)].join(''));
    expect(sarif.runs[0].results).toHaveLength(100);
    const [notification] = sarif.runs[0].invocations[0].toolExecutionNotifications;
    expect(notification.message.text).toMatch(/^150 more input-not-object errors/);
    expect(notification.locations[0].physicalLocation.artifactLocation.uri).toBe('big.yaml');
    expect(notification.associatedRule.id).toBe('input-not-object');
  });

  it('says it in a GitHub notice and in the JUnit suite\'s system-out', () => {
    const github = [...streamGithub(capped)].join('');
    expect(github.trimEnd().split('\n').at(-1)).toMatch(/^::notice file=big\.yaml,title=k8snet input-not-object::150 more /);
    const junit = [...streamJunit(capped)].join('');
    expect(xmlProblems(junit)).toEqual([]);
    expect(junit).toContain('<system-out>150 more input-not-object errors in this file are not listed');
  });
});
