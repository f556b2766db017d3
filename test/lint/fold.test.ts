import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/finding.js';
import { foldFindings } from '../../src/lint/fold.js';

function finding(name: string, line: number, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'rule',
    severity: 'warning',
    message: name,
    location: { file: 'a.yaml', line, column: 1, endLine: line, endColumn: 2 },
    ...extra,
  };
}

describe('foldFindings', () => {
  it('lists the findings that name a reported cause as its related locations, keeping the order of the rest', () => {
    const cause = finding('namespace', 1, { causeKey: 'ingress-isolation:shop', related: [{ file: 'p.yaml', line: 3, column: 1, endLine: 3, endColumn: 2, message: 'selects only app=db' }] });
    const web = finding('web', 10, { causedBy: { key: 'ingress-isolation:shop', label: 'not isolated: shop/web' } });
    const other = finding('other', 20);
    const api = finding('api', 30, { causedBy: { key: 'ingress-isolation:shop', label: 'not isolated: shop/api' } });
    const folded = foldFindings([cause, web, other, api]);
    expect(folded.map((entry) => entry.message)).toEqual(['namespace', 'other']);
    expect(folded[0].related?.map((entry) => `${entry.line}:${entry.message}`)).toEqual(['3:selects only app=db', '10:not isolated: shop/web', '30:not isolated: shop/api']);
  });

  it('keeps a finding on its own lines when its cause is not reported, or is less serious', () => {
    const web = finding('web', 10, { causedBy: { key: 'ingress-isolation:shop', label: 'not isolated' } });
    expect(foldFindings([web])).toEqual([web]);
    const infoCause = finding('namespace', 1, { severity: 'info', causeKey: 'ingress-isolation:shop' });
    expect(foldFindings([infoCause, web]).map((entry) => entry.message)).toEqual(['namespace', 'web']);
  });
});
