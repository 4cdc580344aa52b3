import { T, nameList } from '../parse/ast';
import { defaultConstraintName } from '../model/catalog';
import { Rule, StatementContext, Fix, TextEdit } from './types';
import { addedConstraints } from './support/alter';
import { constraintClauseSpan, constraintSpan } from './support/spans';
import { quoteIdent } from './support/names';
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
      'An inline `REFERENCES` in `ADD COLUMN` also takes ACCESS EXCLUSIVE on the table itself.',
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
        const name = con.conname ?? defaultConstraintName(table, nameList(con.fk_attrs), 'fkey');
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Foreign key ${shown(name, 30)} blocks writes to ${shown(table, 30)} and ${shown(con.pktable?.relname ?? '', 30)} while it checks every row`,
          help: 'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction',
          ...fixOrWithheld(
            ctx,
            notValidFix(ctx, table, name, con),
            'Add the foreign key NOT VALID, then VALIDATE it separately',
            'VALIDATE must run after the transaction that adds it',
          ),
        });
      } else if (col.colname) {
        const name = con.conname ?? defaultConstraintName(table, [col.colname], 'fkey');
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Column ${shown(col.colname)} REFERENCES ${shown(con.pktable?.relname ?? '')} adds a validated foreign key, blocking writes to both tables`,
          help: 'An inline REFERENCES cannot be NOT VALID: add the column, then the constraint NOT VALID, then VALIDATE it',
          fix: inlineReferencesFix(ctx, table, col.colname, name, con),
        });
      }
    }
  },
};

function validateStatement(table: string, name: string): string {
  return `ALTER TABLE ${quoteIdent(table)} VALIDATE CONSTRAINT ${quoteIdent(name)};`;
}

function notValidFix(ctx: StatementContext, table: string, name: string, con: T.Constraint): Fix | undefined {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
  const validate = insertAfterTransaction(ctx, [validateStatement(table, name)]);
  if (!clause || !validate) return undefined;
  return {
    kind: 'not-valid',
    title: 'Add the foreign key NOT VALID, then VALIDATE it separately',
    preferred: true,
    edits: [{ start: clause.end, end: clause.end, newText: ' NOT VALID' }, validate],
  };
}

function inlineReferencesFix(ctx: StatementContext, table: string, column: string, name: string, con: T.Constraint): Fix | undefined {
  const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
  if (!clause) return undefined;
  const text = ctx.file.text;
  // The REFERENCES clause without a leading CONSTRAINT name (the name goes on ADD CONSTRAINT).
  const refStart = text.slice(clause.start, clause.end).search(/\bREFERENCES\b/i);
  if (refStart < 0) return undefined;
  const references = text.slice(clause.start + refStart, clause.end);
  const add = `ALTER TABLE ${quoteIdent(table)} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteIdent(column)}) ${references} NOT VALID;`;
  const validate = insertAfterTransaction(ctx, [validateStatement(table, name)]);
  if (!validate) return undefined;
  let removeStart = clause.start;
  while (removeStart > 0 && /[ \t]/.test(text[removeStart - 1])) removeStart--;
  const anchor = ctx.file.statements[ctx.statement.index];
  const edits: TextEdit[] = [{ start: removeStart, end: clause.end, newText: '' }];
  const addEdit = { start: anchor.terminatorEnd, end: anchor.terminatorEnd, newText: '' };
  // The NOT VALID add goes right after the statement, inside the same transaction.
  const nl = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  addEdit.newText = (anchor.terminated ? '' : ';') + nl + add;
  if (validate.start === addEdit.start) {
    validate.newText = addEdit.newText + validate.newText.replace(/^;/, '');
    edits.push(validate);
  } else edits.push(addEdit, validate);
  return { kind: 'inline-references', title: 'Add the column, then the foreign key NOT VALID, then VALIDATE it', preferred: true, edits };
}
