import type { AddressRange, IpFamily } from '../../model/cidr.js';
import type { ResourceGraph } from '../../model/graph.js';
import { formatRequirements, matchesSelector } from '../../model/label-selector.js';
import type { AdminNetworkPolicy, AdminPeer, AdminRule } from '../../model/types.js';
import { ConnectionSet } from '../connection-set.js';
import type { CompiledPolicy, CompiledRule, Direction, PolicySide, RuleAction } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { addNetworksPeerClasses, addNodesPeerClasses, nodesPeerAddresses, podPeerClasses, type AddressPeers } from './network-policy-api.js';
import { formatCidrRange, sortRanges } from './ranges.js';

/** Where the layout places the admin policies: AdminNetworkPolicies in one stage, the baseline in another. */
export interface AdminPolicyPlacement {
  readonly adminStage: string;
  readonly baselineStage: string;
}

const ANY_POD_TAGS: ReadonlySet<string> = new Set(['any-pod']);
const NO_TAGS: ReadonlySet<string> = new Set();
const ACTIONS: Readonly<Record<string, RuleAction>> = { Allow: 'allow', Deny: 'deny', Pass: 'pass' };

/** The rank of the BaselineAdminNetworkPolicy in its stage: it has no priority and is the only one of its kind. */
const BASELINE_RANK = Number.MAX_SAFE_INTEGER;

/** The `networks` and `nodes` peers of the admin policies: what can tell pods with the same labels apart. */
export function adminPolicyAddressPeers(graph: ResourceGraph): AddressPeers {
  const peers = graph.adminPolicies.flatMap((policy) => [...policy.ingress, ...policy.egress]).flatMap((rule) => rule.peers);
  return {
    networks: peers.flatMap((peer) => (peer.networks ? [peer.networks] : [])),
    nodes: peers.flatMap((peer) => (peer.nodes ? [peer.nodes] : [])),
  };
}

/**
 * Compiles AdminNetworkPolicies and the BaselineAdminNetworkPolicy (policy.networking.k8s.io
 * v1alpha1) into the common form: first-match rules by priority; the subject's classes (never
 * host-networked pods: "not included in subject selection"); Allow, Deny, Pass; `networks`
 * peers match addresses and pod addresses, `nodes` peers the host-network pods of matching Nodes.
 */
export function compileAdminNetworkPolicies(context: CompileContext, placement: AdminPolicyPlacement): CompiledPolicy[] {
  return context.graph.adminPolicies.map((policy) => compilePolicy(context, placement, policy));
}

function compilePolicy(context: CompileContext, placement: AdminPolicyPlacement, policy: AdminNetworkPolicy): CompiledPolicy {
  const { graph } = context;
  const namespaces = new Set(graph.namespacesMatching(policy.subject.namespaceSelector).map((namespace) => namespace.name));
  const subjects = context.newClassSet();
  for (const namespace of namespaces) {
    for (const podClass of context.classesInNamespace(namespace)) {
      // "Host-networked pods are not included in subject selection" (policy.networking.k8s.io v1alpha1),
      // whatever the plugin does with NetworkPolicy for them.
      if (podClass.hostNetwork) continue;
      if (!policy.subject.podSelector || matchesSelector(policy.subject.podSelector, podClass.labels)) subjects.add(podClass.index);
    }
  }
  const isBaseline = policy.kind === 'BaselineAdminNetworkPolicy';
  const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    kind: policy.kind,
    name: policy.name,
    label: policy.name,
    object: policy.source,
    stage: isBaseline ? placement.baselineStage : placement.adminStage,
    priority: isBaseline ? BASELINE_RANK : policy.priority,
    model: policy,
  };
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = policy[direction].map((rule, position) => compileRule(context, compiled, policy, direction, rule, position));
    // Admin policies decide only what their rules match: their selection isolates nothing.
    const side: PolicySide = { direction, subjects, isolates: false, rules };
    compiled[direction] = side;
  }
  return compiled;
}

function compileRule(context: CompileContext, compiled: CompiledPolicy, policy: AdminNetworkPolicy, direction: Direction, rule: AdminRule, position: number): CompiledRule {
  const classes = context.newClassSet();
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  for (const peer of rule.peers) {
    if (peer.networks) {
      for (const block of peer.networks) ranges[block.family].push(...block.ranges);
      addNetworksPeerClasses(context, peer.networks, classes);
    } else if (peer.nodes) {
      addNodesPeerClasses(context, peer.nodes, classes);
      const addresses = nodesPeerAddresses(context.graph.nodes, peer.nodes);
      ranges[4].push(...addresses[4]);
      ranges[6].push(...addresses[6]);
    } else if (peer.namespaceSelector) {
      podPeerClasses(context, peer.namespaceSelector, peer.podSelector).addInto(classes);
    }
  }
  let numericPorts = rule.ports === undefined ? ConnectionSet.ALL : ConnectionSet.EMPTY;
  const namedPorts: { name: string }[] = [];
  for (const port of rule.ports ?? []) {
    if ('namedPort' in port) namedPorts.push({ name: port.namedPort });
    else numericPorts = numericPorts.union(ConnectionSet.ofPorts(port.protocol, port.from, port.to));
  }
  const action = ACTIONS[rule.action];
  return {
    policy: compiled,
    direction,
    action,
    matchesEveryPeer: false,
    classes,
    addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) },
    podAddressMatch: 'always',
    entities: rule.peers.some(admitsAnyPod) ? ANY_POD_TAGS : NO_TAGS,
    numericPorts,
    namedPorts,
    restrictions: [],
    position,
    source: {
      kind: policy.kind,
      policyLabel: policy.name,
      ruleLabel: rule.name,
      object: policy.source,
      path: rule.path,
      actionName: rule.action,
      // Pass hands the connections to the next tier: NetworkPolicy.
      ...(action === 'pass' ? { passTo: 'NetworkPolicy' } : {}),
      describePeers: () => rule.peers.map(describeAdminPeer).join(' or '),
    },
    model: rule,
  };
}

function admitsAnyPod(peer: AdminPeer): boolean {
  return peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
    && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0);
}

/** Describes an admin policy peer: `namespaces team=a`, `pods team=a / app=web`, `networks 10.0.0.0/8`, `nodes <all>`. */
export function describeAdminPeer(peer: AdminPeer): string {
  if (peer.networks) return `networks ${peer.networks.flatMap((block) => block.ranges.map((range) => formatCidrRange(range, block.family))).join(', ')}`;
  if (peer.nodes) return `nodes ${formatRequirements(peer.nodes.requirements)}`;
  if (peer.podSelector) return `pods ${formatRequirements(peer.podSelector.requirements)} in namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
  return `namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
}
