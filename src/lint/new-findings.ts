import type { Finding } from '../finding.js';
import { fingerprintOfFinding } from './fingerprint.js';

/** The findings of a run that an earlier run did not have, and how many it did have. */
export interface NewFindings {
  readonly fresh: readonly Finding[];
  /** Findings of the current run whose fingerprint the earlier run had too. */
  readonly known: number;
}

/**
 * Returns the findings of `current` that `previous` did not have, compared by fingerprint
 * (wherever they are located), as golangci-lint's --new-from-rev does. Fingerprints are counted:
 * when the current run has a fingerprint more times than the earlier one, the later ones are new.
 */
export function findingsNotIn(current: readonly Finding[], previous: readonly Finding[]): NewFindings {
  const remaining = new Map<string, number>();
  for (const finding of previous) {
    const fingerprint = fingerprintOfFinding(finding);
    remaining.set(fingerprint, (remaining.get(fingerprint) ?? 0) + 1);
  }
  const fresh: Finding[] = [];
  let known = 0;
  for (const finding of current) {
    const fingerprint = fingerprintOfFinding(finding);
    const left = remaining.get(fingerprint) ?? 0;
    if (left > 0) {
      remaining.set(fingerprint, left - 1);
      known++;
    } else {
      fresh.push(finding);
    }
  }
  return { fresh, known };
}
