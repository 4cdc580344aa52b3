import { Rule } from './types';
import { alterCommands, columnAddedInFile } from './support/alter';

import { shown } from './support/messages';
export const banDropColumn: Rule = {
  id: 'ban-drop-column',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'DROP COLUMN on an existing table.',
    why:
      'The drop is a quick catalog change under **ACCESS EXCLUSIVE** (the data stays on disk until rows are rewritten), ' +
      'but the application code running when it commits may still read or write the column: explicit queries, `SELECT *` ' +
      'mapped onto models, ORMs that list every known column in INSERTs. Those queries fail until every server runs the ' +
      'new code, and the data is gone for a rollback.',
    safe:
      'First stop using the column in the code (and tell the ORM to ignore it), deploy that everywhere, then drop the ' +
      'column in a later migration. Tables created earlier in the same file, and columns added earlier in it, are not flagged.',
    bad: 'ALTER TABLE users DROP COLUMN legacy_flags;',
    good: '-- after a release that no longer reads or writes users.legacy_flags:\n-- lockwise-ignore ban-drop-column -- unused since release 42\nALTER TABLE users DROP COLUMN legacy_flags;',
  },
  checkStatement(ctx, report) {
    for (const { cmd, span, table } of alterCommands(ctx, 'AT_DropColumn')) {
      if (columnAddedInFile(ctx, table, cmd.name)) continue;
      report({
        statement: ctx.statement.index,
        span,
        message: `Dropping column ${shown(`${table}.${cmd.name}`, 50)} breaks code still using it and loses its data`,
        help: 'Stop using the column in a release first, then drop it',
      });
    }
  },
};
