import type { ChalkInstance } from 'chalk';

/** The styles text reports use, chained as chalk chains them: `paint.red.bold('✖')`. */
export type Paint = ChalkInstance;

/** Every style the reports use; PLAIN supports exactly these. */
const STYLES = ['red', 'green', 'yellow', 'blue', 'dim', 'bold', 'underline'] as const;

/**
 * Styles that leave text as it is. Plain output (a pipe, a file, NO_COLOR, --no-color: every CI
 * run) does not load chalk at all: its modules cost several milliseconds of start-up.
 */
export const PLAIN: Paint = (() => {
  const style = ((...text: unknown[]) => text.join(' ')) as unknown as Record<string, unknown>;
  for (const name of STYLES) Object.defineProperty(style, name, { get: () => style });
  return style as unknown as Paint;
})();

/** Returns chalk (16 colours) when `color`, PLAIN otherwise. */
export async function loadPaint(color: boolean): Promise<Paint> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}
