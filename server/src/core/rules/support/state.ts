/**
 * Rule state for one analysis of one file, under typed keys: a rule that must remember earlier
 * statements declares `const KEY = new StateKey(() => initial)` and reads `ctx.file.state.get(KEY)`,
 * typed, with no cast at the call site.
 */
import type { Setting } from '../../model/timeline';
import type { StatementContext } from '../types';

export class StateKey<V> {
  constructor(readonly init: () => V) {}
}

export class FileState {
  private readonly values = new Map<StateKey<unknown>, unknown>();

  /** The value under `key`, created by the key's `init` on first use. */
  get<V>(key: StateKey<V>): V {
    if (!this.values.has(key)) this.values.set(key, key.init());
    return this.values.get(key) as V;
  }

  set<V>(key: StateKey<V>, value: V): void {
    this.values.set(key, value);
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
