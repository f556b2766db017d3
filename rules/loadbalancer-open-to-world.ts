import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { parseCidr } from '../src/model/cidr.js';
import type { Service } from '../src/model/types.js';

/** The annotation cloud providers read when `spec.loadBalancerSourceRanges` is empty. */
export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/**
 * Annotations that make a cloud provider create an internal load balancer, with the values that
 * do (compared case-insensitively); such an address is not on the internet.
 */
const INTERNAL_ANNOTATIONS: Readonly<Record<string, readonly string[]>> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': ['true', '0.0.0.0/0'],
  'service.beta.kubernetes.io/aws-load-balancer-scheme': ['internal'],
  'service.beta.kubernetes.io/azure-load-balancer-internal': ['true'],
  'networking.gke.io/load-balancer-type': ['internal'],
  'cloud.google.com/load-balancer-type': ['internal'],
  'service.beta.kubernetes.io/openstack-internal-load-balancer': ['true'],
  'service.beta.kubernetes.io/oci-load-balancer-internal': ['true'],
  'service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type': ['private'],
  'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': ['intranet'],
};

/** Flags LoadBalancer Services that any address on the internet can reach. */
export default defineRule({
  id: 'loadbalancer-open-to-world',
  category: 'exposure',
  severity: 'warning',
  description: 'A Service of type LoadBalancer has no loadBalancerSourceRanges, or ranges that include 0.0.0.0/0 or ::/0.',
  rationale: 'Without source ranges the cloud load balancer accepts connections from every address on the internet. NetworkPolicy is a poor '
    + 'second line here: with externalTrafficPolicy: Cluster the client address is replaced by a node\'s, so ipBlock rules cannot tell '
    + 'clients apart.',
  fix: 'List the client CIDRs in spec.loadBalancerSourceRanges, make the load balancer internal with your provider\'s annotation, or '
    + 'put the Service behind an Ingress; if it is meant to be public, say so with the annotation k8snet.io/ignore: loadbalancer-open-to-world.',
  messages: {
    noSourceRanges: 'LoadBalancer Service {{service}} sets no loadBalancerSourceRanges, so any address on the internet can reach {{ports}}.',
    worldSourceRange: 'LoadBalancer Service {{service}} allows {{range}} in {{field}}, so any address on the internet can reach {{ports}}.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const service of graph.services) {
      if (service.type !== 'LoadBalancer' || isInternal(service)) continue;
      const data = { service: `${service.namespace}/${service.name}`, ports: formatPorts(service) };
      const annotation = annotationsOf(service)[SOURCE_RANGES_ANNOTATION];
      // The field wins over the annotation, which is read only when the field is empty (GetLoadBalancerSourceRanges).
      const [ranges, field, basePath] = service.loadBalancerSourceRanges.length > 0
        ? [service.loadBalancerSourceRanges.map(String), 'spec.loadBalancerSourceRanges', ['spec', 'loadBalancerSourceRanges']]
        : typeof annotation === 'string' && annotation.trim() !== ''
          ? [annotation.split(','), `its annotation ${SOURCE_RANGES_ANNOTATION}`, ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION]]
          : [[], '', []];
      if (ranges.length === 0) {
        reports.push({ messageId: 'noSourceRanges', data, object: service.source, path: ['spec', 'type'] });
        continue;
      }
      ranges.forEach((text, index) => {
        const cidr = parseCidr(text.trim());
        if ('error' in cidr || cidr.prefixLength !== 0) return;
        const path = basePath[0] === 'spec' ? [...basePath, index] : basePath;
        reports.push({ messageId: 'worldSourceRange', data: { ...data, field, range: cidr.text }, object: service.source, path });
      });
    }
    return reports;
  },
});

function annotationsOf(service: Service): Readonly<Record<string, unknown>> {
  return (service.source.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {};
}

/** Returns true when the provider annotations ask for an internal load balancer. */
function isInternal(service: Service): boolean {
  const annotations = annotationsOf(service);
  const spec = service.source.value.spec as { loadBalancerClass?: unknown } | undefined;
  const value = (key: string) => String(annotations[key] ?? '').toLowerCase();
  if (Object.entries(INTERNAL_ANNOTATIONS).some(([key, values]) => values.includes(value(key)))) return true;
  // The AWS Load Balancer Controller creates internal NLBs unless the scheme says internet-facing.
  const awsController = spec?.loadBalancerClass === 'service.k8s.aws/nlb'
    || ['external', 'nlb-ip'].includes(value('service.beta.kubernetes.io/aws-load-balancer-type'));
  return awsController && value('service.beta.kubernetes.io/aws-load-balancer-scheme') !== 'internet-facing';
}

/** The Service's ports as `TCP/443, TCP/80`, or `all its ports` when it lists none. */
function formatPorts(service: Service): string {
  return service.ports.length === 0 ? 'all its ports' : service.ports.map((port) => `${port.protocol}/${port.port}`).join(', ');
}
