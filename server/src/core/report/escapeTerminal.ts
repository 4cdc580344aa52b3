/**
 * Escaping for plain text written to a terminal (`lockwise audit` on a TTY): a table or file name
 * may hold control characters, and an escape sequence in one would be run by the terminal (clear
 * the screen, rewrite the title, fake a clean report). They become visible symbols instead, and
 * bidirectional overrides (which reorder what is shown) become U+FFFD.
 */
export function terminalText(text: string): string {
  return text
    .replace(/[\x00-\x1F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
    .replace(/\x7F/g, '\u2421')
    .replace(/[\x80-\x9F\u202A-\u202E\u2066-\u2069]/g, '\uFFFD');
}
