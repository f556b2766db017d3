import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatLabels, type LabelRequirement } from '../src/model/label-selector.js';
import { listWorkloads, nearMissHint } from '../src/model/suggest.js';
import { describeGeneratedRequirements, matchesButForGeneratedValues } from '../src/model/controller-labels.js';

/** Flags Services whose selector matches no pod of their namespace. */
export default defineRule({
  id: 'service-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'A Service\'s selector matches no pod of its namespace.',
  rationale: 'A Service whose selector matches no pod has no endpoints: connections to its cluster IP are refused or time out, and Ingresses '
    + 'in front of it answer 503. The usual cause is a selector that lags behind a label renamed in the pod template. Namespaces without any '
    + 'pod in the manifests are skipped, since their workloads may be deployed from elsewhere. A selector on a label whose value a controller '
    + 'computes at run time (pod-template-hash, controller-revision-hash) is reported as unknowable: it keeps endpoints only while that value lasts.',
  fix: 'Make spec.selector equal to (a subset of) the labels of the pod template that should serve the Service, or relabel the pods.',
  messages: {
    selectsNothing: 'Service {{service}} selects no pod: selector {{selector}} matches none of the pods in namespace {{namespace}} ({{workloads}}), so it has no endpoints.',
    generatedLabel: 'Service {{service}} selects pods by {{requirements}}, a value {{setter}}: k8snet cannot know it, so it cannot tell whether {{workloads}} serve the Service; it loses its endpoints when that value changes.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const service of graph.services) {
      // An ExternalName Service ignores its selector; one without a selector has its endpoints managed elsewhere.
      if (service.type === 'ExternalName' || !service.selector) continue;
      const pods = graph.podsInNamespace(service.namespace);
      // No pod here at all: the namespace's workloads live in other manifests.
      if (pods.length === 0) continue;
      if (graph.podsWithLabels(service.selector, service.namespace).length > 0) continue;
      const requirements: LabelRequirement[] = Object.entries(service.selector).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
      const asSelector = { requirements, text: formatLabels(service.selector) };
      const unknowable = pods.filter((pod) => matchesButForGeneratedValues(asSelector, pod.labels));
      if (unknowable.length > 0) {
        reports.push({
          messageId: 'generatedLabel',
          data: { service: `${service.namespace}/${service.name}`, ...describeGeneratedRequirements(asSelector, unknowable[0].labels), workloads: listWorkloads(unknowable) },
          object: service.source,
          path: ['spec', 'selector'],
        });
        continue;
      }
      const hint = nearMissHint(requirements, pods.map((pod) => pod.labels));
      reports.push({
        messageId: 'selectsNothing',
        data: {
          service: `${service.namespace}/${service.name}`,
          selector: formatLabels(service.selector),
          namespace: service.namespace,
          workloads: listWorkloads(pods),
        },
        object: service.source,
        path: ['spec', 'selector'],
        ...(hint ? { hint } : {}),
      });
    }
    return reports;
  },
});
