import type { NetworkPolicy, PolicyPeer, PolicyRule } from './types.js';

/** Yields every `from`/`to` peer of a policy with the rule it belongs to, ingress rules first. */
export function* policyPeers(policy: NetworkPolicy): Generator<{ readonly rule: PolicyRule; readonly peer: PolicyPeer }> {
  for (const rule of [...policy.ingress, ...policy.egress]) {
    for (const peer of rule.peers ?? []) yield { rule, peer };
  }
}
