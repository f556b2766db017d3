/**
 * Every input the fuzzer has found to crash k8snet (fixtures/hostile/fuzz/), run through the steps
 * of lint, matrix, ipam, graph, can-reach and diff: none may throw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../rules/index.js';
import { analyzeAddressPlan } from '../../src/ipam/capacity.js';
import { resolveConfig } from '../../src/lint/config.js';
import { runRules } from '../../src/lint/engine.js';
import { DEFAULT_CLUSTER_FACTS } from '../../src/model/cluster-facts.js';
import { analyzeTexts } from '../../src/pipeline.js';
import { diffConnectivity } from '../../src/reach/diff.js';
import { matrixEdges } from '../../src/reach/matrix.js';
import { requestPaths } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatJson } from '../../src/report/json.js';
import { summarize } from '../../src/report/summary.js';

const FOLDER = 'fixtures/hostile/fuzz';
const files = fs.readdirSync(FOLDER).filter((name) => /\.(ya?ml|json)$/.test(name)).sort();

describe('inputs the fuzzer found', () => {
  it('are kept, at least one', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s goes through every command without an internal error', (name) => {
    const analysis = analyzeTexts([{ path: name, text: fs.readFileSync(path.join(FOLDER, name), 'utf8') }]);
    const solver = new ReachabilitySolver(analysis.graph);
    const findings = [...analysis.inputFindings, ...runRules(analysis.graph, RULES, resolveConfig({}, undefined), () => solver).findings];
    expect(() => JSON.parse(formatJson({ findings, summary: summarize(findings, 1) }))).not.toThrow();
    expect([...matrixEdges(solver)].length).toBeGreaterThanOrEqual(0);
    expect(analyzeAddressPlan(analysis.graph, DEFAULT_CLUSTER_FACTS)).toBeDefined();
    expect(requestPaths(solver)).toBeDefined();
    expect(diffConnectivity(new ReachabilitySolver(analyzeTexts([]).graph), solver).changes).toBeDefined();
  });
});
