#!/usr/bin/env node
// Starts the CLI, bundled into one file by `npm run build` (scripts/bundle.mjs); all the logic lives in src/cli.
// CommonJS (bin/package.json says so): a CommonJS entry starts faster than an ES module one.
'use strict';
const { main } = require('../dist/k8snet.cjs');

main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
