/** Shared helpers for rule files: spans from tokens, SQL quoting, edit builders. */
import { Statement } from '../model/statements';
import { T, as } from '../parse/ast';
import { Token } from '../parse/parser';
import { OffsetMapper, Span } from '../text/positions';
import { FileContext, StatementContext, TextEdit } from './types';
import { runnerTransactionWords, unitSentence } from '../runners/apply';

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

/** First token at or after a document offset. */
export function tokenAtOrAfter(file: FileContext, stmt: Statement, offset: number): Token | undefined {
  return file.tokens(stmt).find((t) => t.end > offset);
}

/** Span of the token at an AST location (a UTF-8 byte offset within the statement text). */
export function locationSpan(file: FileContext, stmt: Statement, byteLocation: number | undefined): Span | undefined {
  if (byteLocation === undefined || byteLocation < 0) return undefined;
  const offset = stmt.span.start + new OffsetMapper(stmt.text).fromUtf8(byteLocation);
  const token = tokenAtOrAfter(file, stmt, offset);
  return token ? { start: token.start, end: token.end } : undefined;
}

/** From the token at `fromLocation` to the end of the token before the next `,` at depth 0 (or statement end). */
export function clauseSpan(file: FileContext, stmt: Statement, byteLocation: number | undefined): Span | undefined {
  const first = locationSpan(file, stmt, byteLocation);
  if (!first) return undefined;
  const tokens = file.tokens(stmt);
  let depth = 0;
  let end = first.end;
  for (const t of tokens) {
    if (t.start < first.start) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      if (depth === 0) break;
      depth--;
    } else if (t.text === ',' && depth === 0) break;
    end = t.end;
  }
  return { start: first.start, end };
}

/** The statement's own span, limited to its first line (squiggles on huge statements stay readable). */
export function headSpan(file: FileContext, stmt: Statement): Span {
  const line = file.lines.positionAt(stmt.span.start).line;
  return { start: stmt.span.start, end: Math.min(stmt.span.end, file.lines.lineEndOffset(line)) };
}

/** Quotes an identifier when PostgreSQL needs it. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'from', 'where', 'check', 'default', 'primary', 'references', 'unique', 'column', 'constraint', 'index', 'all', 'and', 'or', 'not', 'null', 'to', 'end', 'limit', 'offset', 'desc', 'asc', 'window', 'analyse', 'analyze', 'when', 'then', 'case', 'do', 'on', 'using', 'in', 'is', 'as', 'with', 'create', 'grant', 'primary', 'foreign', 'only', 'array', 'both', 'leading', 'trailing', 'having', 'into', 'returning', 'current_user', 'session_user', 'current_date', 'current_time', 'current_timestamp']);

/** The line break style of the document. */
export function eol(text: string): string {
  const m = /\r\n|\r|\n/.exec(text);
  return m ? m[0] : '\n';
}

/** Leading whitespace of the statement's first line (to keep inserted statements aligned). */
export function indentOf(file: FileContext, stmt: Statement): string {
  const line = file.lines.positionAt(stmt.span.start).line;
  const lineStart = file.lines.lineStart(line);
  const prefix = file.text.slice(lineStart, stmt.span.start);
  return /^[ \t]*$/.test(prefix) ? prefix : '';
}

/** An edit that inserts whole statements on new lines right after `stmt` (after its `;`). */
export function insertAfterStatement(file: FileContext, stmt: Statement, sql: string[]): TextEdit {
  const nl = eol(file.text);
  const indent = indentOf(file, stmt);
  const at = stmt.terminatorEnd;
  const terminator = stmt.terminated ? '' : ';';
  return { start: at, end: at, newText: terminator + sql.map((s) => `${nl}${indent}${s}`).join('') };
}

/** An edit that inserts statements on new lines before `stmt`. */
export function insertBeforeStatement(file: FileContext, stmt: Statement, sql: string[]): TextEdit {
  const nl = eol(file.text);
  const indent = indentOf(file, stmt);
  return { start: stmt.span.start, end: stmt.span.start, newText: sql.map((s) => `${s}${nl}${indent}`).join('') };
}

/** True when the relation existed before this file (or is unknown, which counts as existing). */
export function isExisting(ctx: StatementContext, relation: string | undefined): boolean {
  if (!relation) return false;
  if (ctx.catalog.isNew(relation)) return false;
  const idx = ctx.catalog.indexes.get(relation);
  if (idx && (idx.createdInFile || ctx.catalog.isNew(idx.table))) return false;
  return true;
}

/** Inside BEGIN ... COMMIT (or the implicit whole-file transaction). */
export function inTransaction(ctx: StatementContext): boolean {
  return !!ctx.timeline.transaction;
}

export function lineOf(file: FileContext, offset: number): number {
  return file.lines.positionAt(offset).line + 1;
}

/** "without history" disclaimer appended to conservative verdicts. */
export function assumption(file: FileContext): string {
  return file.hasHistory ? '' : ' (no schema history found: assuming the table has data)';
}

/** The statement's text (without `;`) with `insert` added at document offset `at`. */
export function statementTextWith(file: FileContext, stmt: Statement, at: number, insert: string): string {
  return file.text.slice(stmt.span.start, at) + insert + file.text.slice(at, stmt.span.end);
}

/** A relation name as SQL: `schema.name` when qualified, each part quoted when needed. */
export function relationSql(rv: { schemaname?: string; relname?: string } | undefined): string {
  if (!rv?.relname) return '';
  return (rv.schemaname ? quoteIdent(rv.schemaname) + '.' : '') + quoteIdent(rv.relname);
}

/** "the statement runs in a transaction block" in words, for messages. */
export function transactionWords(ctx: StatementContext): string {
  const tx = ctx.timeline.transaction;
  if (ctx.statement.container !== undefined) return 'a DO block';
  if (tx?.runner && tx.implicit) return runnerTransactionWords(tx.runner);
  if (tx?.implicit) return 'the transaction the whole file runs in (assumeInTransaction)';
  return tx?.begin !== undefined ? `the transaction begun on line ${lineOf(ctx.file, ctx.file.statements[tx.begin].span.start)}` : 'a transaction';
}

/** ' outside the transaction block (...)' when the statement runs inside one, for advice about CONCURRENTLY forms. */
export function outsideTransactionHint(ctx: StatementContext): string {
  return ctx.timeline.transaction || ctx.statement.container !== undefined ? ' outside the transaction block (it cannot run inside one)' : '';
}

/** True when a statement's AST names relation `name` anywhere (as a target, a source, a referenced table). */
export function mentionsRelation(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentionsRelation(n, name));
  if (!node || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  if (record.relname === name) return true;
  return Object.values(record).some((v) => typeof v === 'object' && mentionsRelation(v, name));
}

/** Where a VALIDATE CONSTRAINT should run, in words: after the COMMIT, in a later migration, or separately. */
export function validateWhere(ctx: StatementContext): string {
  const tx = ctx.timeline.transaction;
  if (tx?.runner && tx.implicit) return `in a later migration (${unitSentence(tx.runner)})`;
  if (tx?.implicit) return 'in a later migration (this file runs in one transaction)';
  if (tx || ctx.statement.container !== undefined) return 'after the COMMIT';
  return 'in a separate statement';
}

/** An `ALTER TABLE` (not ALTER INDEX/VIEW/...) of a table that existed before this file, or undefined. */
export function existingTableAlter(ctx: StatementContext): { stmt: T.AlterTableStmt; table: string } | undefined {
  const stmt = as(ctx.statement.node, 'AlterTableStmt');
  const table = stmt?.relation?.relname;
  if (!stmt || !table || stmt.objtype !== 'OBJECT_TABLE' || !isExisting(ctx, table)) return undefined;
  return { stmt, table };
}
