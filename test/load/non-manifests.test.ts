/**
 * How files that are not Kubernetes manifests are recognised: by name, by apiVersion group, by what
 * a kustomization names, by shape. A broken manifest is not mistaken for one of them.
 */
import { describe, expect, it } from '@jest/globals';
import { documentShape, kustomizationReferences, nonManifestByApiVersion, nonManifestByName } from '../../src/load/non-manifests.js';
import { loadTexts } from '../../src/load/index.js';

const noChart = () => false;

describe('by name', () => {
  it.each([
    ['kustomization.yaml', 'kustomize configuration'],
    ['overlays/prod/kustomization.yml', 'kustomize configuration'],
    ['charts/web/Chart.yaml', 'Helm chart metadata'],
    ['charts/web/values.yaml', 'Helm values'],
    ['charts/web/values-prod.yaml', 'Helm values'],
    ['charts/web/values.staging.yml', 'Helm values'],
    ['.pre-commit-config.yaml', 'pre-commit configuration'],
    ['repo/.github/workflows/ci.yaml', 'GitHub configuration'],
    ['.github/dependabot.yml', 'GitHub configuration'],
    ['.gitlab-ci.yml', 'GitLab CI configuration'],
    ['package.json', 'npm package manifest'],
    ['tsconfig.build.json', 'TypeScript configuration'],
    ['docker-compose.override.yml', 'Docker Compose file'],
    ['compose.yaml', 'Docker Compose file'],
    ['.k8snet.yaml', 'k8snet configuration'],
    ['C:\\repo\\.github\\workflows\\ci.yaml', 'GitHub configuration'],
  ])('%s: %s', (file, reason) => {
    expect(nonManifestByName(file, noChart)).toBe(reason);
  });

  it('leaves manifests alone, whatever their folder', () => {
    for (const file of ['deploy/values-api/deployment.yaml', 'deployment.yaml', 'templates/service.yaml', 'k8s/config.yaml', 'values/prod/svc.yaml', 'vpa.yaml']) {
      expect([file, nonManifestByName(file, noChart)]).toEqual([file, undefined]);
    }
  });

  it('skips the templates of a Helm chart (a templates folder beside a Chart.yaml), at any depth', () => {
    const charts = new Set(['charts/web', 'charts/web/charts/redis', '.']);
    const hasChart = (folder: string) => charts.has(folder);
    expect(nonManifestByName('charts/web/templates/deployment.yaml', hasChart)).toBe('Helm chart template (render it: helm template charts/web | k8snet lint -)');
    expect(nonManifestByName('charts/web/templates/tests/test-connection.yaml', hasChart)).toBe('Helm chart template (render it: helm template charts/web | k8snet lint -)');
    expect(nonManifestByName('charts/web/charts/redis/templates/master.yaml', hasChart)).toBe('Helm chart template (render it: helm template charts/web/charts/redis | k8snet lint -)');
    expect(nonManifestByName('templates/service.yaml', hasChart)).toBe('Helm chart template (render it: helm template . | k8snet lint -)');
    // A chart's crds/ are applied as they are; a templates folder without a chart is manifests.
    expect(nonManifestByName('charts/web/crds/crd.yaml', hasChart)).toBeUndefined();
    expect(nonManifestByName('other/templates/service.yaml', hasChart)).toBeUndefined();
  });
});

describe('by apiVersion group', () => {
  it.each([
    ['kustomize.config.k8s.io/v1beta1', 'Kustomization', 'kustomize configuration'],
    ['kustomize.config.k8s.io/v1alpha1', 'Component', 'kustomize configuration'],
    ['install.istio.io/v1alpha1', 'IstioOperator', 'istioctl installation configuration'],
    ['skaffold/v4beta6', 'Config', 'Skaffold configuration'],
    ['v1', 'Config', 'kubeconfig'],
  ])('%s %s', (apiVersion, kind, reason) => {
    expect(nonManifestByApiVersion(apiVersion, kind)).toBe(reason);
  });

  it('but not kinds applied to clusters, nor tool configuration that states cluster facts', () => {
    for (const [apiVersion, kind] of [['v1', 'ConfigMap'], ['kind.x-k8s.io/v1alpha4', 'Cluster'], ['kubeadm.k8s.io/v1beta3', 'ClusterConfiguration'], ['projectcalico.org/v3', 'NetworkPolicy']]) {
      expect(nonManifestByApiVersion(apiVersion, kind)).toBeUndefined();
    }
  });
});

describe('by shape', () => {
  it('tells data and patches from objects, complete or broken', () => {
    expect(documentShape(null)).toBe('empty');
    expect(documentShape({ replicaCount: 2, image: { tag: '1' } })).toEqual({ notManifest: 'settings or values: no kind, apiVersion or metadata' });
    expect(documentShape([{ op: 'replace', path: '/spec/replicas', value: 3 }])).toEqual({ notManifest: 'a JSON 6902 patch' });
    expect(documentShape({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', $patch: 'delete' }] } } } }))
      .toEqual({ notManifest: 'a strategic-merge patch ($patch directives)' });
    expect(documentShape('just text')).toEqual({ notManifest: 'a plain value, not an object' });
    // Broken manifests are manifests: reported as such.
    expect(documentShape({ metadata: { name: 'no-kind' } })).toBe('manifest');
    expect(documentShape({ spec: { replicas: 1 } })).toBe('manifest');
    expect(documentShape({ kind: 'Service' })).toBe('manifest');
    expect(documentShape([{ apiVersion: 'v1', kind: 'Service' }])).toBe('manifest');
  });

  it('skips a whole file only when none of its documents is a manifest', () => {
    const settings = loadTexts([{ path: 'config/app.yaml', text: 'server:\n  port: 8080\n---\n# nothing\n' }]);
    expect(settings.skipped).toEqual([{ path: 'config/app.yaml', reason: 'settings or values: no kind, apiVersion or metadata' }]);
    expect(settings.findings).toEqual([]);
    const mixed = loadTexts([{ path: 'mixed.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\nserver:\n  port: 8080\n' }]);
    expect(mixed.skipped).toEqual([]);
    expect(mixed.findings.map((finding) => [finding.ruleId, finding.location?.line])).toEqual([['input-missing-kind', 5]]);
  });
});

describe('what a kustomization names', () => {
  it('lists its patches, replacements, generator inputs and values files, not its resources', () => {
    const kustomization = {
      resources: ['deployment.yaml', '../base'],
      crds: ['crd.yaml'],
      patchesStrategicMerge: ['replicas.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n'],
      patchesJson6902: [{ target: { kind: 'Deployment', name: 'web' }, path: 'json-patch.yaml' }],
      patches: [{ path: 'labels.yaml' }, { patch: '- op: remove\n  path: /x\n' }],
      replacements: [{ path: 'replacement.yaml' }],
      configMapGenerator: [{ name: 'c', files: ['application.yaml=config/app.yaml', 'plain.yaml'], envs: ['env.properties'] }],
      secretGenerator: [{ name: 's', env: 'secret.env' }],
      helmCharts: [{ name: 'redis', valuesFile: 'redis-values.yaml' }],
      transformers: ['transformer.yaml'],
      openapi: { path: 'schema.json' },
      components: ['../components/monitoring'],
    };
    expect(kustomizationReferences(kustomization, 'overlays/prod').sort()).toEqual([
      'overlays/prod/config/app.yaml', 'overlays/prod/env.properties', 'overlays/prod/json-patch.yaml', 'overlays/prod/labels.yaml',
      'overlays/prod/plain.yaml', 'overlays/prod/redis-values.yaml', 'overlays/prod/replacement.yaml', 'overlays/prod/replicas.yaml',
      'overlays/prod/schema.json', 'overlays/prod/secret.env', 'overlays/prod/transformer.yaml',
    ]);
    expect(kustomizationReferences(['not', 'a', 'kustomization'], '.')).toEqual([]);
  });

  it('skips what a kustomization among the inputs names, and reads the rest', () => {
    const loaded = loadTexts([
      { path: 'app/kustomization.yaml', text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\npatches:\n  - path: replicas.yaml\n' },
      { path: 'app/deployment.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}}\n' },
      { path: 'app/replicas.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n' },
    ]);
    expect(loaded.objects.map((object) => `${object.origin.file} ${object.kind}/${object.name}`)).toEqual(['app/deployment.yaml Deployment/web']);
    expect(loaded.skipped.map((file) => file.path)).toEqual(['app/kustomization.yaml', 'app/replicas.yaml']);
  });
});
