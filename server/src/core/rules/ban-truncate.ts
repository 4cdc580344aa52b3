import { as, asRangeVar } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan } from './support/spans';

import { shownList } from './support/messages';
export const banTruncate: Rule = {
  id: 'ban-truncate',
  kinds: ['TruncateStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'TRUNCATE of an existing table (CASCADE empties every referencing table too).',
    why:
      'TRUNCATE takes **ACCESS EXCLUSIVE** on the table and every index, so it waits behind every running query on it ' +
      'and blocks everything that follows, and it deletes all rows in one go. With CASCADE it also empties (and locks) ' +
      'every table that references it through a foreign key, and their referencing tables in turn.',
    safe:
      'Delete the rows you mean to remove in batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT 1000)`), or run the ' +
      'TRUNCATE deliberately, with a short lock_timeout and an ignore comment giving the reason. Tables created earlier ' +
      'in the same file are not flagged.',
    bad: 'TRUNCATE users CASCADE;',
    good: 'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() LIMIT 1000);',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'TruncateStmt');
    if (!stmt) return;
    const tables = (stmt.relations ?? []).map((r) => ctx.catalog.key(asRangeVar(r))).filter((n): n is string => !!n);
    const cascade = stmt.behavior === 'DROP_CASCADE';
    const existing = tables.filter((t) => ctx.catalog.existedBeforeFile(t));
    const referencing = cascade ? [...new Set(tables.flatMap((t) => ctx.catalog.referencing(t)))].filter((t) => !tables.includes(t)) : [];
    if (!existing.length && !referencing.some((t) => ctx.catalog.existedBeforeFile(t))) return;
    const list = existing.length ? existing : tables;
    const truncate = keywordSpan(ctx.file, ctx.statement, 'TRUNCATE') ?? headSpan(ctx.file, ctx.statement);
    const cascadeSpan = cascade ? keywordSpan(ctx.file, ctx.statement, 'CASCADE') : undefined;
    const notes = cascade
      ? [
          `CASCADE also empties every table that references ${tables.length === 1 ? 'it' : 'them'} through a foreign key` +
            (referencing.length ? ` (${referencing.join(', ')}, and their referencing tables in turn)` : ', and their referencing tables in turn'),
        ]
      : undefined;
    report({
      statement: ctx.statement.index,
      span: truncate,
      message: `TRUNCATE deletes every row of ${shownList(list)} and blocks reads and writes on ${list.length === 1 ? 'it' : 'them'}${cascade ? ', CASCADE included' : ''}`,
      help: 'Delete the rows in batches, or TRUNCATE deliberately with a short lock_timeout',
      notes,
      ...(cascadeSpan ? { related: [{ span: cascadeSpan, message: 'CASCADE empties the referencing tables too' }] } : {}),
    });
  },
};
