/**
 * What depends on a relation in the catalog, as DROP ... CASCADE follows it: the views and
 * materialized views whose queries read it (directly or through each other), and the tables whose
 * foreign keys reference it; the tables whose triggers execute a function. Pinned on a real server in test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from './catalog';
import { Node, findAll, nameList, T } from '../parse/ast';

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
  const names = findAll<T.ColumnRef>(query, 'ColumnRef').map((r) => nameList(r.fields).pop() ?? '');
  const star = findAll(query, 'A_Star').length > 0;
  return [...new Set([...names.filter(Boolean), ...(star ? ['*'] : [])])];
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
