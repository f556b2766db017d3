/**
 * The one evaluator on hand-made policies in the common form, without any kind: first-match and
 * deny-overrides stages, pass and log, what a stage does with what it leaves, several enforcement
 * points, the reach rows and every-port marks the matrix relies on (checked against evaluating
 * every pair), and named restrictions.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ManifestObject } from '../../src/load/manifest-object.js';
import { BitSet } from '../../src/reach/bitset.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { PolicyEvaluator, type SideTrace } from '../../src/reach/evaluator.js';
import {
  ANY_POD, type CompiledPolicy, type CompiledRule, type Direction, type EnforcementPoint, type PodClass, type RuleAction,
  type StageDefinition,
} from '../../src/reach/policy-form.js';

const CLASS_COUNT = 4;
const CLASSES: PodClass[] = Array.from({ length: CLASS_COUNT }, (_, index) => ({
  index, namespace: 'ns', labels: { id: String(index) }, ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }], hostNetwork: false, outsidePolicy: false, pods: [],
}));
const OBJECT = { kind: 'Test', name: 'x', value: {}, origin: { file: 'test.yaml', document: 0 } } as unknown as ManifestObject;
const CNI: EnforcementPoint = { id: 'cni', label: 'plugin', unmatched: 'allow' };
const MESH: EnforcementPoint = { id: 'mesh', label: 'mesh', unmatched: 'allow' };
const TCP80 = ConnectionSet.ofPorts('TCP', 80);
const TCP = ConnectionSet.ofProtocol('TCP');

function classes(...members: number[]): BitSet {
  const set = new BitSet(CLASS_COUNT);
  for (const member of members) set.add(member);
  return set;
}

function stage(id: string, order: number, combination: StageDefinition['combination'], unmatched: StageDefinition['unmatched'], point = 'cni'): StageDefinition {
  return { id, point, order, combination, unmatched, label: id };
}

interface RuleSpec {
  readonly action: RuleAction;
  readonly peers?: readonly number[];
  readonly ports?: ConnectionSet;
  readonly named?: string;
  readonly any?: boolean;
  readonly restriction?: string;
}

/** A policy of one direction: subjects, whether it isolates, its rules in order. */
function policy(name: string, stageId: string, priority: number, direction: Direction, subjects: readonly number[], isolates: boolean, rules: readonly RuleSpec[]): CompiledPolicy {
  const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    kind: 'Test', name, label: name, object: OBJECT, stage: stageId, priority, model: {},
  };
  const compiledRules: CompiledRule[] = rules.map((spec, position) => ({
    policy: compiled,
    direction,
    action: spec.action,
    matchesEveryPeer: spec.peers === undefined && !spec.any,
    classes: spec.peers === undefined && !spec.any ? classes(0, 1, 2, 3) : classes(...(spec.peers ?? [])),
    addressRanges: { 4: [], 6: [] },
    podAddressMatch: 'never',
    entities: new Set(spec.any ? ['any-pod'] : []),
    numericPorts: spec.named ? ConnectionSet.EMPTY : spec.ports ?? ConnectionSet.ALL,
    namedPorts: spec.named ? [{ name: spec.named }] : [],
    restrictions: spec.restriction ? [{ layer: 'L7', description: spec.restriction }] : [],
    position,
    source: { kind: 'Test', policyLabel: name, ruleLabel: `rule${position}`, object: OBJECT, path: [], actionName: spec.action, describePeers: () => '' },
    model: {},
  }));
  compiled[direction] = { direction, subjects: classes(...subjects), isolates, rules: compiledRules };
  return compiled;
}

function evaluator(stages: readonly StageDefinition[], policies: readonly CompiledPolicy[], points = [CNI]): PolicyEvaluator {
  return new PolicyEvaluator(CLASSES, points, stages, policies);
}

const ingress = (e: PolicyEvaluator, from: number, to: number) => e.sideAllowed('ingress', CLASSES[to], CLASSES[from]);

describe('first-match stages', () => {
  const admin = stage('admin', 1, 'first-match', 'pass');
  const np = stage('np', 2, 'deny-overrides', 'deny');

  it('the first matching rule decides each connection; rank is priority, then name, whatever the input order', () => {
    const e = evaluator([admin], [
      policy('b-allow', 'admin', 10, 'ingress', [0], false, [{ action: 'allow', peers: [1] }]),
      policy('a-deny', 'admin', 10, 'ingress', [0], false, [{ action: 'deny', peers: [1], ports: TCP80 }]),
      policy('late', 'admin', 20, 'ingress', [0], false, [{ action: 'deny', peers: [1] }]),
    ]);
    // a-deny (same priority, first by name) takes TCP 80; b-allow the rest; late sees nothing.
    expect(ingress(e, 1, 0).equals(ConnectionSet.ALL.subtract(TCP80))).toBe(true);
    // Not matched by any rule: passed on, and the point's default allows.
    expect(ingress(e, 2, 0)).toBe(ConnectionSet.ALL);
  });

  it('pass hands connections to the next stage; log decides nothing', () => {
    const e = evaluator([admin, np], [
      policy('p', 'admin', 1, 'ingress', [0], false, [{ action: 'log', peers: [1] }, { action: 'pass', peers: [1], ports: TCP }, { action: 'deny', peers: [1] }]),
      policy('n', 'np', 0, 'ingress', [0], true, [{ action: 'allow', peers: [1], ports: TCP80 }]),
    ]);
    // TCP passed to the NetworkPolicy-like stage, which allows TCP 80 only; the rest denied by the admin rule.
    expect(ingress(e, 1, 0)).toEqual(TCP80);
    const trace: SideTrace = { decisions: [], contributions: [] };
    e.sideAllowed('ingress', CLASSES[0], CLASSES[1], trace);
    expect(trace.decisions.map((decision) => decision.rule.action)).toEqual(['log', 'pass', 'deny']);
    expect(trace.contributions.map((contribution) => contribution.allowed)).toEqual([TCP80]);
  });

  it('an isolating first-match stage applies its unmatched action: deny, allow or pass', () => {
    for (const [unmatched, expected] of [['deny', TCP80], ['allow', ConnectionSet.ALL], ['pass', ConnectionSet.ALL]] as const) {
      const tier = stage('tier', 1, 'first-match', unmatched);
      const e = evaluator([tier], [policy('t', 'tier', 1, 'ingress', [0], true, [{ action: 'allow', peers: [1], ports: TCP80 }])]);
      expect(ingress(e, 1, 0)).toEqual(expected);
      // A class the tier does not select goes through untouched.
      expect(ingress(e, 1, 2)).toBe(ConnectionSet.ALL);
    }
  });

  it('named ports resolve on the destination; without a protocol, any protocol of that name', () => {
    const e = evaluator([admin, np], [policy('p', 'admin', 1, 'ingress', [0], false, [{ action: 'deny', peers: [1], named: 'web' }])]);
    expect(ingress(e, 1, 0).equals(ConnectionSet.ALL.subtract(ConnectionSet.ofPorts('TCP', 8080)))).toBe(true);
  });
});

describe('deny-overrides stages', () => {
  const repo = stage('repo', 1, 'deny-overrides', 'deny');

  it('a deny anywhere wins over every allow; allows add up; what is left is denied for an isolated class', () => {
    const e = evaluator([repo], [
      policy('allow-all', 'repo', 0, 'ingress', [0], true, [{ action: 'allow', peers: [1, 2] }]),
      policy('deny-80', 'repo', 0, 'ingress', [0], true, [{ action: 'deny', peers: [1], ports: TCP80 }]),
    ]);
    expect(ingress(e, 1, 0).equals(ConnectionSet.ALL.subtract(TCP80))).toBe(true);
    expect(ingress(e, 2, 0)).toBe(ConnectionSet.ALL);
    expect(ingress(e, 3, 0)).toBe(ConnectionSet.EMPTY);
    const trace: SideTrace = { decisions: [], contributions: [] };
    e.sideAllowed('ingress', CLASSES[0], CLASSES[1], trace);
    expect(trace.decisions.map((decision) => [decision.rule.policy.name, decision.ports.toString()])).toEqual([['deny-80', 'TCP 80']]);
  });

  it('a policy that does not isolate (an opt-out of default deny) leaves unmatched connections to the next stage', () => {
    const e = evaluator([repo], [policy('no-default-deny', 'repo', 0, 'ingress', [0], false, [{ action: 'deny', peers: [1], ports: TCP80 }])]);
    expect(ingress(e, 1, 0).equals(ConnectionSet.ALL.subtract(TCP80))).toBe(true);
    expect(ingress(e, 2, 0)).toBe(ConnectionSet.ALL);
  });

  it('entities: a rule with the any-pod tag matches the pod of unknown namespace and labels', () => {
    const e = evaluator([repo], [policy('p', 'repo', 0, 'ingress', [0], true, [{ action: 'allow', any: true, ports: TCP80 }])]);
    expect(e.sideAllowed('ingress', CLASSES[0], ANY_POD)).toEqual(TCP80);
  });
});

describe('enforcement points and restrictions', () => {
  it('every point must allow: the verdict of a side is the intersection of its points', () => {
    const cni = stage('np', 1, 'deny-overrides', 'deny');
    const mesh = stage('allow', 1, 'deny-overrides', 'deny', 'mesh');
    const e = evaluator([cni, mesh], [
      policy('np', 'np', 0, 'ingress', [0], true, [{ action: 'allow', peers: [1], ports: TCP }]),
      policy('authz', 'allow', 0, 'ingress', [0], true, [{ action: 'allow', peers: [1, 2], ports: TCP80, restriction: 'GET /public' }]),
    ], [CNI, MESH]);
    expect(ingress(e, 1, 0)).toEqual(TCP80);
    expect(ingress(e, 2, 0)).toBe(ConnectionSet.EMPTY);
    const trace: SideTrace = { decisions: [], contributions: [] };
    const allowed = e.sideAllowed('ingress', CLASSES[0], CLASSES[1], trace);
    expect(e.restrictionsOf(trace, allowed).map((restriction) => `${restriction.layer} ${restriction.description} ${restriction.rule.policy.name}`)).toEqual(['L7 GET /public authz']);
  });

  it('rejects a policy placed in a stage the layout does not define', () => {
    expect(() => evaluator([], [policy('p', 'nowhere', 0, 'ingress', [0], true, [])])).toThrow("stage 'nowhere'");
  });
});

describe('fast paths agree with evaluating every pair', () => {
  const stages = [stage('admin', 1, 'first-match', 'pass'), stage('np', 2, 'deny-overrides', 'deny'), stage('baseline', 3, 'first-match', 'pass')];
  const portsArb = fc.constantFrom(ConnectionSet.ALL, TCP80, TCP, ConnectionSet.ofIcmp('ICMP', 8));
  const ruleArb = fc.record({
    action: fc.constantFrom<RuleAction>('allow', 'allow', 'deny', 'pass'),
    peers: fc.subarray([0, 1, 2, 3]),
    ports: portsArb,
  });
  const policyArb = fc.record({
    stage: fc.constantFrom('admin', 'np', 'baseline'),
    priority: fc.integer({ min: 0, max: 3 }),
    subjects: fc.subarray([0, 1, 2, 3]),
    rules: fc.array(ruleArb, { maxLength: 3 }),
  });

  it('isOpen, isUnrestricted, the reach rows and the every-port marks never contradict sideAllowed', () => {
    fc.assert(fc.property(fc.array(policyArb, { maxLength: 5 }), (specs) => {
      const policies = specs.map((spec, index) => policy(`p${index}`, spec.stage, spec.priority, 'ingress', spec.subjects, spec.stage === 'np',
        spec.rules.map((rule) => ({ ...rule, action: spec.stage === 'np' ? 'allow' as const : rule.action }))));
      const e = evaluator(stages, policies);
      const reach = e.reachMatrix('ingress');
      const marks = e.everyPortMarks('ingress');
      for (const destination of CLASSES) {
        for (const source of CLASSES) {
          const allowed = e.sideAllowed('ingress', destination, source);
          if (e.isOpen(destination, 'ingress') || e.isUnrestricted(destination, 'ingress')) expect(allowed).toBe(ConnectionSet.ALL);
          if (reach.excludes(destination.index, source.index)) expect(allowed).toBe(ConnectionSet.EMPTY);
          else if (marks[destination.index] === 1) expect(allowed).toBe(ConnectionSet.ALL);
        }
      }
    }), { numRuns: 300 });
  });
});
