import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseCidr, subtractRanges, type AddressRange } from '../src/model/cidr.js';
import { selectsEverything } from '../src/model/label-selector.js';
import { PROTOCOLS, type IpBlock, type NetworkPolicy, type PolicyPeer, type PolicyRule, type Protocol } from '../src/model/types.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import type { ReachabilitySolver } from '../src/reach/solver.js';

/** Options of policy-allows-all-ingress. */
export interface AllowsAllIngressOptions {
  /**
   * Ports that must not be open to everyone: a number (TCP), or a string such as `2379-2380`,
   * `UDP/161` or `TCP/9200-9300`.
   */
  readonly sensitivePorts: readonly (number | string)[];
}

// Private, shared, loopback, link-local and multicast space (RFC 1918, 6598, 3927, 4193, 4291):
// an ipBlock that excepts its way down to these is not open to the internet.
const NON_PUBLIC_CIDRS = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3',
  '::/127', 'fc00::/7', 'fe80::/10', 'ff00::/8',
];
let nonPublic: Exclude<ReturnType<typeof parseCidr>, { error: string }>[] | undefined;

/** The non-public ranges, parsed on first use so that loading the rule costs nothing. */
function nonPublicRanges(): Exclude<ReturnType<typeof parseCidr>, { error: string }>[] {
  nonPublic ??= NON_PUBLIC_CIDRS.map((text) => parseCidr(text) as Exclude<ReturnType<typeof parseCidr>, { error: string }>);
  return nonPublic;
}

/**
 * Returns true when an ipBlock is the whole address space of its family (`0.0.0.0/0`, `::/0`) and
 * its excepts leave some public address in it.
 */
export function isOpenToWorld(ipBlock: IpBlock): boolean {
  if (ipBlock.cidr !== '0.0.0.0/0' && ipBlock.cidr !== '::/0') return false;
  const holes = nonPublicRanges().filter((cidr) => cidr.family === ipBlock.ranges.family).map((cidr) => cidr.range);
  return ipBlock.ranges.ranges.some((range: AddressRange) => subtractRanges(range, holes).length > 0);
}

/** Formats an ipBlock as written: `0.0.0.0/0`, or `0.0.0.0/0 except 10.0.0.0/8,192.168.0.0/16`. */
export function formatIpBlock(ipBlock: IpBlock): string {
  return ipBlock.except.length === 0 ? ipBlock.cidr : `${ipBlock.cidr} except ${ipBlock.except.join(',')}`;
}

/** Returns true for a peer that matches every pod of every namespace: `namespaceSelector: {}`, no narrower podSelector. */
export function admitsEveryPod(peer: PolicyPeer): boolean {
  return peer.namespaceSelector !== undefined && selectsEverything(peer.namespaceSelector)
    && (peer.podSelector === undefined || selectsEverything(peer.podSelector));
}

/** Returns the human name of a policy rule: `shop/web ingress[0]`. */
export function describeRule(policy: NetworkPolicy, rule: PolicyRule): string {
  return `${policy.namespace}/${policy.name} ${rule.path[1]}[${rule.path[2]}]`;
}

/** Parses the `sensitivePorts` option into a connection set. */
function sensitiveSet(entries: readonly (number | string)[]): ConnectionSet {
  let set = ConnectionSet.EMPTY;
  for (const entry of entries) {
    const match = /^(?:(TCP|UDP|SCTP)\/)?(\d+)(?:-(\d+))?$/i.exec(String(entry).trim());
    if (!match) continue;
    const protocol = (match[1]?.toUpperCase() ?? 'TCP') as Protocol;
    set = set.union(ConnectionSet.ofPorts(protocol, Number(match[2]), Number(match[3] ?? match[2])));
  }
  return set;
}

/** Names sensitive ports the way kubectl users read them: `sensitive ports TCP/22, TCP/2379-2380`. */
function formatSensitivePorts(set: ConnectionSet): string {
  const items: string[] = [];
  for (const protocol of PROTOCOLS) {
    for (const [from, to] of set.portRanges(protocol)) items.push(`${protocol}/${from === to ? from : `${from}-${to}`}`);
  }
  const plural = items.length > 1 || items[0].includes('-');
  return `sensitive ${plural ? 'ports' : 'port'} ${items.join(', ')}`;
}

/**
 * The ports an ingress rule opens on the pods its policy selects: numbered ports as written, named
 * ports resolved on each selected pod by the solver.
 */
function portsOpened(solver: ReachabilitySolver, policy: NetworkPolicy, rule: PolicyRule): ConnectionSet {
  const compiled = solver.compiledRuleOf(rule);
  if (!compiled) return ConnectionSet.EMPTY;
  if (compiled.namedPorts.length === 0) return compiled.numericPorts;
  let ports = compiled.numericPorts;
  // Resolved on each pod the policy applies to.
  for (const index of solver.compiledPolicyOf(policy)?.ingress?.subjects.members() ?? []) ports = ports.union(solver.portsTowards(compiled, solver.classes[index]));
  return ports;
}

/** Flags ingress rules that admit everyone: `- {}`, `0.0.0.0/0`, or every pod of every namespace on every port. */
export default defineRule<AllowsAllIngressOptions>({
  id: 'policy-allows-all-ingress',
  category: 'isolation',
  severity: 'warning',
  description: 'An ingress rule admits everyone: no from and no ports, an ipBlock of 0.0.0.0/0 or ::/0 on every port or on a sensitive port, '
    + 'or namespaceSelector: {} on every port.',
  rationale: 'Such a rule undoes the isolation its policy sets up: NetworkPolicy rules add up, so one rule that admits everyone opens the '
    + 'selected pods to every pod of the cluster and, for a missing from or a world-wide ipBlock, to the internet. Databases, etcd, SSH '
    + 'and the kubelet API exposed this way are the usual start of a breach.',
  fix: 'Name the peers that need access (podSelector, a namespaceSelector on kubernetes.io/metadata.name, or the ipBlock of the clients) '
    + 'and the ports they use; keep world-wide ipBlocks to the ports meant to be public.',
  messages: {
    allowsAll: 'Rule {{rule}} has no from and no ports, so the pods it selects accept connections from any pod and any address, including the internet, on every port.',
    openSensitive: 'Rule {{rule}} has no from, so any pod and any address, including the internet, can reach {{ports}} of the pods it selects.',
    worldAllPorts: 'ipBlock {{block}} in {{rule}} admits every public address on every port, so the pods it selects are open to the internet.',
    worldSensitive: 'ipBlock {{block}} in {{rule}} opens {{ports}} of the pods it selects to every public address.',
    everyPod: 'namespaceSelector: {} in {{rule}}, with no ports, admits every pod of every namespace on every port.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      sensitivePorts: {
        type: 'array',
        items: {
          anyOf: [
            { type: 'integer', minimum: 1, maximum: 65535 },
            { type: 'string', pattern: '^((TCP|UDP|SCTP|tcp|udp|sctp)/)?\\d{1,5}(-\\d{1,5})?$' },
          ],
        },
      },
    },
  },
  defaultOptions: { sensitivePorts: [22, '2379-2380', 3306, 5432, 6379, 9200, 10250, 27017] },
  check(graph, { solver, options }) {
    const sensitive = sensitiveSet(options.sensitivePorts);
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      // Ingress rules of a policy whose policyTypes leave out Ingress are ignored by the API.
      if (!policy.affectsIngress) continue;
      for (const rule of policy.ingress) {
        const ruleName = describeRule(policy, rule);
        const everyPort = rule.ports.length === 0;
        // Only computed when needed: named ports make the solver resolve them on every selected pod.
        const exposed = () => portsOpened(solver, policy, rule).intersect(sensitive);
        if (rule.peers === undefined) {
          if (everyPort) reports.push({ messageId: 'allowsAll', data: { rule: ruleName }, object: policy.source, path: rule.path });
          else {
            const ports = exposed();
            if (!ports.isEmpty()) reports.push({ messageId: 'openSensitive', data: { rule: ruleName, ports: formatSensitivePorts(ports) }, object: policy.source, path: rule.path });
          }
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.ipBlock && isOpenToWorld(peer.ipBlock)) {
            const block = formatIpBlock(peer.ipBlock);
            if (everyPort) reports.push({ messageId: 'worldAllPorts', data: { block, rule: ruleName }, object: policy.source, path: peer.path });
            else {
              const ports = exposed();
              if (!ports.isEmpty()) reports.push({ messageId: 'worldSensitive', data: { block, rule: ruleName, ports: formatSensitivePorts(ports) }, object: policy.source, path: peer.path });
            }
          } else if (everyPort && admitsEveryPod(peer)) {
            reports.push({ messageId: 'everyPod', data: { rule: ruleName }, object: policy.source, path: peer.path });
          }
        }
      }
    }
    return reports;
  },
});
