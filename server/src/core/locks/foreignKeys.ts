/**
 * What the foreign keys of the tables a DML statement writes do, row by row (PostgreSQL's RI
 * triggers, which run a query per changed row and so lock only when a row changes):
 * - a row that sets a foreign key column is checked against the referenced table: ROW SHARE there
 *   (SELECT ... FOR KEY SHARE);
 * - a row deleted from a referenced table, or an UPDATE of its referenced key, is checked against
 *   every referencing table: ROW SHARE for NO ACTION and RESTRICT (the check's FOR KEY SHARE),
 *   ROW EXCLUSIVE for CASCADE, SET NULL and SET DEFAULT (their DELETE or UPDATE), and through a
 *   cascade on to the tables that reference those.
 * Measured on PostgreSQL 15 in test/engine/lockReach.engine.test.ts; an UPDATE that leaves the key
 * unchanged locks nothing more.
 */
import type { Catalog, ConstraintInfo } from '../model/catalog';
import type { TriggerEvent } from '../model/routines';
import type { LockSink } from './model';

/** Rows a statement (or a cascade) writes into one table. */
export interface RowWrite {
  table: string;
  event: TriggerEvent;
  /** INSERT and UPDATE: the columns it sets (undefined: any of them). */
  columns?: string[];
  /** Why the rows may not exist (e.g. a DELETE's WHERE matches none); undefined when they are written out (INSERT ... VALUES). */
  condition?: string;
  /** Written by a foreign key's action (its own checks are skipped: the referenced table is locked already). */
  cascaded?: boolean;
}

const CHECK_READS = 'the foreign key check reads the referenced row (FOR KEY SHARE)';
const ACTION_READS = 'the foreign key check looks for referencing rows (FOR KEY SHARE)';

/** "only if rows are deleted from t": the condition of a write whose rows the model cannot know. */
export function rowsCondition(table: string, event: TriggerEvent): string {
  const verb = event === 'INSERT' ? 'inserted into' : event === 'DELETE' ? 'deleted from' : 'updated in';
  return `only if rows are ${verb} ${table}`;
}

/**
 * The locks of `write`'s foreign keys at both ends; returns the writes they cascade to (a cascade's
 * DELETE or UPDATE of the referencing table), whose triggers fire too. `seen` stops cycles.
 */
export function referentialLocks(sink: LockSink, catalog: Catalog, write: RowWrite, seen = new Set<string>()): RowWrite[] {
  const key = `${write.table} ${write.event}`;
  // DISABLE TRIGGER ALL: the table's foreign key triggers, checks and actions alike, do not run.
  if (seen.has(key) || catalog.relation(write.table)?.foreignKeyTriggersOff) return [];
  seen.add(key);
  if (write.event !== 'DELETE' && write.condition && !write.cascaded) checkReferences(sink, catalog, write, write.condition);
  if (write.event === 'INSERT' || write.event === 'TRUNCATE') return [];
  const cascaded: RowWrite[] = [];
  for (const [other, fk] of referencingKeys(catalog, write)) {
    const action = write.event === 'DELETE' ? fk.onDelete : fk.onUpdate;
    const condition = `${write.condition ?? rowsCondition(write.table, write.event)}: foreign key ${fk.name} of ${other}`;
    if (action === 'c' || action === 'n' || action === 'd') {
      sink.mayLock(other, 'ROW EXCLUSIVE', 'referencing', condition);
      const event = action === 'c' && write.event === 'DELETE' ? 'DELETE' : 'UPDATE';
      const next: RowWrite = { table: other, event, columns: event === 'UPDATE' ? fk.columns : undefined, condition, cascaded: true };
      cascaded.push(next, ...referentialLocks(sink, catalog, next, seen));
    } else {
      sink.mayLock(other, 'ROW SHARE', 'referencing', condition, ACTION_READS);
    }
  }
  return cascaded;
}

/**
 * INSERT ... SELECT and UPDATE: each row that sets a foreign key's columns is checked (INSERT ...
 * VALUES is modelled where its values are known: a NULL key is not checked).
 */
function checkReferences(sink: LockSink, catalog: Catalog, write: RowWrite, condition: string): void {
  for (const fk of catalog.constraintsOf(write.table)) {
    if (fk.type !== 'foreign' || !fk.references || fk.references === write.table) continue;
    if (write.columns && !fk.columns.some((c) => write.columns!.includes(c))) continue;
    sink.mayLock(fk.references, 'ROW SHARE', 'referenced', condition, CHECK_READS);
  }
}

/** Foreign keys of other tables whose referenced columns `write` deletes or changes. */
function referencingKeys(catalog: Catalog, write: RowWrite): [string, ConstraintInfo][] {
  const out: [string, ConstraintInfo][] = [];
  for (const other of new Set(catalog.referencing(write.table))) {
    if (other === write.table) continue;
    for (const fk of catalog.constraintsOf(other)) {
      if (fk.type !== 'foreign' || fk.references !== write.table) continue;
      const key = catalog.referencedColumns(fk);
      if (write.event === 'UPDATE' && write.columns && !key.some((c) => write.columns!.includes(c))) continue;
      out.push([other, fk]);
    }
  }
  return out;
}
