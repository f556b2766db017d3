import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';
import { useScalarDecoder } from './positions.js';

let loaded: typeof JsYaml | undefined;

/**
 * Returns js-yaml, loaded on first use through `require`: the CommonJS build loads faster than
 * the ESM graph, and commands such as `--help` never pay for it at all.
 */
export function jsYaml(): typeof JsYaml {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('js-yaml') as typeof JsYaml;
    useScalarDecoder(loaded.getScalarValue);
  }
  return loaded;
}

let manifestSchema: JsYaml.Schema | undefined;

/** The YAML schema manifests are read with: YAML 1.2 core plus merge keys, which kubectl accepts. */
export function manifestYamlSchema(): JsYaml.Schema {
  if (!manifestSchema) {
    const yaml = jsYaml();
    manifestSchema = yaml.CORE_SCHEMA.withTags(yaml.mergeTag);
  }
  return manifestSchema;
}
