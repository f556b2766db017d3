import type { AddressRange, IpFamily } from '../../model/cidr.js';
import type { ResourceGraph } from '../../model/graph.js';
import { formatRequirements, matchesSelector } from '../../model/label-selector.js';
import type { ClusterNetworkPolicy, ClusterPolicyPeer, ClusterPolicyRule } from '../../model/types.js';
import { ConnectionSet } from '../connection-set.js';
import type { CompiledPolicy, CompiledRule, Direction, PolicySide, RuleAction } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { addNetworksPeerClasses, addNodesPeerClasses, nodesPeerAddresses, podPeerClasses, type AddressPeers } from './network-policy-api.js';
import { sortRanges } from './ranges.js';

/** Where the layout places ClusterNetworkPolicies: the Admin tier's stage and the Baseline tier's. */
export interface ClusterPolicyPlacement {
  readonly adminStage: string;
  readonly baselineStage: string;
}

const ANY_POD_TAGS: ReadonlySet<string> = new Set(['any-pod']);
const NO_TAGS: ReadonlySet<string> = new Set();
const ACTIONS: Readonly<Record<string, RuleAction>> = { Accept: 'allow', Deny: 'deny', Pass: 'pass' };

/**
 * Compiles ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2) into the common form. Each
 * policy goes to its tier's stage, ranked by priority (then name: the API leaves ties to the
 * implementation); its subject is the pods of the selected namespaces (narrowed by podSelector),
 * never host-network pods; its rules decide first-match: Accept, Deny, or Pass to the next tier
 * (NetworkPolicy after the Admin tier, the default allow after the Baseline tier). Without
 * `protocols` a rule matches every connection of every protocol. `domainNames` peers are said,
 * not modelled: which addresses a name resolves to is not in the manifests.
 */
export function compileClusterNetworkPolicies(context: CompileContext, placement: ClusterPolicyPlacement): CompiledPolicy[] {
  return context.graph.clusterPolicies.map((policy) => compilePolicy(context, placement, policy));
}

/** The `networks` and `nodes` peers of every ClusterNetworkPolicy: what can tell pods with the same labels apart. */
export function clusterPolicyAddressPeers(graph: ResourceGraph): AddressPeers {
  const peers = graph.clusterPolicies.flatMap((policy) => [...policy.ingress, ...policy.egress]).flatMap((rule) => rule.peers);
  return {
    networks: peers.flatMap((peer) => (peer.networks ? [peer.networks.map((network) => network.ranges)] : [])),
    nodes: peers.flatMap((peer) => (peer.nodes ? [peer.nodes] : [])),
  };
}

function compilePolicy(context: CompileContext, placement: ClusterPolicyPlacement, policy: ClusterNetworkPolicy): CompiledPolicy {
  const subjects = context.newClassSet();
  for (const namespace of context.graph.namespacesMatching(policy.subject.namespaceSelector)) {
    for (const podClass of context.classesInNamespace(namespace.name)) {
      // "Note that host-networked pods are not included in subject selection."
      if (podClass.hostNetwork) continue;
      if (!policy.subject.podSelector || matchesSelector(policy.subject.podSelector, podClass.labels)) subjects.add(podClass.index);
    }
  }
  const compiled: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    kind: 'ClusterNetworkPolicy',
    name: policy.name,
    label: policy.name,
    object: policy.source,
    stage: policy.tier === 'Admin' ? placement.adminStage : placement.baselineStage,
    priority: policy.priority,
    model: policy,
  };
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = policy[direction].map((rule, position) => compileRule(context, compiled, policy, direction, rule, position));
    // "CNPs with no ingress rules do not affect ingress traffic": their rules alone speak.
    const side: PolicySide = { direction, subjects, isolates: false, rules };
    compiled[direction] = side;
  }
  return compiled;
}

function compileRule(context: CompileContext, compiled: CompiledPolicy, policy: ClusterNetworkPolicy, direction: Direction, rule: ClusterPolicyRule, position: number): CompiledRule {
  const classes = context.newClassSet();
  const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
  const domainNames: string[] = [];
  for (const peer of rule.peers) {
    if (peer.networks) {
      for (const network of peer.networks) ranges[network.ranges.family].push(...network.ranges.ranges);
      addNetworksPeerClasses(context, peer.networks.map((network) => network.ranges), classes);
    } else if (peer.nodes) {
      addNodesPeerClasses(context, peer.nodes, classes);
      const addresses = nodesPeerAddresses(context.graph.nodes, peer.nodes);
      ranges[4].push(...addresses[4]);
      ranges[6].push(...addresses[6]);
    } else if (peer.domainNames) {
      domainNames.push(...peer.domainNames);
    } else if (peer.namespaceSelector) {
      podPeerClasses(context, peer.namespaceSelector, peer.podSelector).addInto(classes);
    }
  }
  let numericPorts = rule.protocols === undefined ? ConnectionSet.ALL : ConnectionSet.EMPTY;
  const namedPorts: { name: string }[] = [];
  for (const entry of rule.protocols ?? []) {
    if ('namedPort' in entry) namedPorts.push({ name: entry.namedPort });
    else numericPorts = numericPorts.union(ConnectionSet.ofPorts(entry.protocol, entry.from, entry.to));
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
    ...(domainNames.length > 0 ? { unmodelledPeers: `the domain names ${domainNames.join(', ')}` } : {}),
    position,
    source: {
      kind: 'ClusterNetworkPolicy',
      policyLabel: policy.name,
      ruleLabel: rule.name,
      object: policy.source,
      path: rule.path,
      actionName: rule.action,
      ...(action === 'pass' ? { passTo: policy.tier === 'Admin' ? 'NetworkPolicy' : 'the default (allowed)' } : {}),
      rank: `${policy.tier} tier, priority ${policy.priority}`,
      details: { tier: policy.tier, priority: policy.priority },
      describePeers: () => rule.peers.map(describeClusterPolicyPeer).join(' or '),
    },
    model: rule,
  };
}

function admitsAnyPod(peer: ClusterPolicyPeer): boolean {
  return peer.namespaceSelector !== undefined && peer.namespaceSelector.requirements.length === 0
    && (peer.podSelector === undefined || peer.podSelector.requirements.length === 0);
}

/** Describes a ClusterNetworkPolicy peer: `namespaces team=a`, `pods app=web in namespaces team=a`, `networks 10.0.0.0/8`, `nodes <all>`. */
export function describeClusterPolicyPeer(peer: ClusterPolicyPeer): string {
  if (peer.networks) return `networks ${peer.networks.map((network) => network.text).join(', ')}`;
  if (peer.nodes) return `nodes ${formatRequirements(peer.nodes.requirements)}`;
  if (peer.domainNames) return `domain names ${peer.domainNames.join(', ')} (not resolved by k8snet)`;
  if (peer.podSelector) return `pods ${formatRequirements(peer.podSelector.requirements)} in namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
  return `namespaces ${formatRequirements(peer.namespaceSelector?.requirements ?? [])}`;
}
