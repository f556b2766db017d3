/**
 * Reading the Istio and multilayer cases of the dialect corpus (../shared/conformance/dialects,
 * NCA's Istio tests): every case's manifests load without an internal error, every Istio object
 * is modelled (none is an unknown kind) or reported where istiod would refuse it, and the corpus
 * holds the cases its index lists. The expected connectivity maps are compared in phase B, once
 * the evaluator decides Istio's authorization (docs/istio.md lists what each case needs). The
 * corpus, its index and its cases are found by the one NCA case reader (nca-cases.ts), shared with
 * the Calico dialect; this test reads each case's manifests folder whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { describeWithShared } from '../shared-folder.js';
import { analyzeTexts } from '../../src/pipeline.js';
import { loadTexts } from '../../src/load/index.js';
import { DEFAULT_ISTIO_SETTINGS } from '../../src/model/istio-settings.js';
import { DIALECT_CORPUS, listNcaCases, readIndex } from './nca-cases.js';

const CORPUS = DIALECT_CORPUS;
const DIALECTS: readonly string[] = ['istio', 'multilayer'];

function listCases(): { dialect: string; name: string }[] {
  return listNcaCases().filter((entry) => DIALECTS.includes(entry.dialect));
}

function manifestFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? manifestFiles(full) : /\.(ya?ml|json)$/.test(entry.name) ? [full] : [];
  }).sort();
}

const cases = listCases();

// Skipped without ../shared, failing under CI (test/shared-folder.ts).
describeWithShared('the Istio and multilayer cases of the dialect corpus', ['conformance/dialects'], () => {
  it('holds every case index.tsv lists', () => {
    const listed = readIndex().filter((row) => DIALECTS.includes(row.dialect)).map((row) => `${row.dialect}/${row.case}`);
    expect(cases.map((entry) => `${entry.dialect}/${entry.name}`)).toEqual(listed.sort());
    expect(cases.length).toBe(28);
  });

  it.each(cases.map((entry) => [`${entry.dialect}/${entry.name}`]))('%s: every Istio object is modelled or refused at its field', (id) => {
    const folder = path.join(CORPUS, id, 'manifests');
    const texts = manifestFiles(folder).map((file) => ({ path: path.relative(folder, file), text: fs.readFileSync(file, 'utf8') }));
    // NCA's Istio cases put the mesh's root namespace in istio-config.
    const analysis = analyzeTexts(texts, { istio: { ...DEFAULT_ISTIO_SETTINGS, rootNamespace: 'istio-config' } });
    const istio = analysis.graph.istio;
    const modelled = istio.authorizationPolicies.length + istio.peerAuthentications.length + istio.requestAuthentications.length
      + istio.sidecars.length + istio.gateways.length + istio.virtualServices.length + istio.destinationRules.length + istio.serviceEntries.length;
    const refused = new Set(analysis.inputFindings.filter((finding) => finding.ruleId === 'input-invalid-value' && /^(AuthorizationPolicy|PeerAuthentication|Sidecar|Gateway|VirtualService|DestinationRule|ServiceEntry|RequestAuthentication) /.test(finding.message))
      .map((finding) => `${finding.object?.kind}/${finding.object?.namespace}/${finding.object?.name}`));
    // The objects the loader read (list items included) whose group is Istio's.
    const written = loadTexts(texts).objects.filter((object) => /^(security|networking)\.istio\.io\//.test(object.apiVersion)).length;
    expect(modelled + refused.size).toBe(written);
    expect(analysis.inputFindings.filter((finding) => finding.ruleId === 'input-unknown-kind' && /istio\.io/.test(finding.message))).toEqual([]);
  });

  it('refuses only the objects istiod refuses: NCA\'s placeholder VirtualService without routes', () => {
    const refusals = cases.flatMap(({ dialect, name }) => {
      const folder = path.join(CORPUS, dialect, name, 'manifests');
      const texts = manifestFiles(folder).map((file) => ({ path: path.relative(folder, file), text: fs.readFileSync(file, 'utf8') }));
      return analyzeTexts(texts).inputFindings.filter((finding) => finding.message.includes('istiod\'s validation refuses')).map((finding) => finding.message.split(':')[0]);
    });
    expect([...new Set(refusals)]).toEqual(['VirtualService bookinfo-namespace/dummy-for-test']);
  });
});
