// Jest's global setup: runs once before all tests and says in one line what of ../shared is
// missing, if anything (test/shared-folder.ts skips, or under CI fails, the tests that need it).
import { missingSharedLine } from './shared-folder-paths.mjs';

/** Prints the line about ../shared, when something of it is missing. */
export default function globalSetup() {
  // The CLI's compile cache (dist/k8snet.cjs) is left out of the tests' runs, which would write it
  // into the home folder; test/cli/bundle.test.ts tests it in a folder of its own.
  process.env.K8SNET_CACHE_DIR ??= 'off';
  const line = missingSharedLine();
  if (line) process.stdout.write(`\n${line}\n`);
}
