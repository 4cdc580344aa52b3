import { T, as } from '../parse/ast';
import { Rule, Fix, StatementContext, WithheldFix } from './types';
import { keywordSpan, headSpan } from './support/spans';
import { statementTextWith } from './support/edits';
import { noOutsidePlaceReason, placementNote, placeOutsideTransaction } from '../fixes/placement';

import { shown } from './support/messages';
import { outsideTransactionHint } from './support/context';
export const requireConcurrentIndexCreation: Rule = {
  id: 'require-concurrent-index-creation',
  kinds: ['IndexStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    concurrently: {
      safety: 'safe',
      does: 'Adds CONCURRENTLY (and IF NOT EXISTS to a named index); moves the statement after the COMMIT when it ends its transaction.',
      effect: 'the same index is built; IF NOT EXISTS only differs where the original fails',
    },
  },
  docs: {
    summary: 'CREATE INDEX without CONCURRENTLY on an existing table.',
    why:
      'A plain `CREATE INDEX` takes a **SHARE** lock on the table for the whole build: every INSERT, UPDATE and ' +
      'DELETE waits until the index is built, which on a large table takes minutes. Reads continue.',
    safe:
      '`CREATE INDEX CONCURRENTLY` takes SHARE UPDATE EXCLUSIVE instead, so writes continue during the build. ' +
      'It cannot run inside a transaction block, and a failed build leaves an INVALID index behind: add ' +
      '`IF NOT EXISTS` so that a retry is safe (drop the invalid index first when a build failed). ' +
      'Indexes on tables created earlier in the same migration are not flagged: the table is empty and unused.',
    bad: 'CREATE INDEX users_email_idx ON users (email);',
    good: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'IndexStmt');
    if (!stmt || stmt.concurrent) return;
    const table = ctx.catalog.key(stmt.relation);
    if (!ctx.catalog.existedBeforeFile(table)) return;
    const span = keywordSpan(ctx.file, ctx.statement, 'INDEX') ?? headSpan(ctx.file, ctx.statement);
    const create = keywordSpan(ctx.file, ctx.statement, 'CREATE');
    const partitioned = ctx.catalog.relation(table)?.kind === 'partitioned';
    report({
      statement: ctx.statement.index,
      span: create ? { start: create.start, end: span.end } : span,
      message: `CREATE INDEX blocks writes to ${shown(table ?? '')} while it builds`,
      help: partitioned
        ? `${table} is partitioned, where CONCURRENTLY is not supported: create the index CONCURRENTLY on each partition, then ON ONLY the parent and ATTACH them`
        : `Use CREATE INDEX CONCURRENTLY${outsideTransactionHint(ctx)}`,
      ...(partitioned
        ? { withheld: { title: 'Use CREATE INDEX CONCURRENTLY', reason: `${table} is partitioned, where CONCURRENTLY is not supported` } }
        : concurrentFixOrWhyNot(ctx, stmt)),
    });
  },
};

function concurrentFixOrWhyNot(ctx: StatementContext, stmt: T.IndexStmt): { fix?: Fix; withheld?: WithheldFix } {
  const fix = concurrentFix(ctx, stmt);
  if (fix) return { fix };
  return { withheld: { title: 'Use CREATE INDEX CONCURRENTLY', reason: `CONCURRENTLY cannot run in a transaction block, and ${noOutsidePlaceReason(ctx)}` } };
}

/** CONCURRENTLY (and IF NOT EXISTS for named indexes); moves the statement after COMMIT when it ends its transaction. */
function concurrentFix(ctx: StatementContext, stmt: T.IndexStmt): Fix | undefined {
  const index = keywordSpan(ctx.file, ctx.statement, 'INDEX');
  if (!index) return undefined;
  const addition = ' CONCURRENTLY' + (stmt.idxname && !stmt.if_not_exists ? ' IF NOT EXISTS' : '');
  if (!ctx.timeline.transaction && ctx.statement.container === undefined) {
    return { kind: 'concurrently', title: 'Use CREATE INDEX CONCURRENTLY', preferred: true, edits: [{ start: index.end, end: index.end, newText: addition }] };
  }
  // Inside a transaction: only when this is the transaction's last statement can it move after COMMIT unchanged.
  const edits = placeOutsideTransaction(ctx, statementTextWith(ctx.file, ctx.statement, index.end, addition));
  if (!edits) return undefined;
  return { kind: 'concurrently', title: `Use CREATE INDEX CONCURRENTLY${placementNote(edits)}`, preferred: true, edits, files: edits.files };
}
