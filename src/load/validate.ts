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

let validators: ReadonlyMap<string, KindValidator> | undefined;

/**
 * Loads the validators `npm run build` compiled into standalone code (no schema compilation at
 * start-up); when they are absent, as under ts-jest, compiles the schemas with ajv once.
 */
function compiledValidators(): ReadonlyMap<string, KindValidator> {
  if (validators) return validators;
  const require = createRequire(import.meta.url);
  try {
    const generated = require(fileURLToPath(new URL('../../generated/validators.cjs', import.meta.url))) as Record<string, KindValidator>;
    validators = new Map(Object.keys(KIND_SCHEMAS).map((kind) => [kind, generated[kind]]));
    if ([...validators.values()].every((validate) => typeof validate === 'function')) return validators;
  } catch {
    // Not built: fall through to compiling at run time.
  }
  validators = compileValidators();
  return validators;
}

/** Compiles every kind schema with ajv (once per process). */
export function compileValidators(): ReadonlyMap<string, KindValidator> {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: false, strict: false });
  return new Map(Object.entries(KIND_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema) as KindValidator]));
}

/** Returns the first schema violation of `value` as an object of `kind`, or undefined when valid. */
export function validateObject(kind: string, value: unknown): SchemaViolation | undefined {
  const validate = compiledValidators().get(kind);
  if (!validate || validate(value)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return undefined;
  return describeSchemaError(error, value, kind);
}
