/**
 * Rule state for one analysis of one file, under typed keys: a rule that must remember earlier
 * statements declares `const KEY = new StateKey(() => initial)` and reads `ctx.file.state.get(KEY)`,
 * typed, with no cast at the call site.
 */
import type { Setting } from '../../model/timeline';
import type { FileContext, StatementContext } from '../types';
import type { Statement } from '../../model/statements';

export interface StateKeyOptions<V> {
  /**
   * What of the value still matters to the statements from `index` on, where `index` is a
   * boundary: no transaction, runner unit or DO block is open across it. Incremental analysis
   * (incremental.ts) snapshots and compares this form, and restarts from it, so it must answer
   * every later read exactly as the full value would; it must hold no document offsets and no
   * objects of one analysis (statements, transactions). Omitted: the value itself, which must then
   * be plain data (primitives, arrays, plain objects, Map, Set).
   */
  atBoundary?(value: V, file: FileContext, index: number): V;
  /**
   * The value at a boundary is a function of the statements before it (a memo of a scan): it is
   * not snapshotted but rebuilt, and incremental analysis follows it by keys instead: this returns
   * the keys a statement contributes to, and the rule calls `file.noteRead(key)` for each key it
   * looks up.
   */
  derived?(statement: Statement): string[];
  /** A cache keyed by the statement or the text: a rule that skips it changes nothing for later statements. */
  memo?: boolean;
}

export class StateKey<V> {
  /** Every key made (rules make theirs when their module loads): a snapshot covers keys no statement used yet too. */
  static readonly all: StateKey<unknown>[] = [];

  constructor(
    readonly init: () => V,
    readonly options: StateKeyOptions<V> = {},
  ) {
    StateKey.all.push(this as StateKey<unknown>);
  }
}

export class FileState {
  private readonly values = new Map<StateKey<unknown>, unknown>();

  /** Called on every access (incremental analysis: which rules carry state from statement to statement). */
  onAccess?: (key: StateKey<unknown>) => void;

  /** The value under `key`, created by the key's `init` on first use. */
  get<V>(key: StateKey<V>): V {
    this.onAccess?.(key as StateKey<unknown>);
    if (!this.values.has(key)) this.values.set(key, key.init());
    return this.values.get(key) as V;
  }

  set<V>(key: StateKey<V>, value: V): void {
    this.onAccess?.(key as StateKey<unknown>);
    this.values.set(key, value);
  }

  /** Every key with a value (incremental analysis snapshots them at boundaries). */
  entries(): IterableIterator<[StateKey<unknown>, unknown]> {
    return this.values.entries();
  }
}

/**
 * For rules that ask for a session setting (lock_timeout, statement_timeout): due on the first
 * statement that needs it, then not again until the setting has been in effect and is gone again.
 */
export class SettingReminder {
  private readonly reported = new StateKey(() => ({ value: false }));

  /** False while the setting is in effect (which re-arms the reminder) and after a report. */
  due(ctx: StatementContext, setting: Setting | undefined): boolean {
    const reported = ctx.file.state.get(this.reported);
    if (setting && setting.ms > 0) reported.value = false;
    return !(setting && setting.ms > 0) && !reported.value;
  }

  markReported(ctx: StatementContext): void {
    ctx.file.state.get(this.reported).value = true;
  }
}
