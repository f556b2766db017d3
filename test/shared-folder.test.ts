/** The one line a test run prints when something of ../shared is missing, and what CI means. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isCi, missingSharedLine, SHARED_NEEDS } from './shared-folder-paths.mjs';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-shared-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('isCi', () => {
  it('is true for CI set to anything but empty, 0 or false', () => {
    expect([undefined, '', '0', 'false', 'FALSE', ' '].map((value) => isCi(value === undefined ? {} : { CI: value }))).toEqual([false, false, false, false, false, false]);
    expect(['1', 'true', 'yes', 'woodpecker'].map((value) => isCi({ CI: value }))).toEqual([true, true, true, true]);
  });
});

describe('missingSharedLine', () => {
  it('names ../shared itself when it is not there, and says whether the tests are skipped or fail', () => {
    const absent = path.join(folder, 'absent');
    expect(missingSharedLine({}, absent)).toBe(`k8snet tests: ${absent} is missing: the tests that need it are skipped (with CI set they would fail)`);
    expect(missingSharedLine({ CI: 'true' }, absent)).toBe(`k8snet tests: ${absent} is missing: the tests that need it FAIL (CI is set, and CI must not skip them)`);
  });

  it('names the outermost missing need, and nothing once everything is there', () => {
    const shared = path.join(folder, 'shared');
    fs.mkdirSync(path.join(shared, 'tools'), { recursive: true });
    expect(missingSharedLine({}, shared)).toMatch(new RegExp(`^k8snet tests: ${shared}/conformance and ${shared}/tools/gen-cluster\\.mjs are missing: `));
    for (const need of SHARED_NEEDS) fs.mkdirSync(path.join(shared, need), { recursive: true });
    expect(missingSharedLine({ CI: '1' }, shared)).toBeUndefined();
  });
});
