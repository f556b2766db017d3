// Compiles the kind schemas into standalone validation code at build time, so that the CLI
// validates manifests without compiling schemas at start-up (ajv's compile costs ~100 ms). One file
// per kind: a run loads only the validators of the kinds it meets (all of them together cost ~5 ms
// of start-up to load, most of a small lint's budget). Kinds with the same schema (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job) share one function, so it is compiled and optimised
// once, not once per kind.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { KIND_SCHEMAS } = await import(path.join(root, 'dist', 'src', 'load', 'schemas.js'));
const { CONFIG_SCHEMA, CONFIG_VALIDATOR } = await import(path.join(root, 'dist', 'src', 'lint', 'config.js'));

const generate = standaloneCode.default ?? standaloneCode;
const folder = path.join(root, 'dist', 'generated', 'validators');
fs.rmSync(path.join(root, 'dist', 'generated', 'validators.cjs'), { force: true });
fs.rmSync(folder, { recursive: true, force: true });
fs.mkdirSync(folder, { recursive: true });

/** Writes `<name>.cjs` exporting `validate`, the standalone code of one schema. */
function write(name, schema, options) {
  const ajv = new Ajv({ strict: false, code: { source: true }, ...options });
  ajv.addSchema(schema, name);
  fs.writeFileSync(path.join(folder, `${name}.cjs`), generate(ajv, { validate: name }));
}

const firstKindOfSchema = new Map();
for (const [kind, schema] of Object.entries(KIND_SCHEMAS)) {
  const text = JSON.stringify(schema);
  const same = firstKindOfSchema.get(text);
  if (same) {
    fs.writeFileSync(path.join(folder, `${kind}.cjs`), `"use strict";\n// ${kind} has the same schema as ${same}.\nmodule.exports = require("./${same}.cjs");\n`);
  } else {
    firstKindOfSchema.set(text, kind);
    // Every error of an object, as the API server reports them all at once. The patterns are
    // ASCII: plain regular expressions test them faster than unicode ones.
    write(kind, schema, { allErrors: true, unicodeRegExp: false });
  }
}
// The configuration is validated with all errors reported.
write(CONFIG_VALIDATOR, CONFIG_SCHEMA, { allErrors: true });
