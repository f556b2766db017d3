import type { KindDefinition } from './kinds.js';

/** The API group of Cilium's custom resources. */
export const CILIUM_API_GROUP = 'cilium.io';

/**
 * The Cilium kinds k8snet models, with the versions their CRDs serve (oldest first):
 * CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy are `cilium.io/v2`;
 * CiliumCIDRGroup (cluster-scoped) was `v2alpha1` and is also served as `v2` by recent releases
 * (cilium/cilium `pkg/k8s/apis/cilium.io/v2/cidrgroups_types.go`; cilium-cli's connectivity test
 * still applies the `v2alpha1` form). No other group has kinds of these names, so each `id` is
 * the kind itself.
 */
export const CILIUM_KIND_DEFINITIONS: readonly KindDefinition[] = [
  { group: CILIUM_API_GROUP, kind: 'CiliumNetworkPolicy', versions: ['v2'], schema: 'CiliumNetworkPolicy', id: 'CiliumNetworkPolicy' },
  { group: CILIUM_API_GROUP, kind: 'CiliumClusterwideNetworkPolicy', versions: ['v2'], schema: 'CiliumClusterwideNetworkPolicy', id: 'CiliumClusterwideNetworkPolicy' },
  { group: CILIUM_API_GROUP, kind: 'CiliumCIDRGroup', versions: ['v2alpha1', 'v2'], schema: 'CiliumCIDRGroup', id: 'CiliumCIDRGroup' },
];
