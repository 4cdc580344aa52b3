/**
 * Every ALTER TABLE / ALTER INDEX / ALTER VIEW sub-command a migration can write, run on a real
 * PostgreSQL server inside BEGIN ... ROLLBACK: the lock model must agree with the server's pg_locks
 * on every relation (locks/alterTable.ts holds the table the model reads; docs/locks.md shows it).
 */
import * as assert from 'assert';
import { initParser } from '../../server/src/core';
import { describeDisagreement } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';
import { engineOn, modelVersusServer } from './lockCase';
import { ALTER_TABLE_EXAMPLES, ALTER_TABLE_SETUP } from '../../server/src/core/locks/alterTable';

describe('ALTER TABLE sub-commands vs a real PostgreSQL server', function () {
  let server: PgServer;
  let database: string;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
    database = await server.createDatabase('altertable');
    const client = await server.connect(database);
    try {
      await client.query(ALTER_TABLE_SETUP);
    } finally {
      await client.end();
    }
  });

  for (const example of ALTER_TABLE_EXAMPLES) {
    it(`${example.sql} (${example.subtype})`, async () => {
      const engine = await engineOn(server, database);
      try {
        const { diffs: all } = await modelVersusServer(engine, ALTER_TABLE_SETUP, example.sql);
        const diffs = all.filter((d) => !(example.sameValue && d.what === 'rewrite'));
        assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and server disagree');
      } finally {
        await engine.close();
      }
    });
  }
});
