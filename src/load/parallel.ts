import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { discoverInputs, type InputSource } from './discover.js';
import { createCollector, loadPaths, readInput, type LoadOptions, type LoadResult } from './index.js';
import { INPUT_RULES } from './input-rules.js';
import { fileFinding, parseBytes, type FileOutcome } from './parse-text.js';
import { SourceFile } from './source-file.js';
import { fromTransfer, type TransferredOutcome } from './transfer.js';
import type { Finding } from '../finding.js';

/** Below this many files, a worker thread costs more to start than it saves. */
const PARALLEL_MIN_FILES = 64;

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);

/**
 * Loads like {@link loadPaths}, parsing in two threads when there are many files: a worker
 * parses every other file while the main thread parses the rest, then the main thread collects
 * all of them in input order, so the result is the same as the sequential loader's.
 */
export async function loadPathsParallel(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const { inputs, problems } = discoverInputs(paths);
  const fileInputs = inputs.filter((input): input is Extract<InputSource, { kind: 'file' }> => input.kind === 'file');
  if (fileInputs.length < PARALLEL_MIN_FILES || os.availableParallelism() < 2 || !fs.existsSync(WORKER_URL)) {
    return loadPaths(paths, options);
  }
  const findings: Finding[] = problems.map((problem) =>
    fileFinding(INPUT_RULES.unreadable, new SourceFile(problem.path, ''), 1, 1, problem.message));
  const outcomes: (FileOutcome | undefined)[] = new Array(inputs.length);
  const forWorker = inputs.map((input, index) => ({ input, index })).filter(({ input }, position) => input.kind === 'file' && position % 2 === 1);
  const workerIndexes = new Set(forWorker.map(({ index }) => index));
  const worker = new Worker(WORKER_URL);
  const workerDone = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: { index: number; data: TransferredOutcome } | { done: true }) => {
      if ('done' in message) resolve();
      else outcomes[message.index] = fromTransfer(message.data);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`parse worker exited with code ${code}`))));
  });
  worker.postMessage({ files: forWorker.map(({ input, index }) => ({ index, path: (input as { path: string }).path })) });

  const stdinSeen = new Set<string>();
  const files: string[] = [];
  inputs.forEach((input, index) => {
    if (workerIndexes.has(index)) return;
    const displayPath = input.kind === 'stdin' ? '<stdin>' : input.path;
    if (input.kind === 'stdin' && stdinSeen.has(displayPath)) return;
    stdinSeen.add(displayPath);
    const bytes = readInput(input, options, findings);
    if (bytes) outcomes[index] = parseBytes(displayPath, bytes);
  });
  try {
    await workerDone;
  } catch {
    // The worker failed (out of memory, a crash): parse its share here instead.
    for (const { input, index } of forWorker) {
      if (outcomes[index]) continue;
      const bytes = readInput(input, options, findings);
      if (bytes) outcomes[index] = parseBytes((input as { path: string }).path, bytes);
    }
  } finally {
    await worker.terminate();
  }
  const collector = createCollector(findings);
  inputs.forEach((input, index) => {
    const outcome = outcomes[index];
    if (!outcome) return;
    files.push(input.kind === 'stdin' ? '<stdin>' : input.path);
    collector.add(outcome);
  });
  return { objects: collector.finish(), findings, files };
}
