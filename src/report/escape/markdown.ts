import { escapeText } from './text.js';

/**
 * Returns `text` as a Markdown code span (CommonMark 0.31, GitHub Flavored Markdown), the one
 * construct in which nothing is interpreted: no HTML, links, autolinks (`www.example.com`
 * names), images, emphasis or math. The fence is one backtick longer than the longest run of
 * backticks in the text, padded with spaces where the text starts or ends with a backtick or a
 * space (CommonMark strips one space from each end). Control characters are escaped first, so a
 * name cannot end the line, the table row or the list item. An empty text stays empty.
 */
export function markdownCode(text: string): string {
  const safe = escapeText(text);
  if (safe === '') return '';
  let longest = 0;
  for (const run of safe.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const padded = /^[` ]|[` ]$/.test(safe) ? ` ${safe} ` : safe;
  return `${fence}${padded}${fence}`;
}

/**
 * Returns `text` as a code span inside a GFM table cell: as {@link markdownCode}, with `|`
 * escaped, since GFM splits a row into cells before it reads code spans (and shows `\|` inside
 * one as `|`).
 */
export function markdownTableCode(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}
