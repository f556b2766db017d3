/**
 * Every kind of bad input in fixtures/bad-input/, loaded in one run as a user would lint the
 * folder: each problem is a finding with its rule, words, file and line, nothing throws, and
 * the valid objects around the problems are still loaded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadPaths, loadTexts, locateField } from '../../src/load/index.js';
import { MAX_FILE_BYTES } from '../../src/load/parse-text.js';
import { analyzePaths, analyzeTexts } from '../../src/pipeline.js';
import type { Finding } from '../../src/finding.js';

const FOLDER = 'fixtures/bad-input';
const file = (name: string) => path.join(FOLDER, name);

// One run over the whole folder: loader and graph findings together, as `k8snet lint` sees them.
const analysis = analyzePaths([FOLDER]);
const loaded = loadPaths([FOLDER]);
const findings = analysis.inputFindings;

function findingsIn(name: string): Finding[] {
  return findings.filter((finding) => finding.location?.file === file(name));
}

function only(name: string): Finding {
  const inFile = findingsIn(name);
  expect(inFile).toHaveLength(1);
  return inFile[0];
}

function objectsFrom(name: string): string[] {
  return loaded.objects.filter((object) => object.origin.file === file(name)).map((object) => `${object.kind}/${object.namespace}/${object.name}`);
}

describe('fixtures/bad-input loaded as one folder', () => {
  it('reads every file of the folder and never throws', () => {
    expect(analysis.files).toEqual([
      'binary.yaml', 'broken-syntax.yaml', 'duplicate-a.yaml', 'duplicate-b.yaml', 'empty.yaml', 'helm-template.yaml',
      'invalid-selector.yaml', 'json-array.json', 'no-apiversion.yaml', 'no-kind.yaml', 'only-comments.yaml',
      'unknown-kind.yaml', 'valid.yaml', 'wrong-types.yaml',
    ].map(file));
  });

  it('reports exactly the expected input problems: rule, severity and line for each file', () => {
    // duplicate-object is a lint rule over graph.duplicates, not an input finding (checked below).
    const table = findings
      .filter((finding) => finding.ruleId !== 'duplicate-object')
      .map((finding) => `${path.basename(finding.location!.file)}:${finding.location!.line}:${finding.location!.column} ${finding.severity} ${finding.ruleId}`)
      .sort();
    expect(table).toEqual([
      'binary.yaml:1:1 error input-binary',
      'broken-syntax.yaml:9:4 error input-yaml-syntax',
      'empty.yaml:1:1 warning input-empty',
      'helm-template.yaml:2:1 error input-helm-template',
      'invalid-selector.yaml:12:9 error selector-invalid',
      'invalid-selector.yaml:33:17 error selector-invalid',
      'invalid-selector.yaml:51:17 error selector-invalid',
      'json-array.json:1:1 error input-not-object',
      'no-apiversion.yaml:2:1 error input-missing-kind',
      'no-kind.yaml:2:1 error input-missing-kind',
      'only-comments.yaml:1:1 warning input-empty',
      'unknown-kind.yaml:17:1 warning input-unknown-kind',
      'unknown-kind.yaml:4:1 info input-unknown-kind',
      'wrong-types.yaml:12:7 error input-schema',
      'wrong-types.yaml:21:3 error input-schema',
      'wrong-types.yaml:31:3 error input-schema',
    ]);
  });

  it('gives every finding a location, a why and a fix', () => {
    expect(findings.length).toBeGreaterThanOrEqual(16);
    for (const finding of findings) {
      expect(finding.location).toBeDefined();
      expect(finding.location!.file.startsWith(FOLDER)).toBe(true);
      expect(finding.location!.line).toBeGreaterThanOrEqual(1);
      expect(finding.location!.column).toBeGreaterThanOrEqual(1);
      expect(finding.location!.endLine).toBeGreaterThanOrEqual(finding.location!.line);
      expect(finding.why).toBeTruthy();
      expect(finding.fix).toBeTruthy();
      expect(finding.message).not.toMatch(/\bat .*\.[jt]s:\d+/);
    }
  });

  it('binary.yaml: input-binary, refused before parsing', () => {
    const finding = only('binary.yaml');
    expect(finding).toMatchObject({ ruleId: 'input-binary', severity: 'error', location: { line: 1, column: 1 } });
    expect(finding.message).toMatch(/binary file/);
    expect(finding.message).toMatch(/NUL byte at offset 2\b/);
    expect(objectsFrom('binary.yaml')).toEqual([]);
  });

  it('broken-syntax.yaml: input-yaml-syntax at the badly indented line 9', () => {
    const finding = only('broken-syntax.yaml');
    expect(finding).toMatchObject({ ruleId: 'input-yaml-syntax', severity: 'error', location: { line: 9, column: 4 } });
    expect(finding.message).toMatch(/^YAML syntax error: /);
    expect(finding.message).toMatch(/bad indentation of a mapping entry/);
    expect(finding.message).not.toMatch(/double-quoted/);
    expect(objectsFrom('broken-syntax.yaml')).toEqual([]);
  });

  it('says when the error follows a double-quoted value that holds a double quote', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata:\n  flags.json: "{ "beta": true }"\n';
    const [finding] = loadTexts([{ path: 'flags.yaml', text }]).findings;
    expect(finding).toMatchObject({ ruleId: 'input-yaml-syntax', location: { line: 5, column: 19 } });
    expect(finding.message).toContain('A double-quoted value ends at its second unescaped " - to keep quotes inside it, escape them (\\") or quote the whole value with single quotes.');
  });

  it('helm-template.yaml: input-helm-template at the first `{{` (line 2), advising to render', () => {
    const finding = only('helm-template.yaml');
    expect(finding).toMatchObject({ ruleId: 'input-helm-template', severity: 'error', location: { line: 2, column: 1 } });
    expect(finding.message).toMatch(/unrendered Helm template/);
    expect(finding.message).toMatch(/line 2/);
    expect(finding.fix).toMatch(/helm template/);
    expect(objectsFrom('helm-template.yaml')).toEqual([]);
  });

  it('json-array.json: input-not-object for the top-level array, no crash', () => {
    const finding = only('json-array.json');
    expect(finding).toMatchObject({ ruleId: 'input-not-object', severity: 'error', location: { line: 1, column: 1 } });
    expect(finding.message).toMatch(/is a list, not a Kubernetes object/);
    expect(finding.message).toMatch(/kind: List/);
    expect(objectsFrom('json-array.json')).toEqual([]);
  });

  it('no-kind.yaml and no-apiversion.yaml: input-missing-kind at the object start, naming the object and the field', () => {
    const noKind = only('no-kind.yaml');
    expect(noKind).toMatchObject({ ruleId: 'input-missing-kind', severity: 'error', location: { line: 2, column: 1 } });
    expect(noKind.message).toBe("Object 'no-kind' has no kind; it was not loaded.");
    const noApiVersion = only('no-apiversion.yaml');
    expect(noApiVersion).toMatchObject({ ruleId: 'input-missing-kind', severity: 'error', location: { line: 2, column: 1 } });
    expect(noApiVersion.message).toBe("Object 'no-apiversion' has no apiVersion; it was not loaded.");
    expect(objectsFrom('no-kind.yaml')).toEqual([]);
    expect(objectsFrom('no-apiversion.yaml')).toEqual([]);
  });

  it('wrong-types.yaml: input-schema on each wrong field, with the object named; each object is left out, as the API server refuses it', () => {
    const [port, podSelector, replicas] = findingsIn('wrong-types.yaml').sort((a, b) => a.location!.line - b.location!.line);
    expect(port).toMatchObject({ ruleId: 'input-schema', severity: 'error', path: 'spec.ports[0].port', location: { line: 12, column: 7 } });
    expect(port.message).toMatch(/Service default\/wrong-port-type/);
    expect(port.message).toMatch(/integer/);
    expect(port.message).toMatch(/"eighty"/);
    expect(podSelector).toMatchObject({ ruleId: 'input-schema', path: 'spec.podSelector', location: { line: 21, column: 3 } });
    expect(podSelector.message).toMatch(/NetworkPolicy default\/wrong-podselector-type/);
    expect(podSelector.message).toMatch(/must be a mapping/);
    expect(podSelector.message).toMatch(/not a list/);
    expect(podSelector.message).toMatch(/leaves it out/);
    expect(replicas).toMatchObject({ ruleId: 'input-schema', path: 'spec.replicas', location: { line: 31, column: 3 } });
    expect(replicas.message).toMatch(/Deployment default\/wrong-replicas-type/);
    expect(replicas.message).toMatch(/"three"/);
    expect([port, podSelector, replicas].map((finding) => finding.object)).toEqual([
      { kind: 'Service', namespace: 'default', name: 'wrong-port-type' },
      { kind: 'NetworkPolicy', namespace: 'default', name: 'wrong-podselector-type' },
      { kind: 'Deployment', namespace: 'default', name: 'wrong-replicas-type' },
    ]);
    expect(objectsFrom('wrong-types.yaml')).toEqual([]);
    expect(analysis.graph.workload('default/wrong-replicas-type[Deployment]')).toBeUndefined();
  });

  it('unknown-kind.yaml: an info summary for the CRD kind, a warning with a suggestion for the typo; both kept', () => {
    const [certificate, typo] = findingsIn('unknown-kind.yaml').sort((a, b) => a.location!.line - b.location!.line);
    expect(certificate).toMatchObject({ ruleId: 'input-unknown-kind', severity: 'info', path: 'kind', location: { line: 4, column: 1 } });
    expect(certificate.message).toMatch(/^Kind Certificate of cert-manager\.io \(v1\) is not a kind k8snet models/);
    expect(typo).toMatchObject({ ruleId: 'input-unknown-kind', severity: 'warning', path: 'kind', location: { line: 17, column: 1 } });
    expect(typo.message).toMatch(/Unknown kind 'Deploymnet'/);
    expect(typo.message).toMatch(/did you mean Deployment\?/);
    expect(objectsFrom('unknown-kind.yaml')).toEqual(['Certificate/default/shop-example-com', 'Deploymnet/default/typo-kind']);
    expect(analysis.graph.otherObjects.map((object) => object.name).sort()).toEqual(['shop-example-com', 'typo-kind']);
    expect(analysis.graph.workloads.some((workload) => workload.name === 'typo-kind')).toBe(false);
  });

  it('empty.yaml and only-comments.yaml: an input-empty warning each, no object', () => {
    for (const name of ['empty.yaml', 'only-comments.yaml']) {
      const finding = only(name);
      expect(finding).toMatchObject({ ruleId: 'input-empty', severity: 'warning', location: { line: 1, column: 1 } });
      expect(finding.message).toBe(`${file(name)} holds no Kubernetes object (it is empty or only comments).`);
      expect(objectsFrom(name)).toEqual([]);
    }
  });

  it('invalid-selector.yaml: selector-invalid from buildGraph at the offending field; the policies are dropped', () => {
    const [operator, exists, inEmpty] = findingsIn('invalid-selector.yaml').sort((a, b) => a.location!.line - b.location!.line);
    expect(operator).toMatchObject({
      ruleId: 'selector-invalid', severity: 'error', path: 'spec.podSelector.matchExpressions[0].operator',
      location: { line: 12, column: 9 }, object: { kind: 'NetworkPolicy', namespace: 'default', name: 'bad-operator' },
    });
    expect(operator.message).toMatch(/operator 'Contains' is not one of In, NotIn, Exists, DoesNotExist/);
    expect(exists).toMatchObject({
      ruleId: 'selector-invalid', path: 'spec.ingress[0].from[0].podSelector.matchExpressions[0].values', location: { line: 33 },
      object: { name: 'exists-with-values' },
    });
    expect(exists.message).toMatch(/operator Exists on 'app' must not have values/);
    expect(inEmpty).toMatchObject({
      ruleId: 'selector-invalid', path: 'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values', location: { line: 51 },
      object: { name: 'in-empty-values' },
    });
    expect(inEmpty.message).toMatch(/operator In on 'kubernetes.io\/metadata.name' needs at least one value/);
    for (const finding of [operator, exists, inEmpty]) expect(finding.message).toMatch(/leaves it out/);
    // The loader accepts the three (they are well-typed); the graph leaves them out.
    expect(objectsFrom('invalid-selector.yaml')).toHaveLength(3);
    expect(analysis.graph.policies).toEqual([]);
  });

  it('duplicate-a/b.yaml: buildGraph records the second definition as a duplicate of the first and keeps the last one', () => {
    // No input error: each file is valid alone. The duplicate-object rule reports graph.duplicates
    // (see test/cli/cli.test.ts for the finding users see).
    expect(findingsIn('duplicate-a.yaml').filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(findingsIn('duplicate-b.yaml').filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(objectsFrom('duplicate-a.yaml')).toEqual(['Service/default/duplicate-svc']);
    expect(objectsFrom('duplicate-b.yaml')).toEqual(['Service/default/duplicate-svc']);
    expect(analysis.graph.duplicates).toHaveLength(1);
    const [{ object, earlier }] = analysis.graph.duplicates;
    expect([object.kind, object.namespace, object.name]).toEqual(['Service', 'default', 'duplicate-svc']);
    expect(locateField(object.origin)).toMatchObject({ file: file('duplicate-b.yaml'), line: 2, column: 1 });
    expect(locateField(earlier.origin)).toMatchObject({ file: file('duplicate-a.yaml'), line: 2, column: 1 });
    expect(locateField(earlier.origin, ['metadata', 'name'])).toMatchObject({ line: 5, column: 3 });
    expect(analysis.graph.services.filter((service) => service.name === 'duplicate-svc')).toHaveLength(1);
    expect(analysis.graph.service('default', 'duplicate-svc')?.ports[0].port).toBe(8080);
  });

  it('valid.yaml: no finding, exactly its two objects, both in the graph', () => {
    expect(findingsIn('valid.yaml')).toEqual([]);
    const objects = loaded.objects.filter((object) => object.origin.file === file('valid.yaml'));
    expect(objects.map((object) => `${object.kind}/${object.namespace}/${object.name}@${object.origin.documentIndex}`))
      .toEqual(['Deployment/default/web@0', 'Service/default/web@1']);
    const web = analysis.graph.workload('default/web[Deployment]');
    expect(web?.replicas).toBe(2);
    expect(web?.pods[0].ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(analysis.graph.service('default', 'web')?.ports[0].targetPort).toBe('http');
  });

  it('loads the valid documents of multi-document files next to the broken ones', () => {
    expect(loaded.objects.map((object) => `${path.basename(object.origin.file)}#${object.origin.documentIndex} ${object.kind}/${object.name}`).sort()).toEqual([
      'duplicate-a.yaml#0 Service/duplicate-svc',
      'duplicate-b.yaml#0 Service/duplicate-svc',
      'invalid-selector.yaml#0 NetworkPolicy/bad-operator',
      'invalid-selector.yaml#1 NetworkPolicy/exists-with-values',
      'invalid-selector.yaml#2 NetworkPolicy/in-empty-values',
      'unknown-kind.yaml#0 Certificate/shop-example-com',
      'unknown-kind.yaml#1 Deploymnet/typo-kind',
      'valid.yaml#0 Deployment/web',
      'valid.yaml#1 Service/web',
    ]);
  });

  it('loads each file the same way alone as in the folder run', () => {
    for (const name of ['broken-syntax.yaml', 'unknown-kind.yaml', 'wrong-types.yaml', 'valid.yaml']) {
      const alone = analyzePaths([file(name)]);
      expect(alone.inputFindings.map((finding) => `${finding.location!.line} ${finding.ruleId}`).sort())
        .toEqual(findingsIn(name).map((finding) => `${finding.location!.line} ${finding.ruleId}`).sort());
    }
  });
});

describe('syntax errors inside multi-document files', () => {
  const documents = (second: string) => [
    '# three documents',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: first',
    '---',
    second,
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: third',
    '',
  ].join('\n');

  it('loses only the broken 2nd of 3 documents: documents 1 and 3 are loaded with their indexes', () => {
    const result = loadTexts([{ path: 'three.yaml', text: documents('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n   bad: indentation') }]);
    expect(result.objects.map((object) => [object.name, object.origin.documentIndex])).toEqual([['first', 0], ['third', 2]]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'input-yaml-syntax', severity: 'error', location: { file: 'three.yaml', line: 11 } });
  });

  it('keeps the last value of a key written twice, as kubectl does, and warns at the second one', () => {
    const result = loadTexts([{ path: 'dup.yaml', text: documents('apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: second') }]);
    expect(result.objects.map((object) => `${object.kind}/${object.name}`)).toEqual(['ConfigMap/first', 'Secret/second', 'ConfigMap/third']);
    expect(result.findings.map((finding) => [finding.ruleId, finding.severity, finding.location?.line, finding.related?.[0].line])).toEqual([['input-duplicate-key', 'warning', 9, 8]]);
    expect(result.findings[0].message).toBe("Key 'kind' is written twice in this mapping (first at line 8); kubectl keeps this later value and drops the first, and kustomize refuses the file.");
  });

  it('reports a JSON syntax error as such, with its line', () => {
    const result = loadTexts([{ path: 'bad.json', text: '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap"\n  "metadata": {}\n}\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].ruleId).toBe('input-yaml-syntax');
    expect(result.findings[0].message).toMatch(/^JSON syntax error: /);
    expect(result.findings[0].location?.line).toBeGreaterThanOrEqual(3);
    expect(result.findings[0].location?.line).toBeLessThanOrEqual(4);
  });
});

describe('encodings and binary files', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });
  const write = (name: string, bytes: Buffer): string => {
    if (folders.length === 0) folders.push(fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-encoding-')));
    const target = path.join(folders[0], name);
    fs.writeFileSync(target, bytes);
    return target;
  };
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: encoded\n  namespace: caf\u00e9-ns\n';

  it('decodes UTF-16 LE with a byte order mark, positions included', () => {
    const target = write('utf16le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const result = loadPaths([target]);
    expect(result.findings).toEqual([]);
    expect(result.objects.map((object) => [object.name, object.namespace])).toEqual([['encoded', 'caf\u00e9-ns']]);
    const location = result.objects[0].origin.positions.locate(0, ['metadata', 'namespace']).location;
    expect([location.line, location.column]).toEqual([5, 3]);
  });

  it('decodes UTF-16 BE with a byte order mark and UTF-8 with a byte order mark', () => {
    const bigEndian = Buffer.from(text, 'utf16le');
    bigEndian.swap16();
    const be = write('utf16be.yaml', Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian]));
    const utf8 = write('utf8bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const result = loadPaths([be, utf8]);
    expect(result.findings).toEqual([]);
    expect(result.objects.map((object) => object.namespace)).toEqual(['caf\u00e9-ns', 'caf\u00e9-ns']);
    const location = result.objects[1].origin.positions.locate(0, []).location;
    expect([location.line, location.column]).toEqual([1, 1]);
  });

  it('refuses a file with a NUL byte as input-binary, giving the offset', () => {
    const target = write('nul.yaml', Buffer.from('apiVersion: v1\nkind: ConfigMap\u0000\n', 'utf8'));
    const result = loadPaths([target]);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.severity, finding.location?.line])).toEqual([['input-binary', 'error', 1]]);
    expect(result.findings[0].message).toMatch(/NUL byte at offset 30/);
  });

  it('reads files of every size whole, each on its own, and refuses one over the limit with its size', () => {
    // Larger than the loader's first read buffer, then smaller ones read into the same buffer.
    const padding = `# ${'x'.repeat(78)}\n`.repeat(40000);
    const large = write('large.yaml', Buffer.from(`${padding}${text}`, 'utf8'));
    const small = write('small.yaml', Buffer.from(text.replace('encoded', 'small'), 'utf8'));
    const tiny = write('tiny.yaml', Buffer.from('kind: Namespace\napiVersion: v1\nmetadata: {name: tiny}\n', 'utf8'));
    const tooLarge = write('too-large.yaml', Buffer.alloc(MAX_FILE_BYTES + 1, 0x20));
    const last = write('last.yaml', Buffer.from(text.replace('encoded', 'last'), 'utf8'));
    const result = loadPaths([small, large, tiny, tooLarge, last]);
    expect(result.objects.map((object) => [path.basename(object.origin.file), object.kind, object.name])).toEqual([
      ['small.yaml', 'ConfigMap', 'small'], ['large.yaml', 'ConfigMap', 'encoded'], ['tiny.yaml', 'Namespace', 'tiny'], ['last.yaml', 'ConfigMap', 'last'],
    ]);
    const location = result.objects[1].origin.positions.locate(0, ['metadata', 'name']).location;
    expect([location.line, location.column]).toEqual([40004, 3]);
    expect(result.findings.map((finding) => [path.basename(finding.location!.file), finding.ruleId])).toEqual([['too-large.yaml', 'input-too-large']]);
    expect(result.findings[0].message).toBe(`${tooLarge} is 64.1 MiB, larger than the 64 MiB limit; it was not read.`);
  });

  // The loader reuses its buffers and its event stream from file to file: what it makes of files
  // read in one run must be what it makes of each read alone, in input order.
  it('reads many files together as it reads each alone, in the order given', () => {
    const configMap = (index: number, note = 'plain') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: map-${index}\n  namespace: team-${index % 3}\n`
      + `  annotations:\n    long-value: "${'v'.repeat(40)}-${index}"\n    note: ${note}\n`
      + `data:\n  padding: |\n${`    ${'p'.repeat(76)}\n`.repeat(1300)}`;
    const given: string[] = [];
    for (let index = 0; index < 60; index++) {
      // Past the reader's first buffer; among them a file that is not ASCII, one that is not a
      // manifest, a binary one, and one larger than the rest.
      if (index === 7) given.push(write('not-ascii.yaml', Buffer.from(configMap(index, 'caf\u00e9 \u2014 ok'), 'utf8')));
      else if (index === 20) given.push(write('.pre-commit-config.yaml', Buffer.from('repos: []\n', 'utf8')));
      else if (index === 33) given.push(write('binary.yaml', Buffer.from([0x61, 0x3a, 0x00, 0x62])));
      else if (index === 41) given.push(write('alone.yaml', Buffer.from(`${`# ${'x'.repeat(78)}\n`.repeat(20000)}${configMap(index)}`, 'utf8')));
      else given.push(write(`map-${String(index).padStart(2, '0')}.yaml`, Buffer.from(configMap(index), 'utf8')));
    }
    const together = loadPaths(given);
    const alone = given.map((file) => loadPaths([file]));
    const summary = (result: ReturnType<typeof loadPaths>) => ({
      objects: result.objects.map((object) => [object.origin.file, object.name, object.value,
        object.origin.positions.locate(object.origin.indexInPositions, ['metadata', 'annotations', 'note']).location]),
      findings: result.findings.map((finding) => [finding.ruleId, finding.location?.file, finding.location?.line, finding.message]),
      files: result.files,
      skipped: result.skipped,
    });
    const expected = alone.map(summary).reduce((all, one) => ({
      objects: [...all.objects, ...one.objects], findings: [...all.findings, ...one.findings], files: [...all.files, ...one.files], skipped: [...all.skipped, ...one.skipped],
    }));
    expect(summary(together)).toEqual(expected);
    expect(together.objects).toHaveLength(58);
    const annotations = (object: (typeof together.objects)[number]) => (object.value as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    expect(annotations(together.objects[7]).note).toBe('caf\u00e9 \u2014 ok');
    expect(annotations(together.objects.at(-1)!)['long-value']).toBe(`${'v'.repeat(40)}-59`);
    expect(together.skipped.map((entry) => path.basename(entry.path))).toEqual(['.pre-commit-config.yaml']);
    expect(together.findings.map((finding) => [path.basename(finding.location!.file), finding.ruleId])).toEqual([['binary.yaml', 'input-binary']]);
  });

  // Issue 18: only regular files (and standard input) are opened. A device given as a path is
  // refused before it is opened: reading /dev/zero never ends, a FIFO blocks on open.
  it('refuses a device given as a path without opening it', () => {
    if (!fs.existsSync('/dev/zero')) return;
    const result = loadPaths(['/dev/zero']);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.message])).toEqual([
      ['input-unreadable', '/dev/zero: a character device, not a regular file; k8snet reads files and folders (and - for standard input)'],
    ]);
  });

  it('stops reading endless standard input at the size limit', () => {
    if (!fs.existsSync('/dev/zero')) return;
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      let total = 0;
      const result = loadPaths(['-'], {
        readStdin: () => {
          // What the CLI's reader does, on an endless stream.
          const chunk = Buffer.alloc(1 << 20);
          for (;;) {
            total += fs.readSync(zero, chunk, 0, chunk.length, null);
            if (total > 64 * 1024 * 1024) return { tooLarge: undefined };
          }
        },
      });
      expect(result.findings.map((finding) => [finding.ruleId, finding.message])).toEqual([
        ['input-too-large', '<stdin> is larger than the 64 MiB limit; it was not read.'],
      ]);
    } finally {
      fs.closeSync(zero);
    }
  });

  it('refuses text that is not valid UTF-8 as input-binary', () => {
    const target = write('latin1.yaml', Buffer.from('metadata:\n  name: caf\xe9\n', 'latin1'));
    const result = loadPaths([target]);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['input-binary']);
    expect(result.findings[0].message).toMatch(/not valid UTF-8/);
  });
});

describe('other malformed objects', () => {
  it('reports a missing metadata.name (with generateName) as input-missing-name at metadata', () => {
    const result = loadTexts([{ path: 'gen.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\nspec: {}\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'input-missing-name', severity: 'error', location: { line: 3, column: 1 } });
    expect(result.findings[0].message).toMatch(/generateName 'web-' is resolved only by the API server/);
  });

  it('reports scalar documents and non-object List items as input-not-object, loading the other items', () => {
    const result = loadTexts([{ path: 'mixed.yaml', text: 'just text\n---\napiVersion: v1\nkind: List\nitems:\n  - 42\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: kept}\n' }]);
    expect(result.objects.map((object) => [object.name, object.origin.basePath])).toEqual([['kept', ['items', 1]]]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.location?.line, finding.message])).toEqual([
      ['input-not-object', 1, 'Document 1 of mixed.yaml is a string value, not a Kubernetes object; wrap several objects in \'kind: List\' with \'items\'.'],
      ['input-not-object', 6, 'items[0] of this List is not a Kubernetes object.'],
    ]);
  });

  it('reports a template action left in rendered YAML metadata as input-helm-template at that field', () => {
    const result = loadTexts([{ path: 'half.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    release: "{{ .Release.Name }}"\nspec:\n  ports: [{port: 80}]\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.path, finding.location?.line])).toEqual([['input-helm-template', 'metadata.labels.release', 6]]);
  });

  it('refuses an admin policy peer written `pods: null` (an empty peer), never reading it as every pod', () => {
    const policy = [
      'apiVersion: policy.networking.k8s.io/v1alpha1', 'kind: AdminNetworkPolicy', 'metadata: {name: deny-from}',
      'spec:', '  priority: 10', '  subject: {namespaces: {}}', '  ingress:', '  - action: Deny', '    from:', '    - pods: null', '',
    ].join('\n');
    const result = analyzeTexts([{ path: 'anp.yaml', text: policy }]);
    expect(result.graph.adminPolicies).toEqual([]);
    expect(result.inputFindings.map((finding) => [finding.ruleId, finding.severity, finding.location?.line])).toEqual([['input-invalid-value', 'error', 10]]);
    expect(result.inputFindings[0].message).toContain('spec.ingress[0].from[0] needs namespaces, pods, networks or nodes');
  });

  it('summarises many objects of one custom kind in a single info finding at the first', () => {
    const crd = (name: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\n`;
    const result = analyzeTexts([{ path: 'crds.yaml', text: [crd('a'), crd('b'), crd('c')].join('---\n') }]);
    expect(result.inputFindings).toHaveLength(1);
    expect(result.inputFindings[0]).toMatchObject({ ruleId: 'input-unknown-kind', severity: 'info', location: { line: 2 } });
    expect(result.inputFindings[0].message).toMatch(/\(and 2 more objects of this kind\)/);
    expect(result.graph.otherObjects).toHaveLength(3);
  });

  it('loads an empty List (`items: []`) as no object and no error', () => {
    const result = loadTexts([{ path: 'empty-list.yaml', text: 'apiVersion: v1\nkind: List\nitems: []\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  // BUG (src/load/index.ts, ObjectCollector.addValue): a List whose `items:` is empty (null, as
  // a template whose loop produced nothing renders it) is not recognised as a List, because
  // Array.isArray(null) is false; it falls through to the object checks and is reported as the
  // error "List has no metadata.name; it was not loaded." (input-missing-name, exit 2), although
  // it simply holds no object.
  it('loads a List with `items:` left empty (null) as no object and no error', () => {
    const result = loadTexts([{ path: 'null-list.yaml', text: 'apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  // BUG (src/load/parse-text.ts, parseManifestText): a .json file holding several concatenated
  // JSON objects (a JSON stream, which kubectl apply -f accepts through its YAMLOrJSONDecoder)
  // is reported as "JSON syntax error: end of the stream or a document separator is expected"
  // and none of its objects is loaded.
  it('loads every object of a stream of concatenated JSON objects, as kubectl does', () => {
    const namespace = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const result = loadTexts([{ path: 'stream.json', text: `${namespace('one')}\n${namespace('two')}\n` }]);
    expect(result.findings).toEqual([]);
    expect(result.objects.map((object) => object.name)).toEqual(['one', 'two']);
  });

  it('keeps built-in kinds it does not model without any finding', () => {
    const result = analyzeTexts([{ path: 'cm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: x}\n' }]);
    expect(result.inputFindings).toEqual([]);
    expect(result.graph.otherObjects.map((object) => object.kind)).toEqual(['ConfigMap', 'Secret']);
  });
});

describe('container ports of the wrong shape (a cluster dump with ports: {})', () => {
  it('reports every such field and builds the graph without the pod the API server refuses, without an internal error', () => {
    const result = analyzeTexts([{ path: 'dump.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: web, image: web, ports: {}}]\n  initContainers: {}\n' }]);
    expect(result.inputFindings.map((finding) => `${finding.ruleId} ${finding.path}`)).toEqual(['input-schema spec.containers[0].ports', 'input-schema spec.initContainers']);
    expect(result.graph.pods).toEqual([]);
  });
});
