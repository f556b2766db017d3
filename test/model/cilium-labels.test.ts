import { describe, expect, it } from '@jest/globals';
import {
  isIdentityLabelKey, matchesCiliumSelector, nodeIdentity, parseCiliumSelector, parseSelectorKey, podIdentity, requirementsOnFilteredKeys,
  reservedIdentity, scopePeerSelector, scopeSubjectSelector, subjectNamespaceConflict, type CiliumSelector,
} from '../../src/model/cilium-labels.js';

/** Parses a selector that must be valid. */
function selector(raw: unknown): CiliumSelector {
  const parsed = parseCiliumSelector(raw);
  expect(parsed.problems).toEqual([]);
  return parsed.selector!;
}

const client = podIdentity(
  { namespace: 'cilium-test', labels: { name: 'client', kind: 'client', 'pod-template-hash': '5d4f8', 'app.kubernetes.io/name': 'client' }, serviceAccountName: 'client' },
  { 'kubernetes.io/metadata.name': 'cilium-test', team: 'qa' },
);

describe('parseSelectorKey (GetExtendedKeyFrom)', () => {
  it.each([
    ['app', 'any', 'app'],
    ['k8s:app', 'k8s', 'app'],
    ['any:app', 'any', 'app'],
    ['reserved:host', 'reserved', 'host'],
    ['$host', 'reserved', 'host'],
    ['k8s:io.kubernetes.pod.namespace', 'k8s', 'io.kubernetes.pod.namespace'],
    ['app.kubernetes.io/name', 'any', 'app.kubernetes.io/name'],
  ])('%s is source %s, key %s', (written, source, key) => {
    expect(parseSelectorKey(written)).toEqual({ source, key });
  });
});

describe('podIdentity', () => {
  it('holds the pod labels Cilium keeps, its namespace, service account, cluster and namespace labels, all of source k8s', () => {
    expect(client.labels.map((label) => `${label.source}:${label.key}=${label.value}`)).toEqual([
      'k8s:app.kubernetes.io/name=client',
      'k8s:kind=client',
      'k8s:name=client',
      'k8s:io.kubernetes.pod.namespace=cilium-test',
      'k8s:io.cilium.k8s.policy.serviceaccount=client',
      'k8s:io.cilium.k8s.policy.cluster=default',
      'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=cilium-test',
      'k8s:io.cilium.k8s.namespace.labels.team=qa',
    ]);
  });

  it('gives the default service account when the pod names none, and the configured cluster name', () => {
    const identity = podIdentity({ namespace: 'shop', labels: {} }, {}, 'cluster1');
    expect(matchesCiliumSelector(selector({ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'default', 'io.cilium.k8s.policy.cluster': 'cluster1' } }), identity)).toBe(true);
  });

  it('lets Cilium\'s own labels win over pod labels of the same key', () => {
    const identity = podIdentity({ namespace: 'shop', labels: { 'io.kubernetes.pod.namespace': 'other' } }, {});
    expect(matchesCiliumSelector(selector({ matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } }), identity)).toBe(true);
    expect(identity.byKey.get('io.kubernetes.pod.namespace')).toHaveLength(1);
  });
});

describe('isIdentityLabelKey (the default label filter)', () => {
  it.each([
    ['app', true], ['name', true], ['app.kubernetes.io/name', true], ['batch.kubernetes.io/job-name', true], ['controller-uid', true],
    ['io.kubernetes.pod.namespace', true], ['io.cilium.k8s.namespace.labels.team', true],
    ['pod-template-hash', false], ['controller-revision-hash', false], ['pod-template-generation', false],
    ['statefulset.kubernetes.io/pod-name', false], ['apps.kubernetes.io/pod-index', false], ['batch.kubernetes.io/job-completion-index', false],
    ['kubernetes.io/hostname', false], ['k8s.io/foo', false], ['io.kubernetes.container.name', false], ['failure-domain.beta.kubernetes.io/zone', false],
    ['annotation.foo', false], ['etcd_node', false],
  ])('%s kept: %s', (key, kept) => {
    expect(isIdentityLabelKey(key)).toBe(kept);
  });

  it('names the requirements a pod endpoint can never satisfy', () => {
    const filtered = requirementsOnFilteredKeys(selector({ matchLabels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }));
    expect(filtered.map((requirement) => requirement.key)).toEqual(['statefulset.kubernetes.io/pod-name']);
  });
});

describe('matchesCiliumSelector', () => {
  it('matches a key without source against a label of any source, and a key with a source only against that source', () => {
    expect(matchesCiliumSelector(selector({ matchLabels: { kind: 'client' } }), client)).toBe(true);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'k8s:kind': 'client' } }), client)).toBe(true);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'any:kind': 'client' } }), client)).toBe(true);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'reserved:kind': 'client' } }), client)).toBe(false);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'container:kind': 'client' } }), client)).toBe(false);
  });

  it('applies In, NotIn, Exists and DoesNotExist as apimachinery does', () => {
    const matches = (expression: unknown) => matchesCiliumSelector(selector({ matchExpressions: [expression] }), client);
    expect(matches({ key: 'name', operator: 'In', values: ['client', 'client2'] })).toBe(true);
    expect(matches({ key: 'name', operator: 'NotIn', values: ['client'] })).toBe(false);
    expect(matches({ key: 'missing', operator: 'NotIn', values: ['x'] })).toBe(true);
    expect(matches({ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' })).toBe(true);
    expect(matches({ key: 'other', operator: 'DoesNotExist' })).toBe(true);
    expect(matches({ key: 'pod-template-hash', operator: 'Exists' })).toBe(false);
  });

  it('selects reserved identities by their reserved label, and nodes by their labels', () => {
    expect(matchesCiliumSelector(selector({ matchLabels: { 'reserved:host': '' } }), reservedIdentity('host'))).toBe(true);
    expect(matchesCiliumSelector(selector({ matchLabels: { '$world': '' } }), reservedIdentity('world'))).toBe(true);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'reserved:host': '' } }), client)).toBe(false);
    expect(matchesCiliumSelector(selector({ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }), nodeIdentity({ 'node-role.kubernetes.io/control-plane': '' }))).toBe(true);
  });
});

describe('parseCiliumSelector', () => {
  it('reports what the CRD and the agent refuse, at the field', () => {
    expect(parseCiliumSelector({ matchLabels: { app: 'not a value' } }).problems.map((problem) => problem.path)).toEqual([['matchLabels', 'app']]);
    expect(parseCiliumSelector({ matchExpressions: [{ key: 'app', operator: 'in', values: ['a'] }] }).problems[0].message).toMatch(/did you mean In\?/);
    expect(parseCiliumSelector({ matchExpressions: [{ key: 'app', operator: 'In' }] }).problems[0].message).toMatch(/needs at least one value/);
    expect(parseCiliumSelector({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['a'] }] }).problems[0].message).toMatch(/must not have values/);
    expect(parseCiliumSelector({ matchLabels: { 'k8s:': 'a' } }).problems[0].message).toMatch(/names a source but no key/);
    expect(parseCiliumSelector(['app']).problems[0].message).toMatch(/must be a mapping/);
  });

  it('writes selectors the way kubectl users read them, sources included', () => {
    expect(selector({ matchLabels: { 'k8s:app': 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'x', operator: 'DoesNotExist' }] }).text)
      .toBe('k8s:app=web,env notin (dev),!x');
    expect(selector({}).text).toBe('<all>');
  });
});

describe('namespace scoping (getEndpointSelector, ParseToCiliumRule)', () => {
  const inOther = podIdentity({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, { team: 'platform' });

  it('restricts a peer of a namespaced policy to the policy\'s namespace, {} included', () => {
    const scoped = scopePeerSelector(selector({}), 'cilium-test', false);
    expect(scoped.scope).toBe('policy-namespace');
    expect(scoped.effective.text).toBe('k8s:io.kubernetes.pod.namespace=cilium-test');
    expect(matchesCiliumSelector(scoped.effective, client)).toBe(true);
    expect(matchesCiliumSelector(scoped.effective, inOther)).toBe(false);
  });

  it('leaves a peer naming the namespace label (with k8s: or no source) to select that namespace', () => {
    for (const key of ['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace']) {
      const scoped = scopePeerSelector(selector({ matchLabels: { [key]: 'kube-system', 'k8s-app': 'kube-dns' } }), 'cilium-test', false);
      expect(scoped.scope).toBe('named-namespace');
      expect(matchesCiliumSelector(scoped.effective, inOther)).toBe(true);
    }
    // A reserved source is not the pod's namespace label, and reserved selectors are left alone.
    expect(scopePeerSelector(selector({ matchLabels: { 'reserved:io.kubernetes.pod.namespace': 'x' } }), 'ns', false).scope).toBe('reserved');
  });

  it('lets a peer naming namespace labels select across namespaces in a namespaced policy (the code; the docs say it is ignored)', () => {
    const scoped = scopePeerSelector(selector({ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'platform' } }), 'cilium-test', false);
    expect(scoped.scope).toBe('namespace-labels');
    expect(matchesCiliumSelector(scoped.effective, inOther)).toBe(true);
  });

  it('never scopes reserved labels in peers, but does in requirements', () => {
    expect(scopePeerSelector(selector({ matchLabels: { 'reserved:host': '' } }), 'ns', false).scope).toBe('reserved');
    expect(scopePeerSelector(selector({ matchLabels: { 'reserved:host': '' } }), 'ns', false, true).scope).toBe('policy-namespace');
  });

  it('makes {} in a cluster-wide policy every pod of every namespace, never the host or the world', () => {
    const scoped = scopePeerSelector(selector({}), undefined, false);
    expect(scoped.scope).toBe('every-namespace');
    expect(matchesCiliumSelector(scoped.effective, client)).toBe(true);
    expect(matchesCiliumSelector(scoped.effective, inOther)).toBe(true);
    expect(matchesCiliumSelector(scoped.effective, reservedIdentity('host'))).toBe(false);
    expect(matchesCiliumSelector(scoped.effective, reservedIdentity('world'))).toBe(false);
  });

  it('leaves a cluster-wide peer as written when the subject selects initialising endpoints', () => {
    expect(scopePeerSelector(selector({}), undefined, true).scope).toBe('as-written');
  });

  it('scopes the subject of a namespaced policy to its namespace, replacing a k8s: namespace entry and adding to any other', () => {
    const replaced = scopeSubjectSelector(selector({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', app: 'web' } }), 'shop');
    expect(replaced.text).toBe('app=web,k8s:io.kubernetes.pod.namespace=shop');
    const added = scopeSubjectSelector(selector({ matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }), 'shop');
    expect(added.text).toBe('io.kubernetes.pod.namespace=other,k8s:io.kubernetes.pod.namespace=shop');
    expect(subjectNamespaceConflict(selector({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }), 'shop')).toEqual({ namespaces: ['other'], overridden: true });
    expect(subjectNamespaceConflict(selector({ matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }), 'shop')).toEqual({ namespaces: ['other'], overridden: false });
    expect(subjectNamespaceConflict(selector({ matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } }), 'shop')).toBeUndefined();
  });
});
