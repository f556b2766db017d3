import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { cidrContainsAddress, formatIpAddress, parseIpAddress, reservedServiceAddresses } from '../src/ipam/address-math.js';
import { requestedClusterIPs, sourcePlace } from '../src/ipam/describe.js';

/** Flags ClusterIPs the API server would refuse: outside every Service range of their family, or one of its reserved addresses. */
export default defineRule({
  id: 'cluster-ip-outside-service-cidr',
  category: 'addressing',
  severity: 'error',
  description: 'A Service asks for a ClusterIP outside the cluster\'s Service ranges, one of a range\'s reserved addresses, or one that is not an IP address.',
  rationale: 'The API server allocates ClusterIPs only from its Service ranges and never the network or (IPv4) broadcast address of a range: '
    + 'a Service that asks for another address is rejected ("provided IP is not in the valid range"), so it is never created and '
    + 'whatever depends on its well-known address (cluster DNS at .10, for example) does not work.',
  fix: 'Pick a ClusterIP inside the Service range, away from its first and last address, or leave clusterIP out to have one allocated.',
  messages: {
    outside: 'Service {{service}} asks for ClusterIP {{address}}, outside the Service range {{ranges}} ({{source}}), so the API server rejects it.',
    reserved: 'Service {{service}} asks for ClusterIP {{address}}, the {{which}} address of the Service range {{range}}, which the allocator never hands out, so the API server rejects it.',
    noFamilyRange: 'Service {{service}} asks for IPv{{family}} ClusterIP {{address}}, but the cluster has no IPv{{family}} Service range ({{ranges}}), so the API server rejects it.',
    notAnAddress: 'Service {{service}} asks for ClusterIP \'{{address}}\', which is not an IP address, so the API server rejects it.',
  },
  check(graph, { addressPlan }) {
    const reports: RuleReport[] = [];
    const rangeFact = addressPlan.plan.serviceRanges;
    const ranges = rangeFact?.value ?? [];
    // The places that state the Service ranges, shown beside every finding: computed once.
    const related = ranges.flatMap((range) => {
      const place = sourcePlace(range.source);
      return place.object ? [{ object: place.object, path: place.path, message: `Service range ${range.cidr.text}` }] : [];
    });
    const withRelated = related.length > 0 ? { related } : {};
    const rangesText = ranges.map((range) => range.cidr.text).join(', ');
    for (const service of graph.services) {
      if (service.type === 'ExternalName') continue;
      const name = `${service.namespace}/${service.name}`;
      for (const requested of requestedClusterIPs(service)) {
        const address = parseIpAddress(requested.text);
        const at = { object: service.source, path: requested.path };
        if (!address) {
          reports.push({ messageId: 'notAnAddress', data: { service: name, address: requested.text }, ...at });
          continue;
        }
        if (!rangeFact) continue;
        const sameFamily = ranges.filter((range) => range.cidr.family === address.family);
        const data = { service: name, address: address.text, ranges: rangesText, source: rangeFact.source.description, family: address.family };
        if (sameFamily.length === 0) {
          reports.push({ messageId: 'noFamilyRange', data, ...at, ...withRelated });
          continue;
        }
        const container = sameFamily.find((range) => cidrContainsAddress(range.cidr, address));
        if (!container) {
          reports.push({ messageId: 'outside', data: { ...data, ranges: sameFamily.map((range) => range.cidr.text).join(', ') }, ...at, ...withRelated });
          continue;
        }
        const reserved = reservedServiceAddresses(container.cidr);
        const index = reserved.indexOf(address.value);
        if (index === -1) continue;
        reports.push({
          messageId: 'reserved',
          data: { service: name, address: formatIpAddress(address), which: index === 0 ? 'first (network)' : 'last (broadcast)', range: container.cidr.text },
          ...at,
          ...withRelated,
        });
      }
    }
    return reports;
  },
});
