import fs from 'node:fs';
import { discoverInputs, describeFsError, type InputSource } from './discover.js';
import { MAX_FILE_BYTES, fileFinding, findTemplateAction, parseBytes, tooLargeFinding, type FileOutcome, type ParsedDocument } from './parse-text.js';
import { SourceFile } from './source-file.js';
import { INPUT_RULES, type InputRule } from './input-rules.js';
import { identifyKind, isBuiltInOpaqueKind, isClusterFactKind, isToolConfig, splitApiVersion, suggestKind } from './kinds.js';
import { locateField, type ManifestObject, type ObjectOrigin } from './manifest-object.js';
import {
  documentShape, isKustomizationFile, kustomizationReferences, mayHavePatchDirectives, nonManifestByApiVersion, nonManifestByName, type SkippedFile,
} from './non-manifests.js';
import { formatPath, type FieldPath } from './path.js';
import { validateObject } from './validate.js';
import type { Finding } from '../finding.js';
import path from 'node:path';

export type { ManifestObject, ObjectOrigin } from './manifest-object.js';
export { locateField } from './manifest-object.js';
export type { SkippedFile } from './non-manifests.js';

/** What the loader returns: every object read, every problem met, and the files it read. */
export interface LoadResult {
  readonly objects: readonly ManifestObject[];
  readonly findings: readonly Finding[];
  /** Every manifest file read, parsed or not (files found not to be manifests are in `skipped`). */
  readonly files: readonly string[];
  /** Inputs read but not parsed, because `isRelevant` said their objects cannot matter. */
  readonly unparsedFiles: readonly string[];
  /** Files that are not Kubernetes manifests (kustomize, Helm, CI configuration...), with the reason. */
  readonly skipped: readonly SkippedFile[];
}

/** How the loader reaches the outside world; the CLI supplies standard input. */
export interface LoadOptions {
  /**
   * Returns the bytes of standard input, or its size (when known) if it holds more than
   * MAX_FILE_BYTES, reading no further; called at most once, when a path is `-`.
   */
  readonly readStdin?: () => Buffer | { readonly tooLarge: number | undefined };
  /**
   * Decides from a file's raw bytes whether any object in it can matter to the question asked
   * (a `can-reach` between two namespaces); files it rejects are read but not parsed. It must only
   * reject a file when no object in it can matter, whatever the file holds. The bytes are valid
   * during the call only (the next file is read into the same buffer).
   */
  readonly isRelevant?: (bytes: Buffer) => boolean;
  /** Custom kinds `.k8snet.yaml` declares as operator workloads (`workloads:`): analysed, so not reported as unknown. */
  readonly isDeclaredWorkloadKind?: (apiVersion: string, kind: string) => boolean;
  /** Told after each input: how many have been read and parsed, of how many (for a progress line). */
  readonly onProgress?: (progress: { readonly read: number; readonly parsed: number; readonly total: number }) => void;
}

/**
 * Reads the given paths (files, folders, `-`) into Kubernetes objects with their origins.
 * Nothing stops the run: each unreadable file, syntax error or invalid object becomes a
 * finding with file:line:column and the other inputs are still loaded.
 */
export function loadPaths(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const { inputs, problems } = discoverInputs(paths);
  const findings: Finding[] = problems.map((problem) =>
    fileFinding(INPUT_RULES[problem.kind ?? 'unreadable'], new SourceFile(problem.path, ''), 1, 1, problem.message));
  const collector = new ObjectCollector(findings, options.isDeclaredWorkloadKind);
  const reader = new FileReader();
  const files: string[] = [];
  const unparsedFiles: string[] = [];
  const skipped: SkippedFile[] = [];
  const hasChartFile = cachedFileTest((folder) => fs.existsSync(path.join(folder, 'Chart.yaml')));
  const patches = kustomizePatchesOnDisk(inputs, paths, reader);
  // Standard input can be read once; `-` given twice means the same stream.
  let stdin: ReturnType<NonNullable<LoadOptions['readStdin']>> | undefined;
  const readStdin = options.readStdin;
  const inputOptions: LoadOptions = { ...options, ...(readStdin ? { readStdin: () => (stdin ??= readStdin()) } : {}) };
  let read = 0;
  for (const input of inputs) {
    options.onProgress?.({ read, parsed: files.length - unparsedFiles.length, total: inputs.length });
    read++;
    if (input.kind === 'stdin' && files.includes('<stdin>')) continue;
    const displayPath = input.kind === 'stdin' ? '<stdin>' : input.path;
    if (input.kind === 'file') {
      const reason = nonManifestByName(input.path, hasChartFile) ?? patches.get(path.resolve(input.path));
      if (reason) {
        skipped.push({ path: displayPath, reason });
        continue;
      }
    }
    const bytes = readInput(input, inputOptions, reader, findings);
    if (!bytes) continue;
    if (options.isRelevant && !options.isRelevant(bytes)) {
      files.push(displayPath);
      unparsedFiles.push(displayPath);
      continue;
    }
    const reason = collector.addText(displayPath, bytes);
    if (reason) skipped.push({ path: displayPath, reason });
    else files.push(displayPath);
  }
  collector.reportUnknownKinds();
  return { objects: collector.objects, findings, files, unparsedFiles, skipped };
}

/** A memoised test of a folder. */
function cachedFileTest(test: (folder: string) => boolean): (folder: string) => boolean {
  const known = new Map<string, boolean>();
  return (folder) => {
    let result = known.get(folder);
    if (result === undefined) {
      result = test(folder);
      known.set(folder, result);
    }
    return result;
  };
}

/**
 * The files that kustomizations name as patches or configuration, by resolved path, with the
 * reason to skip each: the kustomizations among the inputs, and those beside (or up to two
 * folders above) a file given on its own, as pre-commit passes a changed patch alone.
 */
function kustomizePatchesOnDisk(inputs: readonly InputSource[], paths: readonly string[], reader: FileReader): Map<string, string> {
  const kustomizations = new Set<string>();
  for (const input of inputs) if (input.kind === 'file' && isKustomizationFile(input.path)) kustomizations.add(input.path);
  for (const given of paths) {
    if (given === '-' || !isRegularFile(given)) continue;
    let folder = path.dirname(given);
    for (let level = 0; level < 3; level++) {
      for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
        const candidate = path.join(folder, name);
        if (isRegularFile(candidate)) kustomizations.add(candidate);
      }
      const parent = path.dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
  }
  const references = new Map<string, string>();
  for (const file of kustomizations) {
    let bytes: Buffer | { readonly tooLarge: number | undefined };
    try {
      bytes = reader.read(file);
    } catch {
      continue;
    }
    if ('tooLarge' in bytes) continue;
    const outcome = parseBytes(file, bytes);
    if ('finding' in outcome) continue;
    for (const document of outcome.documents) {
      for (const reference of kustomizationReferences(document.value, path.dirname(file))) {
        references.set(path.resolve(reference), `kustomize patch or configuration named in ${file}`);
      }
    }
  }
  return references;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Loads manifests from in-memory texts or bytes, as the tests and the git revisions of `diff` and `lint --new-from-rev` do (files over the size limit come as their size). */
export function loadTexts(
  texts: readonly ({ path: string; text: string | Buffer } | { path: string; tooLarge: number })[],
  options: Pick<LoadOptions, 'isDeclaredWorkloadKind'> = {},
): LoadResult {
  const findings: Finding[] = [];
  const collector = new ObjectCollector(findings, options.isDeclaredWorkloadKind);
  // Bytes (a file read from git) are decoded as files are: a UTF-16 or binary file is told apart.
  const bytesOf = (text: string | Buffer) => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  const paths = new Set(texts.map((text) => text.path));
  const hasChartFile = (folder: string) => paths.has(`${folder}/Chart.yaml`);
  const patches = new Map<string, string>();
  for (const entry of texts) {
    if ('tooLarge' in entry || !isKustomizationFile(entry.path)) continue;
    const file = entry.path;
    const outcome = parseBytes(file, bytesOf(entry.text));
    if ('finding' in outcome) continue;
    for (const document of outcome.documents) {
      for (const reference of kustomizationReferences(document.value, path.posix.dirname(file))) {
        patches.set(reference, `kustomize patch or configuration named in ${file}`);
      }
    }
  }
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of texts) {
    const file = entry.path;
    // A file over the size limit (git's ls-tree gave its size) is reported, never read.
    if ('tooLarge' in entry) {
      findings.push(tooLargeFinding(file, entry.tooLarge));
      continue;
    }
    const reason = nonManifestByName(file, hasChartFile) ?? patches.get(file) ?? collector.addText(file, bytesOf(entry.text));
    if (reason) skipped.push({ path: file, reason });
    else files.push(file);
  }
  collector.reportUnknownKinds();
  return { objects: collector.objects, findings, files, unparsedFiles: [], skipped };
}

function readStdinOf(options: LoadOptions): Buffer | { readonly tooLarge: number | undefined } {
  if (!options.readStdin) throw Object.assign(new Error('standard input is not available'), { code: 'ENOSTDIN' });
  return options.readStdin();
}

function readInput(input: InputSource, options: LoadOptions, reader: FileReader, findings: Finding[]): Buffer | undefined {
  const displayPath = input.kind === 'stdin' ? '<stdin>' : input.path;
  try {
    const bytes = input.kind === 'stdin' ? readStdinOf(options) : reader.read(input.fsPath ?? input.path);
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
   * The bytes of a file, valid until the next call; or, for a file over the size limit, its size
   * when the file system knows it (not for pipes and devices). A file's size is looked up only
   * once its first PROBE_BYTES have been read: manifests are smaller, and a larger regular file
   * over the limit is then left unread, not read up to the limit.
   */
  read(path: string | Buffer): Buffer | { readonly tooLarge: number | undefined } {
    // O_NONBLOCK: should a FIFO take a file's place after discovery, opening it does not wait
    // for a writer (and reading it fails instead of blocking).
    const descriptor = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      let length = 0;
      let sizeChecked = false;
      for (;;) {
        if (!sizeChecked && length >= PROBE_BYTES) {
          sizeChecked = true;
          const stats = fs.fstatSync(descriptor);
          if (stats.isFile() && stats.size > MAX_FILE_BYTES) return { tooLarge: stats.size };
        }
        if (length === this.buffer.length) {
          if (length > MAX_FILE_BYTES) {
            const stats = fs.fstatSync(descriptor);
            return { tooLarge: stats.isFile() && stats.size >= length ? stats.size : undefined };
          }
          const larger = Buffer.allocUnsafeSlow(Math.min(this.buffer.length * 2, MAX_FILE_BYTES + 1));
          this.buffer.copy(larger, 0, 0, length);
          this.buffer = larger;
        }
        const wanted = sizeChecked ? this.buffer.length - length : Math.min(this.buffer.length, PROBE_BYTES) - length;
        const read = fs.readSync(descriptor, this.buffer, length, wanted, null);
        if (read === 0) return this.buffer.subarray(0, length);
        length += read;
      }
    } finally {
      fs.closeSync(descriptor);
    }
  }
}

/** How much of a file is read before its size is checked against the limit. */
const PROBE_BYTES = 1 << 16;

interface UnknownKindTally {
  readonly group: string;
  readonly kind: string;
  readonly versions: Set<string>;
  count: number;
  readonly first: ObjectOrigin;
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

  /** Collects the objects of one file; returns why it is not a manifest when it is not one (nothing is reported then). */
  addText(displayPath: string, bytes: Buffer): string | undefined {
    return this.addOutcome(parseBytes(displayPath, bytes));
  }

  /** Collects the objects of one parsed file; returns why it is not a manifest when it is not one. */
  addOutcome(outcome: FileOutcome): string | undefined {
    if ('finding' in outcome) {
      this.findings.push(outcome.finding);
      return undefined;
    }
    const parsed = outcome;
    const file = parsed.file;
    const displayPath = file.path;
    const skipReason = parsed.findings.length === 0 ? nonManifestReason(parsed.documents, mayHavePatchDirectives(file.text)) : undefined;
    if (skipReason) return skipReason;
    this.findings.push(...parsed.findings);
    let objectCount = 0;
    for (const document of parsed.documents) objectCount += this.addDocument(file, document);
    if (objectCount === 0 && parsed.findings.length === 0 && parsed.documents.every((document) => document.value == null)) {
      this.findings.push(fileFinding(INPUT_RULES.empty, file, 1, 1,
        `${displayPath} holds no Kubernetes object (it is empty or only comments).`));
    }
    return undefined;
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
    // Tool configuration beside manifests in the same file (a kustomize Component, say) is not an object.
    const apiVersion = document.value.apiVersion;
    if (typeof apiVersion === 'string' && nonManifestByApiVersion(apiVersion, document.value.kind)) return 0;
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
    if (value.metadata !== undefined && value.metadata !== null && !metadata && !isToolConfig(apiVersion)) {
      this.report(INPUT_RULES.schema, origin, ['metadata'],
        `${kind}: metadata must be a mapping (object metadata), not ${Array.isArray(value.metadata) ? 'a list' : JSON.stringify(value.metadata)}; the API server rejects this object, so k8snet leaves it out.`,
        { kind });
      return 0;
    }
    if (isToolConfig(apiVersion)) {
      this.tally(this.toolConfigs, kind, apiVersion, origin);
      this.objects.push({ apiVersion, kind, name: typeof metadata?.name === 'string' ? metadata.name : '', namespace: undefined, value, origin });
      return 1;
    }
    const name = metadata?.name;
    if (name !== undefined && name !== null && typeof name !== 'string') {
      // `name: n` or `name: 0755`: kubectl reads them as false and 493, which the API server refuses.
      const written = origin.positions.writtenText(origin.indexInPositions, [...origin.basePath, 'metadata', 'name']) ?? String(name);
      const reading = written !== String(name) ? ` (kubectl reads ${written} as ${typeof name === 'object' ? 'a collection' : String(name)})` : '';
      this.report(INPUT_RULES.schema, origin, ['metadata', 'name'],
        `${kind} ${written}: metadata.name must be a string${reading}; quote it: "${written}"; the API server rejects this object, so k8snet leaves it out.`,
        { kind, ...(typeof metadata?.namespace === 'string' && metadata.namespace !== '' ? { namespace: metadata.namespace } : {}) });
      return 0;
    }
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
    const identity = identifyKind(apiVersion, kind);
    if (identity.status === 'not-served') {
      this.report(INPUT_RULES.apiVersionNotServed, origin, ['apiVersion'], notServedMessage(kind, qualifiedName(metadata!), apiVersion, identity), identityOf(kind, metadata!));
      return 0;
    }
    if (identity.status === 'modelled') {
      const violations = validateObject(identity.definition.schema, value,
        (path) => origin.positions.writtenText(origin.indexInPositions, [...origin.basePath, ...path]));
      if (violations.length > 0) {
        // The API server rejects the whole object, reporting every invalid field at once: so is it
        // here, and it is left out, as it would never exist in the cluster. An object read in part
        // could make a policy allow or deny the wrong traffic, or a rule report on a field it never had.
        const subject = `${kind} ${qualifiedName(metadata!)}`;
        for (const violation of violations) {
          this.report(INPUT_RULES.schema, origin, violation.path, `${subject}: ${violation.message}; the API server rejects this object, so k8snet leaves it out.`,
            identityOf(kind, metadata!));
        }
        return 0;
      }
    } else if (!isBuiltInOpaqueKind(kind) && !this.isDeclaredWorkloadKind(apiVersion, kind) && !isClusterFactKind(apiVersion, kind)) {
      const suggestion = suggestKind(kind, identity.group);
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

  /** Counts objects by API group and kind: Calico's NetworkPolicy and Kubernetes' are tallied apart. */
  private tally(tallies: Map<string, UnknownKindTally>, kind: string, apiVersion: string, origin: ObjectOrigin): void {
    const { group, version } = splitApiVersion(apiVersion);
    const key = `${group}/${kind}`;
    const tally = tallies.get(key);
    if (tally) {
      tally.count++;
      tally.versions.add(version);
    } else {
      tallies.set(key, { group, kind, versions: new Set([version]), count: 1, first: origin });
    }
  }

  /** Summarises custom kinds once per group and kind, so a folder of CRDs does not drown real findings. */
  reportUnknownKinds(): void {
    for (const tally of this.toolConfigs.values()) {
      const others = tally.count > 1 ? ` (and ${tally.count - 1} more like it)` : '';
      this.report(INPUT_RULES.toolConfig, tally.first, ['kind'],
        `${tally.kind} of ${describeGroup(tally)} is tool configuration, not a manifest; k8snet reads cluster facts from it${others}.`);
    }
    for (const tally of this.unknownKinds.values()) {
      const others = tally.count > 1 ? ` (and ${tally.count - 1} more object${tally.count > 2 ? 's' : ''} of this kind)` : '';
      const builtInName = MODELLED_NAMES_OF_OTHER_GROUPS.has(tally.kind)
        ? `; it is not Kubernetes' own ${tally.kind}, and k8snet's answers do not account for it`
        : '';
      this.report(INPUT_RULES.unknownKind, tally.first, ['kind'],
        `Kind ${tally.kind} of ${describeGroup(tally)} is not a kind k8snet models; k8snet keeps it but does not analyse it${builtInName}${others}.`);
    }
  }

  private report(rule: InputRule, origin: ObjectOrigin, path: FieldPath, message: string, object?: Finding['object']): void {
    this.findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message,
      location: locateField(origin, path),
      path: formatPath(path),
      ...(object ? { object } : {}),
      why: rule.why,
      fix: rule.fix,
    });
  }
}

/** Kind names of Kubernetes' own API that other projects reuse in their groups (Calico's NetworkPolicy, Knative's Service). */
const MODELLED_NAMES_OF_OTHER_GROUPS: ReadonlySet<string> = new Set(['NetworkPolicy', 'Service', 'Ingress', 'Route', 'Pod', 'Deployment']);

/** `projectcalico.org (v3)`, `the core group (v2)` for a tally's group and versions. */
function describeGroup(tally: UnknownKindTally): string {
  const versions = [...tally.versions].sort().join(', ');
  return tally.group === '' ? `the core group (${versions})` : `${tally.group} (${versions})`;
}

/** The sentence for an object written in an apiVersion that does not serve its kind. */
function notServedMessage(kind: string, name: string, apiVersion: string, identity: { removed?: { removedIn: string; replacement: string | undefined }; servedAs?: string }): string {
  const refusal = `kubectl apply fails with 'no matches for kind "${kind}" in version "${apiVersion}"', so k8snet leaves it out`;
  if (identity.removed) {
    const instead = identity.removed.replacement ? `; write apiVersion: ${identity.removed.replacement}` : ' and has no replacement';
    return `${kind} ${name} uses apiVersion ${apiVersion}, which the API server no longer serves (removed in Kubernetes ${identity.removed.removedIn})${instead}; ${refusal}.`;
  }
  return `${kind} ${name} uses apiVersion ${apiVersion}, which does not serve kind ${kind}${identity.servedAs ? `; write apiVersion: ${identity.servedAs}` : ''}; ${refusal}.`;
}

/**
 * Why a parsed file is not a manifest at all (so it is skipped rather than reported), or
 * undefined: every document is empty, tool configuration by its apiVersion group, or data with
 * none of kind, apiVersion, metadata and spec (values, settings, JSON 6902 and strategic-merge
 * patches), and at least one is not empty. A file with any manifest-like document is a manifest
 * file, and its other documents are reported as they are.
 */
function nonManifestReason(documents: readonly ParsedDocument[], withPatchDirectives: boolean): string | undefined {
  let reason: string | undefined;
  for (const document of documents) {
    const value = document.value;
    if (isMapping(value) && typeof value.apiVersion === 'string') {
      const byGroup = nonManifestByApiVersion(value.apiVersion, value.kind);
      if (byGroup) {
        reason ??= byGroup;
        continue;
      }
    }
    const shape = documentShape(value, withPatchDirectives);
    if (shape === 'manifest') return undefined;
    if (shape !== 'empty') reason ??= shape.notManifest;
  }
  return reason;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(value: Record<string, unknown>): string | undefined {
  const metadata = value.metadata;
  return isMapping(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
}

/** The object a finding concerns, as JSON reports name it: kind, namespace when written, name. */
function identityOf(kind: string, metadata: Record<string, unknown>): Finding['object'] {
  return {
    kind,
    ...(typeof metadata.namespace === 'string' && metadata.namespace !== '' ? { namespace: metadata.namespace } : {}),
    ...(typeof metadata.name === 'string' ? { name: metadata.name } : {}),
  };
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
