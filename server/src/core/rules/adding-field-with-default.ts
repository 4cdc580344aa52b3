import { T, asColumnDef, asConstraint } from '../parse/ast';
import { addColumnRewrites, ColumnRewrite, validatesInlineForeignKey } from '../locks/addColumn';
import { Rule, StatementContext, Fix } from './types';
import { headSpan, locationSpan, constraintClauseSpan } from './support/spans';
import { quoteIdent, relationSql } from './support/names';
import { eol, insertAfterStatement } from './support/edits';
import { newConstraintName } from './support/constraintNames';
import { placementNote, placeOutsideTransaction } from '../fixes/placement';
import { alterCommands, AlterCommand } from './support/alter';
import { shown } from './support/messages';

export const addingFieldWithDefault: Rule = {
  id: 'adding-field-with-default',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'error',
  fixable: true,
  fixes: {
    backfill: {
      safety: 'safe',
      does:
        'Adds the column without its default, sets the default, fills the existing rows in batches of 1,000 by primary key (a DO block that commits ' +
        "each batch, so it runs outside any transaction block: after the COMMIT, with the runner's opt-out, or in a new migration), then for " +
        'NOT NULL adds a CHECK NOT VALID, validates it, sets NOT NULL and drops the CHECK. Offered from PostgreSQL 11 on a table with a ' +
        'one-column primary key, for a column with no other constraint, in plain psql, sqitch and Flyway migrations.',
      effect:
        'every existing row gets the default evaluated for it, as the rewrite would, in short batches; the column ends with the same default and nullability',
    },
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
      'and for identity columns. From PostgreSQL 11 a non-volatile default is stored once, with or without NOT NULL: ' +
      'no row is rewritten or read.',
    safe:
      'Add the column without the default, then `ALTER COLUMN ... SET DEFAULT ...` in a second statement: new rows get ' +
      'the default, existing rows keep NULL, and you backfill them in batches if they need a value. The safe quick fix ' +
      'also fills the existing rows with the default in committed batches (and sets NOT NULL through a validated CHECK), ' +
      'where the migration history shows the primary key; elsewhere only the two statements are suggested, and the ' +
      'existing rows stay NULL. For serial, identity and ' +
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
      const said = message(table, col.colname, main, isRequired(col));
      report({
        statement: ctx.statement.index,
        span,
        ...said,
        notes: [...(said.notes ?? []), ...uncheckedKey(col)],
        fix: rewrites.every((r) => DEFAULT_KINDS.has(r.kind))
          ? (backfillFix(ctx, command, col, main) ?? setDefaultLaterFix(ctx, command, col, main))
          : undefined,
      });
    }
  },
};

/**
 * An identity column fills existing rows but has no DEFAULT clause, so PostgreSQL marks its inline
 * REFERENCES valid without checking them (measured on 15: ADD_COLUMN_FORMS in locks/addColumn.ts).
 */
function uncheckedKey(col: T.ColumnDef): string[] {
  const cons = (col.constraints ?? []).map(asConstraint);
  if (!cons.some((c) => c?.contype === 'CONSTR_IDENTITY') || validatesInlineForeignKey(col)) return [];
  const fk = cons.find((c) => c?.contype === 'CONSTR_FOREIGN');
  return fk ? [`PostgreSQL marks its REFERENCES ${fk.pktable?.relname ?? ''} valid without checking the values the identity fills in`] : [];
}

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

const BATCH = 1000;
/** Runners known to send a dollar-quoted DO block whole, one statement at a time, once out of their transaction. */
const BACKFILL_RUNNERS = new Set(['none', 'sqitch', 'flyway']);

/**
 * The behaviour-preserving multi-step form: ADD COLUMN without the default; SET DEFAULT (new rows
 * get it from now on); a backfill of the existing rows, in primary-key batches each committed, that
 * sets the column to DEFAULT (evaluated per row, as the rewrite does); for NOT NULL, a validated
 * CHECK, then SET NOT NULL without a scan, then the CHECK dropped. The backfill commits inside a DO
 * block, so it must run outside any transaction block and its unit must not be one query string.
 */
function backfillFix(ctx: StatementContext, command: AlterCommand, col: T.ColumnDef, rewrite: ColumnRewrite): Fix | undefined {
  const { alter: stmt, table } = command;
  if (ctx.file.config.pgVersion < 11 || !command.exact || command.cmd.missing_ok || (stmt.cmds ?? []).length !== 1 || !col.colname) return undefined;
  const runner = ctx.file.runner;
  const unit = ctx.timeline.unit;
  // Runners that send the block whole and statement by statement: sent in one query string its COMMIT fails, and
  // goose, sql-migrate and Liquibase split statements at ';' of their own, inside the block.
  if (runner && !BACKFILL_RUNNERS.has(runner.profile.id)) return undefined;
  if (runner && unit !== undefined && runner.sections[unit]?.mode === 'multi-statement') return undefined;
  const cons = (col.constraints ?? []).map(asConstraint);
  if (cons.some((c) => !c || !['CONSTR_DEFAULT', 'CONSTR_NOTNULL', 'CONSTR_NULL'].includes(c.contype ?? ''))) return undefined;
  const key = [...(ctx.catalog.relation(table)?.constraints.values() ?? [])].find((c) => c.type === 'primary')?.columns;
  if (key?.length !== 1) return undefined;
  const text = ctx.file.text;
  const typeStart = locationSpan(ctx.file, ctx.statement, col.typeName?.location)?.start;
  const firstCon = Math.min(...cons.map((c) => locationSpan(ctx.file, ctx.statement, c!.location)?.start ?? Infinity));
  const defaultStart = locationSpan(ctx.file, ctx.statement, rewrite.constraint?.location)?.start;
  if (typeStart === undefined || !Number.isFinite(firstCon) || defaultStart === undefined) return undefined;
  const type = text.slice(typeStart, firstCon).trim();
  const expr = defaultExpression(text, defaultStart, cons, ctx, command.span.end);
  if (!type || !expr || /\$backfill\$/.test(expr)) return undefined;
  const t = relationSql(stmt.relation);
  const c = quoteIdent(col.colname);
  const k = quoteIdent(key[0]);
  const nl = eol(text);
  const steps = [`ALTER TABLE ${t} ADD COLUMN ${c} ${type}`, `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${expr}`, backfillBlock(t, c, k, nl)];
  if (cons.some((x) => x?.contype === 'CONSTR_NOTNULL')) {
    const name = quoteIdent(newConstraintName(ctx, stmt.relation, [col.colname], 'not_null_check'));
    steps.push(
      `ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID`,
      `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name}`,
      `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`,
      `ALTER TABLE ${t} DROP CONSTRAINT ${name}`,
    );
  }
  const edits = placeOutsideTransaction(ctx, steps.join(';' + nl), { carryLockTimeout: true });
  if (!edits) return undefined;
  return {
    kind: 'backfill',
    title: `Add the column, SET DEFAULT, then fill existing rows in batches${placementNote(edits).replace(/: it cannot run in a transaction\)$/, ')')}`,
    preferred: true,
    edits,
    files: edits.files,
  };
}

/** The DO block that sets `c` to DEFAULT in batches of BATCH rows by the primary key `k`, each batch committed. */
function backfillBlock(t: string, c: string, k: string, nl: string): string {
  return [
    '-- Fill the existing rows in batches, each committed (outside any transaction block).',
    'DO $backfill$',
    'DECLARE',
    `  lockwise_lo ${t}.${k}%TYPE;`,
    `  lockwise_hi ${t}.${k}%TYPE;`,
    'BEGIN',
    `  SELECT min(${k}) INTO lockwise_lo FROM ${t};`,
    '  WHILE lockwise_lo IS NOT NULL LOOP',
    `    SELECT max(${k}) INTO lockwise_hi FROM (SELECT ${k} FROM ${t} WHERE ${k} >= lockwise_lo ORDER BY ${k} LIMIT ${BATCH}) AS batch;`,
    `    UPDATE ${t} SET ${c} = DEFAULT WHERE ${k} BETWEEN lockwise_lo AND lockwise_hi AND ${c} IS NULL;`,
    '    COMMIT;',
    `    SELECT min(${k}) INTO lockwise_lo FROM ${t} WHERE ${k} > lockwise_hi;`,
    '  END LOOP;',
    'END',
    '$backfill$',
  ].join(nl);
}

/** The DEFAULT clause's expression: from after DEFAULT to the next constraint of the column, or the end of the subcommand. */
function defaultExpression(text: string, start: number, cons: (T.Constraint | undefined)[], ctx: StatementContext, end: number): string | undefined {
  const next = cons.map((c) => locationSpan(ctx.file, ctx.statement, c?.location)?.start ?? Infinity).filter((s) => s > start);
  const clause = text.slice(start, Math.min(end, ...next)).replace(/\s+$/, '');
  const m = /^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|\S+)\s+)?DEFAULT\s+/i.exec(clause);
  return m ? clause.slice(m[0].length) : undefined;
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
