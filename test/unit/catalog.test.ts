import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { defaultConstraintName } from '../../server/src/core/model/catalog';

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
});
