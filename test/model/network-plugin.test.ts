import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ConfigError, loadConfig, resolveConfig } from '../../src/lint/config.js';
import { canonicalPluginName, enforcesDialect, networkPluginOf, suggestPluginName } from '../../src/model/network-plugin.js';

const daemonSet = (name: string, image: string, labels = '{}') => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: kube-system, labels: ${labels}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      hostNetwork: true
      containers: [{name: agent, image: "${image}"}]
`;

/** The plugin the manifests show, by name, or `unknown`. */
function detected(text: string): string {
  return networkPluginOf(analyzeTexts([{ path: 'm.yaml', text }]).graph, undefined).name;
}

describe('cluster.cni values', () => {
  it('are case-insensitive, with aliases; unknown names get a suggestion', () => {
    expect(canonicalPluginName('Cilium')).toBe('cilium');
    expect(canonicalPluginName('kube-flannel')).toBe('flannel');
    expect(canonicalPluginName('weave-net')).toBe('weave');
    expect(canonicalPluginName('other')).toBe('other');
    expect(canonicalPluginName('unknown')).toBe('unknown');
    expect(canonicalPluginName('cillium')).toBeUndefined();
    expect(suggestPluginName('cillium')).toBe('cilium');
    expect(suggestPluginName('calcio')).toBe('calico');
  });

  it('decide which dialects are enforced', () => {
    const graph = analyzeTexts([]).graph;
    const enforced = (cni: string) => ['networkpolicy', 'cilium', 'calico'].filter((dialect) => enforcesDialect(networkPluginOf(graph, cni), dialect as 'cilium'));
    expect(enforced('cilium')).toEqual(['networkpolicy', 'cilium']);
    expect(enforced('calico')).toEqual(['networkpolicy', 'calico']);
    expect(enforced('canal')).toEqual(['networkpolicy', 'calico']);
    expect(enforced('flannel')).toEqual([]);
    expect(enforced('antrea')).toEqual(['networkpolicy']);
    expect(enforced('other')).toEqual(['networkpolicy']);
    expect(enforced('unknown')).toEqual(['networkpolicy', 'cilium', 'calico']);
  });
});

describe('detection from the manifests', () => {
  it('recognises agents by their DaemonSet, labels or image', () => {
    expect(detected(daemonSet('cilium', 'quay.io/cilium/cilium:v1.16.5', '{k8s-app: cilium}'))).toBe('cilium');
    expect(detected(daemonSet('agent', 'quay.io/cilium/cilium@sha256:0123'))).toBe('cilium');
    expect(detected(daemonSet('calico-node', 'docker.io/calico/node:v3.28.0'))).toBe('calico');
    expect(detected(daemonSet('canal', 'docker.io/calico/node:v3.28.0'))).toBe('canal');
    expect(detected(daemonSet('kube-flannel-ds', 'docker.io/flannel/flannel:v0.25.1'))).toBe('flannel');
    expect(detected(daemonSet('antrea-agent', 'antrea/antrea-agent-ubuntu:v2.0.0'))).toBe('antrea');
  });

  it('does not take images of the project\'s registry for its agent (cilium-cli\'s test pods)', () => {
    expect(detected(daemonSet('host-netns', 'quay.io/cilium/alpine-curl:v1.10.0'))).toBe('unknown');
  });

  it('prefers Cilium when it runs chained on another plugin, and reads configuration and runtime objects', () => {
    expect(detected(`${daemonSet('kube-flannel-ds', 'docker.io/flannel/flannel:v0.25.1')}---\n${daemonSet('cilium', 'quay.io/cilium/cilium:v1.16.5')}`)).toBe('cilium');
    expect(detected('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {}\n')).toBe('cilium');
    expect(detected('apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata: {name: node-1}\nspec: {}\n')).toBe('cilium');
    expect(detected('apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\nspec: {}\n')).toBe('calico');
  });

  it('says nothing from Cilium policies alone: the CRDs can be installed without the agent', () => {
    const text = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {endpointSelector: {}, ingress: [{}]}\n';
    const fact = networkPluginOf(analyzeTexts([{ path: 'm.yaml', text }]).graph, undefined);
    expect(fact.origin).toBe('none');
    expect(enforcesDialect(fact, 'cilium')).toBe(true);
  });

  it('lets cluster.cni win over the manifests', () => {
    const graph = analyzeTexts([{ path: 'm.yaml', text: daemonSet('calico-node', 'docker.io/calico/node:v3.28.0') }]).graph;
    expect(networkPluginOf(graph, 'cilium')).toMatchObject({ origin: 'config', name: 'cilium' });
  });
});

describe('detection from policies users write', () => {
  const antreaPolicy = 'apiVersion: crd.antrea.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: allow-client, namespace: shop}\nspec: {}\n';
  const calicoPolicy = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec: {selector: all()}\n';
  const pluginOf = (...texts: string[]) => networkPluginOf(analyzeTexts([{ path: 'repo.yaml', text: texts.join('---\n') }]).graph, undefined).name;

  it('takes an Antrea policy as a sign of Antrea when nothing else says otherwise', () => {
    expect(pluginOf(antreaPolicy)).toBe('antrea');
  });

  it('cannot tell the plugin from policies of two plugins (a repository holding both): unknown, not Antrea', () => {
    expect(pluginOf(antreaPolicy, calicoPolicy)).toBe('unknown');
  });
});

describe('.k8snet.yaml cluster.cni', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8snet-cni-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is stored canonical', () => {
    expect(resolveConfig({ cluster: { cni: 'Kube-Flannel' } }, undefined).cluster.cni).toBe('flannel');
  });

  it('refuses a name k8snet does not know, at its line, with a suggestion', () => {
    const file = path.join(root, '.k8snet.yaml');
    fs.writeFileSync(file, 'cluster:\n  podCIDR: 10.0.0.0/16\n  cni: cillium\n');
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: cluster.cni: 'cillium' is not a network plugin k8snet knows; did you mean cilium\\? Write one of cilium, calico, canal, flannel, kubenet`));
  });
});
