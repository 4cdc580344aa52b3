/**
 * `lockwise stats calibrate`: times the work migrations do under their locks (rewrite, scan, CHECK
 * and foreign key validation, index build) on scratch tables of two sizes in a schema of its own
 * (`lockwise_calibrate`, created and dropped; it refuses to touch one that exists), and writes the
 * rate ranges with the raw timings to `.lockwise/rates.json`.
 */
import type { Client } from 'pg';
import { OVERHEAD_FLOOR_MS, RATE_WIDEN, RATE_WIDEN_FAST, RATES_FILE, ratesFromSamples, Rates, terminalLines, WorkKind } from '../core';
import { UsageError } from '../project/files';
import { writeReport } from '../project/output';
import type { StatsOptions } from './stats';
import { writeJson } from './stats';

const SCHEMA = 'lockwise_calibrate';
type Sample = Rates['measured']['samples'][number];

/** The statements timed on a table `t` of `rows` rows (and `p`, the referenced table, of rows / 10). */
const STEPS: { kind: WorkKind; sql: string; bytes: 'heap' | 'heap+parent' }[] = [
  { kind: 'rewrite', sql: 'ALTER TABLE t ALTER COLUMN n TYPE bigint', bytes: 'heap' },
  { kind: 'scan', sql: 'ALTER TABLE t ALTER COLUMN n SET NOT NULL', bytes: 'heap' },
  { kind: 'check', sql: 'ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n >= 0)', bytes: 'heap' },
  { kind: 'fk', sql: 'ALTER TABLE t ADD CONSTRAINT t_ref_fkey FOREIGN KEY (ref) REFERENCES p (id)', bytes: 'heap+parent' },
  { kind: 'index', sql: 'CREATE INDEX t_s_idx ON t (s)', bytes: 'heap' },
];

export async function calibrate(opts: StatsOptions, client: Client): Promise<number> {
  const rows = opts.rows ?? 100_000;
  const samples: Sample[] = [];
  let server = 'PostgreSQL';
  // Checked before the try: its cleanup drops the schema, and one that exists is not ours to drop.
  // CREATE SCHEMA without IF NOT EXISTS fails too when one appears meanwhile.
  if ((await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [SCHEMA])).rowCount) {
    await client.end().catch(() => undefined);
    throw new UsageError(`schema ${SCHEMA} exists: drop it first (calibrate creates and drops it)`);
  }
  await client.query(`CREATE SCHEMA ${SCHEMA}`).catch(async (error: Error) => {
    await client.end().catch(() => undefined);
    throw new UsageError(`cannot create the scratch schema ${SCHEMA}: ${error.message}`);
  });
  try {
    server = `PostgreSQL ${(await client.query('SHOW server_version')).rows[0].server_version}`;
    await client.query('SET statement_timeout = 0');
    await client.query(`SET search_path = ${SCHEMA}`);
    // An empty table first: the fixed cost of each statement (catalog updates, commit, round trip).
    for (const n of [0, rows, rows * 4]) samples.push(...(await measureSize(client, n)));
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
  const rates = ratesFromSamples(samples, {
    at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    server,
    method:
      `lockwise stats calibrate: tables of ${rows} and ${rows * 4} rows (id bigint, ref int, n int, s text of 32 characters; ` +
      `a referenced table of a tenth), vacuumed, each statement timed from the client once per size, and once on empty tables ` +
      `for the fixed cost; MB/s of heap, the slowest divided by ${RATE_WIDEN}, the fastest multiplied by ${RATE_WIDEN_FAST}; fixed cost up to ${RATE_WIDEN}x the slowest, at least ${OVERHEAD_FLOOR_MS} ms`,
  });
  const out = opts.out ?? RATES_FILE;
  writeJson(out, rates);
  const line = (k: WorkKind) => `  ${k.padEnd(8)} ${rates.rates[k].low} – ${rates.rates[k].high} MB/s`;
  writeReport(terminalLines([`Wrote ${out} (${server}):`, ...(['rewrite', 'scan', 'check', 'fk', 'index'] as const).map(line)].join('\n') + '\n'));
  return 0;
}

/** Builds the tables for `rows`, times each step, drops them. */
async function measureSize(client: Client, rows: number): Promise<Sample[]> {
  await client.query('CREATE TABLE p (id int PRIMARY KEY)');
  await client.query('INSERT INTO p SELECT g FROM generate_series(1, $1::int) g', [Math.floor(rows / 10)]);
  await client.query('CREATE TABLE t (id bigint, ref int, n int, s text)');
  await client.query(`INSERT INTO t SELECT g, 1 + g % $2::int, g, md5(g::text) FROM generate_series(1, $1::int) g`, [rows, Math.max(1, Math.floor(rows / 10))]);
  // Hint bits and the visibility map, so the first timed statement does not pay for them.
  await client.query('VACUUM ANALYZE t');
  await client.query('VACUUM ANALYZE p');
  const samples: Sample[] = [];
  for (const step of STEPS) {
    const heap = await relationSize(client, 't');
    const bytes = step.bytes === 'heap' ? heap : heap + (await relationSize(client, 'p'));
    samples.push({ kind: step.kind, bytes, ms: await timed(client, step.sql) });
  }
  await client.query('DROP TABLE t, p');
  return samples;
}

async function timed(client: Client, sql: string): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query(sql);
  return Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100;
}

async function relationSize(client: Client, table: string): Promise<number> {
  return Number((await client.query('SELECT pg_relation_size($1::regclass) AS n', [table])).rows[0].n);
}
