/**
 * The NCA case reader (nca-cases.ts) reads every NCA case of the dialect corpus: inputs per
 * configuration, objects NCA leaves out, and every expected edge, with the counts index.tsv and
 * the corpus README state.
 */
import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { describeWithShared } from '../shared-folder.js';
import { loadTexts } from '../../src/load/index.js';
import { analyzeTexts } from '../../src/pipeline.js';
import {
  DIALECT_CORPUS, configInputs, isSelectedPolicy, keepsObject, listNcaCases, parseNcaConnections, parseNcaPairs, parseNcaPeer, readIndex, readNcaCase,
  splitConfigName,
} from './nca-cases.js';

const cases = listNcaCases();

// Skipped without ../shared, failing under CI.
describeWithShared('the NCA cases of the dialect corpus', ['conformance/dialects'], () => {
  it('are all there: 9 calico, 2 calico-k8s, 25 istio, 3 multilayer, as index.tsv lists them', () => {
    const counts = Object.fromEntries(['calico', 'calico-k8s', 'istio', 'multilayer'].map((dialect) => [dialect, cases.filter((entry) => entry.dialect === dialect).length]));
    expect(counts).toEqual({ calico: 9, 'calico-k8s': 2, istio: 25, multilayer: 3 });
    const indexed = readIndex().filter((row) => row.source === 'np-guard/network-config-analyzer').map((row) => `${row.dialect}/${row.case}`).sort();
    expect(cases.map((entry) => `${entry.dialect}/${entry.name}`).sort()).toEqual(indexed);
  });

  it('hold the README\'s totals of derived edge lines per dialect', () => {
    const totals: Record<string, number> = {};
    for (const entry of cases) totals[entry.dialect] = (totals[entry.dialect] ?? 0) + readNcaCase(entry.dialect, entry.name).edges.length;
    expect(totals).toEqual({ calico: 869, 'calico-k8s': 1433, istio: 4648, multilayer: 78 });
  });

  describe.each(cases)('$dialect/$name', ({ dialect, name }) => {
    const ncaCase = readNcaCase(dialect, name);

    it('has as many edges as index.tsv and case.json say, each read in NCA\'s vocabulary', () => {
      expect(ncaCase.edges.length).toBe(ncaCase.index.derivedAllowedEdges);
      expect(ncaCase.edges.length).toBe(ncaCase.raw.derived_allowed_pair_lines);
      for (const file of ncaCase.index.expected) expect(fs.existsSync(`${ncaCase.folder}/${file}`)).toBe(true);
      if (ncaCase.blocks) {
        expect(ncaCase.blocks).toHaveLength(ncaCase.configs.length);
        expect(ncaCase.blocks.flat()).toHaveLength(ncaCase.edges.length);
      }
      // Istio's edges belong to a section; the others' do not.
      expect(ncaCase.edges.every((edge) => (edge.section !== undefined) === (dialect === 'istio' || ncaCase.edges.some((other) => other.section !== undefined)))).toBe(true);
    });

    it('loads every configuration\'s files without an input error, and finds what NCA leaves out', () => {
      expect(ncaCase.configs.length).toBeGreaterThan(0);
      for (const config of ncaCase.configs) {
        for (const file of config.files) expect(fs.existsSync(file)).toBe(true);
        const loaded = loadTexts(configInputs(config));
        // The graph builds from NCA's inputs, odd shapes included (pod lists with `ports: {}`).
        expect(() => analyzeTexts(configInputs(config))).not.toThrow();
        expect(loaded.findings.filter((finding) => finding.ruleId === 'input-not-object' || finding.ruleId === 'input-yaml-syntax')).toEqual([]);
        if (config.singlePolicy) {
          const selected = loaded.objects.filter((object) => isSelectedPolicy(object, config.singlePolicy!));
          expect(selected.map((object) => `${object.kind} ${object.namespace ?? ''}/${object.name}`)).toHaveLength(1);
          const kept = loaded.objects.filter((object) => keepsObject(config, object));
          expect(kept.length).toBeLessThan(loaded.objects.length);
        }
        for (const ignored of config.ignoredObjects) {
          expect(loaded.objects.some((object) => object.origin.file === ignored.file && object.kind === ignored.kind)).toBe(true);
          expect(loaded.objects.filter((object) => object.origin.file === ignored.file && object.kind === ignored.kind).every((object) => !keepsObject(config, object))).toBe(true);
        }
      }
    });

    it('names only peers its inputs hold (workloads, pods, host endpoints, hosts) or addresses', () => {
      const texts = ncaCase.configs.flatMap((config) => config.files).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
      for (const edge of ncaCase.edges) {
        for (const peer of [edge.source, edge.destination]) {
          if (peer.type === 'addresses') continue;
          expect(texts.includes(peer.name)).toBe(true);
          // Objects that name no namespace are in default.
          if (peer.type === 'workload' && peer.namespace !== 'default') expect(texts.includes(peer.namespace)).toBe(true);
        }
      }
    });
  });
});

describe('reading NCA\'s vocabulary', () => {
  it.each([
    ['All connections', { type: 'all' }],
    ['All but {protocols:TCP}', { type: 'all-but', spec: { protocols: ['TCP'] } }],
    ['{protocols:ICMP, VRRP}', { type: 'only', spec: { protocols: ['ICMP', 'VRRP'] } }],
    ['{protocols:UDP,src_ports:80-100,dst_ports:1-10052,10054-65535}', { type: 'only', spec: { protocols: ['UDP'], srcPorts: [[80, 100]], dstPorts: [[1, 10052], [10054, 65535]] } }],
    ['{dst_ports:30,50}', { type: 'only', spec: { dstPorts: [[30, 30], [50, 50]] } }],
    ['{methods:all but GET}', { type: 'only', spec: { methods: { except: true, values: ['GET'] } } }],
    ['{dst_ports:8080,methods:GET, POST}', { type: 'only', spec: { dstPorts: [[8080, 8080]], methods: { except: false, values: ['GET', 'POST'] } } }],
    ['{dst_ports:3550,methods:POST,paths:/hipstershop.ProductCatalogService/GetProduct, /hipstershop.ProductCatalogService/ListProducts}',
      { type: 'only', spec: { dstPorts: [[3550, 3550]], methods: { except: false, values: ['POST'] }, paths: ['/hipstershop.ProductCatalogService/GetProduct', '/hipstershop.ProductCatalogService/ListProducts'] } }],
    ['{dst_ports:7777,hosts:eu.bookinfo.com, uk.bookinfo.com, productpage.default.svc.cluster.local}',
      { type: 'only', spec: { dstPorts: [[7777, 7777]], hosts: ['eu.bookinfo.com', 'uk.bookinfo.com', 'productpage.default.svc.cluster.local'] } }],
    ['{protocols:TCP,dst_ports:210,hosts:first.bar.com,paths:(/abc(/*)?)-(/abc/def(/*)?)}',
      { type: 'only', spec: { protocols: ['TCP'], dstPorts: [[210, 210]], hosts: ['first.bar.com'], paths: ['(/abc(/*)?)-(/abc/def(/*)?)'] } }],
  ])('%s', (text, expected) => {
    expect(parseNcaConnections(text)).toEqual(expected);
  });

  it.each([
    ['default/cog-agents[DaemonSet]', { type: 'workload', namespace: 'default', name: 'cog-agents', kind: 'DaemonSet' }],
    ['kube-system/heapster-9b7fc657b-blncx[Pod]', { type: 'workload', namespace: 'kube-system', name: 'heapster-9b7fc657b-blncx', kind: 'Pod' }],
    ['0.0.0.0-255.255.255.255', { type: 'addresses', family: 4, first: '0.0.0.0', last: '255.255.255.255' }],
    ['::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', { type: 'addresses', family: 6, first: '::', last: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }],
    ['2.2.2.2', { type: 'addresses', family: 4, first: '2.2.2.2', last: '2.2.2.2' }],
    ['kube-dal10-w1.aefce704-w1.cloud.worker-public-6c83d95d', { type: 'name', name: 'kube-dal10-w1.aefce704-w1.cloud.worker-public-6c83d95d' }],
    ['*.wikipedia.org', { type: 'name', name: '*.wikipedia.org' }],
    ['shop/web-7d4f9c-abcde', { type: 'pod', namespace: 'shop', name: 'web-7d4f9c-abcde' }],
  ])('%s', (text, expected) => {
    expect(parseNcaPeer(text)).toEqual(expected);
  });

  it('splits blocks at Istio\'s section headers, even glued to the end of a line', () => {
    const text = [
      'TCP Connections:',
      'a/x[Deployment] => a/y[Deployment] : All connections',
      'non-TCP Connections:',
      'a/x[Deployment] => a/y[Deployment] : All connectionsTCP Connections:',
      'a/x[Deployment] => a/z[Deployment] : {dst_ports:80}',
      '',
    ].join('\n');
    const { edges, blocks } = parseNcaPairs(text, 2);
    expect(edges.map((edge) => `${edge.line} ${edge.section} ${edge.text}`)).toEqual([
      '2 TCP a/x[Deployment] => a/y[Deployment] : All connections',
      '4 non-TCP a/x[Deployment] => a/y[Deployment] : All connections',
      '5 TCP a/x[Deployment] => a/z[Deployment] : {dst_ports:80}',
    ]);
    expect(blocks?.map((block) => block.length)).toEqual([2, 1]);
    // Several configurations without headers: the blocks' ends are not known.
    expect(parseNcaPairs('a/x[Pod] => a/y[Pod] : All connections\na/x[Pod] => a/y[Pod] : All connections\n', 2).blocks).toBeUndefined();
  });

  it('reads single-policy selections', () => {
    expect(splitConfigName('ports-rectangles/kube-system/testcase15-base', ['ports-rectangles'])).toEqual({
      baseConfig: 'ports-rectangles', singlePolicy: { namespace: 'kube-system', name: 'testcase15-base' },
    });
    expect(splitConfigName('testcase25-config-1/K8sNetworkPolicy/kube-system/np', ['testcase25-config-1'])).toEqual({
      baseConfig: 'testcase25-config-1', singlePolicy: { ncaKind: 'K8sNetworkPolicy', namespace: 'kube-system', name: 'np' },
    });
    expect(splitConfigName('global-not-simple/gnp', ['global-not-simple', 'global-not-simple-with-ingress'])).toEqual({
      baseConfig: 'global-not-simple', singlePolicy: { name: 'gnp' },
    });
    expect(splitConfigName('global-simple', ['global-simple'])).toEqual({ baseConfig: 'global-simple' });
  });
});
