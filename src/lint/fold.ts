import { isAtLeast, type Finding } from '../finding.js';

/**
 * Shows each finding that names a cause (`causedBy`) as a related location of that cause's
 * finding, when the cause is reported too at the same or a higher severity: one cause, said once,
 * with its places listed under it. A finding whose cause is not reported (its rule is off, the
 * object is suppressed, or the cause is not new in a `--new-from-rev` run) stays on its own lines.
 * Order is kept; the folded findings' labels follow the cause's own related locations.
 */
export function foldFindings(findings: readonly Finding[]): Finding[] {
  const causes = new Map<string, Finding>();
  for (const finding of findings) if (finding.causeKey !== undefined && !causes.has(finding.causeKey)) causes.set(finding.causeKey, finding);
  if (causes.size === 0) return [...findings];
  const folded = new Map<Finding, Finding[]>();
  const shown: Finding[] = [];
  for (const finding of findings) {
    const cause = finding.causedBy ? causes.get(finding.causedBy.key) : undefined;
    if (cause && cause !== finding && isAtLeast(cause.severity, finding.severity) && finding.location) {
      folded.set(cause, [...(folded.get(cause) ?? []), finding]);
      continue;
    }
    shown.push(finding);
  }
  return shown.map((finding) => {
    const members = folded.get(finding);
    if (!members) return finding;
    return {
      ...finding,
      related: [...(finding.related ?? []), ...members.map((member) => ({ ...member.location!, message: member.causedBy!.label }))],
    };
  });
}
