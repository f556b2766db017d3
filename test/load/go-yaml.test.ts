/**
 * YAML as kubectl reads it. kubectl converts manifests to JSON with sigs.k8s.io/yaml, whose
 * YAMLToJSON decodes with go-yaml v2 (go.yaml.in/yaml/v2): YAML 1.1 values, libyaml's scanner.
 * Each decision below pins the value go-yaml gives (or its refusal), through the loader as users
 * meet it; the comment says what go-yaml does and what js-yaml alone would have done.
 */
import { describe, expect, it } from '@jest/globals';
import { parseManifestText } from '../../src/load/parse-text.js';
import { SourceFile } from '../../src/load/source-file.js';
import fc from 'fast-check';
import { isPlainString, parseGoTimestamp, resolveGoPlainScalar } from '../../src/load/go-yaml.js';
import { configYamlSchema, manifestYamlSchema } from '../../src/load/yaml.js';
import { loadPaths, loadTexts } from '../../src/load/index.js';
import { completeValue } from '../../src/load/manifest-object.js';

/** The documents of a text and its findings as `rule@line:column`. */
function read(text: string, file = 'm.yaml'): { values: unknown[]; findings: string[]; messages: string[] } {
  const parsed = parseManifestText(new SourceFile(file, text), file.endsWith('.json'));
  return {
    values: parsed.documents.map((document) => document.value),
    findings: parsed.findings.map((finding) => `${finding.ruleId}@${finding.location!.line}:${finding.location!.column}`),
    messages: parsed.findings.map((finding) => finding.message),
  };
}

describe('scalars resolve to go-yaml v2 values (YAML 1.1), which kubectl sends as JSON', () => {
  it('reads yes, no, on, off, y and n as booleans (js-yaml: strings), quoted ones as strings', () => {
    expect(read('a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: N\ng: "yes"\nh: true\ni: False\n').values)
      .toEqual([{ a: true, b: false, c: true, d: false, e: true, f: false, g: 'yes', h: true, i: false }]);
  });

  it('so an unquoted yes in a label is refused where a string belongs, saying how kubectl reads it', () => {
    const result = loadTexts([{ path: 'deploy.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    canary: yes\n' }]);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.path, finding.location?.line])).toEqual([['input-schema', 'metadata.labels.canary', 6]]);
    expect(result.findings[0].message).toContain('metadata.labels.canary must be a string (kubectl reads yes as true); quote it: "yes"');
  });

  it('reads integers as Go does: octal with a leading 0 or 0o, hex, binary, underscores, a sign', () => {
    expect(read('a: 0755\nb: 0o17\nc: 0x1F\nd: 0b101\ne: 1_000\nf: +80\ng: -0x10\nh: 080\n').values)
      .toEqual([{ a: 493, b: 15, c: 31, d: 5, e: 1000, f: 80, g: -16, h: 80 }]);
  });

  it('reads floats in go-yaml\'s syntax; one too large for a float stays a string', () => {
    expect(read('a: 1e3\nb: .5\nc: 1.\nd: 1e400\ne: -1.5E2\n').values).toEqual([{ a: 1000, b: 0.5, c: 1, d: '1e400', e: -150 }]);
  });

  it('turns YAML 1.1 timestamps into the RFC 3339 text kubectl sends (js-yaml: the text as written)', () => {
    expect(read('a: 2024-01-02\nb: 2024-1-2T3:4:5.120Z\nc: 2024-01-02 10:00:00\nd: 2024-01-02t10:00:00+02:00\ne: 2024-02-30\nf: "2024-01-02"\n').values).toEqual([{
      a: '2024-01-02T00:00:00Z', b: '2024-01-02T03:04:05.12Z', c: '2024-01-02T10:00:00Z', d: '2024-01-02T10:00:00+02:00',
      // Not a date (February has no 30th) and quoted: the text itself.
      e: '2024-02-30', f: '2024-01-02',
    }]);
    expect(parseGoTimestamp('2024-01-02T10:00:00.000000000Z')).toBe('2024-01-02T10:00:00Z');
    expect(parseGoTimestamp('12024-01-02')).toBeUndefined();
  });

  it('keeps =, ~, null and the empty value as go-yaml does', () => {
    expect(read('a: =\nb: ~\nc: null\nd:\ne: Null\n').values).toEqual([{ a: '=', b: null, c: null, d: null, e: null }]);
    expect(resolveGoPlainScalar('NULL')).toBeNull();
    expect(resolveGoPlainScalar('nULL')).toBe('nULL');
  });

  it('reads keys the same way: on and Y are the key true, 0755 is 493', () => {
    expect(read('on: a\n0755: b\n"on": c\n').values).toEqual([{ true: 'a', 493: 'b', on: 'c' }]);
  });

  it('accepts tags go-yaml does not know (js-yaml: an error), reading the scalar as text; standard tags convert', () => {
    expect(read('a: !foo bar\nb: !!python/str x\nc: !!str 80\nd: !!int "81"\ne: !custom {x: 1}\nf: !!float 2\n').values)
      .toEqual([{ a: 'bar', b: 'x', c: '80', d: 81, e: { x: 1 }, f: 2 }]);
    expect(read('a: !!int abc\n').findings).toEqual(['input-yaml-syntax@1:4']);
  });

  it('refuses .inf and .nan as values, which kubectl cannot convert to JSON, but not as keys', () => {
    const result = read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  ratio: .inf\n');
    expect(result.findings).toEqual(['input-yaml-syntax@5:10']);
    expect(result.messages[0]).toContain('json: unsupported value: +Inf');
    expect(read('.inf: 1\n').values).toEqual([{ '.inf': 1 }]);
    // Signed, in a field the loader does not construct (a Deployment's container env), and in flow style.
    const signed = read('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n'
      + '      - name: c\n        env: [{name: R, value: -.Inf}]\n');
    expect(signed.findings).toEqual(['input-yaml-syntax@9:32']);
    // Only the words themselves: a tag or a name that holds one is a string.
    expect(read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  host: x.inf\n  v: .infinite\n').findings).toEqual([]);
  });
});

describe('the shortcut for plain strings (isPlainString)', () => {
  // The loader skips the schema's resolvers for the texts it says are strings: they must be.
  const schemas = [['manifest', manifestYamlSchema()], ['configuration', configYamlSchema()]] as const;
  it('says string only of texts both schemas resolve to themselves', () => {
    const word = fc.oneof(
      fc.constantFrom('', '<<', '<', '~', 'y', 'Yes', 'on', 'Off', 'null', 'NULL', 'true', '.inf', '.NaN', '0x1f', '0o17', '0b1', '1_000', '2001-12-14', '+1', '-.5', 'é', '\u00e9t\u00e9', 'app', 'a:b'),
      fc.string({ maxLength: 6 }),
      fc.stringMatching(/^[<~.+\-0-9a-zA-Z_]{1,8}$/),
    );
    fc.assert(fc.property(word, (text) => {
      if (!isPlainString(text)) return;
      for (const [, schema] of schemas) expect(schema.resolveImplicitScalarTag(text).value).toBe(text);
    }), { numRuns: 400 });
    expect(['app', 'kind', 'metadata', 'name', 'type', 'offline', 'é', 'Zone'].every(isPlainString)).toBe(true);
    expect(['', '<<', 'yes', 'No', 'y', 'off', 'NULL', 'True', '1', '-x', '.5', '~'].some(isPlainString)).toBe(false);
  });
});

describe('merge keys and keys written twice, as go-yaml v2 decodes them for kubectl', () => {
  it('merges where << stands: over keys written before it, under keys written after; the first merged mapping wins', () => {
    expect(read('b: &x {a: 2, z: 9}\nc:\n  a: 1\n  <<: *x\n  z: 3\nd:\n  <<: [{a: first}, {a: second, q: 1}]\n').values)
      .toEqual([{ b: { a: 2, z: 9 }, c: { a: 2, z: 3 }, d: { a: 'first', q: 1 } }]);
  });

  it('keeps the last value of a key written twice (js-yaml: an error) and warns at the second one', () => {
    const result = read('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n  ports: [{port: 8080}]\n');
    expect(result.values).toEqual([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 8080 }] } }]);
    expect(result.findings).toEqual(['input-duplicate-key@6:3']);
    expect(result.messages[0]).toBe("Key 'ports' is written twice in this mapping (first at line 5); kubectl keeps this later value and drops the first, and kustomize refuses the file.");
  });

  it('also through anchors and aliases', () => {
    const result = read('x: &a 1\na: 1\na: *a\n');
    expect(result.values).toEqual([{ x: 1, a: 1 }]);
    expect(result.findings).toEqual(['input-duplicate-key@3:1']);
  });
});

describe('syntax go-yaml accepts and js-yaml refuses', () => {
  it('reads a tab before an item inside a flow sequence (np-guard acs-security-demos-added-workloads)', () => {
    expect(read('spec:\n  values: [\tweb, checkout]\n  ports: [\n\t80,\n\t81]\n').values).toEqual([{ spec: { values: ['web', 'checkout'], ports: [80, 81] } }]);
  });

  it('reads a flow sequence closed in the column of its key (istio spire-quickstart.yaml)', () => {
    const text = 'spec:\n  containers:\n    - name: agent\n      args: [\n        "-config",\n        "/run/spire/config/agent.conf"\n      ]\n      image: spire\n';
    const result = read(text);
    expect(result.findings).toEqual([]);
    expect(result.values).toEqual([{ spec: { containers: [{ name: 'agent', args: ['-config', '/run/spire/config/agent.conf'], image: 'spire' } ] } }]);
  });

  it('keeps the positions of the file for what follows an adjusted line', () => {
    const result = loadTexts([{ path: 'p.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  containers: [\n{name: c, image: i, ports: [{containerPort: "x"}]}]\n' }]);
    expect(result.findings.map((finding) => `${finding.path}@${finding.location?.line}:${finding.location?.column}`)).toEqual(['spec.containers[0].ports[0].containerPort@8:30']);
  });

  it('skips a byte order mark at the start of any line, as go-yaml does (js-yaml keeps it in the key)', () => {
    expect(read('a: 1\n---\n\ufeffb: 2\n').values).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe('syntax js-yaml accepts and go-yaml (kubectl) refuses: reported', () => {
  it.each([
    ['a tab after a key\'s colon', 'a:\tb\n', 'input-yaml-syntax@1:3'],
    ['a tab after a sequence dash', 'a:\n-\tb\n', 'input-yaml-syntax@2:2'],
    ['a blank line indented with a tab', 'a: 1\n\t\nb: 2\n', 'input-yaml-syntax@2:1'],
    ['an implicit key over 1024 characters', `${'k'.repeat(1100)}: 1\n`, 'input-yaml-syntax@1:1'],
    ['a %YAML 1.2 directive (go-yaml v2 reads 1.1 only)', '%YAML 1.2\n---\na: 1\n', 'input-yaml-syntax@1:1'],
  ])('%s', (_name, text, finding) => {
    expect(read(text).findings).toEqual([finding]);
  });

  it('but accepts tabs where go-yaml does: inside scalars, after a value, before a comment', () => {
    const result = read('a: b\tc\nd: 1\t# comment\ne: "x"\t\nf: [1]\t\n');
    expect(result.findings).toEqual([]);
    expect(result.values).toEqual([{ a: 'b\tc', d: 1, e: 'x', f: [1] }]);
    expect(read('%YAML 1.1\n---\na: 1\n').findings).toEqual([]);
  });

  it('loses only the document go-yaml refuses', () => {
    const result = loadTexts([{ path: 'three.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\tname\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: three}\n' }]);
    expect(result.objects.map((object) => object.name)).toEqual(['one', 'three']);
    expect(result.findings.map((finding) => `${finding.ruleId}@${finding.location?.line}`)).toEqual(['input-yaml-syntax@7']);
  });
});

describe('the repository fixtures that js-yaml alone could not read', () => {
  it('loads the DaemonSet of go-yaml/flow-close-bracket.yaml and the policy of go-yaml/flow-tab.yaml whole', () => {
    const result = loadPaths(['fixtures/repository/go-yaml']);
    expect(result.findings).toEqual([]);
    const daemonSet = result.objects.find((object) => object.kind === 'DaemonSet')!;
    expect((daemonSet.value as any).spec.template.spec.containers[0].ports).toEqual([{ containerPort: 9988, name: 'health' }]);
    // The loader keeps only the fields it reads; the whole object, as duplicate-object compares it, has the args.
    expect((completeValue(daemonSet) as any).spec.template.spec.containers[0].args).toEqual(['-config', '/run/spire/config/agent.conf']);
    const policy = result.objects.find((object) => object.kind === 'NetworkPolicy')!;
    expect((policy.value as any).spec.ingress[0].from[0].podSelector.matchExpressions[0].values).toEqual(['web', 'checkout']);
  });
});
