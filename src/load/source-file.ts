/**
 * The text of one input (a file or standard input) and the arithmetic that turns offsets
 * into 1-based lines and columns. Line starts are computed only when a position is asked for,
 * because most files never produce a finding.
 */
export class SourceFile {
  private lineStarts: Uint32Array | undefined;

  /** `path` is the file name as the user gave it (or `<stdin>`); `text` is its decoded content. */
  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** Returns the 1-based line and column of a 0-based offset into the text. */
  lineAndColumn(offset: number): { line: number; column: number } {
    const starts = this.getLineStarts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  /** Returns the 0-based offset where a 1-based line starts. */
  offsetOfLine(line: number): number {
    const starts = this.getLineStarts();
    return starts[Math.min(Math.max(line - 1, 0), starts.length - 1)];
  }

  private getLineStarts(): Uint32Array {
    if (this.lineStarts) return this.lineStarts;
    const text = this.text;
    let count = 1;
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
    const starts = new Uint32Array(count);
    let line = 1;
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts[line++] = index + 1;
    this.lineStarts = starts;
    return starts;
  }
}
