/**
 * The lock model against locks measured on PostgreSQL 15.18 (test/data/oracle/pg15.json, the lock
 * oracle's `summary_table`): for every statement, relation → strongest mode, rewrite of the target
 * and scan of the target, with the model run for PostgreSQL 15 on the oracle's fixture schema.
 * Statements PostgreSQL rejected have no end-of-statement snapshot: they are held against the gdb
 * trace of the locks acquired before the error (the model must predict at least those). The live
 * PostgreSQL 18 counterpart is test/engine/lockModel.engine.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParser, Catalog, PG_LOCK_MODES } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { zoneSetting } from '../../server/src/core/model/timeline';
import { modelStatement } from '../../server/src/core/locks/model';
import { LockMode, LOCK_MODES, lockRank } from '../../server/src/core/locks/modes';
import { replay } from '../../server/src/project/history';
import { compareLocks, describeDisagreement, LockSignature, modelSignature } from '../../server/src/trace/compare';
import { FIXTURE_SQL, STATEMENTS } from '../engine/fixture';

/** How it was measured: test/data/oracle/README.md. */
const ORACLE_FILE = path.resolve(__dirname, '../../../test/data/oracle/pg15.json');

interface SummaryRow {
  id: string;
  sql: string;
  error?: string;
  locks: Record<string, string>;
  object_locks: string[];
  rewrite: boolean | null;
  scans_target: boolean | null;
}

interface TraceRelation {
  relation: string;
  oid: number;
  type: string;
  acquired: string[];
}

interface OracleFile {
  version: string;
  settings: { TimeZone: string };
  summary_table: SummaryRow[];
  statements: { id: string; trace?: { relations: TraceRelation[] } }[];
}

/** "ACCESS EXCLUSIVE (target_index)" → 'ACCESS EXCLUSIVE'. */
function modeOf(text: string): LockMode {
  const mode = text.replace(/\s*\(.*\)$/, '') as LockMode;
  assert.ok(LOCK_MODES.includes(mode), `unknown lock mode in pg15.json: ${text}`);
  return mode;
}

const oracle: OracleFile = JSON.parse(fs.readFileSync(ORACLE_FILE, 'utf8'));

describe('lock model vs PostgreSQL 15 measurements (pg15.json)', () => {
  const catalog = new Catalog();

  before(async () => {
    await initParser();
    replay(FIXTURE_SQL, catalog);
  });

  it('covers every statement of pg15.json with the same SQL as the fixture catalogue', () => {
    assert.ok(oracle.version.includes('PostgreSQL 15'), oracle.version);
    assert.strictEqual(oracle.summary_table.length, STATEMENTS.length);
    for (const row of oracle.summary_table) assert.strictEqual(STATEMENTS.find((s) => s.id === row.id)?.sql, row.sql, row.id);
  });

  for (const row of oracle.summary_table) {
    it(`${row.id}: ${row.sql}`, () => {
      const node = buildStatements(row.sql).statements[0].node;
      // The oracle ran under TimeZone UTC (its settings): timestamp -> timestamptz kept the table.
      const effect = modelStatement(node, catalog, { pgVersion: 15, timeZone: zoneSetting(oracle.settings.TimeZone, -1, false) });
      const predicted = modelSignature(effect, catalog);
      if (row.error) {
        // No snapshot: every lock the backend acquired before failing must be predicted, at least that strong.
        const traced = tracedBeforeError(row.id);
        const predicted = modelSignature(effect, catalog, true);
        assert.ok(traced.size > 0, `${row.id}: pg15.json has no trace for the failed statement`);
        const understated = [...traced].filter(([rel, mode]) => !predicted.has(rel) || lockRank(predicted.get(rel)!) < lockRank(mode));
        assert.deepStrictEqual(
          understated.map(([rel, mode]) => `${rel}: engine acquired ${mode}, model ${predicted.get(rel) ?? 'none'}`),
          [],
        );
        return;
      }
      const measured: LockSignature = new Map(Object.entries(row.locks).map(([rel, text]) => [rel, modeOf(text)]));
      assert.deepStrictEqual(compareLocks(predicted, measured).map(describeDisagreement), [], 'locks');
      if (row.rewrite !== null) assert.strictEqual(effect.rewrite, row.rewrite, 'rewrite of the target');
      if (row.scans_target !== null) assert.strictEqual(effect.scan, row.scans_target, 'scan of the target');
      for (const text of row.object_locks.filter((o) => / on type /.test(o))) {
        const [mode, object] = text.split(' on type ');
        assert.ok(
          effect.objectLocks.some((o) => o.mode === mode && object.endsWith(o.object)),
          `object lock ${text} not predicted`,
        );
      }
    });
  }

  function tracedBeforeError(id: string): LockSignature {
    const rels = oracle.statements.find((s) => s.id === id)?.trace?.relations ?? [];
    const out: LockSignature = new Map();
    for (const r of rels.filter((x) => x.type === 'relation' && x.oid >= 16384)) {
      const modes = r.acquired.map((m) => PG_LOCK_MODES[m.split(' ')[0]]).filter((m): m is LockMode => !!m);
      const isIndex = catalog.indexes.has(r.relation);
      const best = modes.sort((a, b) => lockRank(b) - lockRank(a))[0];
      if (best && !(isIndex && lockRank(best) <= lockRank('ROW EXCLUSIVE'))) out.set(r.relation, best);
    }
    return out;
  }
});
