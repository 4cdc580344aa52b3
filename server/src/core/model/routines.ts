/**
 * Functions and triggers as the catalog records them: a trigger runs its function when DML on its
 * table fires it, a statement runs the functions it calls (core/locks/triggers.ts and calls.ts model
 * the locks of their statements), and DROP FUNCTION ... CASCADE drops the triggers that execute it.
 */
import { Node, T, as, asDefElem, asString, nameList, typeToString } from '../parse/ast';
import { parsePlpgsql, parseStatementText } from '../parse/parser';
import { doBlockParts } from './doBlock';

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
  /** ALTER TABLE ... DISABLE TRIGGER (or ENABLE REPLICA: it fires only under session_replication_role = replica). */
  disabled?: true;
}

export interface FunctionInfo {
  name: string;
  /** Lower case: plpgsql, sql, c, ... */
  language: string;
  /** The function's body as written (AS '...'), for the languages whose statements are modelled. */
  body?: string;
  returnsTrigger: boolean;
  /** `(parameters) RETURNS type` rebuilt from the definition: the body compiles with its variables and RETURN forms. */
  signature: string;
}

/** A statement of a function body, with the branch or loop it runs under (absent: whenever the function runs). */
export interface BodyStatement {
  node: Node;
  condition?: string;
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
  return { name, language, ...(body !== undefined ? { body } : {}), returnsTrigger: returns === 'trigger', signature: signature(stmt) };
}

const PARAMETER_MODES: Record<string, string> = { FUNC_PARAM_OUT: 'OUT ', FUNC_PARAM_INOUT: 'INOUT ', FUNC_PARAM_VARIADIC: 'VARIADIC ' };

function signature(stmt: T.CreateFunctionStmt): string {
  const params = (stmt.parameters ?? []).map((p) => as(p, 'FunctionParameter')).filter((p): p is T.FunctionParameter => !!p);
  const declared = (p: T.FunctionParameter) => `${p.name ? `${p.name} ` : ''}${typeToString(p.argType)}`;
  const table = params.filter((p) => p.mode === 'FUNC_PARAM_TABLE').map(declared);
  const args = params.filter((p) => p.mode !== 'FUNC_PARAM_TABLE').map((p) => `${PARAMETER_MODES[p.mode ?? ''] ?? ''}${declared(p)}`);
  const returns = table.length ? `TABLE (${table.join(', ')})` : `${stmt.returnType?.setof ? 'SETOF ' : ''}${typeToString(stmt.returnType) || 'void'}`;
  return `(${args.join(', ')}) RETURNS ${returns}`;
}

/**
 * The statements a PL/pgSQL or SQL function runs, PL/pgSQL ones with the branch or loop each runs
 * under (walked as a DO block's body, model/doBlock.ts); none for other languages or a body that
 * does not compile.
 */
export function functionStatements(fn: FunctionInfo): BodyStatement[] {
  if (!fn.body) return [];
  if (fn.language === 'sql') return parseStatementText(fn.body).statements.map((s) => ({ node: s.node }));
  if (fn.language !== 'plpgsql' || fn.body.includes('$lockwise_fn$')) return [];
  const tree = parsePlpgsql(`CREATE FUNCTION lockwise_fn${fn.signature} LANGUAGE plpgsql AS $lockwise_fn$${fn.body}$lockwise_fn$`);
  if (!tree) return [];
  const parts = doBlockParts(tree, (line) => line);
  return [...parts.statements, ...parts.reads].flatMap((part) => {
    const node = parseStatementText(part.sql).statements[0]?.node;
    return node ? [{ node, ...(part.condition ? { condition: part.condition } : {}) }] : [];
  });
}

/** The triggers with those `which` holds for enabled or disabled (a new array: records are shared with clones). */
export function switchTriggers(triggers: TriggerInfo[] | undefined, enabled: boolean, which: (t: TriggerInfo) => boolean): TriggerInfo[] {
  return (triggers ?? []).map((t) => {
    if (!which(t)) return t;
    const { disabled: _, ...rest } = t;
    return enabled ? rest : { ...rest, disabled: true };
  });
}

/** The function names a DROP FUNCTION / DROP PROCEDURE names (last part of each). */
export function droppedFunctions(stmt: T.DropStmt): string[] {
  return (stmt.objects ?? []).map((o) => nameList(as(o, 'ObjectWithArgs')?.objname).pop() ?? '').filter(Boolean);
}
