import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import { DNS_PORTS, RESOLVER_SOURCE_PORTS, dnsPortsMissing, findClusterDns } from '../src/reach/cluster-dns.js';

const TCP_DNS = ConnectionSet.ofPorts('TCP', 53);

/** Flags egress-isolated workloads whose policies do not let them reach cluster DNS. */
export default defineRule({
  id: 'egress-blocks-dns',
  category: 'dns',
  severity: 'error',
  description: 'A workload isolated for egress cannot reach the cluster DNS pods on UDP 53 (an error), or from only some of the source ports resolvers send from (an error), or reaches them on UDP 53 but not TCP 53 (a warning).',
  rationale: 'Without DNS a pod cannot resolve Service names: every connection by name fails, although the policies seem to allow it. '
    + 'Resolvers ask over UDP first and retry over TCP when an answer does not fit in a UDP packet (many records, DNSSEC signatures) '
    + 'and for zone transfers, so UDP alone keeps ordinary lookups working but makes those fail, often only under load or for some names.',
  fix: 'Allow egress to the DNS pods (namespaceSelector kubernetes.io/metadata.name: kube-system + podSelector k8s-app: kube-dns) on UDP 53 and TCP 53.',
  messages: {
    blocked: '{{workload}} is isolated for egress and cannot reach cluster DNS ({{dns}}) on {{missing}}; name lookups will fail.',
    tcpBlocked: '{{workload}} reaches cluster DNS ({{dns}}) on UDP 53 but not on TCP 53: lookups whose answers do not fit in UDP (many records, DNSSEC) and zone transfers will fail.',
    someSourcePorts: '{{workload}} reaches cluster DNS ({{dns}}) on {{ports}} from some of the source ports a resolver sends from ({{resolverPorts}}, Linux\'s default ephemeral range) only: lookups sent from the others will fail, at random.',
  },
  messageSeverities: { tcpBlocked: 'warning' },
  check(graph, { solver, cluster }) {
    const reports: RuleReport[] = [];
    const dns = findClusterDns(solver, cluster.dns);
    const dnsSolver = dns.solver;
    for (const workload of graph.workloads) {
      if (workload.namespace === cluster.dns.namespace && workload.pods.some((pod) => dns.pods.includes(pod))) continue;
      for (const pod of workload.pods) {
        const source = dnsSolver.classOf(pod);
        // Nothing can restrict its egress (no policy, or only allow rules): DNS is reachable.
        if (dnsSolver.isUnrestricted(source, 'egress')) continue;
        let reachable = ConnectionSet.EMPTY;
        for (const dnsPod of dns.pods) {
          const destination = dnsSolver.classOf(dnsPod);
          reachable = reachable.union(dnsSolver.egressTowardsClass(source, destination).intersect(DNS_PORTS));
        }
        // Counted from the ephemeral source ports resolvers send from (Calico rules may name source ports).
        const { missing, partly } = dnsPortsMissing(reachable);
        if (missing.isEmpty() && partly.isEmpty()) continue;
        const resolverPorts = `${RESOLVER_SOURCE_PORTS[0]}-${RESOLVER_SOURCE_PORTS[1]}`;
        reports.push({
          ...(missing.isEmpty()
            ? { messageId: 'someSourcePorts', data: { workload: workload.id, dns: dns.description, ports: partly.describe().replace('; ', ' and '), resolverPorts } }
            : missing.equals(TCP_DNS)
              ? { messageId: 'tcpBlocked', data: { workload: workload.id, dns: dns.description } }
              : { messageId: 'blocked', data: { workload: workload.id, dns: dns.description, missing: missing.describe().replace('; ', ' and ') } }),
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
