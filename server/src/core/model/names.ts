/**
 * The names PostgreSQL gives objects created without one (indexes, constraints), following
 * ChooseRelationName / ChooseConstraintName / ChooseIndexColumnNames / FigureColname of its source,
 * so that the catalog finds them when a later statement names them.
 */
import { Node, T, as, findAll, nameList, nodeKind } from '../parse/ast';

const MAX_IDENTIFIER_BYTES = 63;

/**
 * PostgreSQL's makeObjectName: `<table>_<col>[_<col>...]_<suffix>`, shortening the longer of the
 * table and column parts until the whole fits in 63 bytes.
 */
export function defaultConstraintName(table: string, columns: string[], suffix: string): string {
  let name1 = table;
  let name2 = nameAddition(columns);
  const overhead = suffix.length + 1 + (name2 ? 1 : 0);
  while (Buffer.byteLength(name1) + Buffer.byteLength(name2) + overhead > MAX_IDENTIFIER_BYTES) {
    if (Buffer.byteLength(name1) > Buffer.byteLength(name2)) name1 = name1.slice(0, -1);
    else name2 = name2.slice(0, -1);
  }
  return name2 ? `${name1}_${name2}_${suffix}` : `${name1}_${suffix}`;
}

/**
 * ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: the column names joined by `_`,
 * stopping once the text reaches 64 bytes (makeObjectName shortens it further).
 */
function nameAddition(columns: string[]): string {
  let out = '';
  for (const column of columns) {
    out = out ? `${out}_${column}` : column;
    if (Buffer.byteLength(out) >= MAX_IDENTIFIER_BYTES + 1) break;
  }
  return out;
}

export const defaultIndexName = defaultConstraintName;

/**
 * PostgreSQL's ChooseConstraintName / ChooseRelationName: the default name, then the label with 1,
 * 2, ... appended while `taken` says the name is in use.
 */
export function chooseName(table: string, columns: string[], label: string, taken: (name: string) => boolean): string {
  let name = defaultConstraintName(table, columns, label);
  for (let pass = 1; taken(name) && pass < 1000; pass++) name = defaultConstraintName(table, columns, `${label}${pass}`);
  return name;
}

/** Column names referenced in an expression. */
export function columnRefs(expr: Node | undefined): string[] {
  const refs = findAll<T.ColumnRef>(expr, 'ColumnRef');
  const out: string[] = [];
  for (const r of refs) {
    const fields = nameList(r.fields);
    const last = fields[fields.length - 1];
    if (last && !out.includes(last)) out.push(last);
  }
  return out;
}

/**
 * The column part of an unnamed CHECK's name: PostgreSQL writes `<table>_<col>_check` when the
 * expression uses exactly one column and `<table>_check` otherwise (column or table constraint alike).
 */
export function checkNameColumns(expr: Node | undefined): string[] {
  const refs = columnRefs(expr);
  return refs.length === 1 ? refs : [];
}

/** Names FigureColname gives an expression by its node kind alone (parse_target.c). */
const FIXED_COLNAMES: Record<string, string> = {
  CoalesceExpr: 'coalesce',
  A_ArrayExpr: 'array',
  RowExpr: 'row',
  GroupingFunc: 'grouping',
};

/**
 * PostgreSQL's FigureColname for an index expression: the function's name for `lower(email)`, the
 * column for `(email::text)`, `coalesce`, `greatest`, `nullif`, ...; undefined where PostgreSQL
 * finds none (an operator such as `(a + b)`), which makes the index name's part `expr`.
 */
export function figureColname(expr: Node | undefined): string | undefined {
  return figure(expr)?.name;
}

/** FigureColnameInternal: a name and its strength (2 sure, 1 a fallback such as a cast's type or `case`). */
function figure(expr: Node | undefined): { name: string; strength: 1 | 2 } | undefined {
  const kind = nodeKind(expr) ?? '';
  if (FIXED_COLNAMES[kind]) return { name: FIXED_COLNAMES[kind], strength: 2 };
  switch (kind) {
    case 'ColumnRef': {
      const fields = nameList(as(expr, 'ColumnRef')!.fields);
      return fields.length ? { name: fields[fields.length - 1], strength: 2 } : undefined;
    }
    case 'FuncCall': {
      const fn = nameList(as(expr, 'FuncCall')!.funcname);
      return { name: fn[fn.length - 1], strength: 2 };
    }
    case 'TypeCast': {
      const cast = as(expr, 'TypeCast')!;
      const inner = figure(cast.arg);
      if (inner) return inner;
      const type = nameList(cast.typeName?.names);
      return type.length ? { name: type[type.length - 1], strength: 1 } : undefined;
    }
    case 'CollateClause':
      return figure(as(expr, 'CollateClause')!.arg);
    case 'A_Expr':
      return as(expr, 'A_Expr')!.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : undefined;
    case 'MinMaxExpr':
      return { name: as(expr, 'MinMaxExpr')!.op === 'IS_GREATEST' ? 'greatest' : 'least', strength: 2 };
    case 'CaseExpr': {
      const result = figure(as(expr, 'CaseExpr')!.defresult);
      return result && result.strength > 1 ? result : { name: 'case', strength: 1 };
    }
    default:
      return undefined;
  }
}

/**
 * PostgreSQL's ChooseIndexColumnNames: one name per index column (keys, then INCLUDE), a column's
 * own name or its expression's FigureColname, `expr` when there is none.
 */
export function indexColumnNames(elems: (T.IndexElem | undefined)[]): string[] {
  const out: string[] = [];
  for (const e of elems) {
    const name = e?.indexcolname ?? e?.name ?? figureColname(e?.expr) ?? 'expr';
    // A name already in the list gets 1, 2, ... appended (`lower`, `lower1`).
    let unique = name;
    for (let i = 1; out.includes(unique); i++) unique = `${name}${i}`;
    out.push(unique);
  }
  return out;
}
