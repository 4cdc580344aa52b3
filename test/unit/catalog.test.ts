import * as assert from 'assert';
import { initParser, Catalog, analyze, DEFAULT_CONFIG } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { defaultConstraintName } from '../../server/src/core/model/catalog';
import { figureColname } from '../../server/src/core/model/names';
import { parseSearchPath, searchPathChange } from '../../server/src/core/model/searchPath';
import { buildStatements } from '../../server/src/core/model/statements';
import { as, asIndexElem } from '../../server/src/core/parse/ast';

describe('catalog replay', () => {
  before(() => initParser());

  it('knows tables, column types, constraints and indexes with PostgreSQL default names', () => {
    const c = new Catalog();
    replay(
      `CREATE TABLE users (id int PRIMARY KEY, email varchar(50) NOT NULL UNIQUE, org_id bigint REFERENCES orgs (id), nick text CHECK (nick IS NOT NULL));
       CREATE INDEX ON users (org_id);
       ALTER TABLE users ADD CONSTRAINT users_age CHECK (age > 0) NOT VALID;`,
      c,
    );
    const users = c.relation('users')!;
    assert.strictEqual(users.columns.get('email')?.type, 'varchar(50)');
    assert.strictEqual(users.columns.get('id')?.notNull, true);
    assert.deepStrictEqual([...users.constraints.keys()].sort(), ['users_age', 'users_email_key', 'users_nick_check', 'users_org_id_fkey', 'users_pkey']);
    assert.strictEqual(users.constraints.get('users_age')?.validated, false);
    assert.strictEqual(users.constraints.get('users_nick_check')?.notNullColumn, 'nick');
    assert.deepStrictEqual(
      c
        .indexesOf('users')
        .map((i) => i.name)
        .sort(),
      ['users_email_key', 'users_org_id_idx', 'users_pkey'],
    );
    assert.strictEqual(users.createdInFile, false);
  });

  it('shares its constraint-name index with clones until the names they noted could outnumber its own (an editing session notes new ones with every edit)', () => {
    const base = new Catalog();
    replay('CREATE TABLE t (a int PRIMARY KEY);', base);
    const indexOf = (c: Catalog) => (c as unknown as { constraintHolders?: object }).constraintHolders;
    assert.ok(indexOf(base), 'built by the default name of the primary key');
    const shared: boolean[] = [];
    for (let i = 0; i < 60; i++) {
      const copy = base.cloneForApply();
      shared.push(indexOf(copy) === indexOf(base));
      // Names no other catalog holds: stale entries of the shared index once this copy is gone.
      replay(Array.from({ length: 100 }, (_, k) => `ALTER TABLE t ADD CONSTRAINT c${i}_${k} CHECK (a > 0);`).join('\n'), copy);
      assert.ok(copy.constraintNameTaken(`c${i}_0`) && !copy.constraintNameTaken(`c${i - 1}_0`));
    }
    const until = shared.indexOf(false);
    assert.ok(until > 30 && shared.slice(until).every((s) => !s), shared.join());
  });

  it('follows renames, drops, VALIDATE and type changes', () => {
    const c = new Catalog();
    replay(
      `CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a);
       ALTER TABLE t ADD CONSTRAINT t_b CHECK (b <> '') NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_b;
       ALTER TABLE t RENAME COLUMN b TO c; ALTER INDEX t_a RENAME TO t_a2; ALTER TABLE t RENAME TO u;`,
      c,
    );
    assert.strictEqual(c.relation('u')?.constraints.get('t_b')?.validated, true);
    assert.deepStrictEqual(c.relation('u')?.constraints.get('t_b')?.columns, ['c']);
    // Dropping the renamed column drops the CHECK on it (as PostgreSQL does).
    replay('ALTER TABLE u ALTER COLUMN a TYPE bigint; ALTER TABLE u DROP COLUMN c;', c);
    const u = c.relation('u')!;
    assert.ok(!c.relation('t'));
    assert.ok(!u.constraints.has('t_b'));
    assert.deepStrictEqual([...u.columns.keys()], ['a']);
    assert.strictEqual(u.columns.get('a')?.type, 'int8');
    assert.strictEqual(c.indexes.get('t_a2')?.table, 'u');
    replay('DROP TABLE u;', c);
    assert.strictEqual(c.indexes.size, 0);
  });

  it('tracks partitions and USING INDEX renames', () => {
    const c = new Catalog();
    replay(
      `CREATE TABLE e (id int, d date) PARTITION BY RANGE (d);
       CREATE TABLE e1 PARTITION OF e FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       CREATE TABLE ed PARTITION OF e DEFAULT;
       CREATE UNIQUE INDEX e1_id ON e1 (id);
       ALTER TABLE e1 ADD CONSTRAINT e1_id_key UNIQUE USING INDEX e1_id;`,
      c,
    );
    assert.strictEqual(c.relation('e')?.kind, 'partitioned');
    assert.deepStrictEqual([...c.relation('e')!.partitions].sort(), ['e1', 'ed']);
    assert.ok(c.relation('ed')?.isDefaultPartition);
    assert.ok(c.indexes.has('e1_id_key') && !c.indexes.has('e1_id'));
  });

  it('shortens default names to 63 bytes like PostgreSQL', () => {
    const name = defaultConstraintName('a'.repeat(40), ['b'.repeat(40)], 'fkey');
    assert.strictEqual(Buffer.byteLength(name), 63);
    assert.ok(name.endsWith('_fkey'));
  });

  it('renames the constraint with its index, and the index with its constraint', () => {
    const c = new Catalog();
    replay('CREATE TABLE t (a int, b int PRIMARY KEY, UNIQUE (a)); ALTER INDEX t_a_key RENAME TO t_a; ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk;', c);
    const t = c.relation('t')!;
    assert.deepStrictEqual([...t.constraints.keys()].sort(), ['t_a', 't_pk']);
    assert.deepStrictEqual([...t.indexes].sort(), ['t_a', 't_pk']);
    assert.strictEqual(t.constraints.get('t_pk')?.index, 't_pk');
    replay('ALTER TABLE t DROP CONSTRAINT t_a;', c);
    assert.deepStrictEqual([...c.indexes.keys()], ['t_pk']);
  });

  it('picks the next free default name for keys, foreign keys and indexes', () => {
    const c = new Catalog();
    replay(
      'CREATE TABLE v (id int PRIMARY KEY); CREATE TABLE u (a int UNIQUE, b int REFERENCES v); ALTER TABLE u ADD UNIQUE (a), ADD FOREIGN KEY (b) REFERENCES v;',
      c,
    );
    replay('CREATE INDEX ON u (a); CREATE INDEX ON u (a); CREATE INDEX ON u (lower(a::text)); CREATE INDEX ON u ((a + b));', c);
    assert.deepStrictEqual([...c.relation('u')!.constraints.keys()].sort(), ['u_a_key', 'u_a_key1', 'u_b_fkey', 'u_b_fkey1']);
    assert.deepStrictEqual(
      c
        .indexesOf('u')
        .map((i) => i.name)
        .sort(),
      ['u_a_idx', 'u_a_idx1', 'u_a_key', 'u_a_key1', 'u_expr_idx', 'u_lower_idx'],
    );
  });

  it('names an index expression as FigureColname does', () => {
    const expr = (sql: string) => {
      const stmt = as(buildStatements(`CREATE INDEX ON t (${sql})`).statements[0].node, 'IndexStmt');
      return figureColname(asIndexElem(stmt?.indexParams?.[0])?.expr);
    };
    assert.strictEqual(expr('lower(email)'), 'lower');
    assert.strictEqual(expr('(email::text)'), 'email');
    assert.strictEqual(expr('(a + b)'), undefined);
    assert.strictEqual(expr('coalesce(a, 0)'), 'coalesce');
    assert.strictEqual(expr('(CASE WHEN a > 0 THEN a END)'), 'case');
  });

  it('drops with a column the indexes that read it and the foreign keys that reference it', () => {
    const c = new Catalog();
    replay(
      `CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE);
       CREATE TABLE t (id int, pid int REFERENCES p, pk int REFERENCES p (k), email text, gone bool);
       CREATE INDEX t_lower ON t (lower(email)); CREATE INDEX t_part ON t (id) WHERE gone; CREATE INDEX t_incl ON t (id) INCLUDE (email);
       CREATE INDEX t_id ON t (id);`,
      c,
    );
    assert.deepStrictEqual(
      c
        .indexesUsing('t', 'email')
        .map((i) => i.name)
        .sort(),
      ['t_incl', 't_lower'],
    );
    replay('ALTER TABLE t DROP COLUMN email, DROP COLUMN gone; ALTER TABLE p DROP COLUMN k CASCADE, DROP COLUMN id CASCADE;', c);
    assert.deepStrictEqual(
      c.indexesOf('t').map((i) => i.name),
      ['t_id'],
    );
    assert.deepStrictEqual(c.constraintsOf('t'), []);
    assert.deepStrictEqual(c.indexesOf('p'), []);
  });

  it('keys relations by schema: bare in public, schema.name elsewhere, resolved through search_path', () => {
    const c = new Catalog();
    replay('CREATE SCHEMA audit; CREATE TABLE audit.shipments (id int PRIMARY KEY); CREATE TABLE shipments (id int);', c);
    assert.deepStrictEqual([...c.relations.keys()].sort(), ['audit.shipments', 'shipments']);
    assert.strictEqual(c.key({ relname: 'shipments' }), 'shipments');
    assert.strictEqual(c.key({ schemaname: 'public', relname: 'shipments' }), 'shipments');
    assert.strictEqual(c.key({ schemaname: 'audit', relname: 'shipments' }), 'audit.shipments');
    assert.ok(c.indexes.has('audit.shipments_pkey') && !c.indexes.has('shipments_pkey'));
    replay('SET search_path = audit, public;', c);
    assert.strictEqual(c.key({ relname: 'shipments' }), 'audit.shipments');
    assert.strictEqual(c.key({ relname: 'orders' }), 'audit.orders', 'an unknown name is where CREATE would put it');
    assert.strictEqual(c.localName('audit.shipments_pkey'), 'shipments_pkey');
  });

  it('knows pg_catalog is searched first unless search_path places it', () => {
    const c = new Catalog();
    assert.strictEqual(c.key({ relname: 'pg_index' }), 'pg_catalog.pg_index');
    assert.ok(c.isSystemCatalog('pg_catalog.pg_class'));
    assert.ok(!c.isSystemCatalog('pg_class'));
    assert.ok(c.isSystemCatalog(c.key({ schemaname: 'information_schema', relname: 'tables' })));
    replay('CREATE TABLE pg_class (x int); SET search_path = public, pg_catalog;', c);
    assert.strictEqual(c.key({ relname: 'pg_class' }), 'pg_class');
    assert.strictEqual(c.key({ relname: 'pg_index' }), 'pg_catalog.pg_index');
  });

  it('reads search_path from SET, SET LOCAL, RESET and set_config()', () => {
    const change = (sql: string) => searchPathChange(buildStatements(sql).statements[0].node);
    assert.deepStrictEqual(change('SET search_path = audit, "Mixed", public'), { path: ['audit', 'Mixed', 'public'], local: false });
    assert.deepStrictEqual(change("SET LOCAL search_path TO 'a, b'"), { path: ['a', 'b'], local: true });
    assert.deepStrictEqual(change('RESET search_path'), { local: false });
    assert.deepStrictEqual(change("SELECT set_config('search_path', 'Audit, \"$user\"', true)"), { path: ['audit', '$user'], local: true });
    assert.strictEqual(change('SET lock_timeout = 1000'), undefined);
    assert.deepStrictEqual(parseSearchPath('"$user", public'), ['$user', 'public']);
  });

  it('ends SET LOCAL search_path with the transaction', () => {
    const c = new Catalog();
    replay('BEGIN; SET LOCAL search_path = a; CREATE TABLE t (id int); COMMIT; CREATE TABLE u (id int);', c);
    assert.deepStrictEqual([...c.relations.keys()].sort(), ['a.t', 'u']);
  });

  it('says a statement writes a system catalog directly, and keeps its locks out of user tables', () => {
    const analysis = analyze("UPDATE pg_index SET indisready = false WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'x');", {
      config: DEFAULT_CONFIG,
    });
    const effect = analysis.statements[0].effect;
    assert.deepStrictEqual(
      effect.locks.map((l) => [l.relation, l.mode, !!l.harmless]),
      [
        ['pg_catalog.pg_index', 'ROW EXCLUSIVE', true],
        ['pg_catalog.pg_class', 'ACCESS SHARE', true],
      ],
    );
    assert.ok(
      effect.notes.some((n) => n.startsWith('writes the system catalog pg_catalog.pg_index directly')),
      effect.notes.join('; '),
    );
    assert.deepStrictEqual(
      analysis.findings.filter((f) => f.rule === 'unbatched-backfill'),
      [],
    );
  });

  it('keeps the columns a file adds to a table no history knows: type, NOT NULL, type changes, drops', () => {
    const c = new Catalog();
    replay('ALTER TABLE t ADD COLUMN email varchar(10) NOT NULL, ADD COLUMN n int UNIQUE, ADD COLUMN gone int;', c);
    const before = c.clone();
    replay('ALTER TABLE t ALTER COLUMN email TYPE varchar(20), ALTER COLUMN n SET NOT NULL, DROP COLUMN gone;', c);
    assert.ok(!c.relation('t'), 'the table stays unknown: its other columns and indexes are not known');
    assert.deepStrictEqual(c.column('t', 'email'), { name: 'email', type: 'varchar(20)', notNull: true });
    assert.strictEqual(c.column('t', 'n')?.notNull, true);
    assert.strictEqual(c.column('t', 'gone'), undefined);
    assert.strictEqual(before.column('t', 'email')?.type, 'varchar(10)', 'a clone keeps its own columns');
    assert.strictEqual(c.indexes.size, 0, 'no index of a table whose indexes are unknown');
  });
});
