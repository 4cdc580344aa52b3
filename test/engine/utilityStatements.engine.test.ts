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
import { engineOn, modelVersusServer } from './lockCase';
import { PG_LOCK_MODES } from '../../server/src/core/locks/modes';
import { ALTER_TABLE_SETUP } from '../../server/src/core/locks/alterTable';
import {
  MODEL_GAPS,
  PGLITE_EXAMPLES,
  STATEMENT_LOCKS,
  StatementExample,
  StatementKind,
  UTILITY_SETUP,
  WaitingExample,
} from '../../server/src/core/locks/utilityStatements';

async function disagreements(server: PgServer, database: string, example: StatementExample): Promise<string[]> {
  const engine = await engineOn(server, database);
  try {
    if (example.session) await engine.exec(example.session);
    return (await modelVersusServer(engine, UTILITY_SETUP, example.sql)).diffs.map(describeDisagreement);
  } finally {
    await engine.close();
  }
}

/**
 * The lock `example.sql` waits for on its relation while another connection holds SHARE UPDATE
 * EXCLUSIVE there: the first lock it asks for that conflicts with it (VACUUM's ACCESS SHARE to
 * look the table up passes). The statement commits, so it runs on a database of its own.
 */
async function waitedLock(server: PgServer, example: WaitingExample): Promise<string | undefined> {
  const database = await server.createDatabase('waiting');
  const setup = await server.connect(database);
  await setup.query(UTILITY_SETUP).finally(() => setup.end());
  const holder = await server.connect(database);
  const waiter = await server.connect(database);
  try {
    const pid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await holder.query(`BEGIN; LOCK TABLE ${example.relation} IN SHARE UPDATE EXCLUSIVE MODE`);
    const running = waiter.query(example.sql).then(
      () => undefined,
      (e: Error) => e,
    );
    const sql = 'SELECT l.mode FROM pg_locks l WHERE l.pid = $1 AND NOT l.granted AND l.relation = $2::regclass';
    let mode: string | undefined;
    for (let i = 0; i < 200 && !mode; i++) {
      mode = (await holder.query<{ mode: string }>(sql, [pid, example.relation])).rows[0]?.mode;
      if (!mode) await new Promise((r) => setTimeout(r, 25));
    }
    await holder.query('ROLLBACK');
    const error = await running;
    assert.strictEqual(error, undefined, error?.message);
    return mode && PG_LOCK_MODES[mode];
  } finally {
    await holder.end();
    await waiter.end();
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
    for (const example of entry.waiting ?? []) {
      it(`${kind}, outside a transaction: ${example.sql} waits on ${example.relation}`, async () => {
        const catalog = new Catalog();
        replay(UTILITY_SETUP, catalog);
        const effect = modelStatement(buildStatements(example.sql).statements[0].node, catalog, { pgVersion: 15 });
        assert.ok(effect.noTransaction, 'the model knows it cannot run in a transaction');
        const model = effect.locks.find((l) => l.relation === example.relation)?.mode;
        assert.strictEqual(await waitedLock(server, example), model);
      });
    }
  }
});

describe('statement forms PostgreSQL 15 lacks, on PGlite (PostgreSQL 18)', function () {
  this.timeout(60000);
  let engine: TraceEngine;

  before(async () => {
    await initParser();
    engine = await TraceEngine.create();
    await engine.exec(ALTER_TABLE_SETUP);
  });

  after(async () => {
    await engine?.close();
  });

  for (const example of PGLITE_EXAMPLES) {
    it(`${example.kind} (${example.since}+): ${example.sql}`, async () => {
      const catalog = new Catalog();
      replay(ALTER_TABLE_SETUP, catalog);
      const stmt = buildStatements(example.sql).statements[0];
      assert.strictEqual(stmt.kind, example.kind);
      const effect = modelStatement(stmt.node, catalog, { pgVersion: engine.major });
      const trace = await engine.traceRolledBack(example.sql);
      assert.strictEqual(trace.error, undefined, trace.error?.message);
      const diffs = compareTrace(effect, catalog, trace, { statementKind: stmt.kind, scans: 'skip' });
      assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and PGlite disagree');
    });
  }
});
