import { escapeText } from './text.js';

/** What starts a formula in a spreadsheet (OWASP, CSV Injection): `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Returns `text` as one CSV field (RFC 4180) that a spreadsheet shows as text: control characters
 * escaped visibly, a field that would start a formula prefixed with `'` as OWASP recommends, and
 * the field quoted (quotes doubled) when it holds a quote or a comma.
 */
export function csvCell(text: string): string {
  let cell = escapeText(text);
  if (FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
