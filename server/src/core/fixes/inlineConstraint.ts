/**
 * Takes a CHECK or REFERENCES clause out of `ADD COLUMN` (a column constraint cannot be NOT VALID),
 * adds it by name as `ADD CONSTRAINT ... NOT VALID` right after the statement, in the same
 * transaction, and `VALIDATE CONSTRAINT` after that transaction.
 */
import { T } from '../parse/ast';
import { Fix, StatementContext, TextEdit } from '../rules/types';
import { constraintClauseSpan } from '../rules/support/spans';
import { quoteIdent, relationSql } from '../rules/support/names';
import { eol } from '../rules/support/edits';
import { nameTheOthers } from '../rules/support/constraintNames';
import { insertAfterTransaction } from './placement';

export interface InlineConstraint {
  con: T.Constraint;
  alter: T.AlterTableStmt;
  /** The name PostgreSQL gives the inline constraint: the moved one is named so, explicitly. */
  name: string;
  /** Keyword the moved clause starts with, after a leading `CONSTRAINT name` (dropped: the name goes on ADD CONSTRAINT). */
  keyword: 'CHECK' | 'REFERENCES';
  /** What goes before the clause in ADD CONSTRAINT (`FOREIGN KEY (col) ` for REFERENCES). */
  prefix: string;
}

export function moveInlineConstraint(ctx: StatementContext, inline: InlineConstraint, kind: string, title: string): Fix | undefined {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, inline.con.location);
  if (!clause || ctx.statement.container !== undefined) return undefined;
  const text = ctx.file.text;
  const start = text.slice(clause.start, clause.end).search(new RegExp(`\\b${inline.keyword}\\b`, 'i'));
  if (start < 0) return undefined;
  const body = text.slice(clause.start + start, clause.end);
  const table = relationSql(inline.alter.relation);
  const name = quoteIdent(inline.name);
  const validate = insertAfterTransaction(ctx, [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`]);
  if (!validate) return undefined;
  let removeStart = clause.start;
  while (removeStart > 0 && /[ \t]/.test(text[removeStart - 1])) removeStart--;
  const others = nameTheOthers(ctx, inline.con);
  if (!others) return undefined;
  const edits: TextEdit[] = [...others, { start: removeStart, end: clause.end, newText: '' }];
  // The NOT VALID add goes right after the statement, inside the same transaction.
  const anchor = ctx.file.statements[ctx.statement.index];
  const add = `${anchor.terminated ? '' : ';'}${eol(text)}ALTER TABLE ${table} ADD CONSTRAINT ${name} ${inline.prefix}${body} NOT VALID;`;
  if (validate.start === anchor.terminatorEnd) edits.push({ ...validate, newText: add + validate.newText.replace(/^;/, '') });
  else edits.push({ start: anchor.terminatorEnd, end: anchor.terminatorEnd, newText: add }, validate);
  return { kind, title, preferred: true, edits };
}
