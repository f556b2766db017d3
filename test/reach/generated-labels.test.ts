/**
 * Selectors on labels whose value a controller computes at run time (src/reach/generated-labels.ts
 * and can-reach's notes): k8snet cannot judge them, assumes the pods' value differs, and says so.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { answerReach, resolveEndpoint } from '../../src/reach/query.js';

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pinned, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web, pod-template-hash: 5d8f7c9b4}}
  ingress: [{from: [{podSelector: {matchLabels: {app: batch}}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web-pinned, namespace: shop}
spec:
  selector: {app: web, pod-template-hash: 5d8f7c9b4}
  ports: [{port: 80, targetPort: http}]
`;

describe('selectors on values controllers compute', () => {
  const { graph } = analyzeTexts([{ path: 'shop.yaml', text: MANIFESTS }]);
  const solver = new ReachabilitySolver(graph);

  it('answers as if the value differs, with a caveat naming the selector and who computes the value', () => {
    const answer = answerReach(solver, resolveEndpoint(graph, 'shop/client'), resolveEndpoint(graph, 'shop/web'), { protocol: 'TCP', port: 8080 });
    expect(answer.reachable).toBe('all');
    expect(answer.pairs[0].verdict.caveats).toEqual([
      'NetworkPolicy shop/pinned spec.podSelector names pod-template-hash=5d8f7c9b4: pod-template-hash is a value the Deployment controller computes '
      + 'for each revision of the pod template, so k8snet cannot know it for the destination and takes it to differ from the value named '
      + '(the selector does not match the destination here).',
    ]);
    // The client's own pods are not concerned.
    const reverse = answerReach(solver, resolveEndpoint(graph, 'shop/web'), resolveEndpoint(graph, 'shop/client'));
    expect(reverse.pairs[0].verdict.caveats).toEqual([]);
  });

  it('says why a Service pinned to such a value has no endpoint here', () => {
    const answer = answerReach(solver, resolveEndpoint(graph, 'shop/client'), resolveEndpoint(graph, 'svc:shop/web-pinned'), { protocol: 'TCP', port: 80 });
    expect(answer.reachable).toBe('none');
    expect(answer.notes).toEqual([
      'Service shop/web-pinned selects pods by pod-template-hash, a value the Deployment controller computes for each revision of the pod template: '
      + 'k8snet cannot know which pods carry app=web,pod-template-hash=5d8f7c9b4, and answers as if none did.',
    ]);
  });
});

describe('selectors of ClusterNetworkPolicies on values controllers compute', () => {
  const clusterPolicy = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: pinned-admin}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
    - name: to-pinned
      action: Deny
      to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web, pod-template-hash: 5d8f7c9b4}}}}]
`;
  const { graph } = analyzeTexts([{ path: 'shop.yaml', text: MANIFESTS }, { path: 'cluster.yaml', text: clusterPolicy }]);
  const solver = new ReachabilitySolver(graph);

  it('names a peer selector of a ClusterNetworkPolicy on the side it judges', () => {
    const answer = answerReach(solver, resolveEndpoint(graph, 'shop/client'), resolveEndpoint(graph, 'shop/web'), { protocol: 'TCP', port: 8080 });
    expect(answer.pairs[0].verdict.caveats).toContain(
      'ClusterNetworkPolicy pinned-admin spec.egress[0].to[0].pods.podSelector names pod-template-hash=5d8f7c9b4: pod-template-hash is a value the Deployment controller computes '
      + 'for each revision of the pod template, so k8snet cannot know it for the destination and takes it to differ from the value named '
      + '(the selector does not match the destination here).',
    );
  });
});
