import { loadPaths, loadTexts, type LoadOptions, type LoadResult, type SkippedFile } from './load/index.js';
import { buildGraph, type NamespaceDeclaration } from './model/build-graph.js';
import { declaredOperatorKind, isOfOperatorKind, type WorkloadDeclaration } from './model/operator-workloads.js';
import type { ResourceGraph } from './model/graph.js';
import type { Finding } from './finding.js';
import type { IstioSettings } from './model/istio-settings.js';

/** The graph built from a set of manifests, with every problem met on the way. */
export interface Analysis {
  readonly graph: ResourceGraph;
  /** Loader and graph findings, in input order. */
  readonly inputFindings: readonly Finding[];
  readonly files: readonly string[];
  /** Files read but not parsed, because the question asked cannot depend on them. */
  readonly unparsedFiles: readonly string[];
  /** Files that are not Kubernetes manifests, skipped, with the reason. */
  readonly skipped: readonly SkippedFile[];
}

/** What `.k8snet.yaml` tells the graph: operators' kinds (`workloads:`), namespaces made elsewhere (`namespaces:`) and the Istio mesh (`istio:`). */
export interface ModelOptions {
  readonly workloadDeclarations?: readonly WorkloadDeclaration[];
  readonly namespaceDeclarations?: readonly NamespaceDeclaration[];
  /** Pod addresses by `namespace/pod-name` (see BuildOptions.podIPs). */
  readonly podIPs?: ReadonlyMap<string, string>;
  /** The nodes pods run on by `namespace/pod-name` (see BuildOptions.podNodes). */
  readonly podNodes?: ReadonlyMap<string, string>;
  /** The Istio mesh settings (`.k8snet.yaml` `istio:`). */
  readonly istio?: IstioSettings;
}

/** Options of {@link analyzePaths}. */
export interface AnalyzeOptions extends LoadOptions, ModelOptions {
  readonly defaultNamespace?: string;
}

function analyze(loaded: LoadResult, options: AnalyzeOptions): Analysis {
  const graph = buildGraph(loaded.objects, {
    defaultNamespace: options.defaultNamespace,
    ...(options.workloadDeclarations ? { workloadDeclarations: options.workloadDeclarations } : {}),
    ...(options.namespaceDeclarations ? { namespaceDeclarations: options.namespaceDeclarations } : {}),
    ...(options.podIPs ? { podIPs: options.podIPs } : {}),
    ...(options.podNodes ? { podNodes: options.podNodes } : {}),
    ...(options.istio ? { istio: options.istio } : {}),
  });
  return { graph, inputFindings: [...loaded.findings, ...graph.findings], files: loaded.files, unparsedFiles: loaded.unparsedFiles, skipped: loaded.skipped };
}

/** The loader's view of the declared operator kinds: they are analysed, so not unknown. */
function declaredKinds(options: ModelOptions): Pick<LoadOptions, 'isDeclaredWorkloadKind'> {
  const kinds = (options.workloadDeclarations ?? []).map((declaration) => declaredOperatorKind(declaration));
  if (kinds.length === 0) return {};
  return { isDeclaredWorkloadKind: (apiVersion, kind) => kinds.some((declared) => isOfOperatorKind(declared, { apiVersion, kind })) };
}

/** Loads the manifests at `paths` (files, folders, `-`) and builds their resource graph. */
export function analyzePaths(paths: readonly string[], options: AnalyzeOptions = {}): Analysis {
  return analyze(loadPaths(paths, { ...options, ...declaredKinds(options) }), options);
}

/** Builds the resource graph of in-memory manifest texts (or bytes, decoded as files are; or the size of a file too large to read). */
export function analyzeTexts(
  texts: readonly ({ path: string; text: string | Buffer } | { path: string; tooLarge: number })[],
  options: AnalyzeOptions = {},
): Analysis {
  return analyze(loadTexts(texts, declaredKinds(options)), options);
}
