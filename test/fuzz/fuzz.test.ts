/**
 * A short, fixed run of the fuzzer (test/fuzz/fuzz.mjs, `npm run fuzz` for long ones): seeded, so
 * it is the same cases on every run, bounded by time and count, on the compiled code `npm test`
 * builds first. It fails with each failing case's input and how to repeat it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from '@jest/globals';

it('finds nothing in a short seeded run (seed 18, at most 20 s)', () => {
  const run = spawnSync(process.execPath, [path.join('test', 'fuzz', 'fuzz.mjs'), '--seed', '18', '--time', '20', '--count', '300', '--cli-every', '60'], {
    encoding: 'utf8', timeout: 170000,
  });
  if (run.status !== 0) throw new Error(`fuzz run failed (exit ${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  expect(run.stdout).toMatch(/^no failure$/m);
}, 180000);
