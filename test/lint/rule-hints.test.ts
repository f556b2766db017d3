/**
 * What rule fixtures cannot say (the RuleTester runs every rule's fixtures in rules.test.ts):
 * the hints of the selector and port rules, and the load-time part of invalid-port-range.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import type { Rule } from '../../src/lint/rule.js';
import { RULE_FIXTURES, deepFreeze } from './rule-tester.js';
import ingressBackendMissing from '../../rules/ingress-backend-missing.js';
import invalidPortRange from '../../rules/invalid-port-range.js';
import namedPortUndefined from '../../rules/named-port-undefined.js';
import peerOrInsteadOfAnd from '../../rules/peer-or-instead-of-and.js';
import peerSelectsNothing from '../../rules/peer-selects-nothing.js';
import policyPortNotServed from '../../rules/policy-port-not-served.js';
import policySelectsNothing from '../../rules/policy-selects-nothing.js';
import serviceSelectsNothing from '../../rules/service-selects-nothing.js';
import serviceTargetPortUnexposed from '../../rules/service-target-port-unexposed.js';


/** The hints a rule gives on one of its invalid fixtures, by line. */
function hintsOf(rule: Rule<any>, fixture: string): Record<number, string | undefined> {
  const file = path.join(RULE_FIXTURES, rule.id, 'invalid', fixture);
  const analysis = analyzeTexts([{ path: path.relative(process.cwd(), file), text: fs.readFileSync(file, 'utf8') }]);
  deepFreeze(analysis.graph);
  const run = runRules(analysis.graph, [rule], resolveConfig({}, undefined));
  return Object.fromEntries(run.findings.map((finding) => [finding.location!.line, finding.hint]));
}

describe('hints of the selector and port rules', () => {
  it('suggest the label pods carry when a selector misses it narrowly', () => {
    expect(hintsOf(policySelectsNothing, 'label-typo.yaml')).toEqual({ 8: 'did you mean app=catalog?', 25: undefined });
    expect(hintsOf(serviceSelectsNothing, 'stale-selectors.yaml')).toEqual({
      9: 'did you mean app.kubernetes.io/name=cart?',
      21: 'did you mean component=checkout?',
    });
    expect(hintsOf(peerSelectsNothing, 'typos.yaml')).toMatchObject({ 13: 'did you mean app=web?', 18: 'did you mean team=ops?', 35: 'did you mean app=prometheus?' });
  });

  it('point at the namespaceSelector peer a stray podSelector probably belonged to', () => {
    expect(hintsOf(peerSelectsNothing, 'split-peer.yaml')[15]).toMatch(/run in namespace monitoring: put this podSelector in the same peer as the namespaceSelector of from\[0\]/);
    expect(hintsOf(peerOrInsteadOfAnd, 'split-peers.yaml')[16])
      .toBe('for pods matching both, write one peer: - {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app: prometheus}}}');
  });

  it('name the Service port or container port meant', () => {
    expect(hintsOf(ingressBackendMissing, 'missing-backends.yaml')).toMatchObject({
      11: 'did you mean web?',
      24: '8080 is the targetPort of Service port 80; a backend names the Service port: did you mean http?',
      31: 'did you mean http?',
    });
    expect(hintsOf(policyPortNotServed, 'service-port-allowed.yaml')[16]).toBe('80 is the port of Service shop/web; policies see the pod\'s port: did you mean 8080?');
    expect(hintsOf(namedPortUndefined, 'undefined-names.yaml')[15]).toBe('did you mean http?');
    expect(hintsOf(serviceTargetPortUnexposed, 'wrong-targets.yaml')[15]).toBe('did you mean http?');
  });
});

describe('invalid-port-range at load time', () => {
  it('reports endPort errors under the rule id and leaves the policy out', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: p, namespace: shop}', 'spec:', '  podSelector: {}', '  ingress:',
      '    - ports:', '        - {port: 9000, endPort: 8000}', '        - {port: http, endPort: 8080}', '        - {protocol: TCP, endPort: 8080}',
    ].join('\n');
    const analysis = analyzeTexts([{ path: 'policy.yaml', text }]);
    expect(analysis.graph.policies).toHaveLength(0);
    const ranges = analysis.inputFindings.filter((finding) => finding.ruleId === invalidPortRange.id);
    expect(ranges.map((finding) => finding.location?.line)).toEqual([8, 9, 10]);
  });
});
