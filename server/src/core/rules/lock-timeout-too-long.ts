import { T, as, constValue, findAll, nameList, Node } from '../parse/ast';
import { formatDuration, parseDuration, roundsToZero } from '../model/timeline';
import { shown } from './support/messages';
import { Rule } from './types';
import { headSpan, locationSpan } from './support/spans';

export const lockTimeoutTooLong: Rule = {
  id: 'lock-timeout-too-long',
  kinds: ['VariableSetStmt', 'SelectStmt'],
  defaultSeverity: 'warning',
  fixable: true,
  fixes: {
    'configured-timeout': {
      safety: 'safe',
      does: 'Replaces the value with the configured lockTimeout.',
      effect: 'a lock_timeout only makes a statement give up waiting for its lock; what it does once it runs is unchanged',
    },
  },
  docs: {
    summary: 'A lock_timeout longer than the configured maximum (maxLockTimeout, default 10s), or set to 0.',
    why:
      'While a DDL statement waits for its lock (ACCESS EXCLUSIVE for most ALTER TABLE forms), every query that ' +
      'arrives after it on the same table waits behind it. `lock_timeout` bounds that wait: a long one (say a minute) ' +
      'means a minute of queued reads and writes before the migration gives up, and `0` turns the limit off entirely.',
    safe:
      'Keep `lock_timeout` short (a few seconds) and retry the migration when it times out. The maximum accepted is ' +
      '`maxLockTimeout` in `.lockwise.json`; the quick fix writes the configured `lockTimeout` (default 5s). ' +
      "A value PostgreSQL rounds to 0 (`'500us'`, `'0.4ms'`, a bare `'0.5'`, which is milliseconds) is no " +
      'timeout either and is flagged like 0. RESET and SET ... TO DEFAULT are not flagged (require-lock-timeout reports the statements that then run without one).',
    bad: "SET lock_timeout = '1min';\nALTER TABLE users ADD COLUMN nickname text;",
    good: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nickname text;",
  },
  checkStatement(ctx, report) {
    const value = lockTimeoutValue(ctx.statement.node);
    if (!value) return;
    const ms = parseDuration(value.value);
    const max = parseDuration(ctx.file.config.maxLockTimeout);
    if (ms === undefined || max === undefined) return;
    if (ms !== 0 && ms <= max) return;
    const span = locationSpan(ctx.file, ctx.statement, value.location) ?? headSpan(ctx.file, ctx.statement);
    const replacement = ctx.file.config.lockTimeout;
    const replacementMs = parseDuration(replacement);
    report({
      statement: ctx.statement.index,
      span,
      message:
        ms === 0
          ? `${zeroTimeoutLabel(value.value)}: a statement waiting for its lock queues every later query behind it`
          : `lock_timeout ${formatDuration(ms)} is over the maximum of ${ctx.file.config.maxLockTimeout}: later queries queue behind the wait`,
      help: `Use a few seconds (at most ${ctx.file.config.maxLockTimeout})`,
      fix:
        replacementMs !== undefined && replacementMs > 0 && replacementMs <= max && locationSpan(ctx.file, ctx.statement, value.location)
          ? {
              kind: 'configured-timeout',
              title: `Use lock_timeout = '${replacement}'`,
              preferred: true,
              edits: [{ start: span.start, end: span.end, newText: `'${replacement}'` }],
            }
          : undefined,
    });
  },
};

/** "lock_timeout = 0 disables the limit", or "lock_timeout '500us' rounds to 0 = no timeout" for a value PostgreSQL rounds to 0. */
function zeroTimeoutLabel(value: string | number): string {
  const text = String(value);
  return roundsToZero({ ms: 0, setAt: 0, local: false, text })
    ? `lock_timeout '${shown(text, 20)}' rounds to 0 = no timeout`
    : 'lock_timeout = 0 disables the limit';
}

/** The value of `SET [LOCAL] lock_timeout = v` or `set_config('lock_timeout', v, ...)` with its location. */
function lockTimeoutValue(node: Node | undefined): { value: string | number; location: number | undefined } | undefined {
  const set = as(node, 'VariableSetStmt');
  if (set) {
    if (set.kind !== 'VAR_SET_VALUE' || set.name !== 'lock_timeout') return undefined;
    return constant(set.args?.[0]);
  }
  if (!as(node, 'SelectStmt')) return undefined;
  for (const call of findAll<T.FuncCall>(node, 'FuncCall')) {
    const fn = nameList(call.funcname);
    if (fn[fn.length - 1] !== 'set_config' || constValue(call.args?.[0]) !== 'lock_timeout') continue;
    return constant(call.args?.[1]);
  }
  return undefined;
}

function constant(arg: Node | undefined): { value: string | number; location: number | undefined } | undefined {
  const value = constValue(arg);
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const c = as(arg, 'A_Const') ?? as(as(arg, 'TypeCast')?.arg, 'A_Const');
  return { value, location: c?.location };
}
