/**
 * Lock classes the replay suite found wrong, each pinned on a real PostgreSQL server: a case that
 * takes the lock (bad), one that does not (good) and the exemption, run inside BEGIN ... ROLLBACK on
 * a fresh database; the model must agree with the server's pg_locks exactly, and name the lock.
 */
import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { modelStatement } from '../../server/src/core/locks/model';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { compareTrace, describeDisagreement } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';

const FK = `CREATE TABLE p (id int PRIMARY KEY, code int UNIQUE, note text);
  CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, p_code int REFERENCES p (code), note text);`;

interface Case {
  name: string;
  setup: string;
  sql: string;
  /** relation → mode the model must report (besides agreeing with the server). */
  locks: Record<string, string | undefined>;
}

const CASES: Case[] = [
  {
    name: 'type change of a referencing column locks the referenced table',
    setup: FK,
    sql: 'ALTER TABLE c ALTER COLUMN p_id TYPE bigint',
    locks: { p: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'type change of a referenced primary key locks the referencing table',
    setup: FK,
    sql: 'ALTER TABLE p ALTER COLUMN id TYPE bigint',
    locks: { c: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'type change of a referenced UNIQUE column locks the referencing table',
    setup: FK,
    sql: 'ALTER TABLE p ALTER COLUMN code TYPE bigint',
    locks: { c: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP COLUMN of a referencing column locks the referenced table',
    setup: FK,
    sql: 'ALTER TABLE c DROP COLUMN p_id',
    locks: { p: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'type change of a column outside any foreign key locks one table',
    setup: FK,
    sql: 'ALTER TABLE p ALTER COLUMN note TYPE varchar(10)',
    locks: { c: undefined },
  },
  {
    name: 'after DROP COLUMN its foreign key is gone (catalog)',
    setup: `${FK} ALTER TABLE c DROP COLUMN p_id; ALTER TABLE c ADD COLUMN p_id int;`,
    sql: 'ALTER TABLE c ALTER COLUMN p_id TYPE bigint',
    locks: { p: undefined },
  },
  { name: 'a subquery in UPDATE ... SET reads its table', setup: FK, sql: 'UPDATE c SET note = (SELECT max(note) FROM p)', locks: { p: 'ACCESS SHARE' } },
  {
    name: 'a CTE name is not a table',
    setup: `${FK} CREATE TABLE x (id int);`,
    sql: 'WITH x AS (SELECT id FROM p) UPDATE c SET note = NULL WHERE p_id IN (SELECT id FROM x)',
    locks: { x: undefined, p: 'ACCESS SHARE' },
  },
  {
    name: 'a writable CTE writes its target',
    setup: FK,
    sql: 'WITH ins AS (INSERT INTO p (id) VALUES (1) RETURNING id) SELECT * FROM ins',
    locks: { p: 'ROW EXCLUSIVE' },
  },
  {
    name: 'a query through a view locks the tables under it',
    setup: `${FK} CREATE VIEW v AS SELECT * FROM p; CREATE VIEW vv AS SELECT * FROM v;`,
    sql: 'CREATE TABLE t2 AS SELECT * FROM vv',
    locks: { p: 'ACCESS SHARE', v: 'ACCESS SHARE' },
  },
  {
    name: 'CREATE VIEW over a view locks only the view it names',
    setup: `${FK} CREATE VIEW v AS SELECT * FROM p;`,
    sql: 'CREATE VIEW w AS WITH q AS (SELECT 1) SELECT * FROM v, q',
    locks: { p: undefined, q: undefined, v: 'ACCESS SHARE' },
  },
  {
    name: 'CREATE STATISTICS takes SHARE UPDATE EXCLUSIVE',
    setup: FK,
    sql: 'CREATE STATISTICS c_stats (dependencies) ON p_id, p_code FROM c',
    locks: { c: 'SHARE UPDATE EXCLUSIVE' },
  },
];

describe('lock classes vs a real PostgreSQL server', function () {
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const client = await server.connect(await server.createDatabase('lockclass'));
      const engine = await TraceEngine.over({
        exec: (sql) => client.query(sql),
        query: async <R>(sql: string) => ({ rows: (await client.query(sql)).rows as R[] }),
        close: () => client.end(),
      });
      try {
        await engine.exec(c.setup);
        const catalog = new Catalog();
        replay(c.setup, catalog);
        const stmt = buildStatements(c.sql).statements[0];
        const effect = modelStatement(stmt.node, catalog, { pgVersion: engine.major });
        const trace = await engine.traceRolledBack(c.sql);
        assert.strictEqual(trace.error, undefined, trace.error?.message);
        const diffs = compareTrace(effect, catalog, trace, { statementKind: stmt.kind, scans: 'skip' });
        assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and server disagree');
        for (const [relation, mode] of Object.entries(c.locks)) {
          assert.strictEqual(effect.locks.find((l) => l.relation === relation)?.mode, mode, relation);
        }
      } finally {
        await engine.close();
      }
    });
  }
});
