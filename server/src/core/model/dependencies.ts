/**
 * What depends on a relation in the catalog, as DROP ... CASCADE follows it: the views and
 * materialized views whose queries read it (directly or through each other), and the tables whose
 * foreign keys reference it; the tables whose triggers execute a function. Pinned on a real server in test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from './catalog';
import { Node, nameList, T } from '../parse/ast';

/** Views and materialized views that read one of `roots`, directly or through other views, nearest first. */
export function dependentViews(catalog: Catalog, roots: Iterable<string>): string[] {
  const readers = new Map<string, string[]>();
  for (const rel of catalog.relations.values()) {
    if (rel.kind !== 'view' && rel.kind !== 'matview') continue;
    for (const src of rel.sources) readers.set(src, [...(readers.get(src) ?? []), rel.name]);
  }
  const seen = new Set(roots);
  const queue = [...seen];
  const out: string[] = [];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const reader of readers.get(next) ?? []) {
      if (seen.has(reader)) continue;
      seen.add(reader);
      out.push(reader);
      queue.push(reader);
    }
  }
  return out;
}

/** Tables other than `table` whose foreign keys reference it (each once). */
export function referencingTables(catalog: Catalog, table: string): string[] {
  return [...new Set(catalog.referencing(table))].filter((t) => t !== table);
}

/** Tables with a trigger that executes one of `functions`. */
export function tablesWithTriggersOn(catalog: Catalog, functions: string[]): string[] {
  return [...catalog.relations.values()].filter((r) => r.triggers?.some((t) => functions.includes(t.function))).map((r) => r.name);
}

/**
 * The relations DML on a view writes when PostgreSQL updates it automatically (a view over one
 * relation): that relation, and on down through a view of a view. Empty for a table, or a view of
 * several relations (only INSTEAD OF triggers or rules can write through it).
 */
export function updatableViewBase(catalog: Catalog, name: string): string[] {
  const out: string[] = [];
  for (let rel = catalog.relation(name); rel?.kind === 'view' && rel.sources.length === 1 && !out.includes(rel.sources[0]);) {
    out.push(rel.sources[0]);
    rel = catalog.relation(rel.sources[0]);
  }
  return out;
}

/** The column names a query names, with '*' when it selects all columns of a relation (`*`, `t.*`). */
export function columnsRead(query: Node | undefined): string[] {
  return [...queryReads(query).columns];
}

/** What a view's or a CREATE TABLE AS query reads, independent of the catalog. */
export interface QueryReads {
  /** Every RangeVar of the query, in `findAll` order (a CTE's name among them too). */
  readonly rangeVars: readonly T.RangeVar[];
  /** The names of the query's common table expressions. */
  readonly ctes: ReadonlySet<string | undefined>;
  /** `columnsRead`'s answer. */
  readonly columns: readonly string[];
}

const NO_READS: QueryReads = { rangeVars: [], ctes: new Set(), columns: [] };
/**
 * Per parsed query. The parse cache hands the same tree to the lock model, the file's catalog and
 * the next file's history replay, and a view's query was walked four times for each of them (the
 * largest source of garbage in a long history of views).
 */
const readsMemo = new WeakMap<object, QueryReads>();

/** The RangeVars, CTE names and column names of a query: one walk, in the order `findAll` gives them. */
export function queryReads(query: Node | undefined): QueryReads {
  if (!query || typeof query !== 'object') return NO_READS;
  let reads = readsMemo.get(query);
  if (!reads) readsMemo.set(query, (reads = walkReads(query)));
  return reads;
}

/** A property value `walkReads` collects: emitted when popped, as `findAll` emits. */
class Hit {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {}
}

const READ_KEYS = new Set(['RangeVar', 'CommonTableExpr', 'ColumnRef', 'A_Star']);

/** `findAll` for four keys at once (same frames, same order); `for...in` allocates no key array per node. */
function walkReads(root: object): QueryReads {
  const rangeVars: T.RangeVar[] = [];
  const ctes = new Set<string | undefined>();
  const names: string[] = [];
  let star = false;
  const stack: unknown[] = [root];
  while (stack.length) {
    const item = stack.pop();
    if (item instanceof Hit) {
      if (item.key === 'RangeVar') rangeVars.push(item.value as T.RangeVar);
      else if (item.key === 'CommonTableExpr') ctes.add((item.value as T.CommonTableExpr).ctename);
      else if (item.key === 'ColumnRef') names.push(nameList((item.value as T.ColumnRef).fields).pop() ?? '');
      else star = true;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (item && typeof item === 'object') {
      // Pushed in key order (a match's Hit before its value), then reversed: the first key pops first.
      const from = stack.length;
      const record = item as Record<string, unknown>;
      for (const key in record) {
        const v = record[key];
        if (READ_KEYS.has(key)) stack.push(new Hit(key, v));
        if (v !== null && typeof v === 'object') stack.push(v);
      }
      reverseFrom(stack, from);
    }
  }
  const columns = [...new Set([...names.filter(Boolean), ...(star ? ['*'] : [])])];
  return { rangeVars, ctes, columns };
}

function reverseFrom(stack: unknown[], from: number): void {
  for (let i = from, j = stack.length - 1; i < j; i++, j--) {
    const t = stack[i];
    stack[i] = stack[j];
    stack[j] = t;
  }
}

/**
 * What ALTER TABLE ... DROP COLUMN ... CASCADE drops besides the column: the views and materialized
 * views over the table that name the column (or select `*`: PostgreSQL expands it to every column
 * when the view is made), and the views over those. A column of that name of another relation in
 * the same query counts too: more views, never fewer.
 */
export function columnDependentViews(catalog: Catalog, table: string, column: string): string[] {
  const direct = [...catalog.relations.values()]
    .filter((r) => (r.kind === 'view' || r.kind === 'matview') && r.sources.includes(table))
    .filter((r) => r.columnsRead?.includes(column) || r.columnsRead?.includes('*'))
    .map((r) => r.name);
  return direct.length ? [...direct, ...dependentViews(catalog, direct).filter((v) => !direct.includes(v))] : [];
}
