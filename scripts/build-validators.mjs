// Compiles the kind schemas into standalone validation code at build time, so that the CLI
// validates manifests without compiling schemas at start-up (ajv's compile costs ~100 ms).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { KIND_SCHEMAS } = await import(path.join(root, 'dist', 'src', 'load', 'schemas.js'));

const ajv = new Ajv({ allErrors: false, strict: false, code: { source: true } });
const exports = {};
for (const [kind, schema] of Object.entries(KIND_SCHEMAS)) {
  ajv.addSchema(schema, `kind:${kind}`);
  exports[kind] = `kind:${kind}`;
}
const code = standaloneCode.default ? standaloneCode.default(ajv, exports) : standaloneCode(ajv, exports);
const target = path.join(root, 'dist', 'generated', 'validators.cjs');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, code);
