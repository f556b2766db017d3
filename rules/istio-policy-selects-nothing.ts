import type { ManifestObject } from '../src/load/manifest-object.js';
import type { FieldPath } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { ResourceGraph } from '../src/model/graph.js';
import type { IstioPolicyScope, PolicyTargetReference } from '../src/model/istio.js';
import { podsInScope } from '../src/model/istio-authorization.js';
import { istioMesh } from '../src/model/istio-mesh.js';
import { formatLabels, type Labels } from '../src/model/label-selector.js';
import { didYouMean, listWorkloads, nearMissHint, similarNames } from '../src/model/suggest.js';
import type { Pod } from '../src/model/types.js';

/** An Istio policy-like object with a scope: what the rule checks. */
interface ScopedObject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly scope: IstioPolicyScope;
  readonly selector?: Labels;
  readonly selectorPath: FieldPath;
  /** `matchLabels`, or `labels` for a Sidecar's workloadSelector. */
  readonly selectorField?: 'labels';
  readonly targetRefs: readonly PolicyTargetReference[];
  readonly source: ManifestObject;
}

/** Flags Istio policies whose selector or targetRef reaches nothing, or only workloads without an Istio proxy to enforce them. */
export default defineRule({
  id: 'istio-policy-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'An Istio AuthorizationPolicy, PeerAuthentication, RequestAuthentication or Sidecar selects no workload, names a target that is not in '
    + 'the manifests, or applies only to workloads that run no Istio proxy, so nothing enforces it.',
  rationale: 'Istio applies these policies in the proxies of the workloads they select. A selector that matches nothing (a label typo, a label '
    + 'renamed in the pod template) leaves the workloads it was written for unprotected: no ALLOW list, no DENY, no mTLS requirement, with '
    + 'nothing but istioctl analyze (IST0127 NoMatchingWorkloadsFound) to say so. A policy on workloads without a sidecar (a namespace '
    + 'without istio-injection, a pod that opts out) is equally inert: no proxy enforces it; this is said only where the manifests show the '
    + 'namespace\'s labels (a Namespace object, or .k8snet.yaml namespaces:) or the pod opts out itself. Namespaces without any pod in the '
    + 'manifests are skipped, since their workloads may be deployed from elsewhere.',
  fix: 'Make the selector match the labels of the pod template it is meant for, or point targetRefs at an existing Gateway, Service or '
    + 'ServiceEntry of the policy\'s namespace; inject the workloads (label their namespace istio-injection=enabled) if the policy is meant to apply to them.',
  messages: {
    selectsNothing: '{{kind}} {{policy}} selects no workload: {{selector}} matches none of the pods {{where}} ({{workloads}}), so it applies to nothing.',
    noProxy: '{{kind}} {{policy}} applies only to workloads without an Istio proxy ({{workloads}}: {{why}}), so nothing enforces it.',
    missingTarget: '{{kind}} {{policy}} targets {{target}}, which is not in the manifests, so it applies to nothing.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const object of scopedObjects(graph)) {
      if (object.scope === 'targetRefs') {
        object.targetRefs.forEach((target) => {
          const report = checkTarget(graph, object, target);
          if (report) reports.push(report);
        });
        continue;
      }
      const report = checkScope(graph, object);
      if (report) reports.push(report);
    }
    return reports;
  },
});

function scopedObjects(graph: ResourceGraph): ScopedObject[] {
  const istio = graph.istio;
  return [
    ...istio.authorizationPolicies.map((policy) => ({ kind: 'AuthorizationPolicy', ...policy, selectorPath: ['spec', 'selector'] })),
    ...istio.requestAuthentications.map((policy) => ({ kind: 'RequestAuthentication', ...policy, selectorPath: ['spec', 'selector'] })),
    ...istio.peerAuthentications.map((policy) => ({ kind: 'PeerAuthentication', ...policy, targetRefs: [], selectorPath: ['spec', 'selector'] })),
    ...istio.sidecars.map((sidecar) => ({
      kind: 'Sidecar',
      namespace: sidecar.namespace,
      name: sidecar.name,
      scope: (sidecar.workloadSelector ? 'selector' : sidecar.namespace === istio.settings.rootNamespace ? 'mesh' : 'namespace') as IstioPolicyScope,
      ...(sidecar.workloadSelector ? { selector: sidecar.workloadSelector } : {}),
      selectorPath: ['spec', 'workloadSelector'],
      selectorField: 'labels',
      targetRefs: [],
      source: sidecar.source,
    })),
  ].map((object) => object as ScopedObject);
}

function checkScope(graph: ResourceGraph, object: ScopedObject): RuleReport | undefined {
  const settings = graph.istio.settings;
  // A Sidecar or PeerAuthentication with a selector applies in its own namespace only.
  const rootWide = object.scope === 'mesh' || (object.scope === 'selector' && object.namespace === settings.rootNamespace
    && (object.kind === 'AuthorizationPolicy' || object.kind === 'RequestAuthentication'));
  const candidates: readonly Pod[] = rootWide ? graph.pods : graph.podsInNamespace(object.namespace);
  // No pod here at all: the namespace's workloads live in other manifests.
  if (candidates.length === 0) return undefined;
  const selected = object.kind === 'Sidecar' || object.kind === 'PeerAuthentication'
    ? candidates.filter((pod) => Object.entries(object.selector ?? {}).every(([key, value]) => pod.labels[key] === value))
    : podsInScope(graph, object);
  const policy = `${object.namespace}/${object.name}`;
  if (selected.length === 0) {
    const selector = formatLabels(object.selector ?? {});
    const requirements = Object.entries(object.selector ?? {}).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] }));
    const hint = nearMissHint(requirements, candidates.map((pod) => pod.labels));
    return {
      messageId: 'selectsNothing',
      data: { kind: object.kind, policy, selector: `selector ${selector}`, where: rootWide ? 'of any namespace' : `in namespace ${object.namespace}`, workloads: listWorkloads(candidates) },
      object: object.source,
      path: [...object.selectorPath, object.selectorField ?? 'matchLabels'],
      ...(hint ? { hint } : {}),
    };
  }
  const mesh = istioMesh(graph);
  if (selected.some((pod) => mesh.membershipOf(pod).dataPlane !== 'none')) return undefined;
  // Injection labels may be set where the manifests do not show (a namespace made elsewhere).
  if (!selected.every((pod) => mesh.isMembershipKnown(pod))) return undefined;
  // A mesh-wide default with nothing in the mesh says nothing about the manifests' intent.
  if (object.scope === 'mesh') return undefined;
  const reasons = [...new Set(selected.map((pod) => mesh.membershipOf(pod).reason))];
  return {
    messageId: 'noProxy',
    data: { kind: object.kind, policy, workloads: listWorkloads(selected), why: reasons.length > 2 ? `${reasons.slice(0, 2).join('; ')}; ...` : reasons.join('; ') },
    object: object.source,
    path: object.selector ? object.selectorPath : ['metadata', 'namespace'],
  };
}

function checkTarget(graph: ResourceGraph, object: ScopedObject, target: PolicyTargetReference): RuleReport | undefined {
  const namespace = object.namespace;
  let exists: boolean;
  let candidates: string[] = [];
  if (target.group === '' && target.kind === 'Service') {
    exists = graph.service(namespace, target.name) !== undefined;
    candidates = graph.servicesInNamespace(namespace).map((service) => service.name);
    // Services of a namespace the manifests do not show are presumably deployed from elsewhere.
    if (!exists && candidates.length === 0 && graph.podsInNamespace(namespace).length === 0) return undefined;
  } else if (target.kind === 'ServiceEntry') {
    exists = graph.istio.serviceEntries.some((entry) => entry.namespace === namespace && entry.name === target.name);
    candidates = graph.istio.serviceEntries.filter((entry) => entry.namespace === namespace).map((entry) => entry.name);
    if (!exists && candidates.length === 0) return undefined;
  } else if (target.kind === 'Gateway') {
    exists = graph.gatewayApi.gateway(namespace, target.name) !== undefined;
    candidates = graph.gatewayApi.gatewaysInNamespace(namespace).map((gateway) => gateway.name);
    // A shared Gateway usually lives in another repository: checked only where the manifests hold Gateways.
    if (!exists && candidates.length === 0) return undefined;
  } else if (target.kind === 'GatewayClass') {
    exists = graph.gatewayApi.gatewayClass(target.name) !== undefined;
    candidates = graph.gatewayApi.gatewayClasses.map((gatewayClass) => gatewayClass.name);
    if (!exists && candidates.length === 0) return undefined;
  } else {
    return undefined;
  }
  if (exists) return undefined;
  const hint = didYouMean(similarNames(target.name, candidates));
  return {
    messageId: 'missingTarget',
    data: { kind: object.kind, policy: `${object.namespace}/${object.name}`, target: `${target.kind} ${target.kind === 'GatewayClass' ? '' : `${namespace}/`}${target.name}` },
    object: object.source,
    path: [...target.path, 'name'],
    ...(hint ? { hint } : {}),
  };
}
