import type { Paint } from './paint.js';
import { locateField } from '../load/manifest-object.js';
import { formatPath } from '../load/path.js';
import { formatRequirements } from '../model/label-selector.js';
import type { NetworkPolicy, PolicyPeer } from '../model/types.js';
import type { PairAnswer, ReachAnswer } from '../reach/query.js';
import type { CompiledRule, SideVerdict } from '../reach/solver.js';
import type { ConnectionSet } from '../reach/connection-set.js';

/** Returns `file:line` of a policy, or of a field inside it. */
export function policyLocation(policy: NetworkPolicy, path: readonly (string | number)[] = ['metadata', 'name']): string {
  const location = locateField(policy.source.origin, path);
  return `${location.file}:${location.line}`;
}

/** Describes a peer in kubectl terms: `namespaceSelector kubernetes.io/metadata.name=shop + podSelector app=web`. */
export function describePeer(peer: PolicyPeer): string {
  if (peer.ipBlock) return `ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except.length > 0 ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaceSelector ${formatRequirements(peer.namespaceSelector.requirements)}`);
  if (peer.podSelector) parts.push(`podSelector ${formatRequirements(peer.podSelector.requirements)}`);
  return parts.join(' + ');
}

/** Describes a rule: `ns/policy ingress[0] (file:line)`. */
export function describeRule(rule: CompiledRule): string {
  return `${rule.policy.namespace}/${rule.policy.name} ${formatPath(rule.rule.path.slice(1))} (${policyLocation(rule.policy, rule.rule.path)})`;
}

function describeSide(side: SideVerdict, subject: string, asked: ConnectionSet): string[] {
  const heading = side.direction === 'egress' ? `Egress of ${subject}` : `Ingress of ${subject}`;
  switch (side.unrestrictedBecause) {
    case 'external':
      return [];
    case 'host-network':
      return [`${heading}: not subject to NetworkPolicy (hostNetwork pod; see caveats).`];
    case 'not-isolated':
      return [`${heading}: not isolated — no NetworkPolicy selects it for ${side.direction}, so all ${side.direction} is allowed.`];
  }
  const lines: string[] = [];
  // Only the rules that decide the ports asked about: the rest would bury the answer.
  for (const decision of side.adminDecisions.filter((entry) => !entry.ports.intersect(asked).isEmpty())) {
    const location = locateField(decision.policy.source.origin, decision.rule.path);
    const verb = decision.rule.action === 'Allow' ? 'allows' : decision.rule.action === 'Deny' ? 'denies' : 'passes on to NetworkPolicy';
    lines.push(`${heading}: ${decision.policy.kind} ${decision.policy.name} rule "${decision.rule.name}" (${location.file}:${location.line}) ${verb} ${decision.ports.describe()}.`);
  }
  if (side.isolatingPolicies.length === 0) {
    if (side.contributions.length === 0 && side.adminDecisions.length > 0) lines.push(`${heading}: no NetworkPolicy selects it; what no admin rule decided is allowed.`);
    return lines;
  }
  lines.push(`${heading}: isolated by ${side.isolatingPolicies.map((policy) => `${policy.namespace}/${policy.name} (${policyLocation(policy)})`).join(', ')}.`);
  const relevant = side.contributions.filter((contribution) => !contribution.allowed.intersect(asked).isEmpty());
  if (relevant.length === 0) {
    lines.push(`  No ${side.direction} rule of these policies allows ${asked.isAll() ? 'anything' : asked.describe()} ${side.direction === 'ingress' ? 'from' : 'to'} the other side: denied.`);
  }
  for (const contribution of relevant) {
    const peers = contribution.rule.matchesEveryPeer ? `every ${side.direction === 'ingress' ? 'source' : 'destination'}` : contribution.rule.peers.map(describePeer).join(' or ');
    lines.push(`  ${describeRule(contribution.rule)} allows ${contribution.allowed.describe()} ${side.direction === 'ingress' ? 'from' : 'to'} ${peers}.`);
  }
  return lines;
}

function pairHeading(pair: PairAnswer): string {
  return `${pair.source.label} → ${pair.destination.label}`;
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
  return `parsed ${scope.filesParsed} of ${scope.filesRead} files: the other ${skipped} mention neither ${scope.namespaces.join(' nor ')} nor an admin or Calico policy, `
    + 'so they cannot change this answer (--all-files parses them all and reports their problems)';
}

/** Formats a `can-reach` answer for people: the verdict first, then per pair the reason chain. */
export function formatReachText(answer: ReachAnswer, chalk: Paint, scope?: LoadScope): string {
  const asked = answer.port ? ` on ${answer.port.port}/${answer.port.protocol}` : '';
  const lines: string[] = [];
  if (answer.reachable === 'all') lines.push(chalk.green.bold(`✔ REACHABLE: ${answer.source.label} → ${answer.destination.label}${asked}`));
  else if (answer.reachable === 'some') lines.push(chalk.yellow.bold(`◐ PARTLY REACHABLE: ${answer.source.label} → ${answer.destination.label}${asked} (for some pods, addresses or ports only)`));
  else lines.push(chalk.red.bold(`✖ NOT REACHABLE: ${answer.source.label} → ${answer.destination.label}${asked}`));
  for (const note of answer.notes) lines.push(chalk.yellow(`note: ${note}`));
  for (const pair of answer.pairs) {
    lines.push('');
    const result = pair.allowed.isEmpty() ? chalk.red('denied') : chalk.green(`allowed: ${pair.allowed.describe()}`);
    lines.push(`${chalk.bold(pairHeading(pair))}: ${result}${pair.via ? chalk.dim(` (${pair.via})`) : ''}`);
    lines.push(...describeSide(pair.verdict.egress, pair.source.label, pair.asked).map((line) => `  ${line}`));
    lines.push(...describeSide(pair.verdict.ingress, pair.destination.label, pair.asked).map((line) => `  ${line}`));
    for (const caveat of pair.verdict.caveats) lines.push(chalk.yellow(`  caveat: ${caveat}`));
  }
  const scopeNote = describeScope(scope);
  if (scopeNote) lines.push('', chalk.dim(scopeNote));
  return `${lines.join('\n')}\n`;
}

/** Formats a `can-reach` answer as JSON (schema in README.md). */
export function formatReachJson(answer: ReachAnswer, scope?: LoadScope): string {
  const side = (verdict: SideVerdict) => ({
    direction: verdict.direction,
    unrestrictedBecause: verdict.unrestrictedBecause ?? null,
    isolatingPolicies: verdict.isolatingPolicies.map((policy) => ({ namespace: policy.namespace, name: policy.name, location: policyLocation(policy) })),
    adminRules: verdict.adminDecisions.map((decision) => ({
      kind: decision.policy.kind,
      policy: decision.policy.name,
      rule: decision.rule.name,
      action: decision.rule.action,
      ports: decision.ports.toString(),
      location: `${locateField(decision.policy.source.origin, decision.rule.path).file}:${locateField(decision.policy.source.origin, decision.rule.path).line}`,
    })),
    rules: verdict.contributions.map((contribution) => ({
      policy: `${contribution.rule.policy.namespace}/${contribution.rule.policy.name}`,
      rule: formatPath(contribution.rule.rule.path.slice(1)),
      location: policyLocation(contribution.rule.policy, contribution.rule.rule.path),
      allows: contribution.allowed.toString(),
    })),
    allowed: verdict.allowed.toString(),
  });
  return `${JSON.stringify({
    reachable: answer.reachable,
    source: answer.source.label,
    destination: answer.destination.label,
    port: answer.port ? `${answer.port.port}/${answer.port.protocol}` : null,
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
