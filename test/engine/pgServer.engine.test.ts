import * as assert from 'node:assert/strict';
import { requirePgServer, type PgServer } from '../support/pgServer';

describe('real PostgreSQL server (test harness)', function () {
  let server: PgServer;
  before(async function () {
    server = await requirePgServer(this);
  });

  it('starts on loopback and reports the locks a statement holds', async function () {
    assert.equal(server.host, '127.0.0.1');
    const db = await server.createDatabase('harness');
    const client = await server.connect(db);
    try {
      await client.query('CREATE TABLE t (id int)');
      await client.query('BEGIN');
      await client.query('ALTER TABLE t ADD COLUMN x int');
      const { rows } = await client.query(`SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 't'::regclass`);
      await client.query('ROLLBACK');
      assert.deepEqual(
        rows.map((r) => r.mode),
        ['AccessExclusiveLock'],
      );
    } finally {
      await client.end();
    }
  });
});
