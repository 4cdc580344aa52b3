/**
 * The transaction and settings timeline: for every statement, which transaction it runs in (and
 * where that transaction began and ends), and the `lock_timeout` / `statement_timeout` / `TimeZone`
 * in effect. Settings follow PostgreSQL's GUC rules: a ROLLBACK (or ROLLBACK TO SAVEPOINT) undoes the
 * SETs made since, SET LOCAL ends with its transaction, psql's `\connect` starts a new session.
 */
import { T, as, constValue, nameList, findAll } from '../parse/ast';
import { MetaCommand, Statement } from './statements';
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
  /** The session's TimeZone before any SET (`timeZone` in the config); undefined: not known. */
  timeZone?: string;
  /** psql meta-commands (`\connect`, ...) between the statements, in document order. */
  metaCommands?: MetaCommand[];
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
  /** Document offset of the psql `\connect` that ended its session, rolling it back (end stays undefined). */
  disconnectedAt?: number;
}

export interface Setting {
  /** Milliseconds; 0 means disabled (PostgreSQL's default). */
  ms: number;
  /** Statement index that set it. */
  setAt: number;
  local: boolean;
  text: string;
}

/** A `TimeZone` in effect: set in the file (`SET TIME ZONE`, `SET TimeZone`) or by the config (setAt -1). */
export interface ZoneSetting {
  /** The value as written (`'UTC'`, `'Europe/Berlin'`, `0`, `'+00:00'`). */
  text: string;
  /** Offset 0 without daylight saving, as PostgreSQL's pg_get_timezone_offset() sees it. */
  utc: boolean;
  setAt: number;
  local: boolean;
}

export interface StatementTimeline {
  transaction?: Transaction;
  lockTimeout?: Setting;
  statementTimeout?: Setting;
  /** The session TimeZone; undefined when neither the file nor the config says. */
  timeZone?: ZoneSetting;
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

/** The settings the timeline follows, by their lower-case GUC name. */
interface Values {
  lock_timeout?: Setting;
  statement_timeout?: Setting;
  timezone?: ZoneSetting;
}
type Name = keyof Values;
const TRACKED: readonly Name[] = ['lock_timeout', 'statement_timeout', 'timezone'];
/** SET LOCAL values until the transaction ends; null: SET LOCAL ... TO DEFAULT (no value known). */
type LocalValues = { [K in Name]?: Values[K] | null };

/**
 * The session's settings with PostgreSQL's transactional GUC semantics: every SET inside a
 * transaction (SET LOCAL and plain SET alike) is undone by ROLLBACK, and those made after a
 * savepoint by ROLLBACK TO SAVEPOINT; RELEASE and COMMIT keep them (SET LOCAL ends at COMMIT).
 */
class SettingsState {
  session: Values;
  local: LocalValues = {};
  private atBegin?: Values;
  private savepoints: { name: string; session: Values; local: LocalValues }[] = [];

  /** `initial`: what a new session starts with; `defaults`: what RESET / SET ... TO DEFAULT go back to. */
  constructor(
    private readonly initial: Values,
    private readonly defaults: Values,
  ) {
    this.session = { ...initial };
  }

  begin(): void {
    this.atBegin = { ...this.session };
    this.local = {};
    this.savepoints = [];
  }

  end(rollback: boolean): void {
    if (rollback && this.atBegin) this.session = { ...this.atBegin };
    this.local = {};
    this.atBegin = undefined;
    this.savepoints = [];
  }

  savepoint(name: string): void {
    this.savepoints.push({ name, session: { ...this.session }, local: { ...this.local } });
  }

  /** RELEASE: the savepoint and those after it are gone; their SETs stay. */
  release(name: string): void {
    const at = this.savepointIndex(name);
    if (at >= 0) this.savepoints.length = at;
  }

  /** ROLLBACK TO: the SETs since the savepoint are undone; the savepoint itself stays. */
  rollbackTo(name: string): void {
    const at = this.savepointIndex(name);
    if (at < 0) return;
    const saved = this.savepoints[at];
    this.session = { ...saved.session };
    this.local = { ...saved.local };
    this.savepoints.length = at + 1;
  }

  /** A new connection (psql `\connect`): the old session's settings and transaction are gone. */
  newSession(): void {
    this.session = { ...this.initial };
    this.end(false);
  }

  effective<K extends Name>(name: K): Values[K] | undefined {
    return name in this.local ? (this.local[name] ?? undefined) : this.session[name];
  }

  set<K extends Name>(name: K, value: Values[K], local: boolean, inTransaction: boolean): void {
    // SET LOCAL outside a transaction block lasts for its own statement only (PostgreSQL warns).
    if (local) {
      if (inTransaction) this.local[name] = value;
      return;
    }
    this.session[name] = value;
    delete this.local[name];
  }

  reset(name: Name, local: boolean, inTransaction: boolean): void {
    const value = this.defaults[name];
    if (local) {
      if (inTransaction) this.local[name] = (value ?? null) as never;
      return;
    }
    if (value) this.session[name] = value as never;
    else delete this.session[name];
    delete this.local[name];
  }

  resetAll(): void {
    this.session = { ...this.defaults };
    this.local = {};
  }

  private savepointIndex(name: string): number {
    for (let k = this.savepoints.length - 1; k >= 0; k--) if (this.savepoints[k].name === name) return k;
    return -1;
  }
}

export function buildTimeline(statements: Statement[], assumeInTransaction: boolean, options: TimelineOptions = {}): Timeline {
  const builder = new TimelineBuilder(statements, assumeInTransaction, options);
  const perStatement = statements.map((stmt) => builder.step(stmt));
  return { perStatement, transactions: builder.transactions, units: builder.units };
}

/** Walks the statements in order: the open transaction, the runner's unit and the settings. */
class TimelineBuilder {
  readonly transactions: Transaction[] = [];
  readonly units: RunnerUnit[];
  private readonly settings: SettingsState;
  private current: Transaction | undefined;
  private readonly unitOf: number[];
  private readonly lastOf = new Map<number, number>();
  private unitIndex = -1;
  private readonly meta: MetaCommand[];
  private nextMeta = 0;

  constructor(statements: Statement[], assumeInTransaction: boolean, options: TimelineOptions) {
    this.units = options.units ?? [];
    const defaults: Values = options.timeZone === undefined ? {} : { timezone: zoneSetting(options.timeZone, -1, false) };
    this.settings = new SettingsState({ ...defaults, ...initialSettings(options.settings) }, defaults);
    if (assumeInTransaction && !this.units.length) {
      this.current = { id: 0, implicit: true };
      this.transactions.push(this.current);
      this.settings.begin();
    }
    // Without a runner's units (the editor's case), no closure and no map entry per statement.
    if (!this.units.length) this.unitOf = new Array<number>(statements.length).fill(-1);
    else {
      this.unitOf = statements.map((s) => (s.container === undefined ? this.units.findIndex((u) => s.span.start >= u.start && s.span.start < u.end) : -1));
      this.unitOf.forEach((u, k) => this.lastOf.set(u, k));
    }
    this.meta = options.metaCommands ?? [];
  }

  step(stmt: Statement): StatementTimeline {
    const entry: StatementTimeline = {};
    if (stmt.container === undefined) this.metaCommandsBefore(stmt);
    const u = this.unitOf[stmt.index];
    if (u >= 0 && u !== this.unitIndex) this.enterUnit(stmt, u);
    if (u >= 0) entry.unit = u;
    if (this.current?.runner && stmt.container === undefined) this.current.last = stmt.index;
    // By kind first: a keyed lookup on parse trees of every shape is slow, and this runs for every statement.
    const tx = stmt.kind === 'TransactionStmt' ? as(stmt.node, 'TransactionStmt') : undefined;
    if (tx && stmt.container === undefined) this.transactionStep(stmt, tx, u, entry);
    else {
      entry.transaction = this.current;
      applySettings(stmt, this.settings, !!this.current);
    }
    entry.lockTimeout = this.settings.effective('lock_timeout');
    entry.statementTimeout = this.settings.effective('statement_timeout');
    entry.timeZone = this.settings.effective('timezone');
    return entry;
  }

  private metaCommandsBefore(stmt: Statement): void {
    for (; this.nextMeta < this.meta.length && this.meta[this.nextMeta].start < stmt.span.start; this.nextMeta++) {
      if (!reconnects(this.meta[this.nextMeta].text)) continue;
      // The old connection closes: its open transaction is rolled back, never committed.
      if (this.current) this.current.disconnectedAt = this.meta[this.nextMeta].start;
      this.current = undefined;
      this.settings.newSession();
    }
  }

  /** The runner ends the previous unit (its COMMIT) and starts this one; a rollback part runs in another session. */
  private enterUnit(stmt: Statement, u: number): void {
    if (this.current?.runner) {
      this.current = undefined;
      this.settings.end(false);
    }
    if (this.unitIndex >= 0 && this.units[this.unitIndex].part !== this.units[u].part) this.settings.newSession();
    this.settings.local = {};
    this.unitIndex = u;
    const unit = this.units[u];
    if (!this.current && (unit.mode === 'transaction' || (unit.mode === 'multi-statement' && this.more(stmt.index, u)))) this.current = this.runnerTx(unit);
  }

  private more(index: number, unit: number): boolean {
    return (this.lastOf.get(unit) ?? -1) > index;
  }

  private runnerTx(unit: RunnerUnit): Transaction {
    const tx: Transaction = { id: this.transactions.length, implicit: true, runner: unit };
    this.transactions.push(tx);
    this.settings.begin();
    return tx;
  }

  private transactionStep(stmt: Statement, tx: T.TransactionStmt, u: number, entry: StatementTimeline): void {
    const kind = tx.kind ?? '';
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      if (this.current?.runner?.mode === 'multi-statement') {
        // BEGIN inside a multi-statement query turns its implicit block into an explicit one.
        this.current.implicit = false;
        this.current.begin = stmt.index;
        this.current.last = undefined;
      } else if (this.current) {
        entry.nestedBegin = true;
      } else {
        this.current = { id: this.transactions.length, begin: stmt.index, implicit: false };
        this.transactions.push(this.current);
        this.settings.begin();
      }
      entry.transaction = this.current;
      return;
    }
    entry.transaction = this.current;
    if (!this.current) return;
    if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') this.endTransaction(stmt, tx, u);
    else savepointStep(tx, this.settings);
  }

  private endTransaction(stmt: Statement, tx: T.TransactionStmt, u: number): void {
    const current = this.current!;
    current.end = stmt.index;
    current.endKind = tx.kind === 'TRANS_STMT_ROLLBACK' ? 'rollback' : 'commit';
    this.settings.end(tx.kind === 'TRANS_STMT_ROLLBACK');
    this.current = undefined;
    if (tx.chain) {
      this.current = { id: this.transactions.length, begin: stmt.index, implicit: false };
      this.transactions.push(this.current);
      this.settings.begin();
    }
    // The rest of a multi-statement query runs in a new implicit block.
    else if (u >= 0 && this.units[u].mode === 'multi-statement' && this.more(stmt.index, u)) this.current = this.runnerTx(this.units[u]);
  }
}

/** psql's `\c` / `\connect`: a new connection, hence a new session (psql closes the old one). */
function reconnects(meta: string): boolean {
  return /^\\(c|connect)(\s|$)/.test(meta);
}

function savepointStep(tx: T.TransactionStmt, settings: SettingsState): void {
  const name = tx.savepoint_name ?? '';
  if (tx.kind === 'TRANS_STMT_SAVEPOINT') settings.savepoint(name);
  else if (tx.kind === 'TRANS_STMT_RELEASE') settings.release(name);
  else if (tx.kind === 'TRANS_STMT_ROLLBACK_TO') settings.rollbackTo(name);
}

function initialSettings(values: Record<string, string> | undefined): Values {
  const out: Values = {};
  for (const name of ['lock_timeout', 'statement_timeout'] as const) {
    const text = values?.[name];
    const ms = text === undefined ? undefined : gucDuration(text);
    // setAt -1: set by the runner or platform before the file runs.
    if (ms !== undefined) out[name] = { ms, setAt: -1, local: false, text: text! };
  }
  return out;
}

function applySettings(stmt: Statement, settings: SettingsState, inTransaction: boolean): void {
  // DISCARD ALL includes RESET ALL (it cannot run inside a transaction block).
  if (stmt.kind === 'DiscardStmt' && as(stmt.node, 'DiscardStmt')?.target === 'DISCARD_ALL' && !inTransaction) return settings.resetAll();
  const set = stmt.kind === 'VariableSetStmt' ? as(stmt.node, 'VariableSetStmt') : undefined;
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return settings.resetAll();
    const name = trackedName(set.name);
    if (!name) return;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return settings.reset(name, !!set.is_local, inTransaction);
    if (set.kind === 'VAR_SET_VALUE') setValue(settings, name, constValue(set.args?.[0]), stmt.index, !!set.is_local, inTransaction);
    return;
  }
  // SELECT set_config('lock_timeout', '5s', is_local)
  if (stmt.kind !== 'SelectStmt') return;
  for (const call of setConfigCalls(stmt.node)) {
    const name = trackedName(constValue(call.args?.[0]));
    if (!name) continue;
    const isLocal = constValue(call.args?.[2]);
    const local = isLocal === true || isLocal === 'true';
    setValue(settings, name, constValue(call.args?.[1]), stmt.index, local, inTransaction);
  }
}

/**
 * The set_config calls of a SELECT, by parse tree: trees are cached by statement text and shared
 * between runs, and every edit and checked fix builds the whole file's timeline again (this walk
 * over every SELECT's tree was a fifth of it).
 */
const setConfigs = new WeakMap<object, T.FuncCall[]>();
const NO_CALLS: T.FuncCall[] = [];

function setConfigCalls(node: unknown): T.FuncCall[] {
  if (!node || typeof node !== 'object') return [];
  let calls = setConfigs.get(node);
  if (!calls) {
    const found = findAll<T.FuncCall>(node, 'FuncCall').filter((call) => {
      const fn = nameList(call.funcname);
      return fn[fn.length - 1] === 'set_config';
    });
    calls = found.length ? found : NO_CALLS;
    setConfigs.set(node, calls);
  }
  return calls;
}

/** GUC names are case-insensitive (`TimeZone`, `timezone`). */
function trackedName(value: unknown): Name | undefined {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  return (TRACKED as readonly string[]).includes(name) ? (name as Name) : undefined;
}

function setValue(settings: SettingsState, name: Name, value: string | number | boolean | undefined, at: number, local: boolean, inTransaction: boolean): void {
  if (name === 'timezone') {
    if (typeof value === 'string' || typeof value === 'number') settings.set(name, zoneSetting(value, at, local), local, inTransaction);
    return;
  }
  // A value PostgreSQL rejects leaves the setting as it was (the statement fails).
  const ms = gucDuration(value);
  if (ms !== undefined) settings.set(name, { ms, setAt: at, local, text: String(value) }, local, inTransaction);
}

/**
 * Zones PostgreSQL sees as a fixed offset of 0 (pg_get_timezone_offset), for which timestamp and
 * timestamptz hold the same bytes: the IANA aliases of UTC and numeric offsets of zero. Zones that
 * are at +00:00 only part of the time or with a history of other offsets (Europe/London,
 * Africa/Abidjan) are not (test/engine/timeline.engine.test.ts measures each).
 */
const UTC_ZONES = new Set(['utc', 'uct', 'gmt', 'gmt0', 'gmt+0', 'gmt-0', 'greenwich', 'universal', 'zulu']);

export function zoneSetting(value: string | number, setAt: number, local: boolean): ZoneSetting {
  const text = String(value);
  const name = text
    .trim()
    .toLowerCase()
    .replace(/^etc\//, '');
  const utc = UTC_ZONES.has(name) || /^[+-]?0+(:0+){0,2}$/.test(name);
  return { text, utc, setAt, local };
}

/** Time units of a millisecond GUC, largest first (guc.c's timeUnitConversionTable for GUC_UNIT_MS). */
const TIME_UNITS: { unit: string; ms: number }[] = [
  { unit: 'd', ms: 1000 * 60 * 60 * 24 },
  { unit: 'h', ms: 1000 * 60 * 60 },
  { unit: 'min', ms: 1000 * 60 },
  { unit: 's', ms: 1000 },
  { unit: 'ms', ms: 1 },
  { unit: 'us', ms: 1.0 / 1000 },
];
const INT_MAX = 2147483647;

/**
 * A duration in milliseconds as PostgreSQL's parse_int reads a millisecond GUC (guc.c), or
 * undefined when PostgreSQL rejects its syntax or sign (gucDuration adds the GUC's upper bound): an integer (decimal, `0x` hex, `0` octal) or a
 * decimal number, optional spaces, then an optional case-sensitive unit (us, ms, s, min, h, d; none
 * is ms). A fraction of a unit rounds to the next smaller unit, then to whole milliseconds, both
 * half to even (C's rint): `'500us'`, `'0.4ms'` and `'0.5'` are 0, i.e. no timeout at all.
 * test/engine/timeline.engine.test.ts compares every case with the server's SHOW.
 */
export function parseDuration(value: string | number | boolean | undefined): number | undefined {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return undefined;
  const number = leadingNumber(value);
  if (!number) return undefined;
  const rest = /^[ \t\n\v\f\r]*(\S*)[ \t\n\v\f\r]*$/.exec(value.slice(number.end));
  if (!rest) return undefined;
  let ms = number.value;
  if (rest[1]) {
    const at = TIME_UNITS.findIndex((u) => u.unit === rest[1]);
    if (at < 0) return undefined;
    ms = number.value * TIME_UNITS[at].ms;
    const smaller = TIME_UNITS[at + 1];
    if (smaller) ms = rint(ms / smaller.ms) * smaller.ms;
  }
  ms = rint(ms);
  // rint(-0.4) is -0, which PostgreSQL accepts as 0.
  return ms >= 0 && Number.isFinite(ms) ? ms + 0 : undefined;
}

/** A lock_timeout / statement_timeout value: parseDuration within the GUC's range, 0 .. INT_MAX ms (24.8 days). */
export function gucDuration(value: string | number | boolean | undefined): number | undefined {
  const ms = parseDuration(value);
  return ms !== undefined && ms <= INT_MAX ? ms : undefined;
}

/** C's strtol(value, &end, 0), or strtod when it stops at '.', 'e' or overflows (as parse_int does). */
function leadingNumber(value: string): { value: number; end: number } | undefined {
  const int = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))/.exec(value);
  const next = int ? value[int[0].length] : value.trimStart()[0];
  const overflow = !!int && int[0].replace(/^\D+/, '').length > 18;
  if (int && next !== '.' && next !== 'e' && next !== 'E' && !overflow) {
    const digits = int[2] ?? int[3] ?? int[4];
    const radix = int[2] !== undefined ? 16 : int[3] !== undefined ? 8 : 10;
    const n = parseInt(digits, radix);
    return { value: int[1] === '-' ? -n : n, end: int[0].length };
  }
  const float = /^[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(value);
  if (!float) return undefined;
  return { value: Number(float[0].trim()), end: float[0].length };
}

/** C's rint() in the default rounding mode: to the nearest integer, halves to even. */
function rint(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** A value that is not written as 0 but that PostgreSQL rounds to 0 ms (`'500us'`, `'0.4ms'`, `'0.5'`): no timeout at all. */
export function roundsToZero(setting: Setting | undefined): boolean {
  return !!setting && setting.ms === 0 && !/^[ \t]*[+-]?0*\.?0*[ \t]*(us|ms|s|min|h|d)?[ \t]*$/.test(setting.text);
}

/** How a timeout of 0 is named: "lock_timeout 0", or "lock_timeout '500us' (rounds to 0 = no timeout)". */
export function zeroTimeoutText(name: string, setting: Setting, show: (text: string) => string = (t) => t): string {
  return roundsToZero(setting) ? `${name} '${show(setting.text)}' (rounds to 0 = no timeout)` : `${name} 0`;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0 (disabled)';
  if (ms % 3600000 === 0) return `${ms / 3600000}h`;
  if (ms % 60000 === 0) return `${ms / 60000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
