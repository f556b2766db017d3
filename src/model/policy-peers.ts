import type { NetworkPolicy, PolicyPeer, PolicyRule } from './types.js';

/** A `from`/`to` peer of a policy with the rule it belongs to. */
export interface RulePeer {
  readonly rule: PolicyRule;
  readonly peer: PolicyPeer;
}

// Policies are immutable once in the graph, and several rules walk every peer of every policy.
const peersOfPolicy = new WeakMap<NetworkPolicy, readonly RulePeer[]>();

/** Returns every `from`/`to` peer of a policy with the rule it belongs to, ingress rules first. */
export function policyPeers(policy: NetworkPolicy): readonly RulePeer[] {
  let peers = peersOfPolicy.get(policy);
  if (!peers) {
    const list: RulePeer[] = [];
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules) for (const peer of rule.peers ?? []) list.push({ rule, peer });
    }
    peers = Object.freeze(list);
    peersOfPolicy.set(policy, peers);
  }
  return peers;
}
