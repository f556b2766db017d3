/** XML 1.0 allows no control characters but tab, newline and carriage return, not even as references. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function escapeMarkup(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Escapes text for XML 1.0 character data: markup characters as entities, the control
 * characters XML cannot carry (and the non-characters U+FFFE, U+FFFF) as U+FFFD, and carriage
 * returns as `&#13;`, which a parser would otherwise turn into newlines.
 */
export function xmlText(text: string): string {
  return escapeMarkup(text).replace(/\r/g, '&#13;');
}

/**
 * Escapes text for an XML 1.0 attribute value: as {@link xmlText}, with tabs and newlines as
 * references too, since a parser normalises them to spaces in attributes.
 */
export function xmlAttribute(text: string): string {
  return escapeMarkup(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
