import { createRequire } from 'node:module';
import { locateField } from '../load/manifest-object.js';
import { formatPath } from '../load/path.js';
import { isAtLeast, type Finding, type Severity } from '../finding.js';
import type { ResourceGraph } from '../model/graph.js';
import { ReachabilitySolver } from '../reach/solver.js';
import { networkPluginOf } from '../model/network-plugin.js';
import { analyzeAddressPlan, type AddressPlanAnalysis } from '../ipam/capacity.js';
import { CONFIG_OBJECT_KIND, globMatcher, type LintConfig } from './config.js';
import type { Rule, RuleContext, RuleReport } from './rule.js';
import { ruleDocsUrl } from './rule.js';
import { fingerprintOf } from './fingerprint.js';

/** The annotation that silences rules on one object: `rule-a,rule-b` or `all`. */
export const IGNORE_ANNOTATION = 'k8snet.io/ignore';

/** The outcome of running the rules: findings to show and how many were suppressed. */
export interface RuleRun {
  readonly findings: readonly Finding[];
  readonly suppressed: number;
}

/** A rule that broke its contract (unfilled placeholder, unknown message id, bad options). */
export class RuleError extends Error {}

/** Fills `{{name}}` placeholders; an unfilled one is a bug in the rule. */
export function fillTemplate(rule: Rule<any>, report: RuleReport): string {
  const template = rule.messages[report.messageId];
  if (template === undefined) throw new RuleError(`rule ${rule.id} reported unknown messageId '${report.messageId}'`);
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => {
    const value = report.data?.[name];
    if (value === undefined) throw new RuleError(`rule ${rule.id} left placeholder {{${name}}} of '${report.messageId}' unfilled`);
    return String(value);
  });
}

function ignoredRules(report: RuleReport): ReadonlySet<string> {
  if (!report.object) return new Set();
  const annotations = (report.object.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  const value = annotations?.[IGNORE_ANNOTATION];
  if (typeof value !== 'string') return new Set();
  return new Set(value.split(',').map((id) => id.trim()).filter(Boolean));
}

/** Kinds without a namespace: Kubernetes' own, the tool configurations k8snet reads facts from, and its configuration file. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'IngressClass', 'ServiceCIDR', 'IPPool', 'CiliumNode', 'ClusterConfiguration', 'KubeletConfiguration', 'Cluster', CONFIG_OBJECT_KIND,
]);

/**
 * Turns a rule report into the finding users see, with its position from the loader. An object
 * that names no namespace is in `defaultNamespace` (`--namespace`), as kubectl would place it.
 */
export function reportToFinding(rule: Rule<any>, report: RuleReport, severity: Severity, defaultNamespace = 'default'): Finding {
  const object = report.object;
  const clusterScoped = object !== undefined && object.namespace === undefined && CLUSTER_SCOPED_KINDS.has(object.kind);
  const identity = object
    ? { kind: object.kind, ...(clusterScoped ? {} : { namespace: object.namespace ?? defaultNamespace }), ...(object.name ? { name: object.name } : {}) }
    : undefined;
  const path = object ? formatPath(report.path ?? []) : undefined;
  const cap = rule.messageSeverities?.[report.messageId];
  const identifying = (rule.identifyingData ?? []).filter((key) => report.data?.[key] !== undefined);
  const message = fillTemplate(rule, report);
  return {
    ruleId: rule.id,
    severity: cap !== undefined && !isAtLeast(cap, severity) ? cap : severity,
    message,
    ...(object ? { location: locateField(object.origin, report.path ?? []), path, object: identity } : {}),
    why: rule.rationale,
    fix: rule.fix,
    ...(report.hint ? { hint: report.hint } : {}),
    ...(report.related ? { related: report.related.map((entry) => ({ ...locateField(entry.object.origin, entry.path ?? []), message: entry.message })) } : {}),
    fingerprint: fingerprintOf({
      ruleId: rule.id,
      messageId: report.messageId,
      // A finding no object states (a fact from a flag) is told apart by its identifying data alone, not by its counts.
      ...(identity ? { object: identity, path } : {}),
      data: Object.fromEntries(identifying.map((key) => [key, report.data![key]])),
    }),
    ...(report.causeKey ? { causeKey: report.causeKey } : {}),
    ...(report.causedBy ? { causedBy: report.causedBy } : {}),
  };
}

/**
 * Runs the enabled rules over the graph: options validated, severities from the configuration,
 * suppressions by annotation and ignored paths applied after each rule's `check` returns.
 */
export function runRules(
  graph: ResourceGraph,
  rules: readonly Rule<any>[],
  config: LintConfig,
  solverFactory?: () => ReachabilitySolver,
  addressPlanFactory?: () => AddressPlanAnalysis,
  onRule?: (done: number, total: number, ruleId: string) => void,
): RuleRun {
  let solver: ReachabilitySolver | undefined;
  // Without a factory, the solver the CLI would make: under the configured network plugin.
  const getSolver = () => (solver ??= solverFactory ? solverFactory() : new ReachabilitySolver(graph, { plugin: networkPluginOf(graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR }));
  let addressPlan: AddressPlanAnalysis | undefined;
  const getAddressPlan = () => (addressPlan ??= addressPlanFactory ? addressPlanFactory() : analyzeAddressPlan(graph, config.cluster));
  const isIgnoredPath = globMatcher(config.ignore);
  const findings: Finding[] = [];
  let suppressed = 0;
  // A cause silenced on its object (a Namespace meant to be open) silences the findings it causes too.
  const suppressedCauses = new Set<string>();
  for (const [index, rule] of rules.entries()) {
    onRule?.(index, rules.length, rule.id);
    const setting = config.rules[rule.id] ?? {};
    const level = setting.level ?? rule.severity;
    if (level === 'off') continue;
    const options = { ...(rule.defaultOptions ?? {}), ...(setting.options ?? {}) };
    if (setting.options && rule.optionsSchema) validateOptions(rule, options);
    const context: RuleContext<any> = {
      options,
      cluster: config.cluster,
      get solver() {
        return getSolver();
      },
      get addressPlan() {
        return getAddressPlan();
      },
    };
    for (const report of rule.check(graph, context)) {
      const ignored = ignoredRules(report);
      const finding = reportToFinding(rule, report, level, graph.defaultNamespace);
      if (ignored.has(rule.id) || ignored.has('all') || (finding.location && isIgnoredPath(finding.location.file))) {
        if (finding.causeKey !== undefined) suppressedCauses.add(finding.causeKey);
        suppressed++;
        continue;
      }
      findings.push(finding);
    }
  }
  if (suppressedCauses.size === 0) return { findings, suppressed };
  const shown = findings.filter((finding) => finding.causedBy === undefined || !suppressedCauses.has(finding.causedBy.key));
  return { findings: shown, suppressed: suppressed + findings.length - shown.length };
}

function validateOptions(rule: Rule<any>, options: unknown): void {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const validate = new Ajv({ allErrors: true, strict: false }).compile(rule.optionsSchema!);
  if (!validate(options)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(options)'} ${error.message}`).join('; ');
    throw new RuleError(`options of rule ${rule.id}: ${problems}`);
  }
}

export { ruleDocsUrl };
