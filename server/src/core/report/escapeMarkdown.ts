/**
 * Escaping for markdown built from document text (the audit report, the overview, the trace
 * report, hover cards): the one place where a name, a statement or a message becomes markdown.
 * The result renders as text in any renderer (HTML and linkify on included): no link, image, HTML,
 * emphasis, table cell or autolink, and no control character (shown as `\x1b`, like a terminal).
 */
import { showControls } from './escapeTerminal';

/** Text for a markdown table cell or inline text (no HTML, no links, no emphasis). */
export function escapeMarkdown(text: string): string {
  return (
    showControls(text.replace(/\r?\n|\r/g, ' '))
      .replace(/[\\`*_{}[\]()<>#!|~&]/g, (c) => `\\${c}`)
      // Autolink literals (GFM in hovers, linkify in the markdown preview) need no brackets: break
      // `scheme://`, `www.` and e-mail addresses so a name like `https://evil.example` stays text.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/\b(www)\./gi, '$1\\.')
      .replace(/@/g, '\\@')
  );
}

/** Text inside a code span: backticks cannot be escaped there, so they are replaced; pipes would end the table cell. */
export function codeSafe(text: string): string {
  return showControls(
    text
      .replace(/`/g, "'")
      .replace(/\|/g, '¦')
      .replace(/\r?\n|\r/g, ' '),
  );
}
