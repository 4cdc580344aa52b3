/**
 * One lock case on a real PostgreSQL server: the setup runs on a fresh database, the statement
 * inside BEGIN ... ROLLBACK; the model (given the catalog the setup builds) must agree with the
 * server's pg_locks exactly, and name the locks the case lists.
 */
import * as assert from 'assert';
import { Catalog } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { modelStatement, type StatementEffect } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { compareTrace, describeDisagreement, type Disagreement } from '../../server/src/trace/compare';
import type { PgServer } from '../support/pgServer';

export interface LockCase {
  name: string;
  setup: string;
  sql: string;
  /** relation → mode the model must report (besides agreeing with the server); undefined: no lock. */
  locks: Record<string, string | undefined>;
  /** Relations whose locks the model must call harmless. */
  harmless?: string[];
  /** Relations the model may lock, under a condition (the rest of `locks` must be certain). */
  mayTake?: string[];
}

/** A trace engine on one connection to `database` (`close()` ends it). */
export async function engineOn(server: PgServer, database: string): Promise<TraceEngine> {
  const client = await server.connect(database);
  return TraceEngine.over({
    exec: (sql) => client.query(sql),
    query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
    close: () => client.end(),
  });
}

/** A trace engine on a fresh database of the server. */
export async function connectEngine(server: PgServer, prefix: string): Promise<TraceEngine> {
  return engineOn(server, await server.createDatabase(prefix));
}

/**
 * The model of `sql` (the first statement), given the catalog `setup` builds, and where it
 * disagrees with what the engine takes running it inside BEGIN ... ROLLBACK.
 */
export async function modelVersusServer(engine: TraceEngine, setup: string, sql: string): Promise<{ effect: StatementEffect; diffs: Disagreement[] }> {
  const catalog = new Catalog();
  replay(setup, catalog);
  const stmt = buildStatements(sql).statements[0];
  const effect = modelStatement(stmt.node, catalog, { pgVersion: engine.major });
  const trace = await engine.traceRolledBack(sql);
  assert.strictEqual(trace.error, undefined, trace.error?.message);
  return { effect, diffs: compareTrace(effect, catalog, trace, { statementKind: stmt.kind, scans: 'skip' }) };
}

/** Runs the case; the model's effect for further checks. */
export async function runLockCase(server: PgServer, c: LockCase, database = 'lockclass'): Promise<StatementEffect> {
  const engine = await connectEngine(server, database);
  try {
    await engine.exec(c.setup);
    const { effect, diffs } = await modelVersusServer(engine, c.setup, c.sql);
    assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and server disagree');
    for (const [relation, mode] of Object.entries(c.locks)) {
      const lock = effect.locks.find((l) => l.relation === relation);
      assert.strictEqual(lock?.mode, mode, relation);
      if (lock) assert.strictEqual(!!lock.condition, !!c.mayTake?.includes(relation), `${relation}: ${lock.condition ?? 'certain'}`);
    }
    for (const relation of c.harmless ?? []) assert.ok(effect.locks.find((l) => l.relation === relation)?.harmless, `${relation} harmless`);
    return effect;
  } finally {
    await engine.close();
  }
}
