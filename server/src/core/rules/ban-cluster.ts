import { as } from '../parse/ast';
import { Rule } from './types';
import { keywordSpan, headSpan } from './support/spans';

import { shown } from './support/messages';
export const banCluster: Rule = {
  id: 'ban-cluster',
  kinds: ['ClusterStmt'],
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'CLUSTER, which rewrites the table in index order under ACCESS EXCLUSIVE.',
    why:
      'CLUSTER copies the whole table into new files in the order of an index and rebuilds every index, while holding ' +
      '**ACCESS EXCLUSIVE**: no query can read or write the table until it finishes. Without a table it re-clusters ' +
      'every table that was clustered before, one after the other.',
    safe:
      'Reorder online with pg_repack (`--order-by`), or accept that the physical order decays and rely on the index. ' +
      'Tables created earlier in the same file are not flagged.',
    bad: 'CLUSTER events USING events_created_at_idx;',
    good: '-- pg_repack --table=events --order-by=created_at (runs online, outside the migration)',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'ClusterStmt');
    if (!stmt) return;
    const table = ctx.catalog.key(stmt.relation);
    if (table && !ctx.catalog.existedBeforeFile(table)) return;
    report({
      statement: ctx.statement.index,
      span: keywordSpan(ctx.file, ctx.statement, 'CLUSTER') ?? headSpan(ctx.file, ctx.statement),
      message: table
        ? `CLUSTER blocks reads and writes on ${shown(table)} while it rewrites the table and its indexes`
        : 'CLUSTER without a table rewrites every clustered table in turn, blocking reads and writes on each',
      help: 'Use pg_repack to reorder online',
    });
  },
};
