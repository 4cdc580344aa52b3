import { T, asAConst, asColumnDef, asConstraint, typeToString } from '../parse/ast';
import { isSerialType } from '../locks/addColumn';
import { Rule } from './types';
import { constraintSpan } from './support/spans';
import { alterCommands } from './support/alter';

import { shown } from './support/messages';
export const addingRequiredField: Rule = {
  id: 'adding-required-field',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: false,
  docs: {
    summary: 'ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT on an existing table.',
    why:
      'Every existing row gets NULL in the new column, which the NOT NULL forbids: on a table that has rows the ' +
      'statement fails (`column "..." contains null values`) after taking its **ACCESS EXCLUSIVE** lock, and the ' +
      'deploy stops. It only passes on an empty table, so it tends to work in development and fail in production. ' +
      'An inline PRIMARY KEY implies NOT NULL and fails the same way.',
    safe:
      'Either give the column a DEFAULT (from PostgreSQL 11 a non-volatile default is stored once and the statement is ' +
      'instant), or add it nullable, backfill it in batches, then make it NOT NULL through a validated ' +
      '`CHECK (col IS NOT NULL)` (see adding-not-nullable-field). Identity, serial and generated columns fill ' +
      'themselves and are not flagged; neither are tables created earlier in the same migration.',
    bad: 'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
    good: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
  },
  checkStatement(ctx, report) {
    for (const { cmd, table } of alterCommands(ctx, 'AT_AddColumn')) {
      const col = asColumnDef(cmd.def);
      if (!col?.colname) continue;
      // ADD COLUMN IF NOT EXISTS of a column that exists does nothing.
      if (cmd.missing_ok && ctx.catalog.relation(table)?.columns.has(col.colname)) continue;
      const cons = (col.constraints ?? []).map(asConstraint).filter((x): x is T.Constraint => !!x);
      const required = cons.find((x) => x.contype === 'CONSTR_NOTNULL' || x.contype === 'CONSTR_PRIMARY');
      if (!required) continue;
      const hasDefault = cons.some((x) => x.contype === 'CONSTR_DEFAULT' && !asAConst(x.raw_expr)?.isnull);
      const fills = cons.some((x) => x.contype === 'CONSTR_IDENTITY' || x.contype === 'CONSTR_GENERATED') || isSerialType(typeToString(col.typeName));
      if (hasDefault || fills) continue;
      const what = required.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'NOT NULL';
      report({
        statement: ctx.statement.index,
        span: constraintSpan(ctx.file, ctx.statement, required.location),
        message: `Adding column ${shown(col.colname)} ${what} without a DEFAULT fails once ${shown(table)} has rows`,
        help: 'Give it a DEFAULT (instant from PostgreSQL 11 when not volatile), or add it nullable, backfill it, then SET NOT NULL through a validated CHECK',
        notes: required.contype === 'CONSTR_PRIMARY' ? ['a primary key implies NOT NULL'] : undefined,
      });
    }
  },
};
