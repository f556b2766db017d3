/**
 * The bound on YAML alias expansion (src/load/alias-budget.ts, used by parse-text.ts): go-yaml's
 * budget per document, a budget per file, aliases inside their own anchor refused, and ordinary
 * anchors loading as before (fixtures/hostile/alias-*.yaml).
 */
import { describe, expect, it } from '@jest/globals';
import { MAX_ALIAS_NODES_PER_FILE, allowedAliasRatio, findAliasBudgetExcess } from '../../src/load/alias-budget.js';
import { constructPlainDocuments } from '../../src/load/construct.js';
import { PackedEvents } from '../../src/load/packed-events.js';
import { loadPaths, loadTexts } from '../../src/load/index.js';
import { jsYaml, manifestYamlSchema } from '../../src/load/yaml.js';

const HOSTILE = 'fixtures/hostile';

function summary(result: ReturnType<typeof loadPaths>): string[] {
  return result.findings.map((finding) => `${finding.location?.line}:${finding.location?.column} ${finding.ruleId} ${finding.message}`);
}

describe('go-yaml\'s budget', () => {
  it('allows 99% of the nodes from aliases up to 400,000 nodes, then less, down to 10% from 4,000,000', () => {
    expect(allowedAliasRatio(1000)).toBe(0.99);
    expect(allowedAliasRatio(400_000)).toBe(0.99);
    expect(allowedAliasRatio(2_200_000)).toBeCloseTo(0.545, 6);
    expect(allowedAliasRatio(4_000_000)).toBe(0.1);
    expect(allowedAliasRatio(1e9)).toBe(0.1);
  });

  it('counts a billion laughs without building it, and stops at the alias that passes the budget', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level < 30; level++) levels.push(`l${level}: &l${level} [${new Array(9).fill(level === 1 ? '*a' : `*l${level - 1}`).join(', ')}]`);
    const text = `${levels.join('\n')}\n`;
    const excess = findAliasBudgetExcess(jsYaml().parseEvents(text, {}), text);
    // a is 10 nodes, l1 1 + 9 x (1 + 10) = 100, l2 1 + 9 x (1 + 100) = 910: with 90 + 900 nodes from
    // the aliases of l1 and l2, the fourth *l2 in l3 (4 x 910 more) tips it.
    expect(excess?.reason).toBe('alias *l2 brings in 910 nodes, and aliases 4,630 of this document\'s 4,670: more than the 99% kubectl accepts ("excessive aliasing")');
    expect(text.slice(excess!.offset, excess!.offset + 3)).toBe('*l2');
  });

  it('lets documents with a few anchors through', () => {
    const text = 'a: &x {b: 1, c: [1, 2, 3]}\nd: *x\ne: *x\n';
    expect(findAliasBudgetExcess(jsYaml().parseEvents(text, {}), text)).toBeUndefined();
  });
});

describe('loading', () => {
  it('refuses the document of a billion laughs in a field k8snet reads, at its alias, and loads the others', () => {
    const result = loadPaths([`${HOSTILE}/alias-bomb.yaml`]);
    expect(result.objects.map((object) => object.name)).toEqual(['before', 'after']);
    expect(summary(result)).toEqual([
      `16:70 input-yaml-aliases Document 2 of ${HOSTILE}/alias-bomb.yaml is not loaded: alias *c brings in 910 nodes, and aliases 8,270 of this document's 8,350: more than the 99% kubectl accepts ("excessive aliasing").`,
    ]);
  });

  it('refuses 300 rules sharing 300 peers and 300 ports by alias (24 KB that expand 100-fold)', () => {
    const result = loadPaths([`${HOSTILE}/alias-rules.yaml`]);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.severity, finding.location?.line])).toEqual([['input-yaml-aliases', 'error', 135]]);
  });

  it('refuses an alias inside the node its anchor names, which js-yaml builds as a circular structure', () => {
    const result = loadPaths([`${HOSTILE}/alias-cycle.yaml`]);
    expect(result.objects).toEqual([]);
    expect(summary(result)).toEqual([
      `9:20 input-yaml-aliases Document 1 of ${HOSTILE}/alias-cycle.yaml is not loaded: alias *spec refers to a node that contains it, an endless structure (kubectl refuses it).`,
    ]);
  });

  it('loads ordinary anchors as before', () => {
    const result = loadPaths([`${HOSTILE}/alias-ok.yaml`]);
    expect(result.findings).toEqual([]);
    const [deployment] = result.objects;
    expect((deployment.value as { spec: { template: { metadata: { labels: unknown } } } }).spec.template.metadata.labels).toEqual({ app: 'web', tier: 'front' });
  });

  it('bounds the aliases of a whole file, not only of each document', () => {
    // Each document brings in 90,000 nodes by alias (under go-yaml's ratio); five pass the file's budget.
    const document = (index: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${index}\n  annotations:\n    x: &x [${new Array(1000).fill('1').join(', ')}]\n    y: [${new Array(90).fill('*x').join(', ')}]\n`;
    const documents = Array.from({ length: 6 }, (_unused, index) => document(index));
    const result = loadTexts([{ path: 'many.yaml', text: documents.join('---\n') }]);
    const refused = result.findings.filter((finding) => finding.ruleId === 'input-yaml-aliases');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0].message).toContain(`more than the ${MAX_ALIAS_NODES_PER_FILE.toLocaleString('en-US')} k8snet reads from aliases in one file`);
    expect(result.objects.length + refused.length).toBe(6);
    expect(result.objects.length).toBeGreaterThanOrEqual(4);
  });

  it('leaves the plain constructor bounded: it gives up at the first anchor or alias', () => {
    const text = 'a: &x [1]\nb: *x\n';
    const events = jsYaml().parseEvents(text, {});
    expect(constructPlainDocuments(PackedEvents.fromEvents(events), text, { schema: manifestYamlSchema(), scalarValue: jsYaml().getScalarValue })).toBeUndefined();
  });
});
