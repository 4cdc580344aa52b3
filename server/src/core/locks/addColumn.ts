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
