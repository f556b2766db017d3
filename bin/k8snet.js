#!/usr/bin/env node
// Starts the compiled CLI; all the logic lives in src/cli.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
