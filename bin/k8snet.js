#!/usr/bin/env node
// Starts the CLI, bundled into one file by `npm run build` (scripts/bundle.mjs); all the logic lives in src/cli.
import { main } from '../dist/k8snet.mjs';

main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
