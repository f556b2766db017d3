/**
 * The JSON-schema pieces every kind schema module shares (schemas.ts and the dialects' cilium-,
 * istio-, calico- and gateway-api-schemas.ts): the patterns the API server checks names, labels and
 * ports with, the leaf shapes, object metadata, and the way a kind schema embeds the definitions
 * it reaches. A module of its own, so that the dialect modules, which schemas.ts imports, need not
 * import schemas.ts.
 *
 * The `description` of a schema node is the phrase used by schema-messages.ts after "must be",
 * e.g. "an integer from 1 to 65535"; keep it a noun phrase.
 */

/** A JSON-schema node (draft-07). */
export type Schema = { readonly [keyword: string]: unknown };

/** IANA_SVC_NAME, as the API server checks container port names and named target ports. */
export const PORT_NAME_PATTERN = '^(?=.{1,15}$)(?!.*--)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
/** A DNS-1123 subdomain (most object names): lowercase alphanumerics, '-' and '.', at most 253 characters. */
export const DNS_SUBDOMAIN_PATTERN = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A DNS-1123 label (namespace names, container names): lowercase alphanumerics and '-', at most 63 characters. */
export const DNS_LABEL_PATTERN = '^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter. */
export const DNS_1035_LABEL_PATTERN = '^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$';
/** A label key (a qualified name): an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export const LABEL_KEY_PATTERN = '^(?:(?=[^/]{1,253}/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(?=[^/]{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
/** An annotation key: a qualified name checked in lower case, so its prefix may have capitals. */
export const ANNOTATION_KEY_PATTERN = '^(?:(?=[^/]{1,253}/)[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*/)?(?=[^/]{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
/** A label value: empty, or at most 63 alphanumerics, '-', '_' and '.', beginning and ending with an alphanumeric. */
export const LABEL_VALUE_PATTERN = '^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** The largest int32, the type of replicas, counts and ports in the API. */
export const INT32_MAX = 2147483647;

/** A reference to the definition `name`. */
export const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

/** Accepts `null` as well: an optional field left empty in YAML, which kubectl treats as absent. */
export function orNull(schema: Schema): Schema {
  const result: Record<string, unknown> = { ...schema };
  if (typeof schema.type === 'string') result.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) result.type = [...schema.type, 'null'];
  if (Array.isArray(schema.enum)) result.enum = [...schema.enum, null];
  return result;
}

/** An optional list of `items`, of at most `maxItems` when given. */
export const listOf = (items: Schema, description = 'a list', maxItems?: number): Schema => ({
  type: ['array', 'null'], description, items, ...(maxItems !== undefined ? { maxItems } : {}),
});

/** An optional field holding one of `values`. */
export const oneOfValues = (values: readonly (string | number)[]): Schema => ({ enum: [...values, null], description: `one of ${values.join(', ')}` });

/** A string. */
export const STRING: Schema = { type: 'string' };
/** An optional string. */
export const OPT_STRING = orNull(STRING);
/** An optional boolean. */
export const OPT_BOOLEAN: Schema = { type: ['boolean', 'null'], description: 'true or false' };
/** An optional mapping of any shape. */
export const OPT_MAPPING: Schema = { type: ['object', 'null'], description: 'a mapping' };
/** An optional list of strings. */
export const OPT_STRINGS = listOf(STRING, 'a list of strings');
/** A TCP, UDP or SCTP port number, as Kubernetes types ports. */
export const PORT_NUMBER: Schema = { type: 'integer', minimum: 1, maximum: 65535, description: 'an integer from 1 to 65535' };
/** An optional {@link PORT_NUMBER}. */
export const OPT_PORT_NUMBER = orNull(PORT_NUMBER);

/**
 * A label selector as custom resources' CRDs declare it: metav1.LabelSelector's shape without the
 * API server's label checks, which it applies to the built-in kinds' selectors only.
 */
export const UNCHECKED_LABEL_SELECTOR: Schema = {
  type: ['object', 'null'],
  description: 'a mapping (a label selector)',
  properties: {
    matchLabels: ref('stringMap'),
    matchExpressions: listOf({
      type: 'object',
      description: 'a mapping with key, operator and values',
      required: ['key', 'operator'],
      properties: { key: STRING, operator: STRING, values: OPT_STRINGS },
    }),
  },
};

/**
 * Object metadata whose name follows `namePattern` (at most `maxNameLength` characters when
 * shorter than the pattern allows), or any string when no pattern is given (a kind whose graph
 * builder checks names by rules of its own). The name's presence is the loader's to check.
 */
export function objectMeta(namePattern?: string, maxNameLength?: number): Schema {
  return {
    type: 'object',
    description: 'a mapping (object metadata)',
    properties: {
      name: {
        type: 'string',
        ...(namePattern !== undefined ? { pattern: namePattern } : {}),
        ...(maxNameLength !== undefined ? { maxLength: maxNameLength } : {}),
      },
      generateName: OPT_STRING,
      // `namespace: ""` is the current namespace, as if it were not written.
      namespace: orNull({ type: 'string', pattern: `^$|${DNS_LABEL_PATTERN}`, description: 'a DNS-1123 label' }),
      labels: ref('labels'),
      annotations: ref('annotations'),
      ownerReferences: listOf(ref('ownerReference')),
      // Read by route-hostname-conflict (the oldest route wins); `null` in kubectl's dry-run output.
      creationTimestamp: OPT_STRING,
    },
  };
}

/**
 * The definitions object metadata refers to, and `objectMeta` itself: the checks the API server
 * makes of every object's metadata, custom resources' included (a name that is a DNS-1123
 * subdomain, a namespace that is a DNS-1123 label, labels and annotation keys as it checks them).
 */
export const METADATA_DEFINITIONS: Readonly<Record<string, Schema>> = {
  stringMap: {
    type: ['object', 'null'],
    description: 'a mapping of keys to string values',
    additionalProperties: STRING,
  },
  /** Labels, and the maps that select by labels (matchLabels, a Service's selector, nodeSelector). */
  labels: {
    type: ['object', 'null'],
    description: 'a mapping of label keys to string values',
    propertyNames: { pattern: LABEL_KEY_PATTERN },
    additionalProperties: { type: 'string', pattern: LABEL_VALUE_PATTERN },
  },
  annotations: {
    type: ['object', 'null'],
    description: 'a mapping of annotation keys to string values',
    propertyNames: { pattern: ANNOTATION_KEY_PATTERN },
    additionalProperties: STRING,
  },
  ownerReference: {
    type: 'object',
    description: 'a mapping (an owner reference)',
    properties: { apiVersion: OPT_STRING, kind: OPT_STRING, name: OPT_STRING, uid: OPT_STRING, controller: OPT_BOOLEAN },
  },
  /** Metadata of objects named with a DNS subdomain (most kinds, and every custom resource), and of pod templates. */
  objectMeta: objectMeta(DNS_SUBDOMAIN_PATTERN),
};

/** Makes the top-level schema of a kind from its metadata definition's name and its other fields (spec, status...). */
export type KindSchemaMaker = (fields?: Readonly<Record<string, Schema>>, metadata?: string) => object;

/**
 * Returns the maker of kind schemas over `definitions`: each kind schema embeds the definitions it
 * reaches, directly or through other definitions, and no others. `source` names the module in
 * the error a missing definition throws (a programming error, met when the module loads).
 */
export function kindSchemaMaker(definitions: Readonly<Record<string, Schema>>, source: string): KindSchemaMaker {
  const reachableDefinitions = (schema: unknown): Record<string, Schema> => {
    const found: Record<string, Schema> = {};
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
      } else if (typeof node === 'object' && node !== null) {
        // Keys first: reading `definitions` would run the getter below, which calls this.
        for (const key of Object.keys(node)) {
          if (key === 'definitions') continue;
          const value = (node as Record<string, unknown>)[key];
          if (key === '$ref' && typeof value === 'string') {
            const name = value.replace('#/definitions/', '');
            const definition = definitions[name];
            if (!definition) throw new Error(`${source}: no definition ${value}`);
            if (!(name in found)) {
              found[name] = definition;
              visit(definition);
            }
          } else {
            visit(value);
          }
        }
      }
    };
    visit(schema);
    return found;
  };
  return (fields = {}, metadata = 'objectMeta') => {
    const root: Record<string, unknown> = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      description: 'a mapping (a Kubernetes object)',
      properties: { metadata: ref(metadata), ...fields },
    };
    // Worked out on first read: every kind schema is made when the module loads, and a run that
    // validates with the precompiled validators never reads them (walking them all cost ~8 ms).
    let definitions: Record<string, Schema> | undefined;
    Object.defineProperty(root, 'definitions', { enumerable: true, get: () => (definitions ??= reachableDefinitions(root)) });
    return root;
  };
}
