import type { Event, Schema as JsYamlSchema } from 'js-yaml';
import { readBlockEvents } from './block-events.js';
import { PackedEvents, scratchEvents } from './packed-events.js';
import { PLAIN_STYLE, SCALAR } from './yaml-events.js';
import { findAliasBudgetExcess, type AliasBudget } from './alias-budget.js';
import { constructPlainDocuments } from './construct.js';
import { isPlainString, takeNonFiniteResolved } from './go-yaml.js';
import { goYamlRejection, parseEventsAsGoYaml } from './go-yaml-text.js';
import { DocumentPositions } from './positions.js';
import { droppedEventRanges, withoutRanges } from './projection.js';
import { SourceFile } from './source-file.js';
import { jsYaml, manifestYamlSchema } from './yaml.js';
import { INPUT_RULES, type InputRule } from './input-rules.js';
import type { Finding } from '../finding.js';

/** One YAML or JSON document with the positions of its nodes. */
export interface ParsedDocument {
  readonly value: unknown;
  readonly positions: DocumentPositions;
  /** Index of the document within its positions (several documents share one text). */
  readonly indexInPositions: number;
  /** Index of the document within its file, counting from 0. */
  readonly documentIndex: number;
}

/** The outcome of parsing one file: its documents, and problems that kept parts of it out. */
export interface ParsedFile {
  readonly file: SourceFile;
  readonly documents: readonly ParsedDocument[];
  readonly findings: readonly Finding[];
}

/** A file turned into documents, or the finding that says why it could not be. */
export type FileOutcome = ParsedFile | { readonly finding: Finding };

/** Decodes and parses the bytes of one file. */
export function parseBytes(displayPath: string, bytes: Buffer): FileOutcome {
  const decoded = decodeManifestBytes(displayPath, bytes);
  if ('finding' in decoded) return decoded;
  return parseManifestText(new SourceFile(displayPath, decoded.text), /\.json$/i.test(displayPath));
}

/** The largest file read; manifests are kilobytes, a dump of a big cluster some megabytes. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The finding for an input over {@link MAX_FILE_BYTES}, of `bytes` when its size is known. */
export function tooLargeFinding(displayPath: string, bytes: number | undefined): Finding {
  // Rounded up, so that a file just over the limit does not read as the limit itself.
  const size = bytes === undefined ? 'larger than' : `${Math.ceil(bytes / 104857.6) / 10} MiB, larger than`;
  return fileFinding(INPUT_RULES.tooLarge, new SourceFile(displayPath, ''), 1, 1,
    `${displayPath} is ${size} the ${MAX_FILE_BYTES / 1048576} MiB limit; it was not read.`);
}

/** Builds a finding at a 1-based line and column of `file`. */
export function fileFinding(rule: InputRule, file: SourceFile, line: number, column: number, message: string): Finding {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    message,
    location: { file: file.path, line, column, endLine: line, endColumn: column + 1 },
    why: rule.why,
    fix: rule.fix,
  };
}

/**
 * Decodes bytes as manifest text: UTF-8 (with or without a byte order mark) or UTF-16 with a
 * byte order mark, as PowerShell's `>` writes. Returns a finding for binary data instead.
 */
export function decodeManifestBytes(displayPath: string, bytes: Buffer): { text: string } | { finding: Finding } {
  const whole = new SourceFile(displayPath, '');
  if (bytes.length > MAX_FILE_BYTES) return { finding: tooLargeFinding(displayPath, bytes.length) };
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const littleEndian = bytes[0] === 0xff;
    const body = Buffer.from(bytes.subarray(2));
    if (!littleEndian) body.swap16();
    return { text: body.toString('utf16le') };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      finding: fileFinding(INPUT_RULES.binary, whole, 1, 1,
        `${displayPath} is a binary file (it contains a NUL byte at offset ${nul}), not a YAML or JSON manifest.`),
    };
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isValidUtf8(bytes)) {
    return {
      finding: fileFinding(INPUT_RULES.binary, whole, 1, 1,
        `${displayPath} is not valid UTF-8 text; save it as UTF-8.`),
    };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const TEMPLATE_DIRECTIVE = /\{\{-?\s*(?:[.$]|if\b|range\b|with\b|end\b|include\b|template\b|define\b|toYaml\b|tpl\b|else\b|\/\*)/;

/** Returns the offset of the first Go template action in `text`, or -1. */
export function findTemplateAction(text: string): number {
  const first = text.indexOf('{{');
  if (first === -1) return -1;
  const match = TEMPLATE_DIRECTIVE.exec(text.slice(first));
  return match ? first + match.index : -1;
}

/**
 * Parses the text of one file into documents, each with node positions from the same event
 * stream. A syntax error loses only the document it is in: the other `---` documents of the
 * file are parsed on their own and still loaded.
 */
export function parseManifestText(file: SourceFile, isJson: boolean, schema: JsYamlSchema = manifestYamlSchema()): ParsedFile {
  // go-yaml skips a byte order mark at the start of any line (js-yaml only at a document's
  // start): read the text without them, as an editor shows it.
  if (!isJson && file.text.includes('\uFEFF')) file = new SourceFile(file.path, file.text.replace(/(^|\n)\uFEFF/g, '$1'));
  const findings: Finding[] = [];
  const documents: ParsedDocument[] = [];
  const whole = tryParse(file, file.text, 0, isJson, schema, { aliasNodes: 0 });
  if (whole.ok) {
    pushDocuments(documents, whole.values, whole.positions, 0);
    findings.push(...whole.findings);
    return { file, documents, findings };
  }
  const chunks = isJson ? splitJsonValues(file.text) : splitDocuments(file.text);
  let documentIndex = 0;
  // Counted again from the first document: the file's aliases share one budget.
  const aliasBudget: AliasBudget = { aliasNodes: 0 };
  for (const chunk of chunks) {
    const parsed = chunks.length === 1 ? whole : tryParse(file, chunk.text, chunk.start, isJson, schema, aliasBudget);
    if (parsed.ok) {
      documentIndex = pushDocuments(documents, parsed.values, parsed.positions, documentIndex);
      findings.push(...parsed.findings);
    } else {
      findings.push(parsed.aliases
        ? aliasFinding(file, chunk.start + parsed.offset, documentIndex, parsed.reason)
        : syntaxFinding(file, chunk.start + parsed.offset, parsed.reason, isJson));
      documentIndex++;
    }
  }
  return { file, documents, findings };
}

function pushDocuments(documents: ParsedDocument[], values: unknown[], positions: DocumentPositions, firstIndex: number): number {
  let documentIndex = firstIndex;
  values.forEach((value, indexInPositions) => {
    documents.push({ value, positions, indexInPositions, documentIndex });
    documentIndex++;
  });
  return documentIndex;
}

type ParseAttempt =
  | { ok: true; values: unknown[]; positions: DocumentPositions; findings: readonly Finding[] }
  | { ok: false; offset: number; reason: string; aliases?: true };

/** A plain scalar go-yaml reads as an infinity or NaN. */
const NON_FINITE_SCALAR = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;

/**
 * Whether a plain scalar of the stream is `.inf` or `.nan` (signed or not), constructed or not:
 * kubectl reads the fields the loader leaves out all the same, and fails on one. Looks only at
 * scalars of four or five characters starting with a dot or a sign (a pattern over the whole
 * text met every dot of every image tag and host name).
 */
function holdsNonFiniteScalar(events: PackedEvents, text: string): boolean {
  const { types, starts, ends } = events;
  for (let index = 0; index < events.length; index++) {
    if (types[index] !== SCALAR || events.scalarStyle(index) !== PLAIN_STYLE) continue;
    const start = starts[index];
    const length = ends[index] - start;
    if (length < 4 || length > 5) continue;
    const first = text.charCodeAt(start);
    if ((first === 46 || first === 43 || first === 45) && NON_FINITE_SCALAR.test(text.slice(start, start + length))) return true;
  }
  return false;
}

/** Thrown where go-yaml (kubectl's reader) refuses a text js-yaml read; caught in tryParse as a syntax error. */
class GoYamlRefusal extends Error {
  constructor(readonly reason: string, readonly mark: { position: number }) {
    super(reason);
  }
}

function tryParse(file: SourceFile, text: string, baseOffset: number, isJson: boolean, schema: JsYamlSchema, aliasBudget: AliasBudget): ParseAttempt {
  const yaml = jsYaml();
  // Outside the try: an exception from our own reader is a bug, not a syntax error of the file.
  const blockEvents = isJson ? undefined : readBlockEvents(text, scratchEvents());
  try {
    takeNonFiniteResolved();
    // js-yaml's event objects, read where the block reader gave up; else made from its stream only for the rare readers that need them.
    const eventObjects: Event[] | undefined = blockEvents ? undefined
      : isJson ? yaml.parseEvents(text, { filename: file.path }) : parseEventsAsGoYaml(yaml, text, file.path);
    const events = blockEvents ?? PackedEvents.fromEvents(eventObjects!, scratchEvents());
    const objectsOfEvents = (): Event[] => eventObjects ?? events.toEvents();
    const indexed = DocumentPositions.indexEvents(file, text, baseOffset, events);
    // A key written twice keeps its last value, as kubectl's go-yaml does (it is reported below).
    const options = { source: text, schema, json: true };
    const resolvePlainKey = (key: string) => (isPlainString(key) ? key : String(schema.resolveImplicitScalarTag(key).value));
    const dropped = droppedEventRanges(indexed, isJson ? {} : { resolvePlainKey });
    let values: unknown[];
    let duplicated = false;
    const plain = { schema: options.schema, scalarValue: yaml.getScalarValue, isPlainString, onDuplicateKey: () => { duplicated = true; } };
    try {
      const constructed = constructPlainDocuments(events, text, plain, dropped);
      if (constructed) {
        values = constructed;
      } else {
        duplicated = true;
        // The plain constructor stops at the first anchor or alias; js-yaml would expand aliases
        // without bound (it shares the nodes, but every reader of them walks each use).
        const excess = findAliasBudgetExcess(objectsOfEvents(), text, aliasBudget);
        if (excess) return { ok: false, offset: excess.offset, reason: excess.reason, aliases: true };
        values = yaml.constructFromEvents(withoutRanges(objectsOfEvents(), dropped) as Event[], options);
      }
    } catch (error) {
      // A dropped field held an anchor that a kept alias refers to: construct everything.
      if (dropped.length === 0) throw error;
      values = yaml.constructFromEvents(objectsOfEvents(), options);
    }
    // What go-yaml refuses among what js-yaml read: tabs where it allows none, over-long keys, a
    // %YAML version other than 1.1, and .inf or .nan, which JSON cannot carry. The fast reader
    // reads none of the syntax, so only a plain .inf can bring its texts here.
    // Values the loader does not construct are read by kubectl all the same: a .inf anywhere fails it.
    const nonFinite = takeNonFiniteResolved() || (!isJson && holdsNonFiniteScalar(events, text));
    if (!isJson && (!blockEvents || nonFinite)) {
      const refusal = goYamlRejection(text, objectsOfEvents(), nonFinite);
      if (refusal) throw new GoYamlRefusal(refusal.reason, { position: refusal.offset });
    }
    const positions = indexed.positions;
    const findings = duplicated && !isJson ? duplicateKeyFindings(positions, resolvePlainKey) : [];
    return { ok: true, values, positions, findings };
  } catch (error) {
    const mark = (error as { mark?: { position?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message ?? String(error);
    return { ok: false, offset: mark?.position ?? 0, reason };
  }
}

/**
 * Warnings for the keys written twice in a mapping: kubectl keeps the later value (go-yaml's
 * non-strict decoding), so the earlier one is silently lost; kustomize refuses the file.
 */
function duplicateKeyFindings(positions: DocumentPositions, resolvePlainKey: (key: string) => string): Finding[] {
  return positions.duplicateKeys(resolvePlainKey).map(({ key, earlier }) => {
    const location = positions.nodeLocation(key);
    const first = positions.nodeLocation(earlier);
    const name = positions.scalarText(key) ?? '';
    return {
      ruleId: INPUT_RULES.duplicateKey.id,
      severity: INPUT_RULES.duplicateKey.severity,
      message: `Key '${name}' is written twice in this mapping (first at line ${first.line}); kubectl keeps this later value and drops the first, and kustomize refuses the file.`,
      location,
      why: INPUT_RULES.duplicateKey.why,
      fix: INPUT_RULES.duplicateKey.fix,
      related: [{ ...first, message: 'first written here' }],
    };
  });
}

function aliasFinding(file: SourceFile, offset: number, documentIndex: number, reason: string): Finding {
  const { line, column } = file.lineAndColumn(Math.min(offset, file.text.length));
  return fileFinding(INPUT_RULES.aliasBudget, file, line, column, `Document ${documentIndex + 1} of ${file.path} is not loaded: ${reason}.`);
}

function syntaxFinding(file: SourceFile, offset: number, reason: string, isJson: boolean): Finding {
  const { line, column } = file.lineAndColumn(Math.min(offset, file.text.length));
  const templateAt = findTemplateAction(file.text);
  if (templateAt !== -1) {
    const template = file.lineAndColumn(templateAt);
    return fileFinding(INPUT_RULES.helmTemplate, file, template.line, template.column,
      `${file.path} looks like an unrendered Helm template ('{{ ... }}' at line ${template.line}), so it is not valid YAML (${reason} at line ${line}).`);
  }
  return fileFinding(INPUT_RULES.yamlSyntax, file, line, column,
    `${isJson ? 'JSON' : 'YAML'} syntax error: ${reason}.${isJson ? '' : quoteHint(file.text, offset)}`);
}

/**
 * A hint for the most common cause of a YAML error in the middle of a line: a double-quoted value
 * that holds a double quote (`"{ "beta": true }"` ends after `{ `), so that what follows reads as
 * more of the mapping.
 */
function quoteHint(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const column = offset - lineStart;
  const before = line.slice(0, column);
  // The error sits right after a quoted value's closing quote, and the line has more quotes after it.
  const quotes = (before.match(/"/g) ?? []).length;
  if (quotes < 2 || quotes % 2 !== 0 || !/"\s*$/.test(before) || !line.slice(column).includes('"')) return '';
  return ' A double-quoted value ends at its second unescaped " - to keep quotes inside it, escape them (\\") or quote the whole value with single quotes.';
}

/**
 * Splits YAML text at `---` document markers, keeping each piece's offset. Directives (`%YAML`)
 * stay with the document they precede.
 */
function splitDocuments(text: string): { start: number; text: string }[] {
  const chunks: { start: number; text: string }[] = [];
  const marker = /^---(?=[ \t]|\r?$)/gm;
  let start = 0;
  for (const match of text.matchAll(marker)) {
    const piece = text.slice(start, match.index);
    // Directives and comments only: they belong to the document the marker starts.
    if (/^\s*%/m.test(piece) && /^(\s*(%[^\n]*|#[^\n]*)?\n)*\s*$/.test(piece)) continue;
    if (match.index! > start) chunks.push({ start, text: piece });
    start = match.index!;
  }
  chunks.push({ start, text: text.slice(start) });
  return chunks.filter((chunk) => chunk.text.trim() !== '' && chunk.text.trim() !== '---');
}

/**
 * Splits a stream of concatenated JSON values (`{...}{...}`, which `kubectl apply -f` accepts)
 * at the end of each top-level value, keeping each piece's offset.
 */
function splitJsonValues(text: string): { start: number; text: string }[] {
  const chunks: { start: number; text: string }[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (depth === 0) start = index;
      depth++;
    } else if ((char === '}' || char === ']') && depth > 0) {
      depth--;
      if (depth === 0) {
        chunks.push({ start, text: text.slice(start, index + 1) });
        start = -1;
      }
    }
  }
  // An unterminated value is kept whole, so its syntax error is reported where it is.
  if (start !== -1) chunks.push({ start, text: text.slice(start) });
  return chunks.length > 0 ? chunks : [{ start: 0, text }];
}
