/**
 * Functions and triggers as the catalog records them: a trigger runs its function when DML on its
 * table fires it (core/locks/triggers.ts models the locks of the function's statements), and
 * DROP FUNCTION ... CASCADE drops the triggers that execute the function.
 */
import { T, as, asDefElem, asString, nameList } from '../parse/ast';

export type TriggerEvent = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';

export interface TriggerInfo {
  name: string;
  /** The function it executes (last part of its name). */
  function: string;
  events: TriggerEvent[];
  timing: 'BEFORE' | 'AFTER' | 'INSTEAD OF';
  /** FOR EACH ROW: fires once per row changed (none: not at all); FOR EACH STATEMENT fires once, even for no rows. */
  forEachRow: boolean;
  /** UPDATE OF <columns>: fires only for an UPDATE whose SET names one of them (empty: any UPDATE). */
  columns: string[];
  /** A WHEN condition decides per row (or statement) whether it fires. */
  when: boolean;
}

export interface FunctionInfo {
  name: string;
  /** Lower case: plpgsql, sql, c, ... */
  language: string;
  /** The function's body as written (AS '...'), for the languages whose statements are modelled. */
  body?: string;
  returnsTrigger: boolean;
}

/** pg_trigger's tgtype bits as CreateTrigStmt carries them (catalog/pg_trigger.h). */
const TIMING_BEFORE = 2;
const TIMING_INSTEAD = 64;
const EVENT_BITS: [number, TriggerEvent][] = [
  [4, 'INSERT'],
  [8, 'DELETE'],
  [16, 'UPDATE'],
  [32, 'TRUNCATE'],
];

export function triggerInfo(stmt: T.CreateTrigStmt): TriggerInfo | undefined {
  const fn = nameList(stmt.funcname).pop();
  if (!stmt.trigname || !fn) return undefined;
  const timing = stmt.timing ?? 0;
  return {
    name: stmt.trigname,
    function: fn,
    events: EVENT_BITS.filter(([bit]) => ((stmt.events ?? 0) & bit) !== 0).map(([, event]) => event),
    timing: timing & TIMING_BEFORE ? 'BEFORE' : timing & TIMING_INSTEAD ? 'INSTEAD OF' : 'AFTER',
    forEachRow: !!stmt.row,
    columns: nameList(stmt.columns),
    when: !!stmt.whenClause,
  };
}

export function functionInfo(stmt: T.CreateFunctionStmt): FunctionInfo | undefined {
  const name = nameList(stmt.funcname).pop();
  if (!name) return undefined;
  const options = (stmt.options ?? []).map(asDefElem);
  const language = (asString(options.find((o) => o?.defname === 'language')?.arg) ?? 'sql').toLowerCase();
  // AS 'body' is a one-item list (C functions: file and symbol).
  const as_ = as(options.find((o) => o?.defname === 'as')?.arg, 'List')?.items ?? [];
  const body = as_.length === 1 ? asString(as_[0]) : undefined;
  const returns = nameList(stmt.returnType?.names).pop();
  return { name, language, ...(body !== undefined ? { body } : {}), returnsTrigger: returns === 'trigger' };
}

/** The function names a DROP FUNCTION / DROP PROCEDURE names (last part of each). */
export function droppedFunctions(stmt: T.DropStmt): string[] {
  return (stmt.objects ?? []).map((o) => nameList(as(o, 'ObjectWithArgs')?.objname).pop() ?? '').filter(Boolean);
}
