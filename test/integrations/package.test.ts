/**
 * The npm package as `npm pack` makes it: what runs and its license, no dependency, no script
 * that runs at install, the fields a registry page and `npm bugs`/`npm repo` read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPOSITORY, run } from '../repository-copy.js';
import { k8snet } from '../cli/run-cli.js';

interface PackageJson {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  files: string[];
  engines: Record<string, string>;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  keywords: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packageJson = JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'package.json'), 'utf8')) as PackageJson;

describe('the npm package', () => {
  it('holds what runs, its license and its documentation, nothing else', () => {
    const pack = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPOSITORY, env: { ...process.env, npm_config_offline: 'true' } });
    expect(pack.status).toBe(0);
    const [{ files }] = JSON.parse(pack.stdout) as { files: { path: string }[] }[];
    expect(files.map((file) => file.path).sort()).toEqual(['LICENSE', 'README.md', 'bin/k8snet.js', 'bin/package.json', 'dist/k8snet.cjs', 'dist/k8snet.sections', 'package.json', 'rules/README.md']);
  });

  it('has no dependency and no script that runs when it is installed', () => {
    expect(packageJson.dependencies ?? {}).toEqual({});
    expect(packageJson.optionalDependencies ?? {}).toEqual({});
    expect(packageJson.peerDependencies ?? {}).toEqual({});
    // npm runs these on install (prepare also on installs from git); the build runs before publishing.
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']) expect(packageJson.scripts[script]).toBeUndefined();
    expect(packageJson.scripts.prepublishOnly).toBe('npm test');
  });

  it('is Apache-2.0, with the license\'s text', () => {
    expect(packageJson.license).toBe('Apache-2.0');
    const license = fs.readFileSync(path.join(REPOSITORY, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\/\s/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('says where it lives, how to report a bug, what it is about and which Node.js it needs', () => {
    expect(packageJson.repository).toEqual({ type: 'git', url: 'git+https://github.com/k8snet/k8snet.git' });
    expect(packageJson.homepage).toBe('https://github.com/k8snet/k8snet#readme');
    expect(packageJson.bugs).toEqual({ url: 'https://github.com/k8snet/k8snet/issues' });
    expect(packageJson.keywords).toEqual(expect.arrayContaining(['kubernetes', 'networkpolicy', 'linter', 'sarif', 'pre-commit']));
    expect(packageJson.engines).toEqual({ node: '>=20' });
    expect(packageJson.bin).toEqual({ k8snet: 'bin/k8snet.js' });
  });

  it('prints its own version', () => {
    const version = k8snet(['--version']);
    expect(version.stdout.trim()).toBe(packageJson.version);
  });
});
