/**
 * The injection corpus for terminals and CI logs (issue 12): escape sequences, C0/C1 controls,
 * bidi overrides and GitHub workflow commands, as identifiers, literals, comments, file names and
 * config keys. markdownSafety.ts has the markdown/HTML half (links, images, HTML in names).
 */
import { quoteIdent, quoteLiteral } from './markdownSafety';

/** Text that acts on a terminal, a log viewer or a CI runner when printed raw. */
export const TERMINAL_ATTACKS = [
  '\x1b[2J\x1b[H', // CSI: clear the screen
  '\x1b]0;pwned\x07', // OSC: window title
  '\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\', // OSC 8 hyperlink
  '\x1bP+q544e\x1b\\', // DCS (terminal queries answered on stdin)
  '\x9b31mred', // C1 CSI
  '\x90dcs\x9c', // C1 DCS ... ST
  'bell\x07\x08\x08\x08back', // BEL, backspaces over the text
  'nul\x00byte',
  'abc\u202egnp.exe', // bidi override (Trojan Source)
  'iso\u2066late\u2069\u200f', // isolates, RLM
  'x\n::error file=owned.sql,line=1::injected', // newline + workflow command
  'x\r::warning::carriage return',
  'x\u2028line separator',
  'x\x85::error::NEL', // NEL: a line break to some readers, whitespace to .NET's TrimStart
  '##[error]old-style command',
  '::add-mask::secret',
  '%0A::error::percent',
];

/** A migration that names every attack: tables, columns, indexes, literals, a comment. */
export function injectionMigration(): string {
  const out: string[] = [];
  TERMINAL_ATTACKS.forEach((a, i) => {
    const t = quoteIdent(`t${i}${a}`);
    out.push(
      `-- comment ${a.replace(/[\r\n]/g, ' ')}`,
      `CREATE INDEX ${quoteIdent(`i${i}${a}`)} ON ${t} (${quoteIdent(a)});`,
      `ALTER TABLE ${t} ADD COLUMN ${quoteIdent(`c${a}`)} int NOT NULL DEFAULT 0;`,
      `ALTER TABLE ${t} ALTER COLUMN c TYPE ${quoteIdent(a)};`,
      `UPDATE ${t} SET c = ${quoteLiteral(a)};`,
    );
  });
  // A line that starts with a command, and one with only the attack on it (diff context, excerpts).
  out.push('::error file=x.sql::from a line of SQL', `ALTER TABLE ${quoteIdent('::error::t')} ADD COLUMN d int NOT NULL;`);
  return out.join('\n') + '\n';
}

/** File names with attacks (one path segment each; no `/`, no NUL). */
export const HOSTILE_FILE_NAMES = ['\x1b]0;pwned\x07.sql', '::error file=a::b.sql', 'a\n::warning::nl.sql', 'a#b?c%.sql', 'bidi\u202elqs.sql'];
