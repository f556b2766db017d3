import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { HEADROOM_OPTIONS, countOf, formatCount, serviceRangeData, serviceRangePlace } from '../src/ipam/describe.js';

interface Options {
  /** Headroom below this percentage of the usable ClusterIPs is reported. */
  readonly minHeadroomPercent: number;
}

/** Flags a Service range that holds today's Services with little to spare. */
export default defineRule<Options>({
  id: 'service-cidr-low-headroom',
  category: 'addressing',
  severity: 'warning',
  description: 'The Service (ClusterIP) range holds the Services the manifests define, with less spare room than the configured percentage.',
  rationale: 'Each new application usually brings Services with it, and the Service range is fixed when the cluster is created: a range '
    + 'that nearly fits today fails the deploy that adds the next Services.',
  fix: 'Make Services that need no virtual IP headless (clusterIP: None), or plan a larger range (or an extra ServiceCIDR on Kubernetes 1.33+) before it fills.',
  messages: {
    lowHeadroom: 'The IPv{{family}} Service range {{range}} has {{usable}} and {{demand}}{{kubernetes}}, leaving {{headroom}} ({{percent}}%), under the {{threshold}}% headroom.',
  },
  identifyingData: ['family', 'range'],
  optionsSchema: HEADROOM_OPTIONS.schema,
  defaultOptions: HEADROOM_OPTIONS.defaults,
  check(_graph, { addressPlan, options }) {
    const reports: RuleReport[] = [];
    for (const usage of addressPlan.serviceRanges) {
      // An exhausted range is service-cidr-exhausted's.
      if (usage.headroom < 0n || usage.headroomPercent >= options.minHeadroomPercent) continue;
      reports.push({
        messageId: 'lowHeadroom',
        data: {
          ...serviceRangeData(usage),
          headroom: countOf(usage.headroom, 'address', 'addresses'),
          percent: String(usage.headroomPercent),
          threshold: formatCount(options.minHeadroomPercent),
        },
        ...serviceRangePlace(usage),
      });
    }
    return reports;
  },
});
