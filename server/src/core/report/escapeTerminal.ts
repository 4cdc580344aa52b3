/**
 * Escaping for text written to a terminal or a CI log (`lockwise lint`, `audit`, `trace`, the
 * `--fix --dry-run` diff, every error message): the one place that decides which characters of a
 * file, a path or a config key may reach a terminal raw. An escape sequence in a table name would
 * be run by the terminal (clear the screen, rewrite the title, fake a clean report), a newline would
 * start a line of its own (a GitHub workflow command), a bidi override would reorder what is shown.
 * They are shown as escapes instead (`\x1b`, `\n`, `\u202e`), as in a JavaScript string.
 *
 * The markdown, HTML and GitHub modules call showControls() too, so every output kind hides the
 * same characters.
 */

/**
 * C0 controls (newline and tab included: a value is one line), DEL, C1 controls (0x9B is a CSI on
 * its own in some terminals), and the invisible characters that reorder or split lines: bidi marks,
 * embeddings, overrides and isolates, line and paragraph separators.
 */
const CONTROLS = /[\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** Every control and invisible reordering character as a visible escape (`\x1b`, `\n`, `\u202e`). */
export function showControls(text: string): string {
  return text.replace(CONTROLS, escapeOne);
}

/** One value (a path, a name, a message) on one line of terminal output. */
export function terminalText(text: string): string {
  return showControls(text);
}

/** Every line of a multi-line block (a diff): line breaks (`\n`, `\r\n`) stay as `\n`, everything else is escaped. */
export function terminalLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => showControls(line))
    .join('\n');
}

/** At most `max` UTF-16 units (never half a surrogate pair), with `…` when clipped. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, cut)}…`;
}

/** A value from a file quoted in a message (a config key): clipped, escaped, in double quotes. */
export function quoted(text: string, max = 60): string {
  return `"${terminalText(clip(text, max)).replace(/"/g, '\\"')}"`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A source line as shown under a message: escaped, clipped to a window, with where the carets go. */
export interface Excerpt {
  text: string;
  /** Columns (code points of `text`) before the first caret. */
  caret: number;
  /** Number of carets (at least 1). */
  width: number;
}

/** Lines longer than this are clipped around the finding. */
export const EXCERPT_MAX = 200;
const BEFORE = 60;
const SPAN_MAX = 80;
const AFTER = 40;

/**
 * The excerpt of `line` for a finding from UTF-16 offset `start` to `end` (clamped to the line).
 * A 1 MB one-line file with 29,000 findings printed the whole line under each of them ("Invalid
 * string length"): long lines show a window around the finding, `…` where they were cut. Tabs
 * become four spaces (as rustc shows them); controls are escaped, and the carets count what is shown.
 */
export function terminalExcerpt(line: string, start: number, end: number): Excerpt {
  start = Math.max(0, Math.min(start, line.length));
  end = Math.max(start, Math.min(end, line.length));
  let from = 0;
  let to = line.length;
  let spanEnd = end;
  if (line.length > EXCERPT_MAX) {
    spanEnd = Math.min(end, start + SPAN_MAX);
    from = Math.max(0, start - BEFORE);
    to = Math.min(line.length, spanEnd + AFTER);
  }
  from = alignStart(line, from);
  to = alignEnd(line, to);
  spanEnd = alignEnd(line, spanEnd);
  const head = (from > 0 ? '…' : '') + excerptText(line.slice(from, start));
  const span = excerptText(line.slice(start, spanEnd));
  const tail = excerptText(line.slice(spanEnd, to)) + (to < line.length ? '…' : '');
  return { text: head + span + tail, caret: columns(head), width: Math.max(1, columns(span)) };
}

function excerptText(text: string): string {
  return showControls(text.replace(/\t/g, '    '));
}

function columns(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Moves an offset off the low half of a surrogate pair (backwards). */
function alignStart(text: string, at: number): number {
  return at > 0 && at < text.length && isHighSurrogate(text.charCodeAt(at - 1)) ? at - 1 : at;
}

/** Moves an offset off the low half of a surrogate pair (forwards). */
function alignEnd(text: string, at: number): number {
  return at > 0 && at < text.length && isHighSurrogate(text.charCodeAt(at - 1)) ? at + 1 : at;
}
