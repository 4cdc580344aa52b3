/**
 * Estimated lock durations against real ones: `lockwise stats calibrate` measures the test server,
 * then six kinds of statement (a rewriting type change, SET NOT NULL, an index build, a foreign key
 * and a CHECK validation, VACUUM FULL) run on tables of two sizes, each timed on the server and
 * compared with the range analyze() estimates from a fresh snapshot and the calibrated rates. The
 * tables differ from calibrate's scratch table (wider rows, another key type) on purpose. Prints
 * the measured and estimated durations (docs/sizes.md quotes a run). Spawns dist/cli.js.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client } from 'pg';
import { analyze, Catalog, initParser, mergeConfig, Rates, STATS_QUERY, validateRates, validateSnapshot } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { requirePgServer, PgServer } from '../support/pgServer';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const SIZES = [30_000, 120_000];

const STEPS: { kind: string; sql: (t: string) => string }[] = [
  { kind: 'rewrite (type change)', sql: (t) => `ALTER TABLE ${t} ALTER COLUMN amount TYPE bigint` },
  { kind: 'SET NOT NULL scan', sql: (t) => `ALTER TABLE ${t} ALTER COLUMN parent_id SET NOT NULL` },
  { kind: 'CHECK validation', sql: (t) => `ALTER TABLE ${t} ADD CONSTRAINT ${t}_amount_check CHECK (amount >= 0)` },
  { kind: 'FK validation', sql: (t) => `ALTER TABLE ${t} ADD CONSTRAINT ${t}_parent_fkey FOREIGN KEY (parent_id) REFERENCES ${t}_parent (id)` },
  { kind: 'index build', sql: (t) => `CREATE INDEX ${t}_note_idx ON ${t} (note)` },
  { kind: 'VACUUM FULL', sql: (t) => `VACUUM FULL ${t}` },
];

const schema = (t: string) => `CREATE TABLE ${t}_parent (id int PRIMARY KEY);
  CREATE TABLE ${t} (id uuid PRIMARY KEY, parent_id int, amount int, note text, created timestamptz);`;

async function createTables(client: Client, t: string, rows: number): Promise<void> {
  await client.query(schema(t));
  await client.query(`INSERT INTO ${t}_parent SELECT g FROM generate_series(1, ${rows / 20}) g`);
  await client.query(
    `INSERT INTO ${t} SELECT md5(g::text)::uuid, 1 + g % ${rows / 20}, g % 1000, 'note ' || g || repeat('x', g % 40), now() - g * interval '1 min'
       FROM generate_series(1, ${rows}) g`,
  );
  await client.query(`VACUUM ANALYZE ${t}_parent`);
  await client.query(`VACUUM ANALYZE ${t}`);
}

interface Row {
  kind: string;
  rows: number;
  mb: number;
  measuredMs: number;
  lowMs: number;
  highMs: number;
}

describe('estimated lock durations vs. a real PostgreSQL', function () {
  let server: PgServer;
  let client: Client;
  let tmp: string;
  let rates: Rates;
  const rows: Row[] = [];

  before(async function () {
    server = await requirePgServer(this);
    this.timeout(180_000);
    await initParser();
    const db = await server.createDatabase('sizes');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-sizes-'));
    const out = path.join(tmp, '.lockwise', 'rates.json');
    const r = spawnSync(process.execPath, [CLI, 'stats', 'calibrate', '--db-url', server.url(db), '--out', out, '--rows', '40000'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Wrote .*rates\.json \(PostgreSQL 15\.\d+/);
    rates = validateRates(JSON.parse(fs.readFileSync(out, 'utf8')));
    client = await server.connect(db);
  });

  after(async () => {
    await client?.end();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (rows.length) {
      console.log('      kind                    rows      MB   measured  estimate');
      for (const r of rows)
        console.log(
          `      ${r.kind.padEnd(22)} ${String(r.rows).padStart(7)} ${r.mb.toFixed(1).padStart(6)} ${`${r.measuredMs} ms`.padStart(10)}  ${Math.round(r.lowMs)} – ${Math.round(r.highMs)} ms`,
        );
      if (process.env.LOCKWISE_DURATIONS_OUT) fs.writeFileSync(process.env.LOCKWISE_DURATIONS_OUT, JSON.stringify({ rates, rows }, null, 2));
    }
  });

  it('calibrate leaves nothing behind and records how it measured', async () => {
    assert.strictEqual((await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'lockwise_calibrate'`)).rowCount, 0);
    assert.match(rates.measured.method, /lockwise stats calibrate: tables of 40000 and 160000 rows/);
    // Five kinds on an empty table (the fixed cost) and on two sizes.
    assert.deepStrictEqual(
      rates.measured.samples.map((s) => s.bytes === 0),
      [...Array(5).fill(true), ...Array(10).fill(false)],
    );
    for (const k of Object.values(rates.rates)) assert.ok(k.low > 0 && k.high > k.low);
  });

  it('a lock held until COMMIT: the time from taking it to COMMIT falls inside the summed estimate', async function () {
    this.timeout(120_000);
    const t = 'tx';
    await createTables(client, t, 60_000);
    const history = new Catalog();
    replay(schema(t), history);
    const sql = [
      'BEGIN;',
      `ALTER TABLE ${t}_parent ADD COLUMN note text;`,
      `CREATE INDEX ${t}_note_idx ON ${t} (note);`,
      `ALTER TABLE ${t} ALTER COLUMN parent_id SET NOT NULL;`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${t}_amount_check CHECK (amount >= 0);`,
      'COMMIT;',
    ];
    const snapshot = validateSnapshot((await client.query(STATS_QUERY)).rows[0].json_build_object);
    const analysis = analyze(sql.join('\n'), { config: mergeConfig({}), history, sizes: { snapshot, source: 'stats.json', rates, now: Date.now() } });
    // ADD COLUMN on the parent does no work itself; its ACCESS EXCLUSIVE waits for the three statements after it.
    const held = analysis.sizes!.statements[1].held!;
    assert.strictEqual(analysis.sizes!.statements[1].own, undefined);
    await client.query(sql[0]);
    const start = process.hrtime.bigint();
    for (const s of sql.slice(1)) await client.query(s);
    const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
    rows.push({
      kind: 'held until COMMIT',
      rows: 60_000,
      mb: snapshot.tables.find((x) => x.name === t)!.heapBytes / 1048576,
      measuredMs: ms,
      lowMs: held.low * 1000,
      highMs: held.high * 1000,
    });
    assert.ok(ms >= held.low * 1000 && ms <= held.high * 1000, `${ms} ms, estimated ${Math.round(held.low * 1000)} – ${Math.round(held.high * 1000)} ms`);
    const parent = analysis.sizes!.blocking.find((b) => b.table === `${t}_parent`)!;
    assert.deepStrictEqual(
      parent.contributors.map((c) => c.statement),
      [2, 3, 4],
    );
  });

  it('calibrate refuses to touch a lockwise_calibrate schema that exists, and leaves it', async function () {
    const db = await server.createDatabase('calib');
    const own = await server.connect(db);
    try {
      await own.query('CREATE SCHEMA lockwise_calibrate; CREATE TABLE lockwise_calibrate.keep (id int)');
      const r = spawnSync(process.execPath, [CLI, 'stats', 'calibrate', '--db-url', server.url(db), '--out', path.join(tmp, 'x.json')], { encoding: 'utf8' });
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /^lockwise: schema lockwise_calibrate exists: drop it first/);
      assert.strictEqual((await own.query('SELECT count(*)::int AS n FROM lockwise_calibrate.keep')).rows[0].n, 0);
      assert.ok(!fs.existsSync(path.join(tmp, 'x.json')));
    } finally {
      await own.end();
    }
  });

  for (const size of SIZES) {
    it(`each kind of work on a table of ${size.toLocaleString('en-US')} rows takes a time inside its estimate`, async function () {
      this.timeout(120_000);
      const t = `t${size}`;
      await createTables(client, t, size);
      const history = new Catalog();
      replay(schema(t), history);
      const misses: string[] = [];
      for (const step of STEPS) {
        const sql = step.sql(t);
        // The snapshot a deploy would use: taken just before the statement.
        const snapshot = validateSnapshot((await client.query(STATS_QUERY)).rows[0].json_build_object);
        const analysis = analyze(sql + ';', { config: mergeConfig({}), history, sizes: { snapshot, source: 'stats.json', rates, now: Date.now() } });
        const estimate = analysis.sizes?.statements[0].own;
        assert.ok(estimate, `${step.kind}: no estimate for ${sql}`);
        const start = process.hrtime.bigint();
        await client.query(sql);
        const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
        replay(sql + ';', history);
        const heap = snapshot.tables.find((x) => x.name === t)!.heapBytes;
        const row = { kind: step.kind, rows: size, mb: heap / 1048576, measuredMs: ms, lowMs: estimate.low * 1000, highMs: estimate.high * 1000 };
        rows.push(row);
        if (ms < row.lowMs || ms > row.highMs) misses.push(`${step.kind}: ${ms} ms, estimated ${Math.round(row.lowMs)} – ${Math.round(row.highMs)} ms`);
      }
      assert.deepStrictEqual(misses, []);
    });
  }
});
