/**
 * DROP ... CASCADE: every object dropped with the named ones is locked ACCESS EXCLUSIVE, as the named
 * ones are (PostgreSQL's findDependentObjects takes the deletion lock on each): the views and
 * materialized views that read them, with the materialized views' indexes, and the tables whose
 * foreign keys reference a dropped table (the constraint goes); DROP FUNCTION ... CASCADE drops the
 * triggers that execute the function, under ACCESS EXCLUSIVE on their tables. Pinned on a real server in
 * test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from '../model/catalog';
import { columnDependentViews, dependentViews, referencingTables, tablesWithTriggersOn } from '../model/dependencies';
import type { LockSink } from './model';

const DROPS_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW']);

/** The locks on what DROP <removeType> <names> CASCADE drops besides the named objects. */
export function dropCascadeLocks(sink: LockSink, catalog: Catalog, removeType: string | undefined, names: string[]): void {
  if (removeType === 'OBJECT_FUNCTION') {
    for (const table of tablesWithTriggersOn(catalog, names)) sink.lock(table, 'ACCESS EXCLUSIVE', 'dependent');
    return;
  }
  if (!DROPS_RELATIONS.has(removeType ?? '')) return;
  lockViews(sink, catalog, dependentViews(catalog, names));
  if (removeType !== 'OBJECT_TABLE') return;
  for (const table of names) for (const other of referencingTables(catalog, table)) sink.lock(other, 'ACCESS EXCLUSIVE', 'referencing');
}

/** ALTER TABLE ... DROP COLUMN ... CASCADE: the views that read the column go, ACCESS EXCLUSIVE. */
export function dropColumnCascadeLocks(sink: LockSink, catalog: Catalog, table: string, column: string): void {
  lockViews(sink, catalog, columnDependentViews(catalog, table, column));
}

function lockViews(sink: LockSink, catalog: Catalog, views: string[]): void {
  for (const view of views) {
    sink.lock(view, 'ACCESS EXCLUSIVE', 'dependent');
    for (const idx of catalog.indexesOf(view)) sink.lock(idx.name, 'ACCESS EXCLUSIVE', 'dependent_index');
  }
}
