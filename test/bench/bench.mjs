#!/usr/bin/env node
// Benchmark behind `npm run bench`.
//
// Prints RATIOS measured in one run: each k8snet command's median wall time divided by the median
// wall time of a baseline (a plain "read every manifest and js-yaml loadAll it" child process)
// measured in the same run, plus start-up differences against `node -e ''` and peak memory.
// Every measurement is a separate `node ...` child process, so process start-up is on both sides
// of every ratio. Targets are printed beside the numbers; nothing here fails on them (exit code 0
// unless the benchmark itself crashes).
//
// Input is generated with ../shared/tools/gen-cluster.mjs into a temporary folder under
// os.tmpdir(), which is deleted at the end. More sets are made from the scale-1 one: a manifests
// folder shaped like argo-cd's (a few large install files repeating thousands of objects, plus
// copies of single objects: many duplicates), a git repository holding the set, for `diff --git`
// against diffing two extracted trees, and a scale-1 set with ClusterNetworkPolicies
// (test/bench/cluster-policies.mjs: an Admin-tier policy per team, a platform DNS policy and a
// Baseline-tier policy), so that the cluster-wide tiers are measured against the same targets, and
// scale-1 sets with Calico policies (test/bench/calico-policies.mjs: tiers, GlobalNetworkPolicies,
// a GlobalNetworkSet and a NetworkPolicy per namespace) and with Cilium policies
// (test/bench/cilium-policies.mjs: CNPs per team namespace, CCNPs, a CIDR group and cilium-config).
//
// Usage: node test/bench/bench.mjs [--runs N] [--quick] [--full] [--timeout SECONDS]

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeClusterPolicies } from './cluster-policies.mjs';
import { writeCalicoPolicies } from './calico-policies.mjs';
import { writeCiliumPolicies } from './cilium-policies.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const CLI = path.join(REPO_ROOT, 'bin', 'k8snet.js');
const GEN = path.resolve(REPO_ROOT, '..', 'shared', 'tools', 'gen-cluster.mjs');
const MIB = 1024 * 1024;
const MB = 1e6;

/** How many times each start-up measurement runs per round: they are short and noisy. */
const STARTUP_REPEAT = 5;

// ---------------------------------------------------------------------------------------------
// Options

function usage() {
  return [
    'usage: node test/bench/bench.mjs [options]',
    '  --runs N         runs per measurement; the median is reported          [3]',
    '  --quick          same as --runs 1',
    '  --full           also benchmark --scale 5 (~110 MB of manifests; several minutes)',
    '  --timeout S      kill a single measured process after S seconds        [900]',
    '  -h, --help       this text',
  ].join('\n');
}

function parseArgs(argv) {
  const options = { runs: 3, full: false, timeoutMs: 900_000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--runs') {
      options.runs = Number(value());
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new UsageError('--runs must be a positive integer');
    } else if (arg.startsWith('--runs=')) {
      options.runs = Number(arg.slice('--runs='.length));
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new UsageError('--runs must be a positive integer');
    } else if (arg === '--quick') {
      options.runs = 1;
    } else if (arg === '--full') {
      options.full = true;
    } else if (arg === '--timeout') {
      const seconds = Number(value());
      if (!(seconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
      options.timeoutMs = seconds * 1000;
    } else if (arg === '-h' || arg === '--help') {
      options.help = true;
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return options;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Child processes, timing and peak memory

/** Child process groups still running, so an interrupt can stop them. */
const liveGroups = new Set();

/**
 * Picks how peak memory (max RSS) of a child is measured:
 *  - GNU time (`/usr/bin/time -f %M -o FILE`), the kernel's ru_maxrss of the child, exact;
 *  - otherwise polling /proc/<pid>/status VmHWM (the kernel's RSS high-water mark) every 5 ms
 *    while the child runs, keeping the last value read (can miss growth in the last 5 ms);
 *  - otherwise none.
 */
function detectMemoryMethod(tmpRoot) {
  if (fs.existsSync('/usr/bin/time')) {
    const out = path.join(tmpRoot, 'time-probe.txt');
    const probe = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, '-e', ''], { stdio: 'ignore' });
    if (probe.status === 0 && readMaxRssKiB(out) !== undefined) {
      return { kind: 'gnu-time', label: 'GNU time: /usr/bin/time -f "%M %U %S" (ru_maxrss of the child, exact)' };
    }
  }
  if (fs.existsSync(`/proc/${process.pid}/status`)) {
    return { kind: 'proc-poll', label: '/proc/<pid>/status VmHWM polled every 5 ms (approximate)' };
  }
  return { kind: 'none', label: 'not available on this system' };
}

function readMaxRssKiB(file) {
  return readTimeLine(file)?.maxRssKiB;
}

/**
 * Reads what `/usr/bin/time -f TIME_FORMAT -o FILE` wrote: peak RSS in KiB, then user and system
 * CPU seconds (the CPU times are missing from the start-up probe, which asks for %M only).
 */
function readTimeLine(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // With -o, GNU time also writes "Command exited with non-zero status N" before the values.
  const lines = text.trim().split('\n').map((line) => line.trim()).filter((line) => /^\d+( \d+(\.\d+)? \d+(\.\d+)?)?$/.test(line));
  if (lines.length === 0) return undefined;
  const [maxRss, user, system] = lines[lines.length - 1].split(' ').map(Number);
  return { maxRssKiB: maxRss, cpu: user === undefined ? undefined : { user, system } };
}

/** What runNode asks GNU time for: peak RSS (KiB), user and system CPU seconds. */
const TIME_FORMAT = '%M %U %S';

function readVmHwmKiB(pid) {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

let rssFileCounter = 0;

/**
 * Runs `node ARGS` once. Returns { ms, status, signal, stdout, stderr, maxRssKiB, timedOut }.
 * The wall time runs from just before spawn until the process has exited.
 */
function runNode(args, { memory, tmpRoot, captureStdout = false, timeoutMs, cwd = REPO_ROOT }) {
  return new Promise((resolve, reject) => {
    let command = process.execPath;
    let commandArgs = args;
    let rssFile;
    if (memory.kind === 'gnu-time') {
      rssFile = path.join(tmpRoot, `rss-${++rssFileCounter}.txt`);
      command = '/usr/bin/time';
      commandArgs = ['-f', TIME_FORMAT, '-o', rssFile, process.execPath, ...args];
    }
    const stdoutChunks = [];
    const stderrChunks = [];
    let stderrBytes = 0;
    const started = performance.now();
    let child;
    try {
      child = spawn(command, commandArgs, {
        cwd,
        stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
        detached: true, // own process group: a timeout or Ctrl-C can stop node under GNU time too
        env: { ...process.env, NO_COLOR: '1' },
      });
    } catch (error) {
      reject(error);
      return;
    }
    let ended;
    let timedOut = false;
    let hwm;
    let poller;
    if (memory.kind === 'proc-poll') {
      const sample = () => {
        const value = readVmHwmKiB(child.pid);
        if (value !== undefined) hwm = Math.max(hwm ?? 0, value);
      };
      poller = setInterval(sample, 5);
      sample();
    }
    liveGroups.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    if (captureStdout) child.stdout.on('data', (chunk) => stdoutChunks.push(chunk));
    child.stderr.on('data', (chunk) => {
      // Keep the first 256 KiB: enough for the first lines and any "internal error".
      if (stderrBytes < 256 * 1024) stderrChunks.push(chunk);
      stderrBytes += chunk.length;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      liveGroups.delete(child.pid);
      reject(error);
    });
    child.on('exit', () => {
      ended = performance.now();
      if (poller) clearInterval(poller);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      liveGroups.delete(child.pid);
      let maxRssKiB;
      let cpu;
      let exitSignal = signal;
      if (rssFile) {
        ({ maxRssKiB, cpu } = readTimeLine(rssFile) ?? {});
        // GNU time reports a child killed by a signal as "Command terminated by signal N".
        const signalMatch = /terminated by signal (\d+)/i.exec(safeRead(rssFile) ?? '');
        if (signalMatch) exitSignal = `signal ${signalMatch[1]}`;
        fs.rmSync(rssFile, { force: true });
      } else if (hwm !== undefined) {
        maxRssKiB = hwm;
      }
      resolve({
        ms: (ended ?? performance.now()) - started,
        status,
        signal: exitSignal,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: Buffer.concat(stderrChunks).toString('utf8'),
        maxRssKiB,
        cpu,
        timedOut,
      });
    });
  });
}

function safeRead(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Input sets

/** Files k8snet would read from DIR: *.yaml|*.yml|*.json, recursively, no hidden folders, no node_modules. */
function manifestFiles(dir) {
  const out = [];
  const walk = (folder) => {
    let entries;
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = fs.statSync(child);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue;
        }
      }
      if (isDirectory) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        walk(child);
      } else if (isFile && /\.(ya?ml|json)$/i.test(entry.name)) {
        out.push(child);
      }
    }
  };
  walk(dir);
  return out;
}

/** The policy sets added to a generated scale-1 set: how each is written, named and described. */
const POLICY_SETS = {
  cnp: { write: (dir) => writeClusterPolicies(dir, 'cnp'), suffix: 'cnp', describe: (count) => `${count} ClusterNetworkPolicies` },
  calico: { write: writeCalicoPolicies, suffix: 'calico', describe: (count) => `${count} Calico objects` },
  cilium: { write: writeCiliumPolicies, suffix: 'cilium', describe: (count) => `${count} Cilium policies` },
};

function generateSet(tmpRoot, scale, { policies } = {}) {
  const policySet = policies ? POLICY_SETS[policies] : undefined;
  const name = policySet ? `scale${scale}-${policySet.suffix}` : `scale${scale}`;
  const dir = path.join(tmpRoot, `cluster-${name}`);
  const statsFile = path.join(tmpRoot, `stats-scale${scale}.json`); // outside DIR: not a manifest
  const started = performance.now();
  const result = spawnSync(process.execPath, [GEN, '--out', dir, '--scale', String(scale), '--stats', statsFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * MIB,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`gen-cluster.mjs --scale ${scale} exited with ${result.status}: ${firstLine(result.stderr)}`);
  }
  const policyCount = policySet ? policySet.write(dir) : 0;
  const genMs = performance.now() - started;
  let stats = {};
  try {
    stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
  } catch {
    // the summary is only used for the description
  }
  const files = manifestFiles(dir);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const label = policySet ? `scale ${scale} with ${policySet.describe(policyCount)}` : `scale ${scale}`;
  return { scale, name, label, dir, files: files.length, bytes, stats, genMs };
}

/** The baseline: read every manifest file and js-yaml loadAll it, nothing else. */
function writeBaselineScript(tmpRoot) {
  const jsYamlPath = createRequire(path.join(REPO_ROOT, 'package.json')).resolve('js-yaml');
  const file = path.join(tmpRoot, 'parse-baseline.cjs');
  fs.writeFileSync(
    file,
    `'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require(${JSON.stringify(jsYamlPath)});
const MANIFEST = /\\.(ya?ml|json)$/i;
let files = 0, documents = 0, errors = 0;
function walk(folder) {
  let entries;
  try { entries = fs.readdirSync(folder, { withFileTypes: true }); } catch { return; }
  for (const entry of entries) {
    const child = path.join(folder, entry.name);
    let isDirectory = entry.isDirectory(), isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try { const s = fs.statSync(child); isDirectory = s.isDirectory(); isFile = s.isFile(); } catch { continue; }
    }
    if (isDirectory) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      walk(child);
    } else if (isFile && MANIFEST.test(entry.name)) {
      files++;
      try {
        documents += yaml.loadAll(fs.readFileSync(child, 'utf8')).length;
      } catch {
        errors++;
      }
    }
  }
}
for (const dir of process.argv.slice(2)) walk(dir);
process.stdout.write(JSON.stringify({ files, documents, errors }) + '\\n');
`,
  );
  return file;
}

/** A small single manifest from the demo fixtures, for the start-up measurement. */
function findSmallDemoFile() {
  const dir = path.join(REPO_ROOT, 'fixtures', 'demo', 'shop-frontend');
  const candidates = manifestFiles(dir).filter((file) => /\.ya?ml$/i.test(file));
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => fs.statSync(a).size - fs.statSync(b).size || a.localeCompare(b));
  return candidates[0];
}

// ---------------------------------------------------------------------------------------------
// Measurements

function firstLine(text) {
  const lines = String(text ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  return lines[0] ?? '';
}

/** The stderr line to show for a failure: an internal error if there is one, else the first line. */
function failureLine(result) {
  if (result.timedOut) return 'timed out (killed)';
  const lines = result.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const internal = lines.find((line) => /internal error/i.test(line));
  const line = internal ?? lines[0] ?? '(no stderr)';
  const exit = result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
  return `${exit}: ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`;
}

/**
 * A measurement: args for `node`, the exit codes that count as success, and an optional extra
 * check of the result. Collects the timings, peak memory and exit codes of its runs.
 */
function measurement(name, args, { okStatus, check, captureStdout = false, note, after, cwd } = {}) {
  return { name, args, okStatus, check, captureStdout, note, after, cwd, times: [], rss: [], cpu: [], statuses: new Set(), failed: undefined, extra: undefined };
}

async function runMeasurement(m, context) {
  if (m.failed) return;
  let result;
  try {
    result = await runNode(m.args, { ...context, captureStdout: m.captureStdout, ...(m.cwd ? { cwd: m.cwd } : {}) });
  } catch (error) {
    m.failed = `could not start: ${error.message}`;
    return;
  }
  const statusOk = !result.timedOut && !result.signal && m.okStatus.includes(result.status);
  const internal = /internal error/i.test(result.stderr);
  const checkMessage = statusOk && !internal && m.check ? m.check(result) : undefined;
  if (!statusOk || internal || checkMessage) {
    m.failed = checkMessage ?? failureLine(result);
    return;
  }
  m.times.push(result.ms);
  if (result.maxRssKiB !== undefined) m.rss.push(result.maxRssKiB);
  if (result.cpu !== undefined) m.cpu.push(result.cpu);
  m.statuses.add(result.status);
  if (m.after) m.extra = m.after(result, m.extra);
}

function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function loadAverage() {
  return os.loadavg().map((value) => value.toFixed(2)).join(' ');
}

function progress(text) {
  process.stderr.write(text);
}

/** Picks the first two Deployments of the set, from `k8snet inspect --format json`. */
async function pickPair(set, context) {
  const result = await runNode([CLI, 'inspect', '--format', 'json', set.dir], { ...context, captureStdout: true });
  if (result.timedOut || result.signal || ![0, 2].includes(result.status) || /internal error/i.test(result.stderr)) {
    return { error: `inspect --format json failed: ${failureLine(result)}` };
  }
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch (error) {
    return { error: `inspect --format json printed no JSON: ${error.message}` };
  }
  const deployments = (report.workloads ?? [])
    .map((workload) => String(workload.id))
    .filter((id) => id.endsWith('[Deployment]'))
    .map((id) => id.slice(0, -'[Deployment]'.length));
  if (deployments.length < 2) return { error: `inspect found ${deployments.length} Deployments, need 2` };
  return { src: deployments[0], dst: deployments[1], counts: report.counts };
}

async function benchScale(set, options, context, { baselineScript, smallFile, withStartup }) {
  const matrixOut = path.join(context.tmpRoot, `matrix-${set.name}.txt`);
  progress(`${set.label}: picking a can-reach pair...\n`);
  const pair = await pickPair(set, context);

  const baseline = measurement('parse baseline (read + js-yaml loadAll)', [baselineScript, set.dir], {
    okStatus: [0],
    captureStdout: true,
    after: (result) => {
      try {
        return JSON.parse(result.stdout);
      } catch {
        return undefined;
      }
    },
  });
  const inspect = measurement('inspect DIR', [CLI, 'inspect', set.dir], { okStatus: [0, 2] });
  const matrix = measurement('matrix DIR --output FILE', [CLI, 'matrix', set.dir, '--output', matrixOut], {
    okStatus: [0, 2],
    check: () => (fs.existsSync(matrixOut) ? undefined : 'matrix wrote no output file'),
    // Removed after each run, so that every run writes a new file as the first one does: truncating
    // the previous run's output (1.4 GB at scale 5) would be charged to the next run.
    after: () => {
      const lines = countLines(matrixOut);
      fs.rmSync(matrixOut, { force: true });
      return lines;
    },
  });
  const canReach = pair.error
    ? Object.assign(measurement('can-reach SRC DST --port 8080 DIR', []), { failed: pair.error })
    : measurement('can-reach SRC DST --port 8080 DIR', [CLI, 'can-reach', pair.src, pair.dst, '--port', '8080', set.dir], {
        // 0 reachable, 1 not reachable; 2 (input errors) is accepted only when an answer was printed,
        // because the generated data contains deliberate input errors.
        okStatus: [0, 1, 2],
        captureStdout: true,
        check: (result) =>
          result.status === 2 && !/REACHABLE/.test(result.stdout) ? failureLine(result) : undefined,
        after: (result) => `${pair.src} → ${pair.dst}: ${verdictWord(result.stdout)}`,
      });
  const lint = measurement('lint DIR --format json --output /dev/null', [CLI, 'lint', set.dir, '--format', 'json', '--output', '/dev/null'], {
    okStatus: [0, 1, 2],
  });
  // The address plan: no target of its own (issue 6 sets none), measured so a regression shows.
  const ipam = measurement('ipam DIR --format json', [CLI, 'ipam', set.dir, '--format', 'json'], { okStatus: [0, 1, 2] });
  const timed = [baseline, inspect, matrix, canReach, lint, ipam];

  const nodeEmpty = measurement("node -e ''", ['-e', ''], { okStatus: [0] });
  const version = measurement('k8snet --version', [CLI, '--version'], {
    okStatus: [0],
    captureStdout: true,
    check: (result) => (/\d+\.\d+\.\d+/.test(result.stdout) ? undefined : `--version printed no version: ${firstLine(result.stdout)}`),
  });
  const lintSmall = smallFile
    ? measurement(`k8snet lint ${path.relative(REPO_ROOT, smallFile)}`, [CLI, 'lint', smallFile], { okStatus: [0, 1, 2] })
    : Object.assign(measurement('k8snet lint <small file>', []), { failed: 'no yaml file found in fixtures/demo/shop-frontend' });
  const startup = withStartup ? [nodeEmpty, version, lintSmall] : [];

  // Warm-up (untimed): page cache of the set and of node itself.
  progress(`${set.label}: warm-up...\n`);
  await runNode([baselineScript, set.dir], { ...context, captureStdout: false });

  // Rounds interleave all measurements, so drift (thermal, other load) hits every side alike.
  for (let round = 1; round <= options.runs; round++) {
    progress(`${set.label}: round ${round}/${options.runs}:`);
    for (const m of timed) {
      progress(` ${m.name.split(' ')[0]}`);
      await runMeasurement(m, context);
    }
    if (startup.length > 0) {
      progress(' start-up');
      for (let repeat = 0; repeat < STARTUP_REPEAT; repeat++) {
        for (const m of startup) await runMeasurement(m, context);
      }
    }
    progress('\n');
  }
  if (baseline.failed) {
    throw new Error(`the parse baseline failed, no ratio can be computed: ${baseline.failed}`);
  }
  return { set, pair, baseline, inspect, matrix, canReach, lint, ipam, nodeEmpty, version, lintSmall, withStartup };
}

function verdictWord(stdout) {
  const match = /\b(PARTLY REACHABLE|NOT REACHABLE|REACHABLE)\b/.exec(stdout);
  return match ? match[1] : firstLine(stdout).slice(0, 60);
}

/** Counts lines in chunks (the scale-5 matrix file can exceed 1 GB). */
function countLines(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(4 * MIB);
    let lines = 0;
    let last = 10;
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      for (let i = 0; i < read; i++) if (buffer[i] === 10) lines++;
      last = buffer[read - 1];
    }
    return last === 10 ? lines : lines + 1;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Duplicates and git revisions

/** The documents of the set's YAML files, in file order, and the files they came from. */
function documentsOf(dir) {
  const files = manifestFiles(dir).filter((file) => /\.ya?ml$/i.test(file)).sort();
  const documents = [];
  for (const file of files) {
    for (const document of fs.readFileSync(file, 'utf8').split(/^---[ \t]*$/m)) {
      if (document.trim() !== '') documents.push({ file, text: document.replace(/^\n+|\n+$/g, '') });
    }
  }
  return documents;
}

/**
 * A folder shaped like argo-cd's manifests/: install.yaml with about 5 MB of the set's objects,
 * namespace-install.yaml with nine in ten of them (another text, so duplicate-object must parse
 * it), ha/install.yaml with the same objects and other replica counts, and copies of the first
 * source files on their own (base/). Almost every object is defined three or four times.
 */
function generateDuplicatesSet(tmpRoot, sourceDir) {
  const dir = path.join(tmpRoot, 'duplicates');
  fs.mkdirSync(path.join(dir, 'ha'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'base'), { recursive: true });
  const picked = [];
  let bytes = 0;
  for (const document of documentsOf(sourceDir)) {
    if (bytes > 5 * MB) break;
    picked.push(document);
    bytes += document.text.length;
  }
  const join = (documents) => `${documents.join('\n---\n')}\n`;
  fs.writeFileSync(path.join(dir, 'install.yaml'), join(picked.map((document) => document.text)));
  fs.writeFileSync(path.join(dir, 'namespace-install.yaml'), join(picked.filter((_, index) => index % 10 !== 3).map((document) => document.text)));
  fs.writeFileSync(path.join(dir, 'ha', 'install.yaml'), join(picked.map((document) => document.text.replace(/^(\s*replicas:) (\d+)$/m, (_, key, count) => `${key} ${Number(count) + 2}`))));
  const sources = [...new Set(picked.map((document) => document.file))].slice(0, 137);
  sources.forEach((file, index) => fs.copyFileSync(file, path.join(dir, 'base', `${String(index).padStart(3, '0')}-${path.basename(file)}`)));
  const files = manifestFiles(dir);
  return { dir, files: files.length, bytes: files.reduce((sum, file) => sum + fs.statSync(file).size, 0), documents: picked.length };
}

function git(args, cwd) {
  const result = spawnSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`git ${args[0]} exited with ${result.status}: ${firstLine(result.stderr)}`);
}

/**
 * A git repository holding the set (committed as HEAD) and an extracted copy of it beside, so that
 * `diff --git HEAD.. cluster` (the revision read with git) and `diff copy cluster` (two folders)
 * compare the same trees.
 */
function generateGitSet(tmpRoot, sourceDir) {
  const repository = path.join(tmpRoot, 'git-repository');
  fs.mkdirSync(repository);
  fs.cpSync(sourceDir, path.join(repository, 'cluster'), { recursive: true });
  fs.cpSync(sourceDir, path.join(tmpRoot, 'git-extracted'), { recursive: true });
  git(['init', '-q'], repository);
  git(['add', '-A'], repository);
  git(['commit', '-q', '-m', 'cluster'], repository);
  return { repository, extracted: path.join(tmpRoot, 'git-extracted') };
}

async function benchDuplicatesAndGit(set, options, context, { baselineScript }) {
  progress('duplicates: generating...\n');
  const duplicates = generateDuplicatesSet(context.tmpRoot, set.dir);
  const baseline = measurement('parse baseline (read + js-yaml loadAll)', [baselineScript, duplicates.dir], { okStatus: [0] });
  const lint = measurement('lint DIR --format json --output /dev/null', [CLI, 'lint', duplicates.dir, '--format', 'json', '--output', '/dev/null'], { okStatus: [0, 1, 2] });
  const lintOff = measurement('  the same with --rule duplicate-object=off', [CLI, 'lint', duplicates.dir, '--format', 'json', '--output', '/dev/null', '--rule', 'duplicate-object=off'], { okStatus: [0, 1, 2] });
  let gitSet;
  let gitProblem;
  try {
    progress('git: committing the scale-1 set...\n');
    gitSet = generateGitSet(context.tmpRoot, set.dir);
  } catch (error) {
    gitProblem = `no git repository: ${error.message}`;
  }
  const diffTrees = measurement('diff EXTRACTED-COPY cluster', gitSet ? [CLI, 'diff', gitSet.extracted, 'cluster'] : [], { okStatus: [0, 1, 2], cwd: gitSet?.repository });
  const diffGit = measurement('diff --git HEAD.. cluster', gitSet ? [CLI, 'diff', '--git', 'HEAD..', 'cluster'] : [], { okStatus: [0, 1, 2], cwd: gitSet?.repository });
  if (gitProblem) diffTrees.failed = diffGit.failed = gitProblem;
  const timed = [baseline, lint, lintOff, diffTrees, diffGit];
  await runNode([baselineScript, duplicates.dir], { ...context, captureStdout: false });
  for (let round = 1; round <= options.runs; round++) {
    progress(`duplicates and git: round ${round}/${options.runs}:`);
    for (const m of timed) {
      progress(` ${m.name.trim().split(' ').slice(0, 2).join(' ')}`);
      await runMeasurement(m, context);
    }
    progress('\n');
  }
  return { duplicates, baseline, lint, lintOff, diffTrees, diffGit };
}

function reportDuplicatesAndGit(result, options) {
  const { duplicates } = result;
  const out = [
    `== duplicates (shaped like argo-cd's manifests/): ${duplicates.files} files, ${(duplicates.bytes / MB).toFixed(1)} MB, `
      + `${duplicates.documents} objects each defined 3 or 4 times — median of ${options.runs} run${options.runs === 1 ? '' : 's'}`,
    '',
  ];
  const baseMs = median(result.baseline.times);
  const rows = [[result.baseline.name, fmtMs(baseMs), fmtRatio(1), 'baseline', '—', exitCodes(result.baseline)]];
  for (const [m, target] of [[result.lint, 1.5], [result.lintOff, undefined]]) {
    if (m.failed) {
      rows.push([m.name, '—', '—', target ? `≤ ${target.toFixed(1)}×` : '—', 'FAILED', m.failed]);
      continue;
    }
    const ratio = median(m.times) / baseMs;
    rows.push([m.name, fmtMs(median(m.times)), fmtRatio(ratio), target ? `≤ ${target.toFixed(1)}×` : '—', target ? verdict(ratio, target) : '—', exitCodes(m)]);
  }
  out.push(table(['measurement', 'median ms', 'ratio', 'target', 'result', 'exit'], rows));
  out.push('');
  out.push('diff --git reads a revision with git; two extracted trees of the same set (scale 1) are the reference');
  const treesMs = median(result.diffTrees.times);
  const gitRows = [];
  for (const [m, isReference] of [[result.diffTrees, true], [result.diffGit, false]]) {
    if (m.failed) {
      gitRows.push([m.name, '—', '—', isReference ? 'reference' : '≤ 2.0×', 'FAILED', m.failed]);
      continue;
    }
    const ratio = median(m.times) / treesMs;
    gitRows.push([m.name, fmtMs(median(m.times)), fmtRatio(ratio), isReference ? 'reference' : '≤ 2.0×', isReference ? '—' : verdict(ratio, 2), exitCodes(m)]);
  }
  out.push(table(['measurement', 'median ms', 'ratio', 'target', 'result', 'exit'], gitRows));
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Report

function table(headers, rows) {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => /^[-+]?[\d.,]+( ?(ms|MiB|×))?$|^—$/.test(String(row[column]))));
  const line = (cells) =>
    cells
      .map((cell, column) => (numeric[column] ? String(cell).padStart(widths[column]) : String(cell).padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const fmtMs = (ms) => (Number.isFinite(ms) ? ms.toFixed(ms >= 100 ? 0 : 1) : '—');
const fmtRatio = (ratio) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');
const fmtMiB = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : '—');

/** Median user and system CPU seconds of a measurement's runs, when GNU time measured them. */
function fmtCpu(m) {
  if (m.cpu.length === 0) return '—';
  return `${median(m.cpu.map((cpu) => cpu.user)).toFixed(2)} / ${median(m.cpu.map((cpu) => cpu.system)).toFixed(2)}`;
}

function verdict(value, limit, strict = false) {
  if (!Number.isFinite(value) || limit === undefined) return '—';
  return (strict ? value < limit : value <= limit) ? 'OK' : 'OVER';
}

function exitCodes(m) {
  return m.statuses.size > 0 ? [...m.statuses].sort().join(',') : '—';
}

function report(result, options) {
  const { set } = result;
  const scale = set.scale;
  const out = [];
  const baseMs = median(result.baseline.times);
  const ratioTargets = {
    inspect: 1.3,
    matrix: scale >= 5 ? 2.5 : 2.3,
    canReach: 1.2,
    lint: scale >= 5 ? 1.6 : 1.5,
  };
  const baseInfo = result.baseline.extra;
  out.push(
    `== ${set.label}: ${set.files} files, ${(set.bytes / MB).toFixed(1)} MB` +
      (set.stats.resources ? `, ${set.stats.resources} resources` : '') +
      (baseInfo ? ` (baseline parsed ${baseInfo.documents} documents, ${baseInfo.errors} files with YAML errors)` : '') +
      ` — median of ${options.runs} run${options.runs === 1 ? '' : 's'}`,
  );
  out.push('');

  const rows = [];
  rows.push([result.baseline.name, fmtMs(baseMs), fmtRatio(1), 'baseline', '—', fmtCpu(result.baseline), exitCodes(result.baseline), '']);
  const add = (m, key, note = '') => {
    const target = ratioTargets[key];
    const targetText = target === undefined ? '—' : `≤ ${target.toFixed(1)}×`;
    if (m.failed) {
      rows.push([m.name, '—', '—', targetText, 'FAILED', '—', '—', m.failed]);
      return;
    }
    const ms = median(m.times);
    const ratio = ms / baseMs;
    rows.push([m.name, fmtMs(ms), fmtRatio(ratio), targetText, target === undefined ? '—' : verdict(ratio, target), fmtCpu(m), exitCodes(m), note]);
  };
  add(result.inspect, 'inspect');
  add(result.matrix, 'matrix', result.matrix.extra !== undefined ? `${result.matrix.extra} lines` : '');
  add(result.canReach, 'canReach', result.canReach.extra ?? '');
  add(result.lint, 'lint');
  add(result.ipam, 'ipam');
  out.push(table(['measurement', 'median ms', 'ratio', 'target', 'result', 'cpu user / sys s', 'exit', 'note'], rows));
  out.push('ratio = median ms ÷ parse baseline median ms; exit 2 from inspect/matrix/can-reach/lint = input errors in the generated data (accepted)');
  out.push('cpu = median user and system CPU seconds of the process and its threads (GNU time): more than the wall time means work on');
  out.push('other cores (V8\'s garbage collection and compilation threads, the matrix file written on a libuv thread); system time is mostly');
  out.push('the kernel reading the files and, for matrix, writing its output');

  if (result.withStartup) {
    out.push('');
    const startupRuns = options.runs * STARTUP_REPEAT;
    out.push(`start-up (median of ${startupRuns} runs each; difference to node -e '' measured in the same run)`);
    const emptyMs = median(result.nodeEmpty.times);
    const startupRows = [];
    if (result.nodeEmpty.failed) {
      startupRows.push([result.nodeEmpty.name, '—', '—', 'baseline', 'FAILED', result.nodeEmpty.failed]);
    } else {
      startupRows.push([result.nodeEmpty.name, fmtMs(emptyMs), '—', 'baseline', '—', '']);
    }
    for (const [m, limit] of [
      [result.version, 25],
      [result.lintSmall, 75],
    ]) {
      if (m.failed) {
        startupRows.push([m.name, '—', '—', `≤ +${limit} ms`, 'FAILED', m.failed]);
        continue;
      }
      const ms = median(m.times);
      const diff = ms - emptyMs;
      startupRows.push([m.name, fmtMs(ms), `${diff >= 0 ? '+' : ''}${diff.toFixed(1)} ms`, `≤ +${limit} ms`, verdict(diff, limit), `exit ${exitCodes(m)}`]);
    }
    out.push(table(['measurement', 'median ms', 'difference', 'target', 'result', 'note'], startupRows));
  }

  out.push('');
  out.push(`peak memory (max RSS, highest of the runs; ${options.memory.label})`);
  const memRows = [];
  const memTargets = {
    inspect: scale === 1 ? { text: '< 300 MiB', kib: 300 * 1024, strict: true } : undefined,
    matrix: scale >= 5 ? { text: '≤ 1024 MiB', kib: 1024 * 1024, strict: false } : undefined,
  };
  const memRow = (m, key) => {
    const target = memTargets[key];
    if (m.failed) {
      memRows.push([m.name, '—', target?.text ?? '—', 'FAILED']);
      return;
    }
    const peak = m.rss.length > 0 ? Math.max(...m.rss) : NaN;
    memRows.push([m.name, fmtMiB(peak), target?.text ?? '—', target ? verdict(peak, target.kib, target.strict) : '—']);
  };
  memRow(result.baseline, 'baseline');
  memRow(result.inspect, 'inspect');
  memRow(result.matrix, 'matrix');
  memRow(result.lint, 'lint');
  out.push(table(['measurement', 'max RSS', 'target', 'result'], memRows));
  return out.join('\n');
}

function growthReport(small, big) {
  const sizeRatio = big.set.bytes / small.set.bytes;
  const fileRatio = big.set.files / small.set.files;
  const ms = (m) => (m.failed ? NaN : median(m.times));
  const rows = [
    ['input size (MB)', (small.set.bytes / MB).toFixed(1), (big.set.bytes / MB).toFixed(1), fmtRatio(sizeRatio)],
    ['input files', String(small.set.files), String(big.set.files), fmtRatio(fileRatio)],
  ];
  for (const [label, a, b] of [
    ['parse baseline ms', small.baseline, big.baseline],
    ['matrix ms', small.matrix, big.matrix],
    ['inspect ms', small.inspect, big.inspect],
    ['lint ms', small.lint, big.lint],
  ]) {
    rows.push([label, fmtMs(ms(a)), fmtMs(ms(b)), fmtRatio(ms(b) / ms(a))]);
  }
  if (Number.isFinite(small.matrix.extra) && Number.isFinite(big.matrix.extra)) {
    rows.push(['matrix output lines', String(small.matrix.extra), String(big.matrix.extra), fmtRatio(big.matrix.extra / small.matrix.extra)]);
  }
  const matrixGrowth = ms(big.matrix) / ms(small.matrix);
  const lines = [
    `== growth from scale ${small.set.scale} to scale ${big.set.scale}`,
    '',
    table(['', `scale ${small.set.scale}`, `scale ${big.set.scale}`, 'growth'], rows),
    '',
  ];
  if (Number.isFinite(matrixGrowth)) {
    const exponent = Math.log(matrixGrowth) / Math.log(sizeRatio);
    lines.push(
      `matrix time grows ${fmtRatio(matrixGrowth)} for ${fmtRatio(sizeRatio)} the input bytes ` +
        `(≈ size^${exponent.toFixed(2)}; 1.00 would be linear)`,
    );
    if (Number.isFinite(small.matrix.extra) && Number.isFinite(big.matrix.extra)) {
      const outputGrowth = big.matrix.extra / small.matrix.extra;
      lines.push(
        `matrix output grows ${fmtRatio(outputGrowth)} (connections, not input, drive it); ` +
          `time per output line changes ${fmtRatio(matrixGrowth / outputGrowth)}`,
      );
    }
    lines.push(`parse baseline grows ${fmtRatio(ms(big.baseline) / ms(small.baseline))} between the same two sets`);
  } else {
    lines.push('matrix time growth: not available (matrix FAILED at one of the scales)');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n${usage()}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: build first (npm run bench runs tsc before this script)');
  }
  if (!fs.existsSync(GEN)) throw new Error(`generator not found: ${GEN}`);

  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-bench-'));
  const cleanup = () => {
    for (const pid of liveGroups) killGroup(pid);
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    process.stderr.write(`\nbench: ${signal}, cleaning up ${tmpRoot}\n`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const startedAt = performance.now();
  try {
    const memory = detectMemoryMethod(tmpRoot);
    options.memory = memory;
    // The CLI's compile cache, in the bench's own folder: every run of a command after its first
    // starts from V8's compiled code, as a user's runs do, and the user's cache is left alone.
    const compileCache = process.env.K8SNET_CACHE_DIR ?? path.join(tmpRoot, 'compile-cache');
    process.env.K8SNET_CACHE_DIR = compileCache;
    const context = { memory, tmpRoot, timeoutMs: options.timeoutMs };
    const baselineScript = writeBaselineScript(tmpRoot);
    const smallFile = findSmallDemoFile();
    const scales = options.full ? [1, 5] : [1];

    const header = [
      'k8snet benchmark — ratios to a baseline measured in the same run (targets are informational)',
      `node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model?.trim() ?? ''}, ${os.platform()} ${os.release()}`,
      `runs per measurement: ${options.runs}; scales: ${scales.join(', ')}; every measurement is a fresh \`node\` child process`,
      `baseline "parse": read every *.yaml|*.yml|*.json (recursive, no hidden folders / node_modules) + js-yaml loadAll`,
      `peak memory: ${memory.label}`,
      `compile cache: K8SNET_CACHE_DIR=${compileCache} (the first run of each command fills it)`,
      `input: ${path.relative(REPO_ROOT, GEN)} into ${tmpRoot} (deleted at the end)`,
      `load average at start: ${loadAverage()} (other processes on the machine skew both sides of a ratio, not always equally)`,
    ];
    const results = [];
    const extras = [];
    // Scale 1, scale 1 with cluster-wide policies, then (--full) scale 5.
    const sets = [{ scale: 1 }, ...Object.keys(POLICY_SETS).map((policies) => ({ scale: 1, policies })), ...scales.filter((scale) => scale !== 1).map((scale) => ({ scale }))];
    for (const { scale, policies } of sets) {
      progress(`scale ${scale}${policies ? ` with ${policies} policies` : ''}: generating...\n`);
      const set = generateSet(tmpRoot, scale, { policies });
      progress(`${set.label}: ${set.files} files, ${(set.bytes / MB).toFixed(1)} MB (generated in ${(set.genMs / 1000).toFixed(1)} s)\n`);
      results.push(await benchScale(set, options, context, { baselineScript, smallFile, withStartup: results.length === 0 }));
      if (results.length === 1) extras.push(await benchDuplicatesAndGit(set, options, context, { baselineScript }));
      // Free the disk before the next (bigger) set.
      fs.rmSync(set.dir, { recursive: true, force: true });
    }

    const sections = [header.join('\n')];
    for (const result of results) sections.push(report(result, options));
    for (const extra of extras) sections.push(reportDuplicatesAndGit(extra, options));
    const plain = results.filter((result) => result.set.name === `scale${result.set.scale}`);
    if (plain.length > 1) sections.push(growthReport(plain[0], plain[plain.length - 1]));
    sections.push(`total bench time ${((performance.now() - startedAt) / 1000).toFixed(1)} s; load average at end: ${loadAverage()}`);
    process.stdout.write(`\n${sections.join('\n\n')}\n`);
  } finally {
    cleanup();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
