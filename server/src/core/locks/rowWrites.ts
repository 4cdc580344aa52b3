/**
 * The rows a DML statement writes, as the tables' foreign keys and triggers see them: its own
 * target and the targets of the writable CTEs it holds (and the table under an updatable view), each with the columns it sets and, unless
 * the rows are written out (INSERT ... VALUES), the condition that it writes any row at all.
 */
import { Node, T, as, findAll, nameList, nodeKind } from '../parse/ast';
import type { TriggerEvent } from '../model/routines';
import type { Catalog } from '../model/catalog';
import { referentialLocks, RowWrite, rowsCondition } from './foreignKeys';
import type { LockSink } from './model';
import { BodyModel, triggerLocks } from './triggers';
import { updatableViewBase } from '../model/dependencies';

/**
 * The locks the rows written by a DML statement (and its writable CTEs) reach: through foreign keys,
 * and the statements of the triggers they fire (the cascades' too). `firing`: trigger functions the
 * statement itself runs in.
 */
export function writeLocks(sink: LockSink, catalog: Catalog, node: Node, model: BodyModel, firing?: string[]): void {
  const writes = statementWrites(node, catalog).flatMap((w) => [w, ...updatableViewBase(catalog, w.table).map((table) => ({ ...w, table }))]);
  for (const w of writes) sink.lock(w.table, 'ROW EXCLUSIVE', 'target');
  const cascaded = writes.flatMap((w) => referentialLocks(sink, catalog, w));
  triggerLocks(sink, catalog, [...writes, ...cascaded], model, firing);
}

/** The statement's own write and those of its writable CTEs, tables by catalog key. */
export function statementWrites(node: Node, catalog: Catalog): RowWrite[] {
  const nested = findAll<T.CommonTableExpr>(node, 'CommonTableExpr').map((c) => c.ctequery);
  return [node, ...nested].flatMap((n) => {
    const write = rowWrite(n, catalog);
    return write ? [write, ...upsertWrites(n, write)] : mergeWrites(n, catalog);
  });
}

/** INSERT ... ON CONFLICT DO UPDATE: a row that conflicts updates the existing one (its triggers and foreign keys). */
function upsertWrites(node: Node | undefined, insert: RowWrite): RowWrite[] {
  const clause = as(node, 'InsertStmt')?.onConflictClause;
  if (clause?.action !== 'ONCONFLICT_UPDATE') return [];
  const columns = (clause.targetList ?? []).map((t) => as(t, 'ResTarget')?.name ?? '').filter(Boolean);
  return [{ table: insert.table, event: 'UPDATE', columns, condition: `only if a row conflicts (ON CONFLICT DO UPDATE of ${insert.table})` }];
}

/** MERGE: each WHEN clause may insert, update or delete rows of the target. */
function mergeWrites(node: Node | undefined, catalog: Catalog): RowWrite[] {
  const stmt = as(node, 'MergeStmt');
  const table = catalog.key(stmt?.relation);
  if (!stmt || !table) return [];
  return (stmt.mergeWhenClauses ?? []).flatMap((c) => {
    const clause = as(c, 'MergeWhenClause');
    const event = MERGE_EVENTS[clause?.commandType ?? ''];
    if (!event) return [];
    const columns = (clause?.targetList ?? []).map((t) => as(t, 'ResTarget')?.name ?? '').filter(Boolean);
    return [{ table, event, ...(columns.length ? { columns } : {}), condition: rowsCondition(table, event) }];
  });
}

const MERGE_EVENTS: Record<string, TriggerEvent> = { CMD_INSERT: 'INSERT', CMD_UPDATE: 'UPDATE', CMD_DELETE: 'DELETE' };

function rowWrite(node: Node | undefined, catalog: Catalog): RowWrite | undefined {
  switch (nodeKind(node)) {
    case 'CopyStmt': {
      // COPY FROM: rows from a file, as many as it holds.
      const stmt = as(node, 'CopyStmt')!;
      const table = stmt.is_from ? catalog.key(stmt.relation) : undefined;
      const columns = nameList(stmt.attlist);
      return table ? { table, event: 'INSERT', ...(columns.length ? { columns } : {}), condition: rowsCondition(table, 'INSERT') } : undefined;
    }
    case 'InsertStmt': {
      const stmt = as(node, 'InsertStmt')!;
      const table = catalog.key(stmt.relation);
      if (!table) return undefined;
      const columns = (stmt.cols ?? []).map((c) => as(c, 'ResTarget')?.name ?? '').filter(Boolean);
      // VALUES and DEFAULT VALUES write their rows (modelled where the values are known).
      const written = !stmt.selectStmt || !!as(stmt.selectStmt, 'SelectStmt')?.valuesLists?.length;
      return { table, event: 'INSERT', ...(columns.length ? { columns } : {}), ...(written ? {} : { condition: rowsCondition(table, 'INSERT') }) };
    }
    case 'UpdateStmt': {
      const stmt = as(node, 'UpdateStmt')!;
      const table = catalog.key(stmt.relation);
      const columns = (stmt.targetList ?? []).map((t) => as(t, 'ResTarget')?.name ?? '').filter(Boolean);
      return table ? { table, event: 'UPDATE', columns, condition: rowsCondition(table, 'UPDATE') } : undefined;
    }
    case 'DeleteStmt': {
      const table = catalog.key(as(node, 'DeleteStmt')!.relation);
      return table ? { table, event: 'DELETE', condition: rowsCondition(table, 'DELETE') } : undefined;
    }
    default:
      return undefined;
  }
}
