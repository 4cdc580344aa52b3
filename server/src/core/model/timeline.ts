/**
 * The transaction and settings timeline: for every statement, which transaction it runs in (and
 * where that transaction began and ends), and the `lock_timeout` / `statement_timeout` in effect.
 */
import { T, as, constValue, nameList, findAll } from '../parse/ast';
import { Statement } from './statements';
import type { Part, TxMode } from '../runners/types';

/**
 * A migration runner's unit of execution (a file, a section, a changeset): the statements it wraps
 * in its own transaction (`transaction`) or sends as one query string (`multi-statement`, an
 * implicit transaction block when it holds more than one statement).
 */
export interface RunnerUnit {
  /** Document offsets of the unit's body. */
  start: number;
  end: number;
  part: Part;
  mode: TxMode;
  /** The runner's name, the unit's ("this file", "changeset a:1") and its opt-out, for messages. */
  runner: string;
  unit: string;
  optOut: string;
  /** How the unit runs once opted out (undefined: the runner has no opt-out). */
  optOutMode?: TxMode;
  optedOut: boolean;
}

export interface TimelineOptions {
  units?: RunnerUnit[];
  /** Settings in effect at the start of every deployed unit (`runnerSettings`), e.g. `{ lock_timeout: '5s' }`. */
  settings?: Record<string, string>;
}

export interface Transaction {
  id: number;
  /** Statement index of BEGIN, or undefined for the implicit whole-file transaction. */
  begin?: number;
  /** Statement index of the COMMIT/ROLLBACK/END that closes it; undefined when never closed. */
  end?: number;
  endKind?: 'commit' | 'rollback';
  implicit: boolean;
  /** The runner unit whose transaction (or multi-statement query) this is. */
  runner?: RunnerUnit;
  /** Last statement index inside the runner's transaction (its COMMIT comes after it). */
  last?: number;
}

export interface Setting {
  /** Milliseconds; 0 means disabled (PostgreSQL's default). */
  ms: number;
  /** Statement index that set it. */
  setAt: number;
  local: boolean;
  text: string;
}

export interface StatementTimeline {
  transaction?: Transaction;
  lockTimeout?: Setting;
  statementTimeout?: Setting;
  /** BEGIN seen while already inside a transaction. */
  nestedBegin?: boolean;
  /** Index of the runner unit holding the statement (TimelineOptions.units). */
  unit?: number;
}

export interface Timeline {
  perStatement: StatementTimeline[];
  transactions: Transaction[];
  /** The runner's units (empty without a runner). */
  units?: RunnerUnit[];
}

type SettingName = 'lock_timeout' | 'statement_timeout';
const TRACKED: SettingName[] = ['lock_timeout', 'statement_timeout'];

interface SettingsState {
  session: Partial<Record<SettingName, Setting>>;
  local: Partial<Record<SettingName, Setting>>;
  /** Session values at BEGIN, restored on ROLLBACK. */
  atBegin?: Partial<Record<SettingName, Setting>>;
}

export function buildTimeline(statements: Statement[], assumeInTransaction: boolean, options: TimelineOptions = {}): Timeline {
  const perStatement: StatementTimeline[] = [];
  const transactions: Transaction[] = [];
  let current: Transaction | undefined;
  const units = options.units ?? [];
  if (assumeInTransaction && !units.length) {
    current = { id: 0, implicit: true };
    transactions.push(current);
  }
  const initial = initialSettings(options.settings);
  const settings: SettingsState = { session: { ...initial }, local: {} };
  const unitOf = statements.map((s) => (s.container === undefined ? units.findIndex((u) => s.span.start >= u.start && s.span.start < u.end) : -1));
  const lastOf = new Map<number, number>();
  unitOf.forEach((u, k) => lastOf.set(u, k));
  const more = (index: number, unit: number) => (lastOf.get(unit) ?? -1) > index;
  const runnerTx = (unit: RunnerUnit): Transaction => {
    const tx: Transaction = { id: transactions.length, implicit: true, runner: unit };
    transactions.push(tx);
    return tx;
  };
  let unitIndex = -1;

  for (const stmt of statements) {
    const entry: StatementTimeline = {};
    const u = unitOf[stmt.index];
    if (u >= 0 && u !== unitIndex) {
      // The runner ends the previous unit (its COMMIT) and starts this one; a rollback part runs in another session.
      if (current?.runner) current = undefined;
      if (unitIndex >= 0 && units[unitIndex].part !== units[u].part) settings.session = { ...initial };
      settings.local = {};
      unitIndex = u;
      const unit = units[u];
      if (!current && (unit.mode === 'transaction' || (unit.mode === 'multi-statement' && more(stmt.index, u)))) current = runnerTx(unit);
    }
    if (u >= 0) entry.unit = u;
    if (current?.runner && stmt.container === undefined) current.last = stmt.index;
    const tx = as(stmt.node, 'TransactionStmt');
    if (tx && stmt.container === undefined) {
      const kind = tx.kind ?? '';
      if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
        if (current?.runner?.mode === 'multi-statement') {
          // BEGIN inside a multi-statement query turns its implicit block into an explicit one.
          current.implicit = false;
          current.begin = stmt.index;
          current.last = undefined;
          settings.atBegin = { ...settings.session };
        } else if (current) {
          entry.nestedBegin = true;
        } else {
          current = { id: transactions.length, begin: stmt.index, implicit: false };
          transactions.push(current);
          settings.atBegin = { ...settings.session };
        }
        entry.transaction = current;
      } else if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') {
        entry.transaction = current;
        if (current) {
          current.end = stmt.index;
          current.endKind = kind === 'TRANS_STMT_ROLLBACK' ? 'rollback' : 'commit';
          if (kind === 'TRANS_STMT_ROLLBACK' && settings.atBegin) settings.session = { ...settings.atBegin };
          settings.local = {};
          settings.atBegin = undefined;
          const chained = !!tx.chain;
          current = chained ? { id: transactions.length, begin: stmt.index, implicit: false } : undefined;
          if (current) transactions.push(current);
          // The rest of a multi-statement query runs in a new implicit block.
          else if (u >= 0 && units[u].mode === 'multi-statement' && more(stmt.index, u)) current = runnerTx(units[u]);
        }
      } else {
        entry.transaction = current;
      }
    } else {
      entry.transaction = current;
      applySettings(stmt, settings, !!current);
    }
    entry.lockTimeout = settings.local.lock_timeout ?? settings.session.lock_timeout;
    entry.statementTimeout = settings.local.statement_timeout ?? settings.session.statement_timeout;
    perStatement.push(entry);
  }
  return { perStatement, transactions, units };
}

function initialSettings(values: Record<string, string> | undefined): Partial<Record<SettingName, Setting>> {
  const out: Partial<Record<SettingName, Setting>> = {};
  for (const name of TRACKED) {
    const text = values?.[name];
    const ms = text === undefined ? undefined : parseDuration(text);
    // setAt -1: set by the runner or platform before the file runs.
    if (ms !== undefined) out[name] = { ms, setAt: -1, local: false, text: text! };
  }
  return out;
}

function applySettings(stmt: Statement, settings: SettingsState, inTransaction: boolean): void {
  const set = as(stmt.node, 'VariableSetStmt');
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') {
      settings.session = {};
      settings.local = {};
      return;
    }
    const name = set.name as SettingName;
    if (!TRACKED.includes(name)) return;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') {
      delete settings.session[name];
      delete settings.local[name];
      return;
    }
    if (set.kind === 'VAR_SET_VALUE') {
      const value = constValue(set.args?.[0]);
      const ms = parseDuration(value);
      if (ms === undefined) return;
      const setting: Setting = { ms, setAt: stmt.index, local: !!set.is_local, text: String(value) };
      // SET LOCAL outside a transaction has no effect (PostgreSQL warns).
      if (set.is_local) {
        if (inTransaction) settings.local[name] = setting;
      } else {
        settings.session[name] = setting;
        delete settings.local[name];
      }
    }
    return;
  }
  // SELECT set_config('lock_timeout', '5s', is_local)
  if (stmt.kind !== 'SelectStmt') return;
  for (const call of findAll<T.FuncCall>(stmt.node, 'FuncCall')) {
    const fn = nameList(call.funcname);
    if (fn[fn.length - 1] !== 'set_config') continue;
    const name = constValue(call.args?.[0]) as SettingName;
    if (!TRACKED.includes(name)) continue;
    const value = constValue(call.args?.[1]);
    const ms = parseDuration(value);
    if (ms === undefined) continue;
    const local = constValue(call.args?.[2]) === true || constValue(call.args?.[2]) === 'true';
    const setting: Setting = { ms, setAt: stmt.index, local, text: String(value) };
    if (local) {
      if (inTransaction) settings.local[name] = setting;
    } else settings.session[name] = setting;
  }
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 };

/** PostgreSQL's GUC duration syntax for a value in milliseconds: `5000`, `'5s'`, `'1min'`, `'250ms'`. */
export function parseDuration(value: string | number | boolean | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Number(m[1]) * UNIT_MS[unit];
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0 (disabled)';
  if (ms % 3600000 === 0) return `${ms / 3600000}h`;
  if (ms % 60000 === 0) return `${ms / 60000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
