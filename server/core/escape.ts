/**
 * Escaping of text that comes from the user's code or settings (op source text, einsum
 * equations, dim names, device names) before it reaches a terminal or a Markdown renderer.
 *
 * A terminal obeys escape sequences: an ESC byte in an einsum equation could clear the screen
 * or print a fake "all clear". A Markdown renderer obeys backticks, brackets and pipes: a
 * backtick in a dim name closes the code span around it, and what follows becomes a live link
 * or a remote image in a hover. Every user-derived string goes through one of these functions.
 */

/**
 * C0 and C1 control characters and DEL, and the Unicode controls that reorder or hide text
 * (bidirectional overrides and isolates, as in "Trojan Source"; zero-width joiners are left alone,
 * since emoji and some scripts need them).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown as an escape (`\x1b`), for terminal output. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * `text` as literal Markdown: every ASCII punctuation character that Markdown could read as
 * syntax is backslash-escaped (CommonMark allows that for all of them), line breaks become
 * spaces (a table row ends at a line break) and control characters are shown as escapes.
 */
export function mdText(text: string): string {
  return escapeControl(text.replace(/\r\n|\r|\n/g, ' ')).replace(/[\\`*_{}[\]()#+\-.!|<>~&"'=:$%^@]/g, '\\$&');
}

/**
 * `text` as an inline code span. Backslashes do not escape inside a code span, so the span is
 * delimited by one backtick more than the longest run of backticks in the text (CommonMark),
 * padded with spaces when the text starts or ends with a backtick. In a table cell (`inTable`),
 * pipes are escaped as GFM requires even inside code spans.
 */
export function mdCode(text: string, inTable = false): string {
  let t = escapeControl(text.replace(/\r\n|\r|\n/g, ' '));
  if (inTable) t = t.replace(/\|/g, '\\|');
  let longest = 0;
  for (const m of t.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}
