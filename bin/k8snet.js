#!/usr/bin/env node
// Starts the CLI, bundled by `npm run build` (scripts/bundle.mjs); all the logic lives in src/cli.
import { main } from '../dist/src/bundle/main.js';

main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
