import { Rule } from './types';
import { blockedPlace } from './support/transactionBlock';
import { outOfOwnBlock } from '../fixes/placement';

import { runnerFix } from '../fixes/runnerPlacement';
import { headSpan } from './support/spans';

/** Statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock), besides the CONCURRENTLY forms. */
const ALWAYS: Record<string, string> = {
  CreatedbStmt: 'CREATE DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
};

const MODELLED: Record<string, string> = {
  VacuumStmt: 'VACUUM',
  ReindexStmt: 'REINDEX of a schema, database or system',
  ClusterStmt: 'CLUSTER without a table',
};

export const cannotRunInTransaction: Rule = {
  id: 'cannot-run-in-transaction',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'out-of-block': {
      safety: 'safe',
      does: 'Drops the BEGIN/COMMIT around the statement when it is all the block holds, else moves it after the COMMIT when it is the last statement of the block.',
      effect: 'the same statements run in the same order, the failing one outside the transaction block',
    },
    'runner-placement': {
      safety: 'safe',
      does: "Adds the runner's opt-out when every other statement of the file is safe to retry, else moves the statement to a new migration right after this one.",
      effect: 'the same statements run in the same order, the failing one outside the transaction',
    },
  },
  docs: {
    summary: 'VACUUM, CREATE DATABASE, ALTER SYSTEM, CREATE/DROP TABLESPACE (and similar) inside a transaction block.',
    why:
      'PostgreSQL refuses these statements inside a transaction block: the migration fails with "cannot run inside a ' +
      'transaction block". Most migration runners wrap each file in a transaction (goose, dbmate, sqlx, diesel, Flyway, ' +
      'Liquibase, ...) or send it as one multi-statement query, which PostgreSQL runs as an implicit transaction ' +
      '(Prisma, golang-migrate): the statement fails there even though the file has no BEGIN. The CONCURRENTLY forms ' +
      'are reported by ban-concurrent-index-creation-in-transaction, ALTER TYPE ... ADD VALUE by enum-value-in-transaction.',
    safe: "Run the statement outside any transaction: with the runner's opt-out (named in the message), alone in a migration of its own.",
    bad: 'BEGIN;\nVACUUM users;\nCOMMIT;',
    good: 'VACUUM users;',
  },
  checkStatement(ctx, report) {
    const kind = ctx.statement.kind;
    const what = ALWAYS[kind] ?? (ctx.effect.noTransaction && !ctx.effect.concurrently ? MODELLED[kind] : undefined);
    if (!what) return;
    const place = blockedPlace(ctx);
    if (!place) return;
    report({
      statement: ctx.statement.index,
      span: headSpan(ctx.file, ctx.statement),
      message: `${what} fails ${place.where}`,
      help: place.help,
      related: place.related.length ? place.related : undefined,
      fix: runnerFix(ctx) ?? outOfOwnBlock(ctx),
    });
  },
};
