import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { countOf, serviceRangeData, serviceRangePlace } from '../src/ipam/describe.js';

/** Flags a Service range with fewer usable ClusterIPs than the Services that need one. */
export default defineRule({
  id: 'service-cidr-exhausted',
  category: 'addressing',
  severity: 'error',
  description: 'The Service (ClusterIP) range has fewer usable addresses than there are Services that need one (not headless, not ExternalName).',
  rationale: 'Once the Service range is full the API server refuses new Services with "failed to allocate a serviceIP: range is full": '
    + 'deploys that add a Service fail, and so do Helm upgrades that recreate one. The range is fixed when the cluster is created.',
  fix: 'Make Services that need no virtual IP headless (clusterIP: None), remove unused ones, or add a range with a ServiceCIDR object '
    + '(Kubernetes 1.33+); on older clusters the Service range can only be changed by rebuilding the control plane.',
  messages: {
    exhausted: 'The IPv{{family}} Service range {{range}} has {{usable}} ({{addresses}} less {{reserved}} the allocator never hands out), but {{demand}}{{kubernetes}}: {{missing}} cannot be created.',
  },
  identifyingData: ['family', 'range'],
  check(_graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    for (const usage of addressPlan.serviceRanges) {
      if (BigInt(usage.demand) <= usage.usable) continue;
      reports.push({
        messageId: 'exhausted',
        data: {
          ...serviceRangeData(usage),
          missing: countOf(BigInt(usage.demand) - usage.usable, 'Service'),
        },
        ...serviceRangePlace(usage),
      });
    }
    return reports;
  },
});
