import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { Severity } from '../finding.js';
import type { ResourceGraph } from '../model/graph.js';
import type { ReachabilitySolver } from '../reach/solver.js';
import type { ClusterFacts } from '../model/cluster-facts.js';
import type { AddressPlanAnalysis } from '../ipam/capacity.js';

/** The families rules belong to, as `k8snet rules` groups them. */
export type RuleCategory = 'isolation' | 'selectors' | 'ports' | 'dns' | 'addressing' | 'exposure' | 'hygiene' | 'network-plugin';

/** What a rule reports: a message id with its data, the object and the field it concerns. */
export interface RuleReport {
  readonly messageId: string;
  readonly data?: Readonly<Record<string, string | number>>;
  /**
   * The object the finding is about; its source position comes from the loader. Absent only for a
   * cluster-wide fact that no file states (a command-line flag, a default): the message names it.
   */
  readonly object?: ManifestObject;
  /** Path of the field inside the object; the object itself when absent. */
  readonly path?: FieldPath;
  /** A short suggestion such as `did you mean app=web?`. */
  readonly hint?: string;
  /** Other places that explain the finding, each with a short label. */
  readonly related?: readonly { readonly object: ManifestObject; readonly path?: FieldPath; readonly message: string }[];
  /**
   * Names this report as the cause of the reports whose `causedBy.key` is the same: the engine
   * shows those as related locations of this one. Keys are shared by all rules: `<topic>:<subject>`.
   */
  readonly causeKey?: string;
  /** Makes this report one place of the cause reported under `key`, shown there labelled `label`. */
  readonly causedBy?: { readonly key: string; readonly label: string };
}

/** What a rule may read besides the graph: its options, the cluster facts and the solver. */
export interface RuleContext<Options = Record<string, unknown>> {
  readonly options: Options;
  readonly cluster: ClusterFacts;
  /** The reachability solver over the same graph, built on first use and shared by all rules. */
  readonly solver: ReachabilitySolver;
  /** The cluster's address plan with capacities and demand, built on first use and shared by all rules. */
  readonly addressPlan: AddressPlanAnalysis;
}

/**
 * A lint rule: data plus one pure function. `check` must not read files, print, read the
 * environment or the clock, or mutate the graph; the engine applies severities and suppressions.
 */
export interface Rule<Options = Record<string, unknown>> {
  /** Kebab-case `<subject>-<problem>`, equal to the rule's file name. */
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** One sentence: what the rule finds. */
  readonly description: string;
  /** The traffic or outage at stake. */
  readonly rationale: string;
  /** What to do, in the imperative. */
  readonly fix: string;
  /** Message templates by id; `{{name}}` placeholders are filled from a report's data. */
  readonly messages: Readonly<Record<string, string>>;
  /**
   * The highest severity some messages reach: the configured level applies to them, but never
   * above this (a case that is worth knowing about, not worth failing a build over).
   */
  readonly messageSeverities?: Readonly<Record<string, Severity>>;
  /**
   * The data keys that tell two findings of this rule on the same object and field apart, and so
   * belong in their fingerprint; counts and lists that change with unrelated edits do not.
   */
  readonly identifyingData?: readonly string[];
  /** JSON schema of the options (validated with ajv), and their defaults. */
  readonly optionsSchema?: object;
  readonly defaultOptions?: Options;
  readonly check: (graph: ResourceGraph, context: RuleContext<Options>) => readonly RuleReport[];
}

/** Declares a rule with its option type inferred; a rule file's default export. */
export function defineRule<Options = Record<string, unknown>>(rule: Rule<Options>): Rule<Options> {
  return rule;
}

/** Returns the documentation address of a rule. */
export function ruleDocsUrl(id: string): string {
  return `https://github.com/k8snet/k8snet/blob/main/rules/README.md#${id}`;
}
