/**
 * Locks that reach relations other than the ones a statement names, pinned on a real PostgreSQL
 * server (each case: the setup on a fresh database, the statement in BEGIN ... ROLLBACK, the model
 * against pg_locks): DROP ... CASCADE of views, materialized views, tables and trigger functions; the
 * foreign keys of rows that DML writes (checks and ON DELETE/UPDATE actions, taken only when rows
 * change: "may take"); the statements of the triggers DML fires; DML and SELECT ... FOR UPDATE
 * through views; the statements of the functions a statement calls.
 */
import { initParser } from '../../server/src/core';
import { requirePgServer, PgServer } from '../support/pgServer';
import { LockCase, runLockCase } from './lockCase';

const VIEWS = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE VIEW v AS SELECT * FROM p;
  CREATE VIEW w AS SELECT * FROM v;
  CREATE MATERIALIZED VIEW m AS SELECT * FROM w;
  CREATE UNIQUE INDEX m_id ON m (id);
  CREATE VIEW x AS SELECT * FROM m;
  CREATE VIEW apart AS SELECT 1 AS one;`;

const FK = `CREATE TABLE p (id int PRIMARY KEY);
  CREATE TABLE c (id int, p_id int REFERENCES p);
  CREATE INDEX c_p ON c (p_id);`;

const TRIGGERS = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE q (id int);
  CREATE TABLE r (id int);
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE FUNCTION other() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
  CREATE TRIGGER p_touch BEFORE UPDATE ON p FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE TRIGGER q_touch AFTER INSERT ON q FOR EACH STATEMENT EXECUTE PROCEDURE touch();
  CREATE TRIGGER r_other AFTER DELETE ON r FOR EACH ROW EXECUTE FUNCTION other();`;

const UPSERT = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p);
  CREATE TABLE counts (n int);
  CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE counts SET n = n + 1; RETURN NULL; END $$;
  CREATE TRIGGER c_upd AFTER UPDATE ON c FOR EACH ROW EXECUTE FUNCTION bump();
  INSERT INTO p VALUES (1, 1), (2, 2); INSERT INTO c VALUES (1, 1);`;

const CASCADE: LockCase[] = [
  {
    name: 'DROP VIEW ... CASCADE locks the views and materialized views over it, and their indexes',
    setup: VIEWS,
    sql: 'DROP VIEW v CASCADE',
    locks: { w: 'ACCESS EXCLUSIVE', m: 'ACCESS EXCLUSIVE', m_id: 'ACCESS EXCLUSIVE', x: 'ACCESS EXCLUSIVE', p: undefined, apart: undefined },
  },
  {
    name: 'DROP VIEW without CASCADE of a view nothing reads locks it alone',
    setup: VIEWS,
    sql: 'DROP VIEW x',
    locks: { x: 'ACCESS EXCLUSIVE', m: undefined, m_id: undefined },
  },
  {
    name: 'DROP MATERIALIZED VIEW locks its indexes',
    setup: VIEWS,
    sql: 'DROP MATERIALIZED VIEW m CASCADE',
    locks: { m_id: 'ACCESS EXCLUSIVE', x: 'ACCESS EXCLUSIVE', w: undefined },
  },
  {
    name: 'DROP TABLE ... CASCADE locks the views over it',
    setup: VIEWS,
    sql: 'DROP TABLE p CASCADE',
    locks: { v: 'ACCESS EXCLUSIVE', w: 'ACCESS EXCLUSIVE', m: 'ACCESS EXCLUSIVE', m_id: 'ACCESS EXCLUSIVE', x: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP TABLE ... CASCADE locks the tables whose foreign keys reference it',
    setup: FK,
    sql: 'DROP TABLE p CASCADE',
    locks: { c: 'ACCESS EXCLUSIVE', c_p: undefined },
  },
  {
    name: 'a view dropped by CASCADE is gone from the catalog (a later DROP of its base table reaches nothing)',
    setup: `${VIEWS} DROP VIEW v CASCADE;`,
    sql: 'DROP TABLE p',
    locks: { p: 'ACCESS EXCLUSIVE', w: undefined, m: undefined },
  },
  {
    name: 'CREATE OR REPLACE VIEW: what the view now reads decides what CASCADE reaches',
    setup: `${VIEWS} CREATE TABLE q (id int, n int); CREATE OR REPLACE VIEW apart AS SELECT 1 AS one, q.n FROM q;`,
    sql: 'DROP TABLE q CASCADE',
    locks: { apart: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP COLUMN ... CASCADE locks the views that read the column, and the views over them',
    setup: `${VIEWS} CREATE VIEW ids AS SELECT id FROM p; CREATE VIEW ns AS SELECT n FROM p;`,
    sql: 'ALTER TABLE p DROP COLUMN n CASCADE',
    locks: {
      v: 'ACCESS EXCLUSIVE',
      w: 'ACCESS EXCLUSIVE',
      m: 'ACCESS EXCLUSIVE',
      m_id: 'ACCESS EXCLUSIVE',
      x: 'ACCESS EXCLUSIVE',
      ns: 'ACCESS EXCLUSIVE',
      ids: undefined,
    },
  },
  {
    name: 'a view dropped by DROP COLUMN ... CASCADE is gone from the catalog',
    setup: `${VIEWS} CREATE VIEW ns AS SELECT n FROM p; ALTER TABLE p DROP COLUMN n CASCADE;`,
    sql: 'DROP TABLE p CASCADE',
    locks: { ns: undefined, v: undefined, apart: undefined },
  },
  {
    name: 'DROP FUNCTION ... CASCADE locks the tables of the triggers that execute it',
    setup: TRIGGERS,
    sql: 'DROP FUNCTION touch CASCADE',
    locks: { p: 'ACCESS EXCLUSIVE', q: 'ACCESS EXCLUSIVE', r: undefined },
  },
  {
    name: 'a dropped trigger no longer ties its table to the function',
    setup: `${TRIGGERS} DROP TRIGGER p_touch ON p;`,
    sql: 'DROP FUNCTION touch() CASCADE',
    locks: { p: undefined, q: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'a renamed function keeps its triggers, and a renamed trigger its function',
    setup: `${TRIGGERS} ALTER FUNCTION touch() RENAME TO touched; ALTER TRIGGER p_touch ON p RENAME TO p_touched;`,
    sql: 'DROP FUNCTION touched, other CASCADE',
    locks: { p: 'ACCESS EXCLUSIVE', q: 'ACCESS EXCLUSIVE', r: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP TRIGGER IF EXISTS of a trigger the table does not have locks nothing (the model: may, as history can miss one)',
    setup: TRIGGERS,
    sql: 'DROP TRIGGER IF EXISTS nope ON p',
    locks: { p: 'ACCESS EXCLUSIVE' },
    mayTake: ['p'],
  },
  {
    name: 'DROP TRIGGER IF EXISTS of a trigger it has locks its table',
    setup: TRIGGERS,
    sql: 'DROP TRIGGER IF EXISTS p_touch ON p',
    locks: { p: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP INDEX IF EXISTS of an index the history never created locks nothing (the model: may; kratos names a table as its schema)',
    setup: `${TRIGGERS} CREATE INDEX p_real ON p (id);`,
    sql: 'DROP INDEX IF EXISTS p.p_real',
    locks: { p: undefined, p_real: undefined, 'p.p_real': 'ACCESS EXCLUSIVE' },
    mayTake: ['p.p_real'],
  },
  {
    name: 'DROP INDEX IF EXISTS of an index it has locks it and its table',
    setup: `${TRIGGERS} CREATE INDEX p_real ON p (id);`,
    sql: 'DROP INDEX IF EXISTS p_real',
    locks: { p: 'ACCESS EXCLUSIVE', p_real: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'a function no trigger executes locks nothing when dropped',
    setup: `${TRIGGERS} CREATE FUNCTION plain() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
    sql: 'DROP FUNCTION plain CASCADE',
    locks: { p: undefined, q: undefined, r: undefined },
  },
];

/** p is referenced by c (CASCADE both ways), d (SET NULL), e (NO ACTION); c by c2 (CASCADE). */
const KEYS = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE, note text);
  CREATE TABLE c2 (id int, c_id int REFERENCES c ON DELETE CASCADE);
  CREATE TABLE d (id int, p_id int REFERENCES p ON DELETE SET NULL);
  CREATE TABLE e (id int, p_id int REFERENCES p);
  CREATE TABLE s (id serial PRIMARY KEY, p_id int REFERENCES p);
  INSERT INTO p VALUES (1, 1), (2, 2); INSERT INTO c VALUES (1, 1); INSERT INTO c2 VALUES (1, 1);`;

/** Row-level foreign key work: taken only when rows change, so the model says "may take". */
const FOREIGN_KEYS: LockCase[] = [
  {
    name: 'DELETE of referenced rows: CASCADE and SET NULL write the referencing tables, NO ACTION reads them, the cascade goes on',
    setup: KEYS,
    sql: 'DELETE FROM p WHERE id = 1',
    locks: { c: 'ROW EXCLUSIVE', d: 'ROW EXCLUSIVE', e: 'ROW SHARE', c2: 'ROW EXCLUSIVE', s: 'ROW SHARE' },
    mayTake: ['c', 'd', 'e', 'c2', 's'],
  },
  {
    name: 'a DELETE that removes no row reaches no referencing table (the model says may)',
    setup: KEYS,
    sql: 'DELETE FROM p WHERE id = 99',
    locks: { c: 'ROW EXCLUSIVE', e: 'ROW SHARE' },
    mayTake: ['c', 'e'],
  },
  {
    name: 'UPDATE of a referenced key: ON UPDATE CASCADE writes, NO ACTION reads',
    setup: KEYS,
    sql: 'UPDATE p SET id = id + 10',
    locks: { c: 'ROW EXCLUSIVE', e: 'ROW SHARE', d: 'ROW SHARE' },
    mayTake: ['c', 'e', 'd'],
  },
  {
    name: 'UPDATE of other columns of a referenced table reaches no referencing table',
    setup: KEYS,
    sql: 'UPDATE p SET n = 5',
    locks: { c: undefined, d: undefined, e: undefined },
  },
  {
    name: 'UPDATE setting a foreign key checks the referenced row (ROW SHARE)',
    setup: KEYS,
    sql: 'UPDATE c SET p_id = 2',
    locks: { p: 'ROW SHARE' },
    mayTake: ['p'],
    harmless: ['p'],
  },
  {
    name: 'UPDATE of other columns of a referencing table checks nothing',
    setup: KEYS,
    sql: "UPDATE c SET note = 'x'",
    locks: { p: undefined },
  },
  {
    name: 'INSERT ... SELECT checks the foreign keys it sets and draws from the sequences it leaves out',
    setup: KEYS,
    sql: 'INSERT INTO s (p_id) SELECT id FROM p',
    // p: ACCESS SHARE for the query, certain; ROW SHARE for the check of each row inserted.
    locks: { p: 'ROW SHARE', s_id_seq: 'ROW EXCLUSIVE' },
    mayTake: ['p', 's_id_seq'],
  },
  {
    name: 'INSERT ... SELECT that finds no rows checks nothing and draws nothing',
    setup: KEYS,
    sql: 'INSERT INTO s (p_id) SELECT id FROM p WHERE false',
    locks: { s_id_seq: 'ROW EXCLUSIVE' },
    mayTake: ['s_id_seq'],
  },
  {
    name: 'a writable CTE that inserts checks its foreign keys',
    setup: KEYS,
    sql: 'WITH x AS (INSERT INTO e (id, p_id) SELECT id, id FROM p RETURNING id) SELECT count(*) FROM x',
    locks: { e: 'ROW EXCLUSIVE', p: 'ROW SHARE' },
    mayTake: ['p'],
  },
  {
    name: 'MERGE ... WHEN NOT MATCHED THEN INSERT checks the foreign keys of the rows it inserts',
    setup: KEYS,
    sql: 'MERGE INTO e USING (SELECT 1 AS id, 1 AS p_id) s ON e.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.p_id)',
    locks: { e: 'ROW EXCLUSIVE', p: 'ROW SHARE' },
    mayTake: ['p'],
  },
  {
    name: 'COPY FROM checks the foreign keys of the rows it loads',
    setup: KEYS,
    sql: "COPY e (id, p_id) FROM PROGRAM 'echo 1,1' WITH (FORMAT csv)",
    locks: { e: 'ROW EXCLUSIVE', p: 'ROW SHARE' },
    mayTake: ['p'],
  },
  {
    name: "DISABLE TRIGGER ALL turns a table's foreign key actions off",
    setup: `${KEYS} ALTER TABLE p DISABLE TRIGGER ALL;`,
    sql: 'DELETE FROM p WHERE id = 1',
    locks: { c: undefined, e: undefined },
  },
  {
    name: "DISABLE TRIGGER ALL turns a table's foreign key checks off",
    setup: `${KEYS} ALTER TABLE c DISABLE TRIGGER ALL;`,
    sql: 'UPDATE c SET p_id = 2',
    locks: { p: undefined },
  },
  {
    name: 'DISABLE TRIGGER USER leaves the foreign keys on; ENABLE TRIGGER ALL turns them back on',
    setup: `${KEYS} ALTER TABLE p DISABLE TRIGGER ALL; ALTER TABLE p ENABLE TRIGGER ALL; ALTER TABLE p DISABLE TRIGGER USER;`,
    sql: 'DELETE FROM p WHERE id = 1',
    locks: { c: 'ROW EXCLUSIVE' },
    mayTake: ['c'],
  },
  {
    name: 'INSERT ... ON CONFLICT DO UPDATE: a conflicting row is updated, firing UPDATE triggers',
    setup: UPSERT,
    sql: 'INSERT INTO c VALUES (1, NULL) ON CONFLICT (id) DO UPDATE SET p_id = 2',
    locks: { counts: 'ROW EXCLUSIVE', p: 'ROW SHARE' },
    mayTake: ['counts', 'p'],
  },
  {
    name: 'a writable CTE that deletes reaches the referencing tables',
    setup: KEYS,
    sql: 'WITH gone AS (DELETE FROM p WHERE id = 1 RETURNING id) SELECT count(*) FROM gone',
    locks: { p: 'ROW EXCLUSIVE', c: 'ROW EXCLUSIVE', e: 'ROW SHARE' },
    mayTake: ['c', 'e'],
  },
];

/** p fires a statement trigger that refreshes a matview over a view, and a row trigger that writes two tables. */
const FIRING = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE audit (id serial, what text);
  CREATE TABLE counts (n int);
  CREATE TABLE other (id int);
  CREATE VIEW pv AS SELECT p.id, o.id AS oid FROM p JOIN other o ON o.id = p.id;
  CREATE MATERIALIZED VIEW pm AS SELECT * FROM pv;
  CREATE UNIQUE INDEX pm_id ON pm (id);
  CREATE FUNCTION refresh_p() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN REFRESH MATERIALIZED VIEW CONCURRENTLY pm; RETURN NULL; END $$;
  CREATE FUNCTION audit_p() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN INSERT INTO audit (what) VALUES ('d'); END IF;
    UPDATE counts SET n = n + 1;
    RETURN NULL;
  END $$;
  CREATE TRIGGER p_refresh AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON p FOR EACH STATEMENT EXECUTE FUNCTION refresh_p();
  CREATE TRIGGER p_audit AFTER DELETE OR UPDATE OF n ON p FOR EACH ROW EXECUTE FUNCTION audit_p();
  INSERT INTO p VALUES (1, 1);`;

const STATEMENT_TRIGGER = { pm: 'EXCLUSIVE', pv: 'ACCESS SHARE', other: 'ACCESS SHARE' };

const TRIGGERS_FIRED: LockCase[] = [
  {
    name: 'a statement trigger fires even when no row changes: its function refreshes a matview (EXCLUSIVE), reading through a view',
    setup: FIRING,
    sql: 'UPDATE p SET n = 2 WHERE false',
    locks: { ...STATEMENT_TRIGGER, counts: 'ROW EXCLUSIVE', audit: 'ROW EXCLUSIVE' },
    mayTake: ['counts', 'audit'],
  },
  {
    name: 'a row trigger fires for the rows changed: its statements, and those in its IF branch, may be taken',
    setup: FIRING,
    sql: 'DELETE FROM p',
    locks: { ...STATEMENT_TRIGGER, counts: 'ROW EXCLUSIVE', audit: 'ROW EXCLUSIVE', audit_id_seq: 'ROW EXCLUSIVE' },
    mayTake: ['counts', 'audit', 'audit_id_seq'],
  },
  {
    name: 'UPDATE OF n: an UPDATE that does not set n does not fire the row trigger',
    setup: FIRING,
    sql: 'UPDATE p SET id = 5',
    locks: { ...STATEMENT_TRIGGER, counts: undefined },
  },
  {
    name: 'TRUNCATE fires statement triggers',
    setup: FIRING,
    sql: 'TRUNCATE p',
    locks: { ...STATEMENT_TRIGGER, counts: undefined },
  },
  {
    name: 'an event the trigger does not name fires nothing',
    setup: FIRING.replace('AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE', 'AFTER DELETE'),
    sql: 'INSERT INTO p VALUES (2, 2)',
    locks: { pm: undefined, counts: undefined },
  },
  {
    name: 'a disabled trigger does not fire; ENABLE REPLICA fires only on a replica',
    setup: `${FIRING} ALTER TABLE p DISABLE TRIGGER p_audit; ALTER TABLE p ENABLE REPLICA TRIGGER p_refresh;`,
    sql: 'DELETE FROM p',
    locks: { pm: undefined, counts: undefined },
  },
  {
    name: 'ENABLE TRIGGER fires it again',
    setup: `${FIRING} ALTER TABLE p DISABLE TRIGGER USER; ALTER TABLE p ENABLE TRIGGER p_refresh;`,
    sql: 'DELETE FROM p',
    locks: { pm: 'EXCLUSIVE', counts: undefined },
  },
  {
    name: 'a dropped trigger fires no more',
    setup: `${FIRING} DROP TRIGGER p_refresh ON p;`,
    sql: 'UPDATE p SET n = 2 WHERE false',
    locks: { pm: undefined, counts: 'ROW EXCLUSIVE' },
    mayTake: ['counts'],
  },
  {
    name: 'CREATE OR REPLACE FUNCTION: the new body decides',
    setup: `${FIRING} CREATE OR REPLACE FUNCTION refresh_p() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM count(*) FROM other; RETURN NULL; END $$;`,
    sql: 'UPDATE p SET n = 2 WHERE false',
    locks: { pm: undefined, other: 'ACCESS SHARE' },
  },
];

const VIEWS_OVER = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE q (id int);
  CREATE VIEW v AS SELECT * FROM p WHERE n > 0;
  CREATE VIEW vv AS SELECT * FROM v;
  CREATE VIEW joined AS SELECT p.id, q.id AS qid FROM p JOIN q ON q.id = p.id;
  INSERT INTO p VALUES (1, 1);`;

const THROUGH_VIEWS: LockCase[] = [
  { name: 'UPDATE of an updatable view writes the table under it', setup: VIEWS_OVER, sql: 'UPDATE v SET n = 2 WHERE false', locks: { p: 'ROW EXCLUSIVE' } },
  {
    name: 'DML through a view of a view writes down to the table',
    setup: VIEWS_OVER,
    sql: 'DELETE FROM vv',
    locks: { v: 'ROW EXCLUSIVE', p: 'ROW EXCLUSIVE' },
  },
  { name: 'INSERT into an updatable view writes the table under it', setup: VIEWS_OVER, sql: 'INSERT INTO v VALUES (3, 3)', locks: { p: 'ROW EXCLUSIVE' } },
  {
    name: 'SELECT ... FOR UPDATE through views takes ROW SHARE on the tables under them',
    setup: VIEWS_OVER,
    sql: 'SELECT * FROM vv FOR UPDATE',
    locks: { v: 'ROW SHARE', p: 'ROW SHARE' },
  },
  {
    name: 'a plain SELECT through a join view reads both tables',
    setup: VIEWS_OVER,
    sql: 'SELECT * FROM joined',
    locks: { p: 'ACCESS SHARE', q: 'ACCESS SHARE' },
  },
];

const CALLED = `CREATE TABLE p (id int PRIMARY KEY, n int);
  CREATE TABLE q (id int);
  CREATE TABLE counts (n int);
  CREATE FUNCTION recent(i text) RETURNS TABLE (count_ bigint, id_ int) LANGUAGE plpgsql AS $$
  BEGIN
    RETURN QUERY SELECT count(*), p.id FROM p WHERE p.n > length(i) GROUP BY p.id;
  END $$;
  CREATE FUNCTION nq() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM q $$;
  CREATE FUNCTION bump() RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE counts SET n = n + 1; END $$;
  INSERT INTO p VALUES (1, 1);`;

const FUNCTIONS_CALLED: LockCase[] = [
  {
    name: 'a set-returning PL/pgSQL function in UPDATE ... FROM reads the tables of its query (may: when it is called)',
    setup: CALLED,
    sql: "UPDATE counts c SET n = r.count_ FROM recent('1 day') r WHERE c.n = r.id_",
    locks: { p: 'ACCESS SHARE', counts: 'ROW EXCLUSIVE' },
    mayTake: ['p'],
  },
  { name: 'a SQL function in a SELECT list reads its table', setup: CALLED, sql: 'SELECT nq()', locks: { q: 'ACCESS SHARE' }, mayTake: ['q'] },
  { name: 'a function that updates a table writes it', setup: CALLED, sql: 'SELECT bump()', locks: { counts: 'ROW EXCLUSIVE' }, mayTake: ['counts'] },
  { name: 'a function the history does not define reaches nothing', setup: CALLED, sql: 'SELECT now()', locks: { p: undefined, q: undefined } },
];

describe('locks that reach other relations vs a real PostgreSQL server', function () {
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  describe('DROP ... CASCADE', () => {
    for (const c of CASCADE) it(c.name, () => runLockCase(server, c));
  });

  describe('foreign keys of the rows DML writes', () => {
    for (const c of FOREIGN_KEYS) it(c.name, () => runLockCase(server, c));
  });

  describe('DML and locking reads through views', () => {
    for (const c of THROUGH_VIEWS) it(c.name, () => runLockCase(server, c));
  });

  describe('functions a statement calls', () => {
    for (const c of FUNCTIONS_CALLED) it(c.name, () => runLockCase(server, c));
  });

  describe('triggers DML fires', () => {
    for (const c of TRIGGERS_FIRED) it(c.name, () => runLockCase(server, c));
  });
});
