import { T, asColumnDef, asConstraint } from '../parse/ast';
import { addColumnRewrites, ColumnRewrite } from '../locks/addColumn';
import { Rule, StatementContext, Fix } from './types';
import { headSpan, locationSpan, constraintClauseSpan } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { insertAfterStatement } from './support/edits';
import { alterCommands, AlterCommand } from './support/alter';
import { shown } from './support/messages';

export const addingFieldWithDefault: Rule = {
  id: 'adding-field-with-default',
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    'set-default-later': {
      safety: 'suggestion',
      does: 'Adds the column without its default, then sets the default in a second statement.',
      effect: 'existing rows stay NULL instead of getting the default',
    },
  },
  docs: {
    summary:
      'ADD COLUMN whose default or kind rewrites the table: a volatile default, any default before PostgreSQL 11, GENERATED ... STORED, serial, identity.',
    why:
      'Adding a column is a catalog change, unless a value has to be computed for every existing row: then the whole ' +
      'table and every index are rewritten while an **ACCESS EXCLUSIVE** lock blocks all reads and writes. That ' +
      'happens for a volatile default (`clock_timestamp()`, `random()`, `gen_random_uuid()`; `now()` is not volatile), ' +
      'for any non-NULL default before PostgreSQL 11, for `GENERATED ALWAYS AS (...) STORED`, for `serial`/`bigserial` ' +
      'and for identity columns.',
    safe:
      'Add the column without the default, then `ALTER COLUMN ... SET DEFAULT ...` in a second statement: new rows get ' +
      'the default, existing rows keep NULL, and you backfill them in batches if they need a value. The quick fix does ' +
      'this for defaults (the schema it leaves is the same; the existing rows are not filled). For serial, identity and ' +
      'stored generated columns there is no single-statement alternative: add a plain nullable column, fill it in ' +
      'batches (a trigger keeps new rows current), then attach the sequence or constraint. Tables created earlier in ' +
      'the same migration are not flagged.',
    bad: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    good: 'ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();',
  },
  checkStatement(ctx, report) {
    for (const command of alterCommands(ctx, 'AT_AddColumn')) {
      const { cmd, table } = command;
      const col = asColumnDef(cmd.def);
      if (!col?.colname) continue;
      if (cmd.missing_ok && ctx.catalog.relation(table)?.columns.has(col.colname)) continue;
      const rewrites = addColumnRewrites(col, ctx.file.config.pgVersion);
      if (!rewrites.length) continue;
      const main = rewrites[0];
      const span =
        (main.constraint
          ? constraintClauseSpan(ctx.file, ctx.statement, main.constraint.location)
          : locationSpan(ctx.file, ctx.statement, col.typeName?.location)) ?? headSpan(ctx.file, ctx.statement);
      report({
        statement: ctx.statement.index,
        span,
        ...message(table, col.colname, main, isRequired(col)),
        fix: rewrites.every((r) => DEFAULT_KINDS.has(r.kind)) ? setDefaultLaterFix(ctx, command, col, main) : undefined,
      });
    }
  },
};

const DEFAULT_KINDS = new Set(['volatile-default', 'unknown-default', 'default-before-11']);

function isRequired(col: T.ColumnDef): boolean {
  return (col.constraints ?? []).map(asConstraint).some((c) => c?.contype === 'CONSTR_NOTNULL' || c?.contype === 'CONSTR_PRIMARY');
}

/** The message says what rewrites the table; help is the safe way for this kind of column. */
function message(table: string, column: string, rewrite: ColumnRewrite, required: boolean): { message: string; help: string; notes?: string[] } {
  const col = shown(column);
  const blocks = `rewrites ${shown(table)}, blocking reads and writes`;
  const later = required
    ? 'Add the column nullable and without the default, then SET DEFAULT, backfill existing rows in batches, and SET NOT NULL through a validated CHECK'
    : 'Add the column without the default, then SET DEFAULT (new rows get it; backfill existing rows in batches if needed)';
  const fill = 'Add a nullable integer column, backfill it in batches, then make it NOT NULL';
  switch (rewrite.kind) {
    case 'volatile-default':
      return { message: `Adding column ${col} with a volatile default ${blocks}`, help: later, notes: [rewrite.reason.replace(/: .*$/, '')] };
    case 'unknown-default':
      return {
        message: `Adding column ${col} with a default of unknown volatility ${blocks}`,
        help: later,
        notes: [`${rewrite.reason.replace(/: .*$/, '')}; if the function is STABLE or IMMUTABLE, ignore this finding`],
      };
    case 'default-before-11':
      return { message: `Adding column ${col} with a DEFAULT ${blocks} (before PostgreSQL 11)`, help: later };
    case 'serial':
      return { message: `Adding serial column ${col} ${blocks}`, help: `${fill} (give it the sequence default first)` };
    case 'identity':
      return { message: `Adding identity column ${col} ${blocks}`, help: `${fill}, then ALTER COLUMN ... ADD GENERATED ... AS IDENTITY (a catalog change)` };
    case 'generated':
      return {
        message: `Adding stored generated column ${col} ${blocks}`,
        help: 'Add a plain column kept current by a trigger and backfill it in batches (from PostgreSQL 18, a VIRTUAL generated column is computed on read)',
      };
  }
}

/** Drop the DEFAULT clause from ADD COLUMN and add `ALTER COLUMN ... SET DEFAULT` right after the statement. */
function setDefaultLaterFix(ctx: StatementContext, command: AlterCommand, col: T.ColumnDef, rewrite: ColumnRewrite): Fix | undefined {
  const con = rewrite.constraint;
  if (!con || !command.exact || ctx.statement.container !== undefined) return undefined;
  // With IF NOT EXISTS the ADD may do nothing, while SET DEFAULT would still change an existing column.
  if (command.cmd.missing_ok) return undefined;
  const cmdSpan = command.span;
  const stmt = command.alter;
  const cons = (col.constraints ?? []).map(asConstraint);
  // Without its default a NOT NULL column could not be added to a table with rows.
  if (cons.some((c) => c?.contype === 'CONSTR_NOTNULL' || c?.contype === 'CONSTR_PRIMARY')) return undefined;
  const first = locationSpan(ctx.file, ctx.statement, con.location);
  if (!first) return undefined;
  // The clause runs to the next constraint of the column, or to the end of the subcommand.
  const next = cons[cons.indexOf(con) + 1];
  const nextStart = next ? locationSpan(ctx.file, ctx.statement, next.location)?.start : cmdSpan.end;
  if (nextStart === undefined || nextStart <= first.start) return undefined;
  const text = ctx.file.text;
  const clause = text.slice(first.start, nextStart).replace(/\s+$/, '');
  const m = /^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|\S+)\s+)?DEFAULT\s+/i.exec(clause);
  if (!m) return undefined;
  const expr = clause.slice(m[0].length);
  let removeStart = first.start;
  while (removeStart > 0 && /[ \t]/.test(text[removeStart - 1])) removeStart--;
  const setDefault = `ALTER TABLE ${relationSql(stmt.relation)} ALTER COLUMN ${quoteIdent(col.colname!)} SET DEFAULT ${expr};`;
  return {
    kind: 'set-default-later',
    title: 'Add the column without the default, then SET DEFAULT',
    preferred: true,
    edits: [{ start: removeStart, end: first.start + clause.length, newText: '' }, insertAfterStatement(ctx.file, ctx.statement, [setDefault])],
  };
}
