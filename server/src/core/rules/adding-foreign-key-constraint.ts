import { T } from '../parse/ast';
import { addedConstraintName } from './support/constraintNames';
import { validatesInlineForeignKey } from '../locks/addColumn';
import { Rule, StatementContext, Fix } from './types';
import { addedConstraints } from './support/alter';
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
      'table and ROW SHARE on the referenced table, so reads and writes continue during the scan.',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
    good:
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
  },
  checkStatement(ctx, report) {
    for (const { con, column: col, command } of addedConstraints(ctx, 'CONSTR_FOREIGN')) {
      const table = command.table;
      if (!col) {
        if (con.skip_validation) continue;
        const name = con.conname ?? addedConstraintName(ctx, con);
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Foreign key ${shown(name, 30)} blocks writes to ${shown(table, 30)} and ${shown(con.pktable?.relname ?? '', 30)} while it checks every row`,
          help: 'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction',
          ...fixOrWithheld(
            ctx,
            notValidFix(ctx, command.alter, name, con),
            'Add the foreign key NOT VALID, then VALIDATE it separately',
            'VALIDATE must run after the transaction that adds it',
          ),
        });
      } else if (col.colname && validatesInlineForeignKey(col)) {
        const name = con.conname ?? addedConstraintName(ctx, con);
        const title = 'Add the column, then the foreign key NOT VALID, then VALIDATE it';
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Column ${shown(col.colname)} REFERENCES ${shown(con.pktable?.relname ?? '')} with a DEFAULT checks every row of ${shown(table)}, blocking writes to both tables`,
          help: 'An inline REFERENCES cannot be NOT VALID: add the column, then the constraint NOT VALID, then VALIDATE it',
          notes: ['without a DEFAULT the column would be NULL in every row and PostgreSQL would skip the check'],
          ...fixOrWithheld(
            ctx,
            moveInlineConstraint(
              ctx,
              { con, alter: command.alter, name, keyword: 'REFERENCES', prefix: `FOREIGN KEY (${quoteIdent(col.colname)}) ` },
              'inline-references',
              title,
            ),
            title,
            'VALIDATE must run after the transaction that adds it',
          ),
        });
      }
    }
  },
};

function notValidFix(ctx: StatementContext, alter: T.AlterTableStmt, name: string, con: T.Constraint): Fix | undefined {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
  // The table as written (schema included): VALIDATE must name the table the constraint was added to.
  const validate = insertAfterTransaction(ctx, [`ALTER TABLE ${relationSql(alter.relation)} VALIDATE CONSTRAINT ${quoteIdent(name)};`]);
  if (!clause || !validate) return undefined;
  return {
    kind: 'not-valid',
    title: 'Add the foreign key NOT VALID, then VALIDATE it separately',
    preferred: true,
    edits: [{ start: clause.end, end: clause.end, newText: ' NOT VALID' }, validate],
  };
}
