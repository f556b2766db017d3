/**
 * What the loader opens and reads (src/load/discover.ts, the FileReader of src/load/index.ts),
 * against file trees a pull request can commit (issue 18): only regular files are opened,
 * symbolic links are followed only inside the paths given, unusual names and links are
 * described as what they are, and a file over the size limit is not read.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { loadPaths } from '../../src/load/index.js';
import { displayFileName } from '../../src/load/discover.js';

const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-fs-'));
afterAll(() => fs.rmSync(TEMP, { recursive: true, force: true }));

let counter = 0;
function folder(): string {
  const made = path.join(TEMP, `t${counter++}`);
  fs.mkdirSync(made);
  return made;
}

function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

/** Makes a FIFO with mkfifo(1); false where there is none (the test is then skipped). */
function mkfifo(target: string): boolean {
  try {
    execFileSync('mkfifo', [target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function summary(result: ReturnType<typeof loadPaths>): string[][] {
  return result.findings.map((finding) => [finding.ruleId, finding.severity, finding.message]);
}

describe('files that are not regular files', () => {
  // A FIFO given as a path is tested through the CLI (test/cli/hardening.test.ts): should it
  // regress, opening it blocks the process, which only a child process's timeout can end.
  it('reports a FIFO inside a folder instead of skipping it silently, and reads the rest', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'good.yaml'), namespaceYaml('good'));
    if (!mkfifo(path.join(root, 'pipe.yaml'))) return;
    mkfifo(path.join(root, 'not-a-manifest'));
    const result = loadPaths([root]);
    expect(result.objects.map((object) => object.name)).toEqual(['good']);
    expect(summary(result)).toEqual([['input-not-regular', 'warning', `${path.join(root, 'pipe.yaml')}: a FIFO (named pipe), not a regular file; not read`]]);
  });

  it('reports a link to a device inside the paths as not a regular file', () => {
    if (!fs.existsSync('/dev/null')) return;
    const root = folder();
    fs.mkdirSync(path.join(root, 'dev'));
    // A FIFO under the root, reached through a link: inside the paths, but not a file.
    if (!mkfifo(path.join(root, 'dev', 'fifo'))) return;
    fs.symlinkSync(path.join(root, 'dev', 'fifo'), path.join(root, 'linked.yaml'));
    const result = loadPaths([root]);
    expect(summary(result)).toEqual([['input-not-regular', 'warning', `${path.join(root, 'linked.yaml')}: a FIFO (named pipe), not a regular file; not read`]]);
  });
});

describe('symbolic links leading outside the paths given', () => {
  it('does not follow a link to /etc (or any folder outside), and says so', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'good.yaml'), namespaceYaml('good'));
    fs.symlinkSync('/etc', path.join(root, 'etc'));
    const readdir = jest.spyOn(fs, 'readdirSync');
    try {
      const result = loadPaths([root]);
      expect(result.objects.map((object) => object.name)).toEqual(['good']);
      expect(summary(result)).toEqual([['input-outside-paths', 'warning', `${path.join(root, 'etc')}: symbolic link to ${fs.realpathSync('/etc')}, outside the paths given; not followed (give its target as a path to read it)`]]);
      // /etc was not even listed (the spy does see the folders that were).
      expect(readdir.mock.calls.map(([target]) => String(target))).toContain(root);
      expect(readdir.mock.calls.map(([target]) => String(target)).filter((target) => target.startsWith('/etc'))).toEqual([]);
    } finally {
      readdir.mockRestore();
    }
  });

  it('does not read a linked manifest outside the paths, but reads it when its folder is given too', () => {
    const outside = folder();
    fs.writeFileSync(path.join(outside, 'shared.yaml'), namespaceYaml('shared'));
    const root = folder();
    fs.symlinkSync(path.join(outside, 'shared.yaml'), path.join(root, 'shared.yaml'));
    fs.symlinkSync(outside, path.join(root, 'common'));
    const alone = loadPaths([root]);
    expect(alone.objects).toEqual([]);
    expect(alone.findings.map((finding) => finding.ruleId)).toEqual(['input-outside-paths', 'input-outside-paths']);
    const both = loadPaths([root, outside]);
    expect(both.findings).toEqual([]);
    expect(both.objects.map((object) => object.name)).toEqual(['shared']);
  });

  it('follows links that stay inside the paths given', () => {
    const root = folder();
    fs.mkdirSync(path.join(root, 'base'));
    fs.writeFileSync(path.join(root, 'base', 'ns.yaml'), namespaceYaml('base'));
    fs.mkdirSync(path.join(root, 'overlay'));
    fs.symlinkSync('../base', path.join(root, 'overlay', 'base-link'));
    const result = loadPaths([path.join(root, 'overlay'), path.join(root, 'base')]);
    expect(result.findings).toEqual([]);
    expect(result.objects.map((object) => object.name)).toEqual(['base']);
  });
});

describe('links and names described as what they are', () => {
  it('calls a self-referencing link a loop, not broken, and a dangling one broken, with its target', () => {
    const root = folder();
    fs.symlinkSync('self.yaml', path.join(root, 'self.yaml'));
    fs.symlinkSync('gone.yaml', path.join(root, 'dangling.yaml'));
    const result = loadPaths([root]);
    expect(summary(result)).toEqual([
      ['input-unreadable', 'error', `${path.join(root, 'dangling.yaml')}: broken symbolic link to gone.yaml (its target does not exist)`],
      ['input-unreadable', 'error', `${path.join(root, 'self.yaml')}: symbolic link loop to self.yaml (it leads back to itself)`],
    ]);
    // Given on the command line too.
    expect(summary(loadPaths([path.join(root, 'self.yaml')]))).toEqual([
      ['input-unreadable', 'error', `${path.join(root, 'self.yaml')}: symbolic link loop to self.yaml (it leads back to itself)`],
    ]);
  });

  it('reads a file whose name is not valid UTF-8, and shows the bytes as \\xNN', () => {
    const root = folder();
    const name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.yaml')]);
    try {
      fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), name]), namespaceYaml('latin1-name'));
    } catch {
      return; // A file system that refuses such names (APFS) cannot hold the case.
    }
    fs.mkdirSync(Buffer.concat([Buffer.from(`${root}/dir`), Buffer.from([0xff])]));
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/dir`), Buffer.from([0xff]), Buffer.from('/inner.yaml')]), 'kind: [');
    const result = loadPaths([root]);
    expect(result.objects.map((object) => [object.name, object.origin.file])).toEqual([['latin1-name', path.join(root, 'caf\\xE9.yaml')]]);
    expect(result.findings.map((finding) => [finding.ruleId, finding.location?.file])).toEqual([['input-yaml-syntax', path.join(root, 'dir\\xFF', 'inner.yaml')]]);
  });

  it('says that a name given on the command line may have lost its bytes, not just "no such file"', () => {
    const result = loadPaths([path.join(TEMP, 'caf\uFFFD.yaml')]);
    expect(result.findings[0].message).toMatch(/no such file or folder; its name may not be valid UTF-8/);
  });

  it('displayFileName keeps valid UTF-8 and escapes each stray byte', () => {
    expect(displayFileName(Buffer.from('überall/日本.yaml'))).toBe('überall/日本.yaml');
    expect(displayFileName(Buffer.from([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80]))).toBe('a\\xFF\\xC3(\\xED\\xA0\\x80😀');
  });
});

describe('a file over the size limit', () => {
  it('is not read beyond its first 64 KiB (a sparse file of 100 MiB)', () => {
    const root = folder();
    const big = path.join(root, 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 100 * 1024 * 1024);
    const readSync = jest.spyOn(fs, 'readSync');
    try {
      const result = loadPaths([big]);
      const bytes = readSync.mock.results.reduce((sum, entry) => sum + (entry.type === 'return' ? Number(entry.value) : 0), 0);
      expect(readSync).toHaveBeenCalled();
      expect(bytes).toBeLessThanOrEqual(64 * 1024);
      expect(summary(result)).toEqual([['input-too-large', 'error', `${big} is 100 MiB, larger than the 64 MiB limit; it was not read.`]]);
    } finally {
      readSync.mockRestore();
    }
  });
});
