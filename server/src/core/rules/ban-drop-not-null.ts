import { Rule } from './types';
import { alterCommands, columnAddedInFile } from './support/alter';

import { shown } from './support/messages';
export const banDropNotNull: Rule = {
  id: 'ban-drop-not-null',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'ALTER COLUMN ... DROP NOT NULL on an existing table.',
    why:
      'The change itself is a quick catalog update under **ACCESS EXCLUSIVE**, but code written against the column ' +
      'assumes it is never NULL: the running application, reports, consumers of replicas and exports start receiving ' +
      'NULLs they do not handle. Putting the constraint back later needs a full-table scan.',
    safe:
      'Make sure every reader handles NULL first, and write the migration deliberately (an ignore comment with the reason). ' +
      'Tables created earlier in the same file, columns added earlier in it, and columns the schema history shows are ' +
      'not NOT NULL (the statement changes nothing) are not flagged.',
    bad: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    good: '-- every reader handles a NULL email since release 42:\n-- lockwise-ignore ban-drop-not-null -- readers checked\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
  },
  checkStatement(ctx, report) {
    for (const { cmd, span, table } of alterCommands(ctx, 'AT_DropNotNull')) {
      if (columnAddedInFile(ctx, table, cmd.name)) continue;
      // The history knows the column and it was never NOT NULL: PostgreSQL has nothing to drop.
      if (ctx.catalog.relation(table)?.columns.get(cmd.name ?? '')?.notNull === false) continue;
      report({
        statement: ctx.statement.index,
        span,
        message: `Dropping NOT NULL on ${shown(`${table}.${cmd.name}`, 50)} lets NULLs reach code that expects none`,
        help: 'Make sure every reader handles NULL first',
        notes: ['restoring the constraint later needs a full scan'],
      });
    }
  },
};
