import { EXIT_OK, EXIT_USAGE, hasInputErrors, type GlobalOptions } from '../context.js';
import { describeSkippedFiles, formatFindingLine, loadCommandConfig, loadCommandInput } from './shared.js';
import type { ResourceGraph } from '../../model/graph.js';

/** Options of `k8snet inspect`. */
export interface InspectOptions {
  readonly format: 'text' | 'json';
  readonly config?: string;
  readonly verbose?: boolean;
}

/** Runs `k8snet inspect`: what the resource graph holds, and every input problem. */
export async function runInspect(paths: string[], options: InspectOptions, global: GlobalOptions): Promise<number> {
  const { analysis, inputFindings } = loadCommandInput(paths, global, loadCommandConfig(options.config));
  const { graph, files, skipped } = analysis;
  const counts = {
    files: files.length,
    namespaces: graph.namespaces.length,
    workloads: graph.workloads.length,
    pods: graph.pods.length,
    services: graph.services.length,
    ingresses: graph.ingresses.length,
    gateways: graph.gatewayApi.gateways.length,
    gatewayRoutes: graph.gatewayApi.routes.length,
    networkPolicies: graph.policies.length,
    ciliumPolicies: graph.cilium.policies.length,
    ciliumCidrGroups: graph.cilium.cidrGroups.length,
    // Istio's security policies (AuthorizationPolicy, PeerAuthentication, RequestAuthentication) and traffic objects.
    istioPolicies: graph.istio.authorizationPolicies.length + graph.istio.peerAuthentications.length + graph.istio.requestAuthentications.length,
    istioRouting: graph.istio.gateways.length + graph.istio.virtualServices.length + graph.istio.destinationRules.length
      + graph.istio.serviceEntries.length + graph.istio.sidecars.length,
    nodes: graph.nodes.length,
    // Calico's objects, counted when the manifests hold some.
    ...(hasCalicoObjects(graph) ? {
      calicoPolicies: graph.calico.policies.length,
      calicoStagedPolicies: graph.calico.stagedPolicies.length,
      calicoTiers: graph.calico.tiers.filter((tier) => tier.source !== undefined).length,
      calicoNetworkSets: graph.calico.networkSets.length,
      calicoHostEndpoints: graph.calico.hostEndpoints.length,
      calicoProfiles: graph.calico.profiles.length,
      calicoWorkloadEndpoints: graph.calico.workloadEndpoints.length,
    } : {}),
    otherObjects: graph.otherObjects.length,
    notManifests: skipped.length,
  };
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify({
      counts,
      namespaces: graph.namespaces.map((namespace) => ({ name: namespace.name, declared: namespace.source !== undefined, labels: namespace.labels })),
      workloads: graph.workloads.map((workload) => ({ id: workload.id, replicas: workload.replicas, pods: workload.pods.length })),
      inputFindings: inputFindings.map((finding) => ({ ruleId: finding.ruleId, severity: finding.severity, message: finding.message, ...finding.location })),
      notManifests: skipped.map((file) => ({ file: file.path, reason: file.reason })),
    }, null, 2)}\n`);
  } else {
    const width = Math.max(16, ...Object.keys(counts).map((name) => name.length));
    const lines = Object.entries(counts).map(([name, count]) => `${name.padEnd(width)} ${count}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(describeSkippedFiles(skipped, options.verbose === true));
    if (inputFindings.length > 0) {
      process.stdout.write(`\ninput problems (${inputFindings.length}):\n`);
      for (const finding of inputFindings) process.stdout.write(`  ${formatFindingLine(finding)}\n`);
    }
  }
  return hasInputErrors(inputFindings) ? EXIT_USAGE : EXIT_OK;
}

/** True when the graph holds any Calico object of the manifests (built-in tiers do not count). */
function hasCalicoObjects(graph: ResourceGraph): boolean {
  const calico = graph.calico;
  return calico.policies.length + calico.stagedPolicies.length + calico.networkSets.length + calico.hostEndpoints.length
    + calico.profiles.length + calico.workloadEndpoints.length > 0 || calico.tiers.some((tier) => tier.source !== undefined);
}
