import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import { ReachabilitySolver } from '../src/reach/solver.js';
import type { Pod, Workload } from '../src/model/types.js';

const DNS = ConnectionSet.ofPorts('UDP', 53).union(ConnectionSet.ofPorts('TCP', 53));

/** Flags egress-isolated workloads whose policies do not let them reach cluster DNS. */
export default defineRule({
  id: 'egress-blocks-dns',
  category: 'dns',
  severity: 'error',
  description: 'A workload isolated for egress cannot reach the cluster DNS pods on UDP and TCP 53.',
  rationale: 'Without DNS a pod cannot resolve Service names: every connection by name fails, although the policies seem to allow it. '
    + 'DNS falls back to TCP for large answers, so UDP alone is not enough.',
  fix: 'Allow egress to the DNS pods (namespaceSelector kubernetes.io/metadata.name: kube-system + podSelector k8s-app: kube-dns) on UDP 53 and TCP 53.',
  messages: {
    blocked: '{{workload}} is isolated for egress and cannot reach cluster DNS ({{dns}}) on {{missing}}; name lookups will fail.',
  },
  check(graph, { solver, cluster }) {
    const reports: RuleReport[] = [];
    const dnsLabels = cluster.dns.podLabels;
    const dnsDescription = `${cluster.dns.namespace} pods ${Object.entries(dnsLabels).map(([key, value]) => `${key}=${value}`).join(',')}`;
    let dnsPods = graph.podsWithLabels(dnsLabels, cluster.dns.namespace);
    let dnsSolver = solver;
    if (dnsPods.length === 0) {
      // DNS is rarely in the manifests being linted: ask about a DNS pod as the cluster runs it.
      const workload = hypotheticalDns(cluster.dns.namespace, dnsLabels);
      dnsSolver = new ReachabilitySolver(graph.withExtraWorkloads([workload]), { hostNetworkPods: solver.hostNetworkMode });
      dnsPods = [...workload.pods];
    }
    for (const workload of graph.workloads) {
      if (workload.namespace === cluster.dns.namespace && workload.pods.some((pod) => dnsPods.includes(pod))) continue;
      for (const pod of workload.pods) {
        const source = dnsSolver.classOf(pod);
        // Nothing can restrict its egress (no policy, or only allow rules): DNS is reachable.
        if (dnsSolver.isUnrestricted(source, 'egress')) continue;
        let reachable = ConnectionSet.EMPTY;
        for (const dnsPod of dnsPods) {
          const destination = dnsSolver.classOf(dnsPod);
          reachable = reachable.union(dnsSolver.egressTowardsClass(source, destination).intersect(DNS));
        }
        const missing = DNS.subtract(reachable);
        if (missing.isEmpty()) continue;
        reports.push({
          messageId: 'blocked',
          data: { workload: workload.id, dns: dnsDescription, missing: missing.describe().replace('; ', ' and ') },
          object: pod.source,
          path: [...pod.templatePath, 'metadata', 'labels'],
          related: dnsSolver.isolatingPolicies(source, 'egress').map((policy) => ({ object: policy.object, path: ['metadata', 'name'], message: 'isolated for egress by' })),
        });
        break;
      }
    }
    return reports;
  },
});

function hypotheticalDns(namespace: string, labels: Readonly<Record<string, string>>): Workload {
  const id = `${namespace}/cluster-dns[Deployment]`;
  const pod: Pod = {
    key: `${id}#0`,
    namespace,
    name: 'cluster-dns',
    labels,
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
    hostNetwork: false,
    workloadId: id,
    // A hypothetical pod has no source; rules never report on it.
    source: undefined as never,
    templatePath: [],
  };
  return { id, kind: 'Deployment', namespace, name: 'cluster-dns', replicas: 1, pods: [pod], source: undefined as never };
}
