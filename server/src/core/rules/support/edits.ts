/** Text edits for fixes: inserting whole statements before or after one, removing a list item. */
import { Statement } from '../../model/statements';
import { Span } from '../../text/positions';
import { FileContext, StatementContext, TextEdit } from '../types';

/** The line break style of the document. */
export function eol(text: string): string {
  const m = /\r\n|\r|\n/.exec(text);
  return m ? m[0] : '\n';
}

/** Leading whitespace of the statement's first line (to keep inserted statements aligned). */
function indentOf(file: FileContext, stmt: Statement): string {
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

/** The statement's text (without `;`) with `insert` added at document offset `at`. */
export function statementTextWith(file: FileContext, stmt: Statement, at: number, insert: string): string {
  return file.text.slice(stmt.span.start, at) + insert + file.text.slice(at, stmt.span.end);
}

/**
 * An edit removing item `index` of a comma-separated list whose item spans are `spans`, with the
 * comma that separates it from its neighbour (the next one, or the previous one for the last item).
 */
export function removeListItem(spans: Span[], index: number): TextEdit | undefined {
  if (spans.length < 2 || !spans[index]) return undefined;
  if (index < spans.length - 1) return { start: spans[index].start, end: spans[index + 1].start, newText: '' };
  // last item: from the end of the previous item (its comma and the spacing go too)
  return { start: spans[index - 1].end, end: spans[index].end, newText: '' };
}

/**
 * An edit setting a session setting (lock_timeout, statement_timeout) for the statement: `SET LOCAL`
 * right after the BEGIN of its transaction block, else `SET` before it (`SET LOCAL` when the whole
 * file is one transaction).
 */
export function setSettingEdit(ctx: StatementContext, name: string, value: string): TextEdit {
  const tx = ctx.timeline.transaction;
  if (tx && !tx.implicit && tx.begin !== undefined) {
    return insertAfterStatement(ctx.file, ctx.file.statements[tx.begin], [`SET LOCAL ${name} = '${value}';`]);
  }
  const target = ctx.file.statements[ctx.statement.container ?? ctx.statement.index];
  return insertBeforeStatement(ctx.file, target, [`SET ${tx?.implicit ? 'LOCAL ' : ''}${name} = '${value}';`]);
}
