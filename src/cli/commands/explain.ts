import { formatLabels } from '../../model/label-selector.js';
import { matrixEdges, podPeerId, type MatrixEdge } from '../../reach/matrix.js';
import { generatedLabelCaveats } from '../../reach/generated-labels.js';
import { PER_POD_LABEL_KEYS } from '../../model/controller-labels.js';
import { QueryError, resolveEndpoint } from '../../reach/query.js';
import { ConnectionSet } from '../../reach/connection-set.js';
import { ReachabilitySolver, type CompiledPolicy, type CompiledRule, type Direction, type HostNetworkMode, type PodClass } from '../../reach/solver.js';
import { EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { loadCommandConfig, loadCommandInput, reportInputFindings } from './shared.js';
import { countOf, listOf, verbFor } from '../../model/plural.js';
import { escapeText } from '../../report/escape/text.js';
import { networkPluginOf } from '../../model/network-plugin.js';
import { notEvaluatedPodCaveats } from '../../reach/not-evaluated.js';
import { mayMatchUnknownNamespaces } from '../../model/namespace-scope.js';
import type { PolicyRule } from '../../model/types.js';

/** Options of `k8snet explain`. */
export interface ExplainOptions {
  readonly format: 'text' | 'json';
  readonly hostNetworkPods: HostNetworkMode;
  readonly config?: string;
  readonly verbose?: boolean;
}

/**
 * Runs `k8snet explain`: for one workload, the policies that select it per direction, their
 * rules, and the connections it ends up with in and out.
 */
export async function runExplain(target: string, paths: string[], options: ExplainOptions, global: GlobalOptions): Promise<number> {
  const config = loadCommandConfig(options.config);
  const { analysis, inputFindings } = loadCommandInput(paths, global, config);
  reportInputFindings(inputFindings, global, analysis.skipped, options.verbose);
  const solver = new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods, plugin: networkPluginOf(analysis.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR });
  let endpoint;
  try {
    endpoint = resolveEndpoint(analysis.graph, target);
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(error.message);
    throw error;
  }
  if (endpoint.type !== 'pods') throw new UsageError(`explain takes a workload (ns/name or ns/Kind/name), not ${target}`);
  const { describeRule, decisionVerb, policyLocation, ruleLocation } = await import('../../report/reach-text.js');
  const workloadIds = [...new Set(endpoint.pods.map((pod) => pod.workloadId))];
  const classes = [...new Set(endpoint.pods.map((pod) => solver.classOf(pod)))];
  // Some pods of a workload (`ns/redis-ha-0`, one ordinal): their own connections, which policies
  // naming the pod's own labels make differ from its siblings', and those with the siblings.
  const parent = workloadIds.length === 1 ? analysis.graph.workload(workloadIds[0]) : undefined;
  const podsAsPeers = parent && endpoint.pods.length < parent.pods.length ? parent.id : undefined;
  const focusIds = podsAsPeers ? endpoint.pods.map((pod) => podPeerId(parent!, pod)) : workloadIds;
  const edges = new Map<string, MatrixEdge>();
  for (const id of focusIds) {
    for (const edge of matrixEdges(solver, { focusWorkload: id, podsAsPeers })) edges.set(`${edge.source.id}\u0000${edge.destination.id}`, edge);
  }
  const incoming = [...edges.values()].filter((edge) => focusIds.includes(edge.destination.id));
  const outgoing = [...edges.values()].filter((edge) => focusIds.includes(edge.source.id));

  const portsOf = (rule: CompiledRule, podClass: PodClass, direction: Direction) => (rule.namedPorts.length > 0
    ? `${rule.numericPorts.isEmpty() ? '' : `${rule.numericPorts.describe()} + `}named ${rule.namedPorts.map((port) => `${port.name}${port.protocol ? `/${port.protocol}` : ''}`).join(', ')} (${solver.portsTowards(rule, direction === 'ingress' ? podClass : undefined).describe()} here)`
    : rule.numericPorts.describe());
  const sideOf = (podClass: PodClass, direction: Direction) => {
    // Policies whose rules decide in rank order (admin and baseline tiers), with their stage.
    const ranked = (solver.planFor(podClass, direction)?.points ?? []).flatMap((point) => point.stages)
      .filter((stage) => stage.stage.combination === 'first-match')
      .flatMap((stage) => stage.policies.map((policy) => ({
        stage: stage.stage.label,
        kind: policy.kind,
        policy: policy.label,
        location: policyLocation(policy),
        rules: stage.rules.filter((rule) => rule.policy === policy).map((rule) => ({
          rule: `rule "${rule.source.ruleLabel}" (${ruleLocation(rule)})`,
          action: rule.source.actionName,
          verb: decisionVerb(rule),
          ...(rule.action === 'pass' ? { passTo: rule.source.passTo ?? 'the next tier' } : {}),
          peers: rule.matchesEveryPeer ? 'every peer' : rule.source.describePeers(),
          ports: portsOf(rule, podClass, direction),
        })),
      })));
    const isolating = solver.isolatingPolicies(podClass, direction);
    const describePolicy = (policy: CompiledPolicy) => ({
      policy: policy.label,
      location: policyLocation(policy),
      rules: solver.rulesFor(podClass, direction).filter((rule) => rule.policy === policy).map((rule) => ({
        rule: describeRule(rule),
        // Deny rules (Cilium's ingressDeny/egressDeny) are said as such; the others allow.
        ...(rule.action === 'deny' ? { denies: true } : {}),
        peers: rule.matchesEveryPeer ? 'every peer' : rule.source.describePeers(),
        ports: portsOf(rule, podClass, direction),
        // What it decides above L4 (HTTP methods and paths, DNS names, TLS server names): part of what it allows.
        ...(rule.restrictions.length > 0 ? { restrictions: rule.restrictions.map((restriction) => `${restriction.layer}: ${restriction.description}`) } : {}),
      })),
    });
    return {
      isolated: solver.isIsolated(podClass, direction),
      outsidePolicy: podClass.outsidePolicy,
      policies: isolating.map(describePolicy),
      // Policies that select the class without isolating it (Cilium's enableDefaultDeny: false): their deny rules still deny.
      // Those of ranked stages are listed with their stage above.
      selectingOnly: solver.policiesFor(podClass, direction).filter((policy) => !isolating.includes(policy) && !ranked.some((entry) => entry.policy === policy.label && entry.kind === policy.kind)).map(describePolicy),
      ...(ranked.length > 0 ? { rankedPolicies: ranked } : {}),
    };
  };
  // Ordinals that one class stands for differ only in labels no selector names: those are left out.
  const podsOf = (podClass: PodClass) => endpoint.pods.filter((pod) => solver.classOf(pod) === podClass);
  const plugin = networkPluginOf(analysis.graph, config.cluster.cni);
  // Policies of Cilium, Calico or Istio that apply to these pods are read but not evaluated yet: named, never silently left out.
  const pendingOf = (podClass: PodClass) => notEvaluatedPodCaveats(analysis.graph, plugin, podsOf(podClass), 'these pods');
  const shownLabels = (podClass: PodClass) => {
    // One pod: its own labels (a class's are its first pod's, and ordinals nothing singles out share one class).
    const pods = podsOf(podClass);
    if (pods.length === 1) return pods[0].labels;
    return Object.fromEntries(Object.entries(podClass.labels).filter(([key]) => !PER_POD_LABEL_KEYS.has(key)));
  };
  // Pods of namespaces the manifests do not show (made by kubectl, an operator, a platform team)
  // that a NetworkPolicy rule admits: the matrix above holds only the manifests' workloads.
  // Kubernetes' own NetworkPolicies, told apart from a plugin's kinds of the same name (Calico's).
  const kubernetesPolicies = new Set<object>(analysis.graph.policies);
  const outside = (direction: Direction): string[] => {
    const found = new Set<string>();
    for (const podClass of classes) {
      // Policies of other kinds decide too (an Admin tier before, Cilium's deny rules beside): they are named, not weighed.
      const others = solver.policiesFor(podClass, direction).filter((policy) => !kubernetesPolicies.has(policy.model)).map((policy) => `${policy.kind} ${policy.label}`);
      const unless = others.length > 0 ? `, unless ${listOf(others)} ${verbFor(others.length, 'decides', 'decide')} otherwise` : '';
      for (const rule of solver.rulesFor(podClass, direction)) {
        if (rule.action !== 'allow' || !kubernetesPolicies.has(rule.policy.model)) continue;
        const ports = portsOf(rule, podClass, direction);
        if (rule.matchesEveryPeer) {
          found.add(`pods of every namespace, those outside the manifests too: ${ports} (${describeRule(rule)})${unless}`);
          continue;
        }
        for (const peer of (rule.model as PolicyRule).peers ?? []) {
          if (!peer.namespaceSelector || !mayMatchUnknownNamespaces(peer.namespaceSelector, analysis.graph)) continue;
          const pods = peer.podSelector && peer.podSelector.requirements.length > 0 ? `pods ${peer.podSelector.text}` : 'pods';
          found.add(`${pods} of namespaces outside the manifests matching ${peer.namespaceSelector.text}: ${ports} (${describeRule(rule)})${unless}`);
        }
      }
    }
    return [...found].sort();
  };
  // Between the replicas of one workload (brokers of a StatefulSet, members of a cluster): the
  // matrix has no line for a workload to itself, and the pods asked about are among them.
  const replicasOf = parent ?? (workloadIds.length === 1 ? analysis.graph.workload(workloadIds[0]) : undefined);
  let amongReplicas = ConnectionSet.EMPTY;
  if (!podsAsPeers && replicasOf && (replicasOf.replicas > 1 || replicasOf.pods.length > 1)) {
    const replicaClasses = [...new Set(replicasOf.pods.map((pod) => solver.classOf(pod)))];
    for (const from of replicaClasses) for (const to of replicaClasses) amongReplicas = amongReplicas.union(solver.classToClass(from, to));
  }
  const replicaLabel = replicasOf ? `${replicasOf.id} (between its replicas)` : '';
  const report = {
    workload: endpoint.label,
    pods: classes.map((podClass) => ({
      ...(podsOf(podClass).some((pod) => pod.ordinal !== undefined) ? { names: podsOf(podClass).map((pod) => pod.name) } : {}),
      labels: formatLabels(shownLabels(podClass)),
      ports: podClass.ports.map((port) => `${port.name ? `${port.name} ` : ''}${port.containerPort}/${port.protocol}`),
      hostNetwork: podClass.hostNetwork,
      ingress: sideOf(podClass, 'ingress'),
      egress: sideOf(podClass, 'egress'),
      caveats: [
        ...generatedLabelCaveats(analysis.graph, podClass.namespace, podClass.labels, 'these pods'),
        ...pendingOf(podClass).map((pending) => pending.caveat),
      ],
      notEvaluated: [...new Set(pendingOf(podClass).map((pending) => pending.dialect))],
    })),
    allowedIn: [
      ...(amongReplicas.isEmpty() ? [] : [{ from: replicaLabel, connections: amongReplicas.toString() }]),
      ...incoming.map((edge) => ({ from: edge.source.id, connections: edge.connections.toString() })),
    ],
    allowedOut: [
      ...(amongReplicas.isEmpty() ? [] : [{ to: replicaLabel, connections: amongReplicas.toString() }]),
      ...outgoing.map((edge) => ({ to: edge.destination.id, connections: edge.connections.toString() })),
    ],
    // As far as the workload's own side goes: the other side's policies are outside the manifests too.
    allowedInFromOutside: outside('ingress'),
    allowedOutToOutside: outside('egress'),
  };
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines: string[] = [`${report.workload}`];
    for (const pod of report.pods) {
      const names = 'names' in pod && pod.names ? `${pod.names.length === 1 ? 'pod' : 'pods'} ${pod.names.join(', ')}` : 'pods';
      lines.push(`  ${names} with labels ${pod.labels || '(none)'}; ports ${pod.ports.join(', ') || '(none declared)'}${pod.hostNetwork ? '; hostNetwork' : ''}`);
      for (const caveat of pod.caveats) lines.push(`  note: ${caveat}`);
      for (const direction of ['ingress', 'egress'] as const) {
        const side = pod[direction];
        lines.push('');
        if (side.outsidePolicy && !side.isolated && !side.rankedPolicies) {
          lines.push(`  ${direction}: not subject to NetworkPolicy (hostNetwork pod; behaviour depends on the network plugin)`);
          continue;
        }
        for (const policy of side.rankedPolicies ?? []) {
          lines.push(`  ${direction}: ${policy.stage}: ${policy.kind} ${policy.policy} (${policy.location})${policy.rules.length === 0 ? `: no ${direction} rules` : ''}`);
          for (const rule of policy.rules) lines.push(`      ${rule.rule}: ${rule.passTo ? `passes ${rule.ports} ${direction === 'ingress' ? 'from' : 'to'} ${rule.peers} on to ${rule.passTo}` : `${rule.verb} ${rule.ports} ${direction === 'ingress' ? 'from' : 'to'} ${rule.peers}`}`);
        }
        if (!side.isolated && pod.notEvaluated.length > 0) {
          // Policies k8snet does not evaluate yet apply to these pods: say nothing about the outcome.
          lines.push(`  ${direction}: not isolated by Kubernetes policies; ${pod.notEvaluated.join(' and ')} policies apply to these pods and are not evaluated (see the note)`);
        } else if (!side.isolated) {
          lines.push(side.rankedPolicies
            ? `  ${direction}: no policy isolates these pods for ${direction}, so what the rules above do not decide is allowed`
            : side.selectingOnly.length > 0
              ? `  ${direction}: not isolated — ${side.selectingOnly.map((policy) => policy.policy).join(', ')} ${side.selectingOnly.length === 1 ? 'selects' : 'select'} these pods without isolating them `
                + `(enableDefaultDeny: false), so what no deny rule denies is allowed`
              : `  ${direction}: not isolated — no policy selects these pods for ${direction}, so all ${direction} is allowed`);
          for (const policy of side.selectingOnly) {
            for (const rule of policy.rules) lines.push(`      ${rule.rule}: ${rule.denies ? 'denies ' : ''}${rule.ports} ${direction === 'ingress' ? 'from' : 'to'} ${rule.peers}${restrictionText(rule)}`);
          }
        } else {
          lines.push(`  ${direction}: isolated by ${countOf(side.policies.length, 'policy')}`);
          for (const policy of side.policies) {
            lines.push(`    ${policy.policy} (${policy.location})${policy.rules.length === 0 ? `: no ${direction} rules — allows nothing` : ''}`);
            for (const rule of policy.rules) lines.push(`      ${rule.rule}: ${rule.denies ? 'denies ' : ''}${rule.ports} ${direction === 'ingress' ? 'from' : 'to'} ${rule.peers}${restrictionText(rule)}`);
          }
        }
      }
    }
    lines.push('', `  can be reached from (${report.allowedIn.length}):`);
    for (const edge of report.allowedIn) lines.push(`    ${edge.from} : ${edge.connections}`);
    for (const text of report.allowedInFromOutside) lines.push(`    + ${text}`);
    lines.push('', `  can reach (${report.allowedOut.length}):`);
    for (const edge of report.allowedOut) lines.push(`    ${edge.to} : ${edge.connections}`);
    for (const text of report.allowedOutToOutside) lines.push(`    + ${text}`);
    // Names, labels, selectors and file names come from the manifests: escaped (escapeText).
    process.stdout.write(`${lines.map(escapeText).join('\n')}\n`);
  }
  return hasInputErrors(inputFindings) ? EXIT_USAGE : EXIT_OK;
}

/** `, only at L7: HTTP GET /public`: what a rule decides above L4, for explain's text. */
function restrictionText(rule: { readonly restrictions?: readonly string[] }): string {
  return rule.restrictions && rule.restrictions.length > 0 ? `, only at ${rule.restrictions.join('; ')}` : '';
}
