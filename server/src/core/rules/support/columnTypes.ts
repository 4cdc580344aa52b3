/**
 * Column definitions with their declared types, for the type-preference rules: CREATE TABLE
 * columns, ALTER TABLE ... ADD COLUMN and ALTER COLUMN ... TYPE. New tables are included: the
 * type choice matters most when the table is created.
 */
import type { Catalog } from '../../model/catalog';
import { shown } from './messages';
import { T, as, asAlterTableCmd, asColumnDef, asConstraint, nameList } from '../../parse/ast';
import { ReportedFinding, StatementContext } from '../types';
import { headSpan, typeSpan } from './spans';
import { StateKey } from './state';

export interface DeclaredColumn {
  table: string;
  column: string;
  typeName: T.TypeName;
  /** Last part of the type's name as the parser gives it: int4, int2, serial, varchar, bpchar, timestamp, ... */
  base: string;
  /** Written as a built-in (pg_catalog) type, e.g. `char(3)` rather than the internal `"char"`. */
  builtin: boolean;
  /** Length/precision modifiers, e.g. [50] for varchar(50). */
  mods: number[];
  isArray: boolean;
  /** Primary key, identity, serial, or named `id` / `*_id`. */
  idLike: boolean;
  how: 'create' | 'add' | 'alter';
  /**
   * The type of the column a foreign key on this column references, when known (`int4`, `serial`,
   * ...): the column must keep that type, so a key-size advice belongs to the referenced key.
   */
  referencedType?: string;
}

/** Integer widths of the key types, for comparing a foreign-key column with the key it references. */
export const INTEGER_BITS: Record<string, number> = {
  int2: 16,
  smallserial: 16,
  serial2: 16,
  int4: 32,
  serial: 32,
  serial4: 32,
  int8: 64,
  bigserial: 64,
  serial8: 64,
};

/** True when the column references a key of the same integer width it is declared with: it must match it. */
export function matchesReferencedKey(c: DeclaredColumn): boolean {
  return c.referencedType !== undefined && INTEGER_BITS[c.referencedType] === INTEGER_BITS[c.base];
}

export const SERIALS: Record<string, string> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

// A memo of the current statement's columns: never read for a later statement.
const MEMO = new StateKey<{ statement?: StatementContext['statement']; columns: DeclaredColumn[] }>(() => ({ columns: [] }), {
  atBoundary: () => ({ columns: [] }),
  memo: true,
});

/**
 * The statement's declared columns, computed once per statement: six type rules ask for them in
 * turn, with the same statement and catalog (rules do not change the catalog). Callers must not
 * modify the array.
 */
export function declaredColumns(ctx: StatementContext): readonly DeclaredColumn[] {
  const memo = ctx.file.state.get(MEMO);
  if (memo.statement === ctx.statement) return memo.columns;
  const columns = computeDeclaredColumns(ctx);
  ctx.file.state.set(MEMO, { statement: ctx.statement, columns });
  return columns;
}

function computeDeclaredColumns(ctx: StatementContext): DeclaredColumn[] {
  const out: DeclaredColumn[] = [];
  const create = as(ctx.statement.node, 'CreateStmt');
  if (create) {
    const table = ctx.catalog.newKey(create.relation) ?? '';
    const pk = new Set<string>();
    const own = new Map<string, string>();
    const fks: ForeignKeyRef[] = [];
    for (const elt of create.tableElts ?? []) {
      const con = asConstraint(elt);
      if (con?.contype === 'CONSTR_PRIMARY') for (const k of nameList(con.keys)) pk.add(k);
      if (con?.contype === 'CONSTR_FOREIGN') fks.push(...foreignKeyRefs(ctx.catalog, con, nameList(con.fk_attrs)));
      const col = asColumnDef(elt);
      if (col?.colname && col.typeName) own.set(col.colname, typeBase(col.typeName));
      for (const c of (col?.constraints ?? []).map(asConstraint))
        if (c?.contype === 'CONSTR_FOREIGN' && col?.colname) fks.push(...foreignKeyRefs(ctx.catalog, c, [col.colname]));
      if (col?.colname && col.constraints?.some((c) => asConstraint(c)?.contype === 'CONSTR_PRIMARY')) pk.add(col.colname);
    }
    // A self-reference reads the types and key of the table being created.
    const lookup = (ref: ForeignKeyRef) => (ref.table === table ? own.get(ref.column ?? [...pk][0] ?? '') : referencedType(ctx, ref));
    for (const elt of create.tableElts ?? []) {
      const col = asColumnDef(elt);
      if (!col?.colname || !col.typeName) continue;
      const ref = fks.find((f) => f.fkColumn === col.colname);
      out.push({ ...describe(table, col.colname, col.typeName, col, pk.has(col.colname), 'create'), referencedType: ref && lookup(ref) });
    }
    return out;
  }
  const alter = as(ctx.statement.node, 'AlterTableStmt');
  if (!alter || alter.objtype !== 'OBJECT_TABLE') return out;
  const table = ctx.catalog.key(alter.relation) ?? '';
  const rel = ctx.catalog.relation(table);
  for (const c of alter.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    const col = asColumnDef(cmd?.def);
    if (!cmd || !col?.typeName) continue;
    if (cmd.subtype === 'AT_AddColumn' && col.colname) {
      const fk = (col.constraints ?? []).map(asConstraint).find((c) => c?.contype === 'CONSTR_FOREIGN');
      const ref = fk ? foreignKeyRefs(ctx.catalog, fk, [col.colname])[0] : addedForeignKeys(ctx.catalog, alter).find((f) => f.fkColumn === col.colname);
      out.push({ ...describe(table, col.colname, col.typeName, col, false, 'add'), referencedType: ref && referencedType(ctx, ref) });
    } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
      const pk = [...(rel?.constraints.values() ?? [])].some((k) => k.type === 'primary' && k.columns.includes(cmd.name!));
      out.push(describe(table, cmd.name, col.typeName, undefined, pk, 'alter'));
    }
  }
  return out;
}

interface ForeignKeyRef {
  fkColumn: string;
  table?: string;
  /** Undefined: the referenced table's primary key. */
  column?: string;
}

function foreignKeyRefs(catalog: Catalog, con: T.Constraint, columns: string[]): ForeignKeyRef[] {
  const pkCols = nameList(con.pk_attrs);
  return columns.map((fkColumn, i) => ({ fkColumn, table: catalog.key(con.pktable), column: pkCols[i] }));
}

/** Foreign keys `ADD CONSTRAINT ... FOREIGN KEY` of the same ALTER TABLE adds. */
function addedForeignKeys(catalog: Catalog, alter: T.AlterTableStmt): ForeignKeyRef[] {
  const out: ForeignKeyRef[] = [];
  for (const c of alter.cmds ?? []) {
    const con = asConstraint(asAlterTableCmd(c)?.def);
    if (con?.contype === 'CONSTR_FOREIGN') out.push(...foreignKeyRefs(catalog, con, nameList(con.fk_attrs)));
  }
  return out;
}

/** The referenced column's type from the catalog (its primary key's when no column is written). */
function referencedType(ctx: StatementContext, ref: ForeignKeyRef): string | undefined {
  const rel = ctx.catalog.relation(ref.table);
  const column = ref.column ?? ctx.catalog.constraintsOf(ref.table).find((k) => k.type === 'primary')?.columns[0];
  const type = column ? rel?.columns.get(column)?.type : undefined;
  return type?.replace(/^pg_catalog\./, '');
}

function typeBase(typeName: T.TypeName): string {
  const names = nameList(typeName.names);
  return names[names.length - 1] ?? '';
}

function describe(table: string, column: string, typeName: T.TypeName, col: T.ColumnDef | undefined, pk: boolean, how: DeclaredColumn['how']): DeclaredColumn {
  const names = nameList(typeName.names);
  const base = typeBase(typeName);
  const builtin = names.length > 1 ? names[0] === 'pg_catalog' : base !== 'char';
  const mods = (typeName.typmods ?? []).map((m) => as(m, 'A_Const')?.ival?.ival).filter((v): v is number => typeof v === 'number');
  const constraints = (col?.constraints ?? []).map(asConstraint);
  const keyConstraint = constraints.some((c) => c?.contype === 'CONSTR_PRIMARY' || c?.contype === 'CONSTR_IDENTITY');
  const isArray = (typeName.arrayBounds ?? []).length > 0;
  const idLike = !isArray && (pk || keyConstraint || base in SERIALS || column === 'id' || column.endsWith('_id'));
  return { table, column, typeName, base, builtin, mods, isArray, idLike, how };
}

/** Reports each declared column matching `test` with a squiggle on its type name. */
export function reportColumnTypes(
  ctx: StatementContext,
  report: (f: ReportedFinding) => void,
  test: (c: DeclaredColumn) => boolean,
  message: (c: DeclaredColumn, typeText: string) => Pick<ReportedFinding, 'message' | 'help' | 'notes'>,
): void {
  for (const c of declaredColumns(ctx)) {
    if (!test(c)) continue;
    const span = typeSpan(ctx.file, ctx.statement, c.typeName) ?? headSpan(ctx.file, ctx.statement);
    report({ statement: ctx.statement.index, span, ...message(c, shown(ctx.file.text.slice(span.start, span.end), 40)) });
  }
}
