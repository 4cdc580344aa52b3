import { Rule, FileContext, RelatedInfo } from './types';
import { headSpan } from './support/spans';
import { lineOf } from './support/context';
import { parseDuration } from '../model/timeline';
import { estimateText, TableBlocking } from '../size/estimate';
import { WORK_WORDS } from '../size/rates';
import type { StatsSnapshot } from '../size/snapshot';

/** The example snapshot of the docs: a 40 GB `events` table. */
const EXAMPLE_STATS: StatsSnapshot = {
  version: 1,
  capturedAt: '2026-12-01T00:00:00Z',
  server: { version: '15.18', versionNum: 150018 },
  database: 'app',
  tables: [
    {
      schema: 'public',
      name: 'events',
      kind: 'r',
      reltuples: 300_000_000,
      heapBytes: 40 * 1024 ** 3,
      indexBytes: 9 * 1024 ** 3,
      toastBytes: 0,
      indexes: [{ name: 'events_pkey', bytes: 9 * 1024 ** 3 }],
    },
  ],
};

export const lockBudget: Rule = {
  id: 'lock-budget',
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'With a size snapshot: a file whose estimated read- or write-blocking time on one table exceeds `lockBudget` (default 5 s).',
    why:
      'Every second a lock that blocks reads or writes is held with work under it (a rewrite, a scan, an index build, a ' +
      'validation) is a second of queued requests on that table. Locks are held until COMMIT, so the work of every ' +
      'statement after the lock in the same transaction adds up. With `.lockwise/stats.json` (`lockwise stats pull`) ' +
      'Lockwise estimates that time per table from the table sizes and measured rates (docs/sizes.md) and compares the ' +
      'upper end of the estimate with `lockBudget`. The finding names each statement that does work while the lock is held.',
    safe:
      'Use the online forms, whose locks do not block reads or writes and so do not count: CREATE INDEX CONCURRENTLY, ' +
      'constraints added NOT VALID then VALIDATEd, SET NOT NULL after a validated CHECK. Split the remaining work into ' +
      'separate transactions, or raise `lockBudget` for a table you can afford to block. Without a snapshot the rule is silent.',
    bad: 'ALTER TABLE events ALTER COLUMN id TYPE bigint;',
    good: 'CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);',
    exampleStats: EXAMPLE_STATS,
  },
  checkFile(file, report) {
    const budget = (parseDuration(file.config.lockBudget) ?? 5000) / 1000;
    for (const blocking of file.sizes?.blocking ?? []) {
      if (blocking.estimate.high <= budget) continue;
      const stmt = file.statements[blocking.first];
      report({
        statement: blocking.first,
        span: headSpan(file, stmt),
        message: budgetMessage(file, blocking),
        help: 'Use the online forms (CONCURRENTLY, NOT VALID then VALIDATE), or split the work into separate transactions',
        notes: blocking.contributors.map(
          (c) => `line ${lineOf(file, file.statements[c.statement].span.start)}: ${workWords(file, c.statement)} ${estimateText(c.estimate)}`,
        ),
        related: contributorsInfo(file, blocking),
      });
    }
  },
};

function budgetMessage(file: FileContext, b: TableBlocking): string {
  const line = (i: number) => lineOf(file, file.statements[i].span.start);
  const what = b.level === 'writes' ? 'writes' : b.readsFrom === undefined ? 'reads and writes' : `writes (reads from line ${line(b.readsFrom)})`;
  return `This file blocks ${what} of ${b.table} for ${estimateText(b.estimate)}, over the ${file.config.lockBudget} lock budget`;
}

function contributorsInfo(file: FileContext, b: TableBlocking): RelatedInfo[] {
  return b.contributors.map((c) => ({
    span: headSpan(file, file.statements[c.statement]),
    message: `${workWords(file, c.statement)} ${estimateText(c.estimate)} while ${b.table} is blocked`,
  }));
}

/** "rewrite + index build", from the statement's work items. */
function workWords(file: FileContext, index: number): string {
  const kinds = [...new Set(file.sizes?.statements[index]?.work.map((w) => w.kind) ?? [])];
  return kinds.map((k) => WORK_WORDS[k]).join(' + ');
}
