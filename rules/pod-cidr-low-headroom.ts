import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { HEADROOM_OPTIONS, countOf, formatCount, podRangeData, podRangeFindingPlace } from '../src/ipam/describe.js';

interface Options {
  /** Headroom below this percentage of the range's capacity is reported. */
  readonly minHeadroomPercent: number;
}

/** Flags a pod range that holds the pods the manifests ask for, but with little to spare. */
export default defineRule<Options>({
  id: 'pod-cidr-low-headroom',
  category: 'addressing',
  severity: 'warning',
  description: 'The pod address range holds the pods the manifests ask for, with less spare room than the configured percentage.',
  rationale: 'A rolling update creates maxSurge extra pods, an autoscaler adds replicas under load, and a terminating pod keeps its '
    + 'address for its grace period: a range that just fits the steady state runs out during the deploy or the traffic peak that needs it.',
  fix: 'Plan a larger pod range or smaller node blocks before the cluster grows; changing the pod range of a running cluster means '
    + 'rebuilding nodes, so do it while there is room.',
  messages: {
    lowHeadroom: 'The {{family}} pod range {{range}} gives {{carving}}; {{nodes}} it holds {{capacity}} and the manifests ask for {{demand}}, leaving {{headroom}} ({{percent}}%), under the {{threshold}}% headroom.',
  },
  identifyingData: ['family', 'range'],
  optionsSchema: HEADROOM_OPTIONS.schema,
  defaultOptions: HEADROOM_OPTIONS.defaults,
  check(_graph, { addressPlan, options }) {
    const reports: RuleReport[] = [];
    for (const usage of addressPlan.podRanges) {
      // An exhausted range is pod-cidr-exhausted's.
      if (usage.demandPods > usage.capacityPods || usage.headroomPercent >= options.minHeadroomPercent) continue;
      reports.push({
        messageId: 'lowHeadroom',
        data: {
          ...podRangeData(usage, addressPlan.demand),
          headroom: countOf(usage.headroomPods, 'pod'),
          percent: String(usage.headroomPercent),
          threshold: formatCount(options.minHeadroomPercent),
        },
        ...podRangeFindingPlace(usage, addressPlan.demand),
      });
    }
    return reports;
  },
});
