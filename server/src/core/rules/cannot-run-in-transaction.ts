import { Rule, RelatedInfo } from './types';
import { runnerFix } from '../fixes/runnerPlacement';
import { headSpan } from './support/spans';
import { lineOf } from './support/context';
import { runnerAdvice } from '../runners/apply';

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

import { clause, inRunnerTransaction } from './support/messages';
export const cannotRunInTransaction: Rule = {
  id: 'cannot-run-in-transaction',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
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
    const tx = ctx.timeline.transaction;
    const inDo = ctx.statement.container !== undefined;
    if (!tx && !inDo) return;
    const file = ctx.file;
    const related: RelatedInfo[] = [];
    let where: string;
    let advice: string;
    if (inDo) {
      where = 'inside a DO block, which runs in a transaction';
      advice = 'Run it as a top-level statement';
    } else if (tx!.runner && tx!.implicit) {
      where = `here: ${inRunnerTransaction(tx!.runner)}`;
      advice = clause(runnerAdvice(tx!.runner));
    } else if (tx!.implicit) {
      where = 'in a file that runs in one transaction (assumeInTransaction)';
      advice = 'Put it in a migration of its own that runs without a transaction';
    } else {
      const begin = file.statements[tx!.begin!];
      related.push({ span: headSpan(file, begin), message: 'the transaction block begins here' });
      where = `inside the transaction block begun on line ${lineOf(file, begin.span.start)}`;
      advice = 'Run it after the COMMIT';
    }
    report({
      statement: ctx.statement.index,
      span: headSpan(file, ctx.statement),
      message: `${what} fails ${where}`,
      help: advice,
      related: related.length ? related : undefined,
      fix: runnerFix(ctx),
    });
  },
};
