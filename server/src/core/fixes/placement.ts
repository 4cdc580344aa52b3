/**
 * Where multi-step fixes put their follow-up statements. A `VALIDATE CONSTRAINT` must run outside
 * the transaction that added the constraint NOT VALID, or the table's ACCESS EXCLUSIVE / SHARE ROW
 * EXCLUSIVE lock is held through the whole validation scan.
 */
import { Fix, FileContext, StatementContext, TextEdit, WithheldFix } from '../rules/types';
import { lineOf } from '../rules/support/context';
import { insertAfterStatement, insertBeforeStatement } from '../rules/support/edits';
import { Statement } from '../model/statements';
import { as } from '../parse/ast';
import type { NewFile } from '../runners/types';
import { placeUnderRunner } from './runnerPlacement';

/** Edits of a placement, with the files it creates and how it leaves the transaction when a runner is involved. */
export type Placement = TextEdit[] & { files?: NewFile[]; how?: string };

/** The part of a fix title that says where the statement went: after the COMMIT, or out of the runner's transaction. */
export function placementNote(edits: Placement): string {
  if (edits.how) return ` (${edits.how}: it cannot run in the runner's transaction)`;
  return edits.length > 1 ? ' (moved after COMMIT: it cannot run in a transaction)' : '';
}

function underRunner(ctx: StatementContext, sql: string[], needsNoTransaction: boolean): Placement | undefined {
  const placed = placeUnderRunner(ctx, sql, needsNoTransaction);
  return placed ? Object.assign(placed.edits, { files: placed.files, how: placed.how }) : undefined;
}

/**
 * An edit inserting `sql` right after the statement when it runs outside a transaction, or after the
 * COMMIT of its explicit transaction. Undefined when there is no such place (the whole file runs in
 * one transaction, or the transaction never commits).
 */
export function insertAfterTransaction(ctx: StatementContext, sql: string[]): TextEdit | undefined {
  const tx = ctx.timeline.transaction;
  const anchor = ctx.file.statements[ctx.statement.container ?? ctx.statement.index];
  if (!tx) return insertAfterStatement(ctx.file, anchor, sql);
  if (tx.implicit && tx.runner) return undefined;
  if (tx.implicit || tx.end === undefined || tx.endKind !== 'commit' || !isPlainCommit(ctx, tx.end)) return undefined;
  return insertAfterStatement(ctx.file, ctx.file.statements[tx.end], sql);
}

/** True when statement `index` is a plain COMMIT/END that does not chain into a new transaction. */
function isPlainCommit(ctx: StatementContext, index: number): boolean {
  const tx = as(ctx.file.statements[index]?.node, 'TransactionStmt');
  return tx?.kind === 'TRANS_STMT_COMMIT' && !tx.chain;
}

/** True when statement `index` is a BEGIN / START TRANSACTION (not a COMMIT AND CHAIN). */
function isBegin(ctx: StatementContext, index: number): boolean {
  const kind = as(ctx.file.statements[index]?.node, 'TransactionStmt')?.kind;
  return kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START';
}

/**
 * An edit deleting a whole statement with its `;`, and its line when nothing else is on it
 * (a comment after it on the same line stays).
 */
export function removeStatement(file: FileContext, stmt: Statement): TextEdit {
  const text = file.text;
  let start = stmt.span.start;
  let lineStart = start;
  while (lineStart > 0 && (text[lineStart - 1] === ' ' || text[lineStart - 1] === '\t')) lineStart--;
  const aloneOnLine = lineStart === 0 || text[lineStart - 1] === '\n' || text[lineStart - 1] === '\r';
  let end = stmt.terminatorEnd;
  let e = end;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  const lineBreak = text.startsWith('\r\n', e) ? 2 : text[e] === '\n' || text[e] === '\r' ? 1 : e === text.length ? 0 : -1;
  if (lineBreak >= 0) {
    end = e + lineBreak;
    if (aloneOnLine) start = lineStart;
  }
  return { start, end, newText: '' };
}

/**
 * Puts `sql` (one statement, without `;`) in place of the current statement where it can run
 * outside a transaction block: in place when the statement runs outside one; right after the COMMIT
 * when it is the last statement of an explicit transaction (nothing in the transaction runs after
 * it, so the order of effects is unchanged). Undefined otherwise: in the middle of a transaction,
 * in a file assumed to run in one, or inside a DO block or function body.
 */
export function placeOutsideTransaction(ctx: StatementContext, sql: string, options: { carryLockTimeout?: boolean } = {}): Placement | undefined {
  const file = ctx.file;
  if (ctx.statement.container !== undefined) return undefined;
  const tx = ctx.timeline.transaction;
  if (!tx) return [{ start: ctx.statement.span.start, end: ctx.statement.span.end, newText: sql }];
  // The runner's transaction: its opt-out, or a new migration right after this one.
  if (tx.implicit && tx.runner) return underRunner(ctx, [...(options.carryLockTimeout ? carriedLockTimeout(ctx) : []), sql], true);
  const commit = commitAfterLastStatement(ctx);
  if (!commit) return undefined;
  const carried = options.carryLockTimeout ? carriedLockTimeout(ctx) : [];
  return [removeStatement(file, ctx.statement), insertAfterStatement(file, commit, [...carried, sql + ';'])];
}

/**
 * A statement that cannot run in any transaction block (CONCURRENTLY) inside the file's own
 * BEGIN … COMMIT: the block is dropped when the statement is all it holds, else the statement moves
 * after the COMMIT when it is the block's last. Only where the unit runs statement by statement: in
 * one multi-statement query, what follows the COMMIT is still in an (implicit) transaction block.
 */
export function outOfOwnBlock(ctx: StatementContext): Fix | undefined {
  const file = ctx.file;
  const tx = ctx.timeline.transaction;
  if (!tx || tx.implicit || tx.begin === undefined || tx.end === undefined || ctx.statement.container !== undefined) return undefined;
  const unit = ctx.timeline.unit;
  const mode = unit === undefined ? 'statements' : (file.runner?.sections[unit]?.mode ?? 'statements');
  if (mode !== 'statements' || !isBegin(ctx, tx.begin) || !isPlainCommit(ctx, tx.end)) return undefined;
  const begin = file.statements[tx.begin];
  const commit = file.statements[tx.end];
  if (tx.begin === ctx.statement.index - 1 && tx.end === ctx.statement.index + 1) {
    const line = lineOf(file, begin.span.start);
    return {
      kind: 'out-of-block',
      title: `Remove the BEGIN (line ${line}) and COMMIT around it: it must run outside a transaction block`,
      edits: [removeStatement(file, begin), removeStatement(file, commit)],
    };
  }
  const moved = placeOutsideTransaction(ctx, ctx.statement.text, { carryLockTimeout: true });
  if (!moved) return undefined;
  return {
    kind: 'out-of-block',
    title: `Move it after the COMMIT on line ${lineOf(file, commit.span.start)}: it must run outside a transaction block`,
    edits: moved,
  };
}

/**
 * Statements moved after the COMMIT lose a `SET LOCAL lock_timeout` of the transaction: this is the
 * session-level `SET lock_timeout` that keeps them bounded (empty when no local value is in effect).
 */
export function carriedLockTimeout(ctx: StatementContext): string[] {
  const timeout = ctx.timeline.lockTimeout;
  if (!timeout?.local || timeout.ms <= 0) return [];
  return [`SET lock_timeout = '${timeout.text.replace(/'/g, "''")}';`];
}

/**
 * The plain COMMIT that closes the statement's explicit transaction, when the statement is the last
 * one before it (so what follows the COMMIT runs in the same order relative to everything else).
 */
export function commitAfterLastStatement(ctx: StatementContext): Statement | undefined {
  const tx = ctx.timeline.transaction;
  if (!tx || tx.implicit || ctx.statement.container !== undefined) return undefined;
  if (tx.end === undefined || tx.end !== ctx.statement.index + 1 || !isPlainCommit(ctx, tx.end)) return undefined;
  return ctx.file.statements[tx.end];
}

/**
 * An edit inserting `sql` before the current statement, or before the BEGIN of its explicit
 * transaction, so that it runs outside any transaction block. Undefined when there is no such
 * place, or when a statement earlier in the transaction touches `table` (what is inserted might
 * depend on it: a column added, a backfill).
 */
export function insertBeforeTransaction(ctx: StatementContext, sql: string[], table?: string): TextEdit | undefined {
  const file = ctx.file;
  if (ctx.statement.container !== undefined) return undefined;
  const tx = ctx.timeline.transaction;
  if (!tx) return insertBeforeStatement(file, ctx.statement, sql);
  if (tx.implicit || tx.begin === undefined || !isBegin(ctx, tx.begin)) return undefined;
  if (table) {
    for (let k = tx.begin + 1; k < ctx.statement.index; k++) {
      if (file.effects[k]?.locks.some((l) => l.relation === table)) return undefined;
    }
  }
  return insertBeforeStatement(file, file.statements[tx.begin], sql);
}

/**
 * A fix whose statement must leave the transaction block, or its `withheld` (the editor shows it
 * disabled, with the reason) when it has none because there is no such place here.
 */
export function fixOrWithheld(
  ctx: StatementContext,
  fix: Fix | undefined,
  title: string,
  what = 'it cannot run in a transaction block',
): { fix?: Fix; withheld?: WithheldFix } {
  if (fix) return { fix };
  // Outside any transaction the place exists: the fix is missing for another reason, said in the message.
  if (!ctx.timeline.transaction && ctx.statement.container === undefined) return {};
  return { withheld: { title, reason: `${what}, and ${noOutsidePlaceReason(ctx)}` } };
}

/** Why placeOutsideTransaction / insertBeforeTransaction found no place. */
export function noOutsidePlaceReason(ctx: StatementContext): string {
  const tx = ctx.timeline.transaction;
  if (ctx.statement.container !== undefined) return 'it is inside a DO block, which always runs in a transaction';
  if (tx?.implicit && tx.runner)
    return `${tx.runner.runner} runs it in a transaction, and neither ${tx.runner.optOut} nor a new migration after this one keeps the file's other statements safe`;
  if (tx?.implicit) return 'the whole file runs in one transaction (assumeInTransaction)';
  if (tx && tx.end === undefined) return 'the transaction is never committed';
  return 'it is in the middle of a transaction block';
}
