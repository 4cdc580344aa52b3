import { Rule } from './types';
import { grammarRejection } from '../parse/grammars';
import { shown } from './support/messages';
import { errorSpan } from './support/errorSpan';

export const unsupportedSyntax: Rule = {
  id: 'unsupported-syntax',
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'A statement the configured PostgreSQL version cannot parse: its syntax came in a later version.',
    why:
      'Lockwise parses with PostgreSQL 18’s grammar, so it understands syntax that older servers reject: ' +
      '`MERGE` (15), `NULLS NOT DISTINCT` (15), `ALTER COLUMN … SET EXPRESSION` (17), `JSON_TABLE` (17), ' +
      '`MERGE … RETURNING` (17), `ADD CONSTRAINT … NOT NULL … NOT VALID` (18), virtual generated columns (18). ' +
      'Each statement is checked with the grammar of `pgVersion` too (13 to 17; older versions with 13’s), and the ' +
      'finding names the first version whose grammar accepts it. On the configured server the migration fails there, ' +
      'after earlier statements already ran and took locks.',
    safe:
      'Write the statement in the syntax of your version (for the example: a `CHECK (… IS NOT NULL) NOT VALID` ' +
      'constraint, validated later), or set `pgVersion` to the version your migrations really run on.',
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID;',
    good: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;',
  },
  checkStatement(ctx, report) {
    if (ctx.statement.kind === 'Invalid') return;
    const version = ctx.file.config.pgVersion;
    const rejected = grammarRejection(ctx.statement.text, version);
    if (!rejected) return;
    const older = rejected.checkedWith !== version ? [`PostgreSQL ${version} is checked with ${rejected.checkedWith}'s grammar, the oldest Lockwise has`] : [];
    report({
      statement: ctx.statement.index,
      span: errorSpan(ctx, ctx.statement.span.start + rejected.offset),
      message: `PostgreSQL ${version} cannot parse this (new in PostgreSQL ${rejected.since}): ${shown(rejected.message, 60)}`,
      help: `write it in PostgreSQL ${version}'s syntax, or set pgVersion to the version the migrations run on`,
      notes: [...(rejected.message.length > 60 ? [rejected.message] : []), ...older],
    });
  },
};
