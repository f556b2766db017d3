/**
 * What rule fixtures cannot say (the RuleTester runs every rule's fixtures in rules.test.ts):
 * rule options, the solver's hostNetwork mode, and helpers of the isolation and exposure rules.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { resolveConfig } from '../../src/lint/config.js';
import { RuleError, runRules } from '../../src/lint/engine.js';
import type { Rule } from '../../src/lint/rule.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { deepFreeze } from './rule-tester.js';
import cniDoesNotEnforcePolicy from '../../rules/cni-does-not-enforce-policy.js';
import hostnetworkBypassesPolicy from '../../rules/hostnetwork-bypasses-policy.js';
import { coversHost } from '../../rules/ingress-without-tls.js';
import namespaceNoDefaultDenyEgress from '../../rules/namespace-no-default-deny-egress.js';
import namespaceNoDefaultDenyIngress from '../../rules/namespace-no-default-deny-ingress.js';
import policyAllowsAllIngress from '../../rules/policy-allows-all-ingress.js';


/** Lints inline manifests with one rule, its options and a solver of choice: `line message` per finding. */
function lint(rule: Rule<any>, text: string, options?: Record<string, unknown>, hostNetworkPods?: 'node' | 'pod'): string[] {
  const analysis = analyzeTexts([{ path: 'inline.yaml', text }]);
  deepFreeze(analysis.graph);
  const config = resolveConfig({}, undefined);
  const run = runRules(analysis.graph, [rule], { ...config, rules: { [rule.id]: { level: rule.severity, ...(options ? { options } : {}) } } },
    hostNetworkPods ? () => new ReachabilitySolver(analysis.graph, { hostNetworkPods }) : undefined);
  return run.findings.map((finding) => `${finding.location!.line} ${finding.message}`);
}

const POD_IN = (namespace: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: ${namespace}
spec:
  containers:
    - name: app
      image: app:1
`;

describe('namespace-no-default-deny-* options', () => {
  const text = [POD_IN('kube-system'), POD_IN('legacy-billing'), POD_IN('shop')].join('---');

  it('ignore kube-system by default', () => {
    expect(lint(namespaceNoDefaultDenyIngress, text).map((line) => line.split(' ')[2])).toEqual(['legacy-billing', 'shop']);
  });

  it('take ignoreNamespaces patterns with *, replacing the default list', () => {
    expect(lint(namespaceNoDefaultDenyIngress, text, { ignoreNamespaces: ['legacy-*'] }).map((line) => line.split(' ')[2])).toEqual(['kube-system', 'shop']);
    expect(lint(namespaceNoDefaultDenyEgress, text, { ignoreNamespaces: ['*'] })).toEqual([]);
  });

  it('reject options that do not fit the schema', () => {
    expect(() => lint(namespaceNoDefaultDenyIngress, text, { ignoreNamespaces: 'kube-system' })).toThrow(RuleError);
    expect(() => lint(namespaceNoDefaultDenyEgress, text, { ignoreNamespace: [] })).toThrow(RuleError);
  });
});

describe('policy-allows-all-ingress sensitivePorts', () => {
  const text = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: open
  namespace: shop
spec:
  podSelector: {}
  ingress:
    - ports:
        - port: 5432
    - ports:
        - port: 161
          protocol: UDP
    - from:
        - ipBlock:
            cidr: 0.0.0.0/0
      ports:
        - port: 9000
          endPort: 9400
`;

  it('name the sensitive ports a rule opens, from the default list', () => {
    expect(lint(policyAllowsAllIngress, text)).toEqual([
      '10 Rule shop/open ingress[0] has no from, so any pod and any address, including the internet, can reach sensitive port TCP/5432 of the pods it selects.',
      '16 ipBlock 0.0.0.0/0 in shop/open ingress[2] opens sensitive port TCP/9200 of the pods it selects to every public address.',
    ]);
  });

  it('take numbers, ranges and PROTOCOL/port entries, replacing the default list', () => {
    expect(lint(policyAllowsAllIngress, text, { sensitivePorts: ['UDP/161', '9300-9400'] })).toEqual([
      '12 Rule shop/open ingress[1] has no from, so any pod and any address, including the internet, can reach sensitive port UDP/161 of the pods it selects.',
      '16 ipBlock 0.0.0.0/0 in shop/open ingress[2] opens sensitive ports TCP/9300-9400 of the pods it selects to every public address.',
    ]);
  });

  it('reject entries that are not ports', () => {
    expect(() => lint(policyAllowsAllIngress, text, { sensitivePorts: ['ssh'] })).toThrow(RuleError);
    expect(() => lint(policyAllowsAllIngress, text, { sensitivePorts: [70000] })).toThrow(RuleError);
  });
});

describe('hostnetwork-bypasses-policy', () => {
  const text = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: agent
  namespace: monitoring
spec:
  podSelector:
    matchLabels:
      app: agent
---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: monitoring
  labels:
    app: agent
spec:
  hostNetwork: true
  containers:
    - name: agent
      image: agent:1
`;

  it('reports when hostNetwork pods are node traffic (the default)', () => {
    expect(lint(hostnetworkBypassesPolicy, text, undefined, 'node')).toHaveLength(1);
  });

  it('reports nothing when the plugin applies policies to hostNetwork pods (--host-network-pods pod)', () => {
    expect(lint(hostnetworkBypassesPolicy, text, undefined, 'pod')).toEqual([]);
  });
});

describe('cni-does-not-enforce-policy', () => {
  it('recognises Flannel by its ConfigMap when its DaemonSet is not in the manifests', () => {
    const text = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-flannel-cfg
  namespace: kube-flannel
data:
  net-conf.json: '{"Network": "10.244.0.0/16"}'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
`;
    expect(lint(cniDoesNotEnforcePolicy, text)).toEqual([
      '5 ConfigMap kube-flannel/kube-flannel-cfg configures Flannel, and no policy engine such as Calico (Canal) or Cilium is installed, so the network plugin silently ignores the 1 NetworkPolicy in these manifests.',
    ]);
  });
});

describe('ingress-without-tls coversHost', () => {
  it('matches names exactly and wildcards for one label', () => {
    expect(coversHost('shop.example.com', 'shop.example.com')).toBe(true);
    expect(coversHost('*.example.com', 'shop.example.com')).toBe(true);
    expect(coversHost('*.example.com', 'example.com')).toBe(false);
    expect(coversHost('*.example.com', 'a.shop.example.com')).toBe(false);
    expect(coversHost('*.example.com', '*.example.com')).toBe(true);
    expect(coversHost('shop.example.com', '*.example.com')).toBe(false);
  });
});
