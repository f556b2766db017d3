import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseCidr, type AddressRange, type IpFamily } from '../src/model/cidr.js';
import type { Node, PolicyRule } from '../src/model/types.js';
import { rangesOverlap } from '../src/reach/ip-ranges.js';
import type { CompiledRule } from '../src/reach/solver.js';

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
 * Flags ipBlocks that overlap the cluster's pod or Service address ranges, where what they match
 * depends on the network plugin.
 *
 * A whole-family ipBlock (`0.0.0.0/0`, `::/0`) gets its own message: it is usually written to
 * mean "anywhere", so it is reported (the plugin decides whether "anywhere" includes pods, a
 * classic surprise when moving from Calico to Cilium) but the message offers both readings.
 * Rules that also admit every pod (`namespaceSelector: {}`) are not reported: there the plugin's
 * choice changes nothing.
 */
export default defineRule({
  id: 'ipblock-targets-cluster-range',
  category: 'addressing',
  severity: 'warning',
  description: 'An ipBlock overlaps the pod or Service address range of the cluster (from `.k8snet.yaml` `cluster:` or the Nodes\' podCIDRs).',
  rationale: 'NetworkPolicy says ipBlock is meant for addresses outside the cluster and leaves it to the network plugin whether it matches pod IPs: '
    + 'Calico matches them, Cilium does not, so the same policy allows in-cluster traffic on one cluster and blocks it on another. '
    + 'Service IPs are usually translated to pod IPs before policies are evaluated, so an ipBlock on the Service range rarely matches anything.',
  fix: 'Select in-cluster peers with podSelector and namespaceSelector; keep ipBlocks for outside addresses, excepting the pod and Service ranges '
    + 'from wide ones such as 0.0.0.0/0.',
  messages: {
    podRange: 'ipBlock {{cidr}} overlaps the {{range}}: whether an ipBlock matches pod IPs depends on the network plugin (Calico matches them, Cilium does not).',
    serviceRange: 'ipBlock {{cidr}} overlaps the {{range}}: Service IPs are usually translated to pod IPs before policy applies, so this part of the ipBlock most likely matches nothing.',
    everyAddress: 'ipBlock {{cidr}} also covers the cluster\'s {{ranges}}: whether it matches traffic of pods (and of Services, once translated to pod IPs) depends on the network plugin (Calico: yes, Cilium: no).',
  },
  check(graph, { cluster, solver }) {
    const clusterRanges: ClusterRange[] = [
      ...configRanges('pod', cluster.podCIDR),
      ...graph.nodes.flatMap((node) => node.podCIDRs.flatMap((text) => {
        const parsed = parseCidr(String(text));
        return 'error' in parsed ? [] : [{
          kind: 'pod' as const, family: parsed.family, range: parsed.range, text: parsed.text, label: `pod CIDR ${parsed.text} of node ${node.name}`, node,
        }];
      })),
      ...configRanges('service', cluster.serviceCIDR),
    ];
    if (clusterRanges.length === 0) return [];
    const reports: RuleReport[] = [];
    let compiledByRule: Map<PolicyRule, CompiledRule> | undefined;
    for (const policy of graph.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const peer of rule.peers ?? []) {
          if (!peer.ipBlock) continue;
          const { family, ranges } = peer.ipBlock.ranges;
          const overlapping = clusterRanges.filter((entry) => entry.family === family && rangesOverlap(ranges, [entry.range]));
          if (overlapping.length === 0) continue;
          // Rules of a direction the policy does not affect are not compiled: they allow nothing.
          compiledByRule ??= new Map(solver.compiledRules.map((compiled) => [compiled.rule, compiled]));
          const compiled = compiledByRule.get(rule);
          if (!compiled || compiled.admitsAnyPod) continue;
          const base = { object: policy.source, path: [...peer.path, 'ipBlock', 'cidr'] };
          const cidr = parseCidr(peer.ipBlock.cidr);
          if (!('error' in cidr) && cidr.prefixLength === 0) {
            const shown = [overlapping.find((entry) => entry.kind === 'pod'), overlapping.find((entry) => entry.kind === 'service')]
              .filter((entry): entry is ClusterRange => entry !== undefined);
            reports.push({
              ...base,
              messageId: 'everyAddress',
              data: { cidr: peer.ipBlock.cidr, ranges: shown.map((entry) => entry.label).join(' and ') },
              hint: `except ${shown.map((entry) => entry.text).join(' and ')} to mean only addresses outside the cluster, `
                + 'or add a `namespaceSelector: {}` peer to include every pod whatever the plugin',
              related: shown.flatMap(nodeRelated),
            });
            continue;
          }
          for (const kind of ['pod', 'service'] as const) {
            const entry = overlapping.find((candidate) => candidate.kind === kind);
            if (!entry) continue;
            reports.push({
              ...base,
              messageId: kind === 'pod' ? 'podRange' : 'serviceRange',
              data: { cidr: peer.ipBlock.cidr, range: entry.label },
              related: nodeRelated(entry),
            });
          }
        }
      }
    }
    return reports;
  },
});

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
