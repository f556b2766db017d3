// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports) into a few ES modules
// under dist/src/bundle/, which bin/k8snet.js runs. Loading ~90 small modules one by one was a
// third of the start-up of `k8snet lint FILE`, the run a pre-commit hook pays on every commit.
//
// - Code splitting keeps each command, report format and lazily imported module in its own
//   chunk: `--help` and `--version` still load nothing heavy.
// - npm packages stay external (js-yaml, ajv and ip-num are loaded on first use, by require).
// - The bundle lives under dist/src/ so that paths relative to a module (the precompiled
//   validators in dist/generated/) resolve as they do from the unbundled modules.
// - Not minified: stack traces under --debug keep their names.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'src', 'bundle');
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'dist', 'src', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
