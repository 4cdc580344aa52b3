/**
 * The transaction and settings timeline: for every statement, which transaction it runs in (and
 * where that transaction began and ends), and the `lock_timeout` / `statement_timeout` in effect.
 */
import { T, as, constValue, nameList, findAll } from '../parse/ast';
import { Statement } from './statements';

export interface Transaction {
  id: number;
  /** Statement index of BEGIN, or undefined for the implicit whole-file transaction. */
  begin?: number;
  /** Statement index of the COMMIT/ROLLBACK/END that closes it; undefined when never closed. */
  end?: number;
  endKind?: 'commit' | 'rollback';
  implicit: boolean;
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
}

export interface Timeline {
  perStatement: StatementTimeline[];
  transactions: Transaction[];
}

type SettingName = 'lock_timeout' | 'statement_timeout';
const TRACKED: SettingName[] = ['lock_timeout', 'statement_timeout'];

interface SettingsState {
  session: Partial<Record<SettingName, Setting>>;
  local: Partial<Record<SettingName, Setting>>;
  /** Session values at BEGIN, restored on ROLLBACK. */
  atBegin?: Partial<Record<SettingName, Setting>>;
}

export function buildTimeline(statements: Statement[], assumeInTransaction: boolean): Timeline {
  const perStatement: StatementTimeline[] = [];
  const transactions: Transaction[] = [];
  let current: Transaction | undefined;
  if (assumeInTransaction) {
    current = { id: 0, implicit: true };
    transactions.push(current);
  }
  const settings: SettingsState = { session: {}, local: {} };

  for (const stmt of statements) {
    const entry: StatementTimeline = {};
    const tx = as<'TransactionStmt', T.TransactionStmt>(stmt.node, 'TransactionStmt');
    if (tx && stmt.container === undefined) {
      const kind = tx.kind ?? '';
      if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
        if (current) {
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
  return { perStatement, transactions };
}

function applySettings(stmt: Statement, settings: SettingsState, inTransaction: boolean): void {
  const set = as<'VariableSetStmt', T.VariableSetStmt>(stmt.node, 'VariableSetStmt');
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
