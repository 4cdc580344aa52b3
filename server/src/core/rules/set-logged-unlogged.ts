import { Rule } from './types';
import { alterCommands } from './support/alter';

import { shown } from './support/messages';
export const setLoggedUnlogged: Rule = {
  id: 'set-logged-unlogged',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'ALTER TABLE ... SET LOGGED / SET UNLOGGED on an existing table.',
    why:
      'Both forms rewrite the whole table and its indexes into new files while holding **ACCESS EXCLUSIVE**, blocking ' +
      'every read and write until the copy finishes (SET LOGGED also writes the whole table to the WAL, which replicas ' +
      'must replay). An UNLOGGED table is emptied after a crash and is not replicated.',
    safe:
      'Choose the persistence when the table is created. To change it on a large table, build a new table with the ' +
      'wanted persistence, copy the rows in batches, and swap the tables in a short transaction. Tables created earlier ' +
      'in the same file are not flagged.',
    bad: 'ALTER TABLE events SET LOGGED;',
    good: 'CREATE TABLE events_new (LIKE events INCLUDING ALL);\n-- copy in batches, then swap names in one short transaction',
  },
  checkStatement(ctx, report) {
    for (const { cmd, span, table } of alterCommands(ctx, ['AT_SetLogged', 'AT_SetUnLogged'])) {
      const form = cmd.subtype === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED';
      report({
        statement: ctx.statement.index,
        span,
        message: `${form} blocks reads and writes on ${shown(table)} while it rewrites the table and its indexes`,
        help: 'Copy into a new table with the wanted persistence in batches, then swap the tables',
      });
    }
  },
};
