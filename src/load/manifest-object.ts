import type { DocumentPositions } from './positions.js';
import { valueAt, type FieldPath } from './path.js';
import { parseEventsAsGoYaml } from './go-yaml-text.js';
import { jsYaml, manifestYamlSchema } from './yaml.js';
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
  const yaml = jsYaml();
  const source = positions.sourceText;
  const isJson = /\.json$/i.test(positions.sourceFile.path);
  const filename = positions.sourceFile.path;
  const events = isJson ? yaml.parseEvents(source, { filename }) : parseEventsAsGoYaml(yaml, source, filename);
  // A key written twice keeps its last value, as when the object was loaded.
  const documents = yaml.constructFromEvents(events, { source, schema: manifestYamlSchema(), json: true });
  return valueAt(documents[indexInPositions], basePath);
}

/**
 * {@link completeValue} for many objects, parsing each source text once: operators' custom
 * resources declared in `.k8snet.yaml` are read in full, and a cluster dump holds hundreds of them
 * in one file.
 */
export function completeValues(objects: readonly ManifestObject[]): Map<ManifestObject, unknown> {
  const values = new Map<ManifestObject, unknown>();
  const documentsOf = new Map<string, unknown[]>();
  for (const object of objects) {
    const { positions, indexInPositions, basePath } = object.origin;
    const source = positions.sourceText;
    let documents = documentsOf.get(source);
    if (!documents) {
      const yaml = jsYaml();
      documents = yaml.constructFromEvents(yaml.parseEvents(source, { filename: positions.sourceFile.path }), {
        source,
        schema: manifestYamlSchema(),
        json: /\.json$/i.test(positions.sourceFile.path),
      }) as unknown[];
      documentsOf.set(source, documents);
    }
    values.set(object, valueAt(documents[indexInPositions], basePath));
  }
  return values;
}
