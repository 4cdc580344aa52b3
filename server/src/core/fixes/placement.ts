/**
 * Where multi-step fixes put their follow-up statements. A `VALIDATE CONSTRAINT` must run outside
 * the transaction that added the constraint NOT VALID, or the table's ACCESS EXCLUSIVE / SHARE ROW
 * EXCLUSIVE lock is held through the whole validation scan.
 */
import { StatementContext, TextEdit } from '../rules/types';
import { insertAfterStatement } from '../rules/helpers';

/**
 * An edit inserting `sql` right after the statement when it runs outside a transaction, or after the
 * COMMIT of its explicit transaction. Undefined when there is no such place (the whole file runs in
 * one transaction, or the transaction never commits).
 */
export function insertAfterTransaction(ctx: StatementContext, sql: string[]): TextEdit | undefined {
  const tx = ctx.timeline.transaction;
  const anchor = ctx.file.statements[ctx.statement.container ?? ctx.statement.index];
  if (!tx) return insertAfterStatement(ctx.file, anchor, sql);
  if (tx.implicit || tx.end === undefined || tx.endKind !== 'commit') return undefined;
  return insertAfterStatement(ctx.file, ctx.file.statements[tx.end], sql);
}

/** Why no fix is offered when insertAfterTransaction has no place. */
export function noPlaceReason(ctx: StatementContext): string {
  const tx = ctx.timeline.transaction;
  if (tx?.implicit) return 'the whole file runs in one transaction (assumeInTransaction): put the VALIDATE in the next migration';
  return 'the transaction is never committed';
}
