import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatCount, podRangeData, podRangeFindingPlace } from '../src/ipam/describe.js';

/**
 * Flags a pod range (or the Calico pools of a family) that cannot hold the pods the manifests ask
 * for: replicas, HPA maxReplicas, Job parallelism, and one pod per node for each DaemonSet.
 */
export default defineRule({
  id: 'pod-cidr-exhausted',
  category: 'addressing',
  severity: 'error',
  description: 'The pod address range, as carved into node blocks (or Calico blocks), holds fewer pods than the manifests ask for.',
  rationale: 'Every pod off the host network needs an address from its node\'s block. When the blocks are full, new pods stay in '
    + 'ContainerCreating with "failed to allocate for range" and rollouts, autoscaling and DaemonSets on new nodes stop, '
    + 'usually discovered during a traffic peak, when the autoscaler asks for more.',
  fix: 'Give the cluster a larger pod range (a shorter prefix), smaller node blocks with more nodes, or fewer pods; when pods are '
    + 'limited by maxPods rather than addresses, add nodes.',
  messages: {
    exhausted: 'The {{family}} pod range {{range}} gives {{carving}}; {{nodes}} it holds {{capacity}}, but the manifests ask for {{demand}}, {{missing}} more than fit.',
  },
  identifyingData: ['family', 'range'],
  check(_graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    for (const usage of addressPlan.podRanges) {
      if (usage.demandPods <= usage.capacityPods) continue;
      reports.push({
        messageId: 'exhausted',
        data: {
          ...podRangeData(usage, addressPlan.demand),
          missing: formatCount(usage.demandPods - usage.capacityPods),
        },
        ...podRangeFindingPlace(usage, addressPlan.demand),
      });
    }
    return reports;
  },
});
