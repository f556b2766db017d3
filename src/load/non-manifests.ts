import path from 'node:path';
import { CONFIG_FILE_NAMES } from './discover.js';

/**
 * Recognises the files of a repository that are not Kubernetes manifests: kustomize, Helm and CI
 * configuration, package manifests, tool settings. A linter pointed at a repository meets them
 * beside the manifests; they are skipped (and counted in one summary line), never reported as
 * broken manifests.
 *
 * Three ways, cheapest first: by the file's name (not even read), by the document's apiVersion
 * group, and by shape (a document with none of kind, apiVersion, metadata and spec). A document
 * that has some of them but not all that are needed is a broken manifest and stays an error.
 */

/** A file left out because it is not a Kubernetes manifest, and why, in a few words. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

const NAMES: ReadonlyMap<string, string> = new Map([
  ...['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((name) => [name, 'kustomize configuration'] as const),
  ['Chart.yaml', 'Helm chart metadata'],
  ['Chart.lock', 'Helm chart lock file'],
  ['requirements.yaml', 'Helm chart dependencies'],
  ['values.schema.json', 'Helm values schema'],
  ['helmfile.yaml', 'helmfile configuration'],
  ['ct.yaml', 'chart-testing configuration'],
  ['.pre-commit-config.yaml', 'pre-commit configuration'],
  ['.pre-commit-hooks.yaml', 'pre-commit hook definitions'],
  ['.gitlab-ci.yml', 'GitLab CI configuration'],
  ['.travis.yml', 'Travis CI configuration'],
  ['azure-pipelines.yml', 'Azure Pipelines configuration'],
  ['bitbucket-pipelines.yml', 'Bitbucket Pipelines configuration'],
  ['appveyor.yml', 'AppVeyor configuration'],
  ['cloudbuild.yaml', 'Cloud Build configuration'],
  ['codecov.yml', 'Codecov configuration'],
  ['action.yml', 'GitHub Action metadata'],
  ['action.yaml', 'GitHub Action metadata'],
  ['mkdocs.yml', 'MkDocs configuration'],
  ['.readthedocs.yaml', 'Read the Docs configuration'],
  ['.golangci.yml', 'golangci-lint configuration'],
  ['.golangci.yaml', 'golangci-lint configuration'],
  ['.goreleaser.yml', 'GoReleaser configuration'],
  ['.goreleaser.yaml', 'GoReleaser configuration'],
  ['.yamllint', 'yamllint configuration'],
  ['.yamllint.yaml', 'yamllint configuration'],
  ['.yamllint.yml', 'yamllint configuration'],
  ['.kube-linter.yaml', 'kube-linter configuration'],
  ['skaffold.yaml', 'Skaffold configuration'],
  ['devfile.yaml', 'devfile'],
  ['renovate.json', 'Renovate configuration'],
  ['package.json', 'npm package manifest'],
  ['package-lock.json', 'npm lock file'],
  ['npm-shrinkwrap.json', 'npm lock file'],
  ['composer.json', 'Composer package manifest'],
  ['jsconfig.json', 'JavaScript configuration'],
  ['lerna.json', 'Lerna configuration'],
  ['nx.json', 'Nx configuration'],
  ['turbo.json', 'Turborepo configuration'],
  ['deno.json', 'Deno configuration'],
  ['.eslintrc.json', 'ESLint configuration'],
  ['.eslintrc.yml', 'ESLint configuration'],
  ['.eslintrc.yaml', 'ESLint configuration'],
  ['.prettierrc.json', 'Prettier configuration'],
  ['.prettierrc.yaml', 'Prettier configuration'],
  ['.prettierrc.yml', 'Prettier configuration'],
  ...CONFIG_FILE_NAMES.map((name) => [name, 'k8snet configuration'] as const),
]);

/** Names by pattern: families of files (values-prod.yaml, tsconfig.build.json, docker-compose.override.yml). */
const NAME_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^values([._-].*)?\.(ya?ml|json)$/i, 'Helm values'],
  [/^tsconfig([._-].*)?\.json$/i, 'TypeScript configuration'],
  [/^(docker-)?compose([._-].*)?\.ya?ml$/i, 'Docker Compose file'],
  [/^\.markdownlint(-cli2)?\.(ya?ml|jsonc?)$/i, 'markdownlint configuration'],
];

/** The first characters of the names NAME_PATTERNS match (either case). */
const NAME_PATTERN_FIRST_CHARACTERS: ReadonlySet<string | undefined> = new Set(['v', 'V', 't', 'T', 'd', 'D', 'c', 'C', '.']);

/** Folders whose files are tool configuration wherever they are (a file given explicitly, or read from git). */
const FOLDERS: ReadonlyMap<string, string> = new Map([
  ['.github', 'GitHub configuration'],
  ['.circleci', 'CircleCI configuration'],
  ['.vscode', 'editor settings'],
  ['.idea', 'editor settings'],
  ['.devcontainer', 'dev container configuration'],
]);

/**
 * Why `file` is not a manifest judging by its name and folders alone (so it need not be read),
 * or undefined. A file in a Helm chart's `templates/` folder is a template, not a manifest: it is
 * what `helm template` renders that reaches the cluster; `hasChartFile(folder)` says whether a
 * folder holds a Chart.yaml.
 */
export function nonManifestByName(file: string, hasChartFile: (folder: string) => boolean): string | undefined {
  // Runs for every file found: the common case (a manifest's name, no dotted folder, no
  // templates folder) is decided with a few string searches, before any pattern.
  const normalised = file.includes('\\') ? file.replace(/\\/g, '/') : file;
  const slash = normalised.lastIndexOf('/');
  const name = normalised.slice(slash + 1);
  const byName = NAMES.get(name);
  if (byName) return byName;
  if (NAME_PATTERN_FIRST_CHARACTERS.has(name[0])) {
    for (const [pattern, reason] of NAME_PATTERNS) if (pattern.test(name)) return reason;
  }
  const folders = normalised.slice(0, Math.max(slash, 0));
  if (folders.startsWith('.') || folders.includes('/.')) {
    for (const folder of folders.split('/')) {
      const reason = FOLDERS.get(folder);
      if (reason) return reason;
    }
  }
  if (folders === 'templates' || folders.endsWith('/templates') || folders.includes('templates/')) {
    const segments = folders.split('/');
    for (let index = segments.length - 1; index >= 0; index--) {
      if (segments[index] !== 'templates') continue;
      const chart = segments.slice(0, index).join('/');
      const folder = chart === '' ? '.' : chart;
      if (hasChartFile(folder)) return `Helm chart template (render it: helm template ${folder} | k8snet lint -)`;
    }
  }
  return undefined;
}

/**
 * apiVersion groups of tool configuration that is not applied to a cluster: kustomize, istioctl's
 * IstioOperator, kpt, Skaffold, k3d, control-plane component and client configuration.
 * (kind, kubeadm, kubelet and kube-proxy configuration carry cluster facts and are read as such.)
 */
const TOOL_GROUPS: ReadonlyMap<string, string> = new Map([
  ['kustomize.config.k8s.io', 'kustomize configuration'],
  ['install.istio.io', 'istioctl installation configuration'],
  ['kpt.dev', 'kpt configuration'],
  ['fn.kpt.dev', 'kpt function configuration'],
  ['config.kubernetes.io', 'KRM function configuration'],
  ['skaffold', 'Skaffold configuration'],
  ['k3d.io', 'k3d configuration'],
  ['ctlptl.dev', 'ctlptl configuration'],
  ['apiserver.config.k8s.io', 'kube-apiserver configuration'],
  ['audit.k8s.io', 'audit policy'],
  ['kubescheduler.config.k8s.io', 'kube-scheduler configuration'],
  ['kubecontrollermanager.config.k8s.io', 'kube-controller-manager configuration'],
  ['client.authentication.k8s.io', 'client credential configuration'],
  ['builtin', 'kustomize plugin configuration'],
]);

const groupReasons = new Map<string, string | undefined>();

/** Why a document of this apiVersion and kind is tool configuration rather than a manifest, or undefined. */
export function nonManifestByApiVersion(apiVersion: string, kind: unknown): string | undefined {
  let byGroup = groupReasons.get(apiVersion);
  if (byGroup === undefined && !groupReasons.has(apiVersion)) {
    const slash = apiVersion.lastIndexOf('/');
    byGroup = TOOL_GROUPS.get(slash === -1 ? '' : apiVersion.slice(0, slash));
    groupReasons.set(apiVersion, byGroup);
  }
  if (byGroup) return byGroup;
  // A kubeconfig file: `apiVersion: v1`, `kind: Config`, which no API server serves.
  if (apiVersion === 'v1' && kind === 'Config') return 'kubeconfig';
  return undefined;
}

/** Keys of strategic-merge patch directives, which only patches (not objects) hold. */
const PATCH_DIRECTIVE = /^\$(patch|retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/;

/** Whether a text may hold a patch directive: only then are its documents searched for one. */
export function mayHavePatchDirectives(text: string): boolean {
  // Most manifests hold no '$' at all: one indexOf decides.
  return text.indexOf('$') !== -1 && /\$(?:patch|retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/.test(text);
}

/** How one document of a file reads, for deciding whether the file is a manifest at all. */
export type DocumentShape = 'empty' | 'manifest' | { readonly notManifest: string };

/**
 * The shape of a document: `manifest` when it has any of kind, apiVersion, metadata and spec
 * (complete or broken: a broken one is reported), or is a list of such objects; not a manifest,
 * with the reason, for other mappings (configuration data, values), JSON 6902 patch lists,
 * strategic-merge patches and scalars; `empty` for an empty document.
 */
export function documentShape(value: unknown, mayHavePatchDirectives = true): DocumentShape {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((item) => isMapping(item) && isJsonPatchOperation(item))) return { notManifest: 'a JSON 6902 patch' };
    // A list of objects written without `kind: List` is a broken manifest; anything else is data.
    return value.some((item) => isMapping(item) && (item.kind !== undefined || item.apiVersion !== undefined)) ? 'manifest' : { notManifest: 'a list of values, not an object' };
  }
  if (!isMapping(value)) return { notManifest: 'a plain value, not an object' };
  if (value.kind === undefined && value.apiVersion === undefined && value.metadata === undefined && value.spec === undefined) {
    return { notManifest: 'settings or values: no kind, apiVersion or metadata' };
  }
  return mayHavePatchDirectives && hasPatchDirective(value, 0) ? { notManifest: 'a strategic-merge patch ($patch directives)' } : 'manifest';
}

function isJsonPatchOperation(item: Record<string, unknown>): boolean {
  return typeof item.op === 'string' && typeof item.path === 'string';
}

function hasPatchDirective(value: unknown, depth: number): boolean {
  if (depth > 8) return false;
  if (Array.isArray(value)) return value.some((item) => hasPatchDirective(item, depth + 1));
  if (!isMapping(value)) return false;
  for (const key in value) {
    if (PATCH_DIRECTIVE.test(key) || hasPatchDirective(value[key], depth + 1)) return true;
  }
  return false;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The files a kustomization names that are not resources: patches (strategic-merge and JSON
 * 6902), replacement and transformer configuration, generator inputs and Helm values, as paths
 * resolved from the kustomization's folder. Resources (`resources:`, `crds:`) are manifests and
 * are not listed.
 */
export function kustomizationReferences(kustomization: unknown, folder: string): string[] {
  if (!isMapping(kustomization)) return [];
  const found: string[] = [];
  const add = (reference: unknown): void => {
    // Inline patches (a string holding YAML) and remote references are not files here.
    if (typeof reference !== 'string' || reference.includes('\n') || /^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) return;
    found.push(path.join(folder, reference.trim()));
  };
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  for (const patch of list(kustomization.patchesStrategicMerge)) add(patch);
  for (const field of ['patches', 'patchesJson6902', 'replacements'] as const) {
    for (const entry of list(kustomization[field])) if (isMapping(entry)) add(entry.path);
  }
  for (const field of ['configurations', 'generators', 'transformers', 'validators'] as const) {
    for (const entry of list(kustomization[field])) add(entry);
  }
  for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
    for (const generator of list(kustomization[field])) {
      if (!isMapping(generator)) continue;
      // `files: [key=path]` names the file after the `=`.
      for (const file of list(generator.files)) if (typeof file === 'string') add(file.slice(file.indexOf('=') + 1));
      for (const env of [...list(generator.envs), generator.env]) add(env);
    }
  }
  for (const chart of list(kustomization.helmCharts)) {
    if (isMapping(chart)) add(chart.valuesFile);
  }
  if (isMapping(kustomization.openapi)) add(kustomization.openapi.path);
  return found;
}

/** Returns true for the file name of a kustomization. */
export function isKustomizationFile(file: string): boolean {
  const name = path.basename(file);
  return name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization';
}
