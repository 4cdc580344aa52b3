/**
 * Every ALTER TABLE / ALTER INDEX / ALTER VIEW sub-command a migration can write, run on a real
 * PostgreSQL server inside BEGIN ... ROLLBACK: the lock model must agree with the server's pg_locks
 * on every relation (locks/alterTable.ts holds the table the model reads; docs/locks.md shows it).
 */
import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { modelStatement } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { compareTrace, describeDisagreement } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';
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
      const client = await server.connect(database);
      const engine = await TraceEngine.over({
        exec: (sql) => client.query(sql),
        query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
        close: () => client.end(),
      });
      try {
        const catalog = new Catalog();
        replay(ALTER_TABLE_SETUP, catalog);
        const stmt = buildStatements(example.sql).statements[0];
        const effect = modelStatement(stmt.node, catalog, { pgVersion: engine.major });
        const trace = await engine.traceRolledBack(example.sql);
        assert.strictEqual(trace.error, undefined, trace.error?.message);
        const diffs = compareTrace(effect, catalog, trace, { statementKind: stmt.kind, scans: 'skip' }).filter(
          (d) => !(example.sameValue && d.what === 'rewrite'),
        );
        assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and server disagree');
      } finally {
        await engine.close();
      }
    });
  }
});
