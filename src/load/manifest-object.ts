import type { DocumentPositions } from './positions.js';
import { valueAt, type FieldPath } from './path.js';
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
 * Returns the object's value with nothing left out: the loader constructs only the fields k8snet
 * reads, so comparing two definitions of an object (duplicate-object) needs the rest too. Built
 * from the text the object was read from, kept in memory; no file is read again.
 */
export function completeValue(object: ManifestObject): unknown {
  const { positions, indexInPositions, basePath } = object.origin;
  let documents = completeDocuments.get(positions);
  if (!documents) {
    // Once per text: a file that defines an object a thousand times asks a thousand times.
    const yaml = jsYaml();
    const source = positions.sourceText;
    const events = yaml.parseEvents(source, { filename: positions.sourceFile.path });
    // The fields k8snet does not read were never checked for aliases: a billion laughs there is
    // compared as what the loader read of it, not walked in full.
    documents = findAliasBudgetExcess(events, source) ? [] : yaml.constructFromEvents(events, {
      source,
      schema: manifestYamlSchema(),
      json: /\.json$/i.test(positions.sourceFile.path),
    });
    completeDocuments.set(positions, documents);
  }
  return indexInPositions < documents.length ? valueAt(documents[indexInPositions], basePath) : object.value;
}

/** The documents of each text constructed in full, for completeValue, while the text's positions live. */
const completeDocuments = new WeakMap<DocumentPositions, unknown[]>();
