// Runs fuzz cases in process, in a worker thread the driver (fuzz.mjs) can stop when a case runs
// too long or uses too much memory: the same steps as lint, matrix, ipam, graph, explain and diff,
// on the compiled code, checking what each prints.
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { generateCase, loadCorpus } from './cases.mjs';

const dist = (module) => import(path.join(workerData.root, 'dist', module));
const { analyzeTexts } = await dist('src/pipeline.js');
const { MODELLED_KINDS } = await dist('src/load/kinds.js');
const { RULES } = await dist('rules/index.js');
const { resolveConfig } = await dist('src/lint/config.js');
const { runRules } = await dist('src/lint/engine.js');
const { ReachabilitySolver } = await dist('src/reach/solver.js');
const { matrixEdges } = await dist('src/reach/matrix.js');
const { diffConnectivity } = await dist('src/reach/diff.js');
const { requestPaths } = await dist('src/reach/request-paths.js');
const { answerReach, resolveEndpoint } = await dist('src/reach/query.js');
const { analyzeAddressPlan } = await dist('src/ipam/capacity.js');
const { DEFAULT_CLUSTER_FACTS } = await dist('src/model/cluster-facts.js');
const { capRepeats, sortFindings, summarize } = await dist('src/report/summary.js');
const { streamJson } = await dist('src/report/json.js');
const { streamSarif } = await dist('src/report/sarif.js');
const { streamStylish } = await dist('src/report/stylish.js');
const { streamGithub } = await dist('src/report/github.js');
const { streamJunit } = await dist('src/report/junit.js');
const { PLAIN } = await dist('src/report/paint.js');
const { formatMatrixJson } = await dist('src/report/matrix-json.js');
const { formatMatrixTxt } = await dist('src/report/matrix-txt.js');
const { formatMatrixCsv } = await dist('src/report/matrix-csv.js');
const { formatMatrixMarkdown } = await dist('src/report/matrix-md.js');
const { formatMatrixDot, formatMatrixMermaid } = await dist('src/report/matrix-graph.js');
const { formatIpamJson } = await dist('src/report/ipam-json.js');
const { formatIpamText } = await dist('src/report/ipam-text.js');
const { formatPathsDot, formatPathsMermaid } = await dist('src/report/path-graph.js');
const { formatReachJson, formatReachText } = await dist('src/report/reach-text.js');
const { formatDiffJson, formatDiffText, formatDiffMarkdown, formatDiffCsv } = await dist('src/report/diff-formats.js');

const corpus = loadCorpus(workerData.root, MODELLED_KINDS);
/** Matrices are cut here: the first edges exercise the formatters as well as all of them would. */
const MAX_EDGES = 20000;
const RAW = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
/**
 * A GitHub workflow command as the runner reads one: `::name::` or `::name props::` at the start of a
 * line. A matrix line may start with `::` (IPv6 ranges such as `::-ffff:...`) without being one.
 */
const WORKFLOW_COMMAND = /^::[A-Za-z][\w-]*(?: [^\n]*?)?::/;

function join(chunks) {
  let text = '';
  for (const chunk of chunks) text += chunk;
  return text;
}

function expectJson(problems, what, text) {
  try {
    JSON.parse(text);
  } catch (error) {
    problems.push(`${what}: not JSON (${error.message})`);
  }
}

function expectInert(problems, what, text) {
  const line = text.split('\n').find((entry) => RAW.test(entry) || WORKFLOW_COMMAND.test(entry));
  if (line !== undefined) problems.push(`${what}: a raw control character or workflow command in ${JSON.stringify(line.slice(0, 200))}`);
}

function limited(iterable, limit) {
  const items = [];
  for (const item of iterable) {
    if (items.length >= limit) break;
    items.push(item);
  }
  return items;
}

const seedSolvers = new Map();

/** Runs one case through every command's steps; returns what went wrong (an empty list when nothing did). */
function check(fuzzCase) {
  const problems = [];
  const text = fuzzCase.bytes.toString('utf8');
  const files = [{ path: fuzzCase.name, text }];
  const analysis = analyzeTexts(files);
  for (const finding of analysis.inputFindings) {
    const location = finding.location;
    if (location && (location.file !== fuzzCase.name || !(location.line >= 1) || !(location.column >= 1) || !(location.endLine >= location.line))) {
      problems.push(`input finding with a bad location: ${JSON.stringify(finding).slice(0, 300)}`);
    }
  }
  const solver = new ReachabilitySolver(analysis.graph);
  // lint
  const run = runRules(analysis.graph, RULES, resolveConfig({}, undefined), () => solver);
  const findings = [...analysis.inputFindings, ...run.findings];
  const { listed, omitted } = capRepeats(sortFindings(findings), 100);
  const result = { findings: listed, summary: summarize(findings, 1, run.suppressed), ...(omitted.length > 0 ? { omitted } : {}) };
  expectJson(problems, 'lint -f json', join(streamJson(result)));
  expectJson(problems, 'lint -f sarif', join(streamSarif(result, RULES)));
  expectInert(problems, 'lint (stylish)', join(streamStylish(result, { paint: PLAIN, verbose: true })));
  for (const line of join(streamGithub(result)).split('\n').filter(Boolean)) if (!/^::(error|warning|notice) /.test(line)) problems.push(`lint -f github: a line that is not a command: ${line.slice(0, 200)}`);
  join(streamJunit(result));
  // matrix
  const edges = limited(matrixEdges(solver), MAX_EDGES);
  expectJson(problems, 'matrix -f json', join(formatMatrixJson(edges)));
  for (const [what, format] of [['txt', formatMatrixTxt], ['csv', formatMatrixCsv], ['md', formatMatrixMarkdown], ['dot', formatMatrixDot], ['mermaid', formatMatrixMermaid]]) {
    expectInert(problems, `matrix -f ${what}`, join(format(edges)));
  }
  // ipam
  const plan = analyzeAddressPlan(analysis.graph, DEFAULT_CLUSTER_FACTS);
  expectJson(problems, 'ipam -f json', formatIpamJson(plan, []));
  expectInert(problems, 'ipam', formatIpamText(plan, listed.slice(0, 50), { paint: PLAIN }));
  // graph
  const hops = requestPaths(solver);
  expectInert(problems, 'graph -f dot', formatPathsDot(hops));
  expectInert(problems, 'graph -f mermaid', formatPathsMermaid(hops));
  // can-reach and explain, between the first workloads
  const workloads = analysis.graph.workloads.slice(0, 2);
  if (workloads.length > 0) {
    const name = (workload) => `${workload.namespace}/${workload.kind}/${workload.name}`;
    try {
      const answer = answerReach(solver, resolveEndpoint(analysis.graph, name(workloads[0])), resolveEndpoint(analysis.graph, name(workloads[workloads.length - 1])));
      expectJson(problems, 'can-reach -f json', formatReachJson(answer));
      expectInert(problems, 'can-reach', formatReachText(answer, PLAIN));
    } catch (error) {
      // An endpoint name the query syntax cannot say (a name with a slash) is a usage error, not a crash.
      if (error?.constructor?.name !== 'QueryError') throw error;
    }
  }
  // diff against the seed
  let seedSolver = seedSolvers.get(fuzzCase.seed.path);
  if (!seedSolver) {
    seedSolver = new ReachabilitySolver(analyzeTexts([{ path: fuzzCase.name, text: fuzzCase.seed.bytes.toString('utf8') }]).graph);
    if (seedSolvers.size > 200) seedSolvers.clear();
    seedSolvers.set(fuzzCase.seed.path, seedSolver);
  }
  const diff = diffConnectivity(seedSolver, solver);
  expectJson(problems, 'diff -f json', formatDiffJson(diff));
  expectInert(problems, 'diff', formatDiffText(diff));
  expectInert(problems, 'diff -f md', formatDiffMarkdown(diff));
  expectInert(problems, 'diff -f csv', formatDiffCsv(diff));
  return problems;
}

parentPort.on('message', ({ seed, index }) => {
  const fuzzCase = generateCase(corpus, seed, index);
  const started = performance.now();
  let problems;
  try {
    problems = check(fuzzCase);
  } catch (error) {
    problems = [`internal error: ${error?.stack ?? String(error)}`];
  }
  parentPort.postMessage({ index, problems, strategy: fuzzCase.strategy, milliseconds: performance.now() - started });
});
parentPort.postMessage({ ready: true, seeds: corpus.seeds.length, fields: corpus.fields.length, kinds: corpus.kinds, missingKinds: corpus.missingKinds, hasConformance: corpus.hasConformance });
