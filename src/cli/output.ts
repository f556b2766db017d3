import type { GlobalOptions } from './context.js';

export { openOutput } from './io.js';

/** Colour goes to the terminal only: never into a file written with --output. */
export function shouldColorFile(outputFile: string | undefined, global: GlobalOptions): boolean {
  return outputFile === undefined && global.color;
}
