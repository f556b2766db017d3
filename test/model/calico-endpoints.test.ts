import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import {
  ProfileLookup, entityRuleSelectors, kubernetesPolicyEndpointSelectorText, networkSetLabels, podEndpointLabels, policyEndpointSelectorText,
  serviceAccountLabelsOf, workloadEndpointLabels,
} from '../../src/model/calico-endpoints.js';
import { evaluateCalicoSelector, parseCalicoSelector, printCalicoSelector, type CalicoSelectorNode } from '../../src/model/calico-selector.js';
import { selectorsMayOverlap } from '../../src/model/calico-selector-overlap.js';
import { calicoTierPlans } from '../../src/model/calico-order.js';
import { calicoView } from '../../src/model/calico-view.js';
import type { CalicoPolicy } from '../../src/model/calico.js';

function field(text: string) {
  const parsed = parseCalicoSelector(text);
  if ('error' in parsed) throw new Error(parsed.error.message);
  return { ...parsed.selector, path: [] };
}

function node(text: string): CalicoSelectorNode {
  return field(text).root;
}

type PolicyShape = Pick<CalicoPolicy, 'kind' | 'namespace' | 'selector' | 'namespaceSelector' | 'serviceAccountSelector'>;

function policy(kind: CalicoPolicy['kind'], fields: { namespace?: string; selector?: string; namespaceSelector?: string; serviceAccountSelector?: string }): PolicyShape {
  return {
    kind,
    ...(fields.namespace !== undefined ? { namespace: fields.namespace } : {}),
    ...(fields.selector !== undefined ? { selector: field(fields.selector) } : {}),
    ...(fields.namespaceSelector !== undefined ? { namespaceSelector: field(fields.namespaceSelector) } : {}),
    ...(fields.serviceAccountSelector !== undefined ? { serviceAccountSelector: field(fields.serviceAccountSelector) } : {}),
  };
}

describe('the selectors Calico derives from a policy (libcalico-go update processors)', () => {
  it.each([
    ['NetworkPolicy', { namespace: 'shop', selector: "app == 'web'" }, "(app == 'web') && projectcalico.org/namespace == 'shop'"],
    ['NetworkPolicy', { namespace: 'shop' }, "projectcalico.org/namespace == 'shop'"],
    ['NetworkPolicy', { namespace: 'shop', serviceAccountSelector: "role == 'api'" }, "(projectcalico.org/namespace == 'shop') && pcsa.role == \"api\""],
    ['GlobalNetworkPolicy', { selector: "app == 'web'" }, "app == 'web'"],
    ['GlobalNetworkPolicy', {}, ''],
    // The quirk: every all() of the joined text becomes has(projectcalico.org/namespace).
    ['GlobalNetworkPolicy', { selector: 'all()', namespaceSelector: "team == 'a'" }, '(has(projectcalico.org/namespace)) && pcns.team == "a"'],
    ['GlobalNetworkPolicy', { namespaceSelector: 'all()' }, 'has(projectcalico.org/namespace)'],
    ['GlobalNetworkPolicy', { serviceAccountSelector: 'all()' }, 'has(projectcalico.org/serviceaccount)'],
  ] as const)('%s %j selects %j', (kind, fields, expected) => {
    expect(policyEndpointSelectorText(policy(kind, fields))).toBe(expected);
  });

  it('lets a GlobalNetworkPolicy namespaceSelector that a non-namespaced endpoint satisfies select host endpoints', () => {
    const selector = node(policyEndpointSelectorText(policy('GlobalNetworkPolicy', { selector: "role == 'edge'", namespaceSelector: '!has(team)' })));
    expect(evaluateCalicoSelector(selector, { role: 'edge' })).toBe(true);
    const namespaced = node(policyEndpointSelectorText(policy('GlobalNetworkPolicy', { selector: 'all()', namespaceSelector: '!has(team)' })));
    expect(evaluateCalicoSelector(namespaced, { role: 'edge' })).toBe(false);
  });

  it.each([
    ['a selector in a namespaced policy', { selector: "app == 'db'" }, 'shop', "(projectcalico.org/namespace == 'shop') && (app == 'db')"],
    ['a selector in a global policy', { selector: "app == 'db'" }, undefined, "app == 'db'"],
    ['a namespaceSelector all()', { selector: "app == 'db'", namespaceSelector: 'all()' }, 'shop', '(has(projectcalico.org/namespace)) && (app == \'db\')'],
    ['a namespaceSelector global()', { selector: "role == 'x'", namespaceSelector: 'global()' }, 'shop', "(!has(projectcalico.org/namespace)) && (role == 'x')"],
    ['a namespaceSelector alone', { namespaceSelector: "team == 'a'" }, undefined, 'pcns.team == "a"'],
    ['nets only', {}, 'shop', undefined],
    ['a notSelector in a namespaced policy', { notSelector: "app == 'x'" }, 'shop', "projectcalico.org/namespace == 'shop'"],
    ['a notSelector in a global policy', { notSelector: "app == 'x'" }, undefined, undefined],
    ['service accounts by name and selector', { serviceAccounts: { names: ['api', 'web'], selector: "team == 'a'" } }, 'shop',
      "(projectcalico.org/namespace == 'shop') && ((pcsa.team == \"a\") && (projectcalico.org/serviceaccount in {\"api\", \"web\"}))"],
  ] as const)('%s', (_name, fields, namespace, expected) => {
    const entity = {
      ...('selector' in fields ? { selector: field(fields.selector) } : {}),
      ...('notSelector' in fields ? { notSelector: field(fields.notSelector) } : {}),
      ...('namespaceSelector' in fields ? { namespaceSelector: field(fields.namespaceSelector) } : {}),
      ...('serviceAccounts' in fields ? { serviceAccounts: { names: [...fields.serviceAccounts.names], selector: field(fields.serviceAccounts.selector), path: [] } } : {}),
    };
    const result = entityRuleSelectors(entity, namespace);
    expect(result.selectorText).toBe(expected);
    expect(result.notSelector ? printCalicoSelector(result.notSelector) : undefined).toBe('notSelector' in fields ? 'app == "x"' : undefined);
  });

  it('writes a Kubernetes NetworkPolicy selector as Calico converts it', () => {
    const analysis = analyzeTexts([{ path: 'knp.yaml', text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: tier, operator: NotIn, values: [a, b]}
      - {key: canary, operator: DoesNotExist}
` }]);
    expect(kubernetesPolicyEndpointSelectorText(analysis.graph.policies[0]))
      .toBe("(projectcalico.org/orchestrator == 'k8s' && app in { 'web' } && tier not in { 'a', 'b' } && ! has(canary)) && projectcalico.org/namespace == 'shop'".replace("app in { 'web' }", "app == 'web'"));
  });
});

describe('the labels Calico selectors see', () => {
  it('gives a pod its namespace, orchestrator and service account labels and its profiles\' pcns./pcsa. labels', () => {
    const labels = podEndpointLabels({ namespace: 'shop', labels: { app: 'web' }, serviceAccountName: 'api' }, { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } }, { tier: 'gold' });
    expect(labels).toEqual({
      app: 'web',
      'projectcalico.org/namespace': 'shop',
      'projectcalico.org/orchestrator': 'k8s',
      'projectcalico.org/serviceaccount': 'api',
      'pcns.team': 'a',
      'pcns.kubernetes.io/metadata.name': 'shop',
      'pcns.projectcalico.org/name': 'shop',
      'pcsa.tier': 'gold',
      'pcsa.projectcalico.org/name': 'api',
    });
    // No serviceAccountName: the API server sets default.
    expect(podEndpointLabels({ namespace: 'shop', labels: {} }, { name: 'shop', labels: {} })['projectcalico.org/serviceaccount']).toBe('default');
  });

  it('gives a NetworkSet its namespace and the namespace profile\'s labels, a GlobalNetworkSet only its own', () => {
    expect(networkSetLabels({ kind: 'NetworkSet', namespace: 'shop', labels: { role: 'db' } }, { name: 'shop', labels: { team: 'a' } }))
      .toEqual({ role: 'db', 'projectcalico.org/namespace': 'shop', 'pcns.team': 'a', 'pcns.projectcalico.org/name': 'shop' });
    expect(networkSetLabels({ kind: 'GlobalNetworkSet', labels: { role: 'db' } }, undefined)).toEqual({ role: 'db' });
  });

  it('finds profile labels in the input, or makes the kns./ksa. ones as Calico does', () => {
    const lookup = new ProfileLookup(
      [{ name: 'ksa.kube-system.coredns', labelsToApply: { 'pcsa.addonmanager.kubernetes.io/mode': 'Reconcile' }, ingress: [], egress: [], source: undefined as never }],
      [{ name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } }],
      new Map([['shop/api', { tier: 'gold' }]]),
    );
    expect(workloadEndpointLabels({ labels: { 'k8s-app': 'kube-dns', 'projectcalico.org/namespace': 'kube-system' }, profiles: ['kns.kube-system', 'ksa.kube-system.coredns'] }, lookup)).toEqual({
      'k8s-app': 'kube-dns',
      'projectcalico.org/namespace': 'kube-system',
      'pcns.kubernetes.io/metadata.name': 'kube-system',
      'pcns.projectcalico.org/name': 'kube-system',
      'pcsa.addonmanager.kubernetes.io/mode': 'Reconcile',
    });
    expect(lookup.profileLabels('ksa.shop.api')).toEqual({ 'pcsa.tier': 'gold', 'pcsa.projectcalico.org/name': 'api' });
    expect(lookup.profileLabels('projectcalico-default-allow')).toEqual({});
  });

  it('finds the Calico policies that select a pod, through namespaces and service accounts of the input', () => {
    const analysis = analyzeTexts([{ path: 'all.yaml', text: `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: payments}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop, labels: {tier: gold}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: payments-team}
spec:
  namespaceSelector: team == 'payments'
  ingress: [{action: Allow}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: gold-accounts}
spec:
  serviceAccountSelector: tier == 'gold'
  ingress: [{action: Allow}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-only, namespace: shop}
spec:
  selector: app == 'web'
  ingress: [{action: Allow}]
` }]);
    const view = calicoView(analysis.graph);
    const names = (workload: string) => view.policiesSelectingPod(analysis.graph.workload(workload)!.pods[0]).map((entry) => entry.name).sort();
    expect(names('shop/api[Deployment]')).toEqual(['gold-accounts', 'payments-team']);
    expect(names('shop/web[Deployment]')).toEqual(['payments-team', 'web-only']);
    expect(serviceAccountLabelsOf(analysis.graph.otherObjects, (object) => object.namespace ?? 'default').get('shop/api')).toEqual({ tier: 'gold' });
  });
});

describe('selector overlap', () => {
  it.each([
    ["app == 'a'", "app == 'b'", false],
    ["app == 'a'", "app in {'a', 'b'}", true],
    ["app == 'a'", "app != 'a'", false],
    ['has(app)', '!has(app)', false],
    ["app != 'a'", '!has(app)', true],
    ["app not in {'a'}", "app in {'a'}", false],
    ["app == 'a' || tier == 'x'", "app == 'b'", true],
    ["!(app == 'a' || app == 'b')", "app in {'a', 'b'}", false],
    ["app starts with 'pay'", "app == 'web'", false],
    ["app starts with 'pay'", "app == 'payments'", true],
    ["app contains 'x'", "!(app contains 'x')", false],
    ["app contains 'x'", "app ends with 'y'", true],
    ["projectcalico.org/namespace == 'a'", "projectcalico.org/namespace == 'b'", false],
    ['all()', '!all()', false],
    ['all()', "a == 'b'", true],
  ] as const)('%s and %s: %s', (a, b, expected) => {
    expect(selectorsMayOverlap(node(a), node(b))).toBe(expected);
    expect(selectorsMayOverlap(node(b), node(a))).toBe(expected);
  });
});

describe('Calico evaluation order', () => {
  it('sorts tiers by order and policies by order, then namespace/name; Kubernetes policies at 1000 in the default tier', () => {
    const analysis = analyzeTexts([{ path: 'order.yaml', text: `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.b}
spec: {tier: security, order: 5}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.a}
spec: {tier: security}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.c}
spec: {tier: security, order: 5}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: z, namespace: a}
spec: {order: 1000}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: late}
spec: {order: 2000}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {podSelector: {}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform.x}
spec: {tier: platform}
` }]);
    const plans = calicoTierPlans(analysis.graph.calico, analysis.graph.policies);
    expect(plans.map((plan) => `${plan.tier.name}${plan.known ? '' : ' (undeclared)'}: ${plan.policies.map((entry) => `${entry.sortName}@${entry.order ?? '-'}`).join(' ')}`)).toEqual([
      'security: security.b@5 security.c@5 security.a@-',
      'default: a/z@1000 shop/knp.default.web@1000 late@2000',
      'platform (undeclared): platform.x@-',
    ]);
  });
});
