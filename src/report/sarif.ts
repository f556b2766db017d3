import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { INPUT_RULES } from '../load/input-rules.js';
import type { Rule } from '../lint/rule.js';
import { ruleDocsUrl } from '../lint/rule.js';
import { FINGERPRINT_KEY } from '../lint/fingerprint.js';
import type { Finding, Severity } from '../finding.js';
import { describeOmitted, sortFindings, type LintResult } from './summary.js';
import { indentedJson } from './json.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

interface RuleDescriptor {
  readonly id: string;
  readonly description: string;
  readonly rationale: string;
  readonly fix: string;
  readonly severity: Severity;
  readonly category: string;
}

/** What separates folders in a path: `/`, and `\` too on Windows only (elsewhere it is part of a name). */
const PATH_SEPARATORS = path.sep === '\\' ? /[\\/]/ : /\//;

/**
 * Turns a file path as given on the command line into a SARIF URI, which must be a valid URI
 * reference (SARIF 2.1.0 §3.4.3, RFC 3986): a relative path stays relative (forward slashes, each
 * segment percent-encoded, so `#`, `?`, `%` and a `\` in a Linux file name stay part of the
 * name); an absolute path becomes a `file://` URI.
 */
export function artifactUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(PATH_SEPARATORS).filter((segment, index) => !(index === 0 && segment === '.')).map(encodeURIComponent).join('/');
}

/** Options of {@link formatSarif}. */
export interface SarifOptions {
  /**
   * Where a finding that no file states (a fact given by a command-line flag, a path that does not
   * exist) is placed, at its first line: GitHub code scanning rejects a result without a location
   * ("expected at least one location"). The configuration file, else the first manifest read.
   */
  readonly fallbackFile?: string;
  /**
   * The folder absolute paths under which are written relative to it, with the base `%SRCROOT%`
   * (`originalUriBaseIds`): code scanning places them in the repository, as it does relative paths
   * (a `file:///home/runner/work/...` URI it does not). The current folder by default.
   */
  readonly sourceRoot?: string;
}

/** The base of paths under the source root (SARIF 2.1.0 §3.14.14; the name GitHub's documentation uses). */
const SOURCE_ROOT = '%SRCROOT%';

/**
 * Formats findings as SARIF 2.1.0 as GitHub code scanning accepts it: one run, the rule
 * catalogue (lint rules and input checks) with help text, results with physical locations.
 */
export function formatSarif(result: LintResult, rules: readonly Rule<any>[], version = '0.1.0', options: SarifOptions = {}): string {
  return [...streamSarif(result, rules, version, options)].join('');
}

/**
 * The text of {@link formatSarif}, a result at a time, byte for byte what `JSON.stringify(log,
 * null, 2)` gives: a million results would be a string longer than V8 allows. Results not listed
 * (too many of one rule in one file) are counted in notifications of the run's invocation.
 */
export function* streamSarif(result: LintResult, rules: readonly Rule<any>[], version = '0.1.0', options: SarifOptions = {}): Generator<string> {
  const lintIds = new Set(rules.map((rule) => rule.id));
  const descriptors: RuleDescriptor[] = [
    ...rules.map((rule) => ({ id: rule.id, description: rule.description, rationale: rule.rationale, fix: rule.fix, severity: rule.severity, category: rule.category })),
    // Some loader checks report under a lint rule's id (invalid-cidr, ...): that rule documents them.
    ...Object.values(INPUT_RULES).filter((rule) => !lintIds.has(rule.id))
      .map((rule) => ({ id: rule.id, description: rule.description, rationale: rule.why, fix: rule.fix, severity: rule.severity, category: 'input' })),
  ];
  const indexById = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));
  const sourceRoot = options.sourceRoot ?? process.cwd();
  const rootPrefix = sourceRoot.endsWith(path.sep) ? sourceRoot : `${sourceRoot}${path.sep}`;
  const underRoot = (file: string) => path.isAbsolute(file) && file.startsWith(rootPrefix);
  const artifactLocation = (file: string) => (underRoot(file)
    ? { uri: artifactUri(file.slice(rootPrefix.length)), uriBaseId: SOURCE_ROOT }
    : { uri: artifactUri(file) });
  const usesRoot = (options.fallbackFile !== undefined && underRoot(options.fallbackFile))
    || result.findings.some((finding) => (finding.location && underRoot(finding.location.file)) || finding.related?.some((related) => underRoot(related.file)))
    || (result.omitted ?? []).some((omitted) => omitted.file !== undefined && underRoot(omitted.file));
  const resultOf = (finding: Finding) => {
    const fallback = options.fallbackFile;
    const location = finding.location ?? (fallback === undefined ? undefined : { file: fallback, line: 1, column: 1, endLine: 1, endColumn: 2 });
    return {
      ruleId: finding.ruleId,
      ...(indexById.has(finding.ruleId) ? { ruleIndex: indexById.get(finding.ruleId) } : {}),
      level: LEVEL[finding.severity],
      message: { text: finding.hint ? `${finding.message} (${finding.hint})` : finding.message },
      ...(location ? {
        locations: [{
          physicalLocation: {
            artifactLocation: artifactLocation(location.file),
            region: {
              startLine: location.line,
              startColumn: location.column,
              endLine: location.endLine,
              // An empty range on one line still has to cover a column.
              endColumn: location.endLine === location.line ? Math.max(location.endColumn, location.column + 1) : location.endColumn,
            },
          },
          ...(finding.object ? { logicalLocations: [{ name: finding.object.name ?? '', fullyQualifiedName: [finding.object.namespace, finding.object.kind, finding.object.name].filter(Boolean).join('/'), kind: 'object' }] } : {}),
        }],
      } : {}),
      ...(finding.related && finding.related.length > 0 ? {
        relatedLocations: finding.related.map((related, index) => ({
          id: index + 1,
          message: { text: related.message },
          physicalLocation: {
            artifactLocation: artifactLocation(related.file),
            region: { startLine: related.line, startColumn: related.column },
          },
        })),
      } : {}),
      // Code scanning matches alerts across commits by this, not by line: an edit above a finding keeps its alert.
      ...(finding.fingerprint ? { partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint } } : {}),
    };
  };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'k8snet',
          version,
          informationUri: 'https://github.com/k8snet/k8snet',
          rules: descriptors.map((descriptor) => ({
            id: descriptor.id,
            name: descriptor.id.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase()),
            shortDescription: { text: descriptor.description },
            fullDescription: { text: `${descriptor.description} ${descriptor.rationale}` },
            help: {
              text: `${descriptor.rationale}\n\nHow to fix: ${descriptor.fix}`,
              markdown: `${descriptor.rationale}\n\n**How to fix:** ${descriptor.fix}`,
            },
            helpUri: ruleDocsUrl(descriptor.id),
            defaultConfiguration: { level: LEVEL[descriptor.severity] },
            properties: { category: descriptor.category, tags: ['kubernetes', 'network', descriptor.category] },
          })),
        },
      },
      ...(usesRoot ? { originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(rootPrefix).href } } } : {}),
      ...(result.omitted && result.omitted.length > 0 ? {
        invocations: [{
          executionSuccessful: true,
          toolExecutionNotifications: result.omitted.map((omitted) => ({
            level: 'note',
            message: { text: describeOmitted(omitted) },
            ...(omitted.file === undefined ? {} : { locations: [{ physicalLocation: { artifactLocation: artifactLocation(omitted.file) } }] }),
            associatedRule: { id: omitted.ruleId, ...(indexById.has(omitted.ruleId) ? { index: indexById.get(omitted.ruleId) } : {}) },
          })),
        }],
      } : {}),
      results: RESULTS_PLACEHOLDER,
    }],
  };
  const text = JSON.stringify(sarif, null, 2);
  const placeholder = text.indexOf(`"${RESULTS_PLACEHOLDER}"`);
  const findings = sortFindings(result.findings);
  if (findings.length === 0) {
    yield `${text.slice(0, placeholder)}[]${text.slice(placeholder + RESULTS_PLACEHOLDER.length + 2)}\n`;
    return;
  }
  yield `${text.slice(0, placeholder)}[\n`;
  for (let index = 0; index < findings.length; index++) {
    yield `        ${indentedJson(resultOf(findings[index]), 8)}${index === findings.length - 1 ? '\n' : ',\n'}`;
  }
  yield `      ]${text.slice(placeholder + RESULTS_PLACEHOLDER.length + 2)}\n`;
}

/**
 * Stands in for the results while the rest of the log is serialised; the results are then
 * written one by one in its place. No other string of the log holds it: the rest is the rules'
 * prose and k8snet's own names.
 */
const RESULTS_PLACEHOLDER = 'k8snet:results-are-streamed-here';
