/** How serious a finding is, in words rather than numbers. */
export type Severity = 'error' | 'warning' | 'info';

/** Severities from the most to the least serious. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Returns true when `severity` is at least as serious as `threshold`. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** A place in a file, 1-based lines and columns; the end is exclusive. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The Kubernetes object a finding concerns, named the way kubectl users read it. */
export interface ObjectIdentity {
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** Another place that explains a finding, such as the first definition of a duplicate. */
export interface RelatedLocation extends SourceLocation {
  readonly message: string;
}

/**
 * Everything the user is shown, loader errors and rule findings alike: what is wrong here,
 * why it matters and what to do, with the exact place in the manifests.
 */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: SourceLocation;
  /** JSON path of the field inside the object, e.g. `spec.ingress[0].from[1].namespaceSelector`. */
  readonly path?: string;
  readonly object?: ObjectIdentity;
  readonly why?: string;
  readonly fix?: string;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
  /** Identifies the finding across revisions (rule, object, field, identifying data; never the line). */
  readonly fingerprint?: string;
  /** Set on a finding other findings name as their cause (see {@link FindingCause}). */
  readonly causeKey?: string;
  /** Set on a finding that is one place of a cause reported elsewhere. */
  readonly causedBy?: FindingCause;
}

/**
 * Ties a finding to the finding of its cause: where that one is reported too, at the same or a
 * higher severity, this one is shown as one of its related locations, labelled `label`, instead
 * of on its own (one cause, said once).
 */
export interface FindingCause {
  readonly key: string;
  readonly label: string;
}
