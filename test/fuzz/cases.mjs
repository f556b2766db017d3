// The fuzzer's inputs (npm run fuzz, test/fuzz/fuzz.mjs): the seed corpus and the mutants made
// from it. Case N of seed S is always the same input, so any failure is reproduced with
// `--seed S --case N`. Plain JavaScript on the compiled code (dist/), like the bench, so that
// the fuzzer runs without ts-jest and as fast as users run k8snet.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml');

const MANIFEST = /\.(ya?ml|json)$/i;
/** Seeds larger than this are left out: mutants of them would make each case slow, not find more. */
const MAX_SEED_BYTES = 64 * 1024;

/**
 * The kinds whose every field the type-confusion cases visit: the modelled kinds, and those the
 * address plan reads (kubeadm, kind, kubelet, ServiceCIDR, Calico, Cilium).
 */
export const ADDRESS_PLAN_KINDS = ['ClusterConfiguration', 'KubeletConfiguration', 'Cluster', 'ServiceCIDR', 'IPPool', 'CiliumNode', 'ConfigMap'];

/** Values put in place of a field, one per type and the edges of each. */
export const CONFUSERS = [
  null, true, false, 0, -1, 0.5, 65536, 2147483648, 9007199254740993, '', 'x', '*', '0x50', '1e400', '-', '10.0.0.0/8\n', ' 80 ',
  '\u001b]0;title\u0007\n::error::x', 'ünïcödé\u202e', 'a'.repeat(300), [], [null], [[]], [{}], ['x', 1, null], {}, { '': null }, { a: { b: { c: [1] } } },
  { matchLabels: 'x' }, { key: 'k', operator: 'In' }, { port: 'http', protocol: 'ICMP' }, { '__proto__': { polluted: true } },
];

/** Byte sequences that mean something to YAML, JSON, templates or terminals, inserted by byte mutations. */
const TOKENS = [
  '\u0000', '\r', '\n', '\t', ': ', '- ', '{', '}', '[', ']', ',', '&a ', '*a', '<<: *a', '!!binary ', '!!js/function ', '!!python/object ', '!<tag:x>',
  '? ', '--- ', '...', '{{ .Values.x }}', '1e400', '-0', '0x1F', '.inf', '.nan', '~', 'null', 'yes', '2001-01-01', '"', "'", '#', '|', '>-', '%YAML 1.1\n',
  '\ufeff', '\u2028', '\u001b[31m', 'é', '\udc00', '"\\u0000"', '  ', 'apiVersion: v1\nkind: ', '__proto__: ', 'constructor: ',
];

/** A small seeded generator (mulberry32): the same seed gives the same numbers on every platform. */
export function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    below: (count) => Math.floor(next() * count),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (probability) => next() < probability,
  };
}

function walk(folder, found) {
  let entries;
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') walk(child, found);
    else if (entry.isFile() && MANIFEST.test(entry.name)) found.push(child);
  }
}

/**
 * Reads the seed corpus: the repository's fixtures, test/fuzz/seeds and, when present beside the
 * repository, the conformance manifests (../shared/conformance; skipped when absent). Returns the seeds in a fixed order and, for
 * the type-confusion cases, every field (path) of one rich object of each kind.
 */
export function loadCorpus(root, modelledKinds) {
  const files = [];
  walk(path.join(root, 'fixtures'), files);
  // Seeds for kinds no fixture holds (ReplicaSet, ReplicationController).
  walk(path.join(root, 'test', 'fuzz', 'seeds'), files);
  const conformance = path.resolve(root, '..', 'shared', 'conformance');
  const hasConformance = fs.existsSync(conformance);
  if (hasConformance) walk(conformance, files);
  const seeds = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    if (bytes.length === 0 || bytes.length > MAX_SEED_BYTES) continue;
    seeds.push({ path: path.relative(root, file), bytes });
  }
  const kinds = new Set([...modelledKinds, ...ADDRESS_PLAN_KINDS]);
  const richest = new Map();
  seeds.forEach((seed, seedIndex) => {
    let documents;
    try {
      documents = yaml.loadAll(seed.bytes.toString('utf8'), { schema: yaml.CORE_SCHEMA });
    } catch {
      return;
    }
    documents.forEach((document, documentIndex) => {
      if (!document || typeof document !== 'object' || !kinds.has(document.kind) || !isSmall(document)) return;
      const paths = fieldPaths(document);
      const best = richest.get(document.kind);
      if (!best || paths.length > best.paths.length) richest.set(document.kind, { kind: document.kind, seedIndex, documentIndex, object: document, paths });
    });
  });
  // Field by field, one kind after another, so that a short run visits every kind.
  const byKind = [...richest.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1));
  const fields = [];
  for (let index = 0; byKind.some((entry) => index < entry.paths.length); index++) {
    for (const entry of byKind) if (index < entry.paths.length) fields.push({ kind: entry.kind, object: entry.object, seed: seeds[entry.seedIndex].path, path: entry.paths[index] });
  }
  return { seeds, fields, kinds: [...kinds].filter((kind) => richest.has(kind)), missingKinds: [...kinds].filter((kind) => !richest.has(kind)), hasConformance };
}

/** The most nodes a parsed seed may have: seeds built of aliases (fixtures/hostile) expand to billions. */
const MAX_SEED_NODES = 20000;

/** Returns true when `value` has at most `limit` nodes, aliases expanded (a cycle has endless ones). */
function isSmall(value, limit = MAX_SEED_NODES) {
  let count = 0;
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (++count > limit) return false;
    if (node && typeof node === 'object') for (const child of Object.values(node)) stack.push(child);
  }
  return true;
}

/** Every path into a parsed object: each mapping member and sequence item, the root excluded. */
function fieldPaths(value, prefix = [], found = []) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      found.push([...prefix, index]);
      fieldPaths(item, [...prefix, index], found);
    });
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      found.push([...prefix, key]);
      fieldPaths(value[key], [...prefix, key], found);
    }
  }
  return found;
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function setAt(root, fieldPath, value) {
  let node = root;
  for (const segment of fieldPath.slice(0, -1)) node = node[segment];
  const last = fieldPath[fieldPath.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1);
    else delete node[last];
  } else if (last === '__proto__') Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  else node[last] = value;
}

function serialise(documents, rng, asJson) {
  if (asJson) return documents.map((document) => JSON.stringify(document, null, rng.chance(0.5) ? 2 : undefined)).join('\n');
  return documents.map((document) => yaml.dump(document, { noRefs: true, skipInvalid: true, lineWidth: -1 })).join('---\n');
}

/** Byte mutations: flips, insertions of YAML-significant tokens, deletions, duplications, truncation. */
function mutateBytes(bytes, rng) {
  let data = Buffer.from(bytes);
  const rounds = 1 + rng.below(6);
  for (let round = 0; round < rounds; round++) {
    const at = data.length === 0 ? 0 : rng.below(data.length);
    switch (rng.below(7)) {
      case 0:
        if (data.length > 0) data[at] ^= 1 << rng.below(8);
        break;
      case 1:
        data = Buffer.concat([data.subarray(0, at), Buffer.from(rng.pick(TOKENS)), data.subarray(at)]);
        break;
      case 2:
        data = Buffer.concat([data.subarray(0, at), data.subarray(Math.min(data.length, at + 1 + rng.below(40)))]);
        break;
      case 3: {
        const length = 1 + rng.below(80);
        const piece = data.subarray(at, at + length);
        data = Buffer.concat([data.subarray(0, at), piece, piece, data.subarray(at)]);
        break;
      }
      case 4:
        data = data.subarray(0, at);
        break;
      case 5:
        data = Buffer.concat([data.subarray(0, at), Buffer.from([rng.below(256)]), data.subarray(at)]);
        break;
      default: {
        // Indentation shifted on one line.
        const lineStart = data.lastIndexOf(10, at) + 1;
        data = Buffer.concat([data.subarray(0, lineStart), Buffer.from(' '.repeat(rng.below(3) + 1)), data.subarray(lineStart)]);
      }
    }
  }
  return data;
}

/** Structure mutations of the parsed documents: values replaced, keys dropped, lists grown, subtrees swapped. */
function mutateStructure(text, rng) {
  let documents;
  try {
    documents = yaml.loadAll(text, { schema: yaml.CORE_SCHEMA }).filter((document) => document !== undefined);
  } catch {
    return undefined;
  }
  if (!documents.every((document) => isSmall(document))) return undefined;
  documents = documents.map(clone);
  const rounds = 1 + rng.below(4);
  for (let round = 0; round < rounds && documents.length > 0; round++) {
    const documentIndex = rng.below(documents.length);
    const paths = fieldPaths(documents[documentIndex]);
    if (paths.length === 0) continue;
    const target = rng.pick(paths);
    switch (rng.below(6)) {
      case 0:
        setAt(documents[documentIndex], target, clone(rng.pick(CONFUSERS)));
        break;
      case 1:
        setAt(documents[documentIndex], target, undefined);
        break;
      case 2: {
        // A list grown to a few hundred items, or a value repeated there.
        let node = documents[documentIndex];
        for (const segment of target) node = node[segment];
        const items = Array.isArray(node) && node.length > 0 ? node : [node];
        const count = 50 + rng.below(400);
        setAt(documents[documentIndex], target, Array.from({ length: count }, (_unused, index) => clone(items[index % items.length])));
        break;
      }
      case 3: {
        const other = rng.pick(paths);
        let node = documents[documentIndex];
        for (const segment of other) node = node[segment];
        if (!target.slice(0, other.length).every((segment, index) => segment === other[index])) setAt(documents[documentIndex], target, clone(node));
        break;
      }
      case 4: {
        let nested = clone(rng.pick(CONFUSERS));
        for (let depth = rng.below(200); depth > 0; depth--) nested = rng.chance(0.5) ? [nested] : { k: nested };
        setAt(documents[documentIndex], target, nested);
        break;
      }
      default:
        documents.push(clone(documents[documentIndex]));
    }
  }
  return serialise(documents, rng, rng.chance(0.25));
}

/** One field of one kind replaced by one confuser (the case index chooses which, in a fixed order). */
function confuseType(corpus, index, rng) {
  if (corpus.fields.length === 0) return undefined;
  const field = corpus.fields[index % corpus.fields.length];
  const confuser = CONFUSERS[(Math.floor(index / corpus.fields.length) + index * 7) % CONFUSERS.length];
  const object = clone(field.object);
  setAt(object, field.path, clone(confuser));
  return {
    description: `type confusion: ${field.kind} ${field.path.join('.')} = ${JSON.stringify(confuser)} (from ${field.seed})`,
    text: serialise([object], rng, rng.chance(0.2)),
  };
}

/**
 * Case `index` of seed `seed`: a file and the seed it came from (for diff). Three in ten are type
 * confusions, visiting the fields in order; the rest byte or structure mutations of a random seed.
 */
export function generateCase(corpus, seed, index) {
  const rng = random((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const seedFile = corpus.seeds[rng.below(corpus.seeds.length)];
  const isJson = /\.json$/i.test(seedFile.path);
  const slot = index % 10;
  if (slot < 3) {
    const confused = confuseType(corpus, Math.floor(index / 10) * 3 + slot, rng);
    if (confused) return { index, strategy: 'type', description: confused.description, name: 'mutant.yaml', bytes: Buffer.from(confused.text), seed: seedFile };
  }
  if (slot < 6) {
    const mutated = mutateStructure(seedFile.bytes.toString('utf8'), rng);
    if (mutated !== undefined) return { index, strategy: 'structure', description: `structure mutation of ${seedFile.path}`, name: isJson ? 'mutant.json' : 'mutant.yaml', bytes: Buffer.from(mutated), seed: seedFile };
  }
  return { index, strategy: 'bytes', description: `byte mutation of ${seedFile.path}`, name: isJson ? 'mutant.json' : 'mutant.yaml', bytes: mutateBytes(seedFile.bytes, rng), seed: seedFile };
}
