import type { Paint } from './paint.js';
import { countOf, verbFor } from '../model/plural.js';
import { escapeText } from './escape/text.js';
import { locateField, type ManifestObject } from '../load/manifest-object.js';
import { formatPath } from '../load/path.js';
import { formatRequirements } from '../model/label-selector.js';
import type { PolicyPeer } from '../model/types.js';
import { formatConnectionQuery, type PairAnswer, type ReachAnswer } from '../reach/query.js';
import type { CompiledPolicy, CompiledRule, RuleDecision, SideVerdict } from '../reach/solver.js';
import { ConnectionSet } from '../reach/connection-set.js';
import { describePolicyPeer } from '../reach/policies/network-policy.js';

/** Returns `file:line` of a policy of any kind (its name), or of a field inside it. */
export function policyLocation(policy: { readonly object: ManifestObject } | { readonly source: ManifestObject }, path: readonly (string | number)[] = ['metadata', 'name']): string {
  const object = 'object' in policy ? policy.object : policy.source;
  const location = locateField(object.origin, path);
  return `${location.file}:${location.line}`;
}

/** Describes a NetworkPolicy peer in kubectl terms: `namespaceSelector kubernetes.io/metadata.name=shop + podSelector app=web`. */
export function describePeer(peer: PolicyPeer): string {
  return describePolicyPeer(peer);
}

/** Describes a rule: `ns/policy ingress[0] (file:line)`. */
export function describeRule(rule: CompiledRule): string {
  return `${rule.source.policyLabel} ${rule.source.ruleLabel} (${policyLocation(rule.source, rule.source.path)})`;
}

/** Returns `file:line` of a rule. */
export function ruleLocation(rule: CompiledRule): string {
  return policyLocation(rule.source, rule.source.path);
}

/** The verb for what a decision does: `allows`, `accepts`, `denies`, `passes on to NetworkPolicy`, `logs`. */
export function decisionVerb(rule: CompiledRule): string {
  switch (rule.action) {
    case 'allow': return rule.source.actionName === 'Accept' ? 'accepts' : 'allows';
    case 'deny': return 'denies';
    case 'pass': return `passes on to ${rule.source.passTo ?? 'the next tier'}`;
    case 'log': return rule.restrictions.length > 0
      ? `decides only above L4 (${rule.restrictions.map((restriction) => restriction.description).join('; ')}), leaving to the next rule at L4`
      : 'logs (and leaves to the next rule)';
  }
}

/** What a ranked rule does with `what` (ports, and peers): `allows TCP 80`, `passes TCP 80 on to the next tier`. */
export function describeDecision(rule: CompiledRule, what: string): string {
  return rule.action === 'pass' ? `passes ${what} on to ${rule.source.passTo ?? 'the next tier'}` : `${decisionVerb(rule)} ${what}`;
}

/** Names a ranked rule: `AdminNetworkPolicy team-a rule "allow-dns" (file:line)`, with the rank where the kind has one. */
export function describeRankedRule(rule: CompiledRule): string {
  const { source } = rule;
  return `${source.kind} ${source.policyLabel}${source.rank ? ` (${source.rank})` : ''} rule "${source.ruleLabel}" (${ruleLocation(rule)})`;
}

/** Names the policies that isolate a side: `ns/name (file:line), ...`. */
function describePolicies(policies: readonly CompiledPolicy[]): string {
  return policies.map((policy) => `${policy.label} (${policyLocation(policy)})`).join(', ');
}

function describeSide(side: SideVerdict, subject: string, asked: ConnectionSet): string[] {
  const heading = side.direction === 'egress' ? `Egress of ${subject}` : `Ingress of ${subject}`;
  switch (side.unrestrictedBecause) {
    case 'external':
      return [];
    case 'host-network':
      return [`${heading}: not subject to NetworkPolicy (hostNetwork pod; see caveats).`];
    case 'not-isolated':
      return [`${heading}: not isolated — no policy isolates it for ${side.direction}, so all ${side.direction} is allowed.`];
    case 'node':
      return [`${heading}: a node's host namespace, to which no policy of pods applies.`];
    case 'local-node':
      return [`${heading}: traffic ${side.direction === 'ingress' ? 'from' : 'to'} the node it runs on, allowed whatever the policies say (see note).`];
  }
  const lines: string[] = [];
  // Only the rules that decide the ports asked about: the rest would bury the answer.
  const ranked = side.decisions.filter((decision: RuleDecision) => decision.stage.combination === 'first-match' && !decision.ports.intersect(asked).isEmpty());
  for (const decision of ranked) {
    lines.push(`${heading}: ${describeRankedRule(decision.rule)} ${describeDecision(decision.rule, decision.ports.describe())}.`);
  }
  if (side.isolatingPolicies.length === 0) {
    if (side.contributions.length === 0 && side.decisions.length > 0) lines.push(`${heading}: no policy isolates it; what the rules above did not decide is allowed.`);
    return lines;
  }
  lines.push(`${heading}: isolated by ${describePolicies(side.isolatingPolicies)}.`);
  const relevant = side.contributions.filter((contribution) => !contribution.allowed.intersect(asked).isEmpty());
  const denials = side.decisions.filter((decision) => decision.stage.combination === 'deny-overrides' && !decision.ports.intersect(asked).isEmpty());
  // Rules of first-match stages (Calico tiers) that decided already said what happened.
  const decidedInRank = ranked.some((decision) => decision.rule.action === 'deny') || !side.allowed.intersect(asked).isEmpty();
  // A tier whose policies select the pod but none of whose rules matched denies at its end: later tiers' rules are never reached.
  const stageEnds = (side.stageEnds ?? []).filter((end) => end.stage.deniedAtEnd !== undefined && !end.ports.intersect(asked).isEmpty());
  for (const end of stageEnds) {
    lines.push(`  ${end.stage.label}: ${end.policies.length === 1 ? 'its policy' : 'its policies'} selecting ${subject} (${end.policies.map((policy) => policy.label).join(', ')}) `
      + `${end.policies.length === 1 ? 'has' : 'have'} no ${side.direction} rule that matches ${side.direction === 'ingress' ? 'this source' : 'this destination'} on ${end.ports.intersect(asked).describe()}, so ${end.stage.deniedAtEnd}.`);
  }
  // A rule in rank order allowed it at one enforcement point (a NetworkPolicy under Calico): another point denied it, named below.
  const rankedAllowed = ranked.some((decision) => decision.rule.action === 'allow' && !decision.ports.intersect(asked).isEmpty());
  if (relevant.length === 0 && denials.length === 0 && !decidedInRank && stageEnds.length === 0 && !rankedAllowed) {
    lines.push(`  No ${side.direction} rule of these policies allows ${asked.isAll() ? 'anything' : asked.describe()} ${side.direction === 'ingress' ? 'from' : 'to'} the other side: denied.`);
  }
  for (const contribution of relevant) {
    const peers = contribution.rule.matchesEveryPeer ? `every ${side.direction === 'ingress' ? 'source' : 'destination'}` : contribution.rule.source.describePeers();
    lines.push(`  ${describeRule(contribution.rule)} allows ${contribution.allowed.describe()} ${side.direction === 'ingress' ? 'from' : 'to'} ${peers}.`);
  }
  // A deny that wins over allows (Cilium's ingressDeny/egressDeny) is named after what it overrides.
  for (const denial of denials) lines.push(`  ${describeRule(denial.rule)} denies ${denial.ports.describe()}, whatever allows it.`);
  if (relevant.length === 0 && denials.length > 0 && !decidedInRank && stageEnds.length === 0) {
    // Deny rules take some ports; what they leave, no rule allows either (Cilium's deny-only policies isolate).
    let denied = ConnectionSet.EMPTY;
    for (const denial of denials) denied = denied.union(denial.ports);
    const rest = asked.subtract(denied);
    if (!rest.isEmpty()) lines.push(`  No ${side.direction} rule of these policies allows the rest (${rest.describe()}) ${side.direction === 'ingress' ? 'from' : 'to'} the other side: denied.`);
  }
  // Rules of one enforcement point allowed it and another's did not (the plugin allows, Istio's proxy refuses): name the one that denied.
  if (side.points && (relevant.length > 0 || rankedAllowed) && side.allowed.intersect(asked).isEmpty()) {
    for (const point of side.points) {
      if (!point.allowed.intersect(asked).isEmpty() || point.policies.length === 0) continue;
      const label = `${point.point.label[0].toUpperCase()}${point.point.label.slice(1)}`;
      lines.push(`  ${label}: no ${side.direction} rule of ${point.policies.map((policy) => policy.label).join(', ')} allows ${asked.isAll() ? 'anything' : asked.describe()} `
        + `${side.direction === 'ingress' ? 'from' : 'to'} the other side, so it denies it there.`);
    }
  }
  for (const restriction of side.restrictions) {
    // A restriction on ports outside what was asked says nothing about the answer.
    if (restriction.ports ? restriction.ports.intersect(asked).isEmpty()
      : restriction.rule.namedPorts.length === 0 && restriction.rule.numericPorts.intersect(asked).isEmpty()) continue;
    lines.push(`  further restricted at ${restriction.layer} by ${describeRule(restriction.rule)} (${restriction.description}).`);
  }
  return lines;
}

/**
 * Splits pairs that share an explanation into groups one heading can name truly: one source and
 * its destinations, or one destination and its sources (never a cross product that was not asked).
 */
function headedGroups(pairs: readonly PairAnswer[]): PairAnswer[][] {
  const sources = new Set(pairs.map((pair) => pair.source.label));
  const destinations = new Set(pairs.map((pair) => pair.destination.label));
  if (sources.size === 1 || destinations.size === 1) return [[...pairs]];
  const bySource = new Map<string, PairAnswer[]>();
  for (const pair of pairs) bySource.set(pair.source.label, [...(bySource.get(pair.source.label) ?? []), pair]);
  return [...bySource.values()];
}

/** `a → b`, or `a → b, c, d` (`a, b → c`) for pairs that share their explanation. */
function groupHeading(pairs: readonly PairAnswer[]): string {
  const sources = [...new Set(pairs.map((pair) => pair.source.label))];
  const destinations = [...new Set(pairs.map((pair) => pair.destination.label))];
  return `${sources.join(', ')} → ${destinations.join(', ')}`;
}

/** How much of the input an answer was computed from: `can-reach` parses only files its question can depend on. */
export interface LoadScope {
  readonly filesRead: number;
  readonly filesParsed: number;
  /** The namespaces of the question's endpoints. */
  readonly namespaces: readonly string[];
}

/** One sentence on the files not parsed, or undefined when every file was. */
export function describeScope(scope: LoadScope | undefined): string | undefined {
  if (!scope || scope.filesParsed === scope.filesRead) return undefined;
  const skipped = scope.filesRead - scope.filesParsed;
  return `parsed ${scope.filesParsed} of ${countOf(scope.filesRead, 'file')}: the other ${skipped} ${verbFor(skipped, 'mentions', 'mention')} ${neitherNor(scope.namespaces)}, `
    + `so ${verbFor(skipped, 'it', 'they')} cannot change this answer (--all-files parses them all and reports their problems)`;
}

/**
 * Returns `neither shop nor a cluster-wide policy`, `neither shop nor web nor a cluster-wide policy`: what a
 * file left unparsed does not mention, each namespace once.
 */
export function neitherNor(namespaces: readonly string[]): string {
  return `neither ${[...new Set(namespaces), 'a cluster-wide policy'].join(' nor ')}`;
}

/**
 * Formats a `can-reach` answer for people: the verdict first, then per pair the reason chain.
 * Every piece of text is escaped (escapeText) before it is painted: names, labels, selectors and
 * file names come from the manifests.
 */
export function formatReachText(answer: ReachAnswer, chalk: Paint, scope?: LoadScope): string {
  const asked = answer.port ? ` on ${formatConnectionQuery(answer.port)}` : '';
  const endpoints = escapeText(`${answer.source.label} → ${answer.destination.label}${asked}`);
  const lines: string[] = [];
  if (answer.reachable === 'all') lines.push(chalk.green.bold(`✔ REACHABLE: ${endpoints}`));
  else if (answer.reachable === 'some') lines.push(chalk.yellow.bold(`◐ PARTLY REACHABLE: ${endpoints} (${partlyBecause(answer)})`));
  else lines.push(chalk.red.bold(`✖ NOT REACHABLE: ${endpoints}`));
  for (const note of answer.notes) lines.push(chalk.yellow(escapeText(`note: ${note}`)));
  // Pairs with the same verdict for the same reasons (the internet's ranges, replicas of a
  // workload) share one explanation, under a heading that names them all.
  const explained = new Map<string, { pairs: PairAnswer[]; body: string[] }>();
  for (const pair of answer.pairs) {
    const result = pair.allowed.isEmpty() ? chalk.red('denied') : chalk.green(`allowed: ${pair.allowed.describe()}`);
    const body = [
      `${result}${pair.via ? chalk.dim(escapeText(` (${pair.via})`)) : ''}`,
      ...describeSide(pair.verdict.egress, pair.source.label, pair.asked).map((line) => `  ${escapeText(line)}`),
      ...describeSide(pair.verdict.ingress, pair.destination.label, pair.asked).map((line) => `  ${escapeText(line)}`),
      ...pair.verdict.caveats.map((caveat) => chalk.yellow(escapeText(`  caveat: ${caveat}`))),
    ];
    const key = body.join('\n');
    const group = explained.get(key);
    if (group) group.pairs.push(pair);
    else explained.set(key, { pairs: [pair], body });
  }
  for (const { pairs, body } of explained.values()) {
    for (const shared of headedGroups(pairs)) {
      lines.push('');
      lines.push(`${chalk.bold(escapeText(groupHeading(shared)))}: ${body[0]}`, ...body.slice(1));
    }
  }
  const scopeNote = describeScope(scope);
  if (scopeNote) lines.push('', chalk.dim(escapeText(scopeNote)));
  return `${lines.join('\n')}\n`;
}

/** Formats a `can-reach` answer as JSON (schema in README.md). */
export function formatReachJson(answer: ReachAnswer, scope?: LoadScope): string {
  const side = (verdict: SideVerdict) => ({
    direction: verdict.direction,
    unrestrictedBecause: verdict.unrestrictedBecause ?? null,
    isolatingPolicies: verdict.isolatingPolicies.map((policy) => ({
      ...(policy.kind !== 'NetworkPolicy' ? { kind: policy.kind } : {}),
      ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
      name: policy.name,
      location: policyLocation(policy),
    })),
    adminRules: verdict.decisions.filter((decision) => decision.stage.combination === 'first-match').map((decision) => ({
      kind: decision.rule.source.kind,
      policy: decision.rule.source.policyLabel,
      ...decision.rule.source.details,
      rule: decision.rule.source.ruleLabel,
      action: decision.rule.source.actionName,
      ports: decision.ports.toString(),
      location: ruleLocation(decision.rule),
    })),
    rules: verdict.contributions.map((contribution) => ({
      policy: contribution.rule.source.policyLabel,
      rule: contribution.rule.source.ruleLabel,
      location: ruleLocation(contribution.rule),
      allows: contribution.allowed.toString(),
    })),
    ...(verdict.decisions.some((decision) => decision.stage.combination === 'deny-overrides')
      ? {
        denyRules: verdict.decisions.filter((decision) => decision.stage.combination === 'deny-overrides').map((decision) => ({
          kind: decision.rule.source.kind, policy: decision.rule.source.policyLabel, rule: decision.rule.source.ruleLabel,
          location: ruleLocation(decision.rule), denies: decision.ports.toString(),
        })),
      }
      : {}),
    ...(verdict.restrictions.length > 0
      ? { restrictions: verdict.restrictions.map((restriction) => ({ layer: restriction.layer, description: restriction.description, rule: `${restriction.rule.source.policyLabel} ${restriction.rule.source.ruleLabel}`, location: ruleLocation(restriction.rule) })) }
      : {}),
    ...(verdict.stageEnds?.some((end) => end.stage.deniedAtEnd !== undefined)
      ? { tierEnds: verdict.stageEnds.filter((end) => end.stage.deniedAtEnd !== undefined).map((end) => ({ tier: end.stage.label, policies: end.policies.map((policy) => policy.label), denies: end.ports.toString() })) }
      : {}),
    allowed: verdict.allowed.toString(),
  });
  return `${JSON.stringify({
    reachable: answer.reachable,
    source: answer.source.label,
    destination: answer.destination.label,
    port: answer.port ? formatConnectionQuery(answer.port) : null,
    notes: answer.notes,
    pairs: answer.pairs.map((pair) => ({
      source: pair.source.label,
      destination: pair.destination.label,
      asked: pair.asked.toString(),
      via: pair.via ?? null,
      allowed: pair.allowed.toString(),
      egress: side(pair.verdict.egress),
      ingress: side(pair.verdict.ingress),
      caveats: pair.verdict.caveats,
    })),
    ...(scope ? { files: { read: scope.filesRead, parsed: scope.filesParsed } } : {}),
  }, null, 2)}\n`;
}

/**
 * Why an answer is partly reachable: only from some source ports (Calico rules that name them)
 * when every pair has all it asked from some source port; else some pods, addresses or ports.
 */
function partlyBecause(answer: ReachAnswer): string {
  const onlySourcePorts = answer.pairs.some((pair) => pair.allowed.dependsOnSourcePort())
    && answer.pairs.every((pair) => pair.allowed.fromSomeSourcePort().covers(pair.asked));
  return onlySourcePorts ? 'from some source ports only' : 'for some pods, addresses or ports only';
}
