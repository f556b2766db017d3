import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { KIND_SCHEMAS } from './schemas.js';
import { describeSchemaError } from './schema-messages.js';
import type { FieldPath } from './path.js';

/** A schema violation: the field and one plain sentence about it. */
export interface SchemaViolation {
  readonly path: FieldPath;
  readonly message: string;
}

let validators: Map<string, ValidateFunction> | undefined;

function compiledValidators(): Map<string, ValidateFunction> {
  if (validators) return validators;
  // Compiled once per process and shared by every object of the kind.
  const ajv = new Ajv({ allErrors: false, strict: false });
  validators = new Map();
  for (const [kind, schema] of Object.entries(KIND_SCHEMAS)) validators.set(kind, ajv.compile(schema));
  return validators;
}

/** Returns the first schema violation of `value` as an object of `kind`, or undefined when valid. */
export function validateObject(kind: string, value: unknown): SchemaViolation | undefined {
  const validate = compiledValidators().get(kind);
  if (!validate || validate(value)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return undefined;
  return describeSchemaError(error, value);
}
