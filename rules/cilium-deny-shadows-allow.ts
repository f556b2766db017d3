import { defineRule, type RuleReport } from '../src/lint/rule.js';
import type { AddressRange, IpFamily } from '../src/model/cidr.js';
import { ConnectionSet } from '../src/reach/connection-set.js';
import { partitionSpace, rangesContain, wholeSpace } from '../src/reach/ip-ranges.js';
import type { CompiledRule, Peer, PodClass, ReachabilitySolver } from '../src/reach/solver.js';

/** Kinds whose allow rules this rule judges: Cilium's, where a deny wins over any allow. */
const CILIUM_KINDS: ReadonlySet<string> = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** What shadows one allow rule: the deny rules that take every connection it allows. */
interface Shadow {
  readonly denies: readonly CompiledRule[];
}

/**
 * Flags a Cilium allow rule every connection of which a deny rule denies, for every endpoint the
 * rule applies to and every peer it names ("deny policies take precedence over allow policies"):
 * the allow is dead. Computed with the evaluator's own matching, per endpoint class and per peer
 * (classes, address pieces, entities), never by comparing the YAML.
 */
export default defineRule({
  id: 'cilium-deny-shadows-allow',
  category: 'hygiene',
  severity: 'warning',
  description: 'Every connection a Cilium allow rule (or, under Cilium, a NetworkPolicy rule) allows is denied by a deny rule (ingressDeny, egressDeny) of a policy selecting the same endpoints, so the allow never takes effect.',
  rationale: 'Cilium evaluates deny rules before allow rules, whatever policy holds them: "deny policies take precedence over allow '
    + 'policies, regardless of whether they are a CNP, a CCNP or even a Kubernetes NetworkPolicy". An allow rule whose every peer and '
    + 'port a deny rule also names allows nothing. Usually the deny was written too wide (a cluster-wide deny of an entity or a port '
    + 'range) and drops traffic the allow was written for, or the allow is left over from before the deny.',
  fix: 'Narrow the deny rule (its peers, ports or the endpoints its policy selects) so that it leaves what the allow rule is for, or '
    + 'delete the allow rule if that traffic is meant to be denied.',
  messages: {
    shadowed: '{{allow}} allows nothing: every connection it names is denied by {{denies}}, and a deny wins over any allow.',
  },
  check(graph, { solver }) {
    if (graph.cilium.policies.length === 0) return [];
    const reports: RuleReport[] = [];
    const reported = new Set<string>();
    for (const rule of solver.compiledRules) {
      // Under Cilium, NetworkPolicies are rules of the same repository: a Cilium deny takes them too.
      const judged = CILIUM_KINDS.has(rule.source.kind) || (rule.source.kind === 'NetworkPolicy' && solver.layout.selectorLabels === 'cilium-identity');
      if (rule.action !== 'allow' || !judged) continue;
      const shadow = shadowOf(solver, rule);
      if (!shadow) continue;
      const key = `${rule.source.policyLabel}\u0000${rule.source.ruleLabel}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const names = shadow.denies.slice(0, 2).map(describe);
      const more = shadow.denies.length > 2 ? ` and ${shadow.denies.length - 2} more` : '';
      reports.push({
        messageId: 'shadowed',
        data: { allow: describe(rule), denies: `${names.join(' and ')}${more}` },
        object: rule.source.object,
        path: rule.source.path,
        related: shadow.denies.map((deny) => ({ object: deny.source.object, path: deny.source.path, message: `${describe(deny)} denies ${deny.numericPorts.describe()}` })),
      });
    }
    return reports;
  },
});

function describe(rule: CompiledRule): string {
  return `${rule.source.kind} ${rule.source.policyLabel} rule ${rule.source.ruleLabel}`;
}

/**
 * The deny rules that together take every connection `rule` allows, for each class it applies to
 * and each peer it names; undefined when some connection gets through (or the rule allows nothing
 * anywhere: an empty rule is a default deny, not a shadowed allow).
 */
function shadowOf(solver: ReachabilitySolver, rule: CompiledRule): Shadow | undefined {
  const direction = rule.direction;
  const subjects = rule.policy[direction]?.subjects;
  if (!subjects || subjects.first() === -1) return undefined;
  const denies = new Set<CompiledRule>();
  let allowsSomething = false;
  // Classes under the same policies see the same deny rules; named ports resolve per destination class.
  const namedPorts = rule.namedPorts.length > 0;
  const seenPlans = new Set<object>();
  for (const index of subjects.members()) {
    const subject = solver.classes[index];
    const plan = solver.planFor(subject, direction);
    if (!plan) continue;
    if (!namedPorts) {
      if (seenPlans.has(plan)) continue;
      seenPlans.add(plan);
    }
    const denyRules = plan.rules.filter((candidate) => candidate.action === 'deny' && candidate.policy.stage === rule.policy.stage);
    for (const peer of peersOf(solver, rule, denyRules)) {
      const destination = direction === 'ingress' ? subject : isClass(peer) ? peer : undefined;
      const allowed = solver.portsTowards(rule, destination);
      if (allowed.isEmpty()) continue;
      allowsSomething = true;
      let denied = ConnectionSet.EMPTY;
      for (const deny of denyRules) {
        if (!solver.ruleMatches(deny, peer)) continue;
        const ports = solver.portsTowards(deny, destination);
        if (ports.intersect(allowed).isEmpty()) continue;
        denied = denied.union(ports);
        denies.add(deny);
      }
      if (!allowed.subtract(denied).isEmpty()) return undefined;
    }
  }
  return allowsSomething ? { denies: [...denies] } : undefined;
}

function isClass(peer: Peer): peer is PodClass {
  return (peer as PodClass).index !== undefined;
}

/**
 * The peers `rule` names, cut so that each deny rule matches each wholly or not at all: its
 * classes (one per set of deny rules matching it, unless named ports make the destination matter),
 * the pieces of its address ranges at every boundary of the deny rules' ranges, each of its entity
 * tags, and for a rule of every peer one entity no deny names.
 */
function peersOf(solver: ReachabilitySolver, rule: CompiledRule, denies: readonly CompiledRule[]): Peer[] {
  const peers: Peer[] = [];
  const bySignature = new Set<string>();
  const perClass = rule.namedPorts.length > 0 || denies.some((deny) => deny.namedPorts.length > 0);
  for (const index of rule.classes.members()) {
    const podClass = solver.classes[index];
    if (!perClass) {
      const signature = denies.map((deny) => (solver.ruleMatches(deny, podClass) ? '1' : '0')).join('');
      if (bySignature.has(signature)) continue;
      bySignature.add(signature);
    }
    peers.push(podClass);
  }
  for (const family of [4, 6] as const) {
    const own: readonly AddressRange[] = rule.matchesEveryPeer ? [wholeSpace(family)] : rule.addressRanges[family];
    if (own.length === 0) continue;
    const pieces = partitionSpace(family, [own, ...denies.map((deny) => deny.addressRanges[family])]);
    for (const piece of pieces) if (rangesContain(own, piece.first)) peers.push({ family: family as IpFamily, range: piece });
  }
  for (const tag of rule.entities) peers.push({ entity: tag, tags: [tag] });
  if (rule.matchesEveryPeer) peers.push({ entity: 'another peer', tags: ['\u0000another-peer'] });
  return peers;
}
