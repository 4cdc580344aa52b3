/**
 * The lock model against a live PostgreSQL (PGlite, PostgreSQL 18): every statement of the lock
 * oracle's catalogue runs on the oracle's fixture inside BEGIN ... ROLLBACK; the locks its backend
 * holds, the relations that got new storage and the scans are compared with `modelStatement` for
 * the engine's major version. Statements that cannot run in a transaction block run on a fresh copy
 * of the fixture, where only storage effects can be seen. Any difference fails: known version
 * differences belong in the model (server/src/core/locks/model.ts), not here.
 */
import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { zoneSetting } from '../../server/src/core/model/timeline';
import { modelStatement } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';
import { TraceEngine, Structure } from '../../server/src/trace/engine';
import { compareTrace, describeDisagreement } from '../../server/src/trace/compare';
import { FIXTURE_SQL, STATEMENTS, OracleStatement } from './fixture';

function signature(s: Structure): string {
  return s.rows.map((r) => `${r.oid}:${r.name}:${r.filenode}`).join(',');
}

describe('lock model vs PGlite (live engine)', function () {
  this.timeout(120000);
  let engine: TraceEngine;
  let fixtureDir: Blob;
  let pristine: string;
  const catalog = new Catalog();

  before(async () => {
    await initParser();
    replay(FIXTURE_SQL, catalog);
    engine = await TraceEngine.create();
    await engine.exec(FIXTURE_SQL);
    await engine.exec('ANALYZE');
    fixtureDir = await engine.dump();
    pristine = signature(await engine.structure());
  });

  after(async () => {
    await engine?.close();
  });

  it('runs PostgreSQL 18 (the model is checked for this major version)', () => {
    assert.strictEqual(engine.major, 18, engine.version);
  });

  it('the fixture replays into the model catalog', () => {
    for (const name of ['users', 'orgs', 'events', 'metrics_default', 'user_counts', 'users_code_uidx']) {
      assert.ok(catalog.relation(name) || catalog.indexes.has(name), `${name} missing from the replayed catalog`);
    }
  });

  for (const stmt of STATEMENTS) {
    it(`${stmt.id}: ${stmt.sql}`, async () => {
      const parsed = buildStatements(stmt.sql).statements[0];
      // The engine's own TimeZone decides whether timestamp <-> timestamptz rewrites.
      const zone = (await engine.query<{ TimeZone: string }>('SHOW TimeZone'))[0].TimeZone;
      const effect = modelStatement(parsed.node, catalog, { pgVersion: engine.major, timeZone: zoneSetting(zone, -1, false) });
      const trace = stmt.tx === false ? await traceOnCopy(stmt) : await engine.traceRolledBack(stmt.sql);
      if (stmt.error) {
        assert.ok(trace.error, `expected PostgreSQL to reject it: ${stmt.error}`);
        assert.strictEqual(trace.error.message, stmt.error);
        return;
      }
      assert.strictEqual(trace.error, undefined, `PostgreSQL error: ${trace.error?.message}`);
      assert.strictEqual(trace.observed, stmt.tx === false ? 'storage-only' : 'in-transaction');
      const diffs = compareTrace(effect, catalog, trace, { target: stmt.target ?? undefined, statementKind: parsed.kind, scans: 'rows' });
      assert.deepStrictEqual(diffs.map(describeDisagreement), [], `model and engine disagree on ${stmt.id}`);
      if (stmt.tx !== false) assert.strictEqual(signature(await engine.structure()), pristine, 'the rolled-back statement left changes behind');
    });
  }

  async function traceOnCopy(stmt: OracleStatement) {
    const copy = await TraceEngine.create({ dataDir: fixtureDir });
    try {
      return await copy.traceOutsideTransaction(stmt.sql);
    } finally {
      await copy.close();
    }
  }
});
