/**
 * Spans of parts of a statement, from its tokens: the AST gives locations for few nodes (and none
 * for ALTER TABLE sub-commands), so findings point at the clause they are about through these.
 */
import { Statement } from '../../model/statements';
import { T } from '../../parse/ast';
import { Token } from '../../parse/parser';
import { OffsetMapper, Span } from '../../text/positions';
import { FileContext } from '../types';

/** The span of the first run of consecutive keyword tokens `words` (e.g. 'CREATE', 'INDEX'). */
export function keywordSpan(file: FileContext, stmt: Statement, ...words: string[]): Span | undefined {
  const tokens = file.tokens(stmt);
  for (let i = 0; i + words.length <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < words.length; k++) if (tokens[i + k].text.toUpperCase() !== words[k]) ok = false;
    if (ok) return { start: tokens[i].start, end: tokens[i + words.length - 1].end };
  }
  return undefined;
}

/** Span of the token at an AST location (a UTF-8 byte offset within the statement text). */
export function locationSpan(file: FileContext, stmt: Statement, byteLocation: number | undefined): Span | undefined {
  if (byteLocation === undefined || byteLocation < 0) return undefined;
  const offset = stmt.span.start + new OffsetMapper(stmt.text).fromUtf8(byteLocation);
  const token = file.tokens(stmt).find((t) => t.end > offset);
  return token ? { start: token.start, end: token.end } : undefined;
}

/** The statement's own span, limited to its first line (squiggles on huge statements stay readable). */
export function headSpan(file: FileContext, stmt: Statement): Span {
  const line = file.lines.positionAt(stmt.span.start).line;
  return { start: stmt.span.start, end: Math.min(stmt.span.end, file.lines.lineEndOffset(line)) };
}

export function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Index of the token starting at an AST location. */
function tokenIndexAt(file: FileContext, stmt: Statement, byteLocation: number | undefined): number {
  const span = locationSpan(file, stmt, byteLocation);
  if (!span) return -1;
  return file.tokens(stmt).findIndex((t) => t.start === span.start);
}

/** Index of the last token of a (possibly qualified) name starting at token `i`: `a`, `a.b`, `a.b.c`. */
function qualifiedNameEnd(tokens: Token[], i: number): number {
  while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
  return i;
}

/** The span of a RangeVar's (possibly schema-qualified) name. */
export function relationSpan(file: FileContext, stmt: Statement, rv: T.RangeVar | undefined): Span | undefined {
  const tokens = file.tokens(stmt);
  const i = tokenIndexAt(file, stmt, rv?.location);
  if (i < 0) return undefined;
  return { start: tokens[i].start, end: tokens[qualifiedNameEnd(tokens, i)].end };
}

/** Keywords that end a type name in a column definition or ALTER COLUMN TYPE. */
const AFTER_TYPE = new Set([
  'CONSTRAINT',
  'NOT',
  'NULL',
  'DEFAULT',
  'CHECK',
  'UNIQUE',
  'PRIMARY',
  'REFERENCES',
  'GENERATED',
  'COLLATE',
  'USING',
  'STORAGE',
  'COMPRESSION',
  'DEFERRABLE',
  'INITIALLY',
]);

/** From a TypeName's location to its last token: `varchar(50)`, `timestamp(3) without time zone`, `int[]`. */
export function typeSpan(file: FileContext, stmt: Statement, typeName: T.TypeName | undefined): Span | undefined {
  const tokens = file.tokens(stmt);
  const first = tokenIndexAt(file, stmt, typeName?.location);
  if (first < 0) return undefined;
  let depth = 0;
  let end = tokens[first].end;
  for (let i = first + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (depth === 0) {
      if (t.text === ',' || t.text === ')' || t.text === ';') break;
      if (t.keyword && AFTER_TYPE.has(t.text)) break;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    end = t.end;
  }
  return { start: tokens[first].start, end };
}

/** From the first token of `from` to the end of the next token after it matching `until`. */
export function extendToToken(file: FileContext, stmt: Statement, from: Span, until: (t: Token) => boolean): Span {
  const next = file.tokens(stmt).find((t) => t.start >= from.end && until(t));
  return next ? { start: from.start, end: next.end } : from;
}

/** `RENAME [COLUMN] old TO new` / `RENAME TO new`: from RENAME to the new name. */
export function renameClauseSpan(file: FileContext, stmt: Statement): Span | undefined {
  const tokens = file.tokens(stmt);
  const r = tokens.findIndex((t) => t.text === 'RENAME');
  if (r < 0) return undefined;
  const to = tokens.findIndex((t, i) => i > r && t.text === 'TO');
  const end = tokens[to + 1] ?? tokens[to];
  return to < 0 ? { start: tokens[r].start, end: tokens[r].end } : { start: tokens[r].start, end: end.end };
}

/** Keywords that start a column constraint in a column definition. */
const CONSTRAINT_STARTS = new Set(['CONSTRAINT', 'NOT', 'NULL', 'DEFAULT', 'CHECK', 'UNIQUE', 'PRIMARY', 'REFERENCES', 'GENERATED', 'COLLATE']);

/**
 * From a constraint's AST location (its CONSTRAINT/REFERENCES/CHECK/... keyword) to its last
 * token, stopping before `,` or `)` at depth 0, or before the next column constraint.
 */
export function constraintClauseSpan(file: FileContext, stmt: Statement, location: number | undefined): Span | undefined {
  const first = locationSpan(file, stmt, location);
  if (!first) return undefined;
  const tokens = file.tokens(stmt);
  const startIndex = tokens.findIndex((t) => t.start === first.start);
  if (startIndex < 0) return undefined;
  let i = startIndex;
  // CONSTRAINT name
  if (tokens[i].text === 'CONSTRAINT') i += 2;
  // the constraint kind: NOT NULL, PRIMARY KEY, REFERENCES, CHECK, ...
  const kind = tokens[i]?.text;
  if (kind === 'NOT' || kind === 'PRIMARY') i++;
  let end = tokens[Math.min(i, tokens.length - 1)].end;
  // FOREIGN KEY (...) REFERENCES ...: the REFERENCES clause belongs to the table constraint.
  let referencesAllowed = kind === 'FOREIGN';
  let depth = 0;
  for (i = i + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (depth === 0) {
      if (t.text === ',' || t.text === ')' || t.text === ']' || t.text === ';') break;
      const afterSet = tokens[i - 1]?.text === 'SET';
      if (t.text === 'REFERENCES' && referencesAllowed) referencesAllowed = false;
      else if (afterSet && (t.text === 'NULL' || t.text === 'DEFAULT')) {
        // ON DELETE SET NULL / SET DEFAULT
      } else if (t.keyword && CONSTRAINT_STARTS.has(t.text) && !isContinuation(tokens, i)) break;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    end = t.end;
  }
  return { start: first.start, end };
}

/** NOT VALID / NOT DEFERRABLE / NOT ENFORCED continue the current constraint. */
function isContinuation(tokens: Token[], i: number): boolean {
  const next = tokens[i + 1]?.text.toUpperCase();
  return tokens[i].text === 'NOT' && (next === 'VALID' || next === 'DEFERRABLE' || next === 'ENFORCED');
}

/**
 * Spans of an `ALTER TABLE`'s sub-commands, one per entry of `cmds` and in the same order: the text
 * after the table name, split at commas outside parentheses and brackets. Sub-commands carry no AST
 * location, so this is how a finding points at the one clause it is about. Undefined when the count
 * does not match the AST.
 */
export function commandSpans(file: FileContext, stmt: Statement, alter: T.AlterTableStmt): Span[] | undefined {
  const spans = splitAfterName(file, stmt, alter.relation?.location);
  return spans.length === (alter.cmds?.length ?? 0) ? spans : undefined;
}

function splitAfterName(file: FileContext, stmt: Statement, relationLocation: number | undefined): Span[] {
  const name = locationSpan(file, stmt, relationLocation);
  if (!name) return [];
  const tokens = file.tokens(stmt);
  let i = tokens.findIndex((t) => t.start === name.start);
  if (i < 0) return [];
  i++;
  // schema.table, then `*` (descendants)
  while (tokens[i]?.text === '.' && tokens[i + 1]) i += 2;
  if (tokens[i]?.text === '*') i++;
  const spans: Span[] = [];
  let depth = 0;
  let start: number | undefined;
  let end = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === ';' && depth === 0) break;
    if (t.text === ',' && depth === 0) {
      if (start !== undefined) spans.push({ start, end });
      start = undefined;
      continue;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    start ??= t.start;
    end = t.end;
  }
  if (start !== undefined) spans.push({ start, end });
  return spans;
}

/** A constraint's clause, or the statement's first line when the text does not show it. */
export function constraintSpan(file: FileContext, stmt: Statement, location: number | undefined): Span {
  return constraintClauseSpan(file, stmt, location) ?? headSpan(file, stmt);
}
