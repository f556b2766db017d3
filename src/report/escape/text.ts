/**
 * Characters that must not reach a terminal, a log or a plain-text report as they are: C0 and
 * C1 controls (newline, carriage return, ESC that starts CSI and OSC sequences, BEL, DEL, ...),
 * the Unicode line and paragraph separators, and the bidirectional formatting characters that
 * reorder what the reader sees (Trojan Source, CVE-2021-42574).
 */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
const UNSAFE_ALL = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Returns `text` with every control, line-separator and bidirectional formatting character
 * written as a visible escape (`\n`, `\x1B`, `\u202E`), so that text taken from the manifests or
 * the file system (names, labels, file names, values quoted in messages) can neither start a new
 * line (a GitHub workflow command such as `::error::`), nor drive the terminal (colours, titles,
 * hyperlinks), nor reorder what is shown. Backslashes are left as they are: file names on Windows
 * are full of them.
 */
export function escapeText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, visible) : text;
}

/** Returns true when {@link escapeText} would change `text`. */
export function hasUnsafeText(text: string): boolean {
  return UNSAFE.test(text);
}
