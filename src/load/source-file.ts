/**
 * The text of one input (a file or standard input) and the arithmetic that turns offsets
 * into 1-based lines and columns. Line starts are found only as far into the text as a position
 * is asked for, because most files never produce a finding and most findings are near the top.
 */
export class SourceFile {
  /** Offsets where lines start, in order, for the text before `scanned`. */
  private readonly lineStarts: number[] = [0];
  /** Every newline before this offset has its line start in `lineStarts`. */
  private scanned = 0;

  /** `path` is the file name as the user gave it (or `<stdin>`); `text` is its decoded content. */
  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** Returns the 1-based line and column of a 0-based offset into the text. */
  lineAndColumn(offset: number): { line: number; column: number } {
    this.scanUntil(offset);
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  /** Whether the text has a carriage return not followed by a newline (worked out on first use). */
  private hasLoneCarriageReturn: boolean | undefined;

  /** Records the line starts of every newline before `offset`. */
  private scanUntil(offset: number): void {
    if (offset <= this.scanned) return;
    const text = this.text;
    const starts = this.lineStarts;
    this.hasLoneCarriageReturn ??= text.indexOf('\r') !== -1 && /\r(?!\n)/.test(text);
    if (this.hasLoneCarriageReturn) {
      this.scanAllBreaksUntil(offset);
      return;
    }
    let newline = text.indexOf('\n', this.scanned);
    while (newline !== -1 && newline < offset) {
      starts.push(newline + 1);
      newline = text.indexOf('\n', newline + 1);
    }
    this.scanned = newline === -1 ? text.length + 1 : offset;
  }

  /**
   * As scanUntil, for a text whose lines may also end in a carriage return alone (classic Mac
   * OS line ends, which YAML 1.2 reads as line breaks, §5.4): CR LF is one break, CR and LF
   * alone are one each.
   */
  private scanAllBreaksUntil(offset: number): void {
    const text = this.text;
    const starts = this.lineStarts;
    const lineBreak = /\r\n?|\n/g;
    lineBreak.lastIndex = this.scanned;
    for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text)) {
      const next = match.index + match[0].length;
      if (match.index >= offset) {
        this.scanned = match.index;
        return;
      }
      starts.push(next);
    }
    this.scanned = text.length + 1;
  }
}
