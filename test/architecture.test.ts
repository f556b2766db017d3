import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

// STYLE.md: data flows one way, load → graph → (rules | solver) → report; only src/cli touches
// the process; rules import only the rule interface, the model and the solver.
const LAYERS = ['load', 'model', 'reach', 'ipam', 'lint', 'report', 'cli'];

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'|import\('([^']+)'\)/g)].map((match) => match[1] ?? match[2]);
}

function layerOf(file: string): string | undefined {
  const relative = path.relative(path.resolve('src'), file).split(path.sep);
  return relative.length > 1 ? relative[0] : undefined;
}

describe('architecture', () => {
  it('keeps imports flowing one way: load → model → reach → ipam → lint → report → cli', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(path.resolve('src'))) {
      const from = layerOf(file);
      if (!from) continue;
      for (const target of imports(file).filter((specifier) => specifier.startsWith('.'))) {
        const to = layerOf(path.resolve(path.dirname(file), target));
        if (to && LAYERS.indexOf(to) > LAYERS.indexOf(from)) violations.push(`${path.relative('.', file)} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('lets only src/cli touch the process, standard streams and the console', () => {
    const violations = sourceFiles(path.resolve('src'))
      .filter((file) => layerOf(file) !== 'cli')
      .filter((file) => /\bprocess\.(stdout|stderr|stdin|exit|env|argv)\b|\bconsole\./.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative('.', file));
    expect(violations).toEqual([]);
  });

  it('keeps rules pure: only the rule interface, the model, the solver and the address plan; no files, process, clock or console', () => {
    // The graph's objects are ManifestObjects addressed by FieldPaths: those two loader modules are
    // part of the model's vocabulary (types and pure path formatting), nothing that reads files.
    const allowed = /^(\.\.\/src\/lint\/rule\.js|\.\.\/src\/model\/[\w-]+\.js|\.\.\/src\/reach\/[\w-]+\.js|\.\.\/src\/ipam\/[\w-]+\.js|\.\.\/src\/load\/(manifest-object|path)\.js|\.\/[\w-]+\.js)$/;
    const violations: string[] = [];
    for (const file of sourceFiles(path.resolve('rules'))) {
      if (path.basename(file) === 'index.ts') continue;
      for (const target of imports(file)) if (!allowed.test(target)) violations.push(`${path.basename(file)} imports ${target}`);
      if (/\bprocess\.|\bconsole\.|\bDate\.now\(|new Date\(|\bMath\.random\(/.test(fs.readFileSync(file, 'utf8'))) violations.push(`${path.basename(file)} reads the environment, the clock or prints`);
    }
    expect(violations).toEqual([]);
  });
});
