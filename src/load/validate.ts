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
let compiled: ReadonlyMap<string, KindValidator> | undefined;

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
    validate = precompiledValidator(kind) ?? (compiled ??= compileValidators()).get(kind)!;
    validators.set(kind, validate);
  }
  return validate;
}

/** Compiles every kind schema with ajv (once per process). */
export function compileValidators(): ReadonlyMap<string, KindValidator> {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: false, strict: false });
  return new Map(Object.entries(KIND_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema) as KindValidator]));
}

/** Returns the first schema violation of `value` as an object of `kind`, or undefined when valid. */
export function validateObject(kind: string, value: unknown): SchemaViolation | undefined {
  const validate = validatorOf(kind);
  if (!validate || validate(value)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return undefined;
  return describeSchemaError(error, value, kind);
}
