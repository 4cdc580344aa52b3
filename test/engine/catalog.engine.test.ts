/**
 * The catalog against a real PostgreSQL server: each case's SQL runs on a fresh database, and what
 * the server's pg_class / pg_index / pg_constraint / pg_attribute hold afterwards (relations,
 * indexes with their table, constraints with type, validated state and index, columns with NOT
 * NULL) must be what the catalog holds after replaying the same SQL. Then the locks of a statement
 * that reads those facts must agree with the server's pg_locks.
 */
import * as assert from 'assert';
import type { Client } from 'pg';
import { initParser, Catalog, analyze, DEFAULT_CONFIG } from '../../server/src/core';
import { buildStatements } from '../../server/src/core/model/statements';
import { replay } from '../../server/src/project/history';
import { compareTrace, describeDisagreement } from '../../server/src/trace/compare';
import { requirePgServer, PgServer } from '../support/pgServer';
import { connectEngine, runLockCase, type LockCase } from './lockCase';
import { SYSTEM_RELATIONS } from '../../server/src/core/model/searchPath';
import { PGlite } from '@electric-sql/pglite';

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;
/** The catalog's key of a relation: its name in public, `schema.name` elsewhere. */
const KEY = (ns: string, rel: string) => `CASE WHEN ${ns}.nspname = 'public' THEN ${rel}.relname ELSE ${ns}.nspname || '.' || ${rel}.relname END`;

const SERVER_LINES = `
  SELECT 'relation ' || ${KEY('n', 'c')} || ' ' || c.relkind::text AS line
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  UNION ALL
  SELECT 'index ' || ${KEY('n', 'c')} || ' on ' || ${KEY('tn', 't')}
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE ${USER_NS}
  UNION ALL
  SELECT 'constraint ' || ${KEY('n', 't')} || ' ' || k.conname || ' ' || k.contype::text || CASE WHEN k.convalidated THEN '' ELSE ' not valid' END
      || CASE WHEN k.contype IN ('p', 'u', 'x') THEN ' index ' || ${KEY('n', 'ic')} ELSE '' END
    FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class ic ON ic.oid = k.conindid WHERE ${USER_NS}
  UNION ALL
  SELECT 'column ' || ${KEY('n', 'c')} || ' ' || a.attname || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY 1`;

const RELKIND: Record<string, string> = { table: 'r', partitioned: 'p', view: 'v', matview: 'm', sequence: 'S' };
const CONTYPE: Record<string, string> = { check: 'c', foreign: 'f', unique: 'u', primary: 'p', exclusion: 'x' };

async function serverLines(client: Client): Promise<string[]> {
  return (await client.query<{ line: string }>(SERVER_LINES)).rows.map((r) => r.line);
}

/** The same facts from the catalog (NOT NULL constraints are pg_attribute's on PostgreSQL 15). */
function catalogLines(catalog: Catalog): string[] {
  const out: string[] = [];
  for (const [key, rel] of catalog.relations) {
    out.push(`relation ${key} ${RELKIND[rel.kind]}`);
    for (const c of rel.constraints.values()) {
      if (c.type === 'notnull') continue;
      out.push(`constraint ${key} ${c.name} ${CONTYPE[c.type]}${c.validated ? '' : ' not valid'}${c.index ? ` index ${c.index}` : ''}`);
    }
    if (rel.kind === 'table' || rel.kind === 'partitioned')
      for (const col of rel.columns.values()) out.push(`column ${key} ${col.name}${col.notNull ? ' not null' : ''}`);
  }
  for (const [key, idx] of catalog.indexes) out.push(`index ${key} on ${idx.table}`);
  // PostgreSQL's byte order (the server's collation is C).
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface StateCase {
  name: string;
  sql: string;
}

const STATE_CASES: StateCase[] = [
  {
    name: 'ALTER INDEX ... RENAME renames the constraint it enforces, RENAME CONSTRAINT renames its index',
    sql: `CREATE TABLE t (a int, b int, c int PRIMARY KEY, UNIQUE (a, b));
      ALTER INDEX t_a_b_key RENAME TO t_ab; ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk;
      ALTER TABLE t RENAME CONSTRAINT t_ab TO t_ab2; ALTER TABLE t DROP CONSTRAINT t_ab2;`,
  },
  {
    name: 'unnamed constraints and indexes get the next free name (_key1, _check1, _pkey1, _idx1)',
    sql: `CREATE TABLE u (a int UNIQUE, b int, CHECK (a > 0));
      ALTER TABLE u ADD UNIQUE (a), ADD CHECK (a > 1), ADD CHECK (a > b), ADD CHECK (b > 0);
      CREATE TABLE u_pkey (x int); CREATE TABLE v (id int PRIMARY KEY);
      CREATE TABLE w (a int, b int REFERENCES v, FOREIGN KEY (b) REFERENCES v);
      CREATE INDEX ON u (a); CREATE INDEX ON u (a); CREATE INDEX ON u (a, b) INCLUDE (b);`,
  },
  {
    name: 'a constraint dropped earlier in the same ALTER frees its name',
    sql: 'CREATE TABLE u (a int UNIQUE); ALTER TABLE u DROP CONSTRAINT u_a_key, ADD UNIQUE (a);',
  },
  {
    name: 'expression indexes are named after their function, cast column, or expr',
    sql: `CREATE TABLE t (a int, b int, c text);
      CREATE INDEX ON t (lower(c), lower(c)); CREATE INDEX ON t ((b::text)); CREATE INDEX ON t ((a + b));
      CREATE INDEX ON t (coalesce(a, 0)); CREATE INDEX ON t ((CASE WHEN a > 0 THEN a END)); CREATE INDEX ON t (a) INCLUDE (b);
      CREATE INDEX ON t (greatest(a, b)); CREATE INDEX ON t ((c COLLATE "C"));`,
  },
  {
    name: 'USING INDEX keeps the index name unless the constraint is named',
    sql: `CREATE TABLE t (a int NOT NULL, b int, c int);
      CREATE UNIQUE INDEX t_a ON t (a); ALTER TABLE t ADD PRIMARY KEY USING INDEX t_a;
      CREATE UNIQUE INDEX t_b ON t (b); ALTER TABLE t ADD CONSTRAINT t_b_uniq UNIQUE USING INDEX t_b;
      CREATE UNIQUE INDEX t_c ON t (c); ALTER TABLE t ADD UNIQUE USING INDEX t_c;`,
  },
  {
    name: 'exclusion constraints are named after their columns',
    sql: `CREATE TABLE t (a int, r int4range, EXCLUDE USING gist (r WITH &&));
      ALTER TABLE t ADD EXCLUDE USING gist (r WITH &&); ALTER TABLE t ADD EXCLUDE USING btree ((a + 1) WITH =);`,
  },
  {
    name: 'DROP COLUMN drops expression, partial and multi-column indexes, its constraints and foreign keys',
    sql: `CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE, e text);
      CREATE TABLE c (id int, pid int REFERENCES p, pk int REFERENCES p (k), g int, CHECK (g > id), UNIQUE (id, g));
      CREATE INDEX c_lower ON c (lower(g::text)); CREATE INDEX c_part ON c (id) WHERE g > 0; CREATE INDEX c_multi ON c (id, g);
      CREATE INDEX c_incl ON c (id) INCLUDE (g); CREATE INDEX c_id ON c (id);
      ALTER TABLE c DROP COLUMN g; ALTER TABLE c DROP COLUMN pid;`,
  },
  {
    name: 'DROP COLUMN ... CASCADE drops the foreign keys that reference it',
    sql: `CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE, e text);
      CREATE TABLE c (id int, pid int REFERENCES p, pk int REFERENCES p (k));
      ALTER TABLE p DROP COLUMN k CASCADE; ALTER TABLE p DROP COLUMN id CASCADE;`,
  },
  {
    name: 'a schema-qualified table is not the public one; its indexes, constraints and sequences live in its schema',
    sql: `CREATE SCHEMA audit; CREATE TABLE audit.shipments (id serial PRIMARY KEY, ref text UNIQUE, n int CHECK (n > 0));
      CREATE TABLE shipments (id int PRIMARY KEY, ref text); CREATE INDEX ON audit.shipments (ref); CREATE INDEX ON shipments (ref);
      ALTER TABLE audit.shipments ADD UNIQUE (ref), ADD CONSTRAINT ship_ref_fk FOREIGN KEY (id) REFERENCES shipments;
      ALTER INDEX audit.shipments_ref_key RENAME TO shipments_ref_uniq; ALTER TABLE audit.shipments RENAME TO parcels;
      ALTER TABLE public.shipments DROP COLUMN ref;`,
  },
  {
    name: 'unqualified names resolve through SET search_path, RESET and set_config()',
    sql: `CREATE SCHEMA audit; SET search_path = audit, public; CREATE TABLE shipments (id serial PRIMARY KEY);
      CREATE TABLE public.orders (id int); ALTER TABLE shipments ADD COLUMN code int UNIQUE; ALTER TABLE orders ADD UNIQUE (id);
      RESET search_path; CREATE TABLE shipments (id int); CREATE INDEX ON shipments (id);
      SELECT set_config('search_path', 'audit, public', false); CREATE TABLE notes (id int); DROP TABLE shipments;
      SET search_path TO DEFAULT; CREATE TABLE notes (x int);`,
  },
  {
    name: 'SET LOCAL search_path ends with its transaction, ROLLBACK undoes SET',
    sql: `CREATE SCHEMA a; BEGIN; SET LOCAL search_path = a; CREATE TABLE t (id int); COMMIT; CREATE TABLE t (x int);
      BEGIN; SET search_path = a; ROLLBACK; CREATE TABLE u (y int);`,
  },
  {
    name: 'ALTER TABLE ... SET SCHEMA moves the table with its indexes and owned sequences; DROP SCHEMA CASCADE drops them',
    sql: `CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE t (id serial PRIMARY KEY, v int UNIQUE); CREATE INDEX t_v ON t (v);
      ALTER TABLE t SET SCHEMA a; CREATE TABLE t (id int); CREATE TABLE b.gone (id int PRIMARY KEY); DROP SCHEMA b CASCADE;`,
  },
];

const LOCK_CASES: LockCase[] = [
  {
    name: 'RENAME CONSTRAINT of a unique constraint renames its index (SHARE UPDATE EXCLUSIVE)',
    setup: 'CREATE TABLE t (a int, b int, UNIQUE (a, b), CHECK (b > 0));',
    sql: 'ALTER TABLE t RENAME CONSTRAINT t_a_b_key TO t_ab',
    locks: { t: 'ACCESS EXCLUSIVE', t_a_b_key: 'SHARE UPDATE EXCLUSIVE' },
  },
  {
    name: 'RENAME CONSTRAINT of a CHECK locks only the table',
    setup: 'CREATE TABLE t (a int, b int, UNIQUE (a, b), CHECK (b > 0));',
    sql: 'ALTER TABLE t RENAME CONSTRAINT t_b_check TO t_b_positive',
    locks: { t: 'ACCESS EXCLUSIVE', t_a_b_key: undefined },
  },
  {
    name: 'after RENAME CONSTRAINT, dropping it drops the renamed index',
    setup: 'CREATE TABLE t (a int, b int, UNIQUE (a, b)); ALTER TABLE t RENAME CONSTRAINT t_a_b_key TO t_ab;',
    sql: 'ALTER TABLE t DROP CONSTRAINT t_ab',
    locks: { t: 'ACCESS EXCLUSIVE', t_ab: 'ACCESS EXCLUSIVE', t_a_b_key: undefined },
  },
  {
    name: 'after ALTER INDEX ... RENAME, DROP TABLE locks the index by its new name',
    setup: 'CREATE TABLE t (a int UNIQUE); ALTER INDEX t_a_key RENAME TO t_a_uniq;',
    sql: 'DROP TABLE t',
    locks: { t_a_uniq: 'ACCESS EXCLUSIVE', t_a_key: undefined },
  },
  {
    name: 'DROP COLUMN drops an expression index on it',
    setup: 'CREATE TABLE t (a int, email text); CREATE INDEX t_email_lower ON t (lower(email));',
    sql: 'ALTER TABLE t DROP COLUMN email',
    locks: { t_email_lower: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'DROP COLUMN drops a partial index whose predicate reads it',
    setup: 'CREATE TABLE t (a int, gone bool); CREATE INDEX t_a_part ON t (a) WHERE gone;',
    sql: 'ALTER TABLE t DROP COLUMN gone',
    locks: { t_a_part: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'after DROP COLUMN its expression index is gone: REINDEX TABLE does not lock it',
    setup: 'CREATE TABLE t (a int PRIMARY KEY, email text); CREATE INDEX t_email_lower ON t (lower(email)); ALTER TABLE t DROP COLUMN email;',
    sql: 'REINDEX TABLE t',
    locks: { t_email_lower: undefined, t_pkey: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'a type change rebuilds an expression index on the column',
    setup: 'CREATE TABLE t (a int, email varchar(10)); CREATE INDEX t_email_lower ON t (lower(email));',
    sql: 'ALTER TABLE t ALTER COLUMN email TYPE varchar(20)',
    locks: { t_email_lower: 'ACCESS EXCLUSIVE' },
  },
  {
    name: 'audit.shipments is not shipments: its constraint index is audit.shipments_ref_key',
    setup: 'CREATE SCHEMA audit; CREATE TABLE audit.shipments (id int, ref text UNIQUE); CREATE TABLE shipments (id int, ref text UNIQUE);',
    sql: 'ALTER TABLE audit.shipments DROP CONSTRAINT shipments_ref_key',
    locks: { 'audit.shipments': 'ACCESS EXCLUSIVE', 'audit.shipments_ref_key': 'ACCESS EXCLUSIVE', shipments: undefined, shipments_ref_key: undefined },
  },
  {
    name: 'an unqualified name resolves through the search_path set earlier',
    setup:
      'CREATE SCHEMA audit; CREATE TABLE audit.shipments (id int PRIMARY KEY); CREATE TABLE shipments (id int PRIMARY KEY); SET search_path = audit, public;',
    sql: 'TRUNCATE shipments',
    locks: { 'audit.shipments': 'ACCESS EXCLUSIVE', 'audit.shipments_pkey': 'ACCESS EXCLUSIVE', shipments: undefined },
  },
  {
    name: 'DROP SCHEMA ... CASCADE drops (and locks) every relation in it, none elsewhere',
    setup: 'CREATE SCHEMA b; CREATE TABLE b.t (id serial PRIMARY KEY); CREATE VIEW b.v AS SELECT * FROM b.t; CREATE TABLE t (id int PRIMARY KEY);',
    sql: 'DROP SCHEMA b CASCADE',
    locks: { 'b.t': 'ACCESS EXCLUSIVE', 'b.t_pkey': 'ACCESS EXCLUSIVE', 'b.t_id_seq': 'ACCESS EXCLUSIVE', 'b.v': 'ACCESS EXCLUSIVE', t: undefined },
  },
  {
    name: 'UPDATE pg_index writes a system catalog: a harmless lock, not a user table',
    setup: 'CREATE TABLE t (id int PRIMARY KEY);',
    sql: "UPDATE pg_index SET indisready = true WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 't')",
    locks: { 'pg_catalog.pg_index': 'ROW EXCLUSIVE', 'pg_catalog.pg_class': 'ACCESS SHARE', pg_index: undefined },
  },
  {
    name: 'information_schema views are system relations too',
    setup: 'CREATE TABLE t (id int);',
    sql: "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'",
    locks: { 'information_schema.tables': 'ACCESS SHARE' },
  },
  {
    name: 'a table named like a catalog is the user table when search_path puts pg_catalog after public',
    setup: 'CREATE TABLE pg_class (x int); SET search_path = public, pg_catalog;',
    sql: 'UPDATE pg_class SET x = 1',
    locks: { pg_class: 'ROW EXCLUSIVE', 'pg_catalog.pg_class': undefined },
  },
];

interface FileCase {
  name: string;
  /** What production holds: run on the server, unknown to the analysis (no schema history). */
  existing: string;
  /** The migration; its last statement is traced and compared. */
  file: string;
  rewrite: boolean;
  scan: boolean;
}

/** A table no history knows, altered earlier in the same file: the catalog keeps what the file did to it. */
const FILE_CASES: FileCase[] = [
  {
    name: 'a column added earlier keeps its type: widening a varchar does not rewrite',
    existing: 'CREATE TABLE t (id int);',
    file: 'ALTER TABLE t ADD COLUMN email varchar(10); ALTER TABLE t ALTER COLUMN email TYPE varchar(20);',
    rewrite: false,
    scan: false,
  },
  {
    name: 'a column added earlier as int rewrites when it becomes bigint',
    existing: 'CREATE TABLE t (id int);',
    file: 'ALTER TABLE t ADD COLUMN n int; ALTER TABLE t ALTER COLUMN n TYPE bigint;',
    rewrite: true,
    scan: true,
  },
  {
    name: 'a column added NOT NULL earlier: SET NOT NULL reads nothing',
    existing: 'CREATE TABLE t (id int);',
    file: 'ALTER TABLE t ADD COLUMN n int NOT NULL DEFAULT 0; ALTER TABLE t ALTER COLUMN n SET NOT NULL;',
    rewrite: false,
    scan: false,
  },
  {
    name: 'a CHECK added NOT VALID and validated earlier proves SET NOT NULL (no scan)',
    existing: 'CREATE TABLE t (id int, n int DEFAULT 0);',
    file: 'ALTER TABLE t ADD CONSTRAINT t_n_nn CHECK (n IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_n_nn; ALTER TABLE t ALTER COLUMN n SET NOT NULL;',
    rewrite: false,
    scan: false,
  },
];

describe('catalog vs a real PostgreSQL server', function () {
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
    await initParser();
  });

  async function withClient<R>(run: (client: Client) => Promise<R>): Promise<R> {
    const client = await server.connect(await server.createDatabase('catalog'));
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  it('knows the system catalogs of pg_catalog (PostgreSQL 15 and PGlite 18)', async () => {
    const sql = `SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind IN ('r', 'v', 'm', 'p')`;
    const server = await withClient(async (client) => (await client.query<{ relname: string }>(sql)).rows.map((r) => r.relname));
    const pglite = await PGlite.create();
    const eighteen = (await pglite.query<{ relname: string }>(sql)).rows.map((r) => r.relname);
    await pglite.close();
    const both = new Set([...server, ...eighteen]);
    assert.deepStrictEqual(
      [...SYSTEM_RELATIONS].filter((r) => !both.has(r)),
      [],
      'listed, on neither engine',
    );
    assert.deepStrictEqual(
      [...both].filter((r) => !SYSTEM_RELATIONS.has(r)),
      [],
      'on an engine, not listed',
    );
  });

  for (const c of STATE_CASES) {
    it(`state: ${c.name}`, async () => {
      const expected = await withClient(async (client) => {
        // Statement by statement, as psql runs a file (one multi-statement query would be one implicit transaction).
        for (const stmt of buildStatements(c.sql).statements) await client.query(stmt.text);
        return serverLines(client);
      });
      const catalog = new Catalog();
      replay(c.sql, catalog);
      assert.deepStrictEqual(catalogLines(catalog), expected);
    });
  }

  for (const c of FILE_CASES) {
    it(`file: ${c.name}`, async () => {
      const engine = await connectEngine(server, 'catalog');
      try {
        const analysis = analyze(c.file, { config: { ...DEFAULT_CONFIG, pgVersion: engine.major } });
        const statements = buildStatements(c.file).statements;
        const last = statements[statements.length - 1];
        // Rows, so that a scan shows (SET NOT NULL reads the table only when it must).
        await engine.exec(`${c.existing} INSERT INTO t (id) VALUES (1), (2);`);
        for (const s of statements.slice(0, -1)) await engine.exec(s.text);
        const effect = analysis.statements[last.index].effect;
        const trace = await engine.traceRolledBack(last.text);
        assert.strictEqual(trace.error, undefined, trace.error?.message);
        const diffs = compareTrace(effect, analysis.finalCatalog, trace, { statementKind: last.kind, scans: 'rows' });
        assert.deepStrictEqual(diffs.map(describeDisagreement), [], 'model and server disagree');
        assert.deepStrictEqual({ rewrite: effect.rewrite, scan: effect.scan }, { rewrite: c.rewrite, scan: c.scan });
      } finally {
        await engine.close();
      }
    });
  }

  for (const c of LOCK_CASES) {
    it(`locks: ${c.name}`, async () => {
      const effect = await runLockCase(server, c, 'catalog');
      for (const l of effect.locks)
        assert.strictEqual(!!l.harmless, /^(pg_catalog|information_schema)\./.test(l.relation), `${l.relation} harmless only as a system catalog`);
    });
  }
});
