import { T } from '../parse/ast';
import { addedConstraintName } from './support/constraintNames';
import { validatesInlineForeignKey } from '../locks/addColumn';
import { Rule, StatementContext, Fix, ReportedFinding } from './types';
import { AddedConstraint, addedConstraints } from './support/alter';
import { constraintClauseSpan, constraintSpan } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { moveInlineConstraint } from '../fixes/inlineConstraint';
import { shown } from './support/messages';
import { fixOrWithheld, insertAfterTransaction } from '../fixes/placement';

export const addingForeignKeyConstraint: Rule = {
  id: 'adding-foreign-key-constraint',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'not-valid': {
      safety: 'safe',
      does: 'Adds the foreign key NOT VALID, then VALIDATE CONSTRAINT after the transaction.',
      effect: 'the constraint ends validated, as the original leaves it, and no row is changed',
    },
    'inline-references': {
      safety: 'safe',
      does: 'Adds the column, then the foreign key NOT VALID, then VALIDATE CONSTRAINT after the transaction.',
      effect: 'the column and a validated constraint of the same name end as the original leaves them',
    },
  },
  docs: {
    summary: 'A foreign key added to an existing table without NOT VALID (ADD CONSTRAINT ... FOREIGN KEY, ADD COLUMN ... REFERENCES).',
    why:
      'Adding a foreign key takes **SHARE ROW EXCLUSIVE** on both the table and the referenced table, which blocks ' +
      'INSERT, UPDATE and DELETE on both, and then scans the whole table to check every row while holding those locks. ' +
      'An inline `REFERENCES` in `ADD COLUMN` holds ACCESS EXCLUSIVE on the table (reads wait too) and is validated the ' +
      'same way when the column gets a value in existing rows: any `DEFAULT` clause (even `DEFAULT NULL`) or a serial type. ' +
      'Without one the column is NULL in every row and PostgreSQL marks the key valid without reading a row, which is what ' +
      '`NOT VALID` would achieve: that form is not flagged (nor are identity columns, whose key PostgreSQL does not validate).',
    safe:
      'Add the constraint `NOT VALID` (only new rows are checked; the locks are held for an instant), then run ' +
      '`ALTER TABLE ... VALIDATE CONSTRAINT` in a separate transaction: validation takes SHARE UPDATE EXCLUSIVE on the ' +
      'table and ROW SHARE on the referenced table, so reads and writes continue during the scan. Before PostgreSQL 18 a ' +
      'partitioned table rejects a NOT VALID foreign key: the quick fix is withheld there.',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
    good:
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
  },
  checkStatement(ctx, report) {
    for (const added of addedConstraints(ctx, 'CONSTR_FOREIGN')) {
      if (!added.column) tableKey(ctx, added, report);
      else if (validatesInlineForeignKey(added.column)) inlineKey(ctx, added, added.column, report);
    }
  },
};

type Report = (finding: ReportedFinding) => void;

const NOT_VALID_TITLE = 'Add the foreign key NOT VALID, then VALIDATE it separately';
const INLINE_TITLE = 'Add the column, then the foreign key NOT VALID, then VALIDATE it';
const AFTER_TRANSACTION = 'VALIDATE must run after the transaction that adds it';

/** `ADD [CONSTRAINT name] FOREIGN KEY ...` without NOT VALID. */
function tableKey(ctx: StatementContext, { con, command }: AddedConstraint, report: Report) {
  if (con.skip_validation) return;
  const name = addedConstraintName(ctx, con);
  const unsupported = notValidUnsupported(ctx, command.table);
  report({
    statement: ctx.statement.index,
    span: constraintSpan(ctx.file, ctx.statement, con.location),
    message: `Foreign key ${shown(name, 30)} blocks writes to ${shown(command.table, 30)} and ${shown(ctx.catalog.key(con.pktable) ?? '', 30)} while it checks every row`,
    help: unsupported ? PARTITIONED_HELP : 'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction',
    ...(unsupported
      ? { withheld: { title: NOT_VALID_TITLE, reason: unsupported } }
      : fixOrWithheld(ctx, notValidFix(ctx, command.alter, name, con), NOT_VALID_TITLE, AFTER_TRANSACTION)),
  });
}

/** `ADD COLUMN ... DEFAULT ... REFERENCES ...`: validated by a scan (without a DEFAULT it is not, and is not reported). */
function inlineKey(ctx: StatementContext, { con, command }: AddedConstraint, col: T.ColumnDef, report: Report) {
  const column = col.colname ?? '';
  const name = addedConstraintName(ctx, con);
  const unsupported = notValidUnsupported(ctx, command.table);
  const inline = { con, alter: command.alter, name, keyword: 'REFERENCES' as const, prefix: `FOREIGN KEY (${quoteIdent(column)}) ` };
  report({
    statement: ctx.statement.index,
    span: constraintSpan(ctx.file, ctx.statement, con.location),
    message: `Column ${shown(column)} REFERENCES ${shown(ctx.catalog.key(con.pktable) ?? '')} with a DEFAULT checks every row of ${shown(command.table)}, blocking writes to both tables`,
    help: unsupported ? PARTITIONED_HELP : 'An inline REFERENCES cannot be NOT VALID: add the column, then the constraint NOT VALID, then VALIDATE it',
    notes: ['without a DEFAULT the column would be NULL in every row and PostgreSQL would skip the check'],
    ...(unsupported
      ? { withheld: { title: INLINE_TITLE, reason: unsupported } }
      : fixOrWithheld(ctx, moveInlineConstraint(ctx, inline, 'inline-references', INLINE_TITLE), INLINE_TITLE, AFTER_TRANSACTION)),
  });
}

const PARTITIONED_HELP = 'Before PostgreSQL 18 a partitioned table takes no NOT VALID foreign key: add it in a quiet moment with a short lock_timeout';

/** Why NOT VALID is not available here: PostgreSQL before 18 rejects it on a partitioned table (measured on 15; 18 accepts it). */
function notValidUnsupported(ctx: StatementContext, table: string): string | undefined {
  if (ctx.file.config.pgVersion >= 18 || ctx.catalog.relation(table)?.kind !== 'partitioned') return undefined;
  return `${table} is partitioned: PostgreSQL ${ctx.file.config.pgVersion} cannot add a NOT VALID foreign key to it`;
}

function notValidFix(ctx: StatementContext, alter: T.AlterTableStmt, name: string, con: T.Constraint): Fix | undefined {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
  // The table as written (schema included): VALIDATE must name the table the constraint was added to.
  const validate = insertAfterTransaction(ctx, [`ALTER TABLE ${relationSql(alter.relation)} VALIDATE CONSTRAINT ${quoteIdent(name)};`]);
  if (!clause || !validate) return undefined;
  return {
    kind: 'not-valid',
    title: NOT_VALID_TITLE,
    preferred: true,
    edits: [{ start: clause.end, end: clause.end, newText: ' NOT VALID' }, validate],
  };
}
