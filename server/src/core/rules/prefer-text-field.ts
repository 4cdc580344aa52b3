import { Rule } from './types';
import { reportColumnTypes } from './support/columnTypes';

import { shown } from './support/messages';
import { quoteIdent } from './support/names';
export const preferTextField: Rule = {
  id: 'prefer-text-field',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  defaultSeverity: 'info',
  fixable: false,
  docs: {
    summary: 'A varchar(n) column (a length limit in the type).',
    why:
      'In PostgreSQL `varchar(n)` is stored exactly like `text`; the only difference is the length check built into the ' +
      'type. Changing that limit later is an ALTER COLUMN TYPE under **ACCESS EXCLUSIVE**: widening it is a catalog ' +
      'change, but shrinking it rewrites the whole table, and the limit often has to change as data evolves.',
    safe:
      'Use `text`, with a `CHECK (char_length(col) <= n)` constraint when a limit matters: a CHECK can be replaced online ' +
      '(add the new one NOT VALID, VALIDATE it, drop the old one). `varchar` without a length is not flagged. No quick ' +
      'fix: changing the type would change the schema the migration creates.',
    bad: 'ALTER TABLE users ADD COLUMN nickname varchar(40);',
    good: 'ALTER TABLE users ADD COLUMN nickname text CONSTRAINT users_nickname_length CHECK (char_length(nickname) <= 40);',
  },
  checkStatement(ctx, report) {
    reportColumnTypes(
      ctx,
      report,
      (c) => c.base === 'varchar' && c.mods.length > 0,
      (c, text) => ({
        message: `${shown(`${c.table}.${c.column}`, 50)} is ${text}: changing its limit later needs ALTER COLUMN TYPE`,
        help: `Prefer text with a CHECK (char_length(${quoteIdent(c.column)}) <= ${c.mods[0]})`,
        notes: ['ALTER COLUMN TYPE rewrites the table when the limit shrinks'],
      }),
    );
  },
};
