import { SettingReminder } from './support/state';
import { Rule, StatementContext, Fix } from './types';
import { setSettingEdit } from './support/edits';
import { headSpan } from './support/spans';
import { lockRank } from '../locks/modes';
import { zeroTimeoutText } from '../model/timeline';

/** Reported once, and again after the setting was in effect and was reset. */
const reminder = new SettingReminder();

import { capital, lockOn, shown } from './support/messages';
import { conditionNotes } from '../locks/branches';
export const requireLockTimeout: Rule = {
  id: 'require-lock-timeout',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'set-lock-timeout': {
      safety: 'safe',
      does: 'Inserts SET [LOCAL] lock_timeout before the statement (after BEGIN inside a transaction).',
      effect: 'a lock_timeout only makes a statement give up waiting for its lock; what it does once it runs is unchanged',
    },
  },
  docs: {
    summary: 'A statement that takes a lock blocking reads or writes while no lock_timeout is set.',
    why:
      'A statement that needs a strong lock (SHARE or above: ACCESS EXCLUSIVE for most ALTER TABLE forms) first waits ' +
      'in the lock queue behind every transaction that holds a conflicting lock, for example a long-running SELECT. ' +
      'While it waits, **every query that arrives after it queues behind it**, reads included. Without `lock_timeout` ' +
      'it waits forever and a one-line migration takes the site down.',
    safe:
      'Set `lock_timeout` before the first such statement, so it gives up (and the migration can be retried) instead of ' +
      'blocking traffic. Inside a transaction use `SET LOCAL lock_timeout` right after `BEGIN`. The rule reports the ' +
      'first statement that needs it, and again after a `RESET`.',
    bad: 'ALTER TABLE users ADD COLUMN nickname text;',
    good: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nickname text;",
  },
  checkStatement(ctx, report) {
    const timeout = ctx.timeline.lockTimeout;
    if (!reminder.due(ctx, timeout)) return;
    const blocking = ctx.effect.locks.find((l) => !l.harmless && lockRank(l.mode) >= lockRank('SHARE') && ctx.catalog.existedBeforeFile(l.relation));
    if (!blocking || ctx.effect.concurrently) return;
    reminder.markReported(ctx);
    const reason = timeout?.ms === 0 ? `with ${zeroTimeoutText('lock_timeout', timeout, (t) => shown(t, 20))}` : 'without lock_timeout';
    report({
      statement: ctx.statement.index,
      span: headSpan(ctx.file, ctx.statement),
      message: `${capital(lockOn(blocking))} ${reason}: ${blocking.mode === 'ACCESS EXCLUSIVE' ? 'queries' : 'writes'} queue while it waits`,
      help: 'Set lock_timeout first',
      notes: conditionNotes(blocking),
      fix: lockTimeoutFix(ctx),
    });
  },
};

/** Inserts `SET [LOCAL] lock_timeout` at the right place for the statement's transaction. */
export function lockTimeoutFix(ctx: StatementContext): Fix {
  const value = ctx.file.config.lockTimeout;
  return { kind: 'set-lock-timeout', title: `Insert lock_timeout = '${value}'`, preferred: true, edits: [setSettingEdit(ctx, 'lock_timeout', value)] };
}
