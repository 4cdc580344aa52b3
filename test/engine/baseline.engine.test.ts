/**
 * The deploy baseline's premise on a real PostgreSQL server: production holds the deployed schema
 * with data, the pending migration 002 has run (orders empty, archive filled by CREATE TABLE AS),
 * and each statement of 003 runs in a session that keeps its locks. The application's work on the
 * tables it uses (users, archive) waits exactly behind the statements Lockwise still flags with
 * `baseline: main`; behind the ones it drops (work on orders only), nothing waits.
 */
import * as assert from 'assert';
import { Client } from 'pg';
import { analyze, Catalog, initParser } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { DEPLOYED, PENDING } from '../support/gitRepo';
import { requirePgServer, PgServer } from '../support/pgServer';

const ORDERS = '/m/002_orders.sql';
/** What the application does on the deployed tables while the migration runs (orders is not used yet). */
const WORKLOAD = ["INSERT INTO users VALUES (100001, 'new@example.com')", 'SELECT count(*) FROM users', "INSERT INTO archive VALUES (100002, 'a@example.com')"];

/** Whether the workload finishes while `migration` holds the locks of `sql` (lock_timeout 300 ms). */
async function workloadWaits(migration: Client, app: Client, sql: string): Promise<boolean> {
  await migration.query('BEGIN');
  try {
    await migration.query(sql);
    await app.query('BEGIN');
    await app.query("SET LOCAL lock_timeout = '300ms'");
    try {
      for (const q of WORKLOAD) await app.query(q);
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') return true;
      throw error;
    } finally {
      await app.query('ROLLBACK');
    }
  } finally {
    await migration.query('ROLLBACK');
  }
}

describe('deploy baseline on a real server: what is dropped blocks nobody', function () {
  this.timeout(60000);
  let server: PgServer;
  let migration: Client;
  let app: Client;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
    const db = await server.createDatabase('baseline');
    migration = await server.connect(db);
    app = await server.connect(db);
    await migration.query(DEPLOYED['m/001_users.sql']);
    await migration.query("INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 1000) g");
    await migration.query(PENDING['m/002_orders.sql']);
  });
  after(async () => {
    await migration?.end();
    await app?.end();
  });

  it('orders is empty and archive is not, as the catalog records', async () => {
    const counts = await migration.query('SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM archive)::int AS archive');
    assert.deepStrictEqual(counts.rows[0], { orders: 0, archive: 1000 });
  });

  it('the application waits behind a statement exactly when Lockwise flags it with the baseline', async () => {
    const history = new Catalog();
    replay(DEPLOYED['m/001_users.sql'], history, '/m/001_users.sql');
    replay(PENDING['m/002_orders.sql'], history, ORDERS);
    const text = PENDING['m/003_orders_more.sql'];
    const withBaseline = analyze(text, { history, baseline: { label: 'main', pending: new Set([ORDERS]) } });
    const without = analyze(text, { history });
    const rows: string[] = [];
    for (const s of withBaseline.statements) {
      const flagged = withBaseline.findings.some((f) => f.statement === s.statement.index);
      const waits = await workloadWaits(migration, app, s.statement.text);
      rows.push(`${s.statement.text}: waits ${waits}, flagged ${flagged}`);
      assert.strictEqual(flagged, waits, rows.join('\n'));
      assert.ok(
        without.findings.some((f) => f.statement === s.statement.index),
        `${s.statement.text} is flagged without a baseline`,
      );
    }
    assert.deepStrictEqual(
      withBaseline.statements.filter((s) => s.pendingRelations.length).map((s) => s.statement.index),
      [0, 1, 2, 3],
    );
  });
});
