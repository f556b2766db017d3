// What some tests need from `../shared`, the folder beside the repository that holds what the
// repository does not ship: the conformance corpora (`conformance/`) and the cluster generator
// (`tools/gen-cluster.mjs`). Plain JavaScript, so that Jest's global setup (which Jest loads
// without the TypeScript transform) and the tests share it; types in shared-folder-paths.d.mts.
import fs from 'node:fs';
import path from 'node:path';

/** The folder beside the repository (tests run from the repository's root). */
export const SHARED_FOLDER = path.resolve(process.cwd(), '..', 'shared');

/** Everything in `../shared` that some test needs, relative to it. */
export const SHARED_NEEDS = ['conformance', 'conformance/np-guard', 'conformance/dialects', 'tools/gen-cluster.mjs'];

/** Returns the absolute path of something in `../shared` (whether it exists or not). */
export function sharedPath(need, folder = SHARED_FOLDER) {
  return path.join(folder, need);
}

/** Returns whether this is a CI run: `CI` set to anything but empty, 0 or false. */
export function isCi(env = process.env) {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/** Returns the needs that are missing, as absolute paths. */
export function missingShared(needs = SHARED_NEEDS, folder = SHARED_FOLDER) {
  return needs.map((need) => sharedPath(need, folder)).filter((file) => !fs.existsSync(file));
}

/**
 * Returns the line a test run prints once when something of `../shared` is missing (naming the
 * outermost missing folder: ../shared itself when it is not there at all), or undefined.
 */
export function missingSharedLine(env = process.env, folder = SHARED_FOLDER) {
  const missing = fs.existsSync(folder)
    ? missingShared(SHARED_NEEDS, folder).filter((file, index, all) => !all.some((other, otherIndex) => otherIndex !== index && file.startsWith(`${other}${path.sep}`)))
    : [folder];
  if (missing.length === 0) return undefined;
  const what = `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`;
  return isCi(env)
    ? `k8snet tests: ${what}: the tests that need it FAIL (CI is set, and CI must not skip them)`
    : `k8snet tests: ${what}: the tests that need it are skipped (with CI set they would fail)`;
}
