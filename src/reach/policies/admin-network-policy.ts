import type { ResourceGraph } from '../../model/graph.js';
import type { AdminNetworkPolicy, AdminPeer, AdminRule } from '../../model/types.js';
import type { CompiledPolicy, RuleAction } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { addressPeersOf, compileNetworkPolicyApiPolicy, describeSelectorPeer, type AddressPeers, type NetworkPolicyApiRule } from './network-policy-api.js';
import { formatCidrRange } from './ranges.js';

/** Where the layout places the admin policies: AdminNetworkPolicies in one stage, the baseline in another. */
export interface AdminPolicyPlacement {
  readonly adminStage: string;
  readonly baselineStage: string;
}

const ACTIONS: Readonly<Record<string, RuleAction>> = { Allow: 'allow', Deny: 'deny', Pass: 'pass' };

/** The rank of the BaselineAdminNetworkPolicy in its stage: it has no priority and is the only one of its kind. */
const BASELINE_RANK = Number.MAX_SAFE_INTEGER;

/** The `networks` and `nodes` peers of the admin policies: what can tell pods with the same labels apart. */
export function adminPolicyAddressPeers(graph: ResourceGraph): AddressPeers {
  return addressPeersOf(graph.adminPolicies.flatMap((policy) => [...policy.ingress, ...policy.egress]).flatMap((rule) => rule.peers));
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
  const isBaseline = policy.kind === 'BaselineAdminNetworkPolicy';
  const head = {
    kind: policy.kind,
    name: policy.name,
    label: policy.name,
    object: policy.source,
    stage: isBaseline ? placement.baselineStage : placement.adminStage,
    priority: isBaseline ? BASELINE_RANK : policy.priority,
    model: policy,
  };
  return compileNetworkPolicyApiPolicy(context, head, policy.subject, {
    ingress: policy.ingress,
    egress: policy.egress,
    read: (rule) => readRule(policy, rule),
  });
}

function readRule(policy: AdminNetworkPolicy, rule: AdminRule): NetworkPolicyApiRule {
  const action = ACTIONS[rule.action];
  return {
    action,
    peers: rule.peers,
    ports: rule.ports,
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

/** Describes an admin policy peer: `namespaces team=a`, `pods team=a / app=web`, `networks 10.0.0.0/8`, `nodes <all>`. */
export function describeAdminPeer(peer: AdminPeer): string {
  if (peer.networks) return `networks ${peer.networks.flatMap((block) => block.ranges.map((range) => formatCidrRange(range, block.family))).join(', ')}`;
  return describeSelectorPeer(peer);
}
