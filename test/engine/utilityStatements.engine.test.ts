/**
 * Every statement node type's examples (locks/utilityStatements.ts), run on a real PostgreSQL
 * server inside BEGIN ... ROLLBACK: the lock model must agree with the server's pg_locks on every
 * relation (docs/locks.md, "Locks taken by other statements", shows the table).
 */
import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { modelStatement } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { compareTrace, describeDisagreement } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';
import { MODEL_GAPS, STATEMENT_LOCKS, StatementExample, StatementKind, UTILITY_SETUP } from '../../server/src/core/locks/utilityStatements';

async function disagreements(server: PgServer, database: string, example: StatementExample): Promise<string[]> {
  const client = await server.connect(database);
  const engine = await TraceEngine.over({
    exec: (sql) => client.query(sql),
    query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
    close: () => client.end(),
  });
  try {
    if (example.session) await engine.exec(example.session);
    const catalog = new Catalog();
    replay(UTILITY_SETUP, catalog);
    const stmt = buildStatements(example.sql).statements[0];
    const effect = modelStatement(stmt.node, catalog, { pgVersion: engine.major });
    const trace = await engine.traceRolledBack(example.sql);
    assert.strictEqual(trace.error, undefined, trace.error?.message);
    return compareTrace(effect, catalog, trace, { statementKind: stmt.kind, scans: 'skip' }).map(describeDisagreement);
  } finally {
    await engine.close();
  }
}

describe('every statement node type vs a real PostgreSQL server', function () {
  let server: PgServer;
  let database: string;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
    database = await server.createDatabase('utility');
    const client = await server.connect(database);
    try {
      await client.query(UTILITY_SETUP);
    } finally {
      await client.end();
    }
  });

  for (const [kind, entry] of Object.entries(STATEMENT_LOCKS) as [StatementKind, (typeof STATEMENT_LOCKS)[StatementKind]][]) {
    for (const example of entry.examples) {
      it(`${kind}: ${example.sql}`, async () => {
        assert.strictEqual(buildStatements(example.sql).statements[0]?.kind, kind, 'the example parses as its node type');
        assert.deepStrictEqual(await disagreements(server, database, example), MODEL_GAPS[example.sql]?.diffs ?? [], 'model and server disagree');
      });
    }
  }
});
