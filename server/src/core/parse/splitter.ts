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

// Char-code tests, not regexes: these run for every character of every file (the splitter was a
// visible share of the CLI profile). Same sets as /[A-Za-z_\u0080-\uffff]/ and /[A-Za-z0-9_$\u0080-\uffff]/.
const isIdentStartCode = (k: number) => (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k >= 0x80;
const isIdentStart = (c: string) => isIdentStartCode(c.charCodeAt(0));
const isIdentChar = (c: string) => {
  const k = c.charCodeAt(0);
  return isIdentStartCode(k) || (k >= 48 && k <= 57) || k === 36;
};

/** Reads a dollar-quote tag (`$tag$` or `$$`) starting at `i`, or undefined if `$` starts no tag. */
function dollarTagAt(text: string, i: number): string | undefined {
  let j = i + 1;
  if (text[j] === '$') return '$$';
  if (j >= text.length || !isIdentStart(text[j])) return undefined;
  while (j < text.length && isIdentChar(text[j]) && text[j] !== '$') j++;
  return text[j] === '$' ? text.slice(i, j + 1) : undefined;
}

export function splitStatements(text: string): SplitResult {
  const chunks: SqlChunk[] = [];
  const comments: SqlComment[] = [];
  const skipped: SplitResult['skipped'] = [];
  const n = text.length;

  let stmtStart = -1; // first token offset of the current statement
  let lastTokenEnd = -1;
  // Words of the current statement (upper-cased), for BEGIN ATOMIC and COPY detection.
  let words: string[] = [];
  let atomicDepth = 0;

  const beginToken = (at: number) => {
    if (stmtStart < 0) stmtStart = at;
  };
  const finish = (terminatorEnd: number, terminated: boolean) => {
    if (stmtStart >= 0) {
      chunks.push({ start: stmtStart, end: lastTokenEnd, terminatorEnd, terminated });
    }
    const wasCopyFromStdin = stmtStart >= 0 && isCopyFromStdin(words);
    stmtStart = -1;
    lastTokenEnd = -1;
    words = [];
    atomicDepth = 0;
    return wasCopyFromStdin;
  };

  let i = 0;
  while (i < n) {
    const c = text[i];
    // psql meta-command: a backslash outside any quote ends the statement and runs to end of line.
    if (c === '\\') {
      const lineEnd = endOfLine(text, i);
      const wasCopy = finish(i, stmtStart >= 0);
      skipped.push({ start: i, end: lineEnd, reason: 'meta-command' });
      i = lineEnd;
      if (wasCopy) i = skipCopyData(text, i, skipped);
      continue;
    }
    if (c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
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
      const wasCopy = finish(i + 1, true);
      i++;
      if (wasCopy) i = skipCopyData(text, endOfLine(text, i) + lineBreakLength(text, endOfLine(text, i)), skipped);
      continue;
    }
    beginToken(i);
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
      let j = i + 1;
      while (j < n && isIdentChar(text[j])) j++;
      // E'...' / U&'...' / B'...' / X'...': the quote right after is handled by the string branch.
      if (wordsMatter()) {
        const word = text.slice(i, j).toUpperCase();
        words.push(word);
        trackAtomic(word);
      }
      i = j;
      lastTokenEnd = i;
      continue;
    }
    i++;
    lastTokenEnd = i;
  }
  finish(n, false);
  return { chunks, comments, skipped };

  /**
   * Whether the next word can still change anything: BEGIN ATOMIC tracking reads only the first
   * nine words unless the statement defines a routine, and COPY detection only COPY statements.
   * Skipping the rest saves a slice and an upper-casing per identifier of long statements.
   */
  function wordsMatter(): boolean {
    return words.length <= 8 || atomicDepth > 0 || words[0] === 'COPY' || isRoutineDefinition(words);
  }

  function trackAtomic(word: string) {
    if (words.length > 8 && atomicDepth === 0 && !isRoutineDefinition(words)) return;
    if (word === 'ATOMIC' && words[words.length - 2] === 'BEGIN' && isRoutineDefinition(words)) atomicDepth++;
    else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
    else if (atomicDepth > 0 && word === 'END') atomicDepth--;
  }
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

function endOfLine(text: string, i: number): number {
  let j = i;
  while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
  return j;
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

function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return text.length;
}

function skipQuoted(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (backslashEscapes && c === '\\') {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return text.length;
}
