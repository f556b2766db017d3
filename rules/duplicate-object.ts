import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { completeValue, definitionText, type CompleteDocuments, type ManifestObject } from '../src/load/manifest-object.js';

/** Flags objects defined more than once (same kind, namespace and name), on the later definition. */
export default defineRule({
  id: 'duplicate-object',
  category: 'hygiene',
  severity: 'warning',
  description: 'An object is defined more than once in the manifests (same kind, namespace and name).',
  rationale: 'Applying the manifests keeps only the last definition: a policy, Service or workload edited in one copy silently loses '
    + 'to the other, so the cluster runs something other than what the reviewer read. k8snet analyses the last definition, as kubectl apply would leave it.',
  fix: 'Keep one definition: delete the copy, or rename one of them if both are meant to exist.',
  messages: {
    fileRepeated: '{{count}} objects of {{earlierFile}} are defined again in this file, {{first}} first (the others are listed below); applied together, '
      + 'each later definition replaces the earlier one. If the two files are alternatives (variants for different clusters, such as provider/cloud and provider/kind), lint each on its own.',
    differentContent: '{{kind}} {{object}} is defined more than once, with different contents; this later definition replaces the earlier one (attached).',
    sameContent: '{{kind}} {{object}} is defined more than once, identically; this later definition replaces the earlier one (attached).',
  },
  identifyingData: ['definition'],
  check(graph) {
    const reports: RuleReport[] = [];
    const earlierOf = new Map(graph.duplicates.map((duplicate) => [duplicate.object, duplicate.earlier]));
    // Copies written alike (install.yaml beside namespace-install.yaml) are the same without parsing them again.
    const texts = new Map<ManifestObject, string | undefined>();
    const textOf = (definition: ManifestObject) => {
      if (!texts.has(definition)) texts.set(definition, definitionText(definition));
      return texts.get(definition);
    };
    const sameText = (a: ManifestObject, b: ManifestObject) => textOf(a) !== undefined && textOf(a) === textOf(b);
    // Copies that differ in a field the loader kept (an HA variant's replicas) differ without parsing them again either.
    const differing = new Set(graph.duplicates.filter(({ object, earlier }) => !sameText(object, earlier) && keptFieldsDiffer(object.value, earlier.value))
      .map((duplicate) => duplicate.object));
    const contents = canonicalContents(graph.duplicates.filter(({ object, earlier }) => !sameText(object, earlier) && !differing.has(object))
      .flatMap((duplicate) => [duplicate.object, duplicate.earlier]));
    // Each definition's first definition and how many come before it, worked out once: a file
    // that defines one object thousands of times made this walk (and its findings) grow with the cube.
    const chains = new Map<ManifestObject, { first: ManifestObject; count: number }>();
    const chainOf = (definition: ManifestObject): { first: ManifestObject; count: number } => {
      const unresolved: ManifestObject[] = [];
      const visited = new Set<ManifestObject>();
      let current: ManifestObject | undefined = definition;
      while (current && !chains.has(current) && !visited.has(current)) {
        unresolved.push(current);
        visited.add(current);
        current = earlierOf.get(current);
      }
      let known = current && chains.has(current) ? chains.get(current)! : undefined;
      for (let index = unresolved.length - 1; index >= 0; index--) {
        known = known ? { first: known.first, count: known.count + 1 } : { first: unresolved[index], count: 1 };
        chains.set(unresolved[index], known);
      }
      return chains.get(definition)!;
    };
    // One cause, said once: when a file defines again several objects of one other file (a variant
    // of an install manifest beside another), the first of them says so and the rest are its places.
    const fileOf = (definition: ManifestObject) => definition.origin.positions.sourceFile.path;
    const byFilePair = new Map<string, ManifestObject[]>();
    for (const { object, earlier } of graph.duplicates) {
      const key = `${fileOf(earlier)}\u0000${fileOf(object)}`;
      byFilePair.set(key, [...(byFilePair.get(key) ?? []), object]);
    }
    for (const { object, earlier } of graph.duplicates) {
      const filePair = `${fileOf(earlier)}\u0000${fileOf(object)}`;
      const repeated = byFilePair.get(filePair)!;
      // Within one file the copies are said one by one: each is a mistake of its own.
      const grouped = fileOf(earlier) !== fileOf(object) && repeated.length >= MIN_REPEATED_OBJECTS;
      // A third copy's `earlier` is the second: the first definition is named too, and at most
      // MAX_EARLIER_SHOWN of the others, the nearest, with a count of the rest.
      const { first, count } = chainOf(earlier);
      const nearest: ManifestObject[] = [];
      for (let previous: ManifestObject | undefined = earlier; previous && previous !== first && nearest.length < MAX_EARLIER_SHOWN - 1; previous = earlierOf.get(previous)) {
        nearest.unshift(previous);
      }
      const definitions = [first, ...nearest];
      const unnamed = count - definitions.length;
      // The loader keeps only the fields k8snet reads: compare the definitions in full.
      const same = sameText(object, earlier) || (!differing.has(object) && contents.get(object) === contents.get(earlier));
      const name = `${object.kind} ${displayName(object, definitions)}`;
      const isCause = grouped && repeated[0] === object;
      reports.push({
        messageId: isCause ? 'fileRepeated' : same ? 'sameContent' : 'differentContent',
        // Which definition this is (2 for the second): a third copy is a finding of its own.
        data: {
          kind: object.kind, object: displayName(object, definitions), definition: count + 1,
          ...(isCause ? { count: repeated.length, earlierFile: fileOf(earlier), first: `${name} (${same ? 'identical' : 'different contents'})` } : {}),
        },
        ...(grouped ? (isCause
          ? { causeKey: `duplicate-object:${filePair}` }
          : { causedBy: { key: `duplicate-object:${filePair}`, label: `${name} again${same ? ', identical' : ', different contents'}` } }) : {}),
        object,
        path: ['metadata', 'name'],
        related: definitions.map((definition, index) => ({
          object: definition,
          path: ['metadata', 'name'],
          message: index === 0 ? (unnamed > 0 ? `first definition (and ${unnamed} more before the ones below)` : 'first definition') : 'another earlier definition',
        })),
      });
    }
    return reports;
  },
});

/** How many objects one file must define again of another before they are said once, as one cause. */
const MIN_REPEATED_OBJECTS = 3;

/** How many earlier definitions a finding names: the first, and the nearest others. */
const MAX_EARLIER_SHOWN = 3;

/**
 * Names the object `namespace/name` when any definition writes its namespace (one that leaves it out
 * lands in the same namespace, or it would not be a duplicate), else by its name as written.
 */
function displayName(object: ManifestObject, earlier: readonly ManifestObject[]): string {
  const namespace = object.namespace ?? earlier.find((definition) => definition.namespace !== undefined)?.namespace;
  return namespace === undefined ? object.name : `${namespace}/${object.name}`;
}

/**
 * True when two values as the loader kept them differ in a field both kept, so that the complete
 * definitions surely differ too. The loader only leaves mapping keys out (see load/projection.ts):
 * it never changes a value it keeps nor drops a list item, so a kept scalar is the complete
 * value's at the same path, and so are a kept field's type and a kept list's length. A key one
 * value has and the other lacks proves nothing (the other may have been left out), and equal kept
 * fields prove nothing either: only a difference is concluded here.
 */
function keptFieldsDiffer(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return true;
    return a.some((item, index) => keptFieldsDiffer(item, b[index]));
  }
  const aIsMapping = a !== null && typeof a === 'object';
  const bIsMapping = b !== null && typeof b === 'object';
  if (aIsMapping || bIsMapping) {
    if (!aIsMapping || !bIsMapping) return true;
    const other = b as Record<string, unknown>;
    return Object.entries(a as Record<string, unknown>).some(([key, value]) => Object.hasOwn(other, key) && keptFieldsDiffer(value, other[key]));
  }
  return a !== b && !(Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Returns each object's complete value written canonically (mapping keys sorted), so that two
 * definitions are the same when these strings are equal. A document is parsed on its own; a List's
 * items text by text, each text parsed once however many copies it holds (argo-cd's install
 * manifests repeat thousands of objects across a few large files), its documents dropped before the next.
 */
function canonicalContents(objects: readonly ManifestObject[]): Map<ManifestObject, string> {
  const byText = new Map<ManifestObject['origin']['positions'], Set<ManifestObject>>();
  for (const object of objects) {
    const group = byText.get(object.origin.positions);
    if (group) group.add(object);
    else byText.set(object.origin.positions, new Set([object]));
  }
  const contents = new Map<ManifestObject, string>();
  for (const group of byText.values()) {
    const parsed: CompleteDocuments = new Map();
    for (const object of group) contents.set(object, canonical(completeValue(object, parsed)));
  }
  return contents;
}

/** Writes a plain value with its mapping keys sorted; numbers that JSON cannot hold keep their name. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return `#${value}`;
  return JSON.stringify(value) ?? String(value);
}
