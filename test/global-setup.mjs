// Jest's global setup: runs once before all tests and says in one line what of ../shared is
// missing, if anything (test/shared-folder.ts skips, or under CI fails, the tests that need it).
import { missingSharedLine } from './shared-folder-paths.mjs';

/** Prints the line about ../shared, when something of it is missing. */
export default function globalSetup() {
  const line = missingSharedLine();
  if (line) process.stdout.write(`\n${line}\n`);
}
