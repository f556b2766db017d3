/**
 * Output of the CLI (src/cli/io.ts): files given with --output are written in the background
 * while the producer goes on, in order, and a failed write ends the run with a plain message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { BufferPool, openOutput, unwritten } from '../../src/cli/io.js';
import { UsageError } from '../../src/cli/context.js';
import { analyzePaths } from '../../src/pipeline.js';
import { matrixEdges } from '../../src/reach/matrix.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatMatrixTxt } from '../../src/report/matrix-txt.js';
import { BIN, k8snet, expectNoStackTrace } from './run-cli.js';
import { describeWithShared, sharedPath } from '../shared-folder.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-io-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('openOutput with a file', () => {
  it('writes strings and byte chunks in the order given, through many background writes', async () => {
    const file = path.join(folder, 'out.txt');
    const output = openOutput(file);
    const expected: Buffer[] = [];
    // 40 MiB in 1 MiB chunks between short strings: more than the backlog, so the producer waits.
    for (let index = 0; index < 40; index++) {
      const text = `row ${index}\n`;
      output.sink.push(text);
      expected.push(Buffer.from(text));
      const chunk = Buffer.alloc(1 << 20, 97 + (index % 26));
      if (output.sink.push(chunk)) await output.ready();
      expected.push(chunk);
    }
    output.sink.push('end\n');
    expected.push(Buffer.from('end\n'));
    await output.close();
    expect(fs.readFileSync(file).equals(Buffer.concat(expected))).toBe(true);
  });

  it('hands the memory of a chunk out again only once it is written, so the file is intact', async () => {
    const file = path.join(folder, 'recycled.txt');
    const output = openOutput(file);
    const expected: Buffer[] = [];
    const memories = new Set<ArrayBufferLike>();
    // 48 chunks of 1 MiB, each filled with its own letter: a chunk reused before it was written
    // would put another chunk's letter in the file.
    for (let index = 0; index < 48; index++) {
      const chunk = output.takeBuffer(1 << 20);
      expect(chunk.length).toBeGreaterThanOrEqual(1 << 20);
      memories.add(chunk.buffer);
      chunk.fill(65 + (index % 26));
      expected.push(Buffer.from(chunk.subarray(0, 1 << 20)));
      if (output.sink.push(chunk.subarray(0, 1 << 20))) await output.ready();
    }
    await output.close();
    expect(fs.readFileSync(file).equals(Buffer.concat(expected))).toBe(true);
    // The producer waited for the disk with 16 MiB in flight, so written chunks came back.
    expect(memories.size).toBeLessThan(24);
  });

  it('reports a failed write (a full disk) as a usage error naming the file', async () => {
    if (!fs.existsSync('/dev/full')) return; // Linux only
    const output = openOutput('/dev/full');
    output.sink.push(Buffer.alloc(1024, 120));
    await expect(output.close()).rejects.toThrow(UsageError);
    const again = openOutput('/dev/full');
    again.sink.push(Buffer.alloc(1024, 120));
    await expect(again.close()).rejects.toThrow('--output /dev/full: writing failed (ENOSPC)');
  });

  it('closes the file after a failed write, and when abandoned with a write in flight', async () => {
    if (!fs.existsSync('/proc/self/fd')) return; // Linux only
    const openDescriptors = () => fs.readdirSync('/proc/self/fd').length;
    const before = openDescriptors();
    const full = openOutput('/dev/full');
    full.sink.push(Buffer.alloc(1024, 120));
    await expect(full.close()).rejects.toThrow(UsageError);
    expect(openDescriptors()).toBe(before);
    const abandoned = openOutput(path.join(folder, 'abandoned.txt'));
    abandoned.sink.push(Buffer.alloc(4 << 20, 97));
    abandoned.abandon();
    abandoned.sink.push('ignored after abandon\n');
    // The write in flight ends on the thread pool, which a loaded machine (parallel test workers) may delay.
    for (const deadline = Date.now() + 10_000; openDescriptors() !== before && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(openDescriptors()).toBe(before);
  });

  it('a short write leaves the rest of the chunks, in order', () => {
    const chunks = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('h')];
    expect(unwritten(chunks, 0).map(String)).toEqual(['abc', 'defg', 'h']);
    expect(unwritten(chunks, 3).map(String)).toEqual(['defg', 'h']);
    expect(unwritten(chunks, 5).map(String)).toEqual(['fg', 'h']);
    expect(unwritten(chunks, 8)).toEqual([]);
  });
});

describe('BufferPool', () => {
  it('takes back only memory it handed out, once, and never a shared slab', () => {
    const pool = new BufferPool(4);
    const first = pool.take(64);
    // Small buffers from Buffer.allocUnsafe share Node's slab with other buffers: never taken back.
    const slab = Buffer.allocUnsafe(64);
    pool.recycle(slab);
    expect(pool.take(64).buffer).not.toBe(slab.buffer);
    pool.recycle(first.subarray(0, 10));
    // Recycled twice by mistake: handed out once only.
    pool.recycle(first);
    const again = pool.take(64);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(64);
    expect(pool.take(64).buffer).not.toBe(first.buffer);
  });

  it('hands out a new buffer when the one kept is too small, and keeps at most its limit', () => {
    const pool = new BufferPool(1);
    const small = pool.take(16);
    const other = pool.take(16);
    pool.recycle(small);
    pool.recycle(other);
    const large = pool.take(32);
    expect(large.length).toBe(32);
    expect(large.buffer).not.toBe(small.buffer);
    expect(pool.take(16).buffer).toBe(small.buffer);
    expect(pool.take(16).buffer).not.toBe(other.buffer);
  });
});

describeWithShared('k8snet matrix over megabytes of output', ['tools/gen-cluster.mjs'], () => {
  it('writes to a pipe and to --output the text of the line formatter, its chunks reused', () => {
    // A generated cluster of 400 workloads: about 4 MB of matrix, so several 1 MiB chunks whose
    // memory goes round the pool, on standard output (a pipe) and through the background writer.
    const cluster = path.join(folder, 'cluster');
    const generated = spawnSync(process.execPath, [sharedPath('tools/gen-cluster.mjs'), '--out', cluster, '--scale', '0.2'], { encoding: 'utf8' });
    expect(generated.status).toBe(0);
    const solver = new ReachabilitySolver(analyzePaths([cluster]).graph);
    const expected = [...formatMatrixTxt(matrixEdges(solver))].join('');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(3 << 20);
    const piped = spawnSync(process.execPath, [BIN, 'matrix', cluster], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    expect(piped.status).toBe(0);
    expect(piped.stdout === expected).toBe(true);
    const file = path.join(folder, 'matrix.txt');
    const written = k8snet(['matrix', cluster, '--output', file]);
    expect(written.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8') === expected).toBe(true);
  });
});

describe('k8snet matrix --output on a full disk', () => {
  it('exits 2 with the reason, no stack trace', () => {
    if (!fs.existsSync('/dev/full')) return;
    const run = k8snet(['matrix', 'fixtures/demo', '--output', '/dev/full']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^k8snet: --output \/dev\/full: writing failed \(ENOSPC\)$/m);
    expectNoStackTrace(run);
  });
});
