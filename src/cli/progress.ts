import { performance } from 'node:perf_hooks';

/** How long a run goes before it shows progress, and how often the line is redrawn after that. */
const DELAY_MS = 1000;
const REDRAW_MS = 100;

/**
 * Returns true when progress may be drawn on `stream`: a terminal, not a dumb one, and not a CI
 * job (CI logs keep every redraw). Pipes and files never get it.
 */
export function canShowProgress(stream: { isTTY?: boolean }, environment: NodeJS.ProcessEnv): boolean {
  if (stream.isTTY !== true || environment.TERM === 'dumb') return false;
  const ci = environment.CI;
  return ci === undefined || ci === '' || ci === '0' || ci.toLowerCase() === 'false';
}

/**
 * One line of progress on standard error (files read, files parsed, rules run), drawn only once a
 * run has taken longer than about a second and at most ten times a second, erased at the end.
 * The work is synchronous, so callers report as they go and the line is drawn from their calls.
 */
export class ProgressLine {
  private readonly started: number;
  private lastDrawn = -Infinity;
  private drawn = false;

  /** `write` is undefined where progress is not shown; `now` is the clock in milliseconds. */
  constructor(private readonly write: ((text: string) => void) | undefined, private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  /** Shows `text` if the run has gone on long enough and the line was not redrawn just now. */
  update(text: () => string): void {
    if (!this.write) return;
    const now = this.now();
    if (now - this.started < DELAY_MS || now - this.lastDrawn < REDRAW_MS) return;
    this.lastDrawn = now;
    this.drawn = true;
    this.write(`\r${text()}\u001b[K`);
  }

  /** Erases the line, so the report starts on a clean line. */
  done(): void {
    if (this.drawn && this.write) this.write('\r\u001b[K');
    this.drawn = false;
  }
}
