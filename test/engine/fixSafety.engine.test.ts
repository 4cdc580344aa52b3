/**
 * The facts behind fix safety classes, on PGlite (PostgreSQL 18): the row comparison the
 * equivalence suite applies to safe fixes catches the gen_random_uuid default fix (which is why it
 * is a suggestion) and tolerates the original's own volatile values; REINDEX TABLE CONCURRENTLY
 * skips an invalid index that REINDEX TABLE rebuilds (a suggestion) while REINDEX INDEX
 * CONCURRENTLY rebuilds it (safe); empty tables are seeded for the comparison.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, applyEdits, Catalog, initParser } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { rowDifferences, rowSnapshot, seedEmptyTables } from './rowSnapshot';

const SCHEMA = fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures/equivalence/schema.sql'), 'utf8');
const UUID = 'ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();';

describe('fix safety classes on PGlite', function () {
  this.timeout(120000);
  let setup: Blob;

  before(async () => {
    await initParser();
    const engine = await TraceEngine.create();
    await engine.exec(SCHEMA);
    setup = await engine.dump();
    await engine.close();
  });

  async function rowsAfter(sql: string) {
    const engine = await TraceEngine.create({ dataDir: setup });
    try {
      await engine.exec(sql);
      return await rowSnapshot(engine);
    } finally {
      await engine.close();
    }
  }

  it('the gen_random_uuid default fix would fail the row comparison as a safe fix: existing rows get NULL', async () => {
    const finding = analyze(UUID).findings.find((f) => f.rule === 'adding-field-with-default')!;
    assert.strictEqual(finding.fix?.safety, 'suggestion');
    const fixed = applyEdits(UUID, finding.fix.edits);
    const original = await rowsAfter(UUID);
    const again = await rowsAfter(UUID);
    const after = await rowsAfter(fixed);
    assert.deepStrictEqual(rowDifferences(original, again, after), ['users.public_id: 0 NULL(s) after the original, 5 after the fix']);
  });

  it("the row comparison tolerates the original's own volatile values, and catches a changed value", async () => {
    const original = await rowsAfter(UUID);
    const again = await rowsAfter(UUID);
    assert.notDeepStrictEqual(original.users, again.users, 'gen_random_uuid() gave other values the second time');
    assert.deepStrictEqual(rowDifferences(original, again, again), []);
    const touched = await rowsAfter(`${UUID}\nUPDATE users SET name = 'x' WHERE id = 1;`);
    assert.match(rowDifferences(original, again, touched).join('\n'), /^users: 1 row\(s\) differ/);
    const constant = await rowsAfter("ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';");
    const constantFixed = await rowsAfter("ALTER TABLE users ADD COLUMN plan text;\nALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';");
    assert.match(rowDifferences(constant, constant, constantFixed).join('\n'), /^users: 5 row\(s\) differ/);
  });

  it('REINDEX TABLE CONCURRENTLY skips an invalid index that REINDEX TABLE rebuilds; REINDEX INDEX CONCURRENTLY rebuilds it', async () => {
    const valid = async (sql: string) => {
      const engine = await TraceEngine.create();
      try {
        await engine.exec('CREATE TABLE t (id int, v int); INSERT INTO t VALUES (1, 1), (2, 1);');
        await assert.rejects(engine.exec('CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v)'), /could not create unique index/);
        await engine.exec('DELETE FROM t WHERE id = 2');
        await engine.exec(sql);
        const [row] = await engine.query<{ indisvalid: boolean }>("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_key'::regclass");
        return row.indisvalid;
      } finally {
        await engine.close();
      }
    };
    assert.strictEqual(await valid('REINDEX TABLE t'), true);
    assert.strictEqual(await valid('REINDEX TABLE CONCURRENTLY t'), false);
    assert.strictEqual(await valid('REINDEX INDEX CONCURRENTLY t_v_key'), true);
    const kinds = (sql: string) =>
      analyze(sql)
        .findings.filter((f) => f.rule === 'require-concurrent-reindex')
        .map((f) => f.fix?.safety);
    assert.deepStrictEqual(kinds('REINDEX TABLE users;'), ['suggestion']);
    assert.deepStrictEqual(kinds('REINDEX INDEX users_name_idx;'), ['safe']);
  });

  it('REFRESH ... CONCURRENTLY fails on a view created WITH NO DATA, which a plain REFRESH fills: that fix is a suggestion there', async () => {
    const engine = await TraceEngine.create({ dataDir: setup });
    try {
      await engine.exec('CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id WITH NO DATA;');
      await engine.exec('CREATE UNIQUE INDEX order_totals_user_idx ON order_totals (user_id);');
      await assert.rejects(engine.exec('REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals'), /not populated/);
      await engine.exec('REFRESH MATERIALIZED VIEW order_totals');
    } finally {
      await engine.close();
    }
    const history = new Catalog();
    replay(SCHEMA, history);
    const kind = (create: string) => {
      const catalog = history.clone();
      replay(`${create}\nCREATE UNIQUE INDEX order_totals_user_idx ON order_totals (user_id);`, catalog);
      const f = analyze('REFRESH MATERIALIZED VIEW order_totals;', { history: catalog }).findings.find((x) => x.rule === 'require-concurrent-refresh');
      return `${f?.fix?.kind} ${f?.fix?.safety}`;
    };
    const view = 'CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id';
    assert.strictEqual(kind(`${view};`), 'concurrently safe');
    assert.strictEqual(kind(`${view} WITH NO DATA;`), 'concurrently-unverified suggestion');
  });

  it('a DO block that commits fails inside a transaction block and runs outside one; the lock model says so', async () => {
    const engine = await TraceEngine.create();
    const block = 'DO $b$ BEGIN CREATE TABLE IF NOT EXISTS t (id int); COMMIT; END $b$';
    try {
      await assert.rejects(engine.exec(`BEGIN; ${block};`), /invalid transaction termination/);
      await engine.exec('ROLLBACK').catch(() => undefined);
      await engine.exec(`${block};`);
      assert.strictEqual((await engine.query("SELECT 1 FROM pg_class WHERE relname = 't'")).length, 1);
    } finally {
      await engine.close();
    }
    const noTransaction = (sql: string) => analyze(sql).statements.find((s) => s.statement.kind === 'DoStmt')?.effect.noTransaction;
    assert.strictEqual(noTransaction(`${block};`), true);
    assert.strictEqual(noTransaction("DO $b$ BEGIN RAISE NOTICE 'COMMIT; ROLLBACK'; END $b$; -- COMMIT"), false);
  });

  it('seeds empty tables with rows of common types; a table that refuses generic rows stays empty', async () => {
    const engine = await TraceEngine.create();
    try {
      await engine.exec(`CREATE TABLE parent (id bigint PRIMARY KEY);
        CREATE TABLE kinds (id bigserial PRIMARY KEY, n int NOT NULL, s varchar(10) UNIQUE, b boolean, u uuid, d date, ts timestamptz, j jsonb, price numeric(8, 2));
        CREATE TABLE child (id int PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id));
        CREATE TABLE full_already (id int); INSERT INTO full_already VALUES (7);`);
      const seeded = await seedEmptyTables(engine);
      assert.deepStrictEqual(seeded.sort(), ['kinds', 'parent']);
      const rows = await rowSnapshot(engine);
      assert.strictEqual(rows.kinds.length, 3);
      assert.strictEqual(rows.child.length, 0, 'the foreign key to a table empty when it was tried refused the rows');
      assert.deepStrictEqual(rows.full_already, [{ id: 7 }]);
    } finally {
      await engine.close();
    }
  });
});
