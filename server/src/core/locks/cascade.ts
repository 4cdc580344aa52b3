/**
 * DROP ... CASCADE: every object dropped with the named ones is locked ACCESS EXCLUSIVE, as the named
 * ones are (PostgreSQL's findDependentObjects takes the deletion lock on each): the views and
 * materialized views that read them, with the materialized views' indexes, and the tables whose
 * foreign keys reference a dropped table (the constraint goes); DROP FUNCTION ... CASCADE drops the
 * triggers that execute the function, under ACCESS EXCLUSIVE on their tables. Pinned on a real server in
 * test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from '../model/catalog';
import { dependentViews, referencingTables, tablesWithTriggersOn } from '../model/dependencies';
import type { LockSink } from './model';

const DROPS_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW']);

/** The locks on what DROP <removeType> <names> CASCADE drops besides the named objects. */
export function dropCascadeLocks(sink: LockSink, catalog: Catalog, removeType: string | undefined, names: string[]): void {
  if (removeType === 'OBJECT_FUNCTION') {
    for (const table of tablesWithTriggersOn(catalog, names)) sink.lock(table, 'ACCESS EXCLUSIVE', 'dependent');
    return;
  }
  if (!DROPS_RELATIONS.has(removeType ?? '')) return;
  for (const view of dependentViews(catalog, names)) {
    sink.lock(view, 'ACCESS EXCLUSIVE', 'dependent');
    for (const idx of catalog.indexesOf(view)) sink.lock(idx.name, 'ACCESS EXCLUSIVE', 'dependent_index');
  }
  if (removeType !== 'OBJECT_TABLE') return;
  for (const table of names) for (const other of referencingTables(catalog, table)) sink.lock(other, 'ACCESS EXCLUSIVE', 'referencing');
}
