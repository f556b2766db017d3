import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { countOf, formatCount, podRangeSource, podRangeText, sourcePlace } from '../src/ipam/describe.js';

/** The most bits an IPv6 node mask may add to the pod range's prefix (cidrset's clusterSubnetMaxDiff). */
const MAX_MASK_DIFFERENCE = 16;

/**
 * Flags a pod range that cannot give a block to every planned node (`maxNodes`, else the node
 * count): `2^(mask - prefix)` blocks, or Calico's blocks.
 */
export default defineRule({
  id: 'pod-cidr-node-capacity',
  category: 'addressing',
  severity: 'error',
  description: 'The pod address range has fewer node blocks than the cluster has or plans nodes (maxNodes), or its node blocks are larger than the range itself or (IPv6) so much smaller that the node CIDR allocator refuses them.',
  rationale: 'kube-controller-manager gives each node one block of the pod range; a node that joins when the blocks are gone gets no '
    + 'podCIDR, stays NotReady for networking and runs no pods, and the cluster autoscaler keeps adding such nodes. The pod range of a '
    + 'running cluster cannot be changed in place, so the plan has to hold the largest size the cluster will reach.',
  fix: 'Choose a pod range with room for maxNodes blocks (prefix length = mask size - log2(maxNodes)), or smaller node blocks '
    + '(--node-cidr-mask-size) if nodes run fewer pods.',
  messages: {
    tooFewBlocks: 'The pod range {{range}} gives {{blocks}} of /{{mask}} ({{perBlock}} pods each); {{nodes}} planned ({{nodesSource}}), so {{missing}} no pod range.',
    maskTooShort: 'Node blocks of /{{mask}} ({{maskSource}}) are larger than the pod range {{range}}: no node can be given a pod range.',
    maskTooLong: 'IPv6 node blocks of /{{mask}} ({{maskSource}}) are {{difference}} bits longer than the pod range {{range}}: the node CIDR allocator (kube-controller-manager, Cilium) allows at most 16 (65,536 blocks) and refuses the range.',
  },
  identifyingData: ['range'],
  check(_graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    const { plan } = addressPlan;
    const target = plan.maxNodes ?? plan.nodes;
    for (const usage of addressPlan.podRanges) {
      const carving = usage.carving;
      // The range is what to change; the node count is where to point when the range has no file.
      const rangePlace = sourcePlace(podRangeSource(usage));
      if (carving.kind === 'node-blocks') {
        const maskData = { mask: carving.blockPrefixLength, maskSource: carving.blockPrefixSource.source.description };
        const maskPlace = sourcePlace(carving.blockPrefixSource.source);
        if (usage.blocks === 0n) {
          reports.push({ messageId: 'maskTooShort', data: { ...maskData, range: podRangeText(usage) }, ...(maskPlace.object ? maskPlace : rangePlace) });
          continue;
        }
        // kube-controller-manager's cidrset (and Cilium's copy of it) refuses an IPv6 node mask more
        // than 16 bits longer than the range (clusterSubnetMaxDiff); IPv4 has no such limit.
        const tooFine = usage.family === 6 ? usage.ranges.find((range) => carving.blockPrefixLength - range.cidr.prefixLength > MAX_MASK_DIFFERENCE) : undefined;
        if (tooFine) {
          reports.push({
            messageId: 'maskTooLong',
            data: { ...maskData, range: tooFine.cidr.text, difference: carving.blockPrefixLength - tooFine.cidr.prefixLength },
            ...(maskPlace.object ? maskPlace : sourcePlace(tooFine.source)),
          });
          continue;
        }
      }
      if (!target || BigInt(target.value) <= usage.blocks) continue;
      // Calico nodes without a block of their own borrow addresses from other nodes' blocks:
      // node-cidr-too-small-for-max-pods warns about that; here only node blocks, which nothing shares.
      if (carving.kind !== 'node-blocks') continue;
      const short = BigInt(target.value) - usage.blocks;
      reports.push({
        messageId: 'tooFewBlocks',
        data: {
          range: podRangeText(usage), blocks: countOf(usage.blocks, 'node block'), mask: carving.blockPrefixLength,
          perBlock: formatCount(carving.usablePerBlock), nodes: countOf(target.value, 'node'), nodesSource: target.source.description,
          missing: `${countOf(short, 'node')} ${short === 1n ? 'gets' : 'get'}`,
        },
        ...(rangePlace.object ? rangePlace : sourcePlace(target.source)),
      });
    }
    return reports;
  },
});
