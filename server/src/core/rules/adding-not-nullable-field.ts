import { T, asColumnDef } from '../parse/ast';
import { newConstraintName } from './support/constraintNames';
import { Rule, StatementContext, Fix, TextEdit, WithheldFix } from './types';
import { commandSpans, keywordSpan } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { eol, insertAfterStatement, removeListItem } from './support/edits';
import { alterCommands, AlterCommand } from './support/alter';
import { placeOutsideTransaction, commitAfterLastStatement, carriedLockTimeout, noOutsidePlaceReason } from '../fixes/placement';

import { shown } from './support/messages';
export const addingNotNullableField: Rule = {
  id: 'adding-not-nullable-field',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'check-first': {
      safety: 'safe',
      does: 'Adds CHECK (col IS NOT NULL) NOT VALID, validates it outside the transaction, sets NOT NULL (no scan), then drops the CHECK.',
      effect: 'the column ends NOT NULL and the temporary CHECK is dropped: the same schema, no row changed',
    },
  },
  docs: {
    summary: 'ALTER COLUMN ... SET NOT NULL on an existing column (unless a validated CHECK (col IS NOT NULL) exists, PostgreSQL 12+).',
    why:
      '`SET NOT NULL` takes an **ACCESS EXCLUSIVE** lock on the table and then reads every row to make sure none is ' +
      'NULL: reads and writes wait for the whole scan. From PostgreSQL 12 the scan is skipped when a validated ' +
      '`CHECK (col IS NOT NULL)` constraint already proves it; before 12 nothing avoids it.',
    safe:
      'On PostgreSQL 12 and later: add `CHECK (col IS NOT NULL) NOT VALID` (instant), `VALIDATE` it outside the ' +
      'transaction (SHARE UPDATE EXCLUSIVE: reads and writes continue), then `SET NOT NULL` (no scan, the lock is ' +
      'held for an instant), then drop the CHECK, which is no longer needed. The quick fix writes these four ' +
      'statements; they leave the same schema. Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    good:
      'ALTER TABLE users ADD CONSTRAINT users_email_not_null_check CHECK (email IS NOT NULL) NOT VALID;\n' +
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null_check;\n' +
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n' +
      'ALTER TABLE users DROP CONSTRAINT users_email_not_null_check;',
  },
  checkStatement(ctx, report) {
    const commands = alterCommands(ctx);
    if (!commands.length) return;
    const { table, alter: stmt } = commands[0];
    const rel = ctx.catalog.relation(table);
    const cmds = commands.map((c) => c.cmd);
    for (const command of commands) {
      const { cmd, index: i } = command;
      if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
      const column = cmd.name;
      // A column added by an earlier subcommand of this statement is checked by that ADD COLUMN.
      if (cmds.slice(0, i).some((c) => c.subtype === 'AT_AddColumn' && asColumnDef(c.def)?.colname === column)) continue;
      // The lock model decides: no scan when the column is NOT NULL already, or (from 12) a validated CHECK proves it.
      if (!command.effect?.scan) continue;
      const check = ctx.catalog.constraintsOf(table).find((c) => c.type === 'check' && c.validated && c.notNullColumn === column);
      const pg12 = ctx.file.config.pgVersion >= 12;
      const span = command.exact ? command.span : (keywordSpan(ctx.file, ctx.statement, 'SET', 'NOT', 'NULL') ?? command.span);
      let help: string;
      if (!pg12) {
        help = check
          ? `Before PostgreSQL 12 the validated CHECK ${check.name} does not spare the scan: run it in a quiet moment with a short lock_timeout, or rely on the CHECK instead of NOT NULL`
          : 'Before PostgreSQL 12 nothing avoids the scan: run it in a quiet moment with a short lock_timeout, or enforce it with a CHECK (... IS NOT NULL) constraint added NOT VALID and validated separately';
      } else {
        help = `Add CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID, VALIDATE it outside the transaction, then SET NOT NULL skips the scan; drop the CHECK afterwards`;
      }
      report({
        statement: ctx.statement.index,
        span,
        message: `SET NOT NULL on ${shown(`${table}.${column}`, 50)} scans every row while it blocks reads and writes`,
        help,
        notes: pg12 && !rel ? ['no schema history found: assuming no validated CHECK exists'] : undefined,
        ...checkFirstOrWhyNot(ctx, command, cmds, rel?.kind === 'partitioned' || stmt.relation?.inh === false),
      });
    }
  },
};

const TITLE = 'SET NOT NULL through a validated CHECK (no scan under ACCESS EXCLUSIVE)';

/** The fix, or (as a withheld fix the editor shows disabled) why there is none here. */
function checkFirstOrWhyNot(
  ctx: StatementContext,
  command: AlterCommand,
  cmds: T.AlterTableCmd[],
  partitioned: boolean,
): { fix?: Fix; withheld?: WithheldFix } {
  const why = (reason: string) => ({ withheld: { title: TITLE, reason } });
  if (ctx.file.config.pgVersion < 12) return why('before PostgreSQL 12, SET NOT NULL scans the table even when a validated CHECK proves it');
  if (partitioned) return why('it does not handle partitioned tables or ONLY');
  const fix = checkFirstFix(ctx, command, cmds);
  if (fix) return { fix };
  const tx = ctx.timeline.transaction;
  if (tx && !tx.implicit && tx.end !== undefined && ctx.statement.container === undefined) {
    return why('VALIDATE must run after the COMMIT, and moving SET NOT NULL there would run it after the statements that follow it in this transaction');
  }
  return why(`VALIDATE must run outside the transaction, and ${noOutsidePlaceReason(ctx)}`);
}

/** ADD CHECK NOT VALID; VALIDATE; SET NOT NULL; DROP CHECK — all outside any transaction block. */
function checkFirstFix(ctx: StatementContext, command: AlterCommand, cmds: T.AlterTableCmd[]): Fix | undefined {
  const { alter: stmt, index } = command;
  const column = command.cmd.name!;
  const name = newConstraintName(ctx, stmt.relation, [column], 'not_null_check');
  const t = relationSql(stmt.relation);
  const con = quoteIdent(name);
  const col = quoteIdent(column);
  const steps = [
    `ALTER TABLE ${t} ADD CONSTRAINT ${con} CHECK (${col} IS NOT NULL) NOT VALID`,
    `ALTER TABLE ${t} VALIDATE CONSTRAINT ${con}`,
    `ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`,
    `ALTER TABLE ${t} DROP CONSTRAINT ${con}`,
  ];
  const title = TITLE;
  if (cmds.length === 1) {
    const edits = placeOutsideTransaction(ctx, steps.join(';' + eol(ctx.file.text)), { carryLockTimeout: true });
    return edits ? { kind: 'check-first', title: title + (edits.how ? ` (${edits.how})` : ''), preferred: true, edits, files: edits.files } : undefined;
  }
  // Several subcommands: take this one out of the statement and run the sequence right after it.
  const spans = commandSpans(ctx.file, ctx.statement, stmt);
  if (!spans) return undefined;
  if (cmds.some((c, k) => k !== index && (c.name === column || asColumnDef(c.def)?.colname === column))) return undefined;
  const remove = removeListItem(spans, index);
  if (!remove || ctx.statement.container !== undefined) return undefined;
  let insert: TextEdit;
  if (!ctx.timeline.transaction)
    insert = insertAfterStatement(
      ctx.file,
      ctx.statement,
      steps.map((s) => s + ';'),
    );
  else {
    const commit = commitAfterLastStatement(ctx);
    if (!commit) return undefined;
    insert = insertAfterStatement(ctx.file, commit, [...carriedLockTimeout(ctx), ...steps.map((s) => s + ';')]);
  }
  return { kind: 'check-first', title, preferred: true, edits: [remove, insert] };
}
