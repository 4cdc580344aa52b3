import { as } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan } from './support/spans';

import { shown } from './support/messages';
export const requireConcurrentRefresh: Rule = {
  id: 'require-concurrent-refresh',
  kinds: ['RefreshMatViewStmt'],
  defaultSeverity: 'warning',
  fixable: true,
  fixes: {
    concurrently: {
      safety: 'safe',
      does: 'Adds CONCURRENTLY; offered as safe when the migration history shows a unique index on the view and the view created with data.',
      effect: 'the view ends with the same rows',
    },
    'concurrently-unverified': {
      safety: 'suggestion',
      does: 'Adds CONCURRENTLY where the migration history does not show a unique index on the view, or shows it created WITH NO DATA.',
      effect: 'fails unless the view has a unique index on plain columns and was populated',
    },
  },
  docs: {
    summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY.',
    why:
      'A plain refresh takes an **ACCESS EXCLUSIVE** lock on the materialized view and holds it while the whole ' +
      'query runs again: every SELECT from the view waits until the refresh commits.',
    safe:
      '`REFRESH MATERIALIZED VIEW CONCURRENTLY` takes only an EXCLUSIVE lock, so reads continue; it computes the new ' +
      'contents next to the old ones and applies the difference. It needs a unique index on the view that uses ' +
      'only column names and covers every row (no WHERE clause), and the view must already be populated. It is ' +
      'slower than a plain refresh and still blocks other refreshes. Views created earlier in the same migration ' +
      'are not flagged.',
    bad: 'REFRESH MATERIALIZED VIEW daily_totals;',
    good: 'CREATE UNIQUE INDEX CONCURRENTLY daily_totals_day_key ON daily_totals (day);\nREFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'RefreshMatViewStmt');
    // WITH NO DATA empties the view; CONCURRENTLY cannot be combined with it.
    if (!stmt || stmt.concurrent || stmt.skipData) return;
    const name = ctx.catalog.key(stmt.relation);
    if (!ctx.catalog.existedBeforeFile(name)) return;
    const view = ctx.catalog.relation(name);
    const known = view?.kind === 'matview';
    const usable = ctx.catalog.indexesOf(name ?? '').some((i) => i.unique && !i.partial && i.columns.length > 0);
    const missingIndex = known && !usable;
    const viewKeyword = keywordSpan(ctx.file, ctx.statement, 'MATERIALIZED', 'VIEW');
    const refresh = keywordSpan(ctx.file, ctx.statement, 'REFRESH');
    const span = refresh && viewKeyword ? { start: refresh.start, end: viewKeyword.end } : headSpan(ctx.file, ctx.statement);
    report({
      statement: ctx.statement.index,
      span,
      message: `REFRESH MATERIALIZED VIEW blocks every read of ${shown(name ?? '')} until the refresh ends`,
      help: missingIndex
        ? `REFRESH ... CONCURRENTLY lets reads continue, but it needs a unique index on ${name} (column names only, no WHERE) and the migration history shows none: create one first`
        : usable
          ? `Use REFRESH MATERIALIZED VIEW CONCURRENTLY (it uses the unique index on ${name})`
          : `Use REFRESH MATERIALIZED VIEW CONCURRENTLY: it needs a unique index on ${name} (column names only, no WHERE)`,
      fix:
        missingIndex || !viewKeyword
          ? undefined
          : {
              // CONCURRENTLY also fails on a view never populated (created WITH NO DATA): safe only when the history shows it filled.
              kind: usable && view?.rows !== undefined ? 'concurrently' : 'concurrently-unverified',
              title: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY',
              preferred: true,
              edits: [{ start: viewKeyword.end, end: viewKeyword.end, newText: ' CONCURRENTLY' }],
            },
    });
  },
};
