/**
 * Column definitions with their declared types, for the type-preference rules: CREATE TABLE
 * columns, ALTER TABLE ... ADD COLUMN and ALTER COLUMN ... TYPE. New tables are included: the
 * type choice matters most when the table is created.
 */
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
}

export const SERIALS: Record<string, string> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

const MEMO = new StateKey<{ statement?: StatementContext['statement']; columns: DeclaredColumn[] }>(() => ({ columns: [] }));

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
    const table = create.relation?.relname ?? '';
    const pk = new Set<string>();
    for (const elt of create.tableElts ?? []) {
      const con = asConstraint(elt);
      if (con?.contype === 'CONSTR_PRIMARY') for (const k of nameList(con.keys)) pk.add(k);
    }
    for (const elt of create.tableElts ?? []) {
      const col = asColumnDef(elt);
      if (col?.colname && col.typeName) out.push(describe(table, col.colname, col.typeName, col, pk.has(col.colname), 'create'));
    }
    return out;
  }
  const alter = as(ctx.statement.node, 'AlterTableStmt');
  if (!alter || alter.objtype !== 'OBJECT_TABLE') return out;
  const table = alter.relation?.relname ?? '';
  const rel = ctx.catalog.relation(table);
  for (const c of alter.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    const col = asColumnDef(cmd?.def);
    if (!cmd || !col?.typeName) continue;
    if (cmd.subtype === 'AT_AddColumn' && col.colname) out.push(describe(table, col.colname, col.typeName, col, false, 'add'));
    else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
      const pk = [...(rel?.constraints.values() ?? [])].some((k) => k.type === 'primary' && k.columns.includes(cmd.name!));
      out.push(describe(table, cmd.name, col.typeName, undefined, pk, 'alter'));
    }
  }
  return out;
}

function describe(table: string, column: string, typeName: T.TypeName, col: T.ColumnDef | undefined, pk: boolean, how: DeclaredColumn['how']): DeclaredColumn {
  const names = nameList(typeName.names);
  const base = names[names.length - 1] ?? '';
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
