/**
 * `lockwise stats pull | query | calibrate`: the only code that connects to a database. `pull`
 * writes the size snapshot (`.lockwise/stats.json`) from one read-only query; `query` prints that
 * query for teams that cannot connect from CI (`psql -At -f`); `calibrate` measures the server's
 * rates on a scratch table (cli/calibrate.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { STATS_FILE, STATS_QUERY, validateSnapshot, SnapshotError } from '../core';
import { UsageError } from '../project/files';
import { writeLine, writeReport } from '../project/output';
import { calibrate } from './calibrate';

export const STATS_HELP = `Usage:
  lockwise stats pull [--db-url URL] [--out F]   write the table sizes to .lockwise/stats.json (read-only)
  lockwise stats query                            print the SQL whose output is that file:
                                                  psql -At -f query.sql > .lockwise/stats.json
  lockwise stats calibrate [--db-url URL] [--out F] [--rows N]
                                                  measure this server's rewrite, scan and index build rates
                                                  on a scratch table (schema lockwise_calibrate, dropped after)
                                                  into .lockwise/rates.json

Without --db-url the PG* environment variables apply (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD).`;

export interface StatsOptions {
  command: string;
  dbUrl?: string;
  out?: string;
  /** statement_timeout of the pull, e.g. "30s". */
  timeout: string;
  rows?: number;
}

export function parseStatsArgs(argv: string[]): StatsOptions {
  const opts: StatsOptions = { command: argv[0] ?? '', timeout: '30s' };
  for (let i = 1; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--db-url') opts.dbUrl = value();
    else if (flag === '--out') opts.out = value();
    else if (flag === '--timeout') opts.timeout = value();
    else if (flag === '--rows') opts.rows = positiveInt(value(), flag);
    else throw new UsageError(`unknown option ${argv[i]} for stats (see lockwise stats --help)`);
  }
  return opts;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, not "${v}"`);
  return n;
}

export async function stats(argv: string[]): Promise<number> {
  const opts = parseStatsArgs(argv);
  switch (opts.command) {
    case 'pull':
      return pull(opts);
    case 'query':
      writeReport(STATS_QUERY);
      return 0;
    case 'calibrate':
      return calibrate(opts, await connect(opts, false));
    case '':
    case 'help':
    case '--help':
    case '-h':
      writeReport(STATS_HELP + '\n');
      return opts.command ? 0 : 2;
    default:
      throw new UsageError(`unknown stats command "${opts.command}" (expected pull, query or calibrate)`);
  }
}

/**
 * A client on --db-url or the PG* variables. `readOnly`: every transaction of the session is read
 * only, so a pull can never write, whatever the role may do.
 */
export async function connect(opts: StatsOptions, readOnly: boolean): Promise<Client> {
  const client = new Client(opts.dbUrl ? { connectionString: opts.dbUrl } : {});
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (readOnly) await client.query('SET default_transaction_read_only = on');
    await client.query(`SET statement_timeout = ${quoteLiteral(opts.timeout)}`);
    // pg_relation_size waits for ACCESS SHARE: never queue behind a running migration.
    await client.query(`SET lock_timeout = '2s'`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new UsageError(`cannot connect to the database: ${(error as Error).message}`);
  }
  return client;
}

async function pull(opts: StatsOptions): Promise<number> {
  const client = await connect(opts, true);
  let raw: unknown;
  try {
    raw = (await client.query<{ json_build_object: unknown }>(STATS_QUERY)).rows[0].json_build_object;
  } catch (error) {
    throw new UsageError(`the stats query failed: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const snapshot = validateOrUsage(raw);
  const out = opts.out ?? STATS_FILE;
  writeJson(out, snapshot);
  writeLine(`Wrote ${out}: ${snapshot.tables.length} tables of ${snapshot.database} (PostgreSQL ${snapshot.server.version}) at ${snapshot.capturedAt}`);
  return 0;
}

function validateOrUsage(raw: unknown) {
  try {
    return validateSnapshot(raw);
  } catch (error) {
    if (error instanceof SnapshotError) throw new UsageError(`the server's answer is not a stats snapshot: ${error.message}`);
    throw error;
  }
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** A SQL string literal (the timeout comes from the command line). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
