/**
 * Real migration histories executed the way their runner executes them, on the real server:
 * the corpus copy as it is, and a copy after `lockwise lint --fix`. Counts the files that fail and
 * compares the schemas both leave. Used by histories.test.ts; `node out/test/runners/histories.js`
 * prints the numbers alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { CORPUS } from '../support/corpus';
import { startPgServer, type PgServer } from '../support/pgServer';
import { pgSchema, schemaDiff } from '../support/pgSchema';
import { copyProject, fix } from './lockwise';

/** How one unit reaches PostgreSQL (pg's `query(text)` without parameters is a simple query, as the runners send). */
type Mode = 'transaction' | 'multi-statement';

export interface History {
  name: string;
  runner: string;
  /** Migrations folder inside the corpus. */
  folder: string;
  /** The files the runner applies, in its order, with how each runs. */
  units(dir: string): { file: string; mode: Mode }[];
  /** The runner's bookkeeping table, created before the first migration (some migrations alter it). */
  setup?: string;
}

const sortedDirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

export const HISTORIES: History[] = [
  {
    // diesel_migrations: one transaction per migration unless metadata.toml says
    // `run_in_transaction = false`; up.sql goes through batch_execute (one simple query); order by
    // the version, the folder name before its first '_' with '-' removed (migrations_internals).
    name: 'lemmy',
    runner: 'diesel',
    folder: 'lemmy/migrations',
    // diesel_migrations' CREATE_MIGRATIONS_TABLE
    setup: `CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,
      run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    units: (dir) =>
      sortedDirs(dir)
        .filter((d) => existsSync(join(dir, d, 'up.sql')))
        .map((d) => ({ d, v: d.split('_')[0].replace(/-/g, '') }))
        .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0))
        .map(({ d }) => {
          const meta = join(dir, d, 'metadata.toml');
          const noTx = existsSync(meta) && /run_in_transaction\s*=\s*false/.test(readFileSync(meta, 'utf8'));
          return { file: join(d, 'up.sql'), mode: noTx ? 'multi-statement' : 'transaction' };
        }),
  },
  {
    // Prisma Migrate: folders in name order, each migration.sql sent as one multi-statement script.
    name: 'documenso',
    runner: 'prisma',
    folder: 'documenso/packages/prisma/migrations',
    units: (dir) =>
      sortedDirs(dir)
        .sort()
        .filter((d) => existsSync(join(dir, d, 'migration.sql')))
        .map((d) => ({ file: join(d, 'migration.sql'), mode: 'multi-statement' })),
  },
  {
    // golang-migrate's postgres driver: N_name.up.sql in numeric version order, each file one Exec
    // (multi-statement) unless x-multi-statement is set, which harbor does not.
    name: 'harbor',
    runner: 'golang-migrate',
    folder: 'harbor/make/migrations/postgresql',
    // database/postgres/postgres.go ensureVersionTable
    setup: 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)',
    units: (dir) =>
      readdirSync(dir)
        .filter((f) => /^\d+_.*\.up\.sql$/.test(f))
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
        .map((file) => ({ file, mode: 'multi-statement' })),
  },
];

export interface Failure {
  file: string;
  error: string;
}

export interface HistoryResult {
  name: string;
  runner: string;
  files: number;
  /** Files --fix changed or created. */
  changed: number;
  /** The first file the original history cannot apply on this server (both runs stop before it). */
  stoppedAt?: Failure;
  originalFailures: Failure[];
  fixedFailures: Failure[];
  /** Catalog rows only one side has (empty: same schema). */
  schemaDiff: string[];
  fixMs: number;
  runMs: number;
  pgVersion: number;
}

async function runUnit(client: Client, sql: string, mode: Mode): Promise<string | undefined> {
  try {
    if (mode === 'transaction') await client.query('BEGIN');
    await client.query(sql);
    if (mode === 'transaction') await client.query('COMMIT');
    return undefined;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Applies `dir`'s units to a new database, up to `stopAt` (excluded). `fallback` (the original
 * folder) is applied instead of a failing file that exists there too, so one broken file does not
 * make every later one fail.
 */
async function apply(server: PgServer, history: History, dir: string, fallback?: string, stopAt?: string) {
  const db = await server.createDatabase(history.name);
  const client = await server.connect(db);
  const failures: Failure[] = [];
  try {
    if (history.setup) await client.query(history.setup);
    for (const unit of history.units(dir)) {
      if (unit.file === stopAt) break;
      const error = await runUnit(client, readFileSync(join(dir, unit.file), 'utf8'), unit.mode);
      if (error === undefined) continue;
      failures.push({ file: unit.file, error });
      const original = fallback && join(fallback, unit.file);
      if (original && existsSync(original)) await runUnit(client, readFileSync(original, 'utf8'), unit.mode);
    }
    return { failures, schema: await pgSchema(client) };
  } finally {
    await client.end();
  }
}

export async function measureHistory(server: PgServer, corpus: string, history: History): Promise<HistoryResult> {
  const source = join(corpus, history.folder);
  const fixed = copyProject(source, `${history.name}-fixed`);
  let t = Date.now();
  fix(fixed);
  const fixMs = Date.now() - t;
  const changed = history.units(fixed).filter((u) => {
    const o = join(source, u.file);
    return !existsSync(o) || readFileSync(o, 'utf8') !== readFileSync(join(fixed, u.file), 'utf8');
  }).length;
  t = Date.now();
  // The original stops at its first failure: a later file needs a newer server (lemmy's history
  // uses PostgreSQL 16 syntax from 2025-08 on) or something the history does not create.
  let original = await apply(server, history, source);
  const stoppedAt = original.failures[0];
  if (stoppedAt) original = await apply(server, history, source, undefined, stoppedAt.file);
  const after = await apply(server, history, fixed, source, stoppedAt?.file);
  return {
    name: history.name,
    runner: history.runner,
    files: history.units(source).length,
    changed,
    stoppedAt,
    originalFailures: original.failures,
    fixedFailures: after.failures,
    schemaDiff: schemaDiff(original.schema, after.schema),
    fixMs,
    runMs: Date.now() - t,
    pgVersion: server.version,
  };
}

export function summary(r: HistoryResult): string {
  const errors = new Map<string, number>();
  for (const f of r.fixedFailures) errors.set(f.error, (errors.get(f.error) ?? 0) + 1);
  const top = [...errors]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([e, n]) => `${n}x ${e}`);
  return (
    `${r.name} (${r.runner}): ${r.files} files, --fix changed ${r.changed}; ` +
    (r.stoppedAt ? `PostgreSQL ${r.pgVersion} stops the original at ${r.stoppedAt.file} (${r.stoppedAt.error}); ` : '') +
    `failures original ${r.originalFailures.length}, ` +
    `fixed ${r.fixedFailures.length}; schema rows differing ${r.schemaDiff.length}; fix ${r.fixMs} ms, run ${r.runMs} ms` +
    (top.length ? `\n    ${top.join('\n    ')}` : '')
  );
}

async function main(): Promise<void> {
  if (!CORPUS) return console.log('skipped: corpus not found (set LOCKWISE_CORPUS, or put it at ../shared/corpus)');
  const server = await startPgServer();
  try {
    for (const h of HISTORIES.filter((x) => !process.argv[2] || x.name === process.argv[2])) console.log(summary(await measureHistory(server, CORPUS, h)));
  } finally {
    await server.stop();
  }
}

if (require.main === module) void main();
