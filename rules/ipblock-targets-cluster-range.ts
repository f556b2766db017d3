import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseCidr, type AddressRange, type IpFamily } from '../src/model/cidr.js';
import type { Node } from '../src/model/types.js';
import { rangesOverlap } from '../src/reach/ip-ranges.js';
import { ANY_POD } from '../src/reach/solver.js';
import { policyPeers } from '../src/model/policy-peers.js';
import { countOf } from '../src/model/plural.js';

/** How many pod ranges a message names before it counts the rest. */
const SHOWN_RANGES = 2;

/** A pod or Service address range of the cluster, and where k8snet learnt it. */
interface ClusterRange {
  readonly kind: 'pod' | 'service';
  readonly family: IpFamily;
  readonly range: AddressRange;
  /** The range in canonical form: `10.244.0.0/16`. */
  readonly text: string;
  /** `pod CIDR 10.244.0.0/16`, or with `of node worker-1` when it comes from a Node. */
  readonly label: string;
  readonly node?: Node;
}

/**
 * Flags ipBlocks that overlap the cluster's pod address range (what they match there depends on
 * the network plugin) or aim at Service IPs (translated to pod IPs before policy applies).
 *
 * A whole-family ipBlock (`0.0.0.0/0`, `::/0`) that still covers a pod range gets its own message:
 * it is usually written to mean "anywhere", and whether "anywhere" includes pods is the plugin's
 * choice (a classic surprise when moving from Calico to Cilium), so it is reported, with both
 * readings offered as the way out. Rules that also admit every pod (`namespaceSelector: {}`) are
 * not reported: there the plugin's choice changes nothing. A wide block that merely includes the
 * Service range is not reported either: the translated traffic is judged by pod IPs.
 */
export default defineRule({
  id: 'ipblock-targets-cluster-range',
  category: 'addressing',
  severity: 'warning',
  description: 'An ipBlock overlaps the cluster\'s pod address range, or lies inside its Service range (ranges from `.k8snet.yaml` `cluster:` and the Nodes\' podCIDRs).',
  rationale: 'NetworkPolicy says ipBlock is meant for addresses outside the cluster and leaves it to the network plugin whether it matches pod IPs: '
    + 'Calico matches them, Cilium does not, so the same policy allows in-cluster traffic on one cluster and blocks it on another. '
    + 'Service IPs are usually translated to pod IPs before policies are evaluated, so an ipBlock on the Service range rarely matches anything.',
  fix: 'Select in-cluster peers (and the pods behind a Service) with podSelector and namespaceSelector; keep ipBlocks for outside addresses, '
    + 'excepting the pod range from wide ones such as 0.0.0.0/0.',
  messages: {
    podRange: 'ipBlock {{cidr}} overlaps the {{range}}: whether an ipBlock matches pod IPs depends on the network plugin (Calico matches them, Cilium does not).',
    serviceRange: 'ipBlock {{cidr}} lies inside the {{range}}: Service IPs are usually translated to pod IPs before policy applies, so this ipBlock most likely matches nothing.',
    everyAddress: 'ipBlock {{cidr}} also covers the {{ranges}}: whether it matches traffic of pods, and of Services once translated to pod IPs, depends on the network plugin (Calico: yes, Cilium: no).',
  },
  check(graph, { cluster, solver }) {
    const configuredPodRanges = configRanges('pod', cluster.podCIDR);
    const clusterRanges: ClusterRange[] = [
      ...configuredPodRanges,
      // A node's range inside the configured pod CIDR adds nothing but noise.
      ...graph.nodes.flatMap((node) => node.podCIDRs.flatMap((text) => {
        const parsed = parseCidr(String(text));
        if ('error' in parsed || configuredPodRanges.some((entry) => entry.family === parsed.family
          && entry.range.first <= parsed.range.first && entry.range.last >= parsed.range.last)) return [];
        return [{ kind: 'pod' as const, family: parsed.family, range: parsed.range, text: parsed.text, label: `pod CIDR ${parsed.text} of node ${node.name}`, node }];
      })),
      ...configRanges('service', cluster.serviceCIDR),
    ];
    if (clusterRanges.length === 0) return [];
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      for (const { rule, peer } of policyPeers(policy)) {
        if (!peer.ipBlock) continue;
        const { family, ranges } = peer.ipBlock.ranges;
        // Any overlap with a pod range is plugin-dependent. Service IPs are translated before policy,
        // so a wide block that merely includes the Service range loses nothing; only a block aimed
        // at Service IPs, wholly inside the range, fails at what it was written for.
        const podRanges = clusterRanges.filter((entry) => entry.kind === 'pod' && entry.family === family && rangesOverlap(ranges, [entry.range]));
        const serviceRange = clusterRanges.find((entry) => entry.kind === 'service' && entry.family === family
          && ranges.every((range) => range.first >= entry.range.first && range.last <= entry.range.last));
        if (podRanges.length === 0 && !serviceRange) continue;
        // Rules of a direction the policy does not affect are not compiled: they allow nothing.
        const compiled = solver.compiledRuleOf(rule);
        // A rule that also admits every pod allows them whatever the plugin does with the ipBlock.
        if (!compiled || solver.ruleMatches(compiled, ANY_POD)) continue;
        const base = { object: policy.source, path: [...peer.path, 'ipBlock', 'cidr'] };
        const cidr = parseCidr(peer.ipBlock.cidr);
        if (podRanges.length > 0 && !('error' in cidr) && cidr.prefixLength === 0) {
          reports.push({
            ...base,
            messageId: 'everyAddress',
            data: { cidr: peer.ipBlock.cidr, ranges: listRanges(podRanges.map((entry) => entry.label)) },
            hint: `except ${listRanges(podRanges.map((entry) => entry.text))} to mean only addresses outside the cluster, `
              + 'or add a `namespaceSelector: {}` peer to include every pod whatever the plugin',
            related: podRanges.slice(0, SHOWN_RANGES).flatMap(nodeRelated),
          });
        } else if (podRanges.length > 0) {
          reports.push({ ...base, messageId: 'podRange', data: { cidr: peer.ipBlock.cidr, range: podRanges[0].label }, related: nodeRelated(podRanges[0]) });
        } else if (serviceRange) {
          reports.push({ ...base, messageId: 'serviceRange', data: { cidr: peer.ipBlock.cidr, range: serviceRange.label } });
        }
      }
    }
    return reports;
  },
});

/** Names up to {@link SHOWN_RANGES} ranges, and how many more there are (a dump may list hundreds of nodes). */
function listRanges(names: readonly string[]): string {
  if (names.length <= SHOWN_RANGES) return names.join(' and ');
  const more = names.length - SHOWN_RANGES;
  return `${names.slice(0, SHOWN_RANGES).join(', ')} and ${countOf(more, 'more pod range')}`;
}

/** Points at the Node a pod range comes from: `spec.podCIDRs`, or the older single `spec.podCIDR`. */
function nodeRelated(entry: ClusterRange): NonNullable<RuleReport['related']> {
  if (!entry.node) return [];
  const spec = entry.node.source.value.spec as { podCIDRs?: unknown } | undefined;
  const path = Array.isArray(spec?.podCIDRs) ? ['spec', 'podCIDRs'] : ['spec', 'podCIDR'];
  return [{ object: entry.node.source, path, message: `pod range of node ${entry.node.name}` }];
}

/** Parses the configured ranges; a malformed one is the configuration's problem, not a policy's. */
function configRanges(kind: 'pod' | 'service', texts: readonly string[] | undefined): ClusterRange[] {
  return (texts ?? []).flatMap((text) => {
    const parsed = parseCidr(String(text));
    return 'error' in parsed ? [] : [{ kind, family: parsed.family, range: parsed.range, text: parsed.text, label: `${kind} CIDR ${parsed.text}` }];
  });
}
