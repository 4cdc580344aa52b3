/**
 * Small typed accessors over libpg_query's JSON AST. Nodes are single-key objects
 * (`{ ColumnRef: {...} }`); these helpers unwrap them without `any`.
 */
import type * as T from '@pgsql/types';

export type Node = T.Node;
export type { T };

/** The one key of a wrapped node, e.g. 'AlterTableStmt'. */
export function nodeKind(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  for (const key in node) return key;
  return undefined;
}

/** Every node kind, e.g. 'AlterTableStmt'. */
export type NodeKind = Node extends infer N ? (N extends unknown ? keyof N : never) : never;

/** The body of a node of kind `K`, e.g. `T.AlterTableStmt` for 'AlterTableStmt'. */
export type NodeBody<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];

/** Unwraps `{ [kind]: body }` when the node is of that kind: `as(node, 'IndexStmt')` is a `T.IndexStmt`. */
export function as<K extends NodeKind>(node: Node | undefined, kind: K): NodeBody<K> | undefined {
  if (!node) return undefined;
  const record = node as unknown as Record<string, unknown>;
  return record[kind] as NodeBody<K> | undefined;
}

export const asConstraint = (n: Node | undefined) => as(n, 'Constraint');
export const asColumnDef = (n: Node | undefined) => as(n, 'ColumnDef');
export const asAlterTableCmd = (n: Node | undefined) => as(n, 'AlterTableCmd');
export const asString = (n: Node | undefined) => as(n, 'String')?.sval;
export const asAConst = (n: Node | undefined) => as(n, 'A_Const');
export const asRangeVar = (n: Node | undefined) => as(n, 'RangeVar');
export const asIndexElem = (n: Node | undefined) => as(n, 'IndexElem');
export const asDefElem = (n: Node | undefined) => as(n, 'DefElem');

/** Strings of a name list such as `['public', 'users']`. */
export function nameList(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => asString(n) ?? '').filter((s) => s !== '');
}

/** A constant's value as text (integers and strings; undefined for anything else). */
export function constValue(n: Node | undefined): string | number | boolean | undefined {
  const c = asAConst(n);
  if (!c) {
    const typecast = as(n, 'TypeCast');
    if (typecast) return constValue(typecast.arg);
    return undefined;
  }
  if (c.isnull) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.sval) return c.sval.sval ?? '';
  if (c.fval) return Number(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ?? false;
  // An A_Const with an empty ival object is the integer 0.
  if ('ival' in c) return 0;
  return undefined;
}

/**
 * Every descendant object that has `key` (depth-first, pre-order), e.g. all FuncCall nodes in an
 * expression. Iterative: a parse tree can be thousands of levels deep (`SELECT 1 UNION SELECT 1 ...`,
 * nested CASE or subqueries) and recursion would overflow the stack.
 */
export function findAll<V>(root: unknown, key: string, out: V[] = []): V[] {
  // Frames: a value to walk, or (boxed) a match to emit, so the output order is the recursive one.
  const stack: unknown[] = [root];
  while (stack.length) {
    const item = stack.pop();
    if (item instanceof Emit) {
      out.push(item.value as V);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (item && typeof item === 'object') {
      // Object.keys, not Object.entries: no [key, value] pair per property (this walk was GC-heavy).
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) {
        const v = record[keys[i]];
        // Leaves (strings, numbers) have nothing below them: only objects and arrays are walked.
        if (v !== null && typeof v === 'object') stack.push(v);
        if (keys[i] === key) stack.push(new Emit(v));
      }
    }
  }
  return out;
}

class Emit {
  constructor(readonly value: unknown) {}
}

/** Normalises a type name to PostgreSQL's canonical spelling: `varchar(50)`, `int4`, `text[]`. */
export function typeToString(t: T.TypeName | undefined): string {
  if (!t) return '';
  const names = nameList(t.names).filter((n) => n !== 'pg_catalog');
  let base = names.join('.');
  base = TYPE_ALIASES[base] ?? base;
  const mods = (t.typmods ?? []).map((m) => constValue(m)).filter((v) => v !== undefined);
  let out = mods.length ? `${base}(${mods.join(',')})` : base;
  if (t.arrayBounds?.length) out += '[]'.repeat(t.arrayBounds.length);
  return out;
}

const TYPE_ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  serial: 'serial4',
  bigserial: 'serial8',
  smallserial: 'serial2',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  real: 'float4',
  'double precision': 'float8',
  float: 'float8',
  boolean: 'bool',
  decimal: 'numeric',
  timestamp: 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time with time zone': 'timetz',
};
