import { Rule } from './types';

import { shown } from './support/messages';
import { errorSpan } from './support/errorSpan';
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
    report({
      statement: ctx.statement.index,
      span: errorSpan(ctx, error.offset),
      message: `PostgreSQL would reject this statement: ${shown(error.message, 110)}`,
      notes: error.message.length > 110 ? [error.message] : undefined,
    });
  },
};
