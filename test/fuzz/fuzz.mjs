#!/usr/bin/env node
// Fuzzes k8snet (npm run fuzz): byte and structure mutations of the fixtures and the conformance
// manifests, and type confusion over every field of every kind k8snet reads, run through lint,
// matrix, ipam, graph, can-reach and diff, in process (a worker thread) and, every few cases,
// through the CLI. A case fails on an internal error or stack trace, an exit code other than 0,
// 1 or 2, output that is not JSON under -f json, text output that is not inert, a case slower than
// --case-timeout or a worker over --memory. Bounded by --time and --count; seeded (--seed), so
// `--seed S --case N` repeats case N. Failing inputs are written to --save (default: a temporary
// folder) for fixtures/hostile/fuzz/. Run on the compiled code: `npm run build` first.
//
//   node test/fuzz/fuzz.mjs [--seed 1] [--time 60] [--count 100000] [--cli-every 40]
//                           [--case-timeout 15000] [--memory 1024] [--case N,M,...] [--save DIR]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { generateCase, loadCorpus } from './cases.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'k8snet.js');

function parseArguments(argv) {
  const options = { seed: 1, time: 60, count: 100000, cliEvery: 40, caseTimeout: 15000, memory: 1024, case: undefined, save: undefined, quiet: false };
  for (let index = 0; index < argv.length; index++) {
    const name = argv[index].replace(/^--/, '').replace(/-([a-z])/g, (_match, letter) => letter.toUpperCase());
    if (name === 'quiet') {
      options.quiet = true;
      continue;
    }
    if (!(name in options)) throw new Error(`unknown option ${argv[index]}`);
    const value = argv[++index];
    if (name === 'case') {
      options.case = value.split(',').map(Number);
      if (!options.case.every(Number.isInteger)) throw new Error('--case needs case numbers, e.g. 12 or 12,40');
      continue;
    }
    options[name] = name === 'save' ? value : Number(value);
    if (name !== 'save' && !Number.isFinite(options[name])) throw new Error(`${argv[index - 1]} needs a number`);
  }
  return options;
}

const options = parseArguments(process.argv.slice(2));
const log = (text) => {
  if (!options.quiet) process.stdout.write(`${text}\n`);
};
const { MODELLED_KINDS } = await import(path.join(ROOT, 'dist', 'src', 'load', 'kinds.js'));
const corpus = loadCorpus(ROOT, MODELLED_KINDS);
const failures = [];
const saveFolder = options.save ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-fuzz-'));

function record(index, problems) {
  const fuzzCase = generateCase(corpus, options.seed, index);
  fs.mkdirSync(saveFolder, { recursive: true });
  const file = path.join(saveFolder, `seed${options.seed}-case${index}-${fuzzCase.name}`);
  fs.writeFileSync(file, fuzzCase.bytes);
  failures.push({ index, description: fuzzCase.description, problems, file });
  process.stdout.write(`FAIL case ${index} (${fuzzCase.description}): ${problems[0].split('\n').slice(0, 6).join('\n  ')}\n  input: ${file}\n  repeat: node test/fuzz/fuzz.mjs --seed ${options.seed} --case ${index}\n`);
}

/** A worker and the case it runs, restarted after a case that hangs or runs out of memory. */
class CaseRunner {
  start() {
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { root: ROOT }, resourceLimits: { maxOldGenerationSizeMb: options.memory } });
    this.worker.unref();
    return new Promise((resolve, reject) => {
      this.worker.once('message', (message) => resolve(message));
      this.worker.once('error', reject);
    });
  }

  /** Runs case `index`: its problems, or a hang or memory failure. */
  run(index) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        cleanUp();
        this.worker.terminate();
        this.worker = undefined;
        resolve({ problems: [`took more than ${options.caseTimeout} ms`] });
      }, options.caseTimeout);
      const onMessage = (message) => {
        cleanUp();
        resolve(message);
      };
      const onError = (error) => {
        cleanUp();
        this.worker = undefined;
        resolve({ problems: [error?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `used more than ${options.memory} MB` : `worker died: ${error?.stack ?? error}`] });
      };
      const cleanUp = () => {
        clearTimeout(timer);
        this.worker?.off('message', onMessage);
        this.worker?.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.postMessage({ seed: options.seed, index });
    });
  }
}

const STACK = /\n\s+at .+:\d+:\d+\)?$|internal error/m;

/** Runs the CLI on a case: exit code, JSON under -f json, no stack trace, within the time bound and the memory bound. */
function checkCli(index) {
  const fuzzCase = generateCase(corpus, options.seed, index);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-fuzz-cli-'));
  const problems = [];
  try {
    fs.mkdirSync(path.join(folder, 'new'));
    fs.mkdirSync(path.join(folder, 'old'));
    fs.writeFileSync(path.join(folder, 'new', fuzzCase.name), fuzzCase.bytes);
    fs.writeFileSync(path.join(folder, 'old', fuzzCase.name), fuzzCase.seed.bytes);
    const commands = [
      ['lint', 'new', '-f', 'json'], ['lint', 'new', '-f', 'sarif'], ['lint', 'new'], ['matrix', 'new', '-f', 'json'],
      ['ipam', 'new', '-f', 'json'], ['graph', 'new'], ['inspect', 'new', '-f', 'json'], ['diff', 'old', 'new', '-f', 'json'],
    ];
    for (const args of commands) {
      const run = spawnSync(process.execPath, [`--max-old-space-size=${options.memory}`, BIN, ...args], {
        cwd: folder, encoding: 'utf8', timeout: options.caseTimeout, maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      });
      const what = `k8snet ${args.join(' ')}`;
      if (run.error) problems.push(`${what}: ${run.error.code === 'ETIMEDOUT' ? `took more than ${options.caseTimeout} ms` : run.error.message}`);
      else if (![0, 1, 2].includes(run.status)) problems.push(`${what}: exit ${run.status ?? run.signal}\n${run.stderr.slice(0, 2000)}`);
      if (STACK.test(run.stderr ?? '') || STACK.test(run.stdout ?? '')) problems.push(`${what}: a stack trace or internal error\n${run.stderr.slice(0, 2000)}`);
      // A folder whose only file a mutation made a non-manifest is a usage error, said on standard error.
      const noManifests = run.status === 2 && run.stdout === '' && /no manifests found in /.test(run.stderr ?? '');
      if ((args.includes('json') || args.includes('sarif')) && !noManifests) {
        try {
          JSON.parse(run.stdout);
        } catch {
          problems.push(`${what}: standard output is not JSON: ${String(run.stdout).slice(0, 200)}`);
        }
      }
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  return problems;
}

const runner = new CaseRunner();
const ready = await runner.start();
log(`k8snet fuzz: seed ${options.seed}, ${ready.seeds} seed files${ready.hasConformance ? ' (conformance corpus included)' : ' (no conformance corpus beside the repository)'}, `
  + `${ready.fields} fields of ${ready.kinds.length} kinds for type confusion${ready.missingKinds.length > 0 ? ` (no seed for ${ready.missingKinds.join(', ')})` : ''}`);
const started = Date.now();
const indexes = options.case;
let ran = 0;
const byStrategy = {};
let slowest = { milliseconds: 0, index: -1 };
for (let index = 0; indexes ? index < indexes.length : index < options.count; index++) {
  const caseIndex = indexes ? indexes[index] : index;
  if (!indexes && Date.now() - started > options.time * 1000) break;
  if (!runner.worker) await runner.start();
  const result = await runner.run(caseIndex);
  ran++;
  if (result.strategy) byStrategy[result.strategy] = (byStrategy[result.strategy] ?? 0) + 1;
  if (result.milliseconds > slowest.milliseconds) slowest = { milliseconds: result.milliseconds, index: caseIndex };
  const cliProblems = indexes || caseIndex % options.cliEvery === options.cliEvery - 1 ? checkCli(caseIndex) : [];
  const problems = [...(result.problems ?? []), ...cliProblems];
  if (problems.length > 0) record(caseIndex, problems);
}
await runner.worker?.terminate();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
log(`${ran} cases in ${seconds} s (${Object.entries(byStrategy).map(([strategy, count]) => `${count} ${strategy}`).join(', ')}; `
  + `every ${options.cliEvery}th also through the CLI); slowest in process: case ${slowest.index}, ${Math.round(slowest.milliseconds)} ms`);
if (failures.length > 0) {
  process.stdout.write(`${failures.length} failing case${failures.length === 1 ? '' : 's'}; inputs in ${saveFolder}\n`);
  process.exit(1);
}
if (!options.save) fs.rmSync(saveFolder, { recursive: true, force: true });
log('no failure');
