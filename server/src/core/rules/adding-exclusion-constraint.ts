import { asAlterTableCmd, asConstraint } from '../parse/ast';
import { Rule } from './types';
import { headSpan, existingTableAlter } from './helpers';
import { constraintClauseSpan } from './clauses';

export const addingExclusionConstraint: Rule = {
  id: 'adding-exclusion-constraint',
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'ADD CONSTRAINT ... EXCLUDE on an existing table.',
    why:
      'Adding an exclusion constraint builds its index and checks every row against the others while holding an ' +
      '**ACCESS EXCLUSIVE** lock on the table: every read and write waits for the whole build.',
    safe:
      'PostgreSQL has no concurrent or NOT VALID form of an exclusion constraint, and `USING INDEX` does not accept ' +
      'one. Bound the damage instead: set a short `lock_timeout` (and a `statement_timeout` sized for the build) so ' +
      'the migration gives up rather than queueing traffic, run it when the table is small or traffic is low, or ' +
      'add the constraint when the table is created. Tables created earlier in the same migration are not flagged.',
    bad: 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
    good:
      "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n" +
      'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
  },
  checkStatement(ctx, report) {
    const target = existingTableAlter(ctx);
    if (!target) return;
    const { stmt, table } = target;
    for (const c of stmt.cmds ?? []) {
      const cmd = asAlterTableCmd(c);
      const con = cmd?.subtype === 'AT_AddConstraint' ? asConstraint(cmd.def) : undefined;
      if (con?.contype !== 'CONSTR_EXCLUSION') continue;
      const timeout = ctx.timeline.lockTimeout;
      report({
        statement: ctx.statement.index,
        span: constraintClauseSpan(ctx.file, ctx.statement, con.location) ?? headSpan(ctx.file, ctx.statement),
        message:
          (con.conname ? `Adding exclusion constraint ${con.conname}` : 'Adding an exclusion constraint') +
          ` builds its index while holding ACCESS EXCLUSIVE on ${table}: reads and writes wait for the whole build, and there ` +
          'is no concurrent form. Bound it with lock_timeout' +
          (timeout && timeout.ms > 0 ? ` (lock_timeout is ${timeout.text} here)` : ' (none is set here)') +
          ', and run it while the table is small or traffic is low.',
      });
    }
  },
};
