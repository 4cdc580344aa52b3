/**
 * PostgreSQL's lexer (src/backend/parser/scan.l) in JavaScript, for the tokens rules read: the same
 * tokens, kinds and spans as libpg-query's `scanSync` without a round trip through WASM and JSON
 * (the scan was 9% of a cold corpus lint). It covers what migrations are made of and answers
 * `undefined` for the rest (Unicode-escaped strings and identifiers, N'' literals, string
 * continuations across lines, E'' strings with numeric escapes, non-decimal numbers, trailing junk,
 * anything unterminated, control characters): the caller then asks
 * `scanSync`. test/unit/sqlScanner.test.ts compares both on the corpus and the fixtures.
 */
import type { Token } from './parser';
import { KEYWORDS_BY_KIND } from './keywords';

const KEYWORDS = new Map<string, string>();
for (const [kind, words] of Object.entries(KEYWORDS_BY_KIND)) for (const word of words.split(' ')) KEYWORDS.set(word, kind);
const LONGEST_KEYWORD = Math.max(...[...KEYWORDS.keys()].map((w) => w.length));

/** libpg-query's names for the tokens it names; every other token is 'UNKNOWN'. */
const CHAR_NAMES: Record<string, string> = { '(': 'ASCII_40', ')': 'ASCII_41', '*': 'ASCII_42', ',': 'ASCII_44', ';': 'ASCII_59', '=': 'ASCII_61' };
const PAIR_NAMES: Record<string, string> = { '<=': 'LESS_EQUALS', '>=': 'GREATER_EQUALS', '<>': 'NOT_EQUALS', '!=': 'NOT_EQUALS' };
const OP_CHARS = '~!@#^&|`?+-*/%<>=';
/** scan.l's `self`: single characters that are tokens of their own. */
const SELF = ',()[].;:+-*/%^<>=';
/** Operator characters that let a multi-character operator end in + or -. */
const NON_SQL_OP = '~!@#^&|`?%';
const NAMEDATALEN = 64;

const isSpace = (k: number) => k === 32 || (k >= 9 && k <= 13);
const isDigit = (k: number) => k >= 48 && k <= 57;
const isIdentStart = (k: number) => (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k >= 0x80;
const isIdentCont = (k: number) => isIdentStart(k) || isDigit(k) || k === 36;
const isOpChar = (c: string) => OP_CHARS.includes(c);

/** Thrown inside the scanner for input it leaves to libpg-query. */
class Unsupported extends Error {}

/** Control characters libpg-query's JSON does not escape: with one in a token, `scanSync` gives no tokens at all. */
const UNESCAPED_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/** The tokens of `text` (comments left out), or undefined when `scanSync` must answer. */
export function scanSql(text: string): Token[] | undefined {
  if (UNESCAPED_CONTROL.test(text)) return undefined;
  try {
    return new Scanner(text).run();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Scanner {
  private i = 0;
  private readonly tokens: Token[] = [];
  constructor(private readonly text: string) {}

  run(): Token[] {
    const { text } = this;
    while (this.i < text.length) {
      const k = text.charCodeAt(this.i);
      if (isSpace(k)) this.i++;
      else if (k === 45 && text.charCodeAt(this.i + 1) === 45) this.lineComment();
      else if (k === 47 && text.charCodeAt(this.i + 1) === 42) this.blockComment();
      else if (isIdentStart(k)) this.word();
      else if (isDigit(k) || (k === 46 && isDigit(text.charCodeAt(this.i + 1)))) this.number();
      else if (k === 39) this.quoted(this.i, this.i, false);
      else if (k === 34) this.quotedIdent();
      else if (k === 36) this.dollar();
      else this.punctuation();
    }
    return this.tokens;
  }

  private push(start: number, end: number, kind: string, keyword = false): void {
    const raw = this.text.slice(start, end);
    this.tokens.push({ start, end, text: keyword ? raw.toUpperCase() : raw, keyword, kind });
    this.i = end;
  }

  private lineComment(): void {
    let j = this.i + 2;
    while (j < this.text.length && this.text[j] !== '\n' && this.text[j] !== '\r') j++;
    this.i = j;
  }

  private blockComment(): void {
    const { text } = this;
    let depth = 0;
    let j = this.i;
    while (j < text.length) {
      if (text[j] === '/' && text[j + 1] === '*') {
        depth++;
        j += 2;
      } else if (text[j] === '*' && text[j + 1] === '/') {
        j += 2;
        if (--depth === 0) {
          this.i = j;
          return;
        }
      } else j++;
    }
    throw new Unsupported('unterminated comment');
  }

  /** An identifier or keyword, or the one-letter prefix of a string literal (E'', B'', X''). */
  private word(): void {
    const { text } = this;
    const start = this.i;
    const c = text[start];
    const next = text[start + 1];
    if (next === "'") {
      if (c === 'e' || c === 'E') return this.quoted(start, start + 1, true);
      if (c === 'b' || c === 'B' || c === 'x' || c === 'X') return this.bitString(start);
      if (c === 'n' || c === 'N') throw new Unsupported("N''");
    }
    if ((c === 'u' || c === 'U') && next === '&' && (text[start + 2] === "'" || text[start + 2] === '"')) throw new Unsupported("U&''");
    let j = start + 1;
    let ascii = text.charCodeAt(start) < 0x80;
    while (j < text.length && isIdentCont(text.charCodeAt(j))) {
      if (text.charCodeAt(j) >= 0x80) ascii = false;
      j++;
    }
    const kind = ascii && j - start <= LONGEST_KEYWORD ? KEYWORDS.get(text.slice(start, j).toLowerCase()) : undefined;
    this.push(start, j, kind ?? 'IDENT', kind !== undefined);
  }

  /** Decimal integers and numerics (`1_000`, `1.5`, `.5`, `1e-3`); an integer beyond int4 is FCONST, as in scan.l. */
  private number(): void {
    const { text } = this;
    const start = this.i;
    let j = this.digits(start);
    let integer = j > start;
    // `1..5` is an integer and DOT_DOT (numericfail).
    if (text[j] === '.' && text[j + 1] !== '.') {
      integer = false;
      j = this.digits(j + 1);
    }
    if (text[j] === 'e' || text[j] === 'E') {
      const sign = text[j + 1] === '+' || text[j + 1] === '-' ? 1 : 0;
      if (isDigit(text.charCodeAt(j + 1 + sign))) {
        integer = false;
        j = this.digits(j + 1 + sign);
      }
    }
    if (j < text.length && isIdentStart(text.charCodeAt(j))) throw new Unsupported('trailing junk or a non-decimal integer');
    this.push(start, j, integer && fitsInt4(text.slice(start, j)) ? 'ICONST' : 'FCONST');
  }

  /** `{decdigit}(_?{decdigit})*` from `j` (none: `j`). */
  private digits(j: number): number {
    const { text } = this;
    while (isDigit(text.charCodeAt(j)) || (text[j] === '_' && isDigit(text.charCodeAt(j + 1)) && j > 0 && isDigit(text.charCodeAt(j - 1)))) j++;
    return j;
  }

  /** '...' (`escapes`: E'...'); '' is a quote. `start` is the token's start, `quote` the opening quote. */
  private quoted(start: number, quote: number, escapes: boolean): void {
    const { text } = this;
    let j = quote + 1;
    for (;;) {
      if (j >= text.length) throw new Unsupported('unterminated string');
      const c = text[j];
      if (c === "'") {
        if (text[j + 1] !== "'") break;
        j += 2;
      } else if (c === '\\' && escapes) {
        // Octal, hex and Unicode escapes can make invalid text, which scan.l rejects.
        if (/[0-7xuU]/.test(text[j + 1] ?? '0')) throw new Unsupported('numeric escape');
        j += 2;
      } else j++;
    }
    this.endString(start, j + 1, 'SCONST');
  }

  /** B'...' and X'...' (their digits are checked later, by the parser). */
  private bitString(start: number): void {
    const close = this.text.indexOf("'", start + 2);
    if (close < 0) throw new Unsupported('unterminated string');
    this.endString(start, close + 1, 'UNKNOWN');
  }

  /** A string literal continues after a newline with another quote (scan.l's quotecontinue): left to scanSync. */
  private endString(start: number, end: number, kind: string): void {
    const { text } = this;
    let j = end;
    for (;;) {
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text[j] !== '-' || text[j + 1] !== '-') break;
      while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
    }
    if (text[j] === "'") throw new Unsupported('string continuation');
    this.push(start, end, kind);
  }

  private quotedIdent(): void {
    const { text } = this;
    const start = this.i;
    let j = start + 1;
    for (;;) {
      const close = text.indexOf('"', j);
      if (close < 0) throw new Unsupported('unterminated identifier');
      if (text[close + 1] !== '"') {
        if (close === start + 1) throw new Unsupported('zero-length identifier');
        this.push(start, close + 1, 'IDENT');
        return;
      }
      j = close + 2;
    }
  }

  /** `$1`, or a dollar-quoted string `$tag$...$tag$`. */
  private dollar(): void {
    const { text } = this;
    const start = this.i;
    if (isDigit(text.charCodeAt(start + 1))) {
      let j = start + 1;
      while (isDigit(text.charCodeAt(j))) j++;
      if (j < text.length && isIdentCont(text.charCodeAt(j))) throw new Unsupported('parameter junk');
      if (j - start > 10) throw new Unsupported('parameter number too large');
      this.push(start, j, 'PARAM');
      return;
    }
    let j = start + 1;
    if (isIdentStart(text.charCodeAt(j))) {
      j++;
      while (j < text.length && isIdentCont(text.charCodeAt(j)) && text[j] !== '$') j++;
    }
    if (text[j] !== '$') throw new Unsupported('a lone $');
    const tag = text.slice(start, j + 1);
    const close = text.indexOf(tag, j + 1);
    if (close < 0) throw new Unsupported('unterminated dollar quote');
    this.push(start, close + tag.length, 'SCONST');
  }

  /** Punctuation and operators: `::`, `:=`, `..`, single characters of `self`, and scan.l's operator rule. */
  private punctuation(): void {
    const { text } = this;
    const start = this.i;
    const c = text[start];
    const next = text[start + 1];
    if (c === ':') return this.push(start, start + (next === ':' || next === '=' ? 2 : 1), next === ':' ? 'TYPECAST' : 'UNKNOWN');
    if (c === '.') return this.push(start, start + (next === '.' ? 2 : 1), 'UNKNOWN');
    // Not an operator character: `self`, or scan.l's `{other}` (`{`, `}`, a backslash), a token of its own either way.
    if (!isOpChar(c)) return this.push(start, start + 1, CHAR_NAMES[c] ?? 'UNKNOWN');
    let end = start + 1;
    while (end < text.length && isOpChar(text[end])) end++;
    const run = end - start;
    // Fixed two-character tokens win a tie with the operator rule (they come first in scan.l).
    if (run === 2 && (PAIR_NAMES[text.slice(start, end)] || text.slice(start, end) === '=>'))
      return this.push(start, end, PAIR_NAMES[text.slice(start, end)] ?? 'UNKNOWN');
    if (run === 1) return this.push(start, end, CHAR_NAMES[c] ?? 'UNKNOWN');
    this.operator(start, end);
  }

  /** scan.l's `{operator}` action: stop at an embedded comment start, drop trailing + and - unless a non-SQL character allows them. */
  private operator(start: number, end: number): void {
    const op = this.text.slice(start, end);
    const comment = [op.indexOf('/*'), op.indexOf('--')].filter((x) => x >= 0);
    let n = comment.length ? Math.min(...comment) : op.length;
    if (n > 1 && (op[n - 1] === '+' || op[n - 1] === '-') && ![...op.slice(0, n - 1)].some((ch) => NON_SQL_OP.includes(ch))) {
      do n--;
      while (n > 1 && (op[n - 1] === '+' || op[n - 1] === '-'));
    }
    if (n < op.length) {
      if (n === 1 && SELF.includes(op[0])) return this.push(start, start + 1, CHAR_NAMES[op[0]] ?? 'UNKNOWN');
      if (n === 2 && (PAIR_NAMES[op.slice(0, 2)] || op.slice(0, 2) === '=>')) return this.push(start, start + 2, PAIR_NAMES[op.slice(0, 2)] ?? 'UNKNOWN');
    }
    if (n >= NAMEDATALEN) throw new Unsupported('operator too long');
    this.push(start, start + n, 'UNKNOWN');
  }
}

/** Whether a decimal literal (digits and underscores) fits in int4, which makes it ICONST in scan.l. */
function fitsInt4(literal: string): boolean {
  const digits = literal.replace(/_/g, '').replace(/^0+(?=\d)/, '');
  return digits.length < 10 || (digits.length === 10 && digits <= '2147483647');
}
