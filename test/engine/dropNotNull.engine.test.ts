/**
 * ban-drop-not-null leaves alone a column the schema history shows was never NOT NULL, because
 * PostgreSQL then has nothing to drop: the statement succeeds and the column is as before. Pinned on
 * a real PostgreSQL server, with the true positive beside it.
 */
import * as assert from 'assert';
import { analyze, Catalog, initParser, mergeConfig } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { requirePgServer, PgServer } from '../support/pgServer';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nickname text);
INSERT INTO users VALUES (1, 'a@x.io', NULL), (2, 'b@x.io', 'b');`;

const NOT_NULL = `SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname IN ('email', 'nickname') ORDER BY attname`;

describe('DROP NOT NULL of a column that is not NOT NULL vs a real PostgreSQL server', function () {
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  async function notNullAfter(sql: string): Promise<Record<string, boolean>> {
    const client = await server.connect(await server.createDatabase('dropnotnull'));
    try {
      await client.query(SETUP);
      await client.query(sql);
      const rows = (await client.query<{ attname: string; attnotnull: boolean }>(NOT_NULL)).rows;
      return Object.fromEntries(rows.map((r) => [r.attname, r.attnotnull]));
    } finally {
      await client.end();
    }
  }

  function flagged(sql: string): string[] {
    const history = new Catalog();
    replay(SETUP, history);
    const config = mergeConfig({ rules: { 'ban-drop-not-null': 'warning' } });
    return analyze(sql, { config, history })
      .findings.filter((f) => f.rule === 'ban-drop-not-null')
      .map((f) => f.message);
  }

  it('a nullable column: the statement changes nothing, and is not flagged', async () => {
    const sql = 'ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;';
    assert.deepStrictEqual(await notNullAfter(sql), { email: true, nickname: false });
    assert.deepStrictEqual(flagged(sql), []);
  });

  it('a NOT NULL column: the constraint goes, and is flagged', async () => {
    const sql = 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;';
    assert.deepStrictEqual(await notNullAfter(sql), { email: false, nickname: false });
    assert.strictEqual(flagged(sql).length, 1);
  });
});
