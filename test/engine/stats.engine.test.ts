/**
 * `lockwise stats pull` and `lockwise stats query` on a real PostgreSQL server: tables of several
 * sizes (an index, TOAST, another schema, a partitioned table, a materialized view), the snapshot
 * compared with the catalog read independently, the psql route giving the same document, the PG*
 * variables, and a session that cannot write. Spawns dist/cli.js (npm run build).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client } from 'pg';
import Ajv from 'ajv';
import { StatsSnapshot, validateSnapshot } from '../../server/src/core';
import { connect } from '../../server/src/cli/stats';
import { findPgBin, requirePgServer, PgServer } from '../support/pgServer';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

const SETUP = `
  CREATE TABLE tiny (id int PRIMARY KEY, name text);
  INSERT INTO tiny SELECT g, 'n' || g FROM generate_series(1, 120) g;
  CREATE TABLE mid (id bigint PRIMARY KEY, email text, n int);
  INSERT INTO mid SELECT g, 'user' || g || '@example.com', g % 100 FROM generate_series(1, 20000) g;
  CREATE INDEX mid_n_idx ON mid (n);
  CREATE TABLE docs (id int, body text);
  INSERT INTO docs SELECT g, repeat(md5(g::text), 400) FROM generate_series(1, 200) g;
  CREATE SCHEMA other;
  CREATE TABLE other.mid (id int);
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  INSERT INTO events SELECT g, '2026-01-01'::date + g % 300 FROM generate_series(1, 3000) g;
  CREATE MATERIALIZED VIEW mid_counts AS SELECT n, count(*) FROM mid GROUP BY n;
  CREATE TABLE never_analysed (id int);
  ANALYZE tiny; ANALYZE mid; ANALYZE docs; ANALYZE events_2026; ANALYZE mid_counts;
`;

/** The catalog's own answer for one table, read without the stats query. */
async function catalogFacts(client: Client, schema: string, name: string) {
  const rel = `${schema}.${name}`;
  const r = await client.query(
    `SELECT c.reltuples::float8 AS reltuples, pg_relation_size(c.oid)::float8 AS heap, pg_indexes_size(c.oid)::float8 AS idx,
            CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END::float8 AS toast,
            (SELECT count(*) FROM ${rel})::float8 AS count
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [rel],
  );
  const indexes = await client.query(
    `SELECT indexname AS name, pg_relation_size(format('%I.%I', schemaname, indexname)::regclass)::float8 AS bytes
       FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`,
    [schema, name],
  );
  return { ...r.rows[0], indexes: indexes.rows };
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
}

describe('lockwise stats pull / query on a real PostgreSQL', function () {
  let server: PgServer;
  let db: string;
  let client: Client;
  let tmp: string;
  let snapshot: StatsSnapshot;

  before(async function () {
    server = await requirePgServer(this);
    db = await server.createDatabase('stats');
    client = await server.connect(db);
    await client.query(SETUP);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-stats-'));
    const out = path.join(tmp, '.lockwise', 'stats.json');
    const r = cli(['stats', 'pull', '--db-url', server.url(db), '--out', out]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Wrote .*stats\.json: 8 tables of stats_\d+_\d+ \(PostgreSQL 15\.\d+\b/);
    snapshot = validateSnapshot(JSON.parse(fs.readFileSync(out, 'utf8')));
  });

  after(async () => {
    await client?.end();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists every user table, partition and materialized view, with its schema and kind', () => {
    const names = snapshot.tables.map((t) => `${t.schema}.${t.name}:${t.kind}`);
    assert.deepStrictEqual(names, [
      'other.mid:r',
      'public.docs:r',
      'public.events:p',
      'public.events_2026:r',
      'public.mid:r',
      'public.mid_counts:m',
      'public.never_analysed:r',
      'public.tiny:r',
    ]);
    assert.strictEqual(snapshot.database, db);
    assert.strictEqual(Math.floor(snapshot.server.versionNum / 10000), server.version);
    assert.ok(Math.abs(Date.parse(snapshot.capturedAt) - Date.now()) < 120_000, snapshot.capturedAt);
  });

  it('has the catalog sizes, row estimates and indexes of each table', async () => {
    for (const t of snapshot.tables) {
      const facts = await catalogFacts(client, t.schema, t.name);
      const where = `${t.schema}.${t.name}`;
      assert.deepStrictEqual(
        { reltuples: t.reltuples, heap: t.heapBytes, idx: t.indexBytes, toast: t.toastBytes, indexes: t.indexes },
        { reltuples: facts.reltuples, heap: facts.heap, idx: facts.idx, toast: facts.toast, indexes: facts.indexes },
        where,
      );
      // ANALYZE read every row of these small tables: the estimate is the count.
      if (t.reltuples >= 0 && t.kind !== 'p') assert.strictEqual(t.reltuples, facts.count, `${where} reltuples`);
    }
    const mid = snapshot.tables.find((t) => t.schema === 'public' && t.name === 'mid')!;
    assert.deepStrictEqual(
      mid.indexes.map((i) => i.name),
      ['mid_n_idx', 'mid_pkey'],
    );
    assert.ok(mid.heapBytes > 1_000_000, `mid heap ${mid.heapBytes}`);
    assert.ok(snapshot.tables.find((t) => t.name === 'docs')!.toastBytes > 0, 'docs has TOAST');
    assert.strictEqual(snapshot.tables.find((t) => t.name === 'never_analysed')!.reltuples, -1);
  });

  it('the file matches its JSON schema (schemas/stats.schema.json)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'stats.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const validate = ajv.compile(schema);
    assert.ok(validate(snapshot), JSON.stringify(validate.errors));
    assert.ok(!validate({ ...snapshot, tables: [{ ...snapshot.tables[0], heapBytes: -1 }] }), 'a negative size is rejected');
  });

  it('`stats query` run with psql -At -f gives the same document', function () {
    const query = cli(['stats', 'query']);
    assert.strictEqual(query.status, 0, query.stderr);
    const file = path.join(tmp, 'query.sql');
    fs.writeFileSync(file, query.stdout);
    const psql = spawnSync(path.join(findPgBin()!, 'psql'), ['-At', '-X', '-v', 'ON_ERROR_STOP=1', '-f', file, server.url(db)], { encoding: 'utf8' });
    assert.strictEqual(psql.status, 0, psql.stderr);
    const viaPsql = validateSnapshot(JSON.parse(psql.stdout));
    assert.deepStrictEqual({ ...viaPsql, capturedAt: '' }, { ...snapshot, capturedAt: '' });
  });

  it('connects with the PG* environment variables when no --db-url is given', () => {
    const out = path.join(tmp, 'env.json');
    const env = { ...process.env, PGHOST: server.host, PGPORT: String(server.port), PGUSER: 'postgres', PGDATABASE: db };
    const r = cli(['stats', 'pull', '--out', out], env);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(validateSnapshot(JSON.parse(fs.readFileSync(out, 'utf8'))).tables.length, snapshot.tables.length);
  });

  it("the pull's session is read-only and has a statement_timeout", async () => {
    const session = await connect({ command: 'pull', dbUrl: server.url(db), timeout: '30s' }, true);
    try {
      assert.strictEqual((await session.query('SHOW statement_timeout')).rows[0].statement_timeout, '30s');
      await assert.rejects(session.query('CREATE TABLE nope (id int)'), /read-only transaction/);
    } finally {
      await session.end();
    }
  });

  it('a connection failure is one line and exit 2', () => {
    const r = cli(['stats', 'pull', '--db-url', `postgres://postgres@127.0.0.1:1/${db}`, '--out', path.join(tmp, 'x.json')]);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /^lockwise: cannot connect to the database: .+\n$/);
    assert.ok(!fs.existsSync(path.join(tmp, 'x.json')));
  });
});
