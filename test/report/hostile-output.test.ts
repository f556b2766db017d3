/**
 * Every human-facing format fed names, labels, hosts and file names that hold each hostile
 * sequence (issue 18, injection): nothing but k8snet's own line breaks and colours may reach a
 * terminal, a log, a job summary, a spreadsheet or a graph as it is. JSON, SARIF and JUnit keep
 * the text exact (their own escaping), which their own tests check.
 */
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/finding.js';
import type { Workload } from '../../src/model/types.js';
import { analyzeTexts } from '../../src/pipeline.js';
import { ConnectionSet } from '../../src/reach/connection-set.js';
import type { ConnectivityDiff } from '../../src/reach/diff.js';
import { matrixEdges, matrixRows, type MatrixEdge, type MatrixPeer, type MatrixRows } from '../../src/reach/matrix.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';
import { requestPaths, type PathHop, type PathNode } from '../../src/reach/request-paths.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { formatDiffCsv, formatDiffDot, formatDiffMarkdown, formatDiffMermaid, formatDiffText } from '../../src/report/diff-formats.js';
import { formatMatrixCsv } from '../../src/report/matrix-csv.js';
import { formatMatrixDot, formatMatrixMermaid } from '../../src/report/matrix-graph.js';
import { formatMatrixMarkdown } from '../../src/report/matrix-md.js';
import { formatMatrixTxt, formatMatrixTxtBytes } from '../../src/report/matrix-txt.js';
import { PLAIN } from '../../src/report/paint.js';
import { formatPathsDot, formatPathsMermaid } from '../../src/report/path-graph.js';
import { formatReachText } from '../../src/report/reach-text.js';
import { formatStylish } from '../../src/report/stylish.js';
import { summarize } from '../../src/report/summary.js';
import { formatIpamText } from '../../src/report/ipam-text.js';
import { analyzeAddressPlan } from '../../src/ipam/capacity.js';
import { DEFAULT_CLUSTER_FACTS } from '../../src/model/cluster-facts.js';
import { formatFindingLine } from '../../src/cli/commands/shared.js';

/** Each hostile sequence, by what it attacks. */
const HOSTILE: Record<string, string> = {
  'newline + GitHub workflow command': 'a\n::error file=x::pwned',
  'carriage return': 'a\rb',
  'CSI colour': '\u001b[31mred\u001b[0m',
  'OSC 8 hyperlink': '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  'OSC window title': '\u001b]0;title\u0007',
  'C1 CSI and NEL': '\u009b2J\u0085',
  'NUL, BEL and DEL': '\u0000\u0007\u007f',
  'line and paragraph separators': 'a\u2028b\u2029c',
  'Trojan Source bidi overrides': 'ok\u202e\u2066gnp.yaml\u2069\u202c',
  'Markdown and HTML': '<img src=x onerror=alert(1)> [click](https://evil.example) ![p](https://evil.example/p.png) **b** `c` | d www.evil.example $x$',
  'CSV formula': '=HYPERLINK("https://evil.example")',
  'DOT quoting': '"];evil [label="\\N',
  'Mermaid quoting': '"]; click n0 "https://evil.example" #quot; &lt;',
};

/** A control, line-separator or bidi character other than the newline between lines. */
const RAW = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;

function expectInert(text: string): void {
  for (const line of text.split('\n')) {
    expect(line).not.toMatch(RAW);
    expect(line.startsWith('::')).toBe(false);
  }
}

const TEXT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: main, image: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: main, image: client}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 8080}]
`;

describe.each(Object.entries(HOSTILE))('%s', (_attack, hostile) => {
  // The hostile text as a file name (no loader check can refuse one) and as names, which the
  // formatters are fed directly (the loader may refuse such names; the formatters must not rely on it).
  const file = `manifests/${hostile}.yaml`;
  const { graph } = analyzeTexts([{ path: file, text: TEXT }]);
  const solver = new ReachabilitySolver(graph);
  const renamed = (peer: MatrixPeer): MatrixPeer => peer.type !== 'workload' ? peer : {
    ...peer,
    id: `${hostile}/${peer.workload.name}${hostile}[Deployment]`,
    workload: { ...peer.workload, namespace: hostile, name: `${peer.workload.name}${hostile}` } as Workload,
  };
  const edges: MatrixEdge[] = [...matrixEdges(solver)].map((edge) => ({ ...edge, source: renamed(edge.source), destination: renamed(edge.destination) }));
  const rows = matrixRows(solver);
  const hostileRows: MatrixRows = { destinations: rows.destinations.map(renamed), rows: (function* () {
    for (const row of rows.rows) yield { ...row, source: renamed(row.source) };
  })() };
  const join = (chunks: Iterable<string>) => [...chunks].join('');

  it('matrix txt (strings and bytes) escapes it', () => {
    const text = join(formatMatrixTxt(edges));
    expectInert(text);
    expect(text.split('\n').filter(Boolean)).toHaveLength(edges.length);
    const bytes = Buffer.concat([...formatMatrixTxtBytes(hostileRows)]).toString('utf8');
    expect(bytes).toBe(text);
  });

  it('matrix md keeps it in code spans', () => {
    const text = join(formatMatrixMarkdown(edges));
    expectInert(text);
    for (const line of text.split('\n').slice(2).filter(Boolean)) {
      expect(outsideCodeSpans(line)).toMatch(/^\| {2}\| {2}\| [A-Za-z0-9 ,-]+ \|$/);
    }
  });

  it('matrix csv: three fields a row, none starting a formula', () => {
    const text = join(formatMatrixCsv(edges));
    expectInert(text);
    for (const row of parseCsv(text).slice(1)) {
      expect(row).toHaveLength(3);
      for (const field of row) expect(field).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('matrix dot and mermaid: every label one quoted string', () => {
    expectDot(join(formatMatrixDot(edges)));
    expectMermaid(join(formatMatrixMermaid(edges)));
  });

  const change = (kind: 'added' | 'removed' | 'changed', edge: MatrixEdge) => ({
    change: kind, source: edge.source, destination: edge.destination,
    before: kind === 'added' ? ConnectionSet.EMPTY : edge.connections, after: kind === 'removed' ? ConnectionSet.EMPTY : ConnectionSet.ALL,
    allowedBy: [`${hostile}/web ingress[0] (${file}:9)`], deniedBy: kind === 'removed' ? [`ingress isolated by ${hostile}/web (${file}:1)`] : [],
    workloadsOnOneSide: kind === 'added' ? [edges[0].destination.id] : [],
  });
  const diff: ConnectivityDiff = {
    addedWorkloads: [{ id: `${hostile}/new[Deployment]` } as Workload],
    removedWorkloads: [{ id: `${hostile}/old[Deployment]` } as Workload],
    changes: [change('added', edges[0]), change('removed', edges[1]), change('changed', edges[2])],
  };

  it('diff txt, md, csv, dot and mermaid escape it', () => {
    const text = formatDiffText(diff);
    expectInert(text);
    const markdown = formatDiffMarkdown(diff);
    expectInert(markdown);
    for (const line of markdown.split('\n')) {
      if (line.startsWith('- ')) expect(outsideCodeSpans(line)).toMatch(/^- (added|removed) workload $/);
      if (/^\| [+~-] /.test(line)) expect(outsideCodeSpans(line)).toMatch(/^\| [+~-] \| {2}\| {2}\| [A-Za-z0-9 ,>-]* \| [A-Za-z0-9 ,>-]* \| [ ;]* \|$/);
    }
    const csv = formatDiffCsv(diff);
    expectInert(csv);
    for (const row of parseCsv(csv).slice(1)) {
      expect(row).toHaveLength(6);
      for (const field of row) expect(field).not.toMatch(/^[=+\-@\t\r]/);
    }
    expectDot(formatDiffDot(diff));
    expectMermaid(formatDiffMermaid(diff));
  });

  it('graph (request paths) in dot and mermaid escapes hosts, names and policies', () => {
    const node = (entry: PathNode): PathNode => {
      switch (entry.type) {
        case 'clients': return entry;
        case 'ingress': return { ...entry, ingress: { ...entry.ingress, name: hostile, namespace: hostile } };
        case 'service': return { ...entry, service: { ...entry.service, name: hostile, namespace: hostile } };
        case 'workload': return { ...entry, workload: { ...entry.workload, name: hostile, namespace: hostile } };
        // Gateway API, Istio and external-entry nodes: TEXT holds no object that makes one.
        default: return entry;
      }
    };
    const hops: PathHop[] = requestPaths(solver).map((hop) => ({
      ...hop, from: node(hop.from), to: node(hop.to), label: `${hostile}/path`,
      ...(hop.verdict ? { verdict: { ...hop.verdict, by: [`${hostile}/web (${file}:1)`] } } : {}),
    }));
    expect(hops.length).toBeGreaterThan(0);
    expectDot(formatPathsDot(hops));
    expectMermaid(formatPathsMermaid(hops));
  });

  it('can-reach text escapes the file names of the policies that decide', () => {
    const answer = answerReach(solver, resolveEndpoint(graph, 'shop/client'), resolveEndpoint(graph, 'shop/web'));
    const text = formatReachText(answer, PLAIN);
    expect(text).toContain('(manifests/');
    expectInert(text);
  });

  const finding: Finding = {
    ruleId: 'input-unknown-kind', severity: 'warning', message: `Unknown kind '${hostile}' for ${hostile}/x.`,
    location: { file, line: 1, column: 1, endLine: 1, endColumn: 2 }, hint: `did you mean ${hostile}?`,
    related: [{ file, line: 2, column: 1, endLine: 2, endColumn: 2, message: hostile }], why: 'w', fix: 'f',
  };

  it('stylish, the one-line findings of standard error and inspect, and ipam text escape it', () => {
    expectInert(formatStylish({ findings: [finding], summary: summarize([finding], 1) }, { paint: PLAIN, verbose: true }));
    expectInert(formatFindingLine(finding));
    expectInert(formatIpamText(analyzeAddressPlan(graph, DEFAULT_CLUSTER_FACTS), [finding], { paint: PLAIN }));
  });
});

/** A line of Markdown with its code spans (CommonMark backtick fences) removed. */
function outsideCodeSpans(line: string): string {
  return line.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const fields: string[] = [];
    let index = 0;
    while (index <= line.length) {
      if (line[index] === '"') {
        let field = '';
        index++;
        while (index < line.length) {
          if (line[index] === '"' && line[index + 1] === '"') { field += '"'; index += 2; } else if (line[index] === '"') { index++; break; } else field += line[index++];
        }
        fields.push(field);
        index++;
      } else {
        const end = line.indexOf(',', index);
        fields.push(line.slice(index, end === -1 ? line.length : end));
        index = end === -1 ? line.length + 1 : end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

const DOT_STRING = '"(?:[^"\\\\]|\\\\.)*"';

/** Every statement of k8snet's DOT output is one line whose quoted strings are well formed. */
function expectDot(text: string): void {
  expectInert(text);
  const statement = new RegExp(`^\\s*(?:digraph \\w+ \\{|rankdir=LR;|node \\[[^\\]"]*\\];|edge \\[[^\\]"]*\\];|subgraph cluster_\\d+ \\{|label=${DOT_STRING};|n\\d+(?: -> n\\d+)? \\[label=${DOT_STRING}(?:, [a-z]+=[a-z0-9]+)*\\];|\\})$`);
  for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(statement);
}

/** Every Mermaid label is one quoted string holding no quote, markup (but k8snet's own line breaks) or backtick. */
function expectMermaid(text: string): void {
  expectInert(text);
  const label = '"(?:[^"<>`]|<br/>)*"';
  const statement = new RegExp(`^\\s*(?:flowchart LR|end|subgraph ns\\d+\\[${label}\\]|n\\d+(?:\\[${label}\\]|\\(\\[${label}\\]\\))|n\\d+ -\\.?->\\|${label}\\| n\\d+|linkStyle \\d+ [a-z0-9:,]+)$`);
  for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(statement);
  // `#` only starts an entity code k8snet wrote.
  for (const match of text.matchAll(/#/g)) expect(text.slice(match.index)).toMatch(/^#(?:quot|35|lt|gt|amp|96);/);
}
