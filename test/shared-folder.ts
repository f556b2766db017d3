/**
 * Tests that need something of `../shared` (see shared-folder-paths.mjs). A user's clone has no
 * such folder: the tests that need it are then skipped, and the run says so in one line
 * (test/global-setup.mjs). Where `CI` is set they fail instead, so that CI never passes by
 * skipping them.
 */
import fs from 'node:fs';
import { describe, it } from '@jest/globals';
import { isCi, missingShared, sharedPath, type SharedNeed } from './shared-folder-paths.mjs';

export { isCi, missingShared, sharedPath, type SharedNeed } from './shared-folder-paths.mjs';

/**
 * Declares a `describe` block that needs things in `../shared`. When one is missing its body is
 * not even run (it may list the corpus): the block is skipped, or, under CI, fails with one test
 * naming what is missing.
 */
export function describeWithShared(name: string, needs: readonly SharedNeed[], body: () => void): void {
  const missing = missingShared(needs);
  if (missing.length === 0) {
    describe(name, body);
  } else if (isCi()) {
    describe(name, () => {
      it(`needs ${missing.join(' and ')}`, () => {
        throw new Error(`${missing.join(' and ')} is missing; CI is set, so the tests that need it fail instead of being skipped`);
      });
    });
  } else {
    describe.skip(name, () => {
      it(`needs ${missing.join(' and ')}`, () => undefined);
    });
  }
}

/** Declares a test that needs things in `../shared`: skipped when one is missing, failing under CI. */
export function itWithShared(name: string, needs: readonly SharedNeed[], body: () => void | Promise<void>, timeoutMs?: number): void {
  const missing = missingShared(needs);
  if (missing.length === 0) it(name, body, timeoutMs);
  else if (isCi()) it(name, () => { throw new Error(`${missing.join(' and ')} is missing; CI is set, so this test fails instead of being skipped`); });
  else it.skip(`${name} (needs ${missing.join(' and ')})`, () => undefined);
}

/**
 * Returns the absolute path of something in `../shared` when it exists, for tests that use it
 * in addition to the repository's own fixtures; undefined when it is missing (throws under CI).
 */
export function optionalShared(need: SharedNeed): string | undefined {
  const file = sharedPath(need);
  if (fs.existsSync(file)) return file;
  if (isCi()) throw new Error(`${file} is missing; CI is set, so the tests that need it fail instead of being skipped`);
  return undefined;
}
