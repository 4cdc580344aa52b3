import { Rule } from './types';
import { blockedPlace } from './support/transactionBlock';

import { runnerFix } from '../fixes/runnerPlacement';
import { outOfOwnBlock } from '../fixes/placement';
import { keywordSpan, headSpan } from './support/spans';

const WHAT: Record<string, string> = {
  IndexStmt: 'CREATE INDEX CONCURRENTLY',
  DropStmt: 'DROP INDEX CONCURRENTLY',
  ReindexStmt: 'REINDEX CONCURRENTLY',
  AlterTableStmt: 'DETACH PARTITION CONCURRENTLY',
};

export const banConcurrentIndexCreationInTransaction: Rule = {
  id: 'ban-concurrent-index-creation-in-transaction',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'runner-placement': {
      safety: 'safe',
      does: "Adds the runner's opt-out when every other statement of the file is safe to retry, else moves the statement to a new migration right after this one.",
      effect: 'the same statements run in the same order, the failing one outside the transaction',
    },
    'out-of-block': {
      safety: 'safe',
      does: 'Drops the BEGIN/COMMIT around the statement when it is all the block holds, else moves it after the COMMIT when it is the last statement of the block.',
      effect: 'the same statements run in the same order, the failing one outside the transaction block',
    },
  },
  docs: {
    summary: 'A CONCURRENTLY statement (CREATE/DROP INDEX, REINDEX, DETACH PARTITION) inside a transaction block.',
    why:
      'The CONCURRENTLY forms work in several transactions of their own, waiting for other transactions in between, ' +
      'so PostgreSQL refuses to run them inside a transaction block (or a function or DO block): the migration fails ' +
      'with "cannot run inside a transaction block". Migration tools that wrap every file in a transaction ' +
      '(`assumeInTransaction`) hit this on every such statement. The rule applies to new tables too.',
    safe:
      "Run the statement outside the transaction: after the COMMIT, or in a migration of its own with the tool's " +
      'per-migration switch for transactions turned off (e.g. `disable_ddl_transaction!` in Rails, `atomic = False` ' +
      'in Django, `-- +goose NO TRANSACTION`). Lockwise knows how each migration runner runs a file (`runner` in ' +
      '`.lockwise.json`, detected by default) and names its opt-out.',
    bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;',
    good: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
  },
  checkStatement(ctx, report) {
    const effect = ctx.effect;
    if (!effect.concurrently || !effect.noTransaction) return;
    const place = blockedPlace(ctx);
    if (!place) return;
    const file = ctx.file;
    const what = WHAT[ctx.statement.kind] ?? 'This CONCURRENTLY statement';
    const concurrently = keywordSpan(file, ctx.statement, 'CONCURRENTLY') ?? headSpan(file, ctx.statement);
    report({
      statement: ctx.statement.index,
      span: concurrently,
      message: `${what} fails ${place.where}`,
      help: place.help,
      related: place.related.length ? place.related : undefined,
      fix: runnerFix(ctx) ?? outOfOwnBlock(ctx),
    });
  },
};
