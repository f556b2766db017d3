/**
 * The bundled CLI (scripts/bundle.mjs): dist/k8snet.cjs and dist/k8snet.sections, committed so
 * that the pre-commit hooks, the GitHub Action and installs from git run them as they are. They
 * must be the build of the committed sources (byte for byte, from any checkout path), behave like
 * the modules they were built from, and compile only the code a run needs. Which sections a run
 * compiles is observed with a preloaded hook on vm.compileFunction, which the loader uses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT, k8snet } from './run-cli.js';
import { copyRepository, git, run } from '../repository-copy.js';
import { isCi } from '../shared-folder.js';

const BUNDLE_FILES = ['dist/k8snet.cjs', 'dist/k8snet.sections'];
const COMPILED_MARKER = 'k8snet-test-compiled-sections:';
let folder: string;
let hook: string;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-bundle-'));
  hook = path.join(folder, 'record-compiles.cjs');
  // Records every section the loader compiles (it compiles each with vm.Script), and whether V8
  // took its code from the compile cache.
  fs.writeFileSync(hook, `
const vm = require('node:vm');
const compiled = [];
vm.Script = class extends vm.Script {
  constructor(code, options) {
    super(code, options);
    const name = String(options && options.filename).split('#').pop();
    compiled.push({ name, cached: options !== undefined && options.cachedData !== undefined && !this.cachedDataRejected });
  }
};
process.on('exit', () => process.stderr.write('${COMPILED_MARKER}' + JSON.stringify(compiled) + '\\n'));
`);
});

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/** The sections a run compiled, in order, and whether each came from the compile cache, as the hook reported them. */
function compiledSectionRecords(stderr: string): { name: string; cached: boolean }[] {
  const line = stderr.split('\n').find((text) => text.startsWith(COMPILED_MARKER));
  expect(line).toBeDefined();
  return JSON.parse(line!.slice(COMPILED_MARKER.length)) as { name: string; cached: boolean }[];
}

/** The sections a run compiled, in order. */
function compiledSections(stderr: string): string[] {
  return compiledSectionRecords(stderr).map((record) => record.name);
}

/** The loader's table of sections: name → [offset, length]. */
function sectionTable(): Record<string, [number, number]> {
  const match = /^const sections = (\{.*\});$/m.exec(fs.readFileSync(path.join(ROOT, 'dist', 'k8snet.cjs'), 'utf8'));
  expect(match).not.toBeNull();
  return JSON.parse(match![1]) as Record<string, [number, number]>;
}

/** A copy of the CLI as the GitHub Action runs it: in a folder with no node_modules above it. */
function installedCopy(): string {
  const installed = path.join(folder, 'installed');
  for (const file of ['bin/k8snet.js', 'bin/package.json', ...BUNDLE_FILES, 'package.json']) {
    fs.mkdirSync(path.dirname(path.join(installed, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(installed, file));
  }
  return installed;
}

describe('the bundled CLI', () => {
  it('is what bin/k8snet.js runs', () => {
    expect(fs.readFileSync(path.join(ROOT, 'bin', 'k8snet.js'), 'utf8')).toMatch(/require\('\.\.\/dist\/k8snet\.cjs'\)/);
    for (const file of BUNDLE_FILES) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });

  it('holds every npm package it runs, with their licenses: nothing is resolved from node_modules', () => {
    const module = fs.readFileSync(path.join(ROOT, 'dist', 'k8snet.cjs'), 'utf8');
    for (const name of ['commander', 'js-yaml', 'ajv', 'ip-num', 'chalk', 'fast-uri']) expect(module).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(`, 'm'));
    const sections = Object.keys(sectionTable());
    expect(sections).toEqual(expect.arrayContaining(['packages/js-yaml.cjs', 'packages/ajv.cjs', 'packages/ip-num.cjs', 'generated/validators/NetworkPolicy.cjs']));
    const installed = installedCopy();
    const config = path.join(folder, 'options.yaml');
    fs.writeFileSync(config, 'rules:\n  policy-allows-all-ingress:\n    level: error\n    options: { sensitivePorts: [not-a-port] }\n');
    const lint = run(process.execPath, [path.join(installed, 'bin', 'k8snet.js'), 'lint', '--config', config, path.join(ROOT, 'fixtures', 'demo')], { cwd: folder, env: { ...process.env, NO_COLOR: '1' } });
    // ajv, from its section, validates the rule's options.
    expect(lint.stdout + lint.stderr).toMatch(/options of rule policy-allows-all-ingress/);
    expect(lint.status).toBe(2);
  });

  it('--version compiles no section: the chunks the entry starts with are compiled with the module', () => {
    const run = k8snet(['--version'], { env: { NODE_OPTIONS: `--require ${hook}` } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compiledSections(run.stderr)).toEqual([]);
    // Those chunks are small: the module holds esbuild's helpers and the entry's imports, not commands.
    expect(fs.statSync(path.join(ROOT, 'dist', 'k8snet.cjs')).size).toBeLessThan(250_000);
  });

  it('a lint compiles js-yaml and the validators of the kinds it meets, not ajv nor ip-num, with no node_modules to fall back on', () => {
    // The CronJob's validator and the configuration's use ajv's ucs2length (minLength): a section
    // of its own, not a require that only resolves where node_modules is installed.
    const manifest = path.join(folder, 'service.yaml');
    fs.writeFileSync(manifest, 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports:\n    - port: eighty\n'
      + '---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n  schedule: "0 1 * * *"\n'
      + '  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: job, image: busybox}]\n');
    const installed = installedCopy();
    const result = run(process.execPath, [path.join(installed, 'bin', 'k8snet.js'), 'lint', '--format', 'json', manifest], { cwd: folder, env: { ...process.env, NODE_OPTIONS: `--require ${hook}` } });
    expect(result.status).toBe(2);
    const findings = (JSON.parse(result.stdout) as { findings: { ruleId: string; line: number }[] }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'input-schema', line: 6 }));
    const compiled = compiledSections(result.stderr);
    expect(compiled).toContain('packages/js-yaml.cjs');
    expect(compiled.filter((name) => name.startsWith('generated/validators/')).sort()).toEqual(['generated/validators/CronJob.cjs', 'generated/validators/Service.cjs', 'generated/validators/k8snet-config.cjs']);
    expect(compiled).toContain('packages/ajv/dist/runtime/ucs2length.cjs');
    expect(compiled).not.toContain('packages/ajv.cjs');
    expect(compiled).not.toContain('packages/ip-num.cjs');
  });

  describe('the compile cache', () => {
    const manifests = path.join(ROOT, 'fixtures', 'demo');
    const lintWith = (cacheDir: string) => k8snet(['lint', '--format', 'json', manifests], { env: { NODE_OPTIONS: `--require ${hook}`, K8SNET_CACHE_DIR: cacheDir } });
    const buildFolders = (cacheDir: string) => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);

    it('keeps V8\'s code of the sections a run compiled, and the next run compiles none from source, with the same output', () => {
      const cacheDir = path.join(folder, 'cache');
      const first = lintWith(cacheDir);
      expect(first.status).toBe(1);
      const firstRecords = compiledSectionRecords(first.stderr);
      expect(firstRecords.length).toBeGreaterThan(5);
      expect(firstRecords.filter((record) => record.cached)).toEqual([]);
      // One folder for this build and Node.js version, one file per section, that only the user may write.
      const folders = buildFolders(cacheDir);
      expect(folders).toEqual([`${/^const BUILD_ID = '([0-9a-f]{16})';$/m.exec(fs.readFileSync(path.join(ROOT, 'dist', 'k8snet.cjs'), 'utf8'))![1]}-${process.version}-${process.arch}`]);
      expect(fs.statSync(path.join(cacheDir, folders[0])).mode & 0o077).toBe(0);
      expect(fs.readdirSync(path.join(cacheDir, folders[0])).sort()).toEqual([...new Set(firstRecords.map((record) => record.name.replaceAll('/', '~')))].sort());

      const second = lintWith(cacheDir);
      expect(second.stdout).toBe(first.stdout);
      expect(second.status).toBe(1);
      const secondRecords = compiledSectionRecords(second.stderr);
      expect(secondRecords.map((record) => record.name)).toEqual(firstRecords.map((record) => record.name));
      expect(secondRecords.filter((record) => !record.cached)).toEqual([]);
    });

    it('keeps a cache of its own for runs on a few small files, which a run over a folder does not fill', () => {
      const cacheDir = path.join(folder, 'sizes');
      const file = path.join(manifests, 'shop-frontend', 'namespace.yaml');
      const lintFile = () => k8snet(['lint', '--format', 'json', file], { env: { NODE_OPTIONS: `--require ${hook}`, K8SNET_CACHE_DIR: cacheDir } });
      lintWith(cacheDir);
      const [large] = buildFolders(cacheDir);
      const first = lintFile();
      // Compiled from source: the folder's cache holds code this run would read and not use.
      expect(compiledSectionRecords(first.stderr).filter((record) => record.cached)).toEqual([]);
      expect(buildFolders(cacheDir).sort()).toEqual([large, `${large}-small`]);
      const second = lintFile();
      expect(second.stdout).toBe(first.stdout);
      expect(compiledSectionRecords(second.stderr).filter((record) => !record.cached)).toEqual([]);
    });

    it('a damaged cache file is refused by V8 and written again; the answer does not change', () => {
      const cacheDir = path.join(folder, 'damaged');
      const reference = lintWith(cacheDir);
      const buildFolder = path.join(cacheDir, buildFolders(cacheDir)[0]);
      const damaged = fs.readdirSync(buildFolder).sort()[0];
      const bytes = fs.readFileSync(path.join(buildFolder, damaged));
      bytes.fill(7, 8, 64);
      fs.writeFileSync(path.join(buildFolder, damaged), bytes);
      const run = lintWith(cacheDir);
      expect(run.stdout).toBe(reference.stdout);
      expect(compiledSectionRecords(run.stderr).filter((record) => !record.cached).map((record) => record.name.replaceAll('/', '~'))).toEqual([damaged]);
      expect(fs.readFileSync(path.join(buildFolder, damaged)).equals(bytes)).toBe(false);
      expect(compiledSectionRecords(lintWith(cacheDir).stderr).filter((record) => !record.cached)).toEqual([]);
    });

    it('is not read from a folder others may write in, and K8SNET_CACHE_DIR=off writes nothing', () => {
      const cacheDir = path.join(folder, 'shared');
      lintWith(cacheDir);
      const buildFolder = path.join(cacheDir, buildFolders(cacheDir)[0]);
      fs.chmodSync(buildFolder, 0o777);
      expect(compiledSectionRecords(lintWith(cacheDir).stderr).filter((record) => record.cached)).toEqual([]);
      const off = k8snet(['lint', manifests], { env: { K8SNET_CACHE_DIR: 'off', HOME: path.join(folder, 'home'), XDG_CACHE_HOME: undefined } });
      expect(off.status).toBe(1);
      expect(fs.existsSync(path.join(folder, 'home'))).toBe(false);
      // No home folder and a relative XDG_CACHE_HOME (invalid by its specification): no cache, never one in the working folder.
      const workingFolder = fs.mkdtempSync(path.join(folder, 'cwd-'));
      const homeless = k8snet(['lint', manifests], { cwd: workingFolder, env: { K8SNET_CACHE_DIR: undefined, HOME: '', XDG_CACHE_HOME: 'relative' } });
      expect(homeless.status).toBe(1);
      expect(fs.readdirSync(workingFolder)).toEqual([]);
    });
  });

  it('refuses a sections file from another build, saying so', () => {
    const broken = path.join(folder, 'broken');
    for (const file of ['bin/k8snet.js', 'bin/package.json', ...BUNDLE_FILES]) {
      fs.mkdirSync(path.dirname(path.join(broken, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(broken, file));
    }
    fs.appendFileSync(path.join(broken, 'dist', 'k8snet.sections'), '\n');
    // --version reads no section; a lint does.
    const result = run(process.execPath, [path.join(broken, 'bin', 'k8snet.js'), 'lint', path.join(ROOT, 'fixtures', 'demo')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${path.join(broken, 'dist', 'k8snet.sections')} does not belong to this k8snet.cjs (rebuild with npm run build)`);
  });
});

/** Files that differ from HEAD (uncommitted changes, new files), the bundle aside. */
function uncommittedSources(): string[] {
  return git(ROOT, ['status', '--porcelain', '--untracked-files=all', '--', '.', ...BUNDLE_FILES.map((file) => `:(exclude)${file}`)]).split('\n').filter(Boolean);
}

describe('the committed bundle', () => {
  let copy: string;

  beforeAll(() => {
    // Another checkout path, deeper than this one: nothing of the machine's paths may reach the output.
    copy = path.join(folder, 'another', 'checkout', 'path', 'k8snet');
    copyRepository(copy, { linkNodeModules: true });
    const build = run('npm', ['run', 'build'], { cwd: copy });
    if (build.status !== 0) throw new Error(`npm run build failed in ${copy}:\n${build.stdout}\n${build.stderr}`);
  }, 600_000);

  it('is what a build of the same sources from another checkout path writes, byte for byte', () => {
    for (const file of BUNDLE_FILES) {
      const here = fs.readFileSync(path.join(ROOT, file));
      const there = fs.readFileSync(path.join(copy, file));
      // Not toEqual on megabytes: a message that says what to do.
      if (!here.equals(there)) throw new Error(`${file} differs from a fresh build of the sources (${here.length} and ${there.length} bytes): run npm run build (npm test does) and commit it`);
    }
  });

  const changes = uncommittedSources();
  // With uncommitted sources, HEAD's bundle cannot be judged without building HEAD; a clean
  // checkout (CI's) always is judged, and CI judges it even when something changed the tree.
  const judge = changes.length === 0 || isCi() ? it : it.skip;
  judge(`is committed as built from the committed sources${changes.length > 0 ? ` (skipped: ${changes.length} uncommitted changes; it runs on a clean checkout)` : ''}`, () => {
    for (const file of BUNDLE_FILES) {
      expect(git(ROOT, ['ls-files', '--', file]).trim()).toBe(file);
      const changed = git(ROOT, ['status', '--porcelain', '--', file]).trim();
      if (changed !== '') throw new Error(`${file} is not the build of the committed sources (git status: ${changed}): commit the one npm run build wrote`);
    }
  });
});
