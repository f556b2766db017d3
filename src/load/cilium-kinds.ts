import type { GroupKind } from './kinds.js';

/** The API group of Cilium's custom resources. */
export const CILIUM_API_GROUP = 'cilium.io';

/**
 * The Cilium kinds k8snet models, with the versions their CRDs serve:
 * CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy are `cilium.io/v2`;
 * CiliumCIDRGroup (cluster-scoped) was `v2alpha1` and is also served as `v2` by recent releases
 * (cilium/cilium `pkg/k8s/apis/cilium.io/v2/cidrgroups_types.go`; cilium-cli's connectivity test
 * still applies the `v2alpha1` form).
 */
export const CILIUM_GROUP_KINDS: readonly GroupKind[] = [
  { group: CILIUM_API_GROUP, versions: ['v2'], kind: 'CiliumNetworkPolicy' },
  { group: CILIUM_API_GROUP, versions: ['v2'], kind: 'CiliumClusterwideNetworkPolicy' },
  { group: CILIUM_API_GROUP, versions: ['v2', 'v2alpha1'], kind: 'CiliumCIDRGroup' },
];

/** The Cilium policy kinds: the API server (or the agent) refusing any part of one leaves the whole policy out. */
export const CILIUM_POLICY_KINDS: ReadonlySet<string> = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** Returns true for a group kind whose objects are policies refused whole when a field is invalid. */
export function isCiliumPolicyKind(entry: GroupKind): boolean {
  return entry.group === CILIUM_API_GROUP && CILIUM_POLICY_KINDS.has(entry.kind);
}
