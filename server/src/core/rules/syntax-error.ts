import { Rule } from './types';

export const syntaxError: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  fixable: false,
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
    const token = ctx.file.tokens(ctx.statement).find((t) => t.end > error.offset && t.start >= error.offset - 1);
    const start = token && token.start <= error.offset ? token.start : error.offset;
    const end = token ? Math.max(token.end, start) : Math.min(error.offset + 1, ctx.statement.span.end);
    report({
      statement: ctx.statement.index,
      span: end > start ? { start, end } : { start: ctx.statement.span.start, end: ctx.statement.span.end },
      message: `PostgreSQL would reject this statement: ${error.message}.`,
    });
  },
};
