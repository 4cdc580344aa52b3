/**
 * Token-level helpers for rules that need the span of a part of a statement the AST gives no
 * location for: an ALTER TABLE sub-command, a name in a DROP list, a type name, an identifier.
 */
import { Statement } from '../model/statements';
import { Token } from '../parse/parser';
import { Span } from '../text/positions';
import { T, as, asAlterTableCmd, asColumnDef } from '../parse/ast';
import { FileContext, StatementContext } from './types';
import { headSpan, locationSpan } from './helpers';
import { alterCommandSpans as splitAlterCommands } from './clauses';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

/** The value of an identifier token: quoted ones unquoted, unquoted ones folded to lower case (ASCII only, like PostgreSQL). */
export function identValue(token: Token): string {
  const text = token.text;
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) return text.slice(1, -1).replace(/""/g, '"');
  if (/^u&"/i.test(text)) return text;
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** True for tokens that can be a name (identifiers and non-reserved keywords). */
export function isNameToken(token: Token): boolean {
  return token.kind === 'IDENT' || token.kind === 'UNRESERVED_KEYWORD' || token.kind === 'COL_NAME_KEYWORD' || token.kind === 'TYPE_FUNC_NAME_KEYWORD';
}

/** PostgreSQL's truncation of an identifier to 63 bytes, on a character boundary. */
export function truncateIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, 'utf8') > MAX_IDENTIFIER_BYTES) break;
    out += ch;
  }
  return out;
}

/** The first name token at or after `from` whose value is `name` (compared after truncation, as the AST holds it). */
export function findNameToken(file: FileContext, stmt: Statement, name: string, from = 0): Token | undefined {
  return file.tokens(stmt).find((t) => t.start >= from && isNameToken(t) && truncateIdentifier(identValue(t)) === name);
}

/** Index of the token starting at an AST location. */
export function tokenIndexAt(file: FileContext, stmt: Statement, byteLocation: number | undefined): number {
  const span = locationSpan(file, stmt, byteLocation);
  if (!span) return -1;
  return file.tokens(stmt).findIndex((t) => t.start === span.start);
}

/** Index of the last token of a (possibly qualified) name starting at token `i`: `a`, `a.b`, `a.b.c`. */
export function qualifiedNameEnd(tokens: Token[], i: number): number {
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

export function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/**
 * The span of each sub-command of `ALTER TABLE name cmd, cmd, ...` (clauses.ts splits them).
 * Undefined when the count does not match the AST (then callers fall back).
 */
export function alterCommandSpans(file: FileContext, stmt: Statement, relation: T.RangeVar | undefined, count: number): Span[] | undefined {
  const spans = splitAlterCommands(file, stmt, relation?.location);
  return spans.length === count ? spans : undefined;
}

/** Keywords that end a type name in a column definition or ALTER COLUMN TYPE. */
const AFTER_TYPE = new Set([
  'CONSTRAINT', 'NOT', 'NULL', 'DEFAULT', 'CHECK', 'UNIQUE', 'PRIMARY', 'REFERENCES', 'GENERATED', 'COLLATE', 'USING',
  'STORAGE', 'COMPRESSION', 'DEFERRABLE', 'INITIALLY',
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

/** The span of sub-command `index` of an ALTER TABLE statement, or the statement's first line. */
export function commandSpan(file: FileContext, stmt: Statement, alter: T.AlterTableStmt, index: number): Span {
  return alterCommandSpans(file, stmt, alter.relation, alter.cmds?.length ?? 0)?.[index] ?? headSpan(file, stmt);
}

/** True when an earlier statement of this file added `column` to `table` (no running code uses it yet). */
export function columnAddedInFile(ctx: StatementContext, table: string | undefined, column: string | undefined): boolean {
  if (!table || !column) return false;
  const first = addedColumns(ctx.file, ctx.statement.index).get(`${table}\u0000${column}`);
  return first !== undefined && first < ctx.statement.index;
}

const ADDED_COLUMNS_KEY = 'statementParts.addedColumns';

/**
 * First statement index that adds each (table, column), scanned once per file up to `until`
 * (exclusive) and extended as later statements ask: a rescan from the top for every DROP/RENAME
 * COLUMN was quadratic on long files.
 */
function addedColumns(file: FileContext, until: number): Map<string, number> {
  let memo = file.state.get(ADDED_COLUMNS_KEY) as { scanned: number; first: Map<string, number> } | undefined;
  if (!memo) file.state.set(ADDED_COLUMNS_KEY, (memo = { scanned: 0, first: new Map() }));
  for (; memo.scanned < until && memo.scanned < file.statements.length; memo.scanned++) {
    const s = file.statements[memo.scanned];
    const alter = as(s.node, 'AlterTableStmt');
    const table = alter?.relation?.relname;
    if (!table) continue;
    for (const c of alter.cmds ?? []) {
      const cmd = asAlterTableCmd(c);
      const column = cmd?.subtype === 'AT_AddColumn' ? asColumnDef(cmd.def)?.colname : undefined;
      const key = `${table}\u0000${column}`;
      if (column && !memo.first.has(key)) memo.first.set(key, s.index);
    }
  }
  return memo.first;
}
