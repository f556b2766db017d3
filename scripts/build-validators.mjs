// Compiles the kind schemas into standalone validation code at build time, so that the CLI
// validates manifests without compiling schemas at start-up (ajv's compile costs ~100 ms).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { KIND_SCHEMAS } = await import(path.join(root, 'dist', 'src', 'load', 'schemas.js'));
const { CONFIG_SCHEMA, CONFIG_VALIDATOR } = await import(path.join(root, 'dist', 'src', 'lint', 'config.js'));

const generate = standaloneCode.default ?? standaloneCode;
const ajv = new Ajv({ allErrors: false, strict: false, code: { source: true } });
const exports = {};
for (const [kind, schema] of Object.entries(KIND_SCHEMAS)) {
  ajv.addSchema(schema, `kind:${kind}`);
  exports[kind] = `kind:${kind}`;
}
// The configuration is validated with all errors reported, so it gets an instance of its own.
const configAjv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
configAjv.addSchema(CONFIG_SCHEMA, 'config');
const configCode = generate(configAjv, { config: 'config' });
const code = `${generate(ajv, exports)}\n;(function () {\n  const configModule = { exports: {} };\n  (function (module, exports) {\n${configCode}\n  })(configModule, configModule.exports);\n  module.exports[${JSON.stringify(CONFIG_VALIDATOR)}] = configModule.exports.config;\n})();\n`;
const target = path.join(root, 'dist', 'generated', 'validators.cjs');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, code);
