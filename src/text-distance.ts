/** Options of {@link editDistance}. */
export interface EditDistanceOptions {
  /**
   * Count swapping two neighbouring characters as one edit (optimal string alignment, the
   * default); when false, a swap costs two substitutions, as in plain Levenshtein distance.
   */
  readonly transpositions?: boolean;
  /**
   * Stop as soon as the distance is known to exceed this, returning `maximum + 1`: callers that
   * only accept close matches need not pay for the full table.
   */
  readonly maximum?: number;
}

/**
 * Returns the optimal string alignment distance between `a` and `b`: the fewest insertions,
 * deletions, substitutions and swaps of neighbouring characters that turn one into the other,
 * no substring being edited twice (`editDistance('Deploymnet', 'Deployment') === 1`).
 * Characters are compared as UTF-16 code units, case-sensitively. The distance is symmetric and
 * never less than the difference of the lengths.
 */
export function editDistance(a: string, b: string, options: EditDistanceOptions = {}): number {
  const transpositions = options.transpositions ?? true;
  const maximum = options.maximum ?? Infinity;
  if (Math.abs(a.length - b.length) > maximum) return maximum + 1;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    let rowMinimum = rows[i][0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      if (rows[i][j] < rowMinimum) rowMinimum = rows[i][j];
    }
    // Every later cell is at least one of this row's cells (a swap reaches back two rows, so keep
    // one row of slack before giving up).
    if (rowMinimum > maximum + 1) return maximum + 1;
  }
  return Math.min(rows[a.length][b.length], maximum + 1);
}
