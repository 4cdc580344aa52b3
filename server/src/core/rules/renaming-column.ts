import { as } from '../parse/ast';
import { Rule } from './types';
import { headSpan, renameClauseSpan } from './support/spans';
import { columnAddedInFile } from './support/alter';

import { shown } from './support/messages';
export const renamingColumn: Rule = {
  id: 'renaming-column',
  kinds: ['RenameStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'RENAME COLUMN on an existing table.',
    why:
      'The rename itself is quick (it takes **ACCESS EXCLUSIVE** on the table only for a catalog update), but the ' +
      'application servers running when it commits still use the old name: every query they send that mentions it ' +
      'fails until the new code is deployed everywhere, and a rollback of the code breaks again.',
    safe:
      'Expand and contract: add the new column, write to both (or keep them in sync with a trigger), backfill in batches, ' +
      'switch reads to the new column, deploy, then drop the old one in a later migration. Or keep the database name ' +
      'and rename only in the application (an ORM column mapping). Tables created earlier in the same file, and columns added ' +
      'earlier in it (the swap at the end of an expand/contract), are not flagged.',
    bad: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    good: 'ALTER TABLE users ADD COLUMN full_name text;\n-- dual-write, backfill, switch reads, then in a later release:\nALTER TABLE users DROP COLUMN name;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'RenameStmt');
    if (stmt?.renameType !== 'OBJECT_COLUMN') return;
    const table = ctx.catalog.key(stmt.relation);
    if (!ctx.catalog.existedBeforeFile(table) || columnAddedInFile(ctx, table, stmt.subname)) return;
    const kind = stmt.relationType === 'OBJECT_VIEW' || stmt.relationType === 'OBJECT_MATVIEW' ? 'view' : 'table';
    report({
      statement: ctx.statement.index,
      span: renameClauseSpan(ctx.file, ctx.statement) ?? headSpan(ctx.file, ctx.statement),
      message: `Renaming column ${shown(`${table}.${stmt.subname}`, 50)} breaks running code that uses the old name`,
      help: 'Add the new column and migrate in steps',
      notes: [`the running application uses ${stmt.subname} until every server runs the new code${kind === 'view' ? ` (${table} is a view)` : ''}`],
    });
  },
};
