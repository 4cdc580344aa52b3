import { Rule, StatementContext } from './types';
import { grammarFor, grammarRejection, GrammarRejection } from '../parse/grammars';
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
      '`MERGE … RETURNING` (17), `ADD CONSTRAINT … NOT NULL … NOT VALID` (18), virtual generated columns (18), ' +
      'a subquery in `FROM` without an alias (16), numbers such as `0x1F` or `1_000` (16). ' +
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
    const rejected = grammarRejection(ctx.statement.text, version, () => upcoming(ctx)) ?? numericJunk(ctx, version);
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

/** The texts of the statements after this one that parsed (the grammar check takes them in the same call). */
function* upcoming(ctx: StatementContext): Generator<string> {
  const all = ctx.file.statements;
  for (let k = ctx.statement.index + 1; k < all.length; k++) if (all[k].kind !== 'Invalid') yield all[k].text;
}

const PLAIN_NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * Every number PLAIN_NUMBER does not match has an underscore between two digits or starts 0x, 0o or
 * 0b (scan.l of 16): a statement without either needs no tokens.
 */
const MAYBE_JUNK = /\d_\d|0[xXoObB]/;

/**
 * PostgreSQL 15.0 rejects a number followed by letters ("trailing junk"), which libpg_query's 15 lexer
 * still reads as a number and an alias: `0x1F`, `0o17`, `0b101` and `1_000` are numbers from 16 on.
 */
function numericJunk(ctx: StatementContext, version: number): GrammarRejection | undefined {
  if (grammarFor(version) !== 15 || !MAYBE_JUNK.test(ctx.statement.text)) return undefined;
  const tokens = ctx.file.tokens(ctx.statement);
  const junk = tokens.find((t) => (t.kind === 'ICONST' || t.kind === 'FCONST') && !PLAIN_NUMBER.test(t.text));
  if (!junk) return undefined;
  const message = `trailing junk after numeric literal at or near "${shown(junk.text, 20)}"`;
  return { message, offset: junk.start - ctx.statement.span.start, checkedWith: 15, since: 16 };
}
