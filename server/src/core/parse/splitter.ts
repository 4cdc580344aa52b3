/**
 * Splits a migration file into statements the way psql does, without parsing: libpg_query's
 * whole-file parse is all-or-nothing, and one typo must not hide every other statement.
 *
 * Handles `;` inside strings (with `E''` escapes), quoted identifiers, nested block comments,
 * dollar quotes with tags, `BEGIN ATOMIC ... END` function bodies, `COPY ... FROM stdin` data up
 * to `\.`, and psql meta-command lines (`\set`, `\i`, ...), which are skipped.
 */

export interface SqlChunk {
  /** UTF-16 offset of the statement's first token. */
  start: number;
  /** UTF-16 offset just past its last token (the `;` is not included). */
  end: number;
  /** Offset just past the terminating `;`, or `end` when the file ended first. */
  terminatorEnd: number;
  terminated: boolean;
}

export interface SqlComment {
  start: number;
  end: number;
  text: string;
  /** `--` comment (as opposed to a block comment). */
  line: boolean;
}

export interface SplitResult {
  chunks: SqlChunk[];
  comments: SqlComment[];
  /** Spans skipped because they are psql meta-commands or COPY data. */
  skipped: { start: number; end: number; reason: 'meta-command' | 'copy-data' }[];
}

// The loop below runs once per token; runs of characters (spaces, the rest of a word, comments,
// quoted text) are skipped by sticky regexes and indexOf, which are native code from the first call:
// a CLI run splits each file once, mostly before the JIT has optimised this function, and a
// character-at-a-time loop then cost more than the parse of the same text.
/** Same set as /[A-Za-z_\u0080-\uffff]/ (a word's first character). */
const isIdentStartCode = (k: number) => (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k >= 0x80;
const isIdentStart = (c: string) => isIdentStartCode(c.charCodeAt(0));
const isIdentChar = (c: string) => {
  const k = c.charCodeAt(0);
  return isIdentStartCode(k) || (k >= 48 && k <= 57) || k === 36;
};
/** The rest of a word: what isIdentChar accepts. */
const WORD_REST = /[A-Za-z0-9_$\u0080-\uffff]*/y;
const SPACES = /[ \t\n\r\f\v\uFEFF]*/y;
const LINE_BREAK = /[\n\r]/g;
const COMMENT_MARK = /\/\*|\*\//g;
const QUOTE_OR_BACKSLASH = /['\\]/g;
/** Characters that change nothing but the statement's last token: all but a backslash, `-`, `/`, `;`, quotes and `$`. */
const PLAIN_RUN = /[^\\\-/;'"$]*/y;
const isSpaceCode = (k: number) => k === 32 || (k >= 9 && k <= 13) || k === 0xfeff;

/** `end` moved back over the spaces that end text[from, end). */
function trimSpaces(text: string, from: number, end: number): number {
  let e = end;
  while (e > from && isSpaceCode(text.charCodeAt(e - 1))) e--;
  return e;
}

/** Where the regex `re` (sticky) stops matching from `i`. */
function skip(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  re.test(text);
  return re.lastIndex;
}

/** Reads a dollar-quote tag (`$tag$` or `$$`) starting at `i`, or undefined if `$` starts no tag. */
function dollarTagAt(text: string, i: number): string | undefined {
  let j = i + 1;
  if (text[j] === '$') return '$$';
  if (j >= text.length || !isIdentStart(text[j])) return undefined;
  while (j < text.length && isIdentChar(text[j]) && text[j] !== '$') j++;
  return text[j] === '$' ? text.slice(i, j + 1) : undefined;
}

/**
 * Text that takes every branch of `split`'s loop: a meta-command, COPY data, BEGIN ATOMIC with a
 * CASE, each kind of quote and comment, a `$1`, a statement long enough to skip its words, and
 * spaces at the very end (test/unit/splitter.test.ts checks it still does).
 */
export const EVERY_BRANCH =
  '\\set x 1\nCOPY t FROM stdin;\n1\t2\n\\.\nCREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;\n' +
  "SELECT E'a\\'b', 'c''d', \"q\"\"i\", $1, $t$x$t$, $$y$$ /* a /* b */ */ -- c\nFROM a b c d e f g h i j k l m n o p + q;\n ";

let primed = false;

/**
 * Splits `text` into statements, comments and skipped spans (meta-commands, COPY data).
 *
 * The first call splits EVERY_BRANCH twice first (V8 records what each branch sees only once a
 * function has run a while). V8 optimises the loop below for the branches it has seen run; one that
 * had not run by then (the first block comment, the first `$1`) threw the optimised code away when a
 * later file took it, and V8 compiled it again: three times per thread in a lint of the corpus (83 ms
 * of compiling), now once and once more on the stack of a long file (bench/FINDINGS.md, session 21).
 */
export function splitStatements(text: string): SplitResult {
  if (!primed) {
    primed = true;
    split(EVERY_BRANCH);
    split(EVERY_BRANCH);
  }
  return split(text);
}

// One loop with its state in locals, on purpose (see above): helpers that take and return that state
// would cost a call per token before the JIT has run. No closures over that state either: V8's
// optimised loop held the closures of the call it was made in, and was dropped once they were collected.
// eslint-disable-next-line max-lines-per-function
function split(text: string): SplitResult {
  const chunks: SqlChunk[] = [];
  const comments: SqlComment[] = [];
  const skipped: SplitResult['skipped'] = [];
  const n = text.length;

  let { stmtStart, lastTokenEnd, words, atomicDepth, wordsDone } = nextStatement();

  let i = 0;
  while (i < n) {
    if (wordsDone) {
      const j = skip(PLAIN_RUN, text, i);
      if (j > i) {
        // The run's tokens end where its trailing spaces begin (a statement is open: a word was read).
        const end = trimSpaces(text, i, j);
        if (end > i) lastTokenEnd = end;
        i = j;
        continue;
      }
    }
    const c = text[i];
    // psql meta-command: a backslash outside any quote ends the statement and runs to end of line.
    if (c === '\\') {
      const lineEnd = endOfLine(text, i);
      const wasCopy = endStatement(chunks, stmtStart, lastTokenEnd, words, i, stmtStart >= 0);
      ({ stmtStart, lastTokenEnd, words, atomicDepth, wordsDone } = nextStatement());
      skipped.push({ start: i, end: lineEnd, reason: 'meta-command' });
      i = lineEnd;
      if (wasCopy) i = skipCopyData(text, i, skipped);
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f' || c === '\v' || c === '\uFEFF') {
      // A single space is the usual case: the regex call pays only for a run. (Reading past the end
      // would throw the optimised loop away.)
      i = i + 1 < n && isSpaceCode(text.charCodeAt(i + 1)) ? skip(SPACES, text, i + 2) : i + 1;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const lineEnd = endOfLine(text, i);
      comments.push({ start: i, end: lineEnd, text: text.slice(i, lineEnd), line: true });
      i = lineEnd;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = skipBlockComment(text, i);
      comments.push({ start: i, end, text: text.slice(i, end), line: false });
      i = end;
      continue;
    }
    if (c === ';') {
      if (atomicDepth > 0) {
        lastTokenEnd = i + 1;
        i++;
        continue;
      }
      const wasCopy = endStatement(chunks, stmtStart, lastTokenEnd, words, i + 1, true);
      ({ stmtStart, lastTokenEnd, words, atomicDepth, wordsDone } = nextStatement());
      i++;
      if (wasCopy) i = skipCopyData(text, endOfLine(text, i) + lineBreakLength(text, endOfLine(text, i)), skipped);
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (c === "'") {
      const escapes = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && !(i > 1 && isIdentChar(text[i - 2]));
      i = skipQuoted(text, i, "'", escapes);
      lastTokenEnd = i;
      continue;
    }
    if (c === '"') {
      i = skipQuoted(text, i, '"', false);
      lastTokenEnd = i;
      continue;
    }
    if (c === '$') {
      const tag = dollarTagAt(text, i);
      if (tag && !(i > 0 && isIdentChar(text[i - 1]))) {
        const close = text.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
        lastTokenEnd = i;
        continue;
      }
      i++;
      lastTokenEnd = i;
      continue;
    }
    if (isIdentStart(c)) {
      const j = skip(WORD_REST, text, i + 1);
      // E'...' / U&'...' / B'...' / X'...': the quote right after is handled by the string branch.
      if (wordsMatter(words, atomicDepth)) {
        const word = text.slice(i, j).toUpperCase();
        words.push(word);
        atomicDepth = atomicDepthAfter(word, words, atomicDepth);
      } else wordsDone = true;
      i = j;
      lastTokenEnd = i;
      continue;
    }
    i++;
    lastTokenEnd = i;
  }
  endStatement(chunks, stmtStart, lastTokenEnd, words, n, false);
  return { chunks, comments, skipped };
}

/** The loop's state at the start of a statement. */
function nextStatement() {
  return {
    /** The offset of its first token (-1: none yet). */
    stmtStart: -1,
    lastTokenEnd: -1,
    /** Its words (upper-cased), for BEGIN ATOMIC and COPY detection. */
    words: [] as string[],
    atomicDepth: 0,
    /** Once no further word can matter (wordsMatter), the rest of it up to the next character that can end it or open a quote or comment is skipped in one step. */
    wordsDone: false,
  };
}

/** Adds the statement that starts at `start` (if one did) to `chunks`; true when it is a COPY ... FROM stdin (its data follows). */
function endStatement(chunks: SqlChunk[], start: number, end: number, words: string[], terminatorEnd: number, terminated: boolean): boolean {
  if (start < 0) return false;
  chunks.push({ start, end, terminatorEnd, terminated });
  return isCopyFromStdin(words);
}

/**
 * Whether the next word can still change anything: BEGIN ATOMIC tracking reads only the first
 * nine words unless the statement defines a routine, and COPY detection only COPY statements.
 * Skipping the rest saves a slice and an upper-casing per identifier of long statements.
 */
function wordsMatter(words: string[], atomicDepth: number): boolean {
  return words.length <= 8 || atomicDepth > 0 || words[0] === 'COPY' || isRoutineDefinition(words);
}

/** The BEGIN ATOMIC ... END nesting after `word`, the last of `words`. */
function atomicDepthAfter(word: string, words: string[], atomicDepth: number): number {
  if (words.length > 8 && atomicDepth === 0 && !isRoutineDefinition(words)) return atomicDepth;
  if (word === 'ATOMIC' && words[words.length - 2] === 'BEGIN' && isRoutineDefinition(words)) return atomicDepth + 1;
  if (atomicDepth > 0 && word === 'CASE') return atomicDepth + 1;
  if (atomicDepth > 0 && word === 'END') return atomicDepth - 1;
  return atomicDepth;
}

function isRoutineDefinition(words: string[]): boolean {
  if (words[0] !== 'CREATE') return false;
  const k = words[1] === 'OR' ? 3 : 1;
  return words[k] === 'FUNCTION' || words[k] === 'PROCEDURE';
}

function isCopyFromStdin(words: string[]): boolean {
  if (words[0] !== 'COPY') return false;
  const from = words.indexOf('FROM');
  return from >= 0 && words[from + 1] === 'STDIN';
}

/** The next line break from `i` (or the end): a short line character by character, a longer one by the regex. */
function endOfLine(text: string, i: number): number {
  const near = Math.min(text.length, i + 16);
  for (let j = i; j < near; j++) {
    const k = text.charCodeAt(j);
    if (k === 10 || k === 13) return j;
  }
  if (near === text.length) return near;
  LINE_BREAK.lastIndex = near;
  return LINE_BREAK.test(text) ? LINE_BREAK.lastIndex - 1 : text.length;
}

function lineBreakLength(text: string, i: number): number {
  if (text[i] === '\r' && text[i + 1] === '\n') return 2;
  return text[i] === '\n' || text[i] === '\r' ? 1 : 0;
}

/** Skips COPY data lines starting at `i` up to and including the `\.` line. */
function skipCopyData(text: string, i: number, skipped: SplitResult['skipped']): number {
  const start = i;
  let j = i;
  while (j < text.length) {
    const lineEnd = endOfLine(text, j);
    const line = text.slice(j, lineEnd);
    j = lineEnd + lineBreakLength(text, lineEnd);
    if (line === '\\.' || line === '\\.\r') break;
  }
  if (j > start) skipped.push({ start, end: j, reason: 'copy-data' });
  return j;
}

/** Nested block comments: the leftmost `/*` or `*\/` from each point, as a scan character by character finds it. */
function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  COMMENT_MARK.lastIndex = i;
  while (COMMENT_MARK.test(text)) {
    if (text[COMMENT_MARK.lastIndex - 2] === '/') depth++;
    else if (--depth === 0) return COMMENT_MARK.lastIndex;
  }
  return text.length;
}

/** Past the closing quote (a doubled quote is a quote; with `backslashEscapes`, so is `\'`), or the end of the text. */
function skipQuoted(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  for (;;) {
    let at: number;
    if (backslashEscapes) {
      QUOTE_OR_BACKSLASH.lastIndex = j;
      at = QUOTE_OR_BACKSLASH.test(text) ? QUOTE_OR_BACKSLASH.lastIndex - 1 : -1;
    } else at = text.indexOf(quote, j);
    if (at < 0) return text.length;
    if (text[at] === '\\') j = at + 2;
    else if (text[at + 1] === quote) j = at + 2;
    else return at + 1;
  }
}
