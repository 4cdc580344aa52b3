import { as, asDefElem } from '../parse/ast';
import { Rule, Fix, StatementContext } from './types';
import { outsideTransactionHint } from './support/context';
import { headSpan } from './support/spans';
import { statementTextWith } from './support/edits';
import { fixOrWithheld, placementNote, placeOutsideTransaction } from '../fixes/placement';
import { Token } from '../parse/parser';
import { Span } from '../text/positions';

const KIND_WORDS: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
  REINDEX_OBJECT_SYSTEM: 'SYSTEM',
};

import { shown } from './support/messages';
export const requireConcurrentReindex: Rule = {
  id: 'require-concurrent-reindex',
  kinds: ['ReindexStmt'],
  defaultSeverity: 'error',
  minPgVersion: 12,
  fixable: true,
  fixes: {
    concurrently: {
      safety: 'safe',
      does: 'Uses REINDEX INDEX ... CONCURRENTLY outside the transaction.',
      effect: 'the index is rebuilt, an invalid one included (pinned on PGlite)',
    },
    'concurrently-many': {
      safety: 'suggestion',
      does: 'Uses REINDEX TABLE/SCHEMA/DATABASE ... CONCURRENTLY outside the transaction.',
      effect: 'invalid indexes are skipped, not rebuilt',
    },
  },
  docs: {
    summary: 'REINDEX without CONCURRENTLY (PostgreSQL 12+).',
    why:
      '`REINDEX` takes a SHARE lock on the table, which blocks INSERT, UPDATE and DELETE, and an **ACCESS EXCLUSIVE** ' +
      'lock on each index it rebuilds. Every query that would plan on the table opens its indexes, so reads wait too: ' +
      'the table is effectively offline until the rebuild ends. `REINDEX SCHEMA` and `REINDEX DATABASE` do this to ' +
      'every table in turn.',
    safe:
      '`REINDEX ... CONCURRENTLY` (PostgreSQL 12 and later) builds a new copy of each index next to the old one, with ' +
      'only SHARE UPDATE EXCLUSIVE on the table, then swaps them. It cannot run inside a transaction block, and system ' +
      'catalogs cannot be reindexed concurrently. A failed concurrent rebuild leaves an invalid `_ccnew` index behind: ' +
      'drop it before retrying. Indexes and tables created earlier in the same migration are not flagged.',
    bad: 'REINDEX INDEX users_email_idx;',
    good: 'REINDEX INDEX CONCURRENTLY users_email_idx;',
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'ReindexStmt');
    if (!stmt?.kind) return;
    if ((stmt.params ?? []).some((p) => asDefElem(p)?.defname === 'concurrently')) return;
    const name = ctx.catalog.key(stmt.relation) ?? stmt.name;
    if ((stmt.kind === 'REINDEX_OBJECT_INDEX' || stmt.kind === 'REINDEX_OBJECT_TABLE') && !ctx.catalog.existedBeforeFile(name)) return;
    const kindToken = kindKeyword(ctx.file.tokens(ctx.statement), KIND_WORDS[stmt.kind]);
    const span: Span = kindToken ? { start: ctx.statement.span.start, end: kindToken.end } : headSpan(ctx.file, ctx.statement);
    let message: string;
    switch (stmt.kind) {
      case 'REINDEX_OBJECT_INDEX': {
        const table = ctx.catalog.indexes.get(name ?? '')?.table;
        message = `REINDEX blocks every query on ${table ? shown(table) : 'its table'}, reads included, while it rebuilds ${shown(name ?? '')}`;
        break;
      }
      case 'REINDEX_OBJECT_TABLE':
        message = `REINDEX blocks every query on ${shown(name ?? '')}, reads included, while it rebuilds its indexes`;
        break;
      case 'REINDEX_OBJECT_SYSTEM':
        message = 'REINDEX SYSTEM blocks every query that reads a system catalog while it rebuilds its indexes';
        break;
      default:
        message = `REINDEX ${KIND_WORDS[stmt.kind]}${name ? ' ' + shown(name) : ''} blocks every query on each of its tables in turn`;
    }
    const system = stmt.kind === 'REINDEX_OBJECT_SYSTEM';
    report({
      statement: ctx.statement.index,
      span,
      message,
      help: system
        ? 'System catalogs cannot be reindexed concurrently: run it in a maintenance window'
        : `Use REINDEX ... CONCURRENTLY${outsideTransactionHint(ctx)}`,
      notes: ['REINDEX takes ACCESS EXCLUSIVE on the indexes it rebuilds and SHARE on their tables'],
      ...(system || !kindToken ? {} : fixOrWithheld(ctx, concurrentFix(ctx, kindToken), `Use REINDEX ${kindToken.text} CONCURRENTLY`)),
    });
  },
};

/** The INDEX/TABLE/SCHEMA/DATABASE/SYSTEM keyword, skipping a parenthesised option list. */
function kindKeyword(tokens: Token[], word: string | undefined): Token | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keyword && t.text === word) return t;
  }
  return undefined;
}

function concurrentFix(ctx: StatementContext, kindToken: Token): Fix | undefined {
  const sql = statementTextWith(ctx.file, ctx.statement, kindToken.end, ' CONCURRENTLY');
  const edits = placeOutsideTransaction(ctx, sql);
  if (!edits) return undefined;
  return {
    kind: kindToken.text === 'INDEX' ? 'concurrently' : 'concurrently-many',
    title: `Use REINDEX ${kindToken.text} CONCURRENTLY${placementNote(edits)}`,
    preferred: true,
    edits,
    files: edits.files,
  };
}
