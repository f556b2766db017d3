import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';
import { goYamlSchema } from './go-yaml.js';
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

/**
 * The YAML schema manifests are read with: the values kubectl gives them, which are go-yaml v2's
 * (YAML 1.1 booleans and octals, timestamps as kubectl sends them, merge keys, any tag); see go-yaml.ts.
 */
export function manifestYamlSchema(): JsYaml.Schema {
  if (!manifestSchema) manifestSchema = goYamlSchema(jsYaml());
  return manifestSchema;
}

let configSchema: JsYaml.Schema | undefined;

/** The YAML schema k8snet's own configuration is read with: YAML 1.2 core (`off` is a word, not false). */
export function configYamlSchema(): JsYaml.Schema {
  if (!configSchema) {
    const yaml = jsYaml();
    configSchema = yaml.CORE_SCHEMA.withTags(yaml.mergeTag);
  }
  return configSchema;
}
