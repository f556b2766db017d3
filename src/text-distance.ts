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

// The three rows, reused by every call and grown as needed: suggestions call this for thousands of
// labels, and allocating typed arrays each time cost more than filling them.
let rowA = new Uint32Array(64);
let rowB = new Uint32Array(64);
let rowC = new Uint32Array(64);

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
  // Three rolling rows (the one before last, for swaps; the last; the current) instead of the
  // whole table: suggestions compare one word with thousands of labels.
  const width = b.length + 1;
  if (rowA.length < width) {
    rowA = new Uint32Array(width * 2);
    rowB = new Uint32Array(width * 2);
    rowC = new Uint32Array(width * 2);
  }
  // A swap reads beforePrevious[j - 2] only from the third row on, after it has been written.
  let beforePrevious = rowA;
  let previous = rowB;
  let current = rowC;
  for (let j = 0; j < width; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = i;
    for (let j = 1; j < width; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let cell = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (transpositions && i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        cell = Math.min(cell, beforePrevious[j - 2] + 1);
      }
      current[j] = cell;
      if (cell < rowMinimum) rowMinimum = cell;
    }
    // Every later cell is at least one of this row's cells (a swap reaches back two rows, so keep
    // one row of slack before giving up).
    if (rowMinimum > maximum + 1) return maximum + 1;
    const spare = beforePrevious;
    beforePrevious = previous;
    previous = current;
    current = spare;
  }
  return Math.min(previous[b.length], maximum + 1);
}
