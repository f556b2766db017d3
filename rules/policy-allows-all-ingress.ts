import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseCidr, subtractRanges, type AddressRange } from '../src/model/cidr.js';
import type { ResourceGraph } from '../src/model/graph.js';
import { matchesSelector, selectsEverything } from '../src/model/label-selector.js';
import { countOf } from '../src/model/plural.js';
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
 * Ports that are sensitive because node components listen on them (the kubelet's 10250 and 10255,
 * its health port, kube-proxy's, the controller manager's and the scheduler's): on a pod that is
 * not on the host network they are the pod's own. A pod that declares one runs its own server
 * there (cert-manager's and metrics-server's webhooks listen on 10250), not the kubelet.
 */
const NODE_COMPONENT_PORTS = ConnectionSet.ofPorts('TCP', 10248, 10250)
  .union(ConnectionSet.ofPorts('TCP', 10255, 10257))
  .union(ConnectionSet.ofPorts('TCP', 10259));

/** The container ports a pod declares, as a connection set. */
function declaredPorts(ports: readonly { readonly containerPort: number; readonly protocol: Protocol }[]): ConnectionSet {
  return ports.reduce((set, port) => set.union(ConnectionSet.ofPorts(port.protocol, port.containerPort)), ConnectionSet.EMPTY);
}

/**
 * The sensitive ports an ingress rule opens on the pods its policy selects: numbered ports as
 * written, named ports resolved on each selected pod by the solver; a node component's port only
 * on the pods that do not declare it themselves.
 */
function sensitivePortsOpened(solver: ReachabilitySolver, policy: NetworkPolicy, rule: PolicyRule, sensitive: ConnectionSet): ConnectionSet {
  const compiled = solver.compiledRuleOf(rule);
  if (!compiled) return ConnectionSet.EMPTY;
  const nodeComponents = sensitive.intersect(NODE_COMPONENT_PORTS);
  const elsewhere = sensitive.subtract(NODE_COMPONENT_PORTS);
  // The pods the policy applies to, where named ports resolve.
  const selected = [...(solver.compiledPolicyOf(policy)?.ingress?.subjects.members() ?? [])].map((index) => solver.classes[index]);
  if (selected.length === 0) return compiled.numericPorts.intersect(sensitive);
  let ports = ConnectionSet.EMPTY;
  for (const podClass of selected) {
    const opened = compiled.namedPorts.length === 0 ? compiled.numericPorts : compiled.numericPorts.union(solver.portsTowards(compiled, podClass));
    ports = ports.union(opened.intersect(elsewhere)).union(opened.intersect(nodeComponents).subtract(declaredPorts(podClass.ports)));
  }
  return ports;
}

/** A report about one rule of a policy, before {@link sayOncePerNamespace} groups it. */
export interface PolicyReport {
  readonly policy: NetworkPolicy;
  readonly report: RuleReport;
  /** What makes reports say the same thing: the message id and what it names besides the rule. */
  readonly sameness: string;
  /** `allows all ingress`: how a grouped report's related location is labelled. */
  readonly label: string;
}

/**
 * Says each pattern once per namespace: when several policies of a namespace do the same thing
 * (twelve policies with `egress: [{}]`), the one that selects the most pods (a namespace-wide one
 * first) is reported as the cause, its message saying how many others do the same, and the others
 * become its related locations (see foldFindings). `others` in the reports' data is filled either way.
 */
export function sayOncePerNamespace(graph: ResourceGraph, ruleId: string, reports: readonly PolicyReport[]): RuleReport[] {
  const groups = new Map<string, PolicyReport[]>();
  for (const entry of reports) {
    const key = `${ruleId}:${entry.policy.namespace}:${entry.sameness}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const podCount = new Map<NetworkPolicy, number>();
  const selectedPods = (policy: NetworkPolicy) => {
    let count = podCount.get(policy);
    if (count === undefined) {
      count = graph.podsInNamespace(policy.namespace).filter((pod) => matchesSelector(policy.podSelector, pod.labels)).length;
      podCount.set(policy, count);
    }
    return count;
  };
  const result: RuleReport[] = [];
  for (const [key, entries] of groups) {
    if (entries.length === 1) {
      result.push({ ...entries[0].report, data: { ...entries[0].report.data, others: '' } });
      continue;
    }
    const ranked = [...entries].sort((a, b) => Number(selectsEverything(b.policy.podSelector)) - Number(selectsEverything(a.policy.podSelector))
      || selectedPods(b.policy) - selectedPods(a.policy));
    const [cause, ...rest] = ranked;
    const namespace = cause.policy.namespace;
    result.push({
      ...cause.report,
      data: { ...cause.report.data, others: `; so ${rest.length === 1 ? 'does' : 'do'} ${countOf(rest.length, 'other rule')} of namespace ${namespace}, listed with it` },
      causeKey: key,
    });
    for (const entry of rest) {
      result.push({ ...entry.report, data: { ...entry.report.data, others: '' }, causedBy: { key, label: `${entry.label} too: ${String(entry.report.data?.rule ?? '')}` } });
    }
  }
  return result;
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
    allowsAll: 'Rule {{rule}} has no from and no ports, so the pods it selects accept connections from any pod and any address, including the internet, on every port{{others}}.',
    openSensitive: 'Rule {{rule}} has no from, so any pod and any address, including the internet, can reach {{ports}} of the pods it selects{{others}}.',
    worldAllPorts: 'ipBlock {{block}} in {{rule}} admits every public address on every port, so the pods it selects are open to the internet{{others}}.',
    worldSensitive: 'ipBlock {{block}} in {{rule}} opens {{ports}} of the pods it selects to every public address{{others}}.',
    everyPod: 'namespaceSelector: {} in {{rule}}, with no ports, admits every pod of every namespace on every port{{others}}.',
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
    const reports: PolicyReport[] = [];
    const add = (policy: NetworkPolicy, report: RuleReport, label: string) => {
      const { rule: _rule, ...named } = report.data ?? {};
      reports.push({ policy, report, label, sameness: `${report.messageId}:${JSON.stringify(named)}` });
    };
    for (const policy of graph.policies) {
      // Ingress rules of a policy whose policyTypes leave out Ingress are ignored by the API.
      if (!policy.affectsIngress) continue;
      for (const rule of policy.ingress) {
        const ruleName = describeRule(policy, rule);
        const everyPort = rule.ports.length === 0;
        // Only computed when needed: named ports make the solver resolve them on every selected pod.
        const exposed = () => sensitivePortsOpened(solver, policy, rule, sensitive);
        if (rule.peers === undefined) {
          if (everyPort) add(policy, { messageId: 'allowsAll', data: { rule: ruleName }, object: policy.source, path: rule.path }, 'allows all ingress');
          else {
            const ports = exposed();
            if (!ports.isEmpty()) {
              add(policy, { messageId: 'openSensitive', data: { rule: ruleName, ports: formatSensitivePorts(ports) }, object: policy.source, path: rule.path }, 'has no from');
            }
          }
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.ipBlock && isOpenToWorld(peer.ipBlock)) {
            const block = formatIpBlock(peer.ipBlock);
            if (everyPort) add(policy, { messageId: 'worldAllPorts', data: { block, rule: ruleName }, object: policy.source, path: peer.path }, `admits ${block}`);
            else {
              const ports = exposed();
              if (!ports.isEmpty()) {
                add(policy, { messageId: 'worldSensitive', data: { block, rule: ruleName, ports: formatSensitivePorts(ports) }, object: policy.source, path: peer.path }, `admits ${block}`);
              }
            }
          } else if (everyPort && admitsEveryPod(peer)) {
            add(policy, { messageId: 'everyPod', data: { rule: ruleName }, object: policy.source, path: peer.path }, 'admits every pod');
          }
        }
      }
    }
    return sayOncePerNamespace(graph, 'policy-allows-all-ingress', reports);
  },
});
