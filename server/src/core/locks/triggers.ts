/**
 * Triggers: DML on a table runs the functions of the triggers its rows (or the statement) fire,
 * and their statements take their own locks (lemmy's triggers refresh materialized views and update
 * aggregate tables). A FOR EACH STATEMENT trigger fires once per statement, even one that changes
 * no row: its function's top-level statements are certain. A FOR EACH ROW trigger fires only for
 * rows the statement changes, a WHEN clause may keep either from firing: then every lock of the
 * function "may be taken". Statements in the function's branches and loops may be taken too
 * (model/doBlock.ts walks a PL/pgSQL body as it does a DO block's). Measured on PostgreSQL 15 in
 * test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from '../model/catalog';
import { BodyStatement, FunctionInfo, functionStatements, TriggerInfo } from '../model/routines';
import type { Node } from '../parse/ast';
import type { RowWrite } from './foreignKeys';
import type { LockSink, RelationLock, StatementEffect } from './model';

/** Models a statement of a trigger function; `firing` are the functions already running (no recursion). */
export type BodyModel = (node: Node, firing: string[]) => StatementEffect;

/** The locks of the triggers `writes` fire. `firing`: trigger functions this statement already runs in. */
export function triggerLocks(sink: LockSink, catalog: Catalog, writes: RowWrite[], model: BodyModel, firing: string[] = []): void {
  for (const write of writes) {
    for (const trigger of catalog.relation(write.table)?.triggers ?? []) {
      const fn = catalog.functions.get(trigger.function);
      if (trigger.disabled || !fires(trigger, write) || !fn || firing.includes(fn.name)) continue;
      const when = firingCondition(trigger, write);
      for (const part of functionStatements(fn)) {
        for (const lock of model(part.node, [...firing, fn.name]).locks) sink.merge(triggered(lock, part, when, fn));
      }
    }
  }
}

/** Whether the trigger is one `write` may fire: its event, and for UPDATE OF, a column the UPDATE sets. */
function fires(trigger: TriggerInfo, write: RowWrite): boolean {
  if (!trigger.events.includes(write.event)) return false;
  return !(write.event === 'UPDATE' && trigger.columns.length && write.columns && !trigger.columns.some((c) => write.columns!.includes(c)));
}

/** Why the trigger may not fire (undefined: it fires whenever the statement runs). */
function firingCondition(trigger: TriggerInfo, write: RowWrite): string | undefined {
  const what = `${trigger.forEachRow ? 'row' : 'statement'} trigger ${trigger.name}`;
  if (trigger.when) return `only if the WHEN condition of ${what} holds`;
  // A row trigger fires for each row changed; a cascade's statement runs only for rows it changes.
  if ((trigger.forEachRow || write.cascaded) && write.condition) return `${write.condition}: ${what}`;
  return undefined;
}

/** A lock of a trigger function's statement, as the firing statement takes it. */
function triggered(lock: RelationLock, part: BodyStatement, when: string | undefined, fn: FunctionInfo): RelationLock {
  const out: RelationLock = { ...lock, role: lock.role.endsWith('index') ? 'trigger_index' : 'trigger' };
  const condition = part.condition ? `${part.condition} in ${fn.name}()` : when;
  if (!condition) return out;
  // Under a condition of the trigger or of its body, nothing the statement takes is certain.
  return { ...out, condition: lock.condition ?? condition, certainMode: undefined };
}
