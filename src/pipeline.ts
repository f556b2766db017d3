import { loadPaths, loadTexts, type LoadOptions, type LoadResult } from './load/index.js';
import { buildGraph } from './model/build-graph.js';
import type { ResourceGraph } from './model/graph.js';
import type { Finding } from './finding.js';

/** The graph built from a set of manifests, with every problem met on the way. */
export interface Analysis {
  readonly graph: ResourceGraph;
  /** Loader and graph findings, in input order. */
  readonly inputFindings: readonly Finding[];
  readonly files: readonly string[];
  /** Files read but not parsed, because the question asked cannot depend on them. */
  readonly unparsedFiles: readonly string[];
}

/** Options of {@link analyzePaths}. */
export interface AnalyzeOptions extends LoadOptions {
  readonly defaultNamespace?: string;
}

function analyze(loaded: LoadResult, options: AnalyzeOptions): Analysis {
  const graph = buildGraph(loaded.objects, { defaultNamespace: options.defaultNamespace });
  return { graph, inputFindings: [...loaded.findings, ...graph.findings], files: loaded.files, unparsedFiles: loaded.unparsedFiles };
}

/** Loads the manifests at `paths` (files, folders, `-`) and builds their resource graph. */
export function analyzePaths(paths: readonly string[], options: AnalyzeOptions = {}): Analysis {
  return analyze(loadPaths(paths, options), options);
}

/** Builds the resource graph of in-memory manifest texts. */
export function analyzeTexts(texts: readonly ({ path: string; text: string } | { path: string; tooLarge: number })[], options: AnalyzeOptions = {}): Analysis {
  return analyze(loadTexts(texts), options);
}
