/**
 * Why `ALTER TABLE ... ADD COLUMN` rewrites the table (every row written again, every index
 * rebuilt, under ACCESS EXCLUSIVE): the column's kind or default needs a value computed per row.
 * Shared by the lock model and the rules that explain it.
 */
import { T, asAConst, asConstraint, typeToString } from '../parse/ast';
import { defaultVolatility } from './volatility';

export type ColumnRewriteKind = 'serial' | 'identity' | 'generated' | 'default-before-11' | 'volatile-default' | 'unknown-default';

export interface ColumnRewrite {
  kind: ColumnRewriteKind;
  /** Why, in words (used in lock-model notes and messages). */
  reason: string;
  /** The constraint responsible (DEFAULT, GENERATED, IDENTITY), when there is one. */
  constraint?: T.Constraint;
}

/** True for `serial`, `bigserial`, `smallserial` (and their `serialN` spellings). */
export function isSerialType(type: string): boolean {
  return /^(small|big)?serial[248]?$/.test(type);
}

/** Everything about the column that makes adding it rewrite an existing table (empty when it is instant). */
export function addColumnRewrites(col: T.ColumnDef, pgVersion: number): ColumnRewrite[] {
  const out: ColumnRewrite[] = [];
  const type = typeToString(col.typeName);
  if (isSerialType(type)) out.push({ kind: 'serial', reason: `${type} fills every existing row from a sequence: the table is rewritten` });
  for (const c of col.constraints ?? []) {
    const con = asConstraint(c);
    if (!con) continue;
    switch (con.contype) {
      case 'CONSTR_DEFAULT': {
        // DEFAULT NULL stores no default at all.
        if (asAConst(con.raw_expr)?.isnull) break;
        const verdict = defaultVolatility(con.raw_expr);
        if (pgVersion < 11) out.push({ kind: 'default-before-11', reason: 'before PostgreSQL 11 any default rewrites the table', constraint: con });
        else if (verdict.volatility === 'volatile') {
          out.push({
            kind: 'volatile-default',
            reason: `${verdict.fn}() is volatile: it is evaluated for every existing row, rewriting the table`,
            constraint: con,
          });
        } else if (verdict.volatility === 'unknown') {
          out.push({ kind: 'unknown-default', reason: `the volatility of ${verdict.fn}() is not known: assumed volatile (table rewrite)`, constraint: con });
        }
        break;
      }
      case 'CONSTR_IDENTITY':
        out.push({ kind: 'identity', reason: 'an identity column fills every existing row: the table is rewritten', constraint: con });
        break;
      case 'CONSTR_GENERATED':
        // PostgreSQL 18's VIRTUAL generated columns are computed on read: nothing is written.
        if (con.generated_kind === 'v') break;
        out.push({ kind: 'generated', reason: 'a stored generated column is computed for every existing row: the table is rewritten', constraint: con });
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * The column gets a value in existing rows (a DEFAULT clause, even DEFAULT NULL, or serial): an
 * inline REFERENCES is then validated by a scan. Without one the column is NULL everywhere and
 * PostgreSQL marks the key valid without reading a row (measured, PostgreSQL 15; identity too).
 */
export function validatesInlineForeignKey(col: T.ColumnDef): boolean {
  return isSerialType(typeToString(col.typeName)) || constraintsOf(col).some((c) => c.contype === 'CONSTR_DEFAULT');
}

/** Existing rows get a non-NULL value in the new column: a non-NULL default, or a column that fills itself. */
export function fillsExistingRows(col: T.ColumnDef): boolean {
  if (isSerialType(typeToString(col.typeName))) return true;
  return constraintsOf(col).some(
    (c) => c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED' || (c.contype === 'CONSTR_DEFAULT' && !asAConst(c.raw_expr)?.isnull),
  );
}

function constraintsOf(col: T.ColumnDef): T.Constraint[] {
  return (col.constraints ?? []).map(asConstraint).filter((c): c is T.Constraint => !!c);
}

/** The schema ADD_COLUMN_FORMS run on: t and ref both hold rows. */
export const ADD_COLUMN_SETUP = `CREATE TABLE ref (id int PRIMARY KEY);
INSERT INTO ref SELECT g FROM generate_series(1, 50) g;
CREATE TABLE t (id int, a int);
INSERT INTO t SELECT g, g FROM generate_series(1, 50) g;`;

/** What `ALTER TABLE t ADD COLUMN <column>` does on a table with rows, measured on PostgreSQL 15. */
export interface AddColumnForm {
  /** The column definition. */
  column: string;
  /** t is read in full: a validation, a NOT NULL check, an index build or a rewrite. */
  scan: boolean;
  rewrite: boolean;
  /** The lock on ref, the referenced table (undefined: not locked). */
  referenced?: 'SHARE ROW EXCLUSIVE';
  /** The index built, locked ACCESS EXCLUSIVE like t for the whole build. */
  index?: string;
  /** The form fails on a table with rows, with this error. */
  fails?: string;
  /** A variant that existing rows violate, and its error: proof that the rows are checked. */
  violated?: { column: string; error: string };
  /** A variant that existing rows violate and that succeeds: proof that they are not checked. */
  unchecked?: string;
  /** Why, in words (docs/locks.md). */
  why: string;
}

/**
 * Constraints written inline in ADD COLUMN, one form each (docs/locks.md): pinned by
 * test/engine/addColumnConstraints.engine.test.ts on a real PostgreSQL server, model and rules alike.
 */
export const ADD_COLUMN_FORMS: AddColumnForm[] = [
  { column: 'x int', scan: false, rewrite: false, why: 'a catalog change' },
  { column: 'x int DEFAULT 7', scan: false, rewrite: false, why: 'a non-volatile default is stored once (PostgreSQL 11+)' },
  { column: 'x int NOT NULL DEFAULT 0', scan: false, rewrite: false, why: 'the stored default proves NOT NULL: no row is read' },
  {
    column: 'x int NOT NULL',
    scan: true,
    rewrite: false,
    fails: 'column "x" of relation "t" contains null values',
    why: 'existing rows are read for NULLs, and every one is NULL',
  },
  {
    column: 'x int CHECK (x > 0)',
    scan: true,
    rewrite: false,
    violated: { column: 'x int CHECK (a > 10)', error: 'check constraint "t_a_check" of relation "t" is violated by some row' },
    why: 'every row is checked, even with the new column NULL in all of them',
  },
  {
    column: 'x int DEFAULT 1 CHECK (x > 0)',
    scan: true,
    rewrite: false,
    violated: { column: 'x int DEFAULT 0 CHECK (x > 0)', error: 'check constraint "t_x_check" of relation "t" is violated by some row' },
    why: 'every row is checked with the default in place',
  },
  {
    column: 'x int REFERENCES ref',
    scan: false,
    rewrite: false,
    referenced: 'SHARE ROW EXCLUSIVE',
    why: 'no DEFAULT: the column is NULL everywhere and the key is marked valid unread',
  },
  {
    column: 'x int DEFAULT 1 REFERENCES ref',
    scan: true,
    rewrite: false,
    referenced: 'SHARE ROW EXCLUSIVE',
    violated: { column: 'x int DEFAULT 1000 REFERENCES ref', error: 'violates foreign key constraint "t_x_fkey"' },
    why: 'a DEFAULT clause makes the key validated: every row is checked against ref',
  },
  {
    column: 'x int DEFAULT NULL REFERENCES ref',
    scan: true,
    rewrite: false,
    referenced: 'SHARE ROW EXCLUSIVE',
    why: 'any DEFAULT clause, even NULL, makes the key validated',
  },
  {
    column: 'x serial REFERENCES ref',
    scan: true,
    rewrite: true,
    referenced: 'SHARE ROW EXCLUSIVE',
    why: "serial's default fills every row (rewrite), then the key is validated",
  },
  {
    column: 'x int GENERATED BY DEFAULT AS IDENTITY REFERENCES ref',
    scan: true,
    rewrite: true,
    referenced: 'SHARE ROW EXCLUSIVE',
    unchecked: 'x int GENERATED BY DEFAULT AS IDENTITY (START WITH 1000) REFERENCES ref',
    why: 'the identity fills every row (rewrite); the key is marked valid without checking them (no DEFAULT clause)',
  },
  {
    column: 'x int UNIQUE',
    scan: true,
    rewrite: false,
    index: 't_x_key',
    violated: { column: 'x int DEFAULT 1 UNIQUE', error: 'could not create unique index "t_x_key"' },
    why: 'the unique index is built from every row',
  },
  {
    column: 'x int PRIMARY KEY',
    scan: true,
    rewrite: false,
    index: 't_pkey',
    fails: 'column "x" of relation "t" contains null values',
    why: 'a primary key implies NOT NULL, and every existing row is NULL',
  },
  {
    column: 'x bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY',
    scan: true,
    rewrite: true,
    index: 't_pkey',
    why: 'the identity fills every row (rewrite), then the index is built',
  },
  { column: 'x int GENERATED ALWAYS AS (a * 2) STORED', scan: true, rewrite: true, why: 'computed and written for every row' },
  { column: 'x int GENERATED ALWAYS AS IDENTITY', scan: true, rewrite: true, why: 'a sequence value written into every row' },
];
