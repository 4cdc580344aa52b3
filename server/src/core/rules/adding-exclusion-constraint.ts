import { Rule } from './types';
import { constraintSpan } from './support/spans';
import { addedConstraints } from './support/alter';
import { shown } from './support/messages';

export const addingExclusionConstraint: Rule = {
  id: 'adding-exclusion-constraint',
  kinds: ['AlterTableStmt'],
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
      '-- lockwise-ignore adding-exclusion-constraint -- bookings is small, the timeouts bound the wait and the build\n' +
      'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
  },
  checkStatement(ctx, report) {
    for (const { con, command } of addedConstraints(ctx, 'CONSTR_EXCLUSION')) {
      const table = command.table;
      report({
        statement: ctx.statement.index,
        span: constraintSpan(ctx.file, ctx.statement, con.location),
        message: `${con.conname ? `Exclusion constraint ${shown(con.conname)}` : 'An exclusion constraint'} blocks reads and writes on ${shown(table)} while its index builds`,
        help: 'There is no concurrent form: bound the wait with lock_timeout, and run it while the table is small or traffic is low',
      });
    }
  },
};
