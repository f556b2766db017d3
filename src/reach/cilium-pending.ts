/**
 * Cilium's host policies (`nodeSelector` rules, the host firewall) are evaluated, when cilium-config
 * enables the host firewall, for node endpoints (`node:NAME`) and for hostNetwork pods placed only
 * on nodes they select (policies/cilium.ts `hostPolicyReach`), but not for hostNetwork pods that
 * may run on selected and unselected nodes, or on nodes whose labels the input does not give. An
 * answer about a hostNetwork pod they would decide there, or about a node whose host policies are
 * not applied, carries one caveat naming them (given through not-evaluated.ts and query.ts), so
 * nothing is left out silently.
 */
import { locateField } from '../load/manifest-object.js';
import type { CiliumPolicy, CiliumRule } from '../model/cilium.js';
import { matchesCiliumSelector, nodeIdentity, type CiliumSelector } from '../model/cilium-labels.js';
import type { ResourceGraph } from '../model/graph.js';
import { enforcesDialect, type NetworkPluginFact } from '../model/network-plugin.js';
import type { Pod } from '../model/types.js';
import { evaluatedDialects } from './policies/index.js';
import { hostPolicyReach } from './policies/cilium.js';

/** Returns true when `rule` decides anything for its subjects in `direction`. */
function actsIn(rule: CiliumRule, direction: 'ingress' | 'egress'): boolean {
  return direction === 'ingress'
    ? rule.ingress.length > 0 || rule.ingressDeny.length > 0 || rule.defaultDeny.ingress
    : rule.egress.length > 0 || rule.egressDeny.length > 0 || rule.defaultDeny.egress;
}

/**
 * The Cilium host policies that would decide `direction` traffic of a hostNetwork `pod` and that
 * answers leave out: with the host firewall on (and Cilium's layout taken), those that select some
 * but not every node it may run on (or nodes of unknown labels); otherwise every one that may
 * select its node. Endpoint rules are evaluated and never pending.
 */
export function pendingCiliumPolicies(graph: ResourceGraph, pod: Pod, direction: 'ingress' | 'egress', endpointRulesEvaluated = true): CiliumPolicy[] {
  const policies = new Set<CiliumPolicy>();
  // Where answers do not take Cilium's layout (the manifests also hold Calico policies and name no
  // plugin), every endpoint policy that may select the pod is pending: those of its namespace and
  // the cluster-wide ones (their selectors are not matched here: "may apply" is what is said).
  if (!endpointRulesEvaluated && !pod.hostNetwork) {
    for (const policy of graph.cilium.policies) {
      if ((policy.namespace === undefined || policy.namespace === pod.namespace)
        && policy.rules.some((rule) => rule.subject.kind !== 'nodes' && actsIn(rule, direction))) policies.add(policy);
    }
  }
  // Endpoint rules are evaluated (policies/cilium.ts); only host policies are pending.
  if (pod.hostNetwork) {
    const evaluatedForPods = endpointRulesEvaluated && graph.cilium.agentConfig.hostFirewall === true;
    for (const policy of graph.cilium.policies) {
      for (const rule of policy.rules) {
        if (rule.subject.kind !== 'nodes' || !actsIn(rule, direction)) continue;
        const reach = hostPolicyReach(graph, rule.subject.selector, pod);
        if (evaluatedForPods ? reach === 'some' : reach !== 'none') policies.add(policy);
      }
    }
  }
  return [...policies];
}

/** The caveat for `pod` in `direction`, or undefined when no Cilium policy would decide it (or the plugin enforces none). */
export function ciliumPendingCaveat(graph: ResourceGraph, plugin: NetworkPluginFact, pod: Pod, direction: 'ingress' | 'egress', label: string): string | undefined {
  if (!enforcesDialect(plugin, 'cilium') || graph.cilium.policies.length === 0) return undefined;
  const evaluated = evaluatedDialects(graph, plugin).cilium;
  const policies = pendingCiliumPolicies(graph, pod, direction, evaluated);
  if (policies.length === 0) return undefined;
  const named = policies.slice(0, 2).map((policy) => {
    const location = locateField(policy.source.origin, ['metadata', 'name']);
    return `${policy.kind} ${policy.label} (${location.file}:${location.line})`;
  });
  const more = policies.length > 2 ? ` and ${policies.length - 2} more` : '';
  const verb = policies.length === 1 ? 'selects' : 'select';
  if (!evaluated) {
    return `${named.join(', ')}${more} may select ${label} for ${direction}; the manifests hold Calico policies too and name no network plugin, so this answer evaluates neither `
      + `dialect and leaves ${policies.length === 1 ? 'it' : 'them'} out (set cluster.cni in .k8snet.yaml)`;
  }
  const them = policies.length === 1 ? 'it' : 'them';
  const config = graph.cilium.agentConfig;
  if (config.hostFirewall === true) {
    return `${named.join(', ')}${more} (a host policy) ${policies.length === 1 ? 'selects' : 'select'} the node of ${label} (hostNetwork) on some of the nodes it may run on but not all, or on nodes whose labels the manifests do not give: `
      + `where it runs on a selected node ${policies.length === 1 ? 'it applies' : 'they apply'}; this answer leaves ${them} out`;
  }
  const where = config.statedIn ? `cilium-config (${locateField(config.statedIn.origin, ['metadata', 'name']).file}:${locateField(config.statedIn.origin, ['metadata', 'name']).line}) does not set enable-host-firewall: "true"` : 'the manifests do not show the host firewall on (enable-host-firewall in cilium-config)';
  return `${named.join(', ')}${more} (a host policy) may select the node of ${label} (hostNetwork) for ${direction}, but ${where}, so Cilium does not enforce host policies and this answer leaves ${them} out`;
}

/**
 * The caveat for node `nodeName` (a `node:NAME` endpoint) in `direction` of its own traffic: the
 * Cilium host policies (nodeSelector) that select it and that the answer leaves out — all of them
 * when the manifests do not show the host firewall on (Cilium enforces host policies only with
 * `enable-host-firewall`), else those whose selector needs labels of a node the manifests do not
 * hold. Undefined when none (or the plugin enforces none).
 */
export function ciliumHostPolicyCaveat(graph: ResourceGraph, plugin: NetworkPluginFact, nodeName: string, direction: 'ingress' | 'egress', label: string): string | undefined {
  if (!enforcesDialect(plugin, 'cilium') || graph.cilium.policies.length === 0 || !evaluatedDialects(graph, plugin).cilium) return undefined;
  const node = graph.nodes.find((candidate) => candidate.name === nodeName);
  const config = graph.cilium.agentConfig;
  const hostRules = graph.cilium.policies.flatMap((policy) => policy.rules
    .filter((rule) => rule.subject.kind === 'nodes' && actsIn(rule, direction))
    .map((rule) => ({ policy, selector: (rule.subject as { selector: CiliumSelector }).selector })));
  const policies = new Set<CiliumPolicy>();
  for (const { policy, selector } of hostRules) {
    const selects = node ? matchesCiliumSelector(selector, nodeIdentity(node.labels)) : true;
    // With the host firewall on, only selectors that need the labels of a node the manifests lack are left out.
    if (config.hostFirewall === true ? !node && selector.requirements.length > 0 : selects) policies.add(policy);
  }
  if (policies.size === 0) return undefined;
  const list = [...policies];
  const named = list.slice(0, 2).map((policy) => {
    const location = locateField(policy.source.origin, ['metadata', 'name']);
    return `${policy.kind} ${policy.label} (${location.file}:${location.line})`;
  });
  const subject = `${named.join(', ')}${list.length > 2 ? ` and ${list.length - 2} more` : ''}`;
  const them = list.length === 1 ? 'it' : 'them';
  if (config.hostFirewall === true) {
    return `${subject} may select ${label} for ${direction} (a host policy), but the manifests hold no Node ${nodeName} whose labels would tell: this answer leaves ${them} out`;
  }
  const verb = node ? (list.length === 1 ? 'selects' : 'select') : 'may select';
  if (config.statedIn) {
    const location = locateField(config.statedIn.origin, ['metadata', 'name']);
    return `${subject} ${verb} ${label} for ${direction} (a host policy), but cilium-config (${location.file}:${location.line}) does not set enable-host-firewall: "true", so Cilium does not enforce host policies and this answer leaves ${them} out`;
  }
  return `${subject} ${verb} ${label} for ${direction} (a host policy); Cilium enforces host policies only with the host firewall on (enable-host-firewall in cilium-config), which the manifests do not show, so this answer leaves ${them} out`;
}
