import { SettingReminder } from './support/state';
import { Rule, StatementContext, Fix } from './types';
import { setSettingEdit } from './support/edits';
import { headSpan } from './support/spans';
import { lockRank } from '../locks/modes';
import { zeroTimeoutText } from '../model/timeline';
import { conditionNotes } from '../locks/branches';

/** Reported once, and again after the setting was in effect and was reset. */
const reminder = new SettingReminder();

import { shown } from './support/messages';
export const requireStatementTimeout: Rule = {
  id: 'require-statement-timeout',
  defaultSeverity: 'off',
  fixable: true,
  fixes: {
    'set-statement-timeout': {
      safety: 'suggestion',
      does: 'Inserts SET [LOCAL] statement_timeout before the statement (after BEGIN inside a transaction).',
      effect: 'a statement running longer than the timeout is cancelled and the migration fails',
    },
  },
  docs: {
    summary: 'A statement that rewrites, scans or indexes an existing table under a blocking lock (or updates every row) while no statement_timeout is set.',
    why:
      'Rewrites (ALTER COLUMN TYPE, VACUUM FULL, ...), validating scans and index builds take time proportional to the ' +
      'table, and most of them hold a lock that blocks writes (SHARE for CREATE INDEX) or every query (ACCESS EXCLUSIVE ' +
      'for a rewrite) until they finish. Without `statement_timeout` nothing stops one that takes far longer than planned ' +
      'on the production table.',
    safe:
      'Set `statement_timeout` before the first such statement so that it is cancelled (and its transaction rolled back) ' +
      'instead of blocking the table indefinitely; the quick fix writes the configured `statementTimeout` (default 15min: ' +
      'choose the longest blocking window you accept). CONCURRENTLY forms are not flagged: they do not block traffic, and ' +
      'a cancelled concurrent build leaves an INVALID index behind. The rule is off by default; like require-lock-timeout it ' +
      'reports the first statement that needs it, and again after a RESET. Statements that only take SHARE UPDATE EXCLUSIVE ' +
      '(VALIDATE CONSTRAINT, plain VACUUM) are not flagged either: they do not block reads or writes.',
    bad: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;',
    good: "SET statement_timeout = '15min';\nALTER TABLE users ALTER COLUMN id TYPE bigint;",
  },
  checkStatement(ctx, report) {
    const timeout = ctx.timeline.statementTimeout;
    if (!reminder.due(ctx, timeout)) return;
    const effect = ctx.effect;
    if (effect.concurrently || !(effect.rewrite || effect.scan || effect.indexBuild)) return;
    // Long statements that block traffic: a lock that blocks writes (SHARE or stronger), or row locks on every row changed.
    const target = effect.locks.find(
      (l) =>
        (l.role === 'target' || l.role === 'partition') &&
        !l.harmless &&
        ctx.catalog.existedBeforeFile(l.relation) &&
        (lockRank(l.mode) >= lockRank('SHARE') || effect.dataChange),
    );
    if (!target) return;
    reminder.markReported(ctx);
    const table = shown(target.relation);
    // A DO block's statement that runs only if a branch or loop does.
    const subject = target.condition ? 'If it runs, this' : 'This';
    const work = effect.rewrite
      ? `rewrites ${table} under ${target.mode}`
      : effect.indexBuild
        ? `builds an index on ${table} under ${target.mode}`
        : effect.dataChange
          ? `changes every row of ${table}`
          : `scans ${table} under ${target.mode}`;
    const notes = [...(effect.dataChange ? ['each changed row stays locked until the transaction commits'] : []), ...(conditionNotes(target) ?? [])];
    const reason = timeout?.ms === 0 ? `with ${zeroTimeoutText('statement_timeout', timeout, (t) => shown(t, 20))}` : 'with no statement_timeout';
    report({
      statement: ctx.statement.index,
      span: headSpan(ctx.file, ctx.statement),
      message: `${subject} ${work} ${reason} to bound it`,
      help: 'Set statement_timeout first',
      notes: notes.length ? notes : undefined,
      fix: statementTimeoutFix(ctx),
    });
  },
};

/** Inserts `SET [LOCAL] statement_timeout` where require-lock-timeout would insert its lock_timeout. */
function statementTimeoutFix(ctx: StatementContext): Fix {
  const value = ctx.file.config.statementTimeout;
  return {
    kind: 'set-statement-timeout',
    title: `Insert statement_timeout = '${value}'`,
    preferred: true,
    edits: [setSettingEdit(ctx, 'statement_timeout', value)],
  };
}
