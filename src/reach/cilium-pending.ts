/**
 * Cilium's host policies (`nodeSelector` rules, the host firewall) are evaluated for node
 * endpoints (`node:NAME`, when cilium-config enables the host firewall) but not for hostNetwork
 * pods, whose classes span nodes. An answer about a hostNetwork pod they would decide, or about a
 * node whose host policies are not applied, carries one caveat naming them (given through
 * not-evaluated.ts and query.ts), so nothing is left out silently.
 */
import { locateField } from '../load/manifest-object.js';
import type { CiliumPolicy, CiliumRule } from '../model/cilium.js';
import { matchesCiliumSelector, nodeIdentity, type CiliumSelector } from '../model/cilium-labels.js';
import type { ResourceGraph } from '../model/graph.js';
import { enforcesDialect, type NetworkPluginFact } from '../model/network-plugin.js';
import type { Pod } from '../model/types.js';
import { evaluatedDialects } from './policies/index.js';

/** Returns true when `rule` decides anything for its subjects in `direction`. */
function actsIn(rule: CiliumRule, direction: 'ingress' | 'egress'): boolean {
  return direction === 'ingress'
    ? rule.ingress.length > 0 || rule.ingressDeny.length > 0 || rule.defaultDeny.ingress
    : rule.egress.length > 0 || rule.egressDeny.length > 0 || rule.defaultDeny.egress;
}

/**
 * The Cilium host policies that would decide `direction` traffic of a hostNetwork `pod`: those
 * (nodeSelector) that select its node or, when the manifests do not place it, any node of the
 * input or any node at all. Endpoint rules are evaluated and never pending.
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
    const placement = pod.scheduling?.placement;
    const nodes = placement?.kind === 'node' ? graph.nodes.filter((node) => node.name === placement.node) : graph.nodes;
    for (const policy of graph.cilium.policies) {
      for (const rule of policy.rules) {
        if (rule.subject.kind !== 'nodes' || !actsIn(rule, direction)) continue;
        const selector = rule.subject.selector;
        if (nodes.length === 0 || nodes.some((node) => matchesCiliumSelector(selector, nodeIdentity(node.labels)))) policies.add(policy);
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
  return `${named.join(', ')}${more} ${verb} ${label} for ${direction}; k8snet does not evaluate Cilium host policies (nodeSelector) yet, so this answer leaves ${policies.length === 1 ? 'it' : 'them'} out`;
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
