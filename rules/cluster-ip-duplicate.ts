import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseIpAddress, rangeEnds } from '../src/ipam/address-math.js';
import { requestedClusterIPs } from '../src/ipam/describe.js';
import type { Service } from '../src/model/types.js';
import type { FieldPath } from '../src/load/path.js';

/** Flags two Services that ask for the same ClusterIP. */
export default defineRule({
  id: 'cluster-ip-duplicate',
  category: 'addressing',
  severity: 'error',
  description: 'Two Services ask for the same ClusterIP, or one asks for the address the API server gives default/kubernetes.',
  rationale: 'Every ClusterIP in a cluster is unique: the API server rejects the second Service ("provided IP is already allocated"), '
    + 'so whichever is applied second is never created, and which one that is depends on the order of the deploy.',
  fix: 'Give each Service its own ClusterIP, or leave clusterIP out of all but the one that needs a well-known address.',
  messages: {
    duplicate: 'Service {{service}} asks for ClusterIP {{address}}, which Service {{other}} also asks for: the API server rejects whichever comes second.',
    kubernetesService: 'Service {{service}} asks for ClusterIP {{address}}, the first address of the Service range {{range}}, which the API server gives the default/kubernetes Service: it rejects this Service.',
  },
  check(graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    const first = new Map<string, { service: Service; path: FieldPath }>();
    // Every cluster has default/kubernetes at the first usable address of its primary Service
    // range; when the manifests do not define it, that address is taken all the same.
    const primary = addressPlan.plan.serviceRanges?.value[0];
    const kubernetesAddress = primary && !graph.service('default', 'kubernetes') ? rangeEnds(primary.cidr).first + 1n : undefined;
    for (const service of graph.services) {
      if (service.type === 'ExternalName') continue;
      for (const requested of requestedClusterIPs(service)) {
        const address = parseIpAddress(requested.text);
        // `10.96.0.10` and `10.096.0.10`, `fd00::a` and `fd00:0::a` are one address.
        if (!address) continue;
        if (primary && address.family === primary.cidr.family && address.value === kubernetesAddress) {
          reports.push({
            messageId: 'kubernetesService',
            data: { service: `${service.namespace}/${service.name}`, address: address.text, range: primary.cidr.text },
            object: service.source,
            path: requested.path,
          });
          continue;
        }
        const key = `${address.family}/${address.value}`;
        const earlier = first.get(key);
        if (!earlier) {
          first.set(key, { service, path: requested.path });
          continue;
        }
        if (earlier.service === service) continue;
        reports.push({
          messageId: 'duplicate',
          data: { service: `${service.namespace}/${service.name}`, address: address.text, other: `${earlier.service.namespace}/${earlier.service.name}` },
          object: service.source,
          path: requested.path,
          related: [{ object: earlier.service.source, path: earlier.path, message: `Service ${earlier.service.namespace}/${earlier.service.name} asks for ${address.text} first` }],
        });
      }
    }
    return reports;
  },
});
