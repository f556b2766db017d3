import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { formatAddress, parseCidr, type Cidr } from '../src/model/cidr.js';
import type { ManifestObject } from '../src/load/manifest-object.js';
import type { FieldPath } from '../src/load/path.js';
import { valueAt } from '../src/load/path.js';
import { policyPeers } from '../src/model/policy-peers.js';

/** The legacy annotation that `spec.loadBalancerSourceRanges` replaced; still read when the field is empty. */
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** `::ffff:0:0/96`, the IPv4-mapped IPv6 block (RFC 4291 section 2.5.5.2). */
const MAPPED_PREFIX = 0xffffn;

/**
 * Flags CIDRs the API server accepts but that do not mean what they say (host bits set, IPv4
 * written as IPv4-mapped IPv6), and malformed Service source ranges; malformed ipBlock CIDRs are
 * reported under the same id while loading.
 */
export default defineRule({
  id: 'invalid-cidr',
  category: 'addressing',
  severity: 'error',
  description: 'A CIDR is malformed (ipBlocks: reported while loading; Service loadBalancerSourceRanges: by this rule), '
    + 'or is accepted but does not mean what it says: host bits set, or an IPv4 range written as IPv4-mapped IPv6.',
  rationale: 'The API server rejects a policy or Service with a malformed CIDR, so none of its rules or source ranges apply. '
    + 'It accepts `10.0.0.1/8` but the address bits beyond the prefix are dropped: the range is 10.0.0.0/8, so a rule meant '
    + 'for one host opens a whole network. An IPv4 range written as IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`) matches IPv4 '
    + 'traffic on some network plugins and on none of the others.',
  fix: 'Write each CIDR as address/prefix in canonical form: no address bits beyond the prefix (`10.0.0.1/32` for one host, '
    + '`10.0.0.0/8` for the network), IPv4 ranges in dotted-quad form, and the prefix within 0-32 (IPv4) or 0-128 (IPv6).',
  messages: {
    hostBits: '{{field}} {{cidr}} has address bits set beyond its /{{prefixLength}} prefix: Kubernetes reads it as {{network}}, not as the address {{address}}.',
    ipv4Mapped: '{{field}} {{cidr}} writes an IPv4 range as IPv4-mapped IPv6: whether it matches IPv4 traffic depends on the network plugin (k8snet treats it as IPv6); write {{ipv4}}.',
    malformed: '{{field}} {{error}}; the API server rejects Service {{service}}, so it is never created.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    for (const policy of graph.policies) {
      // Policies with a malformed CIDR never reach the graph: the loader reported them.
      for (const { peer } of policyPeers(policy)) {
        if (!peer.ipBlock) continue;
        const ipBlockPath: FieldPath = [...peer.path, 'ipBlock'];
        const raw = valueAt(policy.source.value, ipBlockPath) as { cidr?: unknown; except?: unknown } | undefined;
        reports.push(...checkAccepted(String(raw?.cidr), 'ipBlock cidr', policy.source, [...ipBlockPath, 'cidr'], true));
        // Host bits of except entries are except-outside-cidr's; the IPv4-mapped form is this rule's.
        (Array.isArray(raw?.except) ? raw.except : []).forEach((text: unknown, index: number) => {
          reports.push(...checkAccepted(String(text), 'ipBlock except', policy.source, [...ipBlockPath, 'except', index], false));
        });
      }
    }
    for (const service of graph.services) {
      const serviceName = `${service.namespace}/${service.name}`;
      const annotations = (service.source.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
      const annotation = annotations?.[SOURCE_RANGES_ANNOTATION];
      // The API server reads the annotation only when the field is empty (GetLoadBalancerSourceRanges).
      const entries: { text: string; field: string; path: FieldPath }[] = service.loadBalancerSourceRanges.length > 0
        ? service.loadBalancerSourceRanges.map((text, index) => ({
          text: String(text).trim(), field: 'loadBalancerSourceRanges entry', path: ['spec', 'loadBalancerSourceRanges', index],
        }))
        : typeof annotation === 'string' && annotation.trim() !== ''
          ? annotation.split(',').map((text) => ({
            text: text.trim(), field: `${SOURCE_RANGES_ANNOTATION} entry`, path: ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION],
          }))
          : [];
      for (const entry of entries) {
        const parsed = parseCidr(entry.text);
        if ('error' in parsed) {
          reports.push({
            messageId: 'malformed',
            data: { field: entry.field, error: parsed.error, service: serviceName },
            object: service.source,
            path: entry.path,
          });
          continue;
        }
        reports.push(...checkAccepted(entry.text, entry.field, service.source, entry.path, true));
      }
    }
    return reports;
  },
});

/** Reports a CIDR that parses but is not what it appears to be: one finding per value at most. */
function checkAccepted(text: string, field: string, object: ManifestObject, path: FieldPath, checkHostBits: boolean): RuleReport[] {
  const cidr = parseCidr(text);
  if ('error' in cidr) return [];
  const ipv4 = mappedIpv4(cidr);
  if (ipv4 !== undefined) {
    return [{ messageId: 'ipv4Mapped', data: { field, cidr: text.trim(), ipv4 }, object, path }];
  }
  if (checkHostBits && cidr.hostBitsSet) {
    const address = text.trim().slice(0, text.trim().indexOf('/'));
    const single = cidr.family === 4 ? 32 : 128;
    return [{
      messageId: 'hostBits',
      data: { field, cidr: text.trim(), prefixLength: cidr.prefixLength, network: cidr.text, address },
      object,
      path,
      hint: `write ${address}/${single} for that one address, or ${cidr.text} for the network`,
    }];
  }
  return [];
}

/** Returns the IPv4 form (`10.0.0.0/8`) of a CIDR inside `::ffff:0:0/96`, or undefined. */
function mappedIpv4(cidr: Cidr): string | undefined {
  if (cidr.family !== 6 || cidr.prefixLength < 96 || cidr.range.first >> 32n !== MAPPED_PREFIX) return undefined;
  return `${formatAddress(cidr.range.first & 0xffffffffn, 4)}/${cidr.prefixLength - 96}`;
}

