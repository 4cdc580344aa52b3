import { T, as } from '../parse/ast';
import { Rule, Fix, StatementContext } from './types';
import { outsideTransactionHint } from './support/context';
import { alterCommands } from './support/alter';
import { keywordSpan, headSpan } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { eol } from './support/edits';
import { chooseName } from '../model/catalog';
import { fixOrWithheld, placementNote, placeOutsideTransaction } from '../fixes/placement';

import { shown } from './support/messages';
export const requireConcurrentPartitionDetach: Rule = {
  id: 'require-concurrent-partition-detach',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  minPgVersion: 14,
  fixable: true,
  fixes: {
    concurrently: {
      safety: 'safe',
      does: 'Uses DETACH PARTITION ... CONCURRENTLY outside the transaction, then drops the CHECK constraint it adds to the partition.',
      effect: 'the partition ends detached with the same constraints',
    },
  },
  docs: {
    summary: 'ALTER TABLE ... DETACH PARTITION without CONCURRENTLY (PostgreSQL 14+).',
    why:
      'A plain `DETACH PARTITION` takes an **ACCESS EXCLUSIVE** lock on the partitioned table (and on the partition, ' +
      'and on the default partition when there is one): every read and write of every partition waits until the ' +
      'lock is granted and the detach commits, and it first queues behind every running query on the table.',
    safe:
      '`DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14 and later) takes only SHARE UPDATE EXCLUSIVE on the ' +
      'partitioned table and runs in two transactions, waiting for queries that use the partition to finish. It ' +
      'cannot run inside a transaction block and is not allowed when the table has a default partition. If it is ' +
      'interrupted, finish it with `ALTER TABLE ... DETACH PARTITION ... FINALIZE`. It also adds a CHECK constraint ' +
      'copying the partition bound to the detached table (handy to attach it again); the quick fix drops it, so the ' +
      'schema ends the same. Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE measurements DETACH PARTITION measurements_2023;',
    good: 'ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;',
  },
  checkStatement(ctx, report) {
    for (const { cmd, table } of alterCommands(ctx, 'AT_DetachPartition')) {
      const def = as(cmd.def, 'PartitionCmd');
      if (def?.concurrent) continue;
      const part = ctx.catalog.key(def?.name) ?? 'the partition';
      const defaultPart = [...(ctx.catalog.relation(table)?.partitions ?? [])].find((p) => p !== part && ctx.catalog.relation(p)?.isDefaultPartition);
      const span = keywordSpan(ctx.file, ctx.statement, 'DETACH', 'PARTITION') ?? headSpan(ctx.file, ctx.statement);
      report({
        statement: ctx.statement.index,
        span,
        message: `DETACH PARTITION blocks reads and writes on ${shown(table)}${defaultPart ? ` and its default partition ${shown(defaultPart)}` : ''}`,
        help: defaultPart
          ? `CONCURRENTLY is not allowed while ${table} has a default partition: detach in a quiet moment with a short lock_timeout`
          : `Use DETACH PARTITION ... CONCURRENTLY${outsideTransactionHint(ctx)}; it leaves a CHECK constraint copying the partition bound on ${part}, which you may drop`,
        ...(defaultPart || !def?.name || !ctx.catalog.relation(table)?.partitionKey?.length
          ? { fix: undefined }
          : fixOrWithheld(ctx, concurrentFix(ctx, table, def.name), 'Use DETACH PARTITION ... CONCURRENTLY')),
      });
    }
  },
};

/**
 * CONCURRENTLY, then drop the CHECK constraint that DETACH ... CONCURRENTLY adds to the detached
 * table (named like an unnamed CHECK on the partition key's columns), so the schema ends the same.
 * Needs the partition key from the migration history to know that name.
 */
function concurrentFix(ctx: StatementContext, table: string, partition: T.RangeVar): Fix | undefined {
  const key = ctx.catalog.relation(table)?.partitionKey;
  if (!key?.length || !partition.relname) return undefined;
  const check = chooseName(partition.relname, key.length === 1 ? key : [], 'check', (n) =>
    ctx.catalog.constraintNameTaken(n, ctx.catalog.relation(ctx.catalog.key(partition))?.schema),
  );
  // The partition name is the last thing in `ALTER TABLE t DETACH PARTITION p`.
  const sql =
    ctx.file.text.slice(ctx.statement.span.start, ctx.statement.span.end) +
    ' CONCURRENTLY;' +
    eol(ctx.file.text) +
    `ALTER TABLE ${relationSql(partition)} DROP CONSTRAINT IF EXISTS ${quoteIdent(check)}`;
  const edits = placeOutsideTransaction(ctx, sql, { carryLockTimeout: true });
  if (!edits) return undefined;
  return {
    kind: 'concurrently',
    title: `Use DETACH PARTITION ... CONCURRENTLY, then drop the CHECK constraint it adds${placementNote(edits)}`,
    preferred: true,
    edits,
    files: edits.files,
  };
}
