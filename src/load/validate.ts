import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { KIND_SCHEMAS } from './schemas.js';
import { describeSchemaError } from './schema-messages.js';
import type { FieldPath } from './path.js';

/** A schema violation: the field and one plain sentence about it. */
export interface SchemaViolation {
  readonly path: FieldPath;
  readonly message: string;
}

/** A compiled validator, as ajv produces it (at run time or as standalone code). */
export interface KindValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const validators = new Map<string, KindValidator>();
let ajv: import('ajv').Ajv | undefined;

/**
 * Returns the validator `npm run build` compiled into standalone code for `name` (a kind, or the
 * configuration's), loading its file on first use; undefined when the build has not run.
 */
export function precompiledValidator(name: string): KindValidator | undefined {
  try {
    const module = createRequire(import.meta.url)(fileURLToPath(new URL(`../../generated/validators/${name}.cjs`, import.meta.url))) as { validate?: KindValidator };
    return typeof module.validate === 'function' ? module.validate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the validator of a kind: precompiled (no schema compilation at start-up, only the kinds
 * met are loaded), or, when the build has not run, as under ts-jest, compiled with ajv once.
 */
function validatorOf(kind: string): KindValidator | undefined {
  let validate = validators.get(kind);
  if (!validate) {
    if (!Object.hasOwn(KIND_SCHEMAS, kind)) return undefined;
    validate = precompiledValidator(kind) ?? compileValidator(kind);
    validators.set(kind, validate);
  }
  return validate;
}

/**
 * Compiles one kind schema with ajv, when it is first needed: a test file that meets three kinds
 * compiles three schemas, not all of them (which took over half a second in every such file).
 */
function compileValidator(kind: string): KindValidator {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    // Every error, as the API server reports every invalid field of an object at once.
    ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  }
  return ajv.compile(KIND_SCHEMAS[kind]) as KindValidator;
}

/**
 * Returns every schema violation of `value` as an object of the kind whose schema is `schema`
 * (a key of KIND_SCHEMAS), one per field, in the order of the schema; none when it is valid.
 */
export function validateObject(schema: string, value: unknown, writtenAt?: (path: FieldPath) => string | undefined): SchemaViolation[] {
  const validate = validatorOf(schema);
  if (!validate || validate(value)) return [];
  return describeSchemaErrors(validate.errors ?? [], value, schema, writtenAt);
}

/**
 * Describes ajv's errors once per field: an int-or-string field reports an error per branch and
 * one of its own, and a field may break several keywords at once (a label value too long and of
 * the wrong characters); the first error of a field is described, from the field's value.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], value: unknown, schema: string, writtenAt?: (path: FieldPath) => string | undefined): SchemaViolation[] {
  const composite = new Set(errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').map((error) => error.instancePath));
  const seen = new Set<string>();
  const violations: SchemaViolation[] = [];
  for (const error of errors) {
    // propertyNames reports the name's own error (with the name) and then one of its own.
    if (error.keyword === 'propertyNames') continue;
    const name = (error as ErrorObject & { propertyName?: string }).propertyName;
    const key = composite.has(error.instancePath) ? error.instancePath
      : `${error.instancePath}\u0000${error.keyword === 'required' ? String(error.params.missingProperty) : ''}\u0000${name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(describeSchemaError(error, value, schema, writtenAt));
  }
  return violations;
}
