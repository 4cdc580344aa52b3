import { Rule } from './types';

import { shown } from './support/messages';
import { errorSpan } from './support/errorSpan';
import { rejectedFrom } from '../parse/grammars';
export const syntaxError: Rule = {
  id: 'syntax-error',
  kinds: ['Invalid'],
  defaultSeverity: 'error',
  fixable: false,
  ignorable: false,
  docs: {
    summary: 'A statement that PostgreSQL would reject.',
    why:
      'The statement does not parse with the PostgreSQL 18 parser, so the migration fails when it reaches it, ' +
      'possibly after earlier statements already ran and took locks. The other statements of the file are still analysed.',
    safe: 'Fix the statement at the reported position. psql variables (`:name`) and other client-side syntax are not SQL.',
    bad: 'ALTER TABLE users ADD COLUMN;',
    good: 'ALTER TABLE users ADD COLUMN nickname text;',
  },
  checkStatement(ctx, report) {
    const error = ctx.statement.error;
    if (!error) return;
    const version = ctx.file.config.pgVersion;
    // Lockwise parses with 18's grammar: a statement the configured older version accepts is not analysed.
    const from = rejectedFrom(ctx.statement.text, version);
    if (from !== undefined) {
      report({
        statement: ctx.statement.index,
        span: errorSpan(ctx, error.offset),
        message: `PostgreSQL ${version} accepts this statement, ${from} and later reject it: ${shown(error.message, 70)}`,
        help: `Lockwise reads PostgreSQL 18's syntax, so this statement is not analysed`,
        notes: error.message.length > 70 ? [error.message] : undefined,
      });
      return;
    }
    report({
      statement: ctx.statement.index,
      span: errorSpan(ctx, error.offset),
      message: `PostgreSQL would reject this statement: ${shown(error.message, 110)}`,
      notes: error.message.length > 110 ? [error.message] : undefined,
    });
  },
};
