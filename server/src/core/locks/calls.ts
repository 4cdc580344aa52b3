/**
 * Functions a statement calls: PostgreSQL runs the body of a PL/pgSQL or SQL function each time it
 * is called, and the body's statements take their locks in the calling statement (lemmy's UPDATE
 * ... FROM community_aggregates_activity('1 day') reads post and comment). Whether a call runs at
 * all depends on the rows the statement meets, so every such lock may be taken. Measured on
 * PostgreSQL 15 in test/engine/lockReach.engine.test.ts.
 */
import type { Catalog } from '../model/catalog';
import { functionStatements } from '../model/routines';
import { Node, T, findAll, nameList } from '../parse/ast';
import type { LockSink } from './model';
import type { BodyModel } from './triggers';

/** The locks of the known functions `node` calls (not those already running: no recursion). */
export function callLocks(sink: LockSink, catalog: Catalog, node: Node, model: BodyModel, running: string[] = []): void {
  const called = new Set(findAll<T.FuncCall>(node, 'FuncCall').map((call) => nameList(call.funcname).pop() ?? ''));
  for (const name of called) {
    const fn = catalog.functions.get(name);
    if (!fn || fn.returnsTrigger || running.includes(fn.name)) continue;
    for (const part of functionStatements(fn)) {
      const condition = part.condition ? `${part.condition} in ${fn.name}()` : `only if ${fn.name}() is called`;
      for (const lock of model(part.node, [...running, fn.name]).locks) {
        const role = lock.role.endsWith('index') ? 'function_index' : 'function';
        sink.merge({ ...lock, role, condition: lock.condition ?? condition, certainMode: undefined });
      }
    }
  }
}
