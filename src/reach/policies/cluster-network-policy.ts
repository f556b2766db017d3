import type { ResourceGraph } from '../../model/graph.js';
import type { ClusterNetworkPolicy, ClusterPolicyPeer, ClusterPolicyRule } from '../../model/types.js';
import type { CompiledPolicy, RuleAction } from '../policy-form.js';
import type { CompileContext } from './context.js';
import {
  addressPeersOf, compileNetworkPolicyApiPolicy, describeSelectorPeer, type AddressPeers, type NetworkPolicyApiPeer, type NetworkPolicyApiRule,
} from './network-policy-api.js';

/** Where the layout places ClusterNetworkPolicies: the Admin tier's stage and the Baseline tier's. */
export interface ClusterPolicyPlacement {
  readonly adminStage: string;
  readonly baselineStage: string;
}

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
  return addressPeersOf(graph.clusterPolicies.flatMap((policy) => [...policy.ingress, ...policy.egress]).flatMap((rule) => rule.peers.map(peerOf)));
}

/** A peer in the group's shared form: its `networks` as address ranges (the CIDRs as written are for explanations). */
function peerOf(peer: ClusterPolicyPeer): NetworkPolicyApiPeer {
  const { networks, ...others } = peer;
  return networks ? { ...others, networks: networks.map((network) => network.ranges) } : others;
}

function compilePolicy(context: CompileContext, placement: ClusterPolicyPlacement, policy: ClusterNetworkPolicy): CompiledPolicy {
  const head = {
    kind: 'ClusterNetworkPolicy',
    name: policy.name,
    label: policy.name,
    object: policy.source,
    stage: policy.tier === 'Admin' ? placement.adminStage : placement.baselineStage,
    priority: policy.priority,
    model: policy,
  };
  // "CNPs with no ingress rules do not affect ingress traffic": their rules alone speak.
  return compileNetworkPolicyApiPolicy(context, head, policy.subject, {
    ingress: policy.ingress,
    egress: policy.egress,
    read: (rule) => readRule(policy, rule),
  });
}

function readRule(policy: ClusterNetworkPolicy, rule: ClusterPolicyRule): NetworkPolicyApiRule {
  const action = ACTIONS[rule.action];
  return {
    action,
    peers: rule.peers.map(peerOf),
    ports: rule.protocols,
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

/** Describes a ClusterNetworkPolicy peer: `namespaces team=a`, `pods app=web in namespaces team=a`, `networks 10.0.0.0/8`, `nodes <all>`. */
export function describeClusterPolicyPeer(peer: ClusterPolicyPeer): string {
  if (peer.networks) return `networks ${peer.networks.map((network) => network.text).join(', ')}`;
  if (peer.domainNames && !peer.nodes) return `domain names ${peer.domainNames.join(', ')} (not resolved by k8snet)`;
  return describeSelectorPeer(peer);
}
