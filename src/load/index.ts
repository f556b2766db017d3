import fs from 'node:fs';
import { discoverInputs, describeFsError, type InputSource } from './discover.js';
import { MAX_FILE_BYTES, fileFinding, findTemplateAction, parseBytes, tooLargeFinding, type FileOutcome, type ParsedDocument } from './parse-text.js';
import { SourceFile } from './source-file.js';
import { INPUT_RULES, type InputRule } from './input-rules.js';
import { MODELLED_KINDS, isBuiltInOpaqueKind, isOperatorWorkloadKind, isToolConfig, modelledGroupKind, schemaName, suggestKind } from './kinds.js';
import { locateField, type ManifestObject, type ObjectOrigin } from './manifest-object.js';
import { formatPath, type FieldPath } from './path.js';
import { validateObject } from './validate.js';
import { CALICO_POLICY_KINDS, isCalicoGroupKind } from './calico-kinds.js';
import type { Finding } from '../finding.js';

export type { ManifestObject, ObjectOrigin } from './manifest-object.js';
export { locateField } from './manifest-object.js';

/** What the loader returns: every object read, every problem met, and the files it read. */
export interface LoadResult {
  readonly objects: readonly ManifestObject[];
  readonly findings: readonly Finding[];
  /** Every input read, parsed or not. */
  readonly files: readonly string[];
  /** Inputs read but not parsed, because `isRelevant` said their objects cannot matter. */
  readonly unparsedFiles: readonly string[];
}

/** How the loader reaches the outside world; the CLI supplies standard input. */
export interface LoadOptions {
  /** Returns the bytes of standard input; called at most once, when a path is `-`. */
  readonly readStdin?: () => Buffer;
  /**
   * Decides from a file's raw bytes whether any object in it can matter to the question asked
   * (a `can-reach` between two namespaces); files it rejects are read but not parsed. It must only
   * reject a file when no object in it can matter, whatever the file holds. The bytes are valid
   * during the call only (the next file is read into the same buffer).
   */
  readonly isRelevant?: (bytes: Buffer) => boolean;
  /** Custom kinds `.k8snet.yaml` declares as operator workloads (`workloads:`): analysed, so not reported as unknown. */
  readonly isDeclaredWorkloadKind?: (apiVersion: string, kind: string) => boolean;
}

/**
 * Reads the given paths (files, folders, `-`) into Kubernetes objects with their origins.
 * Nothing stops the run: each unreadable file, syntax error or invalid object becomes a
 * finding with file:line:column and the other inputs are still loaded.
 */
export function loadPaths(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const { inputs, problems } = discoverInputs(paths);
  const findings: Finding[] = problems.map((problem) =>
    fileFinding(INPUT_RULES.unreadable, new SourceFile(problem.path, ''), 1, 1, problem.message));
  const collector = new ObjectCollector(findings, options.isDeclaredWorkloadKind);
  const reader = new FileReader();
  const files: string[] = [];
  const unparsedFiles: string[] = [];
  // Standard input can be read once; `-` given twice means the same stream.
  let stdin: Buffer | undefined;
  const readStdin = options.readStdin;
  const inputOptions: LoadOptions = { ...options, ...(readStdin ? { readStdin: () => (stdin ??= readStdin()) } : {}) };
  for (const input of inputs) {
    if (input.kind === 'stdin' && files.includes('<stdin>')) continue;
    const displayPath = input.kind === 'stdin' ? '<stdin>' : input.path;
    const bytes = readInput(input, inputOptions, reader, findings);
    if (!bytes) continue;
    files.push(displayPath);
    if (options.isRelevant && !options.isRelevant(bytes)) {
      unparsedFiles.push(displayPath);
      continue;
    }
    collector.addText(displayPath, bytes);
  }
  collector.reportUnknownKinds();
  return { objects: collector.objects, findings, files, unparsedFiles };
}

/** Loads manifests from in-memory texts, as the tests and `diff` against git revisions do. */
export function loadTexts(texts: readonly { path: string; text: string }[], options: Pick<LoadOptions, 'isDeclaredWorkloadKind'> = {}): LoadResult {
  const findings: Finding[] = [];
  const collector = new ObjectCollector(findings, options.isDeclaredWorkloadKind);
  for (const { path, text } of texts) collector.addText(path, Buffer.from(text, 'utf8'));
  collector.reportUnknownKinds();
  return { objects: collector.objects, findings, files: texts.map((text) => text.path), unparsedFiles: [] };
}

function readInput(input: InputSource, options: LoadOptions, reader: FileReader, findings: Finding[]): Buffer | undefined {
  const displayPath = input.kind === 'stdin' ? '<stdin>' : input.path;
  try {
    if (input.kind === 'stdin') {
      if (!options.readStdin) throw Object.assign(new Error('standard input is not available'), { code: 'ENOSTDIN' });
      return options.readStdin();
    }
    const bytes = reader.read(input.path);
    if ('tooLarge' in bytes) {
      findings.push(tooLargeFinding(displayPath, bytes.tooLarge));
      return undefined;
    }
    return bytes;
  } catch (error) {
    findings.push(fileFinding(INPUT_RULES.unreadable, new SourceFile(displayPath, ''), 1, 1, describeFsError(error, displayPath)));
    return undefined;
  }
}

/**
 * Reads the files of one load into one buffer, grown as needed up to the size limit: a file's
 * bytes are decoded before the next file is read, and a buffer of its own per file (as
 * readFileSync makes) costs a stat, an allocation and fresh memory each. The buffer goes when
 * the load ends.
 */
class FileReader {
  private buffer = Buffer.allocUnsafeSlow(1 << 20);

  /**
   * The bytes of a file, valid until the next call; or, for a file over the size limit (read no
   * further), its size when the file system knows it (not for pipes and devices).
   */
  read(path: string): Buffer | { readonly tooLarge: number | undefined } {
    const descriptor = fs.openSync(path, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          if (length > MAX_FILE_BYTES) {
            const stats = fs.fstatSync(descriptor);
            return { tooLarge: stats.isFile() && stats.size >= length ? stats.size : undefined };
          }
          const larger = Buffer.allocUnsafeSlow(Math.min(this.buffer.length * 2, MAX_FILE_BYTES + 1));
          this.buffer.copy(larger, 0, 0, length);
          this.buffer = larger;
        }
        const read = fs.readSync(descriptor, this.buffer, length, this.buffer.length - length, null);
        if (read === 0) return this.buffer.subarray(0, length);
        length += read;
      }
    } finally {
      fs.closeSync(descriptor);
    }
  }
}

interface UnknownKindTally {
  apiVersion: string;
  count: number;
  first: ObjectOrigin;
}

/** Turns parsed documents into objects: unpacks lists, checks identity fields and schemas. */
class ObjectCollector {
  readonly objects: ManifestObject[] = [];
  private readonly unknownKinds = new Map<string, UnknownKindTally>();
  private readonly toolConfigs = new Map<string, UnknownKindTally>();

  constructor(
    private readonly findings: Finding[],
    private readonly isDeclaredWorkloadKind: (apiVersion: string, kind: string) => boolean = () => false,
  ) {}

  addText(displayPath: string, bytes: Buffer): void {
    this.addOutcome(parseBytes(displayPath, bytes));
  }

  /** Collects the objects of one parsed file. */
  addOutcome(outcome: FileOutcome): void {
    if ('finding' in outcome) {
      this.findings.push(outcome.finding);
      return;
    }
    const parsed = outcome;
    const file = parsed.file;
    const displayPath = file.path;
    this.findings.push(...parsed.findings);
    let objectCount = 0;
    for (const document of parsed.documents) objectCount += this.addDocument(file, document);
    if (objectCount === 0 && parsed.findings.length === 0 && parsed.documents.every((document) => document.value == null)) {
      this.findings.push(fileFinding(INPUT_RULES.empty, file, 1, 1,
        `${displayPath} holds no Kubernetes object (it is empty or only comments).`));
    }
  }

  private addDocument(file: SourceFile, document: ParsedDocument): number {
    if (document.value == null) return 0;
    const origin: ObjectOrigin = {
      file: file.path,
      documentIndex: document.documentIndex,
      basePath: [],
      positions: document.positions,
      indexInPositions: document.indexInPositions,
    };
    if (!isMapping(document.value)) {
      const what = Array.isArray(document.value) ? 'a list' : `a ${typeof document.value} value`;
      this.report(INPUT_RULES.notObject, origin, [],
        `Document ${document.documentIndex + 1} of ${file.path} is ${what}, not a Kubernetes object; wrap several objects in 'kind: List' with 'items'.`);
      return 0;
    }
    return this.addValue(document.value, origin, undefined);
  }

  private addValue(value: Record<string, unknown>, origin: ObjectOrigin, listKind: { kind: string; apiVersion: unknown } | undefined): number {
    let kind = value.kind;
    let apiVersion = value.apiVersion;
    // `kubectl get pods -o json` items may omit kind and apiVersion; the list's kind implies them.
    if (kind === undefined && listKind && listKind.kind !== 'List' && listKind.kind.endsWith('List')) {
      kind = listKind.kind.slice(0, -'List'.length);
      apiVersion ??= listKind.apiVersion;
    }
    if (typeof kind === 'string' && (kind === 'List' || kind.endsWith('List')) && (Array.isArray(value.items) || value.items == null)) {
      return this.addListItems(value, kind, origin);
    }
    if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
      const missing = [typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : '', typeof kind !== 'string' || kind === '' ? 'kind' : '']
        .filter(Boolean).join(' and ');
      const name = nameOf(value);
      this.report(INPUT_RULES.missingKind, origin, [],
        `${name ? `Object '${name}'` : 'An object'} has no ${missing}; it was not loaded.`);
      return 0;
    }
    const metadata = isMapping(value.metadata) ? value.metadata : undefined;
    if (isToolConfig(apiVersion)) {
      this.tally(this.toolConfigs, kind, apiVersion, origin);
      this.objects.push({ apiVersion, kind, name: typeof metadata?.name === 'string' ? metadata.name : '', namespace: undefined, value, origin });
      return 1;
    }
    const name = metadata?.name;
    if (typeof name !== 'string' || name === '') {
      this.report(INPUT_RULES.missingName, origin, metadata ? ['metadata'] : [],
        `${kind} has no metadata.name${typeof metadata?.generateName === 'string' ? ` (generateName '${metadata.generateName}' is resolved only by the API server)` : ''}; it was not loaded.`);
      return 0;
    }
    const templateField = findTemplatedMetadata(metadata!);
    if (templateField) {
      this.report(INPUT_RULES.helmTemplate, origin, ['metadata', ...templateField],
        `${kind} ${name} has an unrendered template in metadata.${formatPath(templateField)}; render the chart before linting.`);
      return 0;
    }
    const groupKind = modelledGroupKind(apiVersion, kind);
    if (groupKind || MODELLED_KINDS.has(kind)) {
      const violation = validateObject(groupKind ? schemaName(groupKind) : kind, value);
      if (violation) {
        // The API server rejects the whole object. A policy read in part could allow or deny the
        // wrong traffic, so it is left out; other kinds are kept, read defensively, so their pods
        // and ports still take part in the analysis while the error is reported.
        const isPolicy = kind === 'NetworkPolicy' || (isCalicoGroupKind(groupKind) && CALICO_POLICY_KINDS.has(kind));
        const consequence = isPolicy
          ? 'the API server rejects this policy, so k8snet leaves it out'
          : 'the API server rejects this object; k8snet reads the rest of it';
        this.report(INPUT_RULES.schema, origin, violation.path, `${kind} ${qualifiedName(metadata!)}: ${violation.message}; ${consequence}.`);
        if (isPolicy) return 0;
      }
    } else if (!isBuiltInOpaqueKind(kind) && !isOperatorWorkloadKind(apiVersion, kind) && !this.isDeclaredWorkloadKind(apiVersion, kind)) {
      const suggestion = suggestKind(kind);
      if (suggestion) {
        this.report({ ...INPUT_RULES.unknownKind, severity: 'warning' }, origin, ['kind'],
          `Unknown kind '${kind}' for ${qualifiedName(metadata!)}; did you mean ${suggestion}? It is kept but not analysed.`);
      } else {
        this.tally(this.unknownKinds, kind, apiVersion, origin);
      }
    }
    const namespace = metadata!.namespace;
    this.objects.push({
      apiVersion,
      kind,
      name,
      namespace: typeof namespace === 'string' && namespace !== '' ? namespace : undefined,
      value,
      origin,
    });
    return 1;
  }

  private addListItems(list: Record<string, unknown>, kind: string, origin: ObjectOrigin): number {
    let count = 0;
    ((list.items ?? []) as unknown[]).forEach((item, index) => {
      const itemOrigin: ObjectOrigin = { ...origin, basePath: [...origin.basePath, 'items', index] };
      if (!isMapping(item)) {
        this.report(INPUT_RULES.notObject, itemOrigin, [], `items[${index}] of this ${kind} is not a Kubernetes object.`);
        return;
      }
      count += this.addValue(item, itemOrigin, { kind, apiVersion: list.apiVersion });
    });
    return count;
  }

  private tally(tallies: Map<string, UnknownKindTally>, kind: string, apiVersion: string, origin: ObjectOrigin): void {
    const tally = tallies.get(kind);
    if (tally) tally.count++;
    else tallies.set(kind, { apiVersion, count: 1, first: origin });
  }

  /** Summarises custom kinds once per kind, so a folder of CRDs does not drown real findings. */
  reportUnknownKinds(): void {
    for (const [kind, tally] of this.toolConfigs) {
      const others = tally.count > 1 ? ` (and ${tally.count - 1} more like it)` : '';
      const hint = kind === 'Kustomization' || kind === 'Component'
        ? '; to analyse what it builds, run kustomize build DIR | k8snet lint -'
        : '; k8snet reads cluster facts from it but it is not a Kubernetes object';
      this.report(INPUT_RULES.toolConfig, tally.first, ['kind'],
        `${kind} (${tally.apiVersion}) is tool configuration, not a manifest${hint}${others}.`);
    }
    for (const [kind, tally] of this.unknownKinds) {
      const others = tally.count > 1 ? ` (and ${tally.count - 1} more object${tally.count > 2 ? 's' : ''} of this kind)` : '';
      this.report(INPUT_RULES.unknownKind, tally.first, ['kind'],
        `Kind ${kind} (${tally.apiVersion}) is not a built-in kind; k8snet keeps it but does not analyse it${others}.`);
    }
  }

  private report(rule: InputRule, origin: ObjectOrigin, path: FieldPath, message: string): void {
    this.findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message,
      location: locateField(origin, path),
      path: formatPath(path),
      why: rule.why,
      fix: rule.fix,
    });
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(value: Record<string, unknown>): string | undefined {
  const metadata = value.metadata;
  return isMapping(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
}

function qualifiedName(metadata: Record<string, unknown>): string {
  return typeof metadata.namespace === 'string' ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
}

/** Returns the path (under metadata) of a name, namespace or label holding a template action. */
function findTemplatedMetadata(metadata: Record<string, unknown>): FieldPath | undefined {
  for (const field of ['name', 'namespace'] as const) {
    const value = metadata[field];
    if (typeof value === 'string' && findTemplateAction(value) !== -1) return [field];
  }
  const labels = metadata.labels;
  if (isMapping(labels)) {
    for (const key in labels) {
      const value = labels[key];
      if (typeof value === 'string' && findTemplateAction(value) !== -1) return ['labels', key];
    }
  }
  return undefined;
}
