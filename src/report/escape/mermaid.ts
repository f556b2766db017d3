import { escapeText } from './text.js';

/**
 * Mermaid's entity codes for what could end a quoted label or be read as markup in it: `"`, the
 * `#` that starts an entity code itself, `<`, `>` and `&` (labels are rendered as HTML) and the
 * backtick that starts a Markdown string.
 */
const ENTITIES: Readonly<Record<string, string>> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' };

function entities(text: string): string {
  return escapeText(text).replace(/["#<>&`]/g, (char) => ENTITIES[char]);
}

/** Returns `text` as a quoted Mermaid flowchart label (`"..."`), with control characters escaped visibly. */
export function mermaidLabel(text: string): string {
  return `"${entities(text)}"`;
}

/** Returns several lines as one quoted Mermaid label, each escaped as {@link mermaidLabel} does, joined by `<br/>`. */
export function mermaidLines(lines: readonly string[]): string {
  return `"${lines.map(entities).join('<br/>')}"`;
}
