import { as } from '../parse/ast';
import { Rule, StatementContext } from './types';
import { headSpan, renameClauseSpan } from './support/spans';

const KINDS: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
};

import { shown } from './support/messages';
export const renamingTable: Rule = {
  id: 'renaming-table',
  kinds: ['RenameStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'RENAME TO on an existing table or view.',
    why:
      'The rename is a quick catalog change under **ACCESS EXCLUSIVE**, but the application code running when it commits ' +
      'still queries the old name, and every one of those queries fails until the new code is deployed everywhere.',
    safe:
      'Rename in steps: rename the table and create a view with the old name (`CREATE VIEW old_name AS SELECT * FROM ' +
      'new_name`, simple views are updatable) so that old and new code both work, deploy, then drop the view in a later ' +
      'migration. Tables created earlier in the same file are not flagged, nor a rename followed by that view in the same ' +
      'transaction (queries never see the old name missing).',
    bad: 'ALTER TABLE users RENAME TO accounts;',
    good: 'BEGIN;\nALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'RenameStmt');
    const kind = KINDS[stmt?.renameType ?? ''];
    if (!stmt || !kind) return;
    const name = ctx.catalog.key(stmt.relation);
    if (!ctx.catalog.existedBeforeFile(name) || viewReplacesIt(ctx, name!)) return;
    report({
      statement: ctx.statement.index,
      span: renameClauseSpan(ctx.file, ctx.statement) ?? headSpan(ctx.file, ctx.statement),
      message: `Renaming ${kind} ${shown(name!)} breaks running code that uses the old name`,
      help: `Keep a view named ${name} during the transition, or rename in the application only`,
      notes: [`the running application uses ${name} until every server runs the new code`],
    });
  },
};

/** A later statement of the same transaction creates a view named `name`: old queries keep working. */
function viewReplacesIt(ctx: StatementContext, name: string): boolean {
  const tx = ctx.timeline.transaction;
  if (!tx) return false;
  return ctx.file.statements.some(
    (s) =>
      s.index > ctx.statement.index && ctx.file.timeline.perStatement[s.index]?.transaction === tx && ctx.catalog.key(as(s.node, 'ViewStmt')?.view) === name,
  );
}
