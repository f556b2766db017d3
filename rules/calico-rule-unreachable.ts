import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { CalicoEntityRule, CalicoRule } from '../src/model/calico.js';
import { calicoPolicyLabel } from '../src/model/calico.js';
import type { ManifestObject } from '../src/load/manifest-object.js';

/** True when an entity rule sets no condition: no addresses, selectors, service accounts, services or ports. */
function isUnconstrained(entity: CalicoEntityRule): boolean {
  return entity.nets.length === 0 && entity.notNets.length === 0 && !entity.selector && !entity.notSelector && !entity.namespaceSelector
    && !entity.serviceAccounts && !entity.services && entity.ports.length === 0 && entity.notPorts.length === 0;
}

/**
 * True when a rule matches every packet: no protocol, notProtocol, ICMP, ipVersion or http
 * condition, and nothing in its source or destination. Its action must decide (Allow, Deny or
 * Pass): a Log rule lets evaluation go on, so it shadows nothing.
 */
function alwaysDecides(rule: CalicoRule): boolean {
  return rule.action !== 'Log' && !rule.protocol && !rule.notProtocol && !rule.icmp && !rule.notICMP && rule.ipVersion === undefined
    && !rule.http && isUnconstrained(rule.source) && isUnconstrained(rule.destination);
}

function label(rule: CalicoRule): string {
  return `${rule.direction}[${rule.index}]`;
}

/**
 * Flags rules of a Calico policy or profile that come after a rule matching every packet in the
 * same direction: rules are evaluated in order and the first match decides, so they never apply.
 */
export default defineRule({
  id: 'calico-rule-unreachable',
  category: 'hygiene',
  severity: 'warning',
  description: 'A rule of a Calico policy or profile comes after a rule that matches every packet in the same direction, so it can never apply.',
  rationale: 'Calico evaluates rules in order and the first Allow, Deny or Pass that matches decides. A rule without protocol, ICMP, '
    + 'ipVersion, http, source or destination conditions matches every packet, so whatever follows it is dead: an exception written '
    + 'after a catch-all (`- action: Deny` then `- action: Allow` for monitoring) never takes effect, and the traffic it meant to let '
    + 'through is dropped (or the other way round). Log rules let evaluation continue and are not catch-alls.',
  fix: 'Move the catch-all rule to the end of the list, or delete the rules after it.',
  messages: {
    unreachable: 'Rule {{rule}} of {{owner}} can never apply: {{catchAll}} before it matches every packet ({{action}}){{others}}.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const owners: { readonly owner: string; readonly object: ManifestObject; readonly ingress: readonly CalicoRule[]; readonly egress: readonly CalicoRule[] }[] = [
      ...[...graph.calico.policies, ...graph.calico.stagedPolicies].flatMap((policy) => ('ingress' in policy
        ? [{ owner: `${policy.kind} ${calicoPolicyLabel(policy)}`, object: policy.source, ingress: policy.ingress, egress: policy.egress }]
        : [])),
      ...graph.calico.profiles.map((profile) => ({ owner: `Profile ${profile.name}`, object: profile.source, ingress: profile.ingress, egress: profile.egress })),
    ];
    for (const { owner, object, ingress, egress } of owners) {
      for (const rules of [ingress, egress]) {
        const catchAll = rules.findIndex(alwaysDecides);
        if (catchAll === -1 || catchAll === rules.length - 1) continue;
        const dead = rules[catchAll + 1];
        const more = rules.length - catchAll - 2;
        reports.push({
          messageId: 'unreachable',
          data: {
            rule: label(dead),
            owner,
            catchAll: label(rules[catchAll]),
            action: rules[catchAll].action,
            others: more > 0 ? `, and so can the ${more} rule${more === 1 ? '' : 's'} after it` : '',
          },
          object,
          path: dead.path,
          related: [{ object, path: rules[catchAll].path, message: `${label(rules[catchAll])}: ${rules[catchAll].action} with no condition` }],
        });
      }
    }
    return reports;
  },
});
