import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { rangeEnds } from '../src/ipam/address-math.js';
import { sourcePlace } from '../src/ipam/describe.js';
import type { FactSource } from '../src/ipam/plan.js';
import type { IpFamily } from '../src/model/cidr.js';

/** What an entry of the plan is, for deciding which overlaps are mistakes. */
type EntryKind = 'pod' | 'service' | 'node' | 'pool' | 'address';

interface Entry {
  readonly kind: EntryKind;
  /** The node or pool an entry belongs to, empty for the cluster's ranges. */
  readonly owner: string;
  readonly label: string;
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  readonly source: FactSource;
}

/**
 * Which pairs of kinds must not share addresses, and the message for each. A node's range or a
 * Calico pool inside the pod range is the plan working as intended, so those pairs are absent.
 */
const CONFLICTS: Readonly<Record<string, string>> = {
  'pod/service': 'serviceRange',
  'node/service': 'serviceRange',
  'pool/service': 'serviceRange',
  'node/node': 'nodeRanges',
  'pool/pool': 'pools',
  'address/pod': 'nodeAddress',
  'address/service': 'nodeAddress',
  'address/node': 'nodeAddress',
  'address/pool': 'nodeAddress',
};

/** Kinds from the most to the least specific, for choosing where a finding points. */
const SPECIFICITY: readonly EntryKind[] = ['address', 'node', 'pool', 'pod', 'service'];

/** Flags pod, Service and node ranges, Calico pools and node addresses that share addresses where they must not. */
export default defineRule({
  id: 'cidr-overlap',
  category: 'addressing',
  severity: 'error',
  description: 'Address ranges of the cluster overlap where they must not: the pod range (or a node\'s range, or a Calico pool) with the '
    + 'Service range, two nodes\' pod ranges, two Calico pools, or a node\'s own address with any of them.',
  rationale: 'An address in two ranges is routed one way and meant another: a pod given an address that is also a Service IP is '
    + 'unreachable (kube-proxy rewrites the traffic to the Service), two nodes with the same pod range give two pods one address, and a '
    + 'node address inside the pod range sends the node\'s own traffic into the pod network.',
  fix: 'Choose disjoint ranges: the pod range, the Service range and the node network each their own, and every node and Calico pool its own part of the pod range.',
  messages: {
    serviceRange: 'The {{first}} ({{firstSource}}) overlaps the {{second}} ({{secondSource}}): a pod can be given an address that is also a Service IP, and traffic to it goes to the Service.',
    nodeRanges: 'The {{first}} ({{firstSource}}) overlaps the {{second}} ({{secondSource}}): both nodes hand out the same pod addresses.',
    pools: 'The {{first}} ({{firstSource}}) overlaps the {{second}} ({{secondSource}}): Calico can give the same address to two pods.',
    nodeAddress: 'The {{first}} ({{firstSource}}) lies inside the {{second}} ({{secondSource}}): traffic to the node is routed into the pod or Service network.',
  },
  identifyingData: ['first', 'second'],
  check(_graph, { addressPlan }) {
    const { plan } = addressPlan;
    const entries: Entry[] = [];
    const add = (kind: EntryKind, owner: string, label: string, cidr: { family: IpFamily; text: string } & Parameters<typeof rangeEnds>[0], source: FactSource) => {
      entries.push({ kind, owner, label, family: cidr.family, ...rangeEnds(cidr), source });
    };
    for (const range of plan.podRanges?.value ?? []) add('pod', '', `pod range ${range.cidr.text}`, range.cidr, range.source);
    for (const range of plan.serviceRanges?.value ?? []) add('service', '', `Service range ${range.cidr.text}`, range.cidr, range.source);
    for (const range of plan.nodeRanges) add('node', range.nodeName, `pod range ${range.cidr.text} of node ${range.nodeName}`, range.cidr, range.source);
    for (const pool of plan.calicoPools) add('pool', pool.name, `Calico pool ${pool.name} (${pool.cidr.text})`, pool.cidr, pool.source);
    for (const entry of plan.nodeAddresses) {
      entries.push({ kind: 'address', owner: entry.nodeName, label: `address ${entry.address.text} of node ${entry.nodeName}`, family: entry.address.family, first: entry.address.value, last: entry.address.value, source: entry.source });
    }
    const reports: RuleReport[] = [];
    const reported = new Set<string>();
    for (const family of [4, 6] as const) {
      // CIDRs nest or are disjoint, so after sorting by first address (wider first) the ranges still
      // open at an entry form a chain: comparing with that chain finds every overlap in O(n log n).
      const sorted = entries.filter((entry) => entry.family === family)
        .sort((a, b) => (a.first !== b.first ? (a.first < b.first ? -1 : 1) : a.last > b.last ? -1 : a.last < b.last ? 1 : 0));
      const open: Entry[] = [];
      for (const entry of sorted) {
        while (open.length > 0 && open[open.length - 1].last < entry.first) open.pop();
        for (const earlier of open) {
          const report = overlapReport(earlier, entry, reported);
          if (report) reports.push(report);
        }
        open.push(entry);
      }
    }
    return reports;
  },
});

function overlapReport(a: Entry, b: Entry, reported: Set<string>): RuleReport | undefined {
  // Two ranges of one node (spec.podCIDR repeated in spec.podCIDRs) are one range.
  if (a.owner !== '' && a.owner === b.owner && a.kind === b.kind) return undefined;
  const [first, second] = [a, b].sort((x, y) => x.kind.localeCompare(y.kind));
  const messageId = CONFLICTS[`${first.kind}/${second.kind}`];
  if (!messageId) return undefined;
  // The same two ranges stated twice (a dual listing) are reported once.
  const key = [a.label, b.label].sort().join('|');
  if (reported.has(key)) return undefined;
  reported.add(key);
  // Point at the more specific of the two (a node's address or range, a pool) when it is in a file:
  // that is usually the one to change, and the cluster-wide range is named in the message.
  const [specific, general] = SPECIFICITY.indexOf(a.kind) < SPECIFICITY.indexOf(b.kind) ? [a, b] : [b, a];
  const place = sourcePlace(specific.source);
  const otherPlace = sourcePlace(general.source);
  const [at, other] = place.object ? [place, otherPlace] : [otherPlace, place];
  return {
    messageId,
    data: { first: first.label, firstSource: first.source.description, second: second.label, secondSource: second.source.description },
    ...at,
    ...(other.object && other.object !== at.object ? { related: [{ object: other.object, path: other.path, message: (at === place ? general : specific).label }] } : {}),
  };
}
