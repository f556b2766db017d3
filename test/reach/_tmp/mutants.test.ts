import { it } from '@jest/globals';
import fc from 'fast-check';
import { clusterArb, interestingPorts, ADDRESSES } from './arb.js';
import { referenceAllows, type RefCluster, type RefPeer } from '../reference-evaluator.js';
const names = ['autoLabel','undeclared','notin','hostPeer'];
function differs(c: RefCluster, f: typeof referenceAllows): boolean {
  const pods = (c.pods as any[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  const peers: [RefPeer, RefPeer][] = [];
  for (const a of pods) for (const b of pods) peers.push([{ pod: a }, { pod: b }]);
  for (const ip of ADDRESSES) for (const p of pods) { peers.push([{ ip }, { pod: p }]); peers.push([{ pod: p }, { ip }]); }
  for (const [s, d] of peers) for (const pr of ['TCP','UDP','SCTP'] as const) for (const port of interestingPorts(c))
    if (referenceAllows(c, s, d, pr, port) !== f(c, s, d, pr, port)) return true;
  return false;
}
it('mutants', async () => {
  const out: string[] = [];
  for (const n of names) {
    const m = await import(`./m_${n}.js`);
    let found = 0; const seeds = [1, 2, 3, 4, 5];
    const firsts: number[] = [];
    for (const seed of seeds) {
      let i = 0; let first = -1;
      fc.check(fc.property(clusterArb, (c) => { i++; if (differs(c, m.referenceAllows)) { if (first < 0) first = i; return false; } return true; }), { numRuns: 300, seed, endOnFailure: true });
      if (first > 0) { found++; firsts.push(first); }
    }
    out.push(`${n}: killed in ${found}/5 seeds, first failing run ${firsts.join(',')}`);
  }
  // stats
  let allow = 0, deny = 0, isolatedAny = 0, host = 0, total = 0;
  fc.check(fc.property(clusterArb, (c) => { total++; const pods = (c.pods as any[]);
    if (pods.some((p) => p.spec.hostNetwork === true)) host++;
    let iso = false;
    for (const a of pods) for (const b of pods) { const r = referenceAllows(c, { pod: `${a.metadata.namespace}/${a.metadata.name}` }, { pod: `${b.metadata.namespace}/${b.metadata.name}` }, 'TCP', 80); if (r) allow++; else { deny++; iso = true; } }
    if (iso) isolatedAny++; return true; }), { numRuns: 300, seed: 7 });
  out.push(`stats: TCP/80 pod-pair allow ${allow} deny ${deny}; clusters with some denial ${isolatedAny}/${total}; with hostNetwork pod ${host}/${total}`);
  console.log(out.join('\n'));
});
