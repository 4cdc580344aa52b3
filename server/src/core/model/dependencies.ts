/**
 * What depends on a relation in the catalog, as DROP ... CASCADE follows it: the views and
 * materialized views whose queries read it (directly or through each other), and the tables whose
 * foreign keys reference it; the tables whose triggers execute a function. Pinned on a real server in test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from './catalog';

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
