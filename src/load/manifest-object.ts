import type { DocumentPositions } from './positions.js';
import { valueAt, type FieldPath } from './path.js';
import { parseEventsAsGoYaml } from './go-yaml-text.js';
import { jsYaml, manifestYamlSchema } from './yaml.js';
import { findAliasBudgetExcess } from './alias-budget.js';
import type { SourceLocation } from '../finding.js';

/** Where an object came from: its file, its document, and its path inside a `List`. */
export interface ObjectOrigin {
  readonly file: string;
  readonly documentIndex: number;
  /** Path of the object inside its document: `[]`, or `['items', 3]` for a list item. */
  readonly basePath: FieldPath;
  readonly positions: DocumentPositions;
  readonly indexInPositions: number;
}

/** A Kubernetes object as read from the manifests: its identity, its plain value and its origin. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace` as written, or undefined when absent. */
  readonly namespace: string | undefined;
  readonly value: Readonly<Record<string, unknown>>;
  readonly origin: ObjectOrigin;
}

/** Returns the source location of `path` inside the object, or its nearest ancestor's. */
export function locateField(origin: ObjectOrigin, path: FieldPath = []): SourceLocation {
  return origin.positions.locate(origin.indexInPositions, [...origin.basePath, ...path]).location;
}

/**
 * The documents of each text already constructed in full by {@link completeValue}: a caller that
 * completes many objects (duplicate-object, with thousands of copies in one large file) passes one,
 * so that each text is parsed once rather than once per object.
 */
export type CompleteDocuments = Map<DocumentPositions, readonly unknown[]>;

/**
 * Returns the object's value with nothing left out: the loader constructs only the fields k8snet
 * reads, so comparing two definitions of an object (duplicate-object) needs the rest too. Built
 * from the text the object was read from, kept in memory; no file is read again.
 */
export function completeValue(object: ManifestObject, parsed?: CompleteDocuments): unknown {
  const { positions, indexInPositions, basePath } = object.origin;
  const alone = basePath.length === 0 ? documentAlone(positions, indexInPositions) : undefined;
  if (alone !== undefined) return alone.value;
  let documents = parsed?.get(positions);
  if (!documents) {
    documents = constructInFull(positions.sourceText, positions.sourceFile.path) ?? [];
    parsed?.set(positions, documents);
  }
  return indexInPositions < documents.length ? valueAt(documents[indexInPositions], basePath) : object.value;
}

/**
 * Constructs every document of a text in full, as the loader reads it: YAML as go-yaml (and so
 * kubectl) reads it, and a key written twice keeps its last value, as when the object was loaded.
 * Undefined when its aliases would bring in more than the loader's budget: the fields k8snet does
 * not read were never checked for aliases, and a billion laughs there is compared as what the
 * loader read of it, not walked in full.
 */
function constructInFull(source: string, filename: string): unknown[] | undefined {
  const yaml = jsYaml();
  const events = /\.json$/i.test(filename) ? yaml.parseEvents(source, { filename }) : parseEventsAsGoYaml(yaml, source, filename);
  if (findAliasBudgetExcess(events, source)) return undefined;
  return yaml.constructFromEvents(events, { source, schema: manifestYamlSchema(), json: true }) as unknown[];
}

/**
 * {@link completeValue} for many objects, parsing each source text once: operators' custom
 * resources declared in `.k8snet.yaml` are read in full, and a cluster dump holds hundreds of them
 * in one file.
 */
export function completeValues(objects: readonly ManifestObject[]): Map<ManifestObject, unknown> {
  const values = new Map<ManifestObject, unknown>();
  const parsed: CompleteDocuments = new Map();
  for (const object of objects) values.set(object, completeValue(object, parsed));
  return values;
}

/**
 * Returns the text of an object that two definitions can be compared by: equal texts hold equal
 * values (see DocumentPositions.documentExtent). An item of a List carries its indentation in
 * front, since the same text at another indentation may read otherwise. Undefined when the text
 * may use an anchor defined outside it (an alias, in a text that defines anchors): the same alias
 * can stand for different values in two places.
 */
export function definitionText(object: ManifestObject): string | undefined {
  const { positions, indexInPositions, basePath } = object.origin;
  const extent = positions.documentExtent(indexInPositions, basePath);
  if (!extent) return undefined;
  const text = positions.sourceText;
  const definition = text.slice(extent.start, extent.contentEnd);
  if (definition.includes('*') && text.includes('&')) return undefined;
  const indentation = basePath.length === 0 ? 0 : extent.start - (text.lastIndexOf('\n', extent.start - 1) + 1);
  return `${indentation} ${definition}`;
}

/**
 * Constructs one document of a text on its own, from its root to the next document's: a file of
 * thousands of documents is not parsed whole for one of them. Undefined when the document cannot
 * stand alone (an alias to its root's anchor, a directive of the next document): the caller then
 * parses the whole text.
 */
function documentAlone(positions: DocumentPositions, documentIndex: number): { value: unknown } | undefined {
  const extent = positions.documentExtent(documentIndex);
  if (!extent) return undefined;
  try {
    const documents = constructInFull(positions.sourceText.slice(extent.start, extent.end), positions.sourceFile.path);
    return documents && documents.length > 0 ? { value: documents[0] } : undefined;
  } catch {
    return undefined;
  }
}
