import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { FieldPath } from '../src/load/path.js';
import { fqdnText, type CiliumPeerRule, type CiliumPolicy } from '../src/model/cilium.js';
import { enforcesDialect, networkPluginOf } from '../src/model/network-plugin.js';

/** One part of a policy that decides above L4, in the user's words, with where it is written. */
interface AboveL4Part {
  readonly text: string;
  readonly path: FieldPath;
}

/**
 * Says, once per Cilium policy, which of its parts decide above L4 (HTTP, Kafka, DNS and other L7
 * rules, toFQDNs, TLS server names and termination, custom listeners, mutual authentication):
 * k8snet answers at L4 and names these restrictions, it never decides them.
 */
export default defineRule({
  id: 'cilium-l7-not-modelled',
  category: 'network-plugin',
  severity: 'info',
  description: 'A Cilium policy restricts traffic above L4 (L7 rules, DNS names, TLS server names, mutual authentication), which k8snet names but does not decide.',
  rationale: 'Cilium sends such traffic through its proxies: an HTTP rule allows only some requests on a port that is open at L4, a toFQDNs '
    + 'rule allows only the addresses DNS answers gave the pod, a server name only some TLS handshakes, and mutual authentication drops '
    + 'connections until both sides prove their identity. An answer about the port alone would be too generous; k8snet says the L4 answer '
    + 'and the restriction that narrows it.',
  fix: 'Nothing to change in the manifests. Read the restriction named in can-reach and explain answers, and test these requests against the '
    + 'running cluster (cilium-cli connectivity test, Hubble) where they matter.',
  messages: {
    aboveL4: '{{kind}} {{policy}} restricts traffic above L4 ({{parts}}): k8snet answers at L4 and names these restrictions, it does not decide them.',
  },
  check(graph, { cluster }) {
    const plugin = networkPluginOf(graph, cluster.cni);
    if (!enforcesDialect(plugin, 'cilium')) return [];
    const reports: RuleReport[] = [];
    for (const policy of graph.cilium.policies) {
      const parts = aboveL4Parts(policy);
      if (parts.length === 0) continue;
      const shown = parts.slice(0, 4).map((part) => part.text);
      const more = parts.length > 4 ? `, and ${parts.length - 4} more` : '';
      reports.push({
        messageId: 'aboveL4',
        data: { kind: policy.kind, policy: policy.label, parts: `${shown.join('; ')}${more}` },
        object: policy.source,
        path: parts[0].path,
      });
    }
    return reports;
  },
});

/** The parts of a policy that decide above L4, in rule order. */
function aboveL4Parts(policy: CiliumPolicy): AboveL4Part[] {
  const parts: AboveL4Part[] = [];
  for (const rule of policy.rules) {
    for (const peerRule of [...rule.ingress, ...rule.egress]) parts.push(...partsOf(peerRule));
  }
  return parts;
}

function partsOf(rule: CiliumPeerRule): AboveL4Part[] {
  const parts: AboveL4Part[] = [];
  const where = `${rule.direction}`;
  for (const fqdn of rule.peers.fqdns ?? []) {
    parts.push({ text: `egress only to the addresses DNS gives for ${fqdnText(fqdn)}`, path: fqdn.path });
  }
  for (const portRule of rule.toPorts) {
    const ports = portRule.ports.length === 0 ? 'every port'
      : portRule.ports.map((port) => `${port.protocol}/${port.port}${port.endPort !== undefined ? `-${port.endPort}` : ''}`).join(', ');
    if (portRule.rules) {
      const name = portRule.rules.protocol === 'l7proto' ? `${portRule.rules.name} (l7proto)` : portRule.rules.protocol === 'dns' ? 'DNS' : portRule.rules.protocol.toUpperCase();
      const rules = portRule.rules.summaries.length > 0 ? `: ${portRule.rules.summaries.slice(0, 3).join(', ')}${portRule.rules.summaries.length > 3 ? ', ...' : ''}` : '';
      parts.push({ text: `${where} ${name} rules on ${ports}${rules}`, path: portRule.rules.path });
    }
    if (portRule.serverNames.length > 0) {
      parts.push({ text: `${where} TLS server names ${portRule.serverNames.join(', ')} on ${ports}`, path: [...portRule.path, 'serverNames'] });
    }
    if (portRule.terminatingTLS || portRule.originatingTLS) {
      parts.push({ text: `${where} TLS ${portRule.terminatingTLS ? 'terminated' : 'originated'} by the proxy on ${ports}`, path: [...portRule.path, portRule.terminatingTLS ? 'terminatingTLS' : 'originatingTLS'] });
    }
    if (portRule.listener) {
      parts.push({ text: `${where} traffic on ${ports} redirected to Envoy listener ${portRule.listener.name}`, path: [...portRule.path, 'listener'] });
    }
  }
  if (rule.authentication && rule.authentication.mode !== 'disabled') {
    parts.push({ text: `${where} mutual authentication ${rule.authentication.mode}`, path: rule.authentication.path });
  }
  return parts;
}
