import { T, as, nameList } from '../parse/ast';
import { Rule, Fix, StatementContext } from './types';
import { outsideTransactionHint } from './support/context';
import { keywordSpan, headSpan } from './support/spans';
import { quoteIdent } from './support/names';
import { eol } from './support/edits';
import { fixOrWithheld, placementNote, placeOutsideTransaction } from '../fixes/placement';

import { shown, shownList } from './support/messages';
export const requireConcurrentIndexDeletion: Rule = {
  id: 'require-concurrent-index-deletion',
  kinds: ['DropStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    concurrently: {
      safety: 'safe',
      does: 'Uses DROP INDEX CONCURRENTLY, one statement per index, outside the transaction.',
      effect: 'the same indexes are dropped',
    },
  },
  docs: {
    summary: 'DROP INDEX without CONCURRENTLY on an existing index.',
    why:
      "A plain `DROP INDEX` takes an **ACCESS EXCLUSIVE** lock on the index's table. Dropping itself is quick, but " +
      'the lock must first be granted: the statement queues behind every running query on the table, and every ' +
      'query that arrives after it, plain SELECTs included, queues behind the DROP.',
    safe:
      '`DROP INDEX CONCURRENTLY` only takes SHARE UPDATE EXCLUSIVE on the table and waits for the transactions ' +
      'that use the index to finish instead of blocking new ones. It names a single index, accepts no CASCADE, ' +
      'cannot run inside a transaction block and cannot drop an index of a partitioned table. ' +
      'Indexes created earlier in the same migration are not flagged.',
    bad: 'DROP INDEX users_email_idx;',
    good: 'DROP INDEX CONCURRENTLY users_email_idx;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'DropStmt');
    if (!stmt || stmt.removeType !== 'OBJECT_INDEX' || stmt.concurrent) return;
    const names = (stmt.objects ?? []).map((o) => nameList(as(o, 'List')?.items));
    const existing = names.filter((n) => ctx.catalog.existedBeforeFile(n[n.length - 1]));
    if (!existing.length) return;
    const index = existing[0][existing[0].length - 1];
    const tables = [...new Set(existing.map((n) => ctx.catalog.indexes.get(n[n.length - 1])?.table).filter((t): t is string => !!t))];
    const table = tables[0];
    const partitioned = tables.some((t) => ctx.catalog.relation(t)?.kind === 'partitioned');
    const drop = keywordSpan(ctx.file, ctx.statement, 'DROP', 'INDEX');
    const what = existing.length > 1 ? shownList(existing.map((n) => n[n.length - 1])) : shown(index);
    const on = tables.length ? shownList(tables) : existing.length > 1 ? 'their tables' : 'its table';
    const outside = outsideTransactionHint(ctx);
    let help: string;
    if (partitioned)
      help = `${table} is partitioned, where DROP INDEX CONCURRENTLY is not supported: drop the index in a quiet moment with a short lock_timeout`;
    else if (stmt.behavior === 'DROP_CASCADE') help = `Use DROP INDEX CONCURRENTLY${outside} (it does not support CASCADE: drop the dependent objects first)`;
    else help = `Use DROP INDEX CONCURRENTLY${outside}`;
    report({
      statement: ctx.statement.index,
      span: drop ?? headSpan(ctx.file, ctx.statement),
      message: `DROP INDEX ${what} blocks reads and writes on ${on}`,
      help,
      ...(partitioned || stmt.behavior === 'DROP_CASCADE' ? {} : fixOrWithheld(ctx, concurrentDropFix(ctx, stmt, names), 'Use DROP INDEX CONCURRENTLY')),
    });
  },
};

/**
 * DROP INDEX CONCURRENTLY takes one index: a statement dropping several becomes one statement per
 * index, in the same order.
 */
function concurrentDropFix(ctx: StatementContext, stmt: T.DropStmt, names: string[][]): Fix | undefined {
  const index = keywordSpan(ctx.file, ctx.statement, 'INDEX');
  if (!index || !names.length) return undefined;
  let sql: string;
  if (names.length === 1) {
    sql = ctx.file.text.slice(ctx.statement.span.start, index.end) + ' CONCURRENTLY' + ctx.file.text.slice(index.end, ctx.statement.span.end);
  } else {
    const prefix = ctx.file.text.slice(ctx.statement.span.start, index.end);
    sql = names.map((n) => `${prefix} CONCURRENTLY ${stmt.missing_ok ? 'IF EXISTS ' : ''}${n.map(quoteIdent).join('.')}`).join(';' + eol(ctx.file.text));
  }
  const edits = placeOutsideTransaction(ctx, sql);
  if (!edits) return undefined;
  return {
    kind: 'concurrently',
    title: `Use DROP INDEX CONCURRENTLY${names.length > 1 ? ', one statement per index' : ''}${placementNote(edits)}`,
    preferred: true,
    edits,
    files: edits.files,
  };
}
