import { Rule } from './types';
import { reportColumnTypes } from './support/columnTypes';

import { shown } from './support/messages';
export const banCharField: Rule = {
  id: 'ban-char-field',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  defaultSeverity: 'info',
  fixable: false,
  docs: {
    summary: 'A char(n) / character(n) column.',
    why:
      '`char(n)` pads every value with spaces to n characters, takes at least as much space as `text`, and trailing ' +
      'spaces are ignored in some comparisons but not others (LIKE, concatenation, casts to text), which surprises the ' +
      'application. Changing the length later is an ALTER COLUMN TYPE that rewrites the table under **ACCESS EXCLUSIVE**.',
    safe:
      'Use `text` (with a CHECK on the length or format when it matters). The internal single-byte `"char"` type is not ' +
      'flagged. No quick fix: changing the type would change the schema the migration creates.',
    bad: 'CREATE TABLE countries (code char(2) PRIMARY KEY);',
    good: 'CREATE TABLE countries (code text PRIMARY KEY CHECK (char_length(code) = 2));',
  },
  checkStatement(ctx, report) {
    reportColumnTypes(
      ctx,
      report,
      (c) => c.base === 'bpchar' && c.builtin,
      (c, text) => ({
        message: `${shown(`${c.table}.${c.column}`, 50)} is ${text}: values are space-padded and compare inconsistently`,
        help: 'Prefer text, with a CHECK on the length',
      }),
    );
  },
};
