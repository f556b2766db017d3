// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports, npm packages and the
// precompiled validators included) into two files, which bin/k8snet.js runs:
//   dist/k8snet.cjs       the module Node loads (CommonJS): a small loader and the CLI's entry chunk;
//   dist/k8snet.sections  the rest of the code, in sections the loader reads and compiles on use.
// Both are committed: the pre-commit hooks, the GitHub Action and `npm install` from git run them
// as they are, with no dependency to install and nothing to build.
//
// Why two files and sections: start-up. V8 parses every function of a script it compiles (lazy
// functions are still pre-parsed), and Node decodes the whole file of a module before that: one
// file with all the code (1.6 MB) costs about 16 ms of CPU more than the code a run needs, more
// than the start-up budget of `--version`. So the code is split where esbuild splits it for
// dynamic imports (each command, report format and lazily required package in a chunk of its
// own), each chunk is converted into a CommonJS function body, each precompiled validator (already
// CommonJS) is kept apart, and all but the entry chunk go into the sections file. A run reads and
// parses exactly the sections it uses, as it did with separate files, without their per-file cost.
//
// The output is deterministic: the same sources and packages give the same bytes on any machine
// and from any checkout path (paths are relative to the repository, no timestamps), so a test can
// compare the committed files with a fresh build (test/cli/bundle.test.ts).
//
// Usage: node scripts/bundle.mjs [--outdir DIR]   (default dist; runs after tsc and
// scripts/build-validators.mjs, as `npm run build` does)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdirArgument = process.argv.indexOf('--outdir');
const outdir = outdirArgument > 0 ? path.resolve(process.argv[outdirArgument + 1]) : path.join(root, 'dist');
/** The module Node loads, and the file of sections beside it. */
const MODULE_FILE = 'k8snet.cjs';
const SECTIONS_FILE = 'k8snet.sections';
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The section the loader evaluates first: the CLI's entry chunk. */
const ENTRY_SECTION = 'main.js';
/** How bundled code asks the loader for a section by name (a specifier no package can have). */
const SECTION_PREFIX = 'k8snet-section:';
/** Where the precompiled validators are, and the folder of their sections. */
const VALIDATORS = 'generated/validators';
/** The folder of the sections of npm packages the sources require lazily (js-yaml, ajv, ip-num). */
const PACKAGES = 'packages';
/** The packages the sources require lazily, each bundled into a section of its own. */
const lazyPackages = new Set();

/** Fails the build with a message; nothing is written. */
function fail(message) {
  process.stderr.write(`scripts/bundle.mjs: ${message}\n`);
  process.exit(1);
}

/**
 * The compiled sources load npm packages and the precompiled validators with
 * `createRequire(import.meta.url)(...)`, lazily, the way Node resolves them when the modules run
 * unbundled (development, ts-jest). esbuild does not follow those calls; this plugin turns each of
 * them into a request for a section of its own (`require('k8snet-section:packages/ajv.cjs')`), so
 * that a package is parsed only by the runs that use it, as before (a built-in module, `node:crypto`,
 * becomes a plain require, made when the code runs). Any other `import.meta` left
 * after the rewrite fails the build: it would be undefined in the bundle.
 */
const inlineLazyRequires = {
  name: 'inline-lazy-requires',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^${SECTION_PREFIX}`) }, (args) => ({ path: args.path, external: true }));
    builder.onLoad({ filter: /[\\/]dist[\\/](src|rules)[\\/].*\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const rewritten = source
        .replace(/createRequire\(import\.meta\.url\)\(fileURLToPath\(new URL\(`\.\.\/\.\.\/generated\/validators\/([^`]*)`, import\.meta\.url\)\)\)/g, (_, file) => `require(\`${SECTION_PREFIX}${VALIDATORS}/${file}\`)`)
        // A built-in module stays a require of it, made when the code runs.
        .replace(/createRequire\(import\.meta\.url\)\('(node:[^']+)'\)/g, (_, name) => `require('${name}')`)
        .replace(/createRequire\(import\.meta\.url\)\('([^']+)'\)/g, (_, name) => {
          lazyPackages.add(name);
          return `require('${SECTION_PREFIX}${PACKAGES}/${name}.cjs')`;
        });
      const left = rewritten.indexOf('import.meta');
      if (left >= 0) {
        const line = rewritten.slice(0, left).split('\n').length;
        return { errors: [{ text: `import.meta is left at line ${line} after the rewrite: teach scripts/bundle.mjs this use` }] };
      }
      const changing = changingExport(source);
      if (changing) {
        return { errors: [{ text: `exports ${changing}, declared with let or var: the loader hands out a chunk's exports as values once it has run (see takeValues), so export a const, a function or a class instead` }] };
      }
      return { contents: rewritten, loader: 'js' };
    });
  },
};

/**
 * commander requires node:child_process when it loads, for the executable subcommands k8snet does
 * not use; loading it pulls in net, dgram and the stream modules, about a fifth of the start-up
 * budget of `--version`. This plugin defers that require to commander's only use of it (spawn).
 * The build fails if commander's source changes so that the rewrite no longer applies.
 */
const deferCommanderChildProcess = {
  name: 'defer-commander-child-process',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      const uses = source.match(/childProcess\.\w+/g) ?? [];
      if (!source.includes(eager) || uses.some((use) => use !== 'childProcess.spawn')) {
        return { errors: [{ text: 'commander no longer requires node:child_process as scripts/bundle.mjs expects: update deferCommanderChildProcess' }] };
      }
      const deferred = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      return { contents: source.replace(eager, deferred), loader: 'js' };
    });
  },
};

/** Returns the name of an exported binding that can change after the module ran (let or var), if any. */
function changingExport(source) {
  const direct = /^export (?:let|var) ([\w$]+)/m.exec(source);
  if (direct) return direct[1];
  for (const list of source.matchAll(/^export \{([^}]*)\};?$/gm)) {
    for (const entry of list[1].split(',')) {
      const local = entry.trim().split(/\s+as\s+/)[0];
      if (local && new RegExp(`^(?:let|var) ${local.replace(/\$/g, '\\$')}\\b`, 'm').test(source)) return local;
    }
  }
  return undefined;
}

const result = await build({
  entryPoints: { main: path.join(root, 'dist', 'src', 'cli', 'main.js') },
  absWorkingDir: root,
  outdir: path.join(root, 'dist', 'chunks'),
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  entryNames: '[name]',
  // Paths stay as seen from the repository even where node_modules is a link (a test builds a
  // copy of the repository that links the original's node_modules): no path of this machine
  // reaches the output.
  preserveSymlinks: true,
  legalComments: 'none',
  metafile: true,
  plugins: [inlineLazyRequires, deferCommanderChildProcess],
  logLevel: 'warning',
});

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  for (const imported of output.imports) {
    if (imported.external && !builtins.has(imported.path) && !imported.path.startsWith(SECTION_PREFIX)) {
      fail(`${file} imports ${imported.path}, which is not bundled`);
    }
  }
}

/** Returns a CommonJS function body as the loader compiles it: strict, as the ES modules were (same lines). */
function strictBody(code) {
  return `"use strict";${asciiOnly(code)}`;
}

/**
 * Escapes the characters outside ASCII that esbuild leaves in (it escapes them in strings and
 * regular expressions, not in the comments it keeps) as \\u escapes. Why: one such character
 * makes V8 keep the whole section as a two-byte string, decoded from UTF-8 on every run; an ASCII
 * section is read as Latin-1, several times faster, in half the memory. \\u is a letter in a
 * comment and the same character in a string, regular expression or identifier.
 */
function asciiOnly(code) {
  return code.replace(/[^\x00-\x7f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Converts an ES module chunk into a CommonJS function body (imports of chunks become requires). */
async function chunkBody(name, code) {
  const converted = await transform(code, {
    format: 'cjs',
    target: 'node20',
    // Dynamic imports of other chunks become requires, which the loader resolves.
    supported: { 'dynamic-import': false },
    sourcefile: name,
    logLevel: 'warning',
  });
  return strictBody(converted.code);
}

const sections = [];
for (const output of result.outputFiles) {
  const name = path.basename(output.path);
  sections.push({ name, body: await chunkBody(name, output.text) });
}
// The precompiled validators require parts of ajv's runtime (ucs2length for minLength/maxLength):
// each becomes a section too. Left to Node, the require would resolve only where node_modules is
// installed beside the bundle (not in the GitHub Action), and a validator that fails to load falls
// back to compiling every schema with the whole of ajv on each run.
const validatorsFolder = path.join(root, 'dist', VALIDATORS);
for (const file of fs.readdirSync(validatorsFolder).filter((name) => name.endsWith('.cjs')).sort()) {
  const name = `${VALIDATORS}/${file}`;
  const code = fs.readFileSync(path.join(validatorsFolder, file), 'utf8').replace(/\brequire\("([^"]+)"\)/g, (whole, specifier) => {
    // Built-in modules and the validators' requires of one another (./Kind.cjs) are left as they are.
    if (builtins.has(specifier) || specifier.startsWith('.')) return whole;
    lazyPackages.add(specifier);
    return `require(${JSON.stringify(`${SECTION_PREFIX}${PACKAGES}/${specifier}.cjs`)})`;
  });
  sections.push({ name, body: strictBody(code) });
}
for (const name of [...lazyPackages].sort()) {
  // Bundled as Node would load it with require(): its CommonJS build, its own dependencies inlined.
  const bundled = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, sourcefile: `${PACKAGES}/${name}.cjs` },
    absWorkingDir: root,
    write: false,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    legalComments: 'none',
    preserveSymlinks: true,
    metafile: true,
    logLevel: 'warning',
  });
  for (const input of Object.keys(bundled.metafile.inputs)) result.metafile.inputs[input] ??= bundled.metafile.inputs[input];
  const sectionName = `${PACKAGES}/${name}.cjs`;
  sections.push({ name: sectionName, body: strictBody(bundled.outputFiles[0].text) });
}
// In name order (chunk names are content hashes), so that the files do not depend on esbuild's output order.
sections.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The npm packages the bundle contains, with their licenses, which their terms require to travel with the code. */
function inlinedPackages() {
  const folders = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) folders.add(match[1]);
  }
  return [...folders].sort().map((name) => {
    const folder = path.join(root, 'node_modules', name);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
    const licenseFile = fs.readdirSync(folder).sort().find((file) => /^licen[cs]e(\.(md|txt))?$/i.test(file));
    if (!licenseFile) fail(`${name} has no license file to ship with the bundle`);
    return { name, version: manifest.version, license: manifest.license, text: fs.readFileSync(path.join(folder, licenseFile), 'utf8').trim() };
  });
}

const notices = inlinedPackages()
  .map((entry) => `${entry.name} ${entry.version} (${entry.license})\n\n${entry.text}`)
  .join(`\n\n${'-'.repeat(78)}\n\n`);

// The entry chunk is compiled with the loader (every run needs it), and so are the chunks it
// requires as it starts (esbuild's runtime helpers, the error classes): each compileFunction call
// costs more than the parsing of a small chunk, and every run, `--version` too, made three. The
// other chunks are sections.
const entry = sections.find((section) => section.name === ENTRY_SECTION) ?? fail(`esbuild wrote no ${ENTRY_SECTION}`);
const staticChunkRequires = (section) => [...section.body.matchAll(/^var [\w$]+ = require\("\.\/(chunk-[\w]+\.js)"\);$/gm)].map((match) => match[1]);
const startupChunks = new Set();
for (const pending = staticChunkRequires(entry); pending.length > 0;) {
  const name = pending.shift();
  if (startupChunks.has(name)) continue;
  startupChunks.add(name);
  pending.push(...staticChunkRequires(sections.find((section) => section.name === name) ?? fail(`the entry requires ${name}, which esbuild did not write`)));
}
const inlined = sections.filter((section) => startupChunks.has(section.name));
const table = {};
const sectionsParts = [`// The code of k8snet's commands, formats, packages and validators, read by ${MODULE_FILE} a section at a\n// time (scripts/bundle.mjs). Not a module of its own: Node never loads this file as a whole.\n`];
let sectionsBytes = Buffer.byteLength(sectionsParts[0]);
for (const section of sections) {
  if (section === entry || startupChunks.has(section.name)) continue;
  // The loader decodes sections as Latin-1: a character outside ASCII would come out as others.
  if (/[^\x00-\x7f]/.test(section.body)) fail(`section ${section.name} holds characters outside ASCII (strictBody escapes them)`);
  const heading = `\n//# section ${section.name}\n`;
  const bodyBytes = Buffer.byteLength(section.body);
  table[section.name] = [sectionsBytes + Buffer.byteLength(heading), bodyBytes];
  sectionsParts.push(heading, section.body, '\n');
  sectionsBytes += Buffer.byteLength(heading) + bodyBytes + 1;
}

// Keys the compile cache to this build's code (V8 itself checks only the length of the source).
const buildId = createHash('sha256').update(entry.body).update(inlined.map((section) => section.body).join('\0')).update(sectionsParts.join('')).digest('hex').slice(0, 16);

const loader = `// k8snet ${packageJson.version}: the command-line tool, generated by \`npm run build\` (scripts/bundle.mjs)
// from the sources at ${packageJson.homepage}. Do not edit. License: ${packageJson.license}.
// The npm packages it contains, and their licenses, are listed at the end of this file.
//
// This module holds the CLI's entry chunk; the code of commands, formats, packages and validators
// is in ${SECTIONS_FILE} beside it, in sections read and compiled on first use, so that a run
// parses only the code it uses. It is CommonJS, as is bin/k8snet.js: Node loads CommonJS
// synchronously, while an ES module entry starts its loader and reads files on its thread pool
// (several milliseconds of every run, a third of the start-up budget of --version).
'use strict';
const fs = require('node:fs');
const { isAbsolute, join } = require('node:path');
const { Script } = require('node:vm');

const requireBuiltin = require;
const sectionsFile = join(__dirname, '${SECTIONS_FILE}');
/** The size of ${SECTIONS_FILE} this module was built with, in bytes. */
const SECTIONS_SIZE = ${sectionsBytes};
/** Each section of ${SECTIONS_FILE}: [offset, length] in bytes. */
const sections = ${JSON.stringify(table, null, 1).replaceAll('\n', '')};
const loaded = new Map();

/** The chunks the entry chunk requires as it starts, compiled with this module rather than read as sections. */
const startupChunks = {
${inlined.map((section) => `  ${JSON.stringify(section.name)}: function (exports, require, module) {\n${section.body}\n},`).join('\n')}
};

/** Returns a section's code, read from ${SECTIONS_FILE}. */
function readSection(name) {
  if (!Object.hasOwn(sections, name)) throw new Error(\`k8snet: no section \${name} in \${sectionsFile}\`);
  const [offset, length] = sections[name];
  const bytes = Buffer.allocUnsafe(length);
  fs.readSync(sectionsDescriptor(), bytes, 0, length, offset);
  // Every section is ASCII (the build escapes the rest): Latin-1 is the fast, one-byte decoding.
  return bytes.toString('latin1');
}

let openSections;

/** The sections file, opened on first use and kept open for the run (a run reads tens of sections). */
function sectionsDescriptor() {
  if (openSections === undefined) {
    const descriptor = fs.openSync(sectionsFile, 'r');
    // A sections file from another build would hand out the wrong code: stop before compiling it.
    if (fs.fstatSync(descriptor).size !== SECTIONS_SIZE) {
      fs.closeSync(descriptor);
      throw new Error(\`k8snet: \${sectionsFile} does not belong to this ${MODULE_FILE} (rebuild with npm run build)\`);
    }
    openSections = descriptor;
  }
  return openSections;
}

/** What a section's code is wrapped in to compile it as a function (its own scope, as a CommonJS module). */
const WRAPPER_START = '(function (exports, require, module) {';

/**
 * Compiles a section into its function, with V8's code from the compile cache when it holds this
 * section: parsing and compiling the code a run uses was most of the start-up of a lint of a
 * small file, and V8 reads its own compiled code several times faster.
 */
function compileSection(name) {
  const cachedData = compileCache?.read(name);
  const script = new Script(\`\${WRAPPER_START}\${readSection(name)}\\n})\`, {
    filename: \`\${sectionsFile}#\${name}\`,
    // Stack traces give the section's own columns on its first line too.
    columnOffset: -WRAPPER_START.length,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected) compileCache?.remember(name, script);
  return script.runInThisContext();
}

/**
 * The compile cache: V8's compiled code of the sections runs used, one file per section, in
 * $K8SNET_CACHE_DIR, else $XDG_CACHE_HOME/k8snet, else ~/.cache/k8snet, in a folder of this build
 * (BUILD_ID), Node.js version and size of run (see isSmallRun). K8SNET_CACHE_DIR=off turns it off. V8 refuses code made by
 * another version of itself or with other flags (the section is then compiled from source and the
 * cache written again); the build id keys it to this code, since V8 checks only the source's length.
 * Compiled code read from the folder runs, so only a folder of the user's own that nobody else can
 * write is used. Written when the process exits, for the sections compiled from source; a cache
 * that cannot be read or written only makes runs slower, and is never reported.
 */
/** Identifies this build's code: the compile cache keeps a folder per build. */
const BUILD_ID = '${buildId}';
const compileCache = openCompileCache();

function openCompileCache() {
  const configured = process.env.K8SNET_CACHE_DIR;
  if (configured === 'off') return undefined;
  let root;
  try {
    // XDG_CACHE_HOME only when absolute, as its specification says; no home folder, no cache (never one in the working folder).
    const xdg = process.env.XDG_CACHE_HOME;
    const home = require('node:os').homedir();
    root = configured || (xdg && isAbsolute(xdg) ? join(xdg, 'k8snet') : isAbsolute(home) ? join(home, '.cache', 'k8snet') : undefined);
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  const folder = join(root, \`\${BUILD_ID}-\${process.version}-\${process.arch}\${isSmallRun() ? '-small' : ''}\`);
  const fileOf = (name) => join(folder, name.replaceAll('/', '~'));
  const compiledFromSource = [];
  let trusted;
  const isTrusted = () => (trusted ??= ownedByUserAlone(folder));
  return {
    read(name) {
      try {
        return isTrusted() ? fs.readFileSync(fileOf(name)) : undefined;
      } catch {
        return undefined;
      }
    },
    remember(name, script) {
      if (compiledFromSource.push([name, script]) === 1) process.on('exit', write);
    },
  };

  function write() {
    try {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      trusted = undefined;
      if (!isTrusted()) return;
      for (const [name, script] of compiledFromSource) {
        // Written whole under another name, then renamed: a run reading it at the same time sees the old file or the new one.
        const temporary = \`\${fileOf(name)}.\${process.pid}.tmp\`;
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, fileOf(name));
      }
      removeStaleFolders(root, folder);
    } catch {
      // Unwritable (a read-only home in a container): runs compile from source, as without a cache.
    }
  }
}

/**
 * True for a run on files alone (no folder, no standard input) together smaller than 1 MiB: a
 * pre-commit hook's or an editor's run. V8 writes into a section's cache every function the run
 * that compiled it had compiled by its end, and reads all of it back, so a cache written by a
 * run over a whole repository holds much code a small run never calls and costs it time to read:
 * small runs keep a cache of their own. Arguments that are no file (the command) do not count,
 * nor does the one after an option without \`=\` (it may be the option's value: \`-c .k8snet.yaml\`,
 * \`-o report.json\`; a path after a flag is then missed, and the run counts as not small, which
 * only costs it the smaller cache); a run given no file or folder (the current folder by default,
 * a git revision) is not small.
 */
function isSmallRun() {
  let bytes = 0;
  let files = 0;
  const argv = process.argv.slice(2);
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument.startsWith('-')) {
      if (argument.length > 1 && !argument.includes('=')) index++;
      continue;
    }
    let stats;
    try {
      stats = fs.statSync(argument);
    } catch {
      continue;
    }
    if (!stats.isFile()) return false;
    bytes += stats.size;
    files++;
  }
  return files > 0 && bytes < 1024 * 1024 && !process.argv.includes('-');
}

/** True when the folder exists, belongs to the user running k8snet, and no one else may write in it. */
function ownedByUserAlone(folder) {
  try {
    const stats = fs.statSync(folder);
    if (!stats.isDirectory()) return false;
    // Windows has no owner ids here; its profile folders are the user's own.
    return typeof process.getuid !== 'function' || (stats.uid === process.getuid() && (stats.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/** Removes the caches of other builds and Node.js versions unused for 30 days (they would only pile up). */
function removeStaleFolders(root, current) {
  const old = Date.now() - 30 * 24 * 3600 * 1000;
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const folder = join(root, entry.name);
    if (!entry.isDirectory() || folder === current || !/^[0-9a-f]{16}-v\\d/.test(entry.name)) continue;
    if (fs.statSync(folder).mtimeMs < old) fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Returns the exports of a section, evaluating it on first use (as CommonJS caches a module). */
function load(name) {
  let module = loaded.get(name);
  if (!module) {
    module = { exports: {} };
    loaded.set(name, module);
    const compiled = Object.hasOwn(startupChunks, name) ? startupChunks[name] : compileSection(name);
    compiled.call(module.exports, module.exports, requireFrom(name), module);
    if (name.startsWith('chunk-')) module.exports = takeValues(module.exports);
  }
  return module.exports;
}

/**
 * Returns a chunk's exports as plain values. The conversion to CommonJS exports every binding
 * through getters (the live bindings of ES modules), so every call from one chunk into another
 * would run one: about 7% of a large matrix's CPU. Once a chunk has run, its exports no longer
 * change (the build refuses exported let and var bindings), so the chunks loaded after it get
 * the values; a chunk that required it while it ran (a cycle) keeps the getters, which stay right.
 */
function takeValues(exports) {
  const values = {};
  for (const key of Object.getOwnPropertyNames(exports)) values[key] = exports[key];
  return values;
}

/** Returns require() for the code of a section: other sections, or Node.js built-in modules. */
function requireFrom(name) {
  const folder = name.slice(0, name.lastIndexOf('/') + 1);
  return (specifier) => specifier.startsWith('./') ? load(folder + specifier.slice(2))
    : specifier.startsWith(${JSON.stringify(SECTION_PREFIX)}) ? load(specifier.slice(${SECTION_PREFIX.length}))
    : requireBuiltin(specifier);
}

const entry = { exports: {} };
loaded.set(${JSON.stringify(entry.name)}, entry);
(function (exports, require, module) {
${entry.body}
}).call(entry.exports, entry.exports, requireFrom(${JSON.stringify(entry.name)}), entry);

/** Runs the CLI on process.argv; resolves to the exit code. */
exports.main = entry.exports.main;

/*
${notices.replaceAll('*/', '* /')}
*/
`;

fs.mkdirSync(outdir, { recursive: true });
fs.writeFileSync(path.join(outdir, MODULE_FILE), loader);
fs.writeFileSync(path.join(outdir, SECTIONS_FILE), sectionsParts.join(''));
