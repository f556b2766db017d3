import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { countOf, formatCount, sourcePlace } from '../src/ipam/describe.js';
import type { FactSource } from '../src/ipam/plan.js';

interface Options {
  /** Addresses a node block should hold per pod the node may run (GKE and kubeadm size blocks at about two). */
  readonly addressesPerPod: number;
}

/**
 * Flags node pod blocks too small for the pods a node may run (maxPods), and Calico block sizes
 * that make full nodes claim more blocks than the pools have.
 */
export default defineRule<Options>({
  id: 'node-cidr-too-small-for-max-pods',
  category: 'addressing',
  severity: 'warning',
  description: 'Each node\'s pod block holds fewer addresses than the node may run pods (maxPods), or too few to reuse addresses safely; '
    + 'or a Calico block size makes full nodes claim more blocks than the pools hold.',
  rationale: 'A node whose block is smaller than maxPods runs out of addresses with CPU and memory to spare: the scheduler keeps sending '
    + 'pods that then fail with "failed to allocate for range". Addresses of terminating pods are not free at once, so blocks are sized '
    + 'at about twice maxPods (a /24 for 110 pods). Under Calico, a node that outgrows its block claims another; when the pools run out of '
    + 'free blocks, nodes borrow single addresses from other nodes\' blocks (and fail with strictAffinity), losing route aggregation.',
  fix: 'Lower maxPods (KubeletConfiguration maxPods) to what the block holds, or give nodes larger blocks (kube-controller-manager '
    + '--node-cidr-mask-size, a smaller number) with a pod range large enough for them; under Calico, use a larger blockSize or larger pools.',
  messages: {
    tooSmall: 'Node blocks of /{{mask}} ({{maskSource}}) hold {{usable}}, fewer than maxPods {{maxPods}} ({{maxPodsSource}}): nodes run out of pod addresses before they are full.',
    noRoomToReuse: 'Node blocks of /{{mask}} ({{maskSource}}) hold {{usable}} for maxPods {{maxPods}} ({{maxPodsSource}}): under {{factor}} addresses per pod, so a node that replaces its pods quickly can run out while old pods still hold addresses.',
    calicoBlocks: 'Calico pool {{pool}} hands out /{{blockSize}} blocks ({{blockAddresses}} addresses) and nodes run up to {{maxPods}} pods ({{maxPodsSource}}): {{nodes}} full nodes need {{needed}} blocks, the pools hold {{blocks}}, so nodes borrow addresses from other nodes\' blocks (and, with strictAffinity, cannot start pods).',
  },
  identifyingData: ['pool'],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { addressesPerPod: { type: 'number', minimum: 1 } },
  },
  defaultOptions: { addressesPerPod: 2 },
  check(_graph, { addressPlan, options }) {
    const reports: RuleReport[] = [];
    const { maxPodsPerNode } = addressPlan.plan;
    const maxPods = BigInt(maxPodsPerNode.value);
    for (const usage of addressPlan.podRanges) {
      const carving = usage.carving;
      if (carving.kind === 'node-blocks') {
        // A mask shorter than the pod range gives no block at all: pod-cidr-node-capacity says so.
        if (usage.blocks === 0n) continue;
        const tooSmall = carving.usablePerBlock < maxPods;
        const wanted = BigInt(Math.ceil(Number(maxPods) * options.addressesPerPod));
        if (!tooSmall && carving.addressesPerBlock >= wanted) continue;
        reports.push({
          messageId: tooSmall ? 'tooSmall' : 'noRoomToReuse',
          data: {
            mask: carving.blockPrefixLength,
            maskSource: carving.blockPrefixSource.source.description,
            usable: countOf(carving.usablePerBlock, 'pod address', 'pod addresses'),
            maxPods: maxPodsPerNode.value,
            maxPodsSource: maxPodsPerNode.source.description,
            factor: formatCount(options.addressesPerPod),
          },
          ...placeOf(carving.blockPrefixSource.source, maxPodsPerNode.source),
        });
        continue;
      }
      // Calico: only when the planned nodes cannot each hold the blocks a full node claims (with
      // blocks at least as large as maxPods, that is a block per node).
      if (!usage.nodesKnown) continue;
      const needed = usage.nodesAssumed * carving.blocksPerFullNode;
      if (needed <= usage.blocks) continue;
      const pool = carving.pools.reduce((smallest, entry) => (entry.blockSize > smallest.blockSize ? entry : smallest));
      reports.push({
        messageId: 'calicoBlocks',
        data: {
          pool: `${pool.name} (${pool.cidr.text})`,
          blockSize: pool.blockSize,
          blockAddresses: formatCount(carving.addressesPerBlock),
          maxPods: maxPodsPerNode.value,
          maxPodsSource: maxPodsPerNode.source.description,
          nodes: formatCount(usage.nodesAssumed),
          needed: formatCount(needed),
          blocks: formatCount(usage.blocks),
        },
        ...sourcePlace(pool.source),
      });
    }
    return reports;
  },
});

/** Points at the mask's source, or at maxPods' when the mask is a default or a flag. */
function placeOf(mask: FactSource, maxPods: FactSource): ReturnType<typeof sourcePlace> {
  const place = sourcePlace(mask);
  return place.object ? place : sourcePlace(maxPods);
}
