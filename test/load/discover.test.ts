/**
 * Expanding command-line paths into files: recursive folder scans, the extensions and folders
 * that are skipped, symlink loops, missing paths and standard input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadPaths } from '../../src/load/index.js';
import { discoverInputs } from '../../src/load/discover.js';

const LOADER = 'fixtures/loader';

const temporaryFolders: string[] = [];

function temporaryFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-discover-'));
  temporaryFolders.push(folder);
  return folder;
}

afterAll(() => {
  for (const folder of temporaryFolders) fs.rmSync(folder, { recursive: true, force: true });
});

/**
 * fixtures/loader plus a node_modules folder holding a manifest. The folder is made here rather
 * than committed: a repository should never track a node_modules folder.
 */
function loaderWithNodeModules(): string {
  const folder = temporaryFolder();
  fs.cpSync(LOADER, folder, { recursive: true });
  fs.mkdirSync(path.join(folder, 'node_modules'));
  fs.writeFileSync(path.join(folder, 'node_modules', 'ignored.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: ignored-node-modules-svc\nspec:\n  ports:\n    - port: 80\n');
  return folder;
}

function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

describe('folder scanning', () => {
  it('finds the five manifests of fixtures/loader recursively, in sorted order', () => {
    const result = loadPaths([LOADER]);
    expect(result.findings).toEqual([]);
    expect(result.files).toEqual([
      path.join(LOADER, 'list.yaml'),
      path.join(LOADER, 'nested', 'deeper', 'svc.yml'),
      path.join(LOADER, 'podlist.json'),
      path.join(LOADER, 'positions.yaml'),
      path.join(LOADER, 'quoted-keys.yaml'),
    ]);
    expect(result.objects).toHaveLength(11);
    expect(result.objects.map((object) => object.name)).toContain('nested-svc');
  });

  it('skips node_modules and hidden folders, and non-manifest files (README.md, .gitignore)', () => {
    const result = loadPaths([loaderWithNodeModules()]);
    expect(result.objects.filter((object) => object.name.startsWith('ignored-'))).toEqual([]);
    expect(result.files.some((file) => file.includes('node_modules') || file.includes('.hidden'))).toBe(false);
    expect(result.files.some((file) => /README|gitignore/.test(file))).toBe(false);
  });

  it('reads node_modules or a hidden folder when it is named explicitly', () => {
    const folder = loaderWithNodeModules();
    const result = loadPaths([path.join(folder, 'node_modules'), path.join(folder, '.hidden')]);
    expect(result.findings).toEqual([]);
    expect(result.objects.map((object) => object.name).sort()).toEqual(['ignored-hidden-svc', 'ignored-node-modules-svc']);
  });

  it('is deterministic: the same order on every run, and by name rather than creation order', () => {
    const folder = temporaryFolder();
    for (const name of ['b.yaml', 'a.yml', 'C.json', 'sub/z.yaml', 'A.YAML', 'notes.txt', 'x.yaml.bak', 'image.png']) {
      fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      fs.writeFileSync(path.join(folder, name), name.endsWith('.json')
        ? JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c-json' } })
        : namespaceYaml(name.replace(/\W/g, '-').toLowerCase()));
    }
    const first = loadPaths([folder]);
    const second = loadPaths([folder]);
    // Sorted by UTF-16 code units: upper case before lower case.
    expect(first.files.map((file) => path.relative(folder, file))).toEqual(['A.YAML', 'C.json', 'a.yml', 'b.yaml', path.join('sub', 'z.yaml')]);
    expect(second.files).toEqual(first.files);
    expect(first.objects.map((object) => object.name)).toEqual(second.objects.map((object) => object.name));
    expect(first.findings).toEqual([]);
  });

  it('reads a file given explicitly whatever its extension', () => {
    const folder = temporaryFolder();
    const file = path.join(folder, 'manifest.txt');
    fs.writeFileSync(file, namespaceYaml('from-txt'));
    const result = loadPaths([file]);
    expect(result.files).toEqual([file]);
    expect(result.objects.map((object) => object.name)).toEqual(['from-txt']);
  });

  it('reads a file once when it is given twice or also lies in a given folder', () => {
    const file = path.join(LOADER, 'positions.yaml');
    const result = loadPaths([file, LOADER, `./${file}`]);
    expect(result.files.filter((name) => name.endsWith('positions.yaml'))).toEqual([file]);
    expect(result.objects.filter((object) => object.kind === 'NetworkPolicy' && object.name === 'web-allow')).toHaveLength(1);
    expect(result.objects).toHaveLength(11);
  });
});

describe('symbolic links', () => {
  it('terminates on a loop (a/link -> ..) and loads each file once', () => {
    const root = temporaryFolder();
    fs.mkdirSync(path.join(root, 'a'));
    fs.symlinkSync('..', path.join(root, 'a', 'link'));
    fs.writeFileSync(path.join(root, 'top.yaml'), namespaceYaml('top'));
    fs.writeFileSync(path.join(root, 'a', 'inner.yaml'), namespaceYaml('inner'));

    const result = loadPaths([root]);
    expect(result.findings).toEqual([]);
    expect(result.files).toEqual([path.join(root, 'a', 'inner.yaml'), path.join(root, 'top.yaml')]);
    expect(result.objects.map((object) => object.name)).toEqual(['inner', 'top']);

    // Starting inside the loop: the link leads out of the path given, so it is not followed
    // (issue 18: nothing outside the given paths is read) and says so.
    const fromInside = loadPaths([path.join(root, 'a')]);
    expect(fromInside.findings.map((finding) => [finding.ruleId, finding.severity, finding.message])).toEqual([
      ['input-outside-paths', 'warning', `${path.join(root, 'a', 'link')}: symbolic link to ${fs.realpathSync(root)}, outside the paths given; not followed (give its target as a path to read it)`],
    ]);
    expect(fromInside.objects.map((object) => object.name)).toEqual(['inner']);
  });

  it('loads a file reached through a second name (a symlinked file) once', () => {
    const root = temporaryFolder();
    fs.writeFileSync(path.join(root, 'real.yaml'), namespaceYaml('real'));
    fs.symlinkSync('real.yaml', path.join(root, 'z-alias.yaml'));
    fs.symlinkSync(root, path.join(root, 'self-folder'));
    const result = loadPaths([root]);
    expect(result.files).toEqual([path.join(root, 'real.yaml')]);
    expect(result.objects).toHaveLength(1);
  });

  it('reports a broken symbolic link as input-unreadable and loads the rest', () => {
    const root = temporaryFolder();
    fs.writeFileSync(path.join(root, 'good.yaml'), namespaceYaml('good'));
    fs.symlinkSync('missing-target.yaml', path.join(root, 'broken.yaml'));
    const result = loadPaths([root]);
    expect(result.objects.map((object) => object.name)).toEqual(['good']);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      ruleId: 'input-unreadable',
      severity: 'error',
      location: { file: path.join(root, 'broken.yaml'), line: 1, column: 1 },
    });
    expect(result.findings[0].message).toMatch(/broken symbolic link/);
  });
});

describe('missing paths', () => {
  it('reports a path that does not exist as input-unreadable at line 1 and goes on', () => {
    const result = loadPaths(['does/not/exist.yaml', path.join(LOADER, 'list.yaml'), 'no-such-folder']);
    expect(result.objects).toHaveLength(3);
    expect(result.files).toEqual([path.join(LOADER, 'list.yaml')]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.severity, finding.location?.file, finding.location?.line, finding.location?.column]))
      .toEqual([
        ['input-unreadable', 'error', 'does/not/exist.yaml', 1, 1],
        ['input-unreadable', 'error', 'no-such-folder', 1, 1],
      ]);
    expect(result.findings[0].message).toBe('does/not/exist.yaml: no such file or folder');
    expect(result.findings[0].fix).toBeTruthy();
    expect(result.findings[0].why).toBeTruthy();
  });

  it('reports a path that does not exist from discoverInputs as a problem, not an input', () => {
    const { inputs, problems } = discoverInputs(['nope.yaml', '-']);
    expect(inputs).toEqual([{ kind: 'stdin' }]);
    expect(problems).toEqual([{ path: 'nope.yaml', message: 'nope.yaml: no such file or folder' }]);
  });
});

describe('standard input', () => {
  const manifest = Buffer.from(namespaceYaml('from-stdin'));

  it('reads `-` through readStdin and names the file <stdin>', () => {
    let calls = 0;
    const result = loadPaths(['-'], { readStdin: () => { calls++; return manifest; } });
    expect(calls).toBe(1);
    expect(result.findings).toEqual([]);
    expect(result.files).toEqual(['<stdin>']);
    expect(result.objects.map((object) => [object.name, object.origin.file])).toEqual([['from-stdin', '<stdin>']]);
  });

  it('keeps the order of standard input among the other paths', () => {
    const result = loadPaths([path.join(LOADER, 'nested'), '-'], { readStdin: () => manifest });
    expect(result.files).toEqual([path.join(LOADER, 'nested', 'deeper', 'svc.yml'), '<stdin>']);
  });

  it('does not call readStdin when no path is `-`', () => {
    let calls = 0;
    loadPaths([path.join(LOADER, 'list.yaml')], { readStdin: () => { calls++; return manifest; } });
    expect(calls).toBe(0);
  });

  it('reports `-` without a readStdin as input-unreadable', () => {
    const result = loadPaths(['-']);
    expect(result.objects).toEqual([]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.location?.file, finding.location?.line])).toEqual([['input-unreadable', '<stdin>', 1]]);
  });

  it('turns an error thrown by readStdin into a finding with a plain message', () => {
    const result = loadPaths(['-'], { readStdin: () => { throw Object.assign(new Error('denied'), { code: 'EACCES' }); } });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'input-unreadable', message: '<stdin>: permission denied' });
  });

  // BUG (src/load/index.ts, loadPaths): LoadOptions.readStdin is documented as "called at most
  // once", but `-` given twice calls it twice; in the CLI the second read finds standard input
  // drained and reports a spurious input-empty warning for a second <stdin>.
  it('calls readStdin at most once when `-` is given twice', () => {
    let calls = 0;
    const result = loadPaths(['-', '-'], { readStdin: () => { calls++; return calls === 1 ? manifest : Buffer.alloc(0); } });
    expect(calls).toBe(1);
    expect(result.findings).toEqual([]);
    expect(result.objects).toHaveLength(1);
  });
});
