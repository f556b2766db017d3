/**
 * The lint engine (src/lint/engine.ts) with tiny in-test rules over the real pipeline
 * (analyzeTexts): message templates, suppressions, levels, options, ignored paths, the lazy
 * solver, and the shape of the findings users see.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { resolveConfig, type LintConfig, type RuleSetting } from '../../src/lint/config.js';
import { IGNORE_ANNOTATION, RuleError, fillTemplate, runRules } from '../../src/lint/engine.js';
import { defineRule, type Rule, type RuleContext, type RuleReport } from '../../src/lint/rule.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import type { ResourceGraph } from '../../src/model/graph.js';

const SERVICES = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
  annotations:
    ${IGNORE_ANNOTATION}: "rule-a, rule-b"
spec:
  selector:
    app: db
  ports:
    - name: sql
      port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: cache
  namespace: shop
  annotations:
    ${IGNORE_ANNOTATION}: all
spec:
  selector:
    app: cache
  ports:
    - name: redis
      port: 6379
---
apiVersion: v1
kind: Service
metadata:
  name: nons
spec:
  selector:
    app: nons
  ports:
    - port: 8080
`;

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

/** The 1-based line of the first line of `text` equal to `wanted`. */
function lineOf(text: string, wanted: string): number {
  const index = text.split('\n').indexOf(wanted);
  if (index < 0) throw new Error(`no line ${wanted}`);
  return index + 1;
}

function analysis(texts: { path: string; text: string }[] = [{ path: 'manifests/services.yaml', text: SERVICES }]) {
  return analyzeTexts(texts);
}

function config(rules: Record<string, RuleSetting | string> = {}, extra: Record<string, unknown> = {}): LintConfig {
  return resolveConfig({ rules, ...extra }, undefined);
}

/** A rule reporting every Service on its first port, with data from the Service. */
function serviceRule(id: string, overrides: Partial<Rule<any>> = {}): Rule<any> {
  return defineRule({
    id,
    category: 'hygiene',
    severity: 'warning',
    description: `Test rule ${id}.`,
    rationale: `Rationale of ${id}.`,
    fix: `Fix of ${id}.`,
    messages: { found: 'Service {{service}} port {{ port }} seen by ' + id + '.' },
    check(graph: ResourceGraph) {
      return graph.services.map((service): RuleReport => ({
        messageId: 'found',
        data: { service: `${service.namespace}/${service.name}`, port: service.ports[0].port },
        object: service.source,
        path: ['spec', 'ports', 0, 'port'],
      }));
    },
    ...overrides,
  });
}

function ids(findings: readonly { object?: { name?: string } }[]): string[] {
  return findings.map((finding) => finding.object?.name ?? '?').sort();
}

describe('fillTemplate', () => {
  const object = analysis().graph.services[0].source;
  const rule = serviceRule('rule-t', { messages: { one: 'a {{x}} b {{ y }} c {{x}}', plain: 'no placeholders' } });

  it('fills every placeholder, with or without inner spaces, numbers included', () => {
    expect(fillTemplate(rule, { messageId: 'one', data: { x: 'X', y: 7 }, object })).toBe('a X b 7 c X');
    expect(fillTemplate(rule, { messageId: 'plain', object })).toBe('no placeholders');
  });

  it('fills 0 and the empty string (defined values), not only truthy ones', () => {
    expect(fillTemplate(rule, { messageId: 'one', data: { x: '', y: 0 }, object })).toBe('a  b 0 c ');
  });

  it('throws a RuleError naming the placeholder when one is left unfilled', () => {
    expect(() => fillTemplate(rule, { messageId: 'one', data: { x: 'X' }, object })).toThrow(RuleError);
    expect(() => fillTemplate(rule, { messageId: 'one', data: { x: 'X' }, object })).toThrow(/rule-t.*\{\{y\}\}.*'one'/);
    expect(() => fillTemplate(rule, { messageId: 'one', object })).toThrow(RuleError);
  });

  it('throws a RuleError naming an unknown messageId', () => {
    expect(() => fillTemplate(rule, { messageId: 'nope', object })).toThrow(RuleError);
    expect(() => fillTemplate(rule, { messageId: 'nope', object })).toThrow(/rule-t.*unknown messageId 'nope'/);
  });

  it('runRules surfaces the RuleError of a rule with a broken template', () => {
    const { graph } = analysis();
    const broken = serviceRule('rule-broken', { messages: { found: 'Service {{service}} {{missing}}' } });
    expect(() => runRules(graph, [broken], config())).toThrow(RuleError);
    const unknown = serviceRule('rule-unknown', { messages: { other: 'x' } });
    expect(() => runRules(graph, [unknown], config())).toThrow(/unknown messageId 'found'/);
  });
});

describe('suppressions', () => {
  it(`${IGNORE_ANNOTATION}: "rule-a, rule-b" silences exactly those rules on that object, and counts them`, () => {
    const { graph } = analysis();
    const run = runRules(graph, [serviceRule('rule-a'), serviceRule('rule-b'), serviceRule('rule-c')], config());
    const byRule = (id: string) => ids(run.findings.filter((finding) => finding.ruleId === id));
    // db ignores rule-a and rule-b; cache ignores all.
    expect(byRule('rule-a')).toEqual(['nons', 'web']);
    expect(byRule('rule-b')).toEqual(['nons', 'web']);
    expect(byRule('rule-c')).toEqual(['db', 'nons', 'web']);
    // cache: 3 (one per rule); db: 2 (rule-a, rule-b).
    expect(run.suppressed).toBe(5);
  });

  it(`${IGNORE_ANNOTATION}: all silences every rule on that object`, () => {
    const { graph } = analysis();
    const run = runRules(graph, [serviceRule('rule-x'), serviceRule('rule-y')], config());
    expect(run.findings.some((finding) => finding.object?.name === 'cache')).toBe(false);
    expect(run.findings.filter((finding) => finding.object?.name === 'db')).toHaveLength(2);
    expect(run.suppressed).toBe(2);
  });

  it('an annotation naming another rule suppresses nothing of this one', () => {
    const text = SERVICES.replace('"rule-a, rule-b"', 'rule-aa').replace(': all', ': rule-z');
    const { graph } = analysis([{ path: 'a.yaml', text }]);
    const run = runRules(graph, [serviceRule('rule-a')], config());
    expect(ids(run.findings)).toEqual(['cache', 'db', 'nons', 'web']);
    expect(run.suppressed).toBe(0);
  });

  it('globs in `ignore` suppress the findings of matching files and count them', () => {
    const texts = [
      { path: 'manifests/services.yaml', text: SERVICES.replace(/ {4}k8snet\.io\/ignore:.*\n/g, '').replace(/ {2}annotations:\n/g, '') },
      { path: 'manifests/generated/extra.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: gen\n  namespace: shop\nspec:\n  selector:\n    app: gen\n  ports:\n    - port: 81\n' },
    ];
    const { graph } = analysis(texts);
    const rule = serviceRule('rule-a');
    expect(ids(runRules(graph, [rule], config()).findings)).toEqual(['cache', 'db', 'gen', 'nons', 'web']);
    const run = runRules(graph, [rule], config({}, { ignore: ['**/generated/**'] }));
    expect(ids(run.findings)).toEqual(['cache', 'db', 'nons', 'web']);
    expect(run.suppressed).toBe(1);
    const all = runRules(graph, [rule], config({}, { ignore: ['manifests/*.yaml'] }));
    expect(ids(all.findings)).toEqual(['gen']);
    expect(all.suppressed).toBe(4);
  });
});

describe('levels', () => {
  it('level off skips the rule: check is never called', () => {
    const { graph } = analysis();
    let calls = 0;
    const rule = serviceRule('rule-a', {
      check() {
        calls++;
        return [];
      },
    });
    expect(runRules(graph, [rule], config({ 'rule-a': 'off' }))).toEqual({ findings: [], suppressed: 0 });
    expect(runRules(graph, [rule], config({ 'rule-a': { level: 'off', options: { x: 1 } } }))).toEqual({ findings: [], suppressed: 0 });
    expect(calls).toBe(0);
    runRules(graph, [rule], config());
    expect(calls).toBe(1);
  });

  it('the default severity applies when nothing is configured', () => {
    const { graph } = analysis();
    const run = runRules(graph, [serviceRule('rule-a', { severity: 'info' })], config());
    expect(new Set(run.findings.map((finding) => finding.severity))).toEqual(new Set(['info']));
  });

  it('a configured level replaces the severity, as a string or as { level }', () => {
    const { graph } = analysis();
    const rules = [serviceRule('rule-a'), serviceRule('rule-b'), serviceRule('rule-c')];
    const run = runRules(graph, rules, config({ 'rule-a': 'error', 'rule-b': { level: 'info' } }));
    const severities = (id: string) => [...new Set(run.findings.filter((finding) => finding.ruleId === id).map((finding) => finding.severity))];
    expect(severities('rule-a')).toEqual(['error']);
    expect(severities('rule-b')).toEqual(['info']);
    expect(severities('rule-c')).toEqual(['warning']);
  });

  it('options alone keep the default severity', () => {
    const { graph } = analysis();
    const run = runRules(graph, [serviceRule('rule-a')], config({ 'rule-a': { options: {} } }));
    expect(run.findings.every((finding) => finding.severity === 'warning')).toBe(true);
  });
});

describe('options', () => {
  const optionsSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { threshold: { type: 'integer', minimum: 1 }, names: { type: 'array', items: { type: 'string' } } },
  };

  function optionRule(seen: unknown[]): Rule<{ threshold: number; names: string[] }> {
    return defineRule<{ threshold: number; names: string[] }>({
      ...serviceRule('rule-o'),
      optionsSchema,
      defaultOptions: { threshold: 3, names: ['a'] },
      check(_graph, context: RuleContext<{ threshold: number; names: string[] }>) {
        seen.push(context.options);
        return [];
      },
    });
  }

  it('passes the defaults when nothing is configured', () => {
    const seen: unknown[] = [];
    runRules(analysis().graph, [optionRule(seen)], config());
    expect(seen).toEqual([{ threshold: 3, names: ['a'] }]);
  });

  it('merges configured options over the defaults', () => {
    const seen: unknown[] = [];
    runRules(analysis().graph, [optionRule(seen)], config({ 'rule-o': { options: { threshold: 10 } } }));
    expect(seen).toEqual([{ threshold: 10, names: ['a'] }]);
    runRules(analysis().graph, [optionRule(seen)], config({ 'rule-o': { level: 'error', options: { names: ['x', 'y'] } } }));
    expect(seen[1]).toEqual({ threshold: 3, names: ['x', 'y'] });
  });

  it('validates the merged options against optionsSchema: bad options are a RuleError naming the rule and the option', () => {
    const seen: unknown[] = [];
    const graph = analysis().graph;
    expect(() => runRules(graph, [optionRule(seen)], config({ 'rule-o': { options: { threshold: 'high' } } }))).toThrow(RuleError);
    expect(() => runRules(graph, [optionRule(seen)], config({ 'rule-o': { options: { threshold: 0 } } }))).toThrow(/rule-o.*\/threshold/);
    expect(() => runRules(graph, [optionRule(seen)], config({ 'rule-o': { options: { unknownOption: true } } }))).toThrow(/rule-o.*additional properties/);
    expect(seen).toEqual([]);
  });

  it('gives the rule the cluster facts of the configuration', () => {
    const seen: unknown[] = [];
    const rule = serviceRule('rule-c', {
      check(_graph, context) {
        seen.push(context.cluster);
        return [];
      },
    });
    const configured = config({}, { cluster: { maxPodsPerNode: 42, podCIDR: '10.0.0.0/8' } });
    runRules(analysis().graph, [rule], configured);
    expect(seen).toEqual([configured.cluster]);
    expect((seen[0] as { maxPodsPerNode: number }).maxPodsPerNode).toBe(42);
  });
});

describe('the solver is built lazily and shared', () => {
  function counting(graph: ResourceGraph) {
    const counter = { calls: 0 };
    const factory = () => {
      counter.calls++;
      return new ReachabilitySolver(graph);
    };
    return { counter, factory };
  }

  it('is not built when no rule touches context.solver', () => {
    const { graph } = analysis();
    const { counter, factory } = counting(graph);
    const run = runRules(graph, [serviceRule('rule-a'), serviceRule('rule-b')], config(), factory);
    expect(run.findings.length).toBeGreaterThan(0);
    expect(counter.calls).toBe(0);
  });

  it('is built once for every rule that touches it, and not for a rule that is off', () => {
    const { graph } = analysis();
    const { counter, factory } = counting(graph);
    const solvers: unknown[] = [];
    const touching = (id: string) => serviceRule(id, {
      check(_graph, context) {
        solvers.push(context.solver);
        solvers.push(context.solver);
        return [];
      },
    });
    runRules(graph, [touching('rule-off')], config({ 'rule-off': 'off' }), factory);
    expect(counter.calls).toBe(0);
    runRules(graph, [serviceRule('rule-a'), touching('rule-s1'), touching('rule-s2')], config(), factory);
    expect(counter.calls).toBe(1);
    expect(solvers).toHaveLength(4);
    expect(new Set(solvers).size).toBe(1);
    expect(solvers[0]).toBeInstanceOf(ReachabilitySolver);
  });

  it('builds a ReachabilitySolver itself when no factory is given', () => {
    const { graph } = analysis();
    let solver: unknown;
    runRules(graph, [serviceRule('rule-s', {
      check(_graph, context) {
        solver = context.solver;
        return [];
      },
    })], config());
    expect(solver).toBeInstanceOf(ReachabilitySolver);
  });
});

describe('the findings', () => {
  it('carry file, 1-based line and column, the field path, the object, why, fix and hint', () => {
    const { graph } = analysis();
    const rule = serviceRule('rule-a', {
      check(g: ResourceGraph) {
        const web = g.services.find((service) => service.name === 'web')!;
        return [{ messageId: 'found', data: { service: 'shop/web', port: 80 }, object: web.source, path: ['spec', 'ports', 0, 'port'], hint: 'did you mean 8080?' }];
      },
    });
    const [finding] = runRules(graph, [rule], config()).findings;
    expect(finding).toEqual({
      ruleId: 'rule-a',
      severity: 'warning',
      message: 'Service shop/web port 80 seen by rule-a.',
      // `      port: 80` is line 11: the key spans columns 7-10 (the end is exclusive).
      location: { file: 'manifests/services.yaml', line: 11, column: 7, endLine: 11, endColumn: 11 },
      path: 'spec.ports[0].port',
      object: { kind: 'Service', namespace: 'shop', name: 'web' },
      why: 'Rationale of rule-a.',
      fix: 'Fix of rule-a.',
      hint: 'did you mean 8080?',
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(finding).not.toHaveProperty('related');
  });

  it('locate the object itself when no path is given, and name a label key with dots in brackets', () => {
    const { graph } = analysis();
    const rule = serviceRule('rule-a', {
      messages: { found: 'here' },
      check(g: ResourceGraph) {
        const db = g.services.find((service) => service.name === 'db')!;
        return [
          { messageId: 'found', object: db.source },
          { messageId: 'found', object: db.source, path: ['metadata', 'annotations', 'example.com/x'] },
        ];
      },
    });
    const findings = runRules(graph, [rule], config({}, {})).findings;
    // db carries an ignore annotation for rule-a and rule-b only: rename the rule to see the findings.
    expect(findings).toHaveLength(0);
    const other = runRules(graph, [{ ...rule, id: 'rule-q' }], config()).findings;
    expect(other).toHaveLength(2);
    expect(other[0].path).toBe('');
    expect(other[0].location).toMatchObject({ file: 'manifests/services.yaml', line: lineOf(SERVICES, '  name: db') - 3, column: 1 });
    // A path that is not in the object falls back to its nearest ancestor (metadata.annotations).
    expect(other[1].path).toBe('metadata.annotations["example.com/x"]');
    expect(other[1].location!.line).toBe(lineOf(SERVICES, '  annotations:') );
  });

  it('name objects without a namespace in the default one, and cluster-scoped ones without any', () => {
    const { graph } = analysis([{ path: 'ns.yaml', text: NAMESPACE }, { path: 'services.yaml', text: SERVICES }]);
    const rule = serviceRule('rule-n', {
      messages: { found: '{{name}}' },
      check(g: ResourceGraph) {
        const nons = g.services.find((service) => service.name === 'nons')!;
        const namespace = g.namespaces.find((ns) => ns.name === 'shop')!;
        return [
          { messageId: 'found', data: { name: 'nons' }, object: nons.source },
          { messageId: 'found', data: { name: 'shop' }, object: namespace.source! },
        ];
      },
    });
    const [service, namespace] = runRules(graph, [rule], config()).findings;
    expect(service.object).toEqual({ kind: 'Service', namespace: 'default', name: 'nons' });
    expect(namespace.object).toEqual({ kind: 'Namespace', name: 'shop' });
    expect(namespace.object).not.toHaveProperty('namespace');
    expect(namespace.location).toMatchObject({ file: 'ns.yaml', line: 1, column: 1 });
    // `--namespace argocd` puts the objects that name none in argocd, and their findings say so.
    const argocd = analyzeTexts([{ path: 'services.yaml', text: SERVICES }], { defaultNamespace: 'argocd' }).graph;
    const [placed] = runRules(argocd, [rule], config()).findings.filter((finding) => finding.object?.name === 'nons');
    expect(placed.object).toEqual({ kind: 'Service', namespace: 'argocd', name: 'nons' });
  });

  it('cap the severity of messages a rule declares less serious, whatever level is configured', () => {
    const { graph } = analysis();
    const rule = serviceRule('rule-c', {
      messages: { found: 'found {{service}}', minor: 'minor {{service}}' },
      messageSeverities: { minor: 'info' },
      check(g: ResourceGraph) {
        return g.services.map((service, index): RuleReport => ({ messageId: index === 0 ? 'minor' : 'found', data: { service: service.name }, object: service.source }));
      },
    });
    const severities = (level: string) => runRules(graph, [rule], config({ 'rule-c': level })).findings.map((finding) => `${finding.message.split(' ')[0]}:${finding.severity}`);
    expect(severities('error')).toEqual(expect.arrayContaining(['minor:info', 'found:error']));
    expect(severities('warning')).toEqual(expect.arrayContaining(['minor:info', 'found:warning']));
    expect(severities('info')).not.toContain('found:warning');
  });

  it('suppress the findings of a cause that is suppressed on its object, and count them', () => {
    const { graph } = analysis();
    const cause = serviceRule('rule-cause', {
      check: (g: ResourceGraph) => g.services.filter((service) => service.name === 'db')
        .map((service): RuleReport => ({ messageId: 'found', data: { service: service.name, port: 1 }, object: service.source, causeKey: 'topic:db' })),
    });
    const member = serviceRule('rule-member', {
      check: (g: ResourceGraph) => g.services.filter((service) => service.name === 'web')
        .map((service): RuleReport => ({ messageId: 'found', data: { service: service.name, port: 1 }, object: service.source, causedBy: { key: 'topic:db', label: 'because of db' } })),
    });
    // db carries `k8snet.io/ignore: rule-a, rule-b`: as rule-a, the cause is suppressed, and web's finding with it.
    const run = runRules(graph, [{ ...cause, id: 'rule-a' }, member], config());
    expect(run.findings).toEqual([]);
    expect(run.suppressed).toBe(2);
    // A cause that is reported leaves its members to be folded under it later.
    expect(runRules(graph, [cause, member], config()).findings.map((finding) => finding.ruleId)).toEqual(['rule-cause', 'rule-member']);
  });

  it('fingerprint findings by rule, message, object, field and identifying data, never by file or line', () => {
    const report = (g: ResourceGraph, name: string, data: Record<string, string | number>): RuleReport => {
      const service = g.services.find((candidate) => candidate.name === name)!;
      return { messageId: 'found', data, object: service.source, path: ['spec', 'ports', 0, 'port'] };
    };
    const fingerprints = (texts: { path: string; text: string }[], data: Record<string, string | number>, identifyingData: string[] = []) => {
      const rule = serviceRule('rule-f', { identifyingData, check: (g: ResourceGraph) => [report(g, 'web', data)] });
      return runRules(analysis(texts).graph, [rule], config()).findings.map((finding) => finding.fingerprint);
    };
    const here = fingerprints([{ path: 'a.yaml', text: SERVICES }], { service: 'shop/web', port: 80 });
    // Another file, lines pushed down: the same finding.
    expect(fingerprints([{ path: 'moved/b.yaml', text: `# moved\n\n${SERVICES}` }], { service: 'shop/web', port: 80 })).toEqual(here);
    // Data that is not identifying (a count in the message) does not change it; identifying data does.
    expect(fingerprints([{ path: 'a.yaml', text: SERVICES }], { service: 'shop/web', port: 81 })).toEqual(here);
    expect(fingerprints([{ path: 'a.yaml', text: SERVICES }], { service: 'shop/web', port: 81 }, ['port']))
      .not.toEqual(fingerprints([{ path: 'a.yaml', text: SERVICES }], { service: 'shop/web', port: 80 }, ['port']));
  });

  it('carry related locations, each with its file, line, column and label', () => {
    const { graph } = analysis([{ path: 'ns.yaml', text: NAMESPACE }, { path: 'services.yaml', text: SERVICES }]);
    const rule = serviceRule('rule-r', {
      check(g: ResourceGraph) {
        const web = g.services.find((service) => service.name === 'web')!;
        const nons = g.services.find((service) => service.name === 'nons')!;
        const namespace = g.namespaces.find((ns) => ns.name === 'shop')!;
        return [{
          messageId: 'found',
          data: { service: 'shop/web', port: 80 },
          object: web.source,
          related: [
            { object: nons.source, path: ['metadata', 'name'], message: 'the other one' },
            { object: namespace.source!, message: 'its namespace' },
          ],
        }];
      },
    });
    const [finding] = runRules(graph, [rule], config()).findings;
    expect(finding.related).toEqual([
      { file: 'services.yaml', line: lineOf(SERVICES, '  name: nons'), column: 3, endLine: lineOf(SERVICES, '  name: nons'), endColumn: 7, message: 'the other one' },
      expect.objectContaining({ file: 'ns.yaml', line: 1, column: 1, message: 'its namespace' }),
    ]);
  });

  it('are listed rule by rule, in the order of the rules and of their reports', () => {
    const { graph } = analysis();
    const run = runRules(graph, [serviceRule('rule-z'), serviceRule('rule-y')], config());
    expect(run.findings.map((finding) => `${finding.ruleId}:${finding.object?.name}`)).toEqual([
      'rule-z:web', 'rule-z:db', 'rule-z:nons',
      'rule-y:web', 'rule-y:db', 'rule-y:nons',
    ]);
  });
});
