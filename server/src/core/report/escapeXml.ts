/**
 * Escaping for SVG and HTML output (the lock timeline and `lockwise audit --format html`): the one
 * place where text from a migration becomes markup. Every name, statement and path goes through
 * `xml()` at the point where it is written, as element text or as a quoted attribute value.
 */
import { showControls } from './escapeTerminal';

/**
 * Characters XML 1.0 forbids even as references that showControls() leaves (lone surrogates,
 * U+FFFE/U+FFFF): one of them in a quoted table name would make the whole SVG unreadable to a
 * browser, so they become U+FFFD.
 */
const NOT_XML = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text safe both as element content and inside a single- or double-quoted attribute. Controls,
 * line breaks and bidi overrides are shown as escapes (`\x1b`, `\n`, `\u202e`) like in every
 * other output, so no name reorders the page or starts a line of the file of its own.
 */
export function xml(text: string): string {
  return showControls(text)
    .replace(NOT_XML, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number written into an attribute: finite, and short (two decimals at most). */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(Math.round(n * 100) / 100);
}
