/**
 * The matrix by rows (src/reach/matrix.ts) skips most pairs of a large cluster: runs of
 * destinations open for ingress, isolated destinations whose rules cannot admit the source, the
 * classes an isolated source's egress rules cannot reach. Checked here against every pair asked
 * one by one of the solver, on the demo and on every np-guard corpus case, with and without the
 * ingress controller; and the byte formatter against the line formatter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { analyzePaths } from '../../src/pipeline.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import { matrixEdges, matrixRows, type MatrixOptions, type MatrixPeer } from '../../src/reach/matrix.js';
import { ReachabilitySolver, type PodClass } from '../../src/reach/solver.js';
import { formatMatrixTxt, formatMatrixTxtBytes } from '../../src/report/matrix-txt.js';
import { optionalShared } from '../shared-folder.js';

// The demo, and each np-guard corpus case when ../shared is there.
const CORPUS = optionalShared('conformance/np-guard');
const SETS = [
  path.resolve('fixtures', 'demo'),
  ...(CORPUS ? fs.readdirSync(CORPUS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(CORPUS, entry.name)) : []),
];

/** Every pair of the matrix asked one by one, the way the matrix was computed before it had rows. */
function pairByPair(solver: ReachabilitySolver, options: MatrixOptions): string[] {
  const { destinations, rows } = matrixRows(solver, options);
  const sources = new Map<string, MatrixPeer>();
  for (const { source } of rows) sources.set(source.id, source);
  // The sources with no connection at all are not in the rows: take every peer the matrix knows.
  const peers = [...destinations, ...[...matrixEdges(solver, options)].map((edge) => edge.source)];
  for (const peer of peers) if (!sources.has(peer.id) && peer.type !== 'external') sources.set(peer.id, peer);
  const classesOf = (peer: MatrixPeer): PodClass[] | undefined => (peer.type === 'workload' ? [...new Set(peer.workload.pods.map((pod) => solver.classOf(pod)))] : undefined);
  const lines: string[] = [];
  for (const source of [...sources.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (source.type !== 'workload') continue;
    for (const destination of destinations) {
      if (source === destination) continue;
      let connections = ConnectionSet.EMPTY;
      for (const sourceClass of classesOf(source)!) {
        if (destination.type === 'workload') for (const destinationClass of classesOf(destination)!) connections = connections.union(solver.classToClass(sourceClass, destinationClass));
        else if (destination.type === 'external') connections = connections.union(solver.classToRange(sourceClass, destination.family, destination.range));
      }
      if (!connections.isEmpty()) lines.push(`${source.id} => ${destination.id} : ${connections.toString()}`);
    }
  }
  return lines;
}

describe('the matrix by rows', () => {
  it('has exactly the workload sources\' connections that asking every pair gives', () => {
    let lines = 0;
    for (const folder of SETS) {
      const solver = new ReachabilitySolver(analyzePaths([folder]).graph);
      const fromRows = [...matrixEdges(solver, { ingressController: false })]
        .filter((edge) => edge.source.type === 'workload')
        .map((edge) => `${edge.source.id} => ${edge.destination.id} : ${edge.connections.toString()}`);
      const expected = pairByPair(solver, { ingressController: false });
      expect([folder, fromRows]).toEqual([folder, expected]);
      lines += expected.length;
    }
    // The demo alone has 49 lines; the corpus brings the count above a thousand.
    expect(lines).toBeGreaterThan(CORPUS ? 1000 : 40);
  });

  it('writes the same bytes as the line formatter, whole and focused', () => {
    for (const folder of SETS) {
      const solver = new ReachabilitySolver(analyzePaths([folder]).graph);
      const options: MatrixOptions[] = [{}, { ingressController: false }];
      const first = solver.graph.workloads[0];
      if (first) options.push({ focusWorkload: first.id });
      for (const option of options) {
        const bytes = Buffer.concat([...formatMatrixTxtBytes(matrixRows(solver, option))]).toString('utf8');
        expect([folder, option, bytes]).toEqual([folder, option, [...formatMatrixTxt(matrixEdges(solver, option))].join('')]);
      }
    }
  });

  it('cuts chunks only between lines, whatever the chunk size, even below one line', () => {
    const solver = new ReachabilitySolver(analyzePaths([path.resolve('fixtures', 'demo')]).graph);
    const expected = [...formatMatrixTxt(matrixEdges(solver, {}))].join('');
    for (const chunkBytes of [1, 64, 100, 4096]) {
      const chunks = [...formatMatrixTxtBytes(matrixRows(solver, {}), { chunkBytes })].map((chunk) => Buffer.from(chunk).toString('utf8'));
      expect(chunks.join('')).toBe(expected);
      for (const chunk of chunks) {
        expect(chunk.endsWith('\n')).toBe(true);
        // A chunk larger than asked for holds exactly one line, which did not fit in one.
        if (Buffer.byteLength(chunk) > chunkBytes) expect(chunk.split('\n')).toHaveLength(2);
      }
    }
  });
});
