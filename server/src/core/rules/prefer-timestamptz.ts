import { Rule } from './types';
import { reportColumnTypes } from './support/columnTypes';

import { shown } from './support/messages';
export const preferTimestamptz: Rule = {
  id: 'prefer-timestamptz',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  defaultSeverity: 'info',
  fixable: false,
  docs: {
    summary: 'A timestamp (without time zone) column.',
    why:
      '`timestamp` stores a wall-clock time with no zone: the same value means different instants for clients in ' +
      "different time zones, and comparisons with `now()` depend on the session's TimeZone. Converting the column to " +
      '`timestamptz` later is an ALTER COLUMN TYPE under **ACCESS EXCLUSIVE** that rewrites the table (unless the ' +
      'session time zone is UTC, on PostgreSQL 12+).',
    safe:
      'Use `timestamptz` (`timestamp with time zone`): it stores an absolute instant and takes the same 8 bytes. No ' +
      'quick fix: changing the type would change the schema the migration creates.',
    bad: 'ALTER TABLE orders ADD COLUMN shipped_at timestamp;',
    good: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
  },
  checkStatement(ctx, report) {
    reportColumnTypes(
      ctx,
      report,
      (c) => c.base === 'timestamp',
      (c, text) => ({
        message: `${shown(`${c.table}.${c.column}`, 50)} is ${text}: its meaning depends on the client's time zone`,
        help: 'Prefer timestamptz: converting it later rewrites the table',
      }),
    );
  },
};
