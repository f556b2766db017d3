/**
 * When a namespaceSelector may match namespaces k8snet cannot see (src/model/namespace-scope.ts):
 * only a selector confined by kubernetes.io/metadata.name to namespaces whose labels are known
 * is judged exactly.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { parseLabelSelector } from '../../src/model/label-selector.js';
import { hasKnownLabels, mayMatchUnknownNamespaces } from '../../src/model/namespace-scope.js';

const config = resolveConfig({ namespaces: { declared: { team: 'd' } } }, undefined);
const { graph } = analyzeTexts([{
  path: 'test.yaml',
  text: `apiVersion: v1
kind: Namespace
metadata: {name: defined, labels: {team: a}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: used}
`,
}], { namespaceDeclarations: config.namespaces });

function selector(raw: unknown) {
  return parseLabelSelector(raw).selector!;
}

describe('namespace scope', () => {
  it('knows the labels of defined and declared namespaces, not of namespaces the manifests only use', () => {
    expect(['defined', 'declared', 'used'].map((name) => hasKnownLabels(graph.namespace(name)))).toEqual([true, true, false]);
  });

  it('judges exactly only selectors confined by name to namespaces with known labels', () => {
    const cases: [unknown, boolean][] = [
      [{ matchLabels: { team: 'a' } }, true],
      [{}, true],
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'defined' } }, false],
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'defined', team: 'x' } }, false],
      [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['defined', 'declared'] }], matchLabels: { team: 'a' } }, false],
      // used's labels are unknown: a label requirement beside its name cannot be judged; its name alone can.
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'used', team: 'a' } }, true],
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'used' } }, false],
      // A namespace the manifests never mention may exist with any labels.
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'elsewhere' } }, true],
      [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['defined'] }] }, true],
    ];
    for (const [raw, expected] of cases) expect([raw, mayMatchUnknownNamespaces(selector(raw), graph)]).toEqual([raw, expected]);
  });
});
