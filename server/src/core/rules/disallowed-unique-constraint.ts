import { Rule } from './types';
import { constraintSpan } from './support/spans';
import { addedConstraints } from './support/alter';
import { usingIndexFinding } from '../fixes/usingIndex';

import { shown } from './support/messages';
export const disallowedUniqueConstraint: Rule = {
  id: 'disallowed-unique-constraint',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'using-index': {
      safety: 'safe',
      does: 'Builds the unique index with CREATE UNIQUE INDEX CONCURRENTLY before the transaction, then ADD UNIQUE USING INDEX.',
      effect: 'the constraint and its index end with the same names and definition',
    },
  },
  docs: {
    summary: 'ADD CONSTRAINT ... UNIQUE on an existing table without USING INDEX (and ADD COLUMN ... UNIQUE).',
    why:
      'Adding a UNIQUE constraint builds its index inside the ALTER TABLE, holding an **ACCESS EXCLUSIVE** lock on the ' +
      'table for the whole build: every read and write waits, for minutes on a large table.',
    safe:
      'Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY` (writes continue; run it outside a transaction ' +
      'block), then attach it: `ALTER TABLE ... ADD CONSTRAINT name UNIQUE USING INDEX name` only changes the catalog. ' +
      'If the concurrent build fails (duplicates, or a deadlock) it leaves an INVALID index: drop it and retry. Tables ' +
      'created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    good:
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n' +
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
  },
  checkStatement(ctx, report) {
    for (const { con, column: col, command } of addedConstraints(ctx, 'CONSTR_UNIQUE')) {
      const { table, alter: stmt } = command;
      if (!col) {
        if (con.indexname) continue;
        const { name, span, fix, withheld } = usingIndexFinding(ctx, stmt, con);
        report({
          statement: ctx.statement.index,
          span,
          message: `UNIQUE constraint ${shown(name)} blocks reads and writes on ${shown(table)} while its index builds`,
          help: 'Build it first with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX',
          fix,
          withheld,
        });
      } else if (col.colname) {
        report({
          statement: ctx.statement.index,
          span: constraintSpan(ctx.file, ctx.statement, con.location),
          message: `Column ${shown(col.colname)} UNIQUE blocks reads and writes on ${shown(table)} while its index builds`,
          help: 'Add the column, then CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX',
        });
      }
    }
  },
};
