import { Rule } from './types';

import { shown } from './support/messages';
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
    // "at or near X" points at X; "at end of input" points past the last token: mark the last one.
    const tokens = ctx.file.tokens(ctx.statement);
    const token = tokens.find((t) => t.start <= error.offset && error.offset < t.end) ?? [...tokens].reverse().find((t) => t.start < error.offset) ?? tokens[0];
    report({
      statement: ctx.statement.index,
      span: token ? { start: token.start, end: token.end } : ctx.statement.span,
      message: `PostgreSQL would reject this statement: ${shown(error.message, 110)}`,
      notes: error.message.length > 110 ? [error.message] : undefined,
    });
  },
};
