import { escapeText } from './text.js';

/**
 * Returns `text` as a Graphviz DOT quoted string: control characters escaped visibly first,
 * then `\` doubled (Graphviz reads `\N`, `\G`, `\l` and friends in labels as its own escapes) and
 * `"` escaped. Nothing else can end a quoted string or start an HTML label.
 */
export function dotString(text: string): string {
  return `"${escapeText(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Returns several lines as one DOT label, each escaped as {@link dotString} does, joined by DOT's `\n` line break. */
export function dotLines(lines: readonly string[]): string {
  return `"${lines.map((line) => escapeText(line).replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
}
