// Writes rules/README.md from the rules' metadata and fixtures (the same text test/lint/rules.test.ts expects).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { RULES } = await import(path.join(root, 'dist', 'rules', 'index.js'));
const { renderCatalogue } = await import(path.join(root, 'dist', 'src', 'lint', 'catalogue.js'));

function firstFixture(id, kind) {
  const folder = path.join(root, 'fixtures', 'rules', id, kind);
  if (!fs.existsSync(folder)) return undefined;
  const [name] = fs.readdirSync(folder).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
  return name ? fs.readFileSync(path.join(folder, name), 'utf8') : undefined;
}

const examples = new Map(RULES.map((rule) => {
  const invalid = firstFixture(rule.id, 'invalid');
  const valid = firstFixture(rule.id, 'valid');
  return [rule.id, { ...(invalid ? { invalid } : {}), ...(valid ? { valid } : {}) }];
}));
fs.writeFileSync(path.join(root, 'rules', 'README.md'), renderCatalogue(RULES, examples));
console.log(`rules/README.md: ${RULES.length} rules`);
